"""The public directory: no log-in, published offers only, search, filters, languages, JSON-LD."""

from __future__ import annotations

import datetime
import json
import re
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django_scopes import scopes_disabled

from teilhabe.network.tests.factories import make_actor
from teilhabe.offers.models import Offer, OfferText
from teilhabe.offers.tests.factories import make_offer

pytestmark = pytest.mark.django_db

S = Offer.Status
BERLIN = ZoneInfo("Europe/Berlin")
JSON_LD = re.compile(r'<script type="application/ld\+json"[^>]*>(.*?)</script>', re.S)


def _list_url(centre):
    return reverse("directory:offer-list", args=[centre.slug])


def _offer_url(centre, offer):
    return reverse("directory:offer-detail", args=[centre.slug, offer.uid])


def _found(client, centre, **query):
    response = client.get(_list_url(centre), query)
    assert response.status_code == 200
    return sorted(o.title() for o in response.context["page_obj"])


def _set(obj, **fields):
    with scopes_disabled():
        obj = type(obj).objects.get(pk=obj.pk)
        for name, value in fields.items():
            setattr(obj, name, value)
        obj.save()


def _translate(offer, language, title, description="…"):
    with scopes_disabled():
        OfferText.objects.create(
            offer=offer, language=language, title=title, description=description
        )


# What the directory lists


def test_directory_lists_the_published_current_offers_of_the_centre_without_log_in(
    client, centre, other_centre
):
    today = timezone.localdate()
    make_offer(centre, "Sprachcafé Dülmen")
    make_offer(centre, "Endet heute", valid_to=today)
    make_offer(centre, "Beginnt bald", valid_from=today + datetime.timedelta(days=10))
    make_offer(centre, "Abgelaufen", valid_to=today - datetime.timedelta(days=1))
    for status in (S.DRAFT, S.REVIEW, S.ARCHIVED):
        make_offer(centre, f"Status {status}", status=status)
    make_offer(other_centre, "Sprachcafé Münster")

    response = client.get(_list_url(centre))

    assert response.status_code == 200
    assert sorted(o.title() for o in response.context["page_obj"]) == [
        "Beginnt bald",
        "Endet heute",
        "Sprachcafé Dülmen",
    ]
    content = response.content.decode()
    for hidden in ("Abgelaufen", "Status draft", "Status review", "Status archived", "Münster"):
        assert hidden not in content
    assert _found(client, other_centre) == ["Sprachcafé Münster"]


def test_an_unknown_centre_answers_404(client, centre):
    make_offer(centre)

    assert client.get(reverse("directory:offer-list", args=["nirgendwo"])).status_code == 404


# Filters and search


def test_directory_filters_by_gemeinde_and_topic(client, centre):
    with scopes_disabled():
        first, second = centre.municipalities().order_by("name")[:2]
    make_offer(centre, "Sprachcafé", field_of_action="migration")
    elterncafe = make_offer(centre, "Elterncafé", field_of_action="education")
    with scopes_disabled():
        place = elterncafe.locations.get()
    _set(place, municipality=second)

    assert _found(client, centre, gemeinde=second.pk) == ["Elterncafé"]
    assert _found(client, centre, gemeinde=first.pk) == ["Sprachcafé"]
    assert _found(client, centre, bereich="education") == ["Elterncafé"]
    assert _found(client, centre, bereich="migration") == ["Sprachcafé"]
    assert _found(client, centre, bereich="migration", gemeinde=second.pk) == []


def test_directory_filters_by_age(client, centre):
    make_offer(centre, "Jugendmigrationsdienst", min_age=12, max_age=27)
    make_offer(centre, "Migrationsberatung", min_age=27)
    make_offer(centre, "Rucksack Kita", max_age=6)
    make_offer(centre, "Sprachcafé")  # all ages

    assert _found(client, centre, alter=20) == ["Jugendmigrationsdienst", "Sprachcafé"]
    assert _found(client, centre, alter=27) == [
        "Jugendmigrationsdienst",
        "Migrationsberatung",
        "Sprachcafé",
    ]
    assert _found(client, centre, alter=40) == ["Migrationsberatung", "Sprachcafé"]
    assert _found(client, centre, alter=4) == ["Rucksack Kita", "Sprachcafé"]
    assert _found(client, centre, alter=11) == ["Sprachcafé"]


def test_a_wrong_criterion_is_marked_and_the_others_still_apply(client, centre):
    make_offer(centre, "Sprachcafé", min_age=12)
    make_offer(centre, "Beratung für Familien", description="Hilfe bei Anträgen.")
    make_offer(centre, "Fahrradwerkstatt")

    response = client.get(_list_url(centre), {"q": "Sprachcafé", "alter": "abc"})

    assert sorted(o.title() for o in response.context["page_obj"]) == ["Sprachcafé"]
    html = response.content.decode()
    error = 'class="kern-error" id="id_alter_error" role="alert">Bitte eine ganze Zahl eingeben.'
    assert error in html
    assert 'value="Sprachcafé"' in html  # the search word is kept in the form
    assert 'value="abc"' in html  # and so is the wrong age, to be corrected
    assert _found(client, centre, alter="-3") == sorted(
        ["Sprachcafé", "Beratung für Familien", "Fahrradwerkstatt"]
    )


def test_directory_filters_by_language_costs_and_access(client, centre):
    make_offer(centre, "Sprachcafé", languages="Deutsch, Arabisch", accessible=True)
    make_offer(centre, "Integrationskurs", languages="Deutsch", free_of_charge=False, fees="5 €")
    make_offer(centre, "Frauentreff", languages="Deutsch, Farsi, Ukrainisch")

    assert _found(client, centre, sprache_angebot="Arabisch") == ["Sprachcafé"]
    assert _found(client, centre, sprache_angebot="ukrainisch") == ["Frauentreff"]
    assert _found(client, centre, kostenlos="on") == ["Frauentreff", "Sprachcafé"]
    assert _found(client, centre, barrierefrei="on") == ["Sprachcafé"]
    assert _found(client, centre, kostenlos="on", sprache_angebot="Deutsch") == [
        "Frauentreff",
        "Sprachcafé",
    ]


@pytest.mark.parametrize(
    ("moment", "expected"),
    [
        (datetime.datetime(2027, 1, 12, 16, 0), ["Sprachcafé"]),  # a Tuesday, winter time
        (datetime.datetime(2027, 7, 6, 16, 0), ["Sprachcafé"]),  # a Tuesday, summer time
        (datetime.datetime(2027, 1, 12, 18, 0), ["Abendkurs"]),
        (datetime.datetime(2027, 1, 12, 14, 59), []),
        (datetime.datetime(2027, 1, 13, 16, 0), []),  # a Wednesday
    ],
)
def test_directory_shows_what_is_open_now(client, centre, moment, expected):
    make_offer(centre, "Sprachcafé")  # Tuesday 15–17
    evening = make_offer(centre, "Abendkurs")
    with scopes_disabled():
        slot = evening.opening_hours.get()
    _set(slot, opens_at=datetime.time(17), closes_at=datetime.time(20))

    with time_machine.travel(moment.replace(tzinfo=BERLIN), tick=False):
        assert _found(client, centre, jetzt="on") == expected
        assert _found(client, centre) == ["Abendkurs", "Sprachcafé"]


def test_directory_search_finds_words_of_titles_and_descriptions(client, centre):
    make_offer(centre, "Sprachcafé Dülmen")
    make_offer(centre, "Beratung für Familien", description="Hilfe bei Anträgen und Behördenpost.")
    make_offer(centre, "Fahrradwerkstatt", description="Gemeinsam Fahrräder reparieren.")

    assert _found(client, centre, q="Sprachcafé") == ["Sprachcafé Dülmen"]
    assert _found(client, centre, q="Beratung") == ["Beratung für Familien"]
    assert _found(client, centre, q="Behördenpost") == ["Beratung für Familien"]
    assert _found(client, centre, q="Fahrräder") == ["Fahrradwerkstatt"]
    assert _found(client, centre, q="Bratwurst") == []


def test_directory_search_of_several_words_needs_all_of_them(client, centre):
    make_offer(centre, "Sprachcafé Dülmen")
    make_offer(centre, "Beratung für Familien", description="Hilfe bei Anträgen und Behördenpost.")
    make_offer(centre, "Fahrradwerkstatt", description="Gemeinsam Fahrräder reparieren.")

    assert _found(client, centre, q="Beratung Familien") == ["Beratung für Familien"]
    assert _found(client, centre, q="Familien Behördenpost") == ["Beratung für Familien"]
    assert _found(client, centre, q="Beratung Senioren") == []


def test_directory_search_ignores_offers_that_are_not_published(client, centre):
    make_offer(centre, "Beratung im Entwurf", status=S.DRAFT)
    make_offer(centre, "Beratung für Familien")

    assert _found(client, centre, q="Beratung") == ["Beratung für Familien"]


# Languages


def test_directory_shows_titles_in_the_chosen_language_or_in_german(client, centre):
    translated = make_offer(centre, "Sprachcafé Dülmen")
    _translate(translated, "en", "Language café Dülmen")
    make_offer(centre, "Beratung für Familien")

    english = client.get(_list_url(centre), {"sprache": "en"})
    german = client.get(_list_url(centre))

    content = english.content.decode()
    assert english.context["language"] == "en"
    assert "Language café Dülmen" in content
    assert "Beratung für Familien" in content
    assert "Sprachcafé Dülmen" not in content
    assert '<ul class="directory-results" lang="en">' in content
    assert "Sprachcafé Dülmen" in german.content.decode()
    assert "Language café Dülmen" not in german.content.decode()


def test_directory_lists_offers_by_german_title_once_each_in_every_language(client, centre):
    for title in ["Zumba für Frauen", "Anerkennungsberatung", "Mütterkurs"]:
        offer = make_offer(centre, title)
    _translate(offer, "en", "A course for mothers")  # the English title would sort first
    _translate(offer, "ar", "دورة للأمهات")

    for language in ["de", "en"]:
        response = client.get(_list_url(centre), {"sprache": language})
        offers = [o.title() for o in response.context["page_obj"]]
        assert offers == ["Anerkennungsberatung", "Mütterkurs", "Zumba für Frauen"], language


def test_directory_in_arabic_is_written_right_to_left(client, centre):
    offer = make_offer(centre, "Sprachcafé Dülmen")
    _translate(offer, "ar", "مقهى اللغة")

    content = client.get(_list_url(centre), {"sprache": "ar"}).content.decode()

    assert '<ul class="directory-results" lang="ar" dir="rtl">' in content
    assert "مقهى اللغة" in content


# The offer's page


def _json_ld(response):
    [data] = JSON_LD.findall(response.content.decode())
    return json.loads(data)


def test_offer_page_describes_the_offer_as_a_schema_org_service(client, centre):
    provider = make_actor(centre, "Caritas Coesfeld")
    offer = make_offer(
        centre,
        "Sprachcafé Dülmen",
        provider=provider,
        languages="Deutsch, Arabisch",
        email="sprachcafe@caritas.example",
    )
    with scopes_disabled():
        town = offer.locations.get().municipality

    response = client.get(_offer_url(centre, offer))

    assert response.status_code == 200
    data = _json_ld(response)
    assert data["@context"] == "https://schema.org"
    assert data["@type"] == "Service"
    assert data["name"] == "Sprachcafé Dülmen"
    assert data["description"] == "Deutsch üben in lockerer Runde."
    assert data["inLanguage"] == "de"
    assert data["url"] == f"http://testserver{_offer_url(centre, offer)}"
    assert data["provider"] == {"@type": "Organization", "name": "Caritas Coesfeld"}
    assert data["areaServed"] == [{"@type": "City", "name": town.name}]
    assert data["isAccessibleForFree"] is True
    assert data["availableLanguage"] == ["Deutsch", "Arabisch"]
    assert data["hoursAvailable"] == [
        {
            "@type": "OpeningHoursSpecification",
            "dayOfWeek": "https://schema.org/Tuesday",
            "opens": "15:00",
            "closes": "17:00",
        }
    ]
    place = data["availableChannel"]["serviceLocation"]
    assert place["address"]["addressLocality"] == town.name
    assert place["geo"]["latitude"] == float(town.latitude)
    content = response.content.decode()
    assert "sprachcafe@caritas.example" in content


def test_offer_page_in_another_language_falls_back_to_german(client, centre):
    offer = make_offer(centre, "Sprachcafé Dülmen")
    _translate(offer, "en", "Language café", "Practise German.")

    english = client.get(_offer_url(centre, offer), {"sprache": "en"})
    turkish = client.get(_offer_url(centre, offer), {"sprache": "tr"})

    assert (_json_ld(english)["name"], _json_ld(english)["inLanguage"]) == ("Language café", "en")
    assert '<article lang="en">' in english.content.decode()
    assert (_json_ld(turkish)["name"], _json_ld(turkish)["inLanguage"]) == (
        "Sprachcafé Dülmen",
        "de",
    )
    assert '<article lang="de">' in turkish.content.decode()


def test_offer_page_keeps_a_script_end_in_a_text_inside_the_json_ld(client, centre):
    title = "Café </script><h1>Hallo</h1>"
    offer = make_offer(centre, title)

    response = client.get(_offer_url(centre, offer))

    assert _json_ld(response)["name"] == title
    assert "<h1>Hallo</h1>" not in response.content.decode()


def test_offer_pages_that_are_not_public_answer_404(client, centre, other_centre):
    today = timezone.localdate()
    hidden = [make_offer(centre, status=status) for status in (S.DRAFT, S.REVIEW, S.ARCHIVED)]
    hidden.append(make_offer(centre, valid_to=today - datetime.timedelta(days=1)))
    foreign = make_offer(other_centre, "Sprachcafé Münster")

    for offer in hidden:
        assert client.get(_offer_url(centre, offer)).status_code == 404, offer.status
    # an offer of another centre is not found under this centre's address
    assert client.get(_offer_url(centre, foreign)).status_code == 404
    assert client.get(_offer_url(other_centre, foreign)).status_code == 200
    unknown = reverse("directory:offer-detail", args=["nirgendwo", foreign.uid])
    assert client.get(unknown).status_code == 404


# Cost


def _queries(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


def test_directory_queries_do_not_grow_with_the_number_of_offers(client, centre):
    for n in range(3):
        offer = make_offer(centre, f"Angebot {n:02}")
        _translate(offer, "en", f"Offer {n:02}")
    _queries(client, _list_url(centre))  # warm up caches (content types, geography)
    few = _queries(client, f"{_list_url(centre)}?sprache=en")

    for n in range(3, 30):
        offer = make_offer(centre, f"Angebot {n:02}")
        _translate(offer, "en", f"Offer {n:02}")
    many = _queries(client, f"{_list_url(centre)}?sprache=en")

    assert few < 20
    assert many <= few
