"""Permission predicates (django-rules). Views and services check these; nothing else decides."""

from __future__ import annotations

from typing import Any

import rules

from .roles import Role


def has_role(*roles: str) -> rules.Predicate:
    """Return a predicate: the user holds one of ``roles`` in some centre (or statewide)."""

    @rules.predicate(name=f"has_role({','.join(roles)})")
    def predicate(user: Any) -> bool:
        return user.is_authenticated and user.has_role(*roles)

    return predicate


def has_role_in_centre_of(*roles: str) -> rules.Predicate:
    """Return a predicate: the user holds one of ``roles`` in the centre the object belongs to."""

    @rules.predicate(name=f"has_role_in_centre_of({','.join(roles)})")
    def predicate(user: Any, obj: Any = None) -> bool:
        if not user.is_authenticated:
            return False
        if obj is None:
            return user.has_role(*roles)
        # An object without a centre (a statewide LaKI role) belongs to no centre's staff.
        return obj.centre_id is not None and user.has_role(*roles, centre=obj.centre_id)

    return predicate


is_data_protection_officer = has_role(Role.DATA_PROTECTION)
is_laki = has_role(Role.LAKI)
manages_staff = has_role_in_centre_of(Role.LEADERSHIP, Role.ADMINISTRATION)
administers = has_role_in_centre_of(Role.ADMINISTRATION)
sees_case_areas = has_role_in_centre_of(
    Role.LEADERSHIP, Role.ADMINISTRATION, Role.COORDINATOR, Role.CASE_MANAGER
)

rules.add_perm("core.view_access_log", is_data_protection_officer)
rules.add_perm("core.view_statewide_figures", is_laki)
rules.add_perm("core.view_staff", manages_staff)
rules.add_perm("core.change_staff", administers)
rules.add_perm("core.view_case_area", sees_case_areas)
rules.add_perm("core.change_case_area", administers)
