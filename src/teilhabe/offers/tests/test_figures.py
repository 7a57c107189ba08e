"""The offers' figures: status at month end from the status history, rubrics, stale offers."""

from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django_scopes import scope, scopes_disabled

from teilhabe.core.tenancy import centre_ids
from teilhabe.network.tests.factories import make_actor
from teilhabe.offers import services
from teilhabe.offers.models import DEFAULT_RUBRICS, Offer, OfferSettings, Rubric
from teilhabe.offers.tests.factories import make_offer
from teilhabe.reporting.registry import Period, get, metrics

pytestmark = pytest.mark.django_db

S = Offer.Status
BERLIN = ZoneInfo("Europe/Berlin")
AUGUST, SEPTEMBER, OCTOBER = Period(2026, 8), Period(2026, 9), Period(2026, 10)


def _on(day, hour=12):
    return time_machine.travel(datetime.datetime(2026, *day, hour, tzinfo=BERLIN), tick=False)


def _count(name, centre, period):
    with scopes_disabled():
        return get(name).compute(centre, period)


def _acting(user):
    return scope(centre=centre_ids(user.active_memberships()))


def test_status_figures_count_the_status_at_month_end(centre, dana):
    provider = make_actor(centre)
    town = centre.municipalities().first()
    with _on((9, 5)), _acting(dana):
        offer = services.save_offer(
            dana,
            centre,
            title="Sprachcafé",
            description="Deutsch üben.",
            provider=provider,
            field_of_action="migration",
        )
        services.add_location(dana, offer, municipality=town)
        services.change_status(dana, offer, to=S.REVIEW)
    with _on((10, 2)), _acting(dana):
        services.change_status(dana, offer, to=S.PUBLISHED)
    # The last moment of October in Berlin still belongs to October.
    with _on((10, 31), 23), _acting(dana):
        services.change_status(dana, offer, to=S.ARCHIVED)
    with _on((11, 3)), _acting(dana):
        services.change_status(dana, offer, to=S.DRAFT)

    assert _count("offers.status.review", centre, AUGUST) == 0  # not created yet
    assert _count("offers.status.review", centre, SEPTEMBER) == 1
    assert _count("offers.published", centre, SEPTEMBER) == 0
    assert _count("offers.status.archived", centre, OCTOBER) == 1
    assert _count("offers.published", centre, OCTOBER) == 0
    assert _count("offers.status.draft", centre, Period(2026, 11)) == 1


def test_an_offer_without_history_counts_with_its_current_status(centre):
    with _on((9, 5)):
        make_offer(centre, status=S.PUBLISHED)  # the demo writes no history
    assert _count("offers.published", centre, SEPTEMBER) == 1
    assert _count("offers.published", centre, AUGUST) == 0


def test_published_offers_are_counted_by_default_rubric_own_rubric_and_none(centre, other_centre):
    own = Rubric.objects.create(centre=centre, field_of_action="education", name="Lesepaten")
    sport = Rubric.objects.get(key="sport")
    with _on((9, 5)):
        make_offer(centre, field_of_action="cross_cutting", rubric=sport)
        make_offer(centre, field_of_action="cross_cutting", rubric=sport)
        make_offer(centre, field_of_action="cross_cutting", rubric=sport, status=S.DRAFT)
        make_offer(other_centre, field_of_action="cross_cutting", rubric=sport)
        make_offer(centre, field_of_action="education", rubric=own)
        make_offer(centre)
    assert _count("offers.rubric.sport", centre, SEPTEMBER) == 2
    assert _count("offers.rubric.sport", other_centre, SEPTEMBER) == 1
    assert _count("offers.rubric.culture", centre, SEPTEMBER) == 0
    assert _count("offers.rubric.own", centre, SEPTEMBER) == 1
    assert _count("offers.rubric.none", centre, SEPTEMBER) == 1
    assert _count("offers.rubric.sport", centre, AUGUST) == 0


def test_every_default_rubric_has_a_figure():
    names = {m.name for m in metrics()}
    keys = {key for rubrics in DEFAULT_RUBRICS.values() for key, _name in rubrics}
    assert {f"offers.rubric.{key}" for key in keys} | {"offers.rubric.own"} <= names


def test_stale_offers_follow_the_centres_own_period(centre, settings):
    settings.OFFER_STALE_MONTHS = 12
    with _on((9, 5)):
        make_offer(centre, last_verified=datetime.date(2026, 3, 1))
    assert _count("offers.stale", centre, SEPTEMBER) == 0
    with scopes_disabled():
        OfferSettings.objects.create(centre=centre, stale_months=6)
    assert _count("offers.stale", centre, SEPTEMBER) == 1
