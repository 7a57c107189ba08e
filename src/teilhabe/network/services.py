"""Business rules of the actor registry."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from teilhabe.core.audit import records_actor
from teilhabe.core.models import Centre, User
from teilhabe.core.services import ensure_allowed

from .models import Actor, ContactPerson, FieldOfAction

ACTOR_FIELDS = (
    "name",
    "kind",
    "parent",
    "description",
    "street",
    "postcode",
    "municipality",
    "latitude",
    "longitude",
    "email",
    "phone",
    "website",
    "fields_of_action",
    "languages",
)


class _InCentre:
    def __init__(self, centre: Centre) -> None:
        self.centre, self.centre_id = centre, centre.pk


@records_actor
@transaction.atomic
def save_actor(acting: User, centre: Centre, *, actor: Actor | None = None, **data: Any) -> Actor:
    """Create or change an actor of ``centre``; the Gemeinde and parent must be the centre's."""
    ensure_allowed(acting, "network.change_actor", actor or _InCentre(centre))
    unknown = set(data) - set(ACTOR_FIELDS)
    if unknown:
        raise TypeError(f"unknown actor fields: {sorted(unknown)}")
    town = data.get("municipality")
    if town is not None and not centre.municipalities().filter(pk=town.pk).exists():
        raise ValidationError({"municipality": _("This Gemeinde lies outside the centre's area.")})
    parent = data.get("parent")
    if parent is not None:
        if parent.centre_id != centre.pk:
            raise ValidationError({"parent": _("The parent organisation must be in this centre.")})
        if actor is not None and _is_ancestor(actor, parent):
            raise ValidationError(
                {"parent": _("An organisation cannot be part of itself or of its own branch.")}
            )
    fields = data.get("fields_of_action", [])
    if any(f not in FieldOfAction.values for f in fields):
        raise ValidationError({"fields_of_action": _("Unknown field of action.")})
    if actor is None:
        actor = Actor(centre=centre)
    for name, value in data.items():
        setattr(actor, name, value)
    actor.full_clean()
    actor.save()
    return actor


def _is_ancestor(actor: Actor, candidate: Actor) -> bool:
    """Return whether ``candidate`` is ``actor`` itself or below it."""
    node: Actor | None = candidate
    seen = set()
    while node is not None and node.pk not in seen:
        if node.pk == actor.pk:
            return True
        seen.add(node.pk)
        node = node.parent
    return False


@records_actor
@transaction.atomic
def set_actor_active(acting: User, actor: Actor, *, active: bool) -> Actor:
    """Archive an actor (or bring it back); its history and links stay."""
    ensure_allowed(acting, "network.change_actor", actor)
    actor.is_active = active
    actor.save()
    return actor


@records_actor
@transaction.atomic
def add_contact(acting: User, actor: Actor, **data: Any) -> ContactPerson:
    """Add a contact person to ``actor``."""
    ensure_allowed(acting, "network.change_actor", actor)
    contact = ContactPerson(actor=actor, **data)
    contact.full_clean()
    contact.save()
    return contact


@records_actor
@transaction.atomic
def remove_contact(acting: User, contact: ContactPerson) -> None:
    """Remove a contact person; the audit trail keeps who it was and who removed it."""
    ensure_allowed(acting, "network.change_actor", contact.actor)
    contact.delete()
