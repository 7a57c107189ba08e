"""Navigation entries and the case manager's start-page panel."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, F, Q
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
    """My cases by phase, overdue steps, next appointments, referrals waiting for an answer.

    The panel is on every case manager's start page, so it reads what it shows and no more:
    the lists as plain values (not steps, appointments and referrals with their whole cases),
    and the user's cases and the waiting list counted in one query.
    """
    from . import listing
    from .models import Action, Appointment, Case, Referral

    today = timezone.localdate()
    mine = Q(case_manager=user)
    waiting_list = Q(case_manager__isnull=True)
    counts = (
        Case.objects.visible_to(user)
        .filter(mine | waiting_list)
        .exclude(phase=Case.Phase.CLOSED)
        .values_list("phase")
        .annotate(mine=Count("pk", filter=mine), waiting=Count("pk", filter=waiting_list))
        .order_by()
    )
    by_phase: dict[str, int] = {}
    waiting_count = 0
    for phase, n_mine, n_waiting in counts:
        if n_mine:
            by_phase[phase] = n_mine
        waiting_count += n_waiting
    reference = F("case__reference")
    overdue = (
        Action.objects.visible_to(user)
        .filter(
            case__case_manager=user,
            done_on__isnull=True,
            is_cancelled=False,
            due_on__lt=today,
        )
        .order_by("due_on", "pk")
        .values("case_id", "description", "due_on", reference=reference)[:10]
    )
    appointments = (
        Appointment.objects.visible_to(user)
        .filter(case__case_manager=user, starts__gte=timezone.now())
        .order_by("starts", "pk")
        .values("case_id", "starts", "place", reference=reference)[:5]
    )
    waiting = (
        Referral.objects.visible_to(user)
        .filter(case__case_manager=user, status=Referral.Status.SENT)
        .order_by("sent_on", "pk")  # the oldest first, and the same order on every visit
        .values("case_id", "sent_on", reference=reference, agency_name=F("agency__name"))[:10]
    )
    case_url = listing.case_url_maker()
    rows = {"overdue": list(overdue), "appointments": list(appointments), "waiting": list(waiting)}
    for listed in rows.values():
        for row in listed:
            row["url"] = case_url(row["case_id"])
    return {
        **rows,
        "by_phase": [
            (value, label, by_phase.get(value, 0))
            for value, label in Case.Phase.choices
            if value != Case.Phase.CLOSED
        ],
        "total": sum(by_phase.values()),
        "waiting_list": waiting_count,
        "today": today,
    }


@start.register("cases/start/_referrals.html", Role.PARTNER, order=10)
def partner_panel(user: User) -> dict[str, Any]:
    """Referrals addressed to the partner that wait for its answer."""
    from .models import Referral

    new = Referral.objects.addressed_to(user).filter(status=Referral.Status.SENT)
    return {"new": new.count()}
