"""Stored monthly figures: compute the registry's metrics once, read them many times.

Computing every metric for every centre runs one query per metric and centre over the biggest
tables, which takes minutes at state size; so ``teilhabe figures`` (from cron) stores the values
in :class:`FigureValue` and the pages read them.

When a stored value is computed again:

- A value computed after its month was over is **final**: it never changes again unless it is
  recomputed explicitly (``recompute=True``, ``teilhabe figures --recompute``).
- A value computed while its month was running is **provisional**: the next run computes it again
  once it is older than ``TEILHABE_FIGURES_MAX_AGE_MINUTES``. The first run after a month ended
  therefore makes that month's values final.
- A missing value is always computed (the pages do that on demand, within a time budget).
"""

from __future__ import annotations

import datetime
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Q
from django.utils import timezone
from django_scopes import scopes_disabled

from teilhabe.core.models import Centre

from .models import FigureValue
from .registry import Metric, Period
from .registry import metrics as registered_metrics

#: Seconds a page may spend computing figures that are not stored yet; the rest stays missing.
ON_DEMAND_SECONDS = 3.0


@dataclass(frozen=True)
class Stored:
    """A stored value and when it was computed."""

    value: int
    computed_at: datetime.datetime


@dataclass
class FiguresRun:
    """What one :func:`compute_figures` call did for one month."""

    period: Period
    computed: int = 0
    kept: int = 0
    #: Values not computed because the time budget was spent.
    left: int = 0
    seconds: float = 0.0
    centres: int = 0


def month_over(period: Period) -> datetime.datetime:
    """Return the first moment after ``period`` in the current time zone."""
    following = period.end + datetime.timedelta(days=1)
    return timezone.make_aware(datetime.datetime.combine(following, datetime.time.min))


def is_final(computed_at: datetime.datetime, period: Period) -> bool:
    """Tell whether a value of ``period`` computed at ``computed_at`` is final."""
    return computed_at >= month_over(period)


def is_current(computed_at: datetime.datetime, period: Period, now: datetime.datetime) -> bool:
    """Tell whether a stored value needs no new computation (final, or not too old)."""
    max_age = datetime.timedelta(minutes=settings.FIGURES_MAX_AGE_MINUTES)
    return is_final(computed_at, period) or computed_at >= now - max_age


def stored_figures(
    periods: Sequence[Period],
    *,
    centres: Iterable[Centre] | None = None,
    metrics: Iterable[Metric] | None = None,
) -> dict[tuple[int, str, Period], Stored]:
    """Return the stored values of ``periods`` by (centre id, metric name, period): one query."""
    months = Q(pk__in=[])
    for period in periods:
        months |= Q(year=period.year, month=period.month)
    values = FigureValue.objects.filter(months)
    if centres is not None:
        values = values.filter(centre__in=[c.pk for c in centres])
    if metrics is not None:
        values = values.filter(metric__in=[m.name for m in metrics])
    return {
        (centre_id, name, Period(year, month)): Stored(value, computed_at)
        for centre_id, name, year, month, value, computed_at in values.values_list(
            "centre_id", "metric", "year", "month", "value", "computed_at"
        )
    }


def compute_figures(
    period: Period,
    centres: Iterable[Centre] | None = None,
    metrics: Iterable[Metric] | None = None,
    *,
    recompute: bool = False,
    refresh: bool = True,
    deadline: float | None = None,
    progress: Callable[[Centre, int, float], None] | None = None,
) -> FiguresRun:
    """Compute and store the values of ``period`` that are missing or out of date.

    ``centres`` and ``metrics`` default to all. ``recompute`` computes every value again, final
    ones too; ``refresh=False`` computes only missing values (what a page does on demand).
    ``deadline`` (a :func:`time.monotonic` value) stops before the next centre once it has
    passed; what is left is counted in ``left``. Each centre's values are written in one bulk
    statement, so a stopped run keeps what it computed. ``progress(centre, computed, seconds)``
    is called after each centre that had values to compute.
    """
    started = time.monotonic()
    chosen = list(registered_metrics() if metrics is None else metrics)
    centre_list = list(Centre.objects.order_by("name") if centres is None else centres)
    run = FiguresRun(period, centres=len(centre_list))
    now = timezone.now()
    stored = {} if recompute else stored_figures([period], centres=centre_list, metrics=chosen)
    for centre in centre_list:
        due = []
        for metric in chosen:
            known = stored.get((centre.pk, metric.name, period))
            if known is None or (refresh and not is_current(known.computed_at, period, now)):
                due.append(metric)
            else:
                run.kept += 1
        if not due:
            continue
        if deadline is not None and time.monotonic() > deadline:
            run.left += len(due)
            continue
        centre_started = time.monotonic()
        with scopes_disabled():  # each metric counts the one centre it is given
            values = [(metric, int(metric.compute(centre, period))) for metric in due]
        computed_at = timezone.now()
        FigureValue.objects.bulk_create(
            [
                FigureValue(
                    centre=centre,
                    metric=metric.name,
                    year=period.year,
                    month=period.month,
                    value=value,
                    computed_at=computed_at,
                )
                for metric, value in values
            ],
            update_conflicts=True,
            unique_fields=["centre", "metric", "year", "month"],
            update_fields=["value", "computed_at"],
        )
        run.computed += len(values)
        if progress is not None:
            progress(centre, len(values), time.monotonic() - centre_started)
    run.seconds = time.monotonic() - started
    return run


@dataclass
class FigureTable:
    """Stored values of some centres and metrics in some months, with their state."""

    values: dict[tuple[int, str, Period], Stored]
    #: Cells still not computed (the time budget was spent).
    missing: int = 0
    oldest: datetime.datetime | None = None
    newest: datetime.datetime | None = None
    #: Every shown value was computed after its month was over.
    final: bool = False
    computed_now: int = 0
    periods: list[Period] = field(default_factory=list)

    def get(self, centre: Centre, metric: Metric, period: Period) -> int | None:
        stored = self.values.get((centre.pk, metric.name, period))
        return None if stored is None else stored.value


def read_figures(
    periods: Sequence[Period],
    centres: Sequence[Centre],
    metrics: Sequence[Metric],
    *,
    on_demand_seconds: float | None = None,
) -> FigureTable:
    """Return the stored values for a page; compute missing ones within ``on_demand_seconds``.

    The budget defaults to ``ON_DEMAND_SECONDS``.

    With every value stored this is one query. Values out of date are shown as they are (with
    when they were computed): bringing them up to date is the job of ``teilhabe figures``.
    """
    if on_demand_seconds is None:
        on_demand_seconds = ON_DEMAND_SECONDS
    values = stored_figures(periods, centres=centres, metrics=metrics)
    cells = len(periods) * len(centres) * len(metrics)
    computed_now = 0
    if len(values) < cells and on_demand_seconds > 0:
        deadline = time.monotonic() + on_demand_seconds
        for period in reversed(periods):  # the latest month first
            run = compute_figures(period, centres, metrics, refresh=False, deadline=deadline)
            computed_now += run.computed
        if computed_now:
            values = stored_figures(periods, centres=centres, metrics=metrics)
    times = [stored.computed_at for stored in values.values()]
    return FigureTable(
        values=values,
        missing=cells - len(values),
        oldest=min(times, default=None),
        newest=max(times, default=None),
        final=cells == len(values)
        and all(is_final(s.computed_at, key[2]) for key, s in values.items()),
        computed_now=computed_now,
        periods=list(periods),
    )
