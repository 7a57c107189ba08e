"""Staff pages of the offers directory: list, detail, form and the actions on an offer's page."""

from __future__ import annotations

import datetime
import re

import pytest
from auditlog.models import LogEntry
from django.contrib import messages
from django.urls import reverse
from django.utils import timezone
from django_scopes import scopes_disabled

from teilhabe.core.tests.factories import make_member
from teilhabe.network.tests.factories import make_actor
from teilhabe.offers.models import Offer, OfferLocation, OfferText, OpeningHours, Rubric
from teilhabe.offers.tests.factories import make_offer

pytestmark = pytest.mark.django_db

S = Offer.Status
OFFER_LIST = reverse("offers:offer-list")
OFFER_CREATE = reverse("offers:offer-create")
ENGLISH = {"accept-language": "en"}


@pytest.fixture
def clerk(centre):
    """Clara: administrative officer of the centre; she keeps offers but does not publish."""
    return make_member("clara@example.org", "clerk", centre)


def _url(name, obj):
    return reverse(f"offers:{name}", args=[obj.pk])


def _messages(response):
    return [(m.level, str(m)) for m in messages.get_messages(response.wsgi_request)]


def _fresh(obj):
    with scopes_disabled():
        return type(obj).objects.get(pk=obj.pk)


def _count(model):
    with scopes_disabled():
        return model.objects.count()


def _towns(centre):
    with scopes_disabled():
        return list(centre.municipalities().order_by("name")[:2])


def _move_to(offer, town):
    """Put the offer's (only) place in ``town``."""
    with scopes_disabled():
        place = offer.locations.get()
        place.municipality = town
        place.save()


def _titles(response):
    return [o.title() for o in response.context["object_list"]]


# List


def test_offer_list_shows_only_offers_of_the_own_centre(client, alice, centre, other_centre):
    make_offer(centre, "Sprachcafé Dülmen")
    make_offer(centre, "Bewerbungstraining", status=S.DRAFT)
    make_offer(other_centre, "Sprachcafé Münster")
    client.force_login(alice)

    response = client.get(OFFER_LIST)

    assert response.status_code == 200
    assert sorted(_titles(response)) == ["Bewerbungstraining", "Sprachcafé Dülmen"]
    assert "Sprachcafé Münster" not in response.content.decode()
    # a case manager reads but adds nothing
    assert OFFER_CREATE not in response.content.decode()


def test_offer_list_filters_by_status_field_gemeinde_and_staleness(client, dana, centre):
    first, second = _towns(centre)
    old = timezone.localdate() - datetime.timedelta(days=400)
    make_offer(centre, "Sprachcafé", field_of_action="migration")
    make_offer(centre, "Hausaufgabenhilfe", field_of_action="education", status=S.DRAFT)
    make_offer(centre, "Fahrradwerkstatt", field_of_action="cross_cutting", last_verified=old)
    _move_to(make_offer(centre, "Elterncafé", field_of_action="education"), second)
    client.force_login(dana)

    def titles(**query):
        return sorted(_titles(client.get(OFFER_LIST, query)))

    assert titles(status="draft") == ["Hausaufgabenhilfe"]
    assert titles(field="education") == ["Elterncafé", "Hausaufgabenhilfe"]
    assert titles(municipality=second.pk) == ["Elterncafé"]
    assert titles(municipality=first.pk) == ["Fahrradwerkstatt", "Hausaufgabenhilfe", "Sprachcafé"]
    assert titles(stale="on") == ["Fahrradwerkstatt"]
    assert titles(status="published", field="education") == ["Elterncafé"]
    # a filter that makes no sense shows everything rather than an error
    assert len(titles(status="nonsense")) == 4


def test_offer_list_searches_titles_descriptions_and_providers(client, dana, centre):
    make_offer(centre, "Sprachcafé", description="Deutsch üben in lockerer Runde.")
    make_offer(centre, "Hausaufgabenhilfe", description="Für Seiteneinsteiger.")
    make_offer(
        centre,
        "Fahrradwerkstatt",
        description="Fahrräder reparieren.",
        provider=make_actor(centre, "Diakonie Dülmen"),
    )
    client.force_login(dana)

    def titles(q):
        return sorted(_titles(client.get(OFFER_LIST, {"q": q})))

    assert titles("sprachcaf") == ["Sprachcafé"]
    assert titles("seiteneinsteiger") == ["Hausaufgabenhilfe"]
    assert titles("Diakonie") == ["Fahrradwerkstatt"]
    assert titles("Runde") == ["Sprachcafé"]
    assert titles("Bratwurst") == []
    content = client.get(OFFER_LIST, {"q": "Bratwurst"}, headers=ENGLISH).content.decode()
    assert "No offer matches this filter." in content


def test_offer_list_sorts_by_title_both_ways_and_by_verification(client, dana, centre):
    today = timezone.localdate()
    make_offer(centre, "Bewerbungstraining", last_verified=today - datetime.timedelta(days=3))
    make_offer(centre, "Anerkennungsberatung", last_verified=today - datetime.timedelta(days=1))
    make_offer(centre, "Fahrradwerkstatt", last_verified=today - datetime.timedelta(days=2))
    client.force_login(dana)

    def titles(sort):
        return _titles(client.get(OFFER_LIST, {"sort": sort}))

    assert titles("title") == ["Anerkennungsberatung", "Bewerbungstraining", "Fahrradwerkstatt"]
    assert titles("-title") == ["Fahrradwerkstatt", "Bewerbungstraining", "Anerkennungsberatung"]
    assert titles("verified") == ["Bewerbungstraining", "Fahrradwerkstatt", "Anerkennungsberatung"]
    assert titles("-verified") == [
        "Anerkennungsberatung",
        "Fahrradwerkstatt",
        "Bewerbungstraining",
    ]


def test_offer_list_shows_25_offers_a_page(client, dana, centre):
    for n in range(30):
        make_offer(centre, f"Angebot {n:02}")
    client.force_login(dana)

    first = client.get(OFFER_LIST, {"sort": "title"})
    second = client.get(OFFER_LIST, {"sort": "title", "page": 2})

    assert first.context["paginator"].count == 30
    assert _titles(first) == [f"Angebot {n:02}" for n in range(25)]
    assert _titles(second) == [f"Angebot {n:02}" for n in range(25, 30)]


# Detail


def test_offer_detail_shows_the_translation_status_of_every_language(client, dana, centre):
    offer = make_offer(centre, "Sprachcafé Dülmen", revision=2)
    with scopes_disabled():
        german = offer.texts.get(language="de")
        german.source_revision = 2
        german.save()
        OfferText.objects.create(
            offer=offer, language="en", title="Language café", description="Practise German."
        )
        OfferText.objects.create(
            offer=offer, language="ar", title="مقهى اللغة", description="…", source_revision=2
        )
    client.force_login(dana)

    response = client.get(_url("offer-detail", offer), headers=ENGLISH)

    assert response.status_code == 200
    assert {code: state for code, _name, state in response.context["languages"]} == {
        "de": "current",
        "en": "outdated",
        "ar": "current",
        "uk": "missing",
        "tr": "missing",
        "ru": "missing",
        "fa": "missing",
    }
    content = response.content.decode()
    assert "outdated" in content
    assert "Language café" in content
    assert re.search(r'<section class="panel" lang="ar" dir="rtl">', content)


def _moves(client, user, offer):
    client.force_login(user)
    return [to for to, _label in client.get(_url("offer-detail", offer)).context["moves"]]


def test_offer_detail_offers_only_the_moves_the_user_may_make(client, dana, clerk, alice, centre):
    review = make_offer(centre, status=S.REVIEW)
    published = make_offer(centre, status=S.PUBLISHED)

    assert _moves(client, dana, review) == ["published", "draft"]
    assert _moves(client, clerk, review) == ["draft"]
    assert _moves(client, dana, published) == ["archived", "draft"]
    assert _moves(client, alice, review) == []
    content = client.get(_url("offer-detail", review)).content.decode()
    assert _url("offer-status", review) not in content
    assert _url("offer-update", review) not in content


# Form


def _form_data(provider, **data):
    return {
        "title": "Sprachcafé Dülmen",
        "description": "Deutsch sprechen in lockerer Runde.",
        "provider": provider.pk,
        "field_of_action": "migration",
        "availability": "available",
        "languages": "Deutsch, Arabisch",
        "free_of_charge": "on",
        **data,
    }


def test_offer_form_creates_a_draft_and_leads_to_it(client, dana, centre):
    provider = make_actor(centre, "Caritas Coesfeld")
    client.force_login(dana)

    response = client.post(
        OFFER_CREATE,
        _form_data(provider, min_age="16", residence_statuses=["protection", "tolerated"]),
        headers=ENGLISH,
    )

    with scopes_disabled():
        offer = Offer.objects.get()
        assert list(offer.texts.values_list("language", "title")) == [("de", "Sprachcafé Dülmen")]
    assert (response.status_code, response.url) == (302, _url("offer-detail", offer))
    assert _messages(response) == [(messages.SUCCESS, "“Sprachcafé Dülmen” has been saved.")]
    assert (offer.centre, offer.provider, offer.status) == (centre, provider, S.DRAFT)
    assert (offer.min_age, offer.residence_statuses) == (16, ["protection", "tolerated"])
    assert offer.free_of_charge
    assert [e.actor for e in LogEntry.objects.get_for_object(offer)] == [dana]


def test_offer_form_edits_the_offer_and_its_german_text(client, dana, centre):
    offer = make_offer(centre, "Sprachcafé Dülmen", description="Alte Beschreibung.")
    client.force_login(dana)

    form = client.get(_url("offer-update", offer)).content.decode()
    assert 'value="Sprachcafé Dülmen"' in form
    assert "Alte Beschreibung.</textarea>" in form

    response = client.post(
        _url("offer-update", offer),
        _form_data(offer.provider, title="Sprachcafé Dülmen-Mitte", capacity="12"),
    )

    assert (response.status_code, response.url) == (302, _url("offer-detail", offer))
    offer = _fresh(offer)
    assert (offer.capacity, offer.revision, offer.status) == (12, 2, S.PUBLISHED)
    with scopes_disabled():
        assert offer.texts.get().title == "Sprachcafé Dülmen-Mitte"
    assert _count(Offer) == 1


def test_offer_form_keeps_the_entries_and_shows_the_errors(client, dana, centre, other_centre):
    foreign = make_actor(other_centre, "Caritas Münster")
    sport = Rubric.objects.get(key="sport")  # a rubric of another field of action
    client.force_login(dana)

    response = client.post(
        OFFER_CREATE,
        _form_data(
            foreign,
            min_age="27",
            max_age="12",
            valid_from="2027-06-01",
            valid_to="2027-05-01",
            rubric=str(sport.pk),
        ),
        headers=ENGLISH,
    )

    assert response.status_code == 200
    errors = response.context["form"].errors
    assert {"provider", "valid_to", "rubric"} <= set(errors)
    assert errors["valid_to"] == ["The end lies before the start."]
    content = response.content.decode()
    assert "Please check your entries." in content
    assert 'value="Sprachcafé Dülmen"' in content
    assert "Deutsch sprechen in lockerer Runde.</textarea>" in content
    assert f'value="{sport.pk}" selected' in content
    assert 'value="2027-06-01"' in content
    assert _count(Offer) == 0


def test_offer_form_shows_an_age_range_the_wrong_way_round(client, dana, centre):
    provider = make_actor(centre, "Caritas Coesfeld")
    client.force_login(dana)

    response = client.post(OFFER_CREATE, _form_data(provider, min_age="27", max_age="12"))

    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
    assert 'value="27"' in response.content.decode()
    assert _count(Offer) == 0


def test_case_manager_may_not_open_the_offer_form(client, alice, centre):
    offer = make_offer(centre)
    client.force_login(alice)

    refused = [
        client.get(OFFER_CREATE),
        client.post(OFFER_CREATE, _form_data(offer.provider)),
        client.get(_url("offer-update", offer)),
        client.post(_url("offer-update", offer), _form_data(offer.provider, title="Neu")),
    ]

    assert [r.status_code for r in refused] == [403] * 4
    assert _count(Offer) == 1


# Actions on the offer's page


def _post(client, name, obj, data=None):
    """POST in English, with the messages of earlier requests (never shown) cleared first."""
    session = client.session
    session.pop("_messages", None)
    session.save()
    return client.post(_url(name, obj), data or {}, headers=ENGLISH)


def _back(response, offer):
    return (response.status_code, response.url) == (302, _url("offer-detail", offer))


def test_status_buttons_move_the_offer_and_say_so(client, dana, centre):
    offer = make_offer(centre, status=S.DRAFT)
    client.force_login(dana)

    proposed = _post(client, "offer-status", offer, {"to": "review"})
    published = _post(client, "offer-status", offer, {"to": "published"})
    back = _post(client, "offer-status", offer, {"to": "review"})
    unknown = _post(client, "offer-status", offer, {"to": "deleted"})

    assert all(_back(r, offer) for r in (proposed, published, back, unknown))
    assert _messages(proposed) == [(messages.SUCCESS, "The offer is now “in review”.")]
    assert _messages(published) == [(messages.SUCCESS, "The offer is now “published”.")]
    assert _messages(back) == [
        (messages.ERROR, "An offer that is “published” cannot become “in review”.")
    ]
    assert _messages(unknown) == [(messages.ERROR, "Unknown status.")]
    assert _fresh(offer).status == S.PUBLISHED


def test_publishing_an_offer_without_a_place_is_refused_with_a_message(client, dana, centre):
    offer = make_offer(centre, status=S.REVIEW)
    with scopes_disabled():
        OfferLocation.objects.filter(offer=offer).delete()
    client.force_login(dana)

    response = _post(client, "offer-status", offer, {"to": "published"})

    assert _back(response, offer)
    assert _messages(response) == [(messages.ERROR, "The offer needs at least one place.")]
    assert _fresh(offer).status == S.REVIEW


def test_a_clerk_may_not_publish(client, clerk, centre):
    offer = make_offer(centre, status=S.REVIEW)
    client.force_login(clerk)

    response = _post(client, "offer-status", offer, {"to": "published"})

    assert response.status_code == 403
    assert _fresh(offer).status == S.REVIEW


def test_confirm_button_marks_the_offer_as_checked_today(client, dana, centre):
    offer = make_offer(centre, last_verified=datetime.date(2024, 1, 1))
    client.force_login(dana)

    response = _post(client, "offer-confirm", offer)

    assert _back(response, offer)
    assert _messages(response) == [
        (messages.SUCCESS, "Thank you: the offer is marked as checked today.")
    ]
    assert _fresh(offer).last_verified == timezone.localdate()


def test_translation_form_saves_a_translation(client, dana, centre):
    offer = make_offer(centre, "Sprachcafé Dülmen")
    client.force_login(dana)

    saved = _post(
        client,
        "translation-save",
        offer,
        {"language": "en", "title": "Language café", "description": "Practise German."},
    )
    incomplete = _post(client, "translation-save", offer, {"language": "uk", "title": "Кафе"})
    german = _post(
        client, "translation-save", offer, {"language": "de", "title": "X", "description": "Y"}
    )

    assert all(_back(r, offer) for r in (saved, incomplete, german))
    assert _messages(saved) == [(messages.SUCCESS, "The translation has been saved.")]
    assert _messages(incomplete) == [
        (messages.ERROR, "Please fill in language, title and description.")
    ]
    assert _messages(german) == [
        (messages.ERROR, "Please fill in language, title and description.")
    ]
    with scopes_disabled():
        assert sorted(offer.texts.values_list("language", "title")) == [
            ("de", "Sprachcafé Dülmen"),
            ("en", "Language café"),
        ]


def test_place_form_adds_a_place_of_the_centre(client, dana, centre, other_centre):
    offer = make_offer(centre)
    town = _towns(centre)[1]
    with scopes_disabled():
        muenster = other_centre.municipalities().first()
    client.force_login(dana)

    added = _post(
        client,
        "location-add",
        offer,
        {"name": "Rathaus", "street": "Markt 1", "municipality": town.pk},
    )
    foreign = _post(client, "location-add", offer, {"name": "Schloss", "municipality": muenster.pk})
    empty = _post(client, "location-add", offer, {"name": "Irgendwo"})

    assert all(_back(r, offer) for r in (added, foreign, empty))
    assert _messages(added) == [(messages.SUCCESS, "The place has been added.")]
    assert _messages(foreign) == _messages(empty)
    assert _messages(empty) == [(messages.ERROR, "Please give at least the Gemeinde of the place.")]
    with scopes_disabled():
        assert sorted(offer.locations.values_list("name", "municipality__name")) == sorted(
            [("Treffpunkt", _towns(centre)[0].name), ("Rathaus", town.name)]
        )


def test_time_form_adds_a_time_and_refuses_an_end_before_the_start(client, dana, centre):
    offer = make_offer(centre)
    with scopes_disabled():
        place = offer.locations.get()
    client.force_login(dana)

    added = _post(
        client,
        "hours-add",
        offer,
        {"weekday": "4", "opens_at": "09:30", "closes_at": "11:00", "location": place.pk},
    )
    reversed_ = _post(
        client, "hours-add", offer, {"weekday": "5", "opens_at": "12:00", "closes_at": "10:00"}
    )

    assert _back(added, offer) and _back(reversed_, offer)
    assert _messages(added) == [(messages.SUCCESS, "The time has been added.")]
    [(level, text)] = _messages(reversed_)
    assert level == messages.ERROR
    assert text.startswith("Please give a weekday and a start before the end:"), text
    with scopes_disabled():
        assert list(offer.opening_hours.values_list("weekday", "opens_at", "location")) == [
            (2, datetime.time(15), place.pk),
            (4, datetime.time(9, 30), place.pk),
        ]


def test_time_form_explains_an_end_before_the_start(client, dana, centre):
    offer = make_offer(centre)
    client.force_login(dana)

    response = _post(
        client, "hours-add", offer, {"weekday": "5", "opens_at": "12:00", "closes_at": "10:00"}
    )

    [(_level, text)] = _messages(response)
    assert "The end lies before the start." in text
    assert "opening_hours_order" not in text


def test_remove_buttons_remove_a_place_and_a_time(client, dana, centre):
    offer = make_offer(centre)
    with scopes_disabled():
        place = offer.locations.get()
        slot = OpeningHours.objects.create(
            offer=offer, weekday=5, opens_at=datetime.time(9), closes_at=datetime.time(10)
        )
    client.force_login(dana)

    time_removed = _post(client, "hours-remove", slot)
    place_removed = _post(client, "location-remove", place)

    assert _back(time_removed, offer) and _back(place_removed, offer)
    assert _messages(time_removed) == [(messages.SUCCESS, "Removed.")]
    assert _messages(place_removed) == [(messages.SUCCESS, "Removed.")]
    assert (_count(OfferLocation), _count(OpeningHours)) == (0, 0)


# Access across centres and roles


@pytest.fixture
def foreign(other_centre):
    """A published offer of the other centre with its place and time."""
    offer = make_offer(other_centre, "Sprachcafé Münster", description="Geheime Notiz")
    with scopes_disabled():
        return {
            "offer": offer,
            "place": offer.locations.get(),
            "slot": offer.opening_hours.get(),
        }


@pytest.mark.parametrize(
    ("name", "target", "method", "data"),
    [
        ("offer-detail", "offer", "get", {}),
        ("offer-update", "offer", "get", {}),
        ("offer-update", "offer", "post", {"title": "Übernommen"}),
        ("offer-status", "offer", "post", {"to": "archived"}),
        ("offer-confirm", "offer", "post", {}),
        ("translation-save", "offer", "post", {"language": "en", "title": "X", "description": "Y"}),
        ("location-add", "offer", "post", {"name": "Kreishaus"}),
        ("hours-add", "offer", "post", {"weekday": "1", "opens_at": "9:00", "closes_at": "10:00"}),
        ("location-remove", "place", "post", {}),
        ("hours-remove", "slot", "post", {}),
    ],
)
def test_offers_of_another_centre_answer_404(client, dana, foreign, name, target, method, data):
    client.force_login(dana)
    before = _fresh(foreign["offer"])

    response = getattr(client, method)(_url(name, foreign[target]), data)

    assert response.status_code == 404
    assert "Sprachcafé Münster" not in response.content.decode()
    after = _fresh(foreign["offer"])
    assert (after.status, after.last_verified, after.updated) == (
        before.status,
        before.last_verified,
        before.updated,
    )
    assert (_count(OfferText), _count(OfferLocation), _count(OpeningHours)) == (1, 1, 1)


def test_case_manager_reads_offers_but_may_not_act_on_them(client, alice, centre):
    offer = make_offer(centre, "Sprachcafé Dülmen", status=S.REVIEW)
    with scopes_disabled():
        place, slot = offer.locations.get(), offer.opening_hours.get()
    client.force_login(alice)

    assert client.get(_url("offer-detail", offer)).status_code == 200
    refused = [
        _post(client, "offer-status", offer, {"to": "draft"}),
        _post(client, "offer-confirm", offer),
        _post(
            client, "translation-save", offer, {"language": "en", "title": "X", "description": "Y"}
        ),
        _post(client, "location-add", offer, {"municipality": place.municipality_id}),
        _post(
            client, "hours-add", offer, {"weekday": "1", "opens_at": "9:00", "closes_at": "10:00"}
        ),
        _post(client, "location-remove", place),
        _post(client, "hours-remove", slot),
    ]

    assert [r.status_code for r in refused] == [403] * len(refused)
    assert _fresh(offer).status == S.REVIEW
    assert (_count(OfferText), _count(OfferLocation), _count(OpeningHours)) == (1, 1, 1)


def test_people_outside_the_centres_staff_get_no_offer_pages(
    client, partner_user, laki_user, centre
):
    offer = make_offer(centre)
    for user in (partner_user, laki_user):
        client.force_login(user)
        assert client.get(OFFER_LIST).status_code == 403
        assert client.get(_url("offer-detail", offer)).status_code == 403
    client.logout()
    assert client.get(OFFER_LIST).status_code == 302  # to the log-in
