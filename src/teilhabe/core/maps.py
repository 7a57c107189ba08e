"""Maps of a centre's area: an inline SVG drawn on the server, a tile map where one is configured.

Every map is progressive enhancement. The page's list or table holds the same facts; the SVG
(Gemeinden as points, markers on top) needs no script and no network. Where a deployment sets
``TEILHABE_MAP_TILES``, ``core/map.js`` loads Leaflet when the map is shown and draws the same
markers on the tiles; :func:`allow_tiles` lets the tile host into that response's ``img-src``.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.http import HttpResponse
from django.utils.translation import gettext as _


@dataclass(frozen=True)
class Point:
    """Something to draw at a place: ``data`` is what the template shows for it."""

    latitude: float
    longitude: float
    data: dict[str, Any] = field(default_factory=dict)


def located(items: Iterable[Any]) -> list[Any]:
    """Return the ``items`` (Gemeinden, places, schools) that have coordinates."""
    return [item for item in items if item.latitude is not None and item.longitude is not None]


def svg_layout(
    towns: Sequence[Any], points: Sequence[Point], width: int = 640, margin: int = 40
) -> dict[str, Any] | None:
    """Project Gemeinden and ``points`` onto an SVG canvas; None without anything to draw.

    An equirectangular projection scaled by the cosine of the mean latitude is exact enough
    for a Kreis. Each drawn point is its ``data`` with ``xy`` (the canvas position) added.
    """
    towns = located(towns)
    coordinates = [(float(t.latitude), float(t.longitude)) for t in towns]
    coordinates += [(float(p.latitude), float(p.longitude)) for p in points]
    if not coordinates:
        return None
    lats = [c[0] for c in coordinates]
    lons = [c[1] for c in coordinates]
    scale_x = math.cos(math.radians(sum(lats) / len(lats)))
    span_x = max((max(lons) - min(lons)) * scale_x, 0.01)
    span_y = max(max(lats) - min(lats), 0.01)
    factor = (width - 2 * margin) / max(span_x, span_y)
    height = round(span_y * factor + 2 * margin)

    def project(lat: float, lon: float) -> tuple[float, float]:
        x = margin + (lon - min(lons)) * scale_x * factor
        y = margin + (max(lats) - lat) * factor
        return round(x, 1), round(y, 1)

    return {
        "width": width,
        "height": height,
        "towns": [
            {"town": t, "name": t.name, "xy": project(float(t.latitude), float(t.longitude))}
            for t in towns
        ],
        "points": [
            {**p.data, "xy": project(float(p.latitude), float(p.longitude))} for p in points
        ],
    }


def spread(points: Sequence[Point], step: float = 0.004) -> list[Point]:
    """Return ``points`` with those at the same place moved apart on a small ring.

    Offers of one Gemeinde often share its centre's coordinates; apart, each marker can be seen,
    pointed at and clicked. ``step`` is the ring's radius in degrees of latitude (about 450 m).
    """
    groups: dict[tuple[float, float], list[Point]] = {}
    for point in points:
        groups.setdefault((float(point.latitude), float(point.longitude)), []).append(point)
    moved = []
    for (lat, lon), group in groups.items():
        if len(group) == 1:
            moved.append(group[0])
            continue
        radius = step * (1 + len(group) / 8)
        for index, point in enumerate(group):
            angle = 2 * math.pi * index / len(group)
            moved.append(
                Point(
                    lat + radius * math.cos(angle),
                    lon + radius * math.sin(angle) / math.cos(math.radians(lat)),
                    point.data,
                )
            )
    return moved


# --- Tiles ------------------------------------------------------------------------------------


def tile_source() -> dict[str, str] | None:
    """Return the configured tile source (``url``, ``attribution``, ``origin``), or None."""
    url = getattr(settings, "MAP_TILES", "")
    if not url:
        return None
    return {
        "url": url,
        "attribution": getattr(settings, "MAP_ATTRIBUTION", ""),
        "origin": tile_origin(url),
    }


def tile_origin(url: str) -> str:
    """Return the CSP source of a tile URL template: ``{s}`` subdomains become a wildcard."""
    parts = urlsplit(url.replace("{s}", "*"))
    if not parts.scheme or not parts.netloc:
        return "'self'"  # a path on this site
    return f"{parts.scheme}://{parts.netloc}"


def allow_tiles(response: HttpResponse) -> HttpResponse:
    """Let the browser load the configured tiles on this response (``img-src`` only)."""
    source = tile_source()
    if source and source["origin"] != "'self'":
        update = getattr(response, "_csp_update", None) or {}
        update["img-src"] = [*update.get("img-src", []), source["origin"]]
        response._csp_update = update  # type: ignore[attr-defined]  # read by django-csp
    return response


def map_labels() -> dict[str, str]:
    """Return the words the tile map's controls read out, in the page's language."""
    return {
        "zoomIn": _("Zoom in"),
        "zoomOut": _("Zoom out"),
        "close": _("Close"),
        "map": _("Map: use the arrow keys to move it, + and − to zoom, Tab to reach the markers"),
    }
