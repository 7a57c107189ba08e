"""Figures of a centre by month, and LaKI's statewide table (aggregates only)."""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.generic import TemplateView

from teilhabe.core.models import Centre
from teilhabe.core.roles import Role
from teilhabe.core.views import PermissionMixin, centre_for

from .registry import Metric, Period, groups, metrics, suppress
from .services import read_figures

MONTHS = 6


def _period(value: str, default: Period) -> Period:
    """Read ``YYYY-MM`` (anything else gives ``default``)."""
    try:
        year, month = (int(part) for part in value.split("-"))
        if 2000 <= year <= 2100 and 1 <= month <= 12:
            return Period(year, month)
    except ValueError:
        pass
    return default


class CentreFiguresView(PermissionMixin, TemplateView):
    """Every registered figure of the user's centre for the last six months, by group."""

    permission_required = "reporting.view_centre_figures"
    template_name = "reporting/centre_figures.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        centre = centre_for(
            self.request.user, Role.LEADERSHIP, Role.COORDINATOR, Role.ADMINISTRATION
        )
        current = Period.containing(timezone.localdate())
        periods = [current]
        for _i in range(MONTHS - 1):
            periods.insert(0, periods[0].previous())
        figures = read_figures(periods, [centre], metrics())
        tables = [
            (
                group,
                [
                    (metric, [figures.get(centre, metric, period) for period in periods])
                    for metric in group.metrics
                ],
            )
            for group in groups()
        ]
        return super().get_context_data(
            centre=centre,
            periods=periods,
            tables=tables,
            figures=figures,
            running_note=_(
                "Figures of the current month are provisional: they are computed again regularly."
            ),
            command=f"teilhabe figures --months {MONTHS} --centre {centre.slug}",
            **kwargs,
        )


def _total(values: list[int | None]) -> int | None:
    """Return the sum of a column, or None while one of its values is missing."""
    return None if None in values else sum(v for v in values if v is not None)


#: The total of a figure that does not add up across centres (a median, a percentile).
NOT_ADDED = "not added"


def _shown(value: int | str | None, metric: Metric) -> int | str | None:
    if value is None or value == NOT_ADDED:
        return value
    return suppress(value, metric)


class StatewideFiguresView(PermissionMixin, TemplateView):
    """One month's figures of one group for every centre; small counts about people suppressed.

    The values are the stored ones (``teilhabe figures``); values not stored yet are computed
    on demand within a time budget, the rest is shown as not yet computed.
    """

    permission_required = "reporting.view_statewide_figures"
    template_name = "reporting/statewide_figures.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        current = Period.containing(timezone.localdate())
        period = _period(self.request.GET.get("monat", ""), current)
        every_group = groups()
        group = next(
            (g for g in every_group if g.key == self.request.GET.get("bereich")),
            every_group[0] if every_group else None,
        )
        chosen = group.metrics if group else []
        centres = list(
            Centre.objects.select_related("district__administrative_district").order_by(
                "district__administrative_district__name", "name"
            )
        )
        figures = read_figures([period], centres, chosen)
        table = []
        columns: list[list[int | None]] = [[] for _metric in chosen]
        for centre in centres:
            values = [figures.get(centre, metric, period) for metric in chosen]
            for column, value in zip(columns, values, strict=True):
                column.append(value)
            table.append((centre, [_shown(v, m) for v, m in zip(values, chosen, strict=True)]))
        totals = [
            _total(column) if metric.additive else NOT_ADDED
            for column, metric in zip(columns, chosen, strict=True)
        ]
        return super().get_context_data(
            period=period,
            groups=every_group,
            group=group,
            metrics=chosen,
            table=table,
            totals=[_shown(t, m) for t, m in zip(totals, chosen, strict=True)],
            not_added=NOT_ADDED,
            figures=figures,
            running_note=_(
                "The month is not over yet: the figures are provisional and are computed "
                "again regularly."
            )
            if period == current
            else "",
            command=f"teilhabe figures --month {period.year}-{period.month:02d}",
            month_value=f"{period.year}-{period.month:02d}",
            **kwargs,
        )
