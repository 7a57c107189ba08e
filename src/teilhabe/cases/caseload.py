"""Caseload figures for leadership and strategic coordination, and the system-gap overview.

Everything here is aggregated: counts per case manager and per Bezirk, never a client's name
or a link into a case file. Each function runs a fixed number of queries, however many cases
the centre has.
"""

from __future__ import annotations

import datetime
import statistics
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Min, Q, QuerySet, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone
from django.utils.translation import gettext as _

from teilhabe.core.audit import records_actor
from teilhabe.core.models import CaseArea, Centre, User
from teilhabe.core.roles import Role
from teilhabe.core.services import ensure_allowed
from teilhabe.reporting.registry import Period

from .models import Action, Case, Contact, SystemGap

OPEN_PHASES = [phase for phase in Case.Phase if phase != Case.Phase.CLOSED]
#: Contacts and minutes are counted over this many days up to today.
RECENT_DAYS = 30
#: Durations and closing reasons count the cases closed in this many days up to today.
CLOSED_DAYS = 365


@dataclass
class Row:
    """The figures of one case manager or one Bezirk."""

    label: str
    #: The case manager's or Bezirk's id; None for the waiting list or cases without Bezirk.
    key: int | None = None
    phases: dict[str, int] = field(default_factory=lambda: {p.value: 0 for p in OPEN_PHASES})
    hardship: int = 0
    high_priority: int = 0
    contacts: int = 0
    minutes: int = 0
    overdue: int = 0
    waiting: int = 0
    longest_wait: int | None = None

    @property
    def open_cases(self) -> int:
        return sum(self.phases.values())

    def phase_counts(self) -> list[int]:
        return [self.phases[p.value] for p in OPEN_PHASES]

    def add(self, other: Row) -> None:
        for phase, n in other.phases.items():
            self.phases[phase] += n
        self.hardship += other.hardship
        self.high_priority += other.high_priority
        self.contacts += other.contacts
        self.minutes += other.minutes
        self.overdue += other.overdue
        self.waiting += other.waiting
        if other.longest_wait is not None:
            self.longest_wait = max(self.longest_wait or 0, other.longest_wait)


@dataclass
class Caseload:
    by_manager: list[Row]
    by_area: list[Row]
    total: Row
    closed_count: int
    median_days: float | None
    mean_days: float | None
    #: (reason, label, number of cases), most frequent first.
    closing_reasons: list[tuple[str, str, int]]


def caseload(centre: Centre, *, today: datetime.date | None = None) -> Caseload:
    """Return the caseload of ``centre``: per case manager, per Bezirk and for the centre.

    Contacts, minutes and overdue actions count for the case's current case manager and
    Bezirk. The caller has checked ``cases.view_caseload`` for the centre.
    """
    today = today or timezone.localdate()
    cases = Case.objects.for_centre(centre)
    open_cases = cases.exclude(phase=Case.Phase.CLOSED)
    keys = ("case_manager", "case_area")
    cells: dict[tuple[int | None, int | None], Row] = defaultdict(lambda: Row(""))

    phase_counts = {p.value: Count("pk", filter=Q(phase=p)) for p in OPEN_PHASES}
    for item in open_cases.values(*keys).annotate(
        hardship=Count("pk", filter=Q(is_hardship=True)),
        high=Count("pk", filter=Q(priority=Case.Priority.HIGH)),
        **phase_counts,
    ):
        row = cells[(item["case_manager"], item["case_area"])]
        row.phases = {p.value: item[p.value] for p in OPEN_PHASES}
        row.hardship, row.high_priority = item["hardship"], item["high"]

    recent = Contact.objects.for_centre(centre).filter(
        date__gt=today - datetime.timedelta(days=RECENT_DAYS), date__lte=today
    )
    for item in recent.values("case__case_manager", "case__case_area").annotate(
        n=Count("pk"), minutes=Sum("duration")
    ):
        row = cells[(item["case__case_manager"], item["case__case_area"])]
        row.contacts, row.minutes = item["n"], item["minutes"] or 0

    overdue = (
        Action.objects.for_centre(centre)
        .filter(done_on__isnull=True, is_cancelled=False, due_on__lt=today)
        .exclude(case__phase=Case.Phase.CLOSED)
    )
    for item in overdue.values("case__case_manager", "case__case_area").annotate(n=Count("pk")):
        cells[(item["case__case_manager"], item["case__case_area"])].overdue = item["n"]

    waiting = open_cases.filter(case_manager__isnull=True)
    for item in waiting.values("case_area").annotate(n=Count("pk"), oldest=Min("opened_on")):
        row = cells[(None, item["case_area"])]
        row.waiting = item["n"]
        row.longest_wait = (today - item["oldest"]).days

    managers = _case_managers(centre, {m for m, _a in cells if m is not None})
    areas = {a.pk: a.name for a in CaseArea.objects.filter(centre=centre).order_by("name")}

    by_manager: dict[int | None, Row] = {pk: Row(name, pk) for pk, name in managers.items()}
    by_area: dict[int | None, Row] = {pk: Row(name, pk) for pk, name in areas.items()}
    total = Row(_("Centre"))
    for (manager, area), cell in cells.items():
        by_manager.setdefault(manager, Row(_("Not assigned (waiting list)"))).add(cell)
        by_area.setdefault(area, Row(_("No Bezirk"))).add(cell)
        total.add(cell)

    since = today - datetime.timedelta(days=CLOSED_DAYS)
    closed = cases.filter(phase=Case.Phase.CLOSED, closed_on__gt=since, closed_on__lte=today)
    durations = [
        (closed_on - opened_on).days
        for opened_on, closed_on in closed.values_list("opened_on", "closed_on")
        if opened_on is not None and closed_on is not None
    ]
    labels = dict(Case.ClosingReason.choices)
    reasons = Counter(dict(closed.values_list("closing_reason").annotate(n=Count("pk")).order_by()))
    return Caseload(
        by_manager=sorted(by_manager.values(), key=lambda r: (r.key is None, r.label)),
        by_area=list(by_area.values()),
        total=total,
        closed_count=len(durations),
        median_days=statistics.median(durations) if durations else None,
        mean_days=round(statistics.fmean(durations), 1) if durations else None,
        closing_reasons=[
            (reason, str(labels.get(reason, _("not stated"))), n)
            for reason, n in reasons.most_common()
        ],
    )


def _case_managers(centre: Centre, with_cases: set[int]) -> dict[int, str]:
    """Return the names of the centre's case managers and of anyone else holding its cases."""
    users = (
        User.objects.filter(
            Q(pk__in=with_cases)
            | Q(
                memberships__centre=centre,
                memberships__role=Role.CASE_MANAGER,
                memberships__is_active=True,
            )
        )
        .distinct()
        .order_by("last_name", "first_name")
    )
    return {user.pk: user.get_full_name() or user.email for user in users}


@dataclass
class GapOverview:
    months: list[Period]
    #: (category label, counts per month, total)
    by_category: list[tuple[str, list[int], int]]
    month_totals: list[int]
    #: (agency name, reported, still open)
    by_agency: list[tuple[str, int, int]]


def system_gap_overview(
    gaps: QuerySet[SystemGap], *, today: datetime.date | None = None
) -> GapOverview:
    """Count ``gaps`` by category and month over the last twelve months, and by agency."""
    today = today or timezone.localdate()
    months = [Period.containing(today)]
    for _i in range(11):
        months.insert(0, months[0].previous())
    index = {(p.year, p.month): i for i, p in enumerate(months)}
    counts: dict[str, list[int]] = {value: [0] * len(months) for value in SystemGap.Category}
    recent = gaps.filter(reported_on__gte=months[0].start, reported_on__lte=months[-1].end)
    for item in (
        recent.annotate(month=TruncMonth("reported_on"))
        .values("category", "month")
        .annotate(n=Count("pk"))
        .order_by()
    ):
        month = item["month"]
        position = index.get((month.year, month.month))
        if position is not None and item["category"] in counts:
            counts[item["category"]][position] += item["n"]
    labels = dict(SystemGap.Category.choices)
    by_category = [
        (str(labels[category]), values, sum(values)) for category, values in counts.items()
    ]
    month_totals = [sum(values[i] for values in counts.values()) for i in range(len(months))]
    by_agency = [
        (item["agency__name"] or _("no agency named"), item["n"], item["still_open"])
        for item in gaps.values("agency__name")
        .annotate(n=Count("pk"), still_open=Count("pk", filter=Q(taken_up_on__isnull=True)))
        .order_by("-n", "agency__name")
    ]
    return GapOverview(months, by_category, month_totals, by_agency)


@records_actor
@transaction.atomic
def take_up_system_gap(actor: Any, gap: SystemGap, *, note: str) -> SystemGap:
    """Mark a system gap as taken up by strategic coordination, saying what is done about it."""
    ensure_allowed(actor, "cases.take_up_system_gap", gap)
    note = note.strip()
    if not note:
        raise ValidationError(
            {"note": _("Please say what is done about the system gap.")}, code="required"
        )
    if gap.taken_up_on is not None:
        raise ValidationError(_("This system gap has already been taken up."), code="taken_up")
    gap.taken_up_on = timezone.localdate()
    gap.taken_up_note = note
    gap.save(update_fields=["taken_up_on", "taken_up_note"])
    return gap
