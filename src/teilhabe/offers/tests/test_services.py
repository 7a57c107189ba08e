"""The rules of the offers directory: texts and translations, places, times, the workflow."""

from __future__ import annotations

import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from auditlog.models import LogEntry
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import F
from django.utils import translation
from django_scopes import scope, scopes_disabled

from teilhabe.core.demo import DEMO_CENTRE, SECOND_CENTRE, load_demo
from teilhabe.core.models import Centre
from teilhabe.core.tenancy import centre_ids
from teilhabe.core.tests.factories import make_member
from teilhabe.network import generators as network_generators
from teilhabe.network.tests.factories import make_actor
from teilhabe.offers import generators, services
from teilhabe.offers.models import Offer, OfferLocation, OfferText, OpeningHours
from teilhabe.offers.tests.factories import make_offer

pytestmark = pytest.mark.django_db

S = Offer.Status
TODAY = datetime.date(2026, 11, 20)


@pytest.fixture
def today():
    """Fix the day: publishing and confirming record it."""
    moment = datetime.datetime(2026, 11, 20, 10, 0, tzinfo=ZoneInfo("Europe/Berlin"))
    with time_machine.travel(moment, tick=False):
        yield TODAY


@pytest.fixture
def provider(centre):
    return make_actor(centre, "Caritas Coesfeld")


@pytest.fixture
def clerk(centre):
    """Clara: administrative officer of the centre; she keeps offers but does not publish."""
    return make_member("clara@example.org", "clerk", centre)


def _acting(user):
    """Enter the scope the middleware gives ``user``'s requests: their own centres."""
    return scope(centre=centre_ids(user.active_memberships()))


def _fresh(obj):
    with scopes_disabled():
        return type(obj).objects.get(pk=obj.pk)


def _authors(obj, action):
    return [e.actor for e in LogEntry.objects.get_for_object(obj).filter(action=action)]


def _set(obj, **fields):
    """Change ``obj`` behind the services' back (saved, so that the history stays complete)."""
    with scopes_disabled():
        obj = type(obj).objects.get(pk=obj.pk)
        for name, value in fields.items():
            setattr(obj, name, value)
        obj.save()


def _count(model):
    with scopes_disabled():
        return model.objects.count()


def _texts(offer):
    with scopes_disabled():
        return sorted(
            OfferText.objects.filter(offer=offer).values_list(
                "language", "title", "source_revision"
            )
        )


def _translation_status(offer):
    with scopes_disabled():
        return _fresh(offer).translation_status()


def _draft(centre, **fields):
    """Return an offer (a draft unless told) with its German text, a place and a time."""
    fields.setdefault("status", S.DRAFT)
    return make_offer(centre, "Sprachcafé Dülmen", **fields)


# save_offer


def _save(user, centre, *, title="Sprachcafé", description="Deutsch üben.", **data):
    data.setdefault("field_of_action", "migration")
    with _acting(user):
        return services.save_offer(user, centre, title=title, description=description, **data)


def test_save_offer_creates_a_draft_with_its_german_text(dana, centre, provider):
    offer = _save(
        dana,
        centre,
        title="  Sprachcafé Dülmen ",
        description="Deutsch sprechen in lockerer Runde.",
        provider=provider,
        min_age=16,
        residence_statuses=["protection", "eu_citizen"],
        languages="Deutsch, Arabisch",
    )

    offer = _fresh(offer)
    assert (offer.centre, offer.provider, offer.status) == (centre, provider, S.DRAFT)
    assert (offer.min_age, offer.max_age) == (16, None)
    assert offer.residence_statuses == ["protection", "eu_citizen"]
    assert offer.revision == 1
    with scopes_disabled():
        german = offer.texts.get()
    assert (german.language, german.title) == ("de", "Sprachcafé Dülmen")
    assert german.description == "Deutsch sprechen in lockerer Runde."
    assert german.source_revision == 1
    assert _translation_status(offer) == {
        "de": "current",
        "en": "missing",
        "ar": "missing",
        "uk": "missing",
        "tr": "missing",
        "ru": "missing",
        "fa": "missing",
    }
    assert _authors(offer, LogEntry.Action.CREATE) == [dana]
    assert _authors(german, LogEntry.Action.CREATE) == [dana]


def test_changing_the_german_text_raises_the_revision_and_outdates_translations(
    dana, centre, provider
):
    offer = _save(dana, centre, provider=provider)
    with _acting(dana):
        services.save_translation(
            dana, offer, language="en", title="Language café", description="Practise German."
        )
    assert _translation_status(offer)["en"] == "current"

    _save(dana, centre, offer=_fresh(offer), title="Sprachcafé", description="Neue Zeiten.")

    offer = _fresh(offer)
    assert offer.revision == 2
    assert _texts(offer) == [("de", "Sprachcafé", 2), ("en", "Language café", 1)]
    status = _translation_status(offer)
    assert (status["de"], status["en"], status["ar"]) == ("current", "outdated", "missing")
    with scopes_disabled():
        german = offer.texts.get(language="de")
    assert _authors(german, LogEntry.Action.UPDATE) == [dana]


def test_changing_other_fields_keeps_the_revision_and_the_translations_current(
    dana, centre, provider
):
    offer = _save(dana, centre, provider=provider)
    with _acting(dana):
        services.save_translation(
            dana, offer, language="en", title="Language café", description="Practise German."
        )

    _save(
        dana,
        centre,
        offer=_fresh(offer),
        capacity=12,
        availability=Offer.Availability.LIMITED,
        accessible=True,
    )

    offer = _fresh(offer)
    assert (offer.capacity, offer.availability, offer.accessible) == (12, "limited", True)
    assert offer.provider == provider  # kept when not given again
    assert offer.revision == 1
    assert _translation_status(offer)["en"] == "current"
    assert _authors(offer, LogEntry.Action.UPDATE) == [dana]


def test_saving_the_same_german_text_with_blanks_keeps_translations_current(dana, centre, provider):
    offer = _save(dana, centre, provider=provider, title="Sprachcafé", description="Üben.")
    with _acting(dana):
        services.save_translation(
            dana, offer, language="en", title="Language café", description="Practise."
        )

    _save(dana, centre, offer=_fresh(offer), title="Sprachcafé ", description=" Üben.")

    assert _fresh(offer).revision == 1
    assert _translation_status(offer)["en"] == "current"


def test_save_offer_refuses_a_provider_of_another_centre(dana, centre, other_centre):
    foreign = make_actor(other_centre, "Caritas Münster")

    with pytest.raises(ValidationError) as excinfo:
        _save(dana, centre, provider=foreign)
    with pytest.raises(ValidationError) as without:
        _save(dana, centre)

    assert set(excinfo.value.error_dict) == {"provider"}
    assert set(without.value.error_dict) == {"provider"}
    assert (_count(Offer), _count(OfferText)) == (0, 0)


def test_save_offer_refuses_a_maximum_age_below_the_minimum(dana, centre, provider):
    with pytest.raises(ValidationError) as excinfo:
        _save(dana, centre, provider=provider, min_age=27, max_age=12)

    assert set(excinfo.value.error_dict) == {"max_age"}
    assert (_count(Offer), _count(OfferText)) == (0, 0)
    # an open-ended or equal range is fine
    _save(dana, centre, provider=provider, min_age=27)
    _save(dana, centre, provider=provider, min_age=12, max_age=12)
    assert _count(Offer) == 2


def test_save_offer_explains_an_age_range_the_wrong_way_round(dana, centre, provider):
    with pytest.raises(ValidationError) as excinfo, translation.override("en"):
        _save(dana, centre, provider=provider, min_age=27, max_age=12)

    assert set(excinfo.value.error_dict) == {"max_age"}
    assert "offer_age_range" not in " ".join(excinfo.value.messages)


def test_save_offer_refuses_an_unknown_residence_status(dana, centre, provider):
    with pytest.raises(ValidationError) as excinfo:
        _save(dana, centre, provider=provider, residence_statuses=["protection", "citizen"])

    assert set(excinfo.value.error_dict) == {"residence_statuses"}
    assert _count(Offer) == 0


def test_save_offer_is_refused_to_a_case_manager(alice, centre, provider):
    offer = _draft(centre, provider=provider)

    with pytest.raises(PermissionDenied):
        _save(alice, centre, provider=provider, title="Neu")
    with pytest.raises(PermissionDenied):
        _save(alice, centre, offer=offer, title="Umbenannt")

    assert _count(Offer) == 1
    assert _texts(offer) == [("de", "Sprachcafé Dülmen", 1)]


def test_save_offer_is_refused_to_the_administration_of_another_centre(charlie, centre, provider):
    offer = _draft(centre, provider=provider)

    with pytest.raises(PermissionDenied):
        _save(charlie, centre, provider=provider, title="Fremd")
    with pytest.raises(PermissionDenied):
        _save(charlie, centre, offer=offer, title="Übernommen")

    assert _count(Offer) == 1
    assert _texts(offer) == [("de", "Sprachcafé Dülmen", 1)]


# save_translation


def _translate(user, offer, language="en", title="Language café", description="Practise."):
    with _acting(user):
        return services.save_translation(
            user, offer, language=language, title=title, description=description
        )


def test_save_translation_refuses_german_and_keeps_the_german_text(dana, centre):
    offer = _draft(centre)

    for language in ("de", "xx"):
        with pytest.raises(ValidationError) as excinfo:
            _translate(dana, offer, language=language, title="Überschrieben")
        assert set(excinfo.value.error_dict) == {"language"}

    assert _texts(offer) == [("de", "Sprachcafé Dülmen", 1)]


def test_save_translation_records_the_revision_it_was_made_from(dana, centre):
    offer = _draft(centre)
    _set(offer, revision=3)

    text = _translate(dana, _fresh(offer), language="uk", title="Мовне кафе")
    again = _translate(dana, _fresh(offer), language="uk", title="Мовне кафе Дюльмен")

    assert text.pk == again.pk
    assert _texts(offer) == [("de", "Sprachcafé Dülmen", 1), ("uk", "Мовне кафе Дюльмен", 3)]
    assert _translation_status(offer)["uk"] == "current"
    assert _authors(text, LogEntry.Action.UPDATE) == [dana]


def test_translating_after_a_german_change_makes_the_translation_current_again(
    dana, centre, provider
):
    offer = _save(dana, centre, provider=provider)
    _translate(dana, offer)
    _save(dana, centre, offer=_fresh(offer), description="Neue Beschreibung.")
    assert _translation_status(offer)["en"] == "outdated"

    _translate(dana, _fresh(offer), description="New description.")

    assert _texts(offer) == [("de", "Sprachcafé", 2), ("en", "Language café", 2)]
    assert _translation_status(offer)["en"] == "current"


def test_save_translation_is_refused_to_a_case_manager(alice, centre):
    offer = _draft(centre)

    with pytest.raises(PermissionDenied):
        _translate(alice, offer)

    assert _texts(offer) == [("de", "Sprachcafé Dülmen", 1)]


# Places and times


def _add_location(user, offer, **data):
    with _acting(user):
        return services.add_location(user, offer, **data)


def _add_hours(user, offer, **data):
    data.setdefault("weekday", OpeningHours.Weekday.WEDNESDAY)
    with _acting(user):
        return services.add_opening_hours(user, offer, **data)


def _towns(centre):
    with scopes_disabled():
        return list(centre.municipalities().exclude(latitude=None).order_by("name")[:2])


def test_add_location_copies_the_coordinates_of_the_gemeinde(dana, centre):
    offer = _draft(centre)
    town = _towns(centre)[1]

    place = _add_location(dana, offer, name="Rathaus", street="Markt 1", municipality=town)

    place = _fresh(place)
    assert (place.offer, place.municipality, place.name) == (offer, town, "Rathaus")
    assert (place.latitude, place.longitude) == (town.latitude, town.longitude)
    assert place.latitude is not None


def test_add_location_keeps_coordinates_given(dana, centre):
    offer = _draft(centre)
    town = _towns(centre)[0]

    place = _add_location(
        dana, offer, municipality=town, latitude=Decimal("51.94567"), longitude=Decimal("7.16789")
    )

    place = _fresh(place)
    assert (place.latitude, place.longitude) == (Decimal("51.94567"), Decimal("7.16789"))


def test_add_location_refuses_a_gemeinde_outside_the_centre(dana, centre, other_centre):
    offer = _draft(centre)
    with scopes_disabled():
        muenster = other_centre.municipalities().first()

    with pytest.raises(ValidationError) as excinfo:
        _add_location(dana, offer, name="Schloss", municipality=muenster)

    assert set(excinfo.value.error_dict) == {"municipality"}
    with scopes_disabled():
        assert offer.locations.count() == 1  # the factory's


def test_add_location_is_refused_to_a_case_manager(alice, centre):
    offer = _draft(centre)

    with pytest.raises(PermissionDenied):
        _add_location(alice, offer, municipality=_towns(centre)[0])

    assert _count(OfferLocation) == 1


def test_add_opening_hours_adds_a_slot_at_a_place_of_the_offer(dana, centre):
    offer = _draft(centre)
    with scopes_disabled():
        place = offer.locations.get()

    slot = _add_hours(
        dana,
        offer,
        location=place,
        opens_at=datetime.time(9, 30),
        closes_at=datetime.time(11),
        note="nicht in den Ferien",
    )

    slot = _fresh(slot)
    assert (slot.offer, slot.location, slot.weekday) == (offer, place, 3)
    assert (slot.opens_at, slot.closes_at) == (datetime.time(9, 30), datetime.time(11))


@pytest.mark.parametrize("closes_at", [datetime.time(9), datetime.time(10)])
def test_add_opening_hours_refuses_an_end_before_the_start(dana, centre, closes_at):
    offer = _draft(centre)

    with pytest.raises(ValidationError) as excinfo:
        _add_hours(dana, offer, opens_at=datetime.time(10), closes_at=closes_at)

    assert set(excinfo.value.error_dict) == {"closes_at"}
    assert _count(OpeningHours) == 1  # the factory's


def test_add_opening_hours_refuses_a_place_of_another_offer(dana, centre):
    offer, other = _draft(centre), _draft(centre)
    with scopes_disabled():
        elsewhere = other.locations.get()

    with pytest.raises(ValidationError) as excinfo:
        _add_hours(
            dana, offer, location=elsewhere, opens_at=datetime.time(9), closes_at=datetime.time(10)
        )

    assert set(excinfo.value.error_dict) == {"location"}
    assert _count(OpeningHours) == 2  # the factory's


def test_removing_places_and_times_is_refused_to_a_case_manager(alice, dana, centre):
    offer = _draft(centre)
    with scopes_disabled():
        place, slot = offer.locations.get(), offer.opening_hours.get()

    with pytest.raises(PermissionDenied), _acting(alice):
        services.remove_opening_hours(alice, slot)
    with pytest.raises(PermissionDenied), _acting(alice):
        services.remove_location(alice, place)
    assert (_count(OfferLocation), _count(OpeningHours)) == (1, 1)

    with _acting(dana):
        services.remove_location(dana, place)
    assert (_count(OfferLocation), _count(OpeningHours)) == (0, 0)  # its time goes with it


# change_status


def _move(user, offer, to):
    with _acting(user):
        return services.change_status(user, _fresh(offer), to=to)


def _status(offer):
    return _fresh(offer).status


def test_status_transitions_are_exactly_those_of_the_table(dana, centre):
    offer = _draft(centre)

    for now in S.values:
        for to in S.values:
            _set(offer, status=now)
            if (now, to) in services.TRANSITIONS:
                _move(dana, offer, to)
                assert _status(offer) == to
            else:
                with pytest.raises(ValidationError):
                    _move(dana, offer, to)
                assert _status(offer) == now, (now, to)


def test_a_clerk_proposes_an_offer_and_the_administration_publishes_it(clerk, dana, centre, today):
    offer = _draft(centre, last_verified=datetime.date(2025, 1, 1))

    _move(clerk, offer, S.REVIEW)
    assert _status(offer) == S.REVIEW
    with pytest.raises(PermissionDenied):
        _move(clerk, offer, S.PUBLISHED)
    assert _status(offer) == S.REVIEW

    _move(dana, offer, S.PUBLISHED)

    offer = _fresh(offer)
    assert (offer.status, offer.last_verified) == (S.PUBLISHED, today)
    updates = LogEntry.objects.get_for_object(offer).filter(action=LogEntry.Action.UPDATE)
    assert [e.actor for e in updates.order_by("pk")] == [clerk, dana]


@pytest.mark.parametrize("role", ["leadership", "coordinator", "administration"])
def test_leadership_coordination_and_administration_may_publish(centre, role):
    user = make_member(f"{role}@example.org", role, centre)
    offer = _draft(centre, status=S.REVIEW)

    _move(user, offer, S.PUBLISHED)

    assert _status(offer) == S.PUBLISHED


@pytest.mark.parametrize(("role", "to"), [("case_manager", S.REVIEW), ("clerk", S.PUBLISHED)])
def test_others_may_not_move_the_offer(centre, role, to):
    user = make_member(f"{role}@example.org", role, centre)
    offer = _draft(centre, status=S.REVIEW if to == S.PUBLISHED else S.DRAFT)

    with pytest.raises(PermissionDenied):
        _move(user, offer, to)


def test_the_administration_of_another_centre_may_not_publish(charlie, centre):
    offer = _draft(centre, status=S.REVIEW)

    with pytest.raises(PermissionDenied):
        _move(charlie, offer, S.PUBLISHED)

    assert _status(offer) == S.REVIEW


def test_publishing_needs_a_german_text(dana, centre, provider):
    with scopes_disabled():
        offer = Offer.objects.create(
            centre=centre, provider=provider, field_of_action="migration", status=S.REVIEW
        )
        OfferLocation.objects.create(offer=offer, municipality=centre.municipalities().first())
        OfferText.objects.create(offer=offer, language="en", title="Café", description="Café.")

    with pytest.raises(ValidationError) as excinfo, translation.override("en"):
        _move(dana, offer, S.PUBLISHED)

    assert excinfo.value.messages == ["The offer needs a German title and description."]
    assert _status(offer) == S.REVIEW


def test_publishing_needs_a_place(dana, centre):
    offer = _draft(centre, status=S.REVIEW)
    with scopes_disabled():
        OfferLocation.objects.filter(offer=offer).delete()

    with pytest.raises(ValidationError) as excinfo, translation.override("en"):
        _move(dana, offer, S.PUBLISHED)

    assert excinfo.value.messages == ["The offer needs at least one place."]
    assert _status(offer) == S.REVIEW


def test_an_archived_offer_can_become_a_draft_again(clerk, centre):
    offer = _draft(centre, status=S.ARCHIVED)

    _move(clerk, offer, S.DRAFT)

    assert _status(offer) == S.DRAFT


def test_a_published_offer_cannot_go_back_to_review(dana, centre):
    offer = _draft(centre, status=S.PUBLISHED)

    with pytest.raises(ValidationError) as excinfo, translation.override("en"):
        _move(dana, offer, S.REVIEW)

    assert excinfo.value.messages == ["An offer that is “published” cannot become “in review”."]
    assert _status(offer) == S.PUBLISHED


# confirm_offer


def test_confirm_offer_records_today_as_last_verified(dana, centre, today):
    offer = _draft(centre, status=S.PUBLISHED, last_verified=datetime.date(2025, 3, 1))
    assert _fresh(offer).is_stale(today=today)

    with _acting(dana):
        services.confirm_offer(dana, _fresh(offer))

    offer = _fresh(offer)
    assert offer.last_verified == today
    assert not offer.is_stale(today=today)
    assert offer.status == S.PUBLISHED
    assert _authors(offer, LogEntry.Action.UPDATE) == [dana]


def test_confirm_offer_is_refused_to_a_case_manager(alice, centre):
    offer = _draft(centre, last_verified=datetime.date(2025, 3, 1))

    with pytest.raises(PermissionDenied), _acting(alice):
        services.confirm_offer(alice, _fresh(offer))

    assert _fresh(offer).last_verified == datetime.date(2025, 3, 1)


# The demo offers


def test_generate_gives_both_demo_centres_offers_and_a_second_run_adds_none():
    load_demo()
    network_generators.generate("demo", 2026, 1.0)

    created = generators.generate("demo", 2026, 1.0)

    with scopes_disabled():
        centres = list(Centre.objects.filter(slug__in=[DEMO_CENTRE, SECOND_CENTRE]))
        counts = {c.slug: Offer.objects.filter(centre=c).count() for c in centres}
        assert created == {"offers": sum(counts.values())}
        assert counts[DEMO_CENTRE] >= 300  # 11 Gemeinden, about 28 offers each
        assert counts[SECOND_CENTRE] > 0
        published = Offer.objects.filter(status=S.PUBLISHED)
        assert published.count() > Offer.objects.exclude(status=S.PUBLISHED).count()
        assert not published.filter(locations=None).exists()
        assert not published.exclude(texts__language="de").exists()
        assert not Offer.objects.exclude(provider__centre=F("centre")).exists()
        for centre in centres:
            places = OfferLocation.objects.filter(offer__centre=centre)
            assert not places.exclude(municipality__in=centre.municipalities()).exists()

    assert generators.generate("demo", 2026, 1.0) == {"offers": 0}
    assert _count(Offer) == sum(counts.values())
