"""Navigation entries and the case manager's start-page panel."""

from __future__ import annotations

from typing import Any

from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from teilhabe.core import start
from teilhabe.core.models import User
from teilhabe.core.navigation import NavItem, register
from teilhabe.core.roles import Role

register(NavItem(_("Cases"), "cases:case-list", frozenset({Role.CASE_MANAGER}), 100))
register(NavItem(_("Referrals"), "cases:partner-referrals", frozenset({Role.PARTNER}), 310))
register(
    NavItem(_("Caseload"), "cases:caseload", frozenset({Role.LEADERSHIP, Role.COORDINATOR}), 110)
)
register(
    NavItem(
        _("System gaps"), "cases:system-gaps", frozenset({Role.LEADERSHIP, Role.COORDINATOR}), 120
    )
)
register(
    NavItem(
        _("Case management settings"),
        "cases:settings",
        frozenset({Role.LEADERSHIP, Role.ADMINISTRATION}),
        820,
    )
)
register(
    NavItem(
        _("Erasure journal"),
        "cases:erasure-journal",
        frozenset({Role.DATA_PROTECTION, Role.ADMINISTRATION}),
        910,
    )
)


@start.register("cases/start/_cases.html", Role.CASE_MANAGER, order=10)
def case_panel(user: User) -> dict[str, Any]:
    """My cases by phase, overdue steps, next appointments, referrals waiting for an answer."""
    from .models import Action, Appointment, Case, Referral

    today = timezone.localdate()
    mine = Case.objects.visible_to(user).filter(case_manager=user).exclude(phase=Case.Phase.CLOSED)
    by_phase = dict(mine.values_list("phase").annotate(n=Count("pk")))
    overdue = (
        Action.objects.visible_to(user)
        .filter(
            case__case_manager=user,
            done_on__isnull=True,
            is_cancelled=False,
            due_on__lt=today,
        )
        .select_related("case")
        .order_by("due_on")[:10]
    )
    appointments = (
        Appointment.objects.visible_to(user)
        .filter(case__case_manager=user, starts__gte=timezone.now())
        .select_related("case__person")
        .order_by("starts")[:5]
    )
    waiting = (
        Referral.objects.visible_to(user)
        .filter(case__case_manager=user, status=Referral.Status.SENT)
        .select_related("case", "agency")
        .order_by("sent_on")[:10]
    )
    waiting_list = (
        Case.objects.visible_to(user)
        .filter(case_manager__isnull=True)
        .exclude(phase=Case.Phase.CLOSED)
        .count()
    )
    return {
        "by_phase": [
            (value, label, by_phase.get(value, 0))
            for value, label in Case.Phase.choices
            if value != Case.Phase.CLOSED
        ],
        "total": sum(by_phase.values()),
        "overdue": list(overdue),
        "appointments": list(appointments),
        "waiting": list(waiting),
        "waiting_list": waiting_list,
        "today": today,
    }


@start.register("cases/start/_referrals.html", Role.PARTNER, order=10)
def partner_panel(user: User) -> dict[str, Any]:
    """Referrals addressed to the partner that wait for its answer."""
    from .models import Referral

    new = Referral.objects.addressed_to(user).filter(status=Referral.Status.SENT)
    return {"new": new.count()}
