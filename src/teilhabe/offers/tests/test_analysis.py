"""Bestands- und Bedarfsanalyse: offers per Gemeinde against residents, with gaps marked."""

import io

import openpyxl
import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django_scopes import scope, scopes_disabled

from teilhabe.offers.analysis import gaps, supply_and_demand
from teilhabe.offers.models import OfferLocation, PopulationFigure
from teilhabe.offers.services import save_population
from teilhabe.offers.tests.factories import make_offer

pytestmark = pytest.mark.django_db


def _towns(centre, n=3):
    with scopes_disabled():
        return list(centre.municipalities().order_by("name")[:n])


def _offer_in(centre, town, **fields):
    offer = make_offer(centre, **fields)
    with scopes_disabled():
        for place in OfferLocation.objects.filter(offer=offer):
            place.municipality = town
            place.save()
    return offer


def test_supply_is_counted_per_gemeinde_and_field(centre, dana):
    a, b, c = _towns(centre)
    _offer_in(centre, a, field_of_action="migration", capacity=10)
    _offer_in(centre, a, field_of_action="migration", capacity=5)
    _offer_in(centre, a, field_of_action="education")
    _offer_in(centre, b, field_of_action="migration", status="draft")  # not published
    with scope(centre=[centre.pk]):
        save_population(dana, centre, year=2026, figures={a: (10000, 2000), b: (8000, 1000)})
        rows = {row.municipality: row for row in supply_and_demand(centre, year=2026)}
    assert rows[a].offers == {"migration": 2, "education": 1}
    assert rows[a].places["migration"] == 15
    assert rows[b].offers == {}
    assert rows[a].per_thousand("migration") == 1.0
    assert rows[b].per_thousand("migration") == 0.0
    assert rows[c].per_thousand("migration") is None  # no figures, no rate


def test_gemeinden_far_below_the_median_are_gaps(centre, dana):
    towns = _towns(centre, 3)
    for town, count in zip(towns, [4, 4, 0], strict=True):
        for _n in range(count):
            _offer_in(centre, town, field_of_action="migration")
    with scope(centre=[centre.pk]):
        save_population(dana, centre, year=2026, figures={t: (5000, 1000) for t in towns})
        rows = supply_and_demand(centre, year=2026)
    marked = gaps(rows)
    assert [t.name for t in towns if marked[(t.pk, "migration")]] == [towns[2].name]


def test_population_figures_are_checked_and_replaced(centre, dana):
    (town,) = _towns(centre, 1)
    with scope(centre=[centre.pk]):
        with pytest.raises(ValidationError):
            save_population(dana, centre, year=2026, figures={town: (100, 200)})
        assert save_population(dana, centre, year=2026, figures={town: (100, 20)}) == 1
        assert save_population(dana, centre, year=2026, figures={town: (100, 20)}) == 0
        assert save_population(dana, centre, year=2026, figures={town: (110, 25)}) == 1
    with scopes_disabled():
        figure = PopulationFigure.objects.get()
    assert (figure.residents, figure.with_migration_history) == (110, 25)


def test_population_page_keeps_typed_values_on_an_error(client, centre, dana):
    a, b = _towns(centre, 2)
    client.force_login(dana)
    url = reverse("offers:population")
    response = client.post(
        url,
        {
            "jahr": "2026",
            f"residents-{a.pk}": "12.000",
            f"migration-{a.pk}": "zwei",
            f"residents-{b.pk}": "900",
        },
    )
    assert response.status_code == 200
    content = response.content.decode()
    assert 'value="zwei"' in content and 'value="900"' in content
    with scopes_disabled():
        assert not PopulationFigure.objects.exists()
    response = client.post(
        url, {"jahr": "2026", f"residents-{a.pk}": "12.000", f"migration-{a.pk}": "2.400"}
    )
    assert response.status_code == 302
    with scopes_disabled():
        assert PopulationFigure.objects.get(municipality=a).with_migration_history == 2400


def test_supply_demand_page_and_excel_export(client, centre, dana):
    (town,) = _towns(centre, 1)
    _offer_in(centre, town, field_of_action="education")
    client.force_login(dana)
    page = client.get(reverse("offers:supply-demand"), {"jahr": "2026"})
    assert page.status_code == 200
    export = client.get(reverse("offers:supply-demand"), {"jahr": "2026", "format": "xlsx"})
    assert export["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = openpyxl.load_workbook(io.BytesIO(export.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "Gemeinde"
    by_town = {row[0]: row for row in rows[1:]}
    education = rows[0].index(
        next(h for h in rows[0] if str(h).startswith("Angebote Integration durch"))
    )
    assert by_town[town.name][education] == 1
