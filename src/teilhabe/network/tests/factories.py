from __future__ import annotations

from typing import Any

from django_scopes import scopes_disabled

from teilhabe.core.models import Centre
from teilhabe.network.models import Actor, ContactPerson


def make_actor(centre: Centre, name: str | None = None, **fields: Any) -> Actor:
    """Return a new actor of ``centre``."""
    with scopes_disabled():
        name = name or f"Akteur {Actor.objects.count() + 1}"
        fields.setdefault("kind", Actor.Kind.WELFARE)
        fields.setdefault("municipality", centre.municipalities().first())
        return Actor.objects.create(centre=centre, name=name, **fields)


def make_contact(actor: Actor, name: str = "Erika Muster", **fields: Any) -> ContactPerson:
    with scopes_disabled():
        return ContactPerson.objects.create(actor=actor, name=name, **fields)
