"""Partners keep their own offers; nothing goes live without the centre's review."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django_scopes import scope, scopes_disabled

from teilhabe.core.models import Organisation
from teilhabe.network.models import Actor
from teilhabe.network.tests.factories import make_actor
from teilhabe.offers.models import Offer
from teilhabe.offers.services import save_partner_offer
from teilhabe.offers.tests.factories import make_offer

pytestmark = pytest.mark.django_db


@pytest.fixture
def own_actor(centre, partner_user):
    with scopes_disabled():
        organisation = Organisation.objects.get(centre=centre)
        return Actor.objects.create(
            centre=centre, name=organisation.name, kind="provider", organisation=organisation
        )


def test_partner_creates_an_offer_that_waits_for_review(partner_user, own_actor, centre):
    with scope(centre=[centre.pk]):
        offer = save_partner_offer(
            partner_user,
            own_actor,
            title="Elterncafé",
            description="Für Eltern.",
            field_of_action="education",
        )
    assert offer.status == Offer.Status.REVIEW
    assert offer.provider == own_actor and offer.centre == centre


def test_a_changed_published_offer_leaves_the_directory_until_reviewed(
    partner_user, own_actor, centre
):
    offer = make_offer(centre, "Elterncafé", provider=own_actor)
    with scope(centre=[centre.pk]):
        save_partner_offer(
            partner_user,
            own_actor,
            offer=offer,
            title="Elterncafé neu",
            description="Jetzt dienstags.",
            field_of_action="education",
        )
    with scopes_disabled():
        offer.refresh_from_db()
        assert offer.status == Offer.Status.REVIEW
        assert not Offer.objects.published().filter(pk=offer.pk).exists()


def test_partner_cannot_touch_another_providers_offer(partner_user, own_actor, centre):
    foreign = make_offer(centre, provider=make_actor(centre))
    with scope(centre=[centre.pk]):
        with pytest.raises((PermissionDenied, ValidationError)):
            save_partner_offer(
                partner_user,
                own_actor,
                offer=foreign,
                title="x",
                description="y",
                field_of_action="education",
            )
        with pytest.raises(PermissionDenied):
            save_partner_offer(
                partner_user,
                foreign.provider,
                title="x",
                description="y",
                field_of_action="education",
            )


def test_partner_pages_show_only_own_offers(client, partner_user, own_actor, centre):
    mine = make_offer(centre, "Unser Sprachcafé", provider=own_actor)
    other = make_offer(centre, "Fremdes Angebot")
    client.force_login(partner_user)
    listing = client.get(reverse("offers:partner-offers"))
    assert list(listing.context["object_list"]) == [mine]
    assert client.get(reverse("offers:partner-offer-update", args=[mine.pk])).status_code == 200
    assert client.get(reverse("offers:partner-offer-update", args=[other.pk])).status_code == 404
    response = client.post(
        reverse("offers:partner-offer-update", args=[mine.pk]),
        {
            "title": "Unser Sprachcafé",
            "description": "Neu: auch samstags.",
            "field_of_action": "migration",
            "availability": "available",
            "free_of_charge": "on",
        },
    )
    assert response.status_code == 302
    with scopes_disabled():
        mine.refresh_from_db()
        assert mine.status == Offer.Status.REVIEW
        assert mine.text("de").description == "Neu: auch samstags."


def test_stale_period_follows_the_setting(centre, settings):
    import datetime

    offer = make_offer(centre, last_verified=datetime.date(2026, 1, 10))
    today = datetime.date(2026, 11, 21)
    settings.OFFER_STALE_MONTHS = 12
    assert not offer.is_stale(today=today)
    settings.OFFER_STALE_MONTHS = 6
    assert offer.is_stale(today=today)
