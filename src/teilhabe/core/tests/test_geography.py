"""The NRW reference data and its loader, and how the generators weigh the centres by it."""

from __future__ import annotations

import csv
from collections import Counter

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_scopes import scopes_disabled

from teilhabe.core import seeding
from teilhabe.core.geography import DATA, create_centres, load_geography
from teilhabe.core.models import Centre, District, Municipality

pytestmark = pytest.mark.django_db

#: Gemeinden per Kreis, as in the municipality directory.
KREIS_SIZES = {
    "05154": 16,  # Kleve
    "05170": 13,  # Wesel
    "05334": 10,  # Städteregion Aachen (with the city of Aachen)
    "05362": 10,  # Rhein-Erft-Kreis
    "05382": 19,  # Rhein-Sieg-Kreis
    "05554": 17,  # Borken
    "05558": 11,  # Coesfeld
    "05562": 10,  # Recklinghausen
    "05566": 24,  # Steinfurt
    "05754": 13,  # Gütersloh
    "05766": 16,  # Lippe
    "05774": 10,  # Paderborn
    "05958": 12,  # Hochsauerlandkreis
    "05962": 15,  # Märkischer Kreis
}


def _rows(name: str) -> list[dict[str, str]]:
    with (DATA / name).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def test_the_csv_holds_every_gemeinde_of_nrw_once():
    rows = _rows("municipalities.csv")
    districts = {row["ags"]: row for row in _rows("districts.csv")}

    assert len(rows) == 396
    assert len({row["ags"] for row in rows}) == 396
    assert len(districts) == 53
    per_district = Counter(row["ags"][:5] for row in rows)
    assert set(per_district) == set(districts)  # every district has Gemeinden, no stray prefix
    for ags, size in KREIS_SIZES.items():
        assert per_district[ags] == size, districts[ags]["name"]
    cities = [ags for ags, row in districts.items() if row["kind"] == "kreisfreie_stadt"]
    assert len(cities) == 22  # and Aachen, a city of its own inside the Städteregion
    assert all(per_district[ags] == 1 for ags in cities)
    assert sum(per_district[ags] for ags in districts if ags not in cities) == 374


def test_every_row_is_complete_and_inside_nrw():
    kinds = set(Municipality.Kind.values)
    for row in _rows("municipalities.csv"):
        assert len(row["ags"]) == 8 and row["ags"].startswith("05"), row
        assert row["name"] and row["kind"] in kinds, row
        assert 50.3 <= float(row["lat"]) <= 52.6, row
        assert 5.8 <= float(row["lon"]) <= 9.5, row
        assert int(row["population"]) > 0, row
        # a kreisfreie Stadt is the district itself
        assert (row["kind"] == "kreisfreie_stadt") == row["ags"].endswith("000"), row
    for row in _rows("districts.csv"):
        assert int(row["population"]) > 0, row
    total = sum(int(row["population"]) for row in _rows("districts.csv"))
    assert 17_500_000 < total < 18_500_000  # NRW has about 18 million residents


def test_district_population_is_the_sum_of_its_gemeinden():
    towns = Counter()
    for row in _rows("municipalities.csv"):
        towns[row["ags"][:5]] += int(row["population"])
    for row in _rows("districts.csv"):
        assert int(row["population"]) == towns[row["ags"]], row["name"]


def test_the_demo_gemeinden_keep_their_keys_and_places():
    load_geography()
    coesfeld = Municipality.objects.get(ags="05558012")
    assert (coesfeld.name, str(coesfeld.latitude), str(coesfeld.longitude)) == (
        "Coesfeld",
        "51.94600",
        "7.16800",
    )
    assert Municipality.objects.get(ags="05334002").name == "Aachen"
    assert Municipality.objects.get(ags="05515000").population > 300_000


def test_loading_gives_the_whole_state_and_a_second_run_changes_nothing():
    first = load_geography()
    create_centres()
    assert Municipality.objects.count() == 396
    assert District.objects.count() == 53
    assert not District.objects.filter(municipalities__isnull=True).exists()
    assert not Municipality.objects.filter(population__isnull=True).exists()
    assert not Municipality.objects.filter(latitude__isnull=True).exists()
    assert first["created"] == 1 + 5 + 53 + 396
    snapshot = list(Municipality.objects.values_list("ags", "name", "population", "latitude"))

    with CaptureQueriesContext(connection) as queries:
        again = load_geography()
        new_centres = create_centres()

    assert again == {"created": 0, "updated": 0}
    assert new_centres == 0
    assert len(queries) < 20  # bulk: a rerun (every `make run`, many tests) stays cheap
    assert list(Municipality.objects.values_list("ags", "name", "population", "latitude")) == (
        snapshot
    )


def test_loading_repairs_a_changed_row():
    load_geography()
    town = Municipality.objects.get(ags="05558016")
    Municipality.objects.filter(pk=town.pk).update(population=1, name="Duelmen")

    counts = load_geography()

    town.refresh_from_db()
    assert counts == {"created": 0, "updated": 1}
    assert (town.name, town.population) == ("Dülmen", 47_500)


def test_split_shares_a_total_exactly_and_in_proportion():
    # 2.5, 2.5 and 5: the unit left over goes to the first of the equal remainders
    assert seeding.split(10, {"a": 1.0, "b": 1.0, "c": 2.0}) == {"a": 3, "b": 2, "c": 5}
    parts = seeding.split(1_000, {n: float(n) for n in range(1, 30)})
    assert sum(parts.values()) == 1_000
    assert parts[29] > parts[10] > parts[1]
    assert seeding.split(5, {"a": 0.0, "b": 0.0}) == {"a": 3, "b": 2}  # nothing known: equal
    assert seeding.split(7, {}) == {}


def test_centres_weigh_by_the_residents_of_their_area():
    load_geography()
    create_centres()
    with scopes_disabled():
        centres = list(Centre.objects.select_related("district", "municipality"))
        weights = seeding.centre_weights(centres)
    of = {(c.district.ags, c.municipality.ags if c.municipality else None): c for c in centres}

    assert len(weights) == 54
    assert sum(weights.values()) == pytest.approx(54)
    assert weights[of["05315", None].pk] > 3 * weights[of["05966", None].pk]  # Köln, Olpe
    # The Städteregion's centre does not count the city of Aachen, which has its own.
    region, aachen = of["05334", None], of["05334", "05334002"]
    assert weights[region.pk] == pytest.approx(weights[aachen.pk] * (560_900 - 252_000) / 252_000)
    region_towns = list(region.municipalities())
    town_weights = dict(zip(region_towns, seeding.town_weights(region, region_towns), strict=True))
    assert town_weights[aachen.municipality] == 0
    assert min(w for t, w in town_weights.items() if t != aachen.municipality) > 0
