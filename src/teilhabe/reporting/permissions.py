import rules

from teilhabe.core.permissions import has_role, has_role_in_centre_of
from teilhabe.core.roles import Role

rules.add_perm(
    "reporting.view_centre_figures",
    has_role_in_centre_of(Role.LEADERSHIP, Role.COORDINATOR, Role.ADMINISTRATION),
)
rules.add_perm("reporting.view_statewide_figures", has_role(Role.LAKI))
