"""The figures of case management for reports (registered with reporting).

Every figure counts one centre in one calendar month. Figures about people are marked
``about_people``, so they leave the centre with small cells suppressed.

"Open at month end" means opened on or before the last day of the month and not closed by
then. The phase at month end comes from the phase history (:class:`PhaseChange`): the last
change before the month was over. A case without a recorded change by then counts in its
current phase, or in intake if it is closed now (the history is missing for it).
"""

from __future__ import annotations

import datetime
from collections import defaultdict

from django.db import models
from django.db.models import (
    CharField,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import Cast, Coalesce
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from teilhabe.core.models import Centre
from teilhabe.network.models import Actor, FieldOfAction
from teilhabe.reporting.registry import Period, register, register_demand

from .models import (
    Case,
    CaseConference,
    Contact,
    Goal,
    LifeArea,
    PhaseChange,
    Referral,
    SystemGap,
)

GROUP = _("Case management")
#: The unit of time spent ("minutes" alone is also the minutes of a meeting).
MINUTES = pgettext_lazy("unit of time", "minutes")
OPEN_PHASES = [phase for phase in Case.Phase if phase != Case.Phase.CLOSED]


def _month_over(period: Period) -> datetime.datetime:
    """Return the first moment after ``period`` in the current time zone."""
    following = period.end + datetime.timedelta(days=1)
    return timezone.make_aware(datetime.datetime.combine(following, datetime.time.min))


def open_at_end(centre: Centre, period: Period) -> QuerySet[Case]:
    """Return the cases of ``centre`` open at the end of ``period``."""
    return Case.objects.filter(centre=centre, opened_on__lte=period.end).filter(
        Q(closed_on__isnull=True) | Q(closed_on__gt=period.end)
    )


def with_phase_at_end(cases: QuerySet[Case], period: Period) -> QuerySet[Case]:
    """Annotate ``phase_at_end``: the phase each case was in when ``period`` was over."""
    last_change = (
        PhaseChange.objects.filter(case=OuterRef("pk"), at__lt=_month_over(period))
        .order_by("-at", "-pk")
        .values("to_phase")[:1]
    )
    current = models.Case(
        When(phase=Case.Phase.CLOSED, then=Value(Case.Phase.INTAKE.value)),
        default="phase",
        output_field=CharField(),
    )
    return cases.annotate(phase_at_end=Coalesce(Subquery(last_change), current))


@register("cases.new", _("New cases"), group=GROUP, about_people=True)
def new_cases(centre: Centre, period: Period) -> int:
    return Case.objects.filter(centre=centre, opened_on__range=(period.start, period.end)).count()


@register("cases.open", _("Open cases at month end"), group=GROUP, about_people=True)
def open_cases(centre: Centre, period: Period) -> int:
    return open_at_end(centre, period).count()


@register("cases.closed", _("Cases closed"), group=GROUP, about_people=True)
def closed_cases(centre: Centre, period: Period) -> int:
    return Case.objects.filter(centre=centre, closed_on__range=(period.start, period.end)).count()


def _in_phase(phase: str):  # type: ignore[no-untyped-def]
    def compute(centre: Centre, period: Period) -> int:
        cases = with_phase_at_end(open_at_end(centre, period), period)
        # A case closed after month end may carry "closed" as its last change only if the
        # history is inconsistent; it then counts in no open phase.
        return cases.filter(phase_at_end=phase).count()

    return compute


for _phase in OPEN_PHASES:
    register(
        f"cases.phase.{_phase.value}",
        format_lazy(_("Open cases at month end in phase “{phase}”"), phase=_phase.label),
        group=GROUP,
        about_people=True,
    )(_in_phase(_phase.value))


def _contacts(centre: Centre, period: Period) -> QuerySet[Contact]:
    return Contact.objects.filter(case__centre=centre, date__range=(period.start, period.end))


@register("cases.contacts", _("Counselling contacts"), group=GROUP, about_people=True)
def contacts(centre: Centre, period: Period) -> int:
    return _contacts(centre, period).count()


@register(
    "cases.minutes", _("Minutes of counselling"), unit=MINUTES, group=GROUP, about_people=True
)
def minutes(centre: Centre, period: Period) -> int:
    return _contacts(centre, period).aggregate(total=Sum("duration"))["total"] or 0


def _minutes_on(area: str):  # type: ignore[no-untyped-def]
    def compute(centre: Centre, period: Period) -> int:
        # ``themes`` is {life_area: minutes}; the key's text is cast to a number in the
        # database (works alike on SQLite and PostgreSQL).
        minutes_on = Cast(KeyTextTransform(area, "themes"), IntegerField())
        total = _contacts(centre, period).aggregate(total=Sum(minutes_on))["total"]
        return total or 0

    return compute


for _area in LifeArea:
    register(
        f"cases.minutes.{_area.value}",
        format_lazy(_("Minutes of counselling on “{theme}”"), theme=_area.label),
        unit=MINUTES,
        group=GROUP,
        about_people=True,
    )(_minutes_on(_area.value))


def _referrals(centre: Centre, period: Period) -> QuerySet[Referral]:
    return Referral.objects.filter(case__centre=centre, sent_on__range=(period.start, period.end))


def _referrals_in_status(status: str):  # type: ignore[no-untyped-def]
    def compute(centre: Centre, period: Period) -> int:
        return _referrals(centre, period).filter(status=status).count()

    return compute


for _status in Referral.Status:
    register(
        f"cases.referrals.status.{_status.value}",
        format_lazy(_("Referrals sent in the month, now “{status}”"), status=_status.label),
        group=GROUP,
        about_people=True,
    )(_referrals_in_status(_status.value))


def _referrals_to(kind: str):  # type: ignore[no-untyped-def]
    def compute(centre: Centre, period: Period) -> int:
        return _referrals(centre, period).filter(agency__kind=kind).count()

    return compute


for _kind in Actor.Kind:
    register(
        f"cases.referrals.kind.{_kind.value}",
        format_lazy(_("Referrals sent to: {kind}"), kind=_kind.label),
        group=GROUP,
        about_people=True,
    )(_referrals_to(_kind.value))


@register("cases.conferences", _("Case conferences held"), group=GROUP, about_people=True)
def conferences(centre: Centre, period: Period) -> int:
    return CaseConference.objects.filter(
        case__centre=centre,
        held=True,
        date__gte=_month_over(period.previous()),
        date__lt=_month_over(period),
    ).count()


@register("cases.system_gaps", _("System gaps reported"), group=GROUP)
def system_gaps(centre: Centre, period: Period) -> int:
    return SystemGap.objects.filter(
        centre=centre, reported_on__range=(period.start, period.end)
    ).count()


@register(
    "cases.waiting",
    _("Waiting list at month end (no case manager)"),
    group=GROUP,
    about_people=True,
)
def waiting(centre: Centre, period: Period) -> int:
    assigned_by_end = Q(case_manager__isnull=False) & (
        Q(assigned_on__isnull=True) | Q(assigned_on__lte=period.end)
    )
    return open_at_end(centre, period).exclude(assigned_by_end).count()


#: The field of action a help-plan goal of a life area belongs to (supply and demand).
FIELD_OF_LIFE_AREA = {
    LifeArea.LANGUAGE: FieldOfAction.EDUCATION,
    LifeArea.EDUCATION: FieldOfAction.EDUCATION,
    LifeArea.FAMILY: FieldOfAction.EDUCATION,
    LifeArea.WORK: FieldOfAction.CROSS_CUTTING,
    LifeArea.HOUSING: FieldOfAction.CROSS_CUTTING,
    LifeArea.HEALTH: FieldOfAction.CROSS_CUTTING,
    LifeArea.FINANCES: FieldOfAction.CROSS_CUTTING,
    LifeArea.PARTICIPATION: FieldOfAction.CROSS_CUTTING,
    LifeArea.RESIDENCE: FieldOfAction.MIGRATION,
}


@register_demand("cases.open", _("Open cases of case management"))
def open_case_needs(centre: Centre) -> dict[tuple[int, str], int]:
    """Count open cases per Gemeinde of the person and field of action of their open goals.

    A case counts once in each field its open goals fall in; a case without open goals
    (still in clearing or assessment) counts under immigration and refuge.
    """
    open_cases = Case.objects.filter(centre=centre, person__municipality__isnull=False).exclude(
        phase=Case.Phase.CLOSED
    )
    fields: dict[int, set[str]] = defaultdict(set)
    goals = Goal.objects.filter(case__in=open_cases, status=Goal.Status.OPEN).values_list(
        "case_id", "life_area"
    )
    for case_id, area in goals:
        fields[case_id].add(str(FIELD_OF_LIFE_AREA.get(area, FieldOfAction.MIGRATION)))
    needs: dict[tuple[int, str], int] = defaultdict(int)
    for case_id, town_id in open_cases.values_list("pk", "person__municipality_id"):
        for field in fields.get(case_id) or {str(FieldOfAction.MIGRATION)}:
            needs[(town_id, field)] += 1
    return dict(needs)
