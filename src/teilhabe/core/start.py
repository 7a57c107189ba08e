"""Panels of the start page. Each app registers the panels of its roles here."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.db.models import Count
from django.utils import timezone
from django_scopes import scopes_disabled

from .models import AccessLog, CaseArea, Centre, Membership, User
from .roles import Role


@dataclass(frozen=True)
class Panel:
    template: str
    #: Roles that see the panel; empty means everyone.
    roles: frozenset[str]
    context: Callable[[User], dict[str, Any]]
    order: int = 100


_panels: list[Panel] = []


def register(template: str, *roles: str, order: int = 100) -> Callable:
    """Register a start-page panel drawn by ``template`` with the context the function returns."""

    def decorator(func: Callable[[User], dict[str, Any]]) -> Callable[[User], dict[str, Any]]:
        _panels.append(Panel(template, frozenset(roles), func, order))
        _panels.sort(key=lambda p: p.order)
        return func

    return decorator


def panels_for(user: User) -> list[tuple[str, dict[str, Any]]]:
    """Return (template, context) of each panel ``user`` sees."""
    roles = user.roles()
    return [
        (panel.template, panel.context(user))
        for panel in _panels
        if not panel.roles or panel.roles & roles
    ]


def _centres_with(user: User, *roles: str) -> list[Centre]:
    return [m.centre for m in user.active_memberships() if m.role in roles and m.centre]


@register("core/start/_staff.html", Role.LEADERSHIP, Role.ADMINISTRATION, order=20)
def staff_panel(user: User) -> dict[str, Any]:
    """Staff of the user's centres by role, and who still lacks a second factor."""
    visible = Membership.objects.visible_to(user).filter(is_active=True)
    by_role = visible.values("role").annotate(n=Count("pk")).order_by("role")
    labels = dict(Role.choices)
    without_mfa = visible.exclude(user__authenticator__type="totp").select_related("user")
    return {
        "staff_by_role": [(labels[row["role"]], row["n"]) for row in by_role],
        "staff_total": sum(row["n"] for row in by_role),
        "without_mfa": [m for m in without_mfa if m.role != Role.COORDINATOR][:10],
    }


@register("core/start/_areas.html", Role.CASE_MANAGER, Role.COORDINATOR, order=30)
def areas_panel(user: User) -> dict[str, Any]:
    """The Bezirke the user works in."""
    limited = [
        (m, list(m.case_areas.all()))
        for m in user.active_memberships()
        if m.role in (Role.CASE_MANAGER, Role.COORDINATOR)
    ]
    return {
        "area_memberships": limited,
        # The panel only says when the centre has none: no need to read them.
        "centre_areas": CaseArea.objects.visible_to(user).exists(),
    }


@register("core/start/_access_log.html", Role.DATA_PROTECTION, order=20)
def access_log_panel(user: User) -> dict[str, Any]:
    """Recent reads of personal data in the officer's centres."""
    entries = AccessLog.objects.visible_to(user)
    week = entries.filter(time__gte=timezone.now() - timedelta(days=7))
    return {
        "access_week": week.count(),
        "access_recent": entries.select_related("content_type")[:5],
    }


@register("core/start/_statewide.html", Role.LAKI, order=10)
def statewide_panel(user: User) -> dict[str, Any]:
    """How many centres work with Teilhabe, by Regierungsbezirk (aggregates only)."""
    with scopes_disabled():
        rows = (
            Centre.objects.values("district__administrative_district__name")
            .annotate(n=Count("pk"))
            .order_by("district__administrative_district__name")
        )
        return {
            "centres_by_region": [
                (r["district__administrative_district__name"], r["n"]) for r in rows
            ]
        }


@register("core/start/_partner.html", Role.PARTNER, order=40)
def partner_panel(user: User) -> dict[str, Any]:
    return {
        "organisations": [
            m.organisation for m in user.active_memberships() if m.role == Role.PARTNER
        ]
    }


@register(
    "core/start/_work.html",
    Role.NEWCOMER_COUNSELLOR,
    Role.CLERK,
    Role.IMMIGRATION_OFFICE,
    Role.INTERPRETER_VOLUNTEER,
    order=40,
)
def work_panel(user: User) -> dict[str, Any]:
    return {
        "work_roles": sorted(
            user.roles()
            & {
                Role.NEWCOMER_COUNSELLOR,
                Role.CLERK,
                Role.IMMIGRATION_OFFICE,
                Role.INTERPRETER_VOLUNTEER,
            }
        )
    }


@register("core/start/_account.html", order=90)
def account_panel(user: User) -> dict[str, Any]:
    """The user's roles and the state of their second factor."""
    from .middleware import has_second_factor

    return {"memberships": user.active_memberships(), "has_mfa": has_second_factor(user)}
