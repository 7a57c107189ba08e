"""Figures of a centre by month, and LaKI's statewide table (aggregates only)."""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from django.views.generic import TemplateView
from django_scopes import scopes_disabled

from teilhabe.core.models import Centre
from teilhabe.core.roles import Role
from teilhabe.core.views import PermissionMixin, centre_for

from .registry import Period, metrics, suppress

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
    """Every registered figure of the user's centre for the last six months."""

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
        with scopes_disabled():  # the metrics count one centre, named explicitly
            rows = [
                (metric, [metric.compute(centre, period) for period in periods])
                for metric in metrics()
            ]
        return super().get_context_data(centre=centre, periods=periods, rows=rows, **kwargs)


class StatewideFiguresView(PermissionMixin, TemplateView):
    """One month's figures of every centre; small counts about people are suppressed."""

    permission_required = "reporting.view_statewide_figures"
    template_name = "reporting/statewide_figures.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        current = Period.containing(timezone.localdate())
        period = _period(self.request.GET.get("monat", ""), current)
        chosen = metrics()
        with scopes_disabled():
            centres = list(
                Centre.objects.select_related("district__administrative_district").order_by(
                    "district__administrative_district__name", "name"
                )
            )
            table = []
            totals = [0] * len(chosen)
            for centre in centres:
                values = [metric.compute(centre, period) for metric in chosen]
                totals = [t + v for t, v in zip(totals, values, strict=True)]
                table.append(
                    (centre, [suppress(v, m) for v, m in zip(values, chosen, strict=True)])
                )
        return super().get_context_data(
            period=period,
            metrics=chosen,
            table=table,
            totals=[suppress(t, m) for t, m in zip(totals, chosen, strict=True)],
            month_value=f"{period.year}-{period.month:02d}",
            **kwargs,
        )
