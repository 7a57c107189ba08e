"""The roles a membership can give, and what each role may see."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    LEADERSHIP = "leadership", _("Centre management")
    COORDINATOR = "coordinator", _("Strategic coordination")
    CASE_MANAGER = "case_manager", _("Case management")
    NEWCOMER_COUNSELLOR = "newcomer_counsellor", _("Newcomer pupil counselling")
    CLERK = "clerk", _("Administrative officer")
    IMMIGRATION_OFFICE = "immigration_office", _("Immigration office")
    PARTNER = "partner", _("Partner organisation")
    INTERPRETER_VOLUNTEER = "interpreter_volunteer", _("Interpreter / volunteer")
    LAKI = "laki", _("LaKI (state office)")
    DATA_PROTECTION = "data_protection", _("Data protection officer")
    ADMINISTRATION = "administration", _("Administration")


#: Roles held in a centre (all but LaKI, which is statewide).
CENTRE_ROLES = frozenset(Role) - {Role.LAKI}

#: Staff of a centre, as opposed to partners, interpreters and volunteers outside it.
CENTRE_STAFF = frozenset(
    {
        Role.LEADERSHIP,
        Role.COORDINATOR,
        Role.CASE_MANAGER,
        Role.NEWCOMER_COUNSELLOR,
        Role.CLERK,
        Role.IMMIGRATION_OFFICE,
        Role.DATA_PROTECTION,
        Role.ADMINISTRATION,
    }
)

#: Roles that see personal data (DESIGN.md "Who uses it"); they must use a second factor.
#: Strategic coordination sees pseudonymised figures and LaKI aggregates only.
PERSONAL_DATA_ROLES = frozenset(Role) - {Role.COORDINATOR, Role.LAKI}


def requires_mfa(role: str) -> bool:
    """Return whether a member with this role must log in with a second factor."""
    return role in PERSONAL_DATA_ROLES
