"""Who may see and work on case files (DESIGN.md: own cases and cases of their Bezirk).

Leadership and strategic coordination see figures only; LaKI sees nothing person-level.
"""

from __future__ import annotations

from typing import Any

import rules

from teilhabe.core.permissions import has_role_in_centre_of
from teilhabe.core.roles import Role
from teilhabe.network.permissions import speaks_for


def _case_of(obj: Any) -> Any:
    """Return the case ``obj`` belongs to (the object itself if it is a case)."""
    return getattr(obj, "case", obj)


@rules.predicate
def is_case_manager_of(user: Any, obj: Any = None) -> bool:
    """Return whether ``user`` is the assigned case manager of the case."""
    if obj is None or not user.is_authenticated:
        return False
    return _case_of(obj).case_manager_id == user.pk


@rules.predicate
def works_in_bezirk_of(user: Any, obj: Any = None) -> bool:
    """Return whether ``user`` is a case manager of the case's centre and Bezirk.

    A case manager limited to Bezirke sees the cases of those Bezirke; one without limits sees
    every case of the centre. A case without Bezirk is seen by every case manager of the centre.
    """
    if not user.is_authenticated:
        return False
    if obj is None:
        return user.has_role(Role.CASE_MANAGER)
    case = _case_of(obj)
    for membership in user.active_memberships():
        if membership.role != Role.CASE_MANAGER or membership.centre_id != case.centre_id:
            continue
        areas = membership.area_ids()
        if not areas or case.case_area_id is None or case.case_area_id in areas:
            return True
    return False


is_case_manager = has_role_in_centre_of(Role.CASE_MANAGER)
sees_case = is_case_manager & (is_case_manager_of | works_in_bezirk_of)
#: A consent override: a case manager who also leads the centre (DOMAIN.md § 67b SGB X).
may_override_consent = sees_case & has_role_in_centre_of(Role.LEADERSHIP)
sees_caseload = has_role_in_centre_of(Role.LEADERSHIP, Role.COORDINATOR)
takes_up_system_gaps = has_role_in_centre_of(Role.COORDINATOR, Role.LEADERSHIP)
keeps_settings = has_role_in_centre_of(Role.LEADERSHIP, Role.ADMINISTRATION)
reads_erasure_journal = has_role_in_centre_of(Role.DATA_PROTECTION, Role.ADMINISTRATION)


@rules.predicate
def is_addressee_of(user: Any, referral: Any = None) -> bool:
    """Return whether ``user`` works for the partner organisation a referral is sent to."""
    if referral is None:
        return speaks_for(user)
    return speaks_for(user, referral.agency)


rules.add_perm("cases.view_case", sees_case)
rules.add_perm("cases.add_case", is_case_manager)
rules.add_perm("cases.change_case", sees_case)
rules.add_perm("cases.override_consent", may_override_consent)
rules.add_perm("cases.export_person", sees_case)
rules.add_perm("cases.view_caseload", sees_caseload)
rules.add_perm("cases.report_system_gap", sees_case)
rules.add_perm("cases.view_system_gaps", takes_up_system_gaps)
rules.add_perm("cases.take_up_system_gap", takes_up_system_gaps)
rules.add_perm("cases.answer_referral", is_addressee_of)
rules.add_perm("cases.change_settings", keeps_settings)
rules.add_perm("cases.view_erasure_journal", reads_erasure_journal)
