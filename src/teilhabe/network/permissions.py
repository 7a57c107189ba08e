"""Who may see and keep the actor registry."""

import rules

from teilhabe.core.permissions import has_role_in_centre_of
from teilhabe.core.roles import CENTRE_STAFF, Role

#: Staff who keep the registry up to date.
EDITORS = (Role.LEADERSHIP, Role.COORDINATOR, Role.CLERK, Role.ADMINISTRATION)

sees_actors = has_role_in_centre_of(*CENTRE_STAFF)
keeps_actors = has_role_in_centre_of(*EDITORS)

rules.add_perm("network.view_actor", sees_actors)
rules.add_perm("network.change_actor", keeps_actors)


@rules.predicate
def speaks_for(user, actor=None) -> bool:  # type: ignore[no-untyped-def]
    """Return whether the user works for the partner organisation behind ``actor``."""
    if not user.is_authenticated:
        return False
    organisations = {m.organisation_id for m in user.active_memberships() if m.organisation_id}
    if actor is None:
        return bool(organisations)
    return actor.organisation_id is not None and actor.organisation_id in organisations


rules.add_perm("network.propose_actor_change", speaks_for)
