"""The page and its total in one query: the same pages and totals as Django's Paginator."""

from __future__ import annotations

import pytest
from django.core.paginator import EmptyPage, Paginator
from django.db import connection
from django.test.utils import CaptureQueriesContext

from teilhabe.core.models import AdministrativeDistrict, District, Municipality, State
from teilhabe.core.pagination import WindowCountPaginator

pytestmark = pytest.mark.django_db

ROWS = 131  # not a multiple of any page size below


@pytest.fixture(autouse=True)
def towns(db):
    state = State.objects.get_or_create(ags="05", defaults={"name": "Nordrhein-Westfalen"})[0]
    region = AdministrativeDistrict.objects.create(state=state, ags="059", name="Testbezirk")
    districts = [
        District.objects.create(
            administrative_district=region, ags=f"0599{n}", name=f"Kreis {n}", kind="kreis"
        )
        for n in range(4)
    ]
    Municipality.objects.bulk_create(
        Municipality(
            district=districts[n % 4], ags=f"0599{n:04d}", name=f"Ort {n % 17:02d}", kind="gemeinde"
        )
        for n in range(ROWS)
    )


def _shapes():
    ordered = Municipality.objects.filter(ags__startswith="0599").order_by("name", "pk")
    return {
        "models": ordered,
        "values": ordered.values("pk", "name"),
        "tuples": ordered.values_list("pk", "name"),
        "one-column tuples": ordered.values_list("pk"),
        "flat": ordered.values_list("pk", flat=True),
    }


@pytest.mark.parametrize("shape", list(_shapes()))
@pytest.mark.parametrize(("per_page", "orphans"), [(25, 0), (7, 3), (20, 12), (1000, 0)])
def test_every_page_and_total_is_what_djangos_paginator_gives(shape, per_page, orphans):
    rows = _shapes()[shape]
    expected = Paginator(rows, per_page, orphans=orphans)
    assert expected.count == ROWS

    for number in expected.page_range:
        ours = WindowCountPaginator(rows, per_page, orphans=orphans)
        page = ours.page(number)
        assert ours.count == expected.count
        assert ours.num_pages == expected.num_pages
        assert list(page) == list(expected.page(number))
        assert (page.has_next(), page.has_previous()) == (
            expected.page(number).has_next(),
            expected.page(number).has_previous(),
        )


def test_a_page_and_its_total_take_one_query():
    rows = Municipality.objects.order_by("name", "pk").values_list("pk", flat=True)
    paginator = WindowCountPaginator(rows, 25)
    with CaptureQueriesContext(connection) as queries:
        page = paginator.page(3)
        assert len(page) == 25
        assert paginator.count == ROWS
        assert page.has_next()
    assert len(queries.captured_queries) == 1


def test_past_the_end_and_an_empty_list_behave_as_with_djangos_paginator():
    rows = Municipality.objects.order_by("pk")
    paginator = WindowCountPaginator(rows, 25)
    with pytest.raises(EmptyPage):
        paginator.page(paginator.num_pages + 1)
    last = WindowCountPaginator(rows, 25).get_page(10_000)
    assert last.number == Paginator(rows, 25).num_pages
    assert list(last) == list(Paginator(rows, 25).page(last.number))

    nothing = WindowCountPaginator(rows.none(), 25)
    assert list(nothing.get_page(1)) == []
    assert nothing.count == 0
    with pytest.raises(EmptyPage):
        WindowCountPaginator(Municipality.objects.filter(pk=-1), 25).page(2)


def test_a_distinct_query_is_counted_after_distinct():
    # COUNT(*) OVER () would count before DISTINCT: such a list is counted on its own.
    rows = Municipality.objects.values_list("district", flat=True).distinct().order_by("district")
    ours = WindowCountPaginator(rows, 3)
    assert len(ours.page(2)) == 1  # four districts: three on page 1, one on page 2
    assert list(ours.page(2)) == list(Paginator(rows, 3).page(2))
    assert ours.count == 4
