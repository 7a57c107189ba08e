"""The public directory keeps a rendered search in the cache until the offers change.

Anonymous visitors ask the same searches again and again; a kept search must never show an
offer that changed, and each response must still be the visitor's own (CSP nonce, CSRF token).
"""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_scopes import scopes_disabled

from teilhabe.network.models import Actor
from teilhabe.offers.directory import DIRECTORY_GENERATION, DIRECTORY_GENERATION_KEY
from teilhabe.offers.models import Offer, OfferText
from teilhabe.offers.tests.factories import make_offer

pytestmark = pytest.mark.django_db

NONCE = re.compile(r'<script src="[^"]*core/map\.js" defer nonce="([^"]+)"')
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def _url(centre):
    return reverse("directory:offer-list", args=[centre.slug])


def _get(client, centre, **query):
    response = client.get(_url(centre), query)
    assert response.status_code == 200
    return response, response.content.decode()


def _offer_queries(queries):
    return [q["sql"] for q in queries if '"offers_offer"' in q["sql"]]


def test_the_same_search_again_is_answered_from_the_cache_without_searching(client, centre):
    make_offer(centre, "Sprachcafé Dülmen")
    make_offer(centre, "Frauenfrühstück")

    first, first_html = _get(client, centre, q="Sprachcafé")
    with CaptureQueriesContext(connection) as again:
        second, second_html = _get(client, centre, q="Sprachcafé")

    assert "Sprachcafé Dülmen" in second_html
    assert "Frauenfrühstück" not in second_html
    assert _offer_queries(again.captured_queries) == []
    main = re.compile(r'<main id="main".*?</main>', re.S)
    assert main.search(second_html).group(0) == main.search(first_html).group(0)


def test_another_search_language_or_page_language_is_not_served_the_kept_one(client, centre):
    make_offer(centre, "Sprachcafé Dülmen")
    make_offer(centre, "Frauenfrühstück")
    _get(client, centre, q="Sprachcafé")

    _response, other = _get(client, centre, q="Frauenfrühstück")
    assert "Frauenfrühstück" in other and "Sprachcafé Dülmen" not in other

    _response, german = _get(client, centre)
    assert "2 Angebote gefunden" in german
    client.cookies["django_language"] = "en"
    _response, english = _get(client, centre)
    assert "2 offers found" in english


def test_a_changed_offer_shows_at_once(client, centre, dana):
    from teilhabe.offers import services

    offer = make_offer(centre, "Sprachcafé Dülmen")
    gone = make_offer(centre, "Nähcafé")
    _get(client, centre)

    with scopes_disabled():
        text = OfferText.objects.get(offer=offer, language="de")
        text.title = "Sprachtreff Dülmen"
        text.save()
        services.change_status(dana, Offer.objects.get(pk=gone.pk), to=Offer.Status.ARCHIVED)

    _response, html = _get(client, centre)
    assert "Sprachtreff Dülmen" in html
    assert "Sprachcafé Dülmen" not in html
    assert "Nähcafé" not in html


def test_a_renamed_provider_shows_at_once(client, centre):
    offer = make_offer(centre, "Sprachcafé Dülmen")
    _get(client, centre)

    with scopes_disabled():
        provider = Actor.objects.get(pk=offer.provider_id)
        provider.name = "Caritasverband Dülmen e. V."
        provider.save()

    _response, html = _get(client, centre)
    assert "Caritasverband Dülmen e. V." in html


def test_the_commit_starts_a_new_generation_once_per_transaction(centre):
    from django.core.cache import cache

    make_offer(centre, "Sprachcafé Dülmen")
    make_offer(centre, "Nähcafé")
    during = cache.get(DIRECTORY_GENERATION_KEY)

    queued = [
        entry[1] for entry in connection.run_on_commit if entry[1] is DIRECTORY_GENERATION.bump
    ]
    assert len(queued) == 1  # one for the whole transaction, however many rows it wrote
    queued[0]()  # what the commit does
    assert cache.get(DIRECTORY_GENERATION_KEY) != during


def test_a_kept_search_is_still_the_visitors_own_page(client, centre):
    make_offer(centre, "Sprachcafé Dülmen")  # has a place: the page shows a map

    first, first_html = _get(client, centre)
    second, second_html = _get(client, centre)

    nonces = [NONCE.search(html).group(1) for html in (first_html, second_html)]
    assert nonces[0] != nonces[1]
    assert f"'nonce-{nonces[1]}'" in second["Content-Security-Policy"]
    # The language switch of the kept page posts with this visitor's CSRF token.
    token = CSRF.search(second_html).group(1)
    switch = client.post(
        reverse("set_language"),
        {"language": "en", "next": _url(centre), "csrfmiddlewaretoken": token},
    )
    assert switch.status_code == 302


def test_offers_written_in_bulk_by_an_import_show_at_once(client, centre, dana):
    from teilhabe.network.tests.factories import make_actor

    from .test_importing import OFFER_HEADER, _import_offers, _offer

    make_actor(centre, "Caritasverband Coesfeld")
    make_offer(centre, "Frauenfrühstück")
    _get(client, centre)

    report = _import_offers(
        dana, centre, [OFFER_HEADER, _offer("C-1", title="Nähcafé", status="veröffentlicht")]
    )
    assert report.created == 1

    _response, html = _get(client, centre)
    assert "Nähcafé" in html


def test_searches_are_kept_apart_from_the_shared_cache_of_the_rate_limits(client, centre):
    # Anyone can ask for any number of searches: they must not fill the shared cache, where a
    # full cache would push out the log-in rate limits.
    make_offer(centre, "Sprachcafé Dülmen")
    for term in ("Sprach", "Café", "Dülmen", "Nähcafé"):
        _get(client, centre, q=term)

    with connection.cursor() as cursor:
        cursor.execute("SELECT cache_key FROM teilhabe_cache")
        keys = [row[0] for row in cursor.fetchall()]
    assert [key for key in keys if "directory" in key] == [":1:" + DIRECTORY_GENERATION_KEY]


def test_without_a_generation_in_the_shared_cache_no_kept_search_is_served(client, centre):
    from django.core.cache import cache

    offer = make_offer(centre, "Sprachcafé Dülmen")
    cache.delete(DIRECTORY_GENERATION_KEY)
    _get(client, centre)
    # A change no signal reports, and a shared cache that was emptied (restart of Redis, a
    # cleared table): the kept search must not come back.
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE offers_offertext SET title = %s WHERE offer_id = %s", ["Sprachtreff", offer.pk]
        )
    cache.delete(DIRECTORY_GENERATION_KEY)

    _response, html = _get(client, centre)
    assert "Sprachtreff" in html


# The directory API keeps its pages the same way.


def _api(client, centre, host="testserver", **query):
    response = client.get(f"/api/v1/verzeichnis/{centre.slug}/angebote/", query, HTTP_HOST=host)
    assert response.status_code == 200
    return response.json()


def test_an_api_page_asked_again_is_kept_without_searching(client, centre):
    make_offer(centre, "Sprachcafé Dülmen")
    make_offer(centre, "Frauenfrühstück")

    first = _api(client, centre, q="Sprachcafé")
    with CaptureQueriesContext(connection) as again:
        second = _api(client, centre, q="Sprachcafé")

    assert second == first
    assert [offer["title"] for offer in second["results"]] == ["Sprachcafé Dülmen"]
    assert _offer_queries(again.captured_queries) == []
    # another search is its own page
    assert [o["title"] for o in _api(client, centre, q="Frauenfrühstück")["results"]] == [
        "Frauenfrühstück"
    ]
    assert _api(client, centre)["count"] == 2


def test_a_changed_offer_shows_in_the_api_at_once(client, centre):
    offer = make_offer(centre, "Sprachcafé Dülmen")
    assert [o["title"] for o in _api(client, centre)["results"]] == ["Sprachcafé Dülmen"]

    with scopes_disabled():
        text = OfferText.objects.get(offer=offer, language="de")
        text.title = "Sprachtreff Dülmen"
        text.save()

    assert [o["title"] for o in _api(client, centre)["results"]] == ["Sprachtreff Dülmen"]


def test_a_kept_api_page_links_to_the_next_page_on_the_host_that_asked(client, centre):
    for number in range(3):
        make_offer(centre, f"Kurs {number}")

    one = _api(client, centre, host="127.0.0.1", page_size=1)
    other = _api(client, centre, host="localhost", page_size=1)

    assert one["next"].startswith("http://127.0.0.1/")
    assert other["next"].startswith("http://localhost/")
