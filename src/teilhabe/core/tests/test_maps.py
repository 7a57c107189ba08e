"""The shared map code: projection onto the SVG, markers moved apart, the tile source's CSP."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from django.http import HttpResponse

from teilhabe.core.maps import Point, allow_tiles, spread, svg_layout, tile_origin, tile_source


def _town(name, lat, lon):
    return SimpleNamespace(name=name, latitude=lat, longitude=lon)


def test_the_layout_keeps_north_up_and_east_right_inside_the_margin():
    towns = [_town("Nord", 52.0, 7.0), _town("Süd", 51.5, 7.0), _town("Ohne", None, None)]
    drawing = svg_layout(towns, [Point(51.75, 7.5, {"name": "Ost"})], width=400, margin=20)
    assert [t["name"] for t in drawing["towns"]] == ["Nord", "Süd"]  # no coordinates, not drawn
    north, south = (t["xy"] for t in drawing["towns"])
    (east,) = drawing["points"]
    assert north[1] < south[1] and east["xy"][0] > north[0]
    assert east["name"] == "Ost"  # the point's data travels with it
    for x, y in [north, south, east["xy"]]:
        assert 20 <= x <= 380 and 20 <= y <= drawing["height"] - 20


def test_nothing_to_draw_is_no_drawing():
    assert svg_layout([_town("Ohne", None, None)], []) is None


def test_points_at_one_place_are_moved_apart_and_others_stay():
    same = [Point(51.9, 7.1, {"n": n}) for n in range(4)]
    alone = Point(51.5, 7.3, {"n": "alone"})
    moved = spread([*same, alone])
    assert len({(p.latitude, p.longitude) for p in moved}) == 5
    assert alone in moved
    for point in moved[:4]:
        assert abs(point.latitude - 51.9) < 0.01 and abs(point.longitude - 7.1) < 0.02


@pytest.mark.parametrize(
    ("url", "origin"),
    [
        ("https://tile.openstreetmap.org/{z}/{x}/{y}.png", "https://tile.openstreetmap.org"),
        ("https://{s}.tiles.example.org/{z}/{x}/{y}.png", "https://*.tiles.example.org"),
        ("https://maps.example.org:8443/wmts/{z}/{x}/{y}", "https://maps.example.org:8443"),
        ("/kacheln/{z}/{x}/{y}.png", "'self'"),
    ],
)
def test_the_tile_host_as_a_csp_source(url, origin):
    assert tile_origin(url) == origin


def test_tiles_are_allowed_only_where_configured(settings):
    settings.MAP_TILES = ""
    assert tile_source() is None
    assert not hasattr(allow_tiles(HttpResponse()), "_csp_update")
    settings.MAP_TILES = "https://tiles.example.org/{z}/{x}/{y}.png"
    settings.MAP_ATTRIBUTION = "© Beispiel"
    assert tile_source()["attribution"] == "© Beispiel"
    response = HttpResponse()
    response._csp_update = {"img-src": ["https://other.example.org"]}
    assert allow_tiles(response)._csp_update == {
        "img-src": ["https://other.example.org", "https://tiles.example.org"]
    }
    settings.MAP_TILES = "/kacheln/{z}/{x}/{y}.png"  # this site: 'self' allows it already
    assert not hasattr(allow_tiles(HttpResponse()), "_csp_update")
