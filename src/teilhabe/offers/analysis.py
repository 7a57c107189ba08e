"""Bestands- und Bedarfsanalyse: published offers against the people who may need them.

Supply is counted per Gemeinde and field of action from published offers (and their places);
demand comes from the population figures the centre enters and, per Gemeinde, from every
module that reports needs through the reporting registry's ``demand`` providers.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Sum
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from teilhabe.core.maps import Point, map_labels, svg_layout, tile_source
from teilhabe.core.models import Centre, Municipality
from teilhabe.network.models import FieldOfAction
from teilhabe.reporting.registry import demand_providers

from .models import Offer, PopulationFigure


@dataclass
class Row:
    municipality: Municipality
    offers: dict[str, int] = field(default_factory=dict)
    places: dict[str, int] = field(default_factory=dict)
    residents: int | None = None
    with_migration_history: int | None = None
    needs: dict[str, int] = field(default_factory=dict)

    @property
    def total_offers(self) -> int:
        return sum(self.offers.values())

    def per_thousand(self, field_of_action: str | None = None) -> float | None:
        """Offers per 1,000 residents with a migration history (None without figures)."""
        if not self.with_migration_history:
            return None
        count = self.offers.get(field_of_action, 0) if field_of_action else self.total_offers
        return round(count * 1000 / self.with_migration_history, 2)


def supply_and_demand(centre: Centre, *, year: int) -> list[Row]:
    """Return one row per Gemeinde of the centre, with offers, population and needs."""
    towns = list(centre.municipalities().order_by("name"))
    rows = {town.pk: Row(town) for town in towns}
    supply = (
        Offer.objects.for_centre(centre)
        .published()
        .filter(locations__municipality__in=towns)
        .values("locations__municipality", "field_of_action")
        .annotate(n=Count("pk", distinct=True), capacity=Sum("capacity"))
    )
    for item in supply:
        row = rows[item["locations__municipality"]]
        row.offers[item["field_of_action"]] = item["n"]
        row.places[item["field_of_action"]] = item["capacity"] or 0
    for figure in PopulationFigure.objects.for_centre(centre).filter(year=year):
        if figure.municipality_id in rows:
            rows[figure.municipality_id].residents = figure.residents
            rows[figure.municipality_id].with_migration_history = figure.with_migration_history
    for provider in demand_providers():
        for (town_id, topic), count in provider.compute(centre).items():
            if town_id in rows:
                rows[town_id].needs[topic] = rows[town_id].needs.get(topic, 0) + count
    return list(rows.values())


def gaps(rows: list[Row]) -> dict[tuple[int, str], bool]:
    """Mark Gemeinde × field cells with people but clearly fewer offers than the Kreis median."""
    marked: dict[tuple[int, str], bool] = defaultdict(bool)
    for topic in FieldOfAction.values:
        rates = sorted(r.per_thousand(topic) for r in rows if r.per_thousand(topic) is not None)
        if not rates:
            continue
        median = rates[len(rates) // 2]
        for row in rows:
            rate = row.per_thousand(topic)
            if rate is not None and rate < median / 2:
                marked[(row.municipality.pk, topic)] = True
    return marked


def as_table(rows: list[Row]) -> tuple[list[str], list[list[Any]]]:
    """Return headers and rows for an export (XLSX)."""
    headers = ["Gemeinde", "AGS", "Einwohner", "mit Migrationsgeschichte"]
    for _value, label in FieldOfAction.choices:
        headers += [f"Angebote {label}", f"Plätze {label}", f"je 1.000 {label}"]
    table = []
    for row in rows:
        line: list[Any] = [
            row.municipality.name,
            row.municipality.ags,
            row.residents,
            row.with_migration_history,
        ]
        for value, _label in FieldOfAction.choices:
            line += [row.offers.get(value, 0), row.places.get(value, 0), row.per_thousand(value)]
        table.append(line)
    return [str(h) for h in headers], table


def gap_map(table: list[tuple[Any, list[tuple[Any, ...]]]]) -> dict[str, Any] | None:
    """Return the map of the Gemeinden, each marked with the number of its fields with a gap."""
    points = []
    markers = []
    for row, cells in table:
        town = row.municipality
        if town.latitude is None or town.longitude is None:
            continue
        gap_labels = [label for _v, label, _o, _p, _rate, gap in cells if gap]
        known = any(rate is not None for _v, _l, _o, _p, rate, _g in cells)
        count = len(gap_labels)
        kind = "gap-none" if not known else f"gap-{min(count, 2)}"
        number = str(count) if known else "–"
        if known:
            detail = ngettext(
                "%(count)s field of action with a gap",
                "%(count)s fields of action with a gap",
                count,
            ) % {"count": count}
            if gap_labels:
                detail += f" ({', '.join(str(g) for g in gap_labels)})"
        else:
            detail = _("no population figures")
        offers = row.total_offers
        detail = _("%(gaps)s; %(offers)s") % {
            "gaps": detail,
            "offers": ngettext("%(count)s offer", "%(count)s offers", offers) % {"count": offers},
        }
        summary = _("%(town)s: %(detail)s") % {"town": town.name, "detail": detail}
        anchor = f"#gemeinde-{town.pk}"
        data = {"town": town, "kind": kind, "number": number, "summary": summary, "href": anchor}
        points.append(Point(town.latitude, town.longitude, data))
        markers.append(
            {
                "lat": float(town.latitude),
                "lon": float(town.longitude),
                "label": town.name,
                "title": summary,
                "number": number,
                "kind": kind,
                "lines": [detail],
                "links": [{"text": _("Show the row in the table"), "href": anchor}],
            }
        )
    drawing = svg_layout([], points, width=640, margin=60)
    if drawing is None:
        return None
    tiles = tile_source()
    return {
        "drawing": drawing,
        "tiles": tiles,
        "data": {"tiles": tiles, "markers": markers, "labels": map_labels()} if tiles else None,
    }
