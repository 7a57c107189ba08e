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
