"""Who works with newcomer pupils and who keeps the places of a school."""

from __future__ import annotations

from typing import Any

import rules

from teilhabe.core.permissions import has_role_in_centre_of
from teilhabe.core.roles import CENTRE_STAFF, Role

counsels = has_role_in_centre_of(Role.NEWCOMER_COUNSELLOR)
sees_schools = has_role_in_centre_of(*CENTRE_STAFF)


def partner_actors(user: Any) -> list[Any]:
    """Return the actors of the partner organisations ``user`` works for."""
    from teilhabe.network.models import Actor

    organisations = {
        m.organisation_id: m.centre_id
        for m in user.active_memberships()
        if m.role == Role.PARTNER and m.organisation_id
    }
    if not organisations:
        return []
    return list(Actor.objects.with_scopes_disabled().filter(organisation_id__in=organisations))


def keeps_places_of(actors: list[Any], school: Any) -> bool:
    """Return whether one of the partner ``actors`` is ``school``, its school office or Schulamt."""
    from teilhabe.network.models import Actor

    for actor in actors:
        if actor.centre_id != school.centre_id:
            continue
        if actor.kind in {Actor.Kind.SCHOOL_AUTHORITY, Actor.Kind.SCHOOL_OFFICE}:
            return True
        if school.actor_id == actor.pk:
            return True
    return False


@rules.predicate
def speaks_for_school_authority(user: Any, school: Any = None) -> bool:
    """Return whether the user works for this school, its school office or the Schulamt.

    A partner organisation whose actor is the school itself keeps that school's places; one
    whose actor is the centre's Schulamt or municipal school office keeps every school's.
    """
    if not user.is_authenticated:
        return False
    from teilhabe.network.models import Actor

    actors = partner_actors(user)
    if school is None:
        school_kinds = {Actor.Kind.SCHOOL, Actor.Kind.SCHOOL_AUTHORITY, Actor.Kind.SCHOOL_OFFICE}
        return any(actor.kind in school_kinds for actor in actors)
    return keeps_places_of(actors, school)


rules.add_perm("schooling.view_pupil", counsels)
rules.add_perm("schooling.change_pupil", counsels)
rules.add_perm("schooling.view_school", sees_schools | speaks_for_school_authority)
rules.add_perm("schooling.change_school", counsels)
rules.add_perm("schooling.change_capacity", counsels | speaks_for_school_authority)
rules.add_perm("schooling.propose_placements", counsels)
rules.add_perm(
    "schooling.change_letters", has_role_in_centre_of(Role.NEWCOMER_COUNSELLOR, Role.ADMINISTRATION)
)
