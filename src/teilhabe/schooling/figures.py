"""Figures of the Seiteneinsteigerberatung (registered with reporting).

Every figure counts one centre in one calendar month. "Waiting at month end" means registered
in the Gemeinde by the month's last day, without a place (placement or first school day) by
then, and not ended (moved away, other: when a record ended is not kept, so those are left out).
A waiting pupil's stage is the recommended one, or before counselling the stage of the
proposed grade by age; the age band is the age at month end (primary under 10, Sek I 10–15,
Sek II from 16). Waiting days are whole days from registration to the first school day.
"""

from __future__ import annotations

import datetime

from django.db.models import Count, QuerySet
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from teilhabe.core.models import Centre
from teilhabe.network.models import FieldOfAction
from teilhabe.reporting.registry import Period, register, register_demand

from . import schools  # noqa: F401  (also registers the partners' start-page panel)
from .models import Counselling, Pupil, SchoolForm, Stage
from .schools import days_to_start, median, percentile, waiting_at
from .services import age_on, default_grade, default_stage

GROUP = _("Newcomer pupils")
DAYS = _("days")

#: Age bands (DOMAIN.md): name, label, lowest age, first age above the band.
AGE_BANDS = [
    ("primary", _("primary age (6–10)"), 0, 10),
    ("sek1", _("lower secondary age (10–16)"), 10, 16),
    ("sek2", _("upper secondary age (16–18)"), 16, 200),
]


def _month(period: Period) -> tuple[datetime.datetime, datetime.datetime]:
    start = timezone.make_aware(datetime.datetime.combine(period.start, datetime.time.min))
    following = period.end + datetime.timedelta(days=1)
    return start, timezone.make_aware(datetime.datetime.combine(following, datetime.time.min))


@register("schooling.reported", _("Newcomer pupils reported"), group=GROUP, about_people=True)
def reported(centre: Centre, period: Period) -> int:
    start, end = _month(period)
    return Pupil.objects.for_centre(centre).filter(created__gte=start, created__lt=end).count()


@register("schooling.counselled", _("Newcomer pupils counselled"), group=GROUP, about_people=True)
def counselled(centre: Centre, period: Period) -> int:
    start, end = _month(period)
    return (
        Counselling.objects.for_centre(centre)
        .filter(held=True, starts__gte=start, starts__lt=end)
        .values("pupil")
        .distinct()
        .count()
    )


def _placed(centre: Centre, period: Period) -> QuerySet[Pupil]:
    return Pupil.objects.for_centre(centre).filter(
        placed_on__range=(period.start, period.end), school__isnull=False
    )


@register("schooling.placed", _("Newcomer pupils placed"), group=GROUP, about_people=True)
def placed(centre: Centre, period: Period) -> int:
    return _placed(centre, period).count()


@register(
    "schooling.started", _("Newcomer pupils who started school"), group=GROUP, about_people=True
)
def started(centre: Centre, period: Period) -> int:
    return (
        Pupil.objects.for_centre(centre)
        .filter(school_start__range=(period.start, period.end))
        .count()
    )


@register(
    "schooling.waiting", _("Newcomer pupils waiting at month end"), group=GROUP, about_people=True
)
def waiting(centre: Centre, period: Period) -> int:
    return waiting_at(centre, period.end).count()


def waiting_rows(centre: Centre, period: Period) -> list[tuple[str, int]]:
    """Return (stage, age at month end) of each pupil waiting at the end of ``period``."""
    rows = []
    for birth, schooling, stage in waiting_at(centre, period.end).values_list(
        "birth_date", "years_of_schooling", "recommended_stage"
    ):
        age = age_on(birth, period.end)
        if not stage:
            grade = default_grade(birth, years_of_schooling=schooling, on=period.end)
            stage = default_stage(grade, age)
        rows.append((str(stage), age))
    return rows


def _waiting_in_stage(stage: str):  # type: ignore[no-untyped-def]
    def compute(centre: Centre, period: Period) -> int:
        return sum(1 for s, _age in waiting_rows(centre, period) if s == stage)

    return compute


for _stage in Stage:
    register(
        f"schooling.waiting.stage.{_stage.value}",
        format_lazy(_("Newcomer pupils waiting at month end, stage “{stage}”"), stage=_stage.label),
        group=GROUP,
        about_people=True,
    )(_waiting_in_stage(_stage.value))


def _waiting_in_band(lowest: int, above: int):  # type: ignore[no-untyped-def]
    def compute(centre: Centre, period: Period) -> int:
        return sum(1 for _s, age in waiting_rows(centre, period) if lowest <= age < above)

    return compute


for _name, _label, _lowest, _above in AGE_BANDS:
    register(
        f"schooling.waiting.age.{_name}",
        format_lazy(_("Newcomer pupils waiting at month end, {band}"), band=_label),
        group=GROUP,
        about_people=True,
    )(_waiting_in_band(_lowest, _above))


@register(
    "schooling.waiting_days.median",
    _("Median days from registration to school start"),
    unit=DAYS,
    group=GROUP,
    additive=False,
)
def waiting_days_median(centre: Centre, period: Period) -> int:
    return median(days_to_start(centre, period.start, period.end)) or 0


@register(
    "schooling.waiting_days.p90",
    _("90th percentile of days from registration to school start"),
    unit=DAYS,
    group=GROUP,
    additive=False,
)
def waiting_days_p90(centre: Centre, period: Period) -> int:
    return percentile(days_to_start(centre, period.start, period.end), 0.9) or 0


def _placed_at_form(form: str):  # type: ignore[no-untyped-def]
    def compute(centre: Centre, period: Period) -> int:
        return _placed(centre, period).filter(school__form=form).count()

    return compute


for _form in SchoolForm:
    register(
        f"schooling.placed.form.{_form.value}",
        format_lazy(_("Newcomer pupils placed at: {form}"), form=_form.label),
        group=GROUP,
        about_people=True,
    )(_placed_at_form(_form.value))


@register_demand("schooling.waiting", _("Newcomer pupils waiting for a school place"))
def waiting_pupils(centre: Centre) -> dict[tuple[int, str], int]:
    """Count the pupils waiting today per Gemeinde, as need in the field of education."""
    per_town = (
        waiting_at(centre, timezone.localdate())
        .order_by()
        .values("municipality_id")
        .annotate(n=Count("pk"))
    )
    return {(row["municipality_id"], FieldOfAction.EDUCATION.value): row["n"] for row in per_town}
