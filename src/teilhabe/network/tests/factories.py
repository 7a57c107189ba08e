from __future__ import annotations

import datetime
from typing import Any

from django_scopes import scopes_disabled

from teilhabe.core.models import Centre
from teilhabe.network.models import (
    Actor,
    ActorChange,
    ContactPerson,
    CooperationAgreement,
    FollowUp,
    GroupMember,
    Meeting,
    WorkingGroup,
)


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


def make_group(centre: Centre, name: str | None = None, **fields: Any) -> WorkingGroup:
    with scopes_disabled():
        name = name or f"Arbeitskreis {WorkingGroup.objects.count() + 1}"
        fields.setdefault("kind", WorkingGroup.Kind.WORKING_GROUP)
        return WorkingGroup.objects.create(centre=centre, name=name, **fields)


def make_member_of(group: WorkingGroup, actor: Actor | None = None) -> GroupMember:
    with scopes_disabled():
        return GroupMember.objects.create(group=group, actor=actor or make_actor(group.centre))


def make_meeting(group: WorkingGroup, **fields: Any) -> Meeting:
    with scopes_disabled():
        fields.setdefault("date", datetime.date(2026, 11, 3))
        return Meeting.objects.create(group=group, **fields)


def make_follow_up(meeting: Meeting, task: str = "Einladung verschicken") -> FollowUp:
    with scopes_disabled():
        return FollowUp.objects.create(meeting=meeting, task=task)


def make_agreement(centre: Centre, **fields: Any) -> CooperationAgreement:
    with scopes_disabled():
        fields.setdefault("valid_from", datetime.date(2026, 1, 1))
        agreement = CooperationAgreement.objects.create(
            centre=centre, title=fields.pop("title", "Kooperation Sprachförderung"), **fields
        )
        agreement.partners.set([make_actor(centre)])
        return agreement


def make_change(actor: Actor, **proposed: Any) -> ActorChange:
    """Return a pending proposal for ``actor`` by a partner user."""
    from teilhabe.core.tests.factories import make_user

    with scopes_disabled():
        proposer = make_user(f"proposer{ActorChange.objects.count()}@example.org")
        return ActorChange.objects.create(
            actor=actor, proposed=proposed or {"phone": "02541 123456"}, proposed_by=proposer
        )
