"""The offers' part of ``teilhabe seed`` at state scale, with the network's actors."""

from __future__ import annotations

import pytest
from django_scopes import scopes_disabled

from teilhabe.core.demo import load_demo
from teilhabe.core.models import Centre
from teilhabe.network import generators
from teilhabe.network.models import Actor

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo():
    load_demo()


def _actors(slug: str):
    return Actor.objects.filter(centre__slug=slug)


def test_state_shares_actors_and_offers_among_the_gemeinden_by_their_residents(demo):
    from django.db.models import Count

    from teilhabe.offers import generators as offer_generators
    from teilhabe.offers.models import OfferLocation, OfferText

    with scopes_disabled():
        kreis = Centre.objects.select_related("district").get(district__ags="05562")  # RE
        fixed = len(generators.KREIS_ACTORS) + len(generators.WELFARE)

        actors = generators.populate(kreis, 7, 4, local_total=200)
        offers = offer_generators.populate(kreis, 7, 14, total=300)
        again = (
            generators.populate(kreis, 7, 4, local_total=200),
            offer_generators.populate(kreis, 7, 14, total=300),
        )

        assert (actors, offers, again) == (fixed + 200, 300, (0, 0))
        assert len(set(_actors(kreis.slug).values_list("name", flat=True))) == fixed + 200
        titles = OfferText.objects.filter(offer__centre=kreis, language="de")
        assert titles.values("title").distinct().count() == 300
        # The Kreis' seat is Recklinghausen; its biggest towns have the most.
        assert _actors(kreis.slug).get(name="Jobcenter Kreis Recklinghausen").municipality.name == (
            "Recklinghausen"
        )
        local = dict(_actors(kreis.slug).values_list("municipality__name").annotate(n=Count("pk")))
        places = dict(
            OfferLocation.objects.filter(offer__centre=kreis)
            .values_list("municipality__name")
            .annotate(n=Count("pk"))
        )
        for counts in (local, places):
            assert counts["Recklinghausen"] > counts["Marl"] > counts["Oer-Erkenschwick"] > 0
