"""Doppelstrukturen: similar offers for the same place and people are found and reviewed."""

import datetime
import itertools
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.urls import reverse
from django_scopes import scope, scopes_disabled

from teilhabe.core.tests.factories import make_member
from teilhabe.offers import views
from teilhabe.offers.duplicates import find_candidates
from teilhabe.offers.models import DuplicateDecision, Offer
from teilhabe.offers.services import decide_duplicate
from teilhabe.offers.tests.factories import make_offer

pytestmark = pytest.mark.django_db

CAFE = "Deutsch sprechen in lockerer Runde, ohne Anmeldung. Ehrenamtliche helfen beim Üben."


def _candidates(centre):
    with scopes_disabled():
        offers = Offer.objects.filter(centre=centre).prefetch_related("texts", "locations")
        return {(c.a.title(), c.b.title()): c.score for c in find_candidates(offers)}


def test_similar_offers_in_the_same_gemeinde_are_paired(centre):
    make_offer(centre, "Sprachcafé Coesfeld", description=CAFE)
    make_offer(centre, "Sprach-Café in Coesfeld", description=CAFE.replace("Runde", "Runden"))
    make_offer(centre, "Bewerbungstraining", description="Lebenslauf und Anschreiben üben.")
    pairs = _candidates(centre)
    assert list(pairs) == [("Sprachcafé Coesfeld", "Sprach-Café in Coesfeld")]
    assert 0.45 <= next(iter(pairs.values())) <= 1


def test_other_field_or_other_ages_are_not_duplicates(centre):
    make_offer(centre, "Sprachcafé", description=CAFE, field_of_action="migration")
    make_offer(centre, "Sprachcafé", description=CAFE, field_of_action="education")
    make_offer(
        centre,
        "Sprachcafé für Kinder",
        description=CAFE,
        field_of_action="migration",
        min_age=6,
        max_age=10,
    )
    make_offer(
        centre,
        "Sprachcafé für Erwachsene",
        description=CAFE,
        field_of_action="migration",
        min_age=18,
    )
    pairs = _candidates(centre)
    # the open-age migration café overlaps both age groups; the two age groups do not overlap
    assert ("Sprachcafé für Kinder", "Sprachcafé für Erwachsene") not in pairs
    assert all("education" not in key for key in pairs)
    assert len(pairs) == 2


def test_a_decision_is_kept_and_replaced_by_a_later_one(centre):
    clerk = make_member("clerk@example.org", "clerk", centre)
    a = make_offer(centre, "Sprachcafé A", description=CAFE)
    b = make_offer(centre, "Sprachcafé B", description=CAFE)
    with scope(centre=[centre.pk]):
        decide_duplicate(clerk, b, a, verdict="duplicate", score=0.9)
        decide_duplicate(clerk, a, b, verdict="complementary", score=0.9, note="andere Zeiten")
    with scopes_disabled():
        decision = DuplicateDecision.objects.get()
    assert (decision.first_id, decision.second_id) == (a.pk, b.pk)
    assert (decision.verdict, decision.note, decision.decided_by) == (
        "complementary",
        "andere Zeiten",
        clerk,
    )


def test_offers_of_two_centres_cannot_be_compared(centre, other_centre):
    user = make_member("both@example.org", "clerk", centre)
    make_member("both@example.org", "clerk", other_centre, user=user)
    a, b = make_offer(centre), make_offer(other_centre)
    with scope(centre=[centre.pk, other_centre.pk]), pytest.raises(ValidationError):
        decide_duplicate(user, a, b, verdict="duplicate", score=0.9)


def test_review_page_lists_open_pairs_and_hides_decided_ones(client, centre, dana):
    a = make_offer(centre, "Sprachcafé A", description=CAFE)
    b = make_offer(centre, "Sprachcafé B", description=CAFE)
    client.force_login(dana)
    page = client.get(reverse("offers:duplicates"))
    assert page.status_code == 200
    assert [(c.a, c.b) for c, _d in page.context["page_obj"]] == [(a, b)]
    response = client.post(
        reverse("offers:duplicate-decide", args=[a.pk, b.pk]),
        {"verdict": "duplicate", "score": "0.93", "zeige": "offen"},
    )
    assert response.status_code == 302
    assert list(client.get(reverse("offers:duplicates")).context["page_obj"]) == []
    decided = client.get(reverse("offers:duplicates"), {"zeige": "alle"}).context["page_obj"]
    assert [d.verdict for _c, d in decided] == ["duplicate"]


def test_review_pages_keep_the_centres_pairs_in_one_order(
    client, monkeypatch, centre, other_centre
):
    """Offers of two centres changed at the same moment: the later made centre's pairs first."""
    monkeypatch.setattr(views, "Paginator", lambda rows, _per_page: Paginator(rows, 4))
    user = make_member("both@example.org", "clerk", centre)
    make_member("both@example.org", "clerk", other_centre, user=user)
    moment = datetime.datetime(2026, 11, 20, 10, 0, tzinfo=ZoneInfo("Europe/Berlin"))
    with time_machine.travel(moment, tick=False):
        first = [make_offer(centre, "Sprachcafé", description=CAFE) for _ in range(3)]
        second = [make_offer(other_centre, "Sprachcafé", description=CAFE) for _ in range(3)]
    client.force_login(user)

    pages = [
        client.get(reverse("offers:duplicates"), {"page": n}).context["page_obj"] for n in (1, 2)
    ]

    pairs = [(c.a.pk, c.b.pk) for page in pages for c, _decision in page]
    each_pair = [
        (x.pk, y.pk) for offers in (second, first) for x, y in itertools.combinations(offers, 2)
    ]
    assert pairs == each_pair
