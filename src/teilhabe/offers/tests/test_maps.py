"""Maps of the public directory and of the gap view; the gap view as PDF."""

from __future__ import annotations

import io
import json
import re

import pytest
from django.urls import reverse
from django.utils import formats, translation
from django_scopes import scope, scopes_disabled
from pypdf import PdfReader

from teilhabe.network.models import FieldOfAction
from teilhabe.offers.analysis import gaps, supply_and_demand
from teilhabe.offers.models import OfferLocation
from teilhabe.offers.services import save_population
from teilhabe.offers.tests.factories import make_offer

pytestmark = pytest.mark.django_db

TILES = "https://tiles.example.org/{z}/{x}/{y}.png"


@pytest.fixture(autouse=True)
def _no_tiles(settings):
    """Tests never reach the internet: no tile source unless a test sets one."""
    settings.MAP_TILES = ""
    settings.MAP_ATTRIBUTION = ""


def _towns(centre, n):
    with scopes_disabled():
        return list(centre.municipalities().exclude(latitude=None).order_by("name")[:n])


def _offer_in(centre, town, title, **fields):
    offer = make_offer(centre, title, **fields)
    with scopes_disabled():
        for place in OfferLocation.objects.filter(offer=offer):
            place.municipality = town
            place.latitude, place.longitude = town.latitude, town.longitude
            place.save()
    return offer


def _detail(centre, offer):
    return reverse("directory:offer-detail", args=[centre.slug, offer.uid])


def _img_src(response):
    policy = response["Content-Security-Policy"]
    return next(d for d in policy.split(";") if d.strip().startswith("img-src")).split()


# --- The directory ------------------------------------------------------------------------


def test_directory_map_has_a_marker_for_each_place_of_the_filtered_offers(client, centre):
    a, b = _towns(centre, 2)
    here = _offer_in(centre, a, "Sprachcafé am Markt")
    also_here = _offer_in(centre, a, "Nähcafé am Markt")
    elsewhere = _offer_in(centre, b, "Beratung im Rathaus")
    url = reverse("directory:offer-list", args=[centre.slug])

    response = client.get(url, {"gemeinde": a.pk})
    content = response.content.decode()
    links = re.findall(r'<a href="([^"]+)" aria-label="([^"]+)"><circle', content)
    assert sorted(href for href, _label in links) == sorted(
        f"{_detail(centre, o)}?sprache=de" for o in (here, also_here)
    )
    assert _detail(centre, elsewhere) not in content.split('class="directory-results"')[0]
    assert any(label.startswith("Sprachcafé am Markt – ") for _href, label in links)
    # Both offers share a place: drawn side by side, not on top of each other.
    points = response.context["offer_map"]["drawing"]["points"]
    assert len({tuple(p["xy"]) for p in points}) == 2
    # The Gemeinden are drawn too, and the list stays the page's content.
    assert f">{a.name}</text>" in content and f">{b.name}</text>" in content
    assert content.index('<details class="map-panel"') < content.index("directory-results")


def test_directory_without_tiles_draws_the_svg_and_loads_no_leaflet(client, centre):
    (town,) = _towns(centre, 1)
    _offer_in(centre, town, "Sprachcafé")
    response = client.get(reverse("directory:offer-list", args=[centre.slug]))
    content = response.content.decode()
    assert '<svg class="svg-map"' in content
    assert "leaflet" not in content
    assert "directory-map-data" not in content.split("data-map=")[1].split(">", 1)[1]
    assert _img_src(response) == ["img-src", "'self'", "data:"]


def test_directory_with_tiles_names_their_host_in_the_policy_and_the_markers(
    client, centre, settings
):
    settings.MAP_TILES = TILES
    settings.MAP_ATTRIBUTION = "© Kartendienst <Beispiel>"
    a, b = _towns(centre, 2)
    one = _offer_in(centre, a, "Sprachcafé")
    two = _offer_in(centre, a, "Nähcafé")
    three = _offer_in(centre, b, "Beratung")
    response = client.get(reverse("directory:offer-list", args=[centre.slug]))
    content = response.content.decode()
    assert "https://tiles.example.org" in _img_src(response)
    assert "vendor/leaflet/leaflet.js" in content and "core/map.js" in content
    assert '<svg class="svg-map"' in content  # still there without script
    assert "&lt;Beispiel&gt;" in content and "<Beispiel>" not in content
    data = json.loads(
        re.search(
            r'<script id="directory-map-data" type="application/json">(.*?)</script>', content, re.S
        ).group(1)
    )
    assert data["tiles"]["url"] == TILES
    by_place = {m["lat"]: m for m in data["markers"]}
    assert {link["text"] for link in by_place[float(a.latitude)]["links"]} == {
        "Sprachcafé",
        "Nähcafé",
    }
    assert by_place[float(a.latitude)]["number"] == "2"
    assert [link["href"] for link in by_place[float(b.latitude)]["links"]] == [
        f"{_detail(centre, three)}?sprache=de"
    ]
    assert one and two


def test_the_offer_page_does_not_allow_the_tiles(client, centre, settings):
    settings.MAP_TILES = TILES
    (town,) = _towns(centre, 1)
    offer = _offer_in(centre, town, "Sprachcafé")
    response = client.get(_detail(centre, offer))
    assert "https://tiles.example.org" not in response["Content-Security-Policy"]


def test_directory_without_results_or_places_has_no_map(client, centre):
    response = client.get(reverse("directory:offer-list", args=[centre.slug]))
    assert response.context["offer_map"] is None
    assert "core/map.js" not in response.content.decode()
    offer = make_offer(centre, "Online-Beratung")
    with scopes_disabled():
        for place in OfferLocation.objects.filter(offer=offer):
            place.latitude = place.longitude = None
            place.save()
    response = client.get(reverse("directory:offer-list", args=[centre.slug]))
    assert "Online-Beratung" in response.content.decode()
    assert response.context["offer_map"] is None


def test_subdomain_tile_templates_become_a_wildcard_source(client, centre, settings):
    settings.MAP_TILES = "https://{s}.tiles.example.org/{z}/{x}/{y}.png"
    (town,) = _towns(centre, 1)
    _offer_in(centre, town, "Sprachcafé")
    response = client.get(reverse("directory:offer-list", args=[centre.slug]))
    assert "https://*.tiles.example.org" in _img_src(response)


# --- The gap view -------------------------------------------------------------------------


def _gap_world(centre, dana):
    """Three Gemeinden with equal people: the third has no offers (a gap), one has no figures."""
    a, b, c, d = _towns(centre, 4)
    for town, count in ((a, 3), (b, 3), (c, 0), (d, 1)):
        for n in range(count):
            _offer_in(centre, town, f"Beratung {town.name} {n}", capacity=10 + n)
    with scope(centre=[centre.pk]):
        save_population(dana, centre, year=2026, figures={t: (5000, 1000) for t in (a, b, c)})
    return a, b, c, d


def test_gap_map_marks_each_gemeinde_with_its_number_of_gaps(client, centre, dana):
    a, b, c, d = _gap_world(centre, dana)
    client.force_login(dana)
    response = client.get(reverse("offers:supply-demand"), {"jahr": "2026"})
    content = response.content.decode()
    points = {p["town"]: p for p in response.context["gap_map"]["drawing"]["points"]}
    assert (points[a]["kind"], points[a]["number"]) == ("gap-0", "0")
    assert (points[c]["kind"], points[c]["number"]) == ("gap-1", "1")
    assert (points[d]["kind"], points[d]["number"]) == ("gap-none", "–")
    with translation.override("de"):
        assert str(FieldOfAction.MIGRATION.label) in points[c]["summary"]
    # Each circle leads to its row of the table, which has that anchor.
    assert f'<a href="#gemeinde-{c.pk}" aria-label="{points[c]["summary"]}"' in content
    assert f'id="gemeinde-{c.pk}"' in content
    # The legend explains the numbers; no tiles configured: no Leaflet, no foreign host.
    assert 'class="map-legend"' in content
    assert "leaflet" not in content
    assert _img_src(response) == ["img-src", "'self'", "data:"]


def test_gap_map_with_tiles(client, centre, dana, settings):
    settings.MAP_TILES = TILES
    _gap_world(centre, dana)
    client.force_login(dana)
    response = client.get(reverse("offers:supply-demand"), {"jahr": "2026"})
    content = response.content.decode()
    assert "https://tiles.example.org" in _img_src(response)
    data = json.loads(
        re.search(
            r'<script id="gap-map-data" type="application/json">(.*?)</script>', content, re.S
        ).group(1)
    )
    assert sorted(m["kind"] for m in data["markers"]).count("gap-1") == 1
    assert all(m["links"][0]["href"].startswith("#gemeinde-") for m in data["markers"])


# --- The gap view as PDF ------------------------------------------------------------------


def test_gap_view_as_pdf_holds_the_figures_of_the_table(client, centre, dana):
    _gap_world(centre, dana)
    client.force_login(dana)
    page = client.get(reverse("offers:supply-demand"), {"jahr": "2026"})
    assert reverse("offers:supply-demand-pdf") + "?jahr=2026" in page.content.decode()
    response = client.get(reverse("offers:supply-demand-pdf"), {"jahr": "2026"})
    assert response["Content-Type"] == "application/pdf"
    assert "bestand-bedarf-" in response["Content-Disposition"]
    assert response["Cache-Control"] == "no-store"
    reader = PdfReader(io.BytesIO(response.content))
    text = " ".join(page.extract_text() for page in reader.pages)
    words = text.split()
    assert "Bestand" in text or "Angebot" in text

    # The figures the view summarises, computed here straight from the analysis.
    with scope(centre=[centre.pk]):
        rows = supply_and_demand(centre, year=2026)
    marked = gaps(rows)
    assert any(marked.values())
    with translation.override("de"):
        for row in rows:
            name = row.municipality.name
            line = next(li for li in text.splitlines() if li.startswith(f"{name} "))
            expected = [str(row.with_migration_history or "–")]
            for value in FieldOfAction.values:
                rate = row.per_thousand(value)
                expected += [
                    str(row.offers.get(value, 0)),
                    str(row.places.get(value, 0)),
                    "–" if rate is None else formats.number_format(rate, 1),
                ]
                if marked[(row.municipality.pk, value)]:
                    expected.append("Lücke")
            assert line[len(name) :].split() == expected, line
    assert len(words) > 20


def test_gap_pdf_is_tagged(client, centre, dana):
    client.force_login(dana)
    response = client.get(reverse("offers:supply-demand-pdf"))
    reader = PdfReader(io.BytesIO(response.content))
    assert "/StructTreeRoot" in reader.trailer["/Root"]
