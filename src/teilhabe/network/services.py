"""Business rules of the actor registry."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from teilhabe.core.audit import records_actor
from teilhabe.core.models import Centre, Municipality, User
from teilhabe.core.services import InCentre, ensure_allowed

from .models import (
    Actor,
    ActorChange,
    ContactPerson,
    CooperationAgreement,
    FieldOfAction,
    FollowUp,
    GroupMember,
    Meeting,
    WorkingGroup,
)

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


@records_actor
@transaction.atomic
def save_actor(acting: User, centre: Centre, *, actor: Actor | None = None, **data: Any) -> Actor:
    """Create or change an actor of ``centre``; the Gemeinde and parent must be the centre's."""
    ensure_allowed(acting, "network.change_actor", actor or InCentre(centre))
    if actor is not None and actor.centre_id != centre.pk:
        raise ValidationError(_("An actor is changed in its own centre."))
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


def _check_actors(centre: Centre, actors: Any, field: str) -> list[Actor]:
    actors = list(actors)
    if any(actor.centre_id != centre.pk for actor in actors):
        raise ValidationError({field: _("Only actors of this centre can be chosen.")})
    return actors


@records_actor
@transaction.atomic
def save_group(
    acting: User,
    centre: Centre,
    *,
    group: WorkingGroup | None = None,
    name: str,
    kind: str,
    description: str = "",
    fields_of_action: list[str] | tuple[str, ...] = (),
) -> WorkingGroup:
    """Create or change a network or working group of ``centre``."""
    ensure_allowed(acting, "network.change_actor", group or InCentre(centre))
    if any(f not in FieldOfAction.values for f in fields_of_action):
        raise ValidationError({"fields_of_action": _("Unknown field of action.")})
    group = group or WorkingGroup(centre=centre)
    group.name, group.kind, group.description = name, kind, description
    group.fields_of_action = list(fields_of_action)
    group.full_clean()
    group.save()
    return group


@records_actor
@transaction.atomic
def add_group_member(
    acting: User, group: WorkingGroup, *, actor: Actor, role: str = ""
) -> GroupMember:
    """Add an actor to a group (or change its role there)."""
    ensure_allowed(acting, "network.change_actor", group)
    _check_actors(group.centre, [actor], "actor")
    member, _created = GroupMember.objects.get_or_create(group=group, actor=actor)
    member.role = role
    member.save()
    return member


@records_actor
@transaction.atomic
def remove_group_member(acting: User, member: GroupMember) -> None:
    """Take an actor out of a group; its past meetings keep their attendance."""
    ensure_allowed(acting, "network.change_actor", member.group)
    member.delete()


@records_actor
@transaction.atomic
def record_meeting(
    acting: User,
    group: WorkingGroup,
    *,
    date: Any,
    place: str = "",
    attendees: Any = (),
    minutes: str = "",
    decisions: str = "",
    follow_ups: Any = (),
) -> Meeting:
    """Record a meeting with its attendance, minutes, decisions and agreed follow-ups.

    ``follow_ups`` are ``(task, responsible actor or None, due date or None)``.
    """
    ensure_allowed(acting, "network.change_actor", group)
    attendees = _check_actors(group.centre, attendees, "attendees")
    meeting = Meeting(group=group, date=date, place=place, minutes=minutes, decisions=decisions)
    meeting.full_clean()
    meeting.save()
    meeting.attendees.set(attendees)
    for task, responsible, due in follow_ups:
        if responsible is not None:
            _check_actors(group.centre, [responsible], "follow_ups")
        follow_up = FollowUp(meeting=meeting, task=task, responsible=responsible, due=due)
        follow_up.full_clean()
        follow_up.save()
    return meeting


@records_actor
@transaction.atomic
def set_follow_up_done(acting: User, follow_up: FollowUp, *, done: bool) -> FollowUp:
    """Tick off a follow-up (or open it again)."""
    ensure_allowed(acting, "network.change_actor", follow_up.meeting.group)
    follow_up.done = done
    follow_up.save()
    return follow_up


@records_actor
@transaction.atomic
def save_agreement(
    acting: User,
    centre: Centre,
    *,
    agreement: CooperationAgreement | None = None,
    title: str,
    partners: Any,
    valid_from: Any,
    valid_until: Any = None,
    remind_days: int = 90,
    notes: str = "",
) -> CooperationAgreement:
    """Create or change a cooperation agreement; it needs at least one partner."""
    ensure_allowed(acting, "network.change_actor", agreement or InCentre(centre))
    if agreement is not None and agreement.centre_id != centre.pk:
        raise ValidationError(_("An agreement is changed in its own centre."))
    partners = _check_actors(centre, partners, "partners")
    if not partners:
        raise ValidationError({"partners": _("An agreement needs at least one partner.")})
    if valid_until is not None and valid_until < valid_from:
        raise ValidationError({"valid_until": _("The agreement cannot end before it starts.")})
    agreement = agreement or CooperationAgreement(centre=centre)
    agreement.title, agreement.valid_from, agreement.valid_until = title, valid_from, valid_until
    agreement.remind_days, agreement.notes = remind_days, notes
    agreement.full_clean()
    agreement.save()
    agreement.partners.set(partners)
    return agreement


def agreements_to_renew(user: User, *, today: Any = None) -> list[CooperationAgreement]:
    """Return the agreements of the user's centres that end within their reminder period."""
    agreements = CooperationAgreement.objects.visible_to(user).filter(valid_until__isnull=False)
    return [a for a in agreements.order_by("valid_until") if a.status(today) == "ending"]


def partner_actor(user: User) -> Actor | None:
    """Return the actor of the partner organisation ``user`` works for, if it has one."""
    organisations = [m.organisation_id for m in user.active_memberships() if m.organisation_id]
    return Actor.objects.filter(organisation_id__in=organisations).first()


@records_actor
@transaction.atomic
def propose_actor_change(acting: User, actor: Actor, **proposed: Any) -> ActorChange:
    """Record a partner's proposed change of its public data; nothing goes live before review.

    A new proposal replaces the partner's earlier one that was still waiting.
    """
    ensure_allowed(acting, "network.propose_actor_change", actor)
    unknown = set(proposed) - set(ActorChange.FIELDS)
    if unknown:
        raise TypeError(f"partners cannot change: {sorted(unknown)}")
    values = {
        name: (value.pk if name == "municipality" and value is not None else value)
        for name, value in proposed.items()
    }
    for pending in actor.changes.filter(status=ActorChange.Status.PENDING):
        pending.status = ActorChange.Status.REJECTED
        pending.reason = _("Replaced by a newer proposal.")
        pending.reviewed = timezone.now()
        pending.save()
    change = ActorChange(actor=actor, proposed=values, proposed_by=acting)
    if not change.differences():
        raise ValidationError(_("The proposal changes nothing."))
    change.save()
    return change


@records_actor
@transaction.atomic
def review_actor_change(
    acting: User, change: ActorChange, *, approve: bool, reason: str = ""
) -> ActorChange:
    """Approve (the values go live) or reject (with a reason for the partner) a proposal."""
    ensure_allowed(acting, "network.change_actor", change.actor)
    if change.status != ActorChange.Status.PENDING:
        raise ValidationError(_("This proposal has already been reviewed."))
    if not approve and not reason.strip():
        raise ValidationError({"reason": _("Please tell the partner why.")})
    if approve:
        actor = change.actor
        data = {name: getattr(actor, name) for name in ACTOR_FIELDS}
        data.update(change.proposed)
        if data.get("municipality") is not None:
            data["municipality"] = Municipality.objects.get(pk=data["municipality"])
        save_actor(acting, actor.centre, actor=actor, **data)
    change.status = ActorChange.Status.APPROVED if approve else ActorChange.Status.REJECTED
    change.reviewed_by, change.reviewed, change.reason = acting, timezone.now(), reason
    change.save()
    return change
