"""Search of the directory at state size: no DISTINCT, the text search through its GIN index."""

from __future__ import annotations

import pytest
from django.core.cache import caches
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_scopes import scope, scopes_disabled

from teilhabe.offers.directory import Criteria, search
from teilhabe.offers.models import Offer, OfferLocation, Rubric
from teilhabe.offers.tests.factories import make_offer

pytestmark = pytest.mark.django_db

postgres_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="full-text search and GIN index of PostgreSQL"
)


def _two_places_in_one_town(offer):
    with scopes_disabled():
        place = offer.locations.get()
        OfferLocation.objects.create(
            offer=offer, name="Zweigstelle", municipality=place.municipality
        )
        return place.municipality


def test_an_offer_with_two_places_in_the_gemeinde_is_found_once(centre):
    offer = make_offer(centre, "Sprachcafé")
    make_offer(centre, "Elterncafé")
    town = _two_places_in_one_town(offer)

    with scope(centre=[centre.pk]):
        found = search(Offer.objects.for_centre(centre), Criteria(municipality=town))
        assert sorted(o.title() for o in found) == ["Elterncafé", "Sprachcafé"]
        assert found.count() == 2


def test_no_query_of_the_directory_or_its_api_sorts_by_every_column(client, centre):
    offer = make_offer(centre, "Sprachcafé", description="Beratung und Deutsch")
    town = _two_places_in_one_town(offer)
    urls = [
        reverse("directory:offer-list", args=[centre.slug]) + f"?gemeinde={town.pk}&q=Beratung",
        f"/api/v1/verzeichnis/{centre.slug}/angebote/?gemeinde={town.ags}&q=Beratung",
    ]
    for url in urls:
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url)
        assert response.status_code == 200
        assert not [q["sql"] for q in captured if "DISTINCT" in q["sql"]], url


def test_api_sorts_by_german_title_and_counts_each_offer_once(client, centre):
    for title in ["Zumba", "Altenhilfe", "Mütterkurs"]:
        offer = make_offer(centre, title)
    with scopes_disabled():
        offer.texts.create(language="en", title="Aaa first in English", description="…")

    data = client.get(f"/api/v1/verzeichnis/{centre.slug}/angebote/").json()

    assert data["count"] == 3
    assert [o["title"] for o in data["results"]] == ["Altenhilfe", "Mütterkurs", "Zumba"]


def test_api_page_queries_do_not_grow_with_offers_that_have_rubrics(client, centre):
    with scopes_disabled():
        rubric = Rubric.objects.defaults().filter(field_of_action="migration").first()
    url = f"/api/v1/verzeichnis/{centre.slug}/angebote/"
    make_offer(centre, "Kurs 0", rubric=rubric)
    client.get(url)
    caches["directory"].clear()  # the page is searched, not taken from the kept pages
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).json()["results"][0]["rubric"] == str(rubric)
    for n in range(1, 12):
        make_offer(centre, f"Kurs {n}", rubric=rubric)
    caches["directory"].clear()
    with CaptureQueriesContext(connection) as many:
        assert client.get(url).json()["count"] == 12

    assert len(many) == len(few)


@postgres_only
def test_frequent_words_are_found_through_the_index(centre):
    for n in range(3):
        make_offer(centre, f"Beratung {n}", description="Migrationsberatung für alle")
    make_offer(centre, "Sprachcafé", description="Deutsch üben")

    with scope(centre=[centre.pk]):
        found = search(Offer.objects.for_centre(centre), Criteria(text="Beratung"))
        assert sorted(o.title() for o in found) == ["Beratung 0", "Beratung 1", "Beratung 2"]
        sql, params = found.query.sql_with_params()
    with connection.cursor() as cursor:
        # Tiny tables are read sequentially; forbidding that shows whether the search's
        # expression is the index's.
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "offer_text_search" in plan


@postgres_only
def test_the_search_index_exists():
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE indexname = 'offer_text_search'")
        (definition,) = cursor.fetchone()
    assert "USING gin" in definition and "to_tsvector('german'" in definition
