"""Export of the public offers directory in Open Referral HSDS 3.0 (Human Services Data Spec).

One HSDS ``service`` per published offer, with its provider as the embedded ``organization``,
its places as ``service_at_locations`` and its weekly times as ``schedules``. Only what the public
directory shows leaves the centre: no unpublished offer, no contact person, no internal field.

HSDS wants a UUID for every object. Offers, places and opening hours have one of their own
(``uid``); everything else gets a UUID derived with :func:`uuid.uuid5` from a fixed namespace and
the object it belongs to, so that the same data gives the same ids in every export.
"""

from __future__ import annotations

import uuid
import zoneinfo
from datetime import UTC, date, datetime, time
from typing import Any

from django.conf import settings
from django.db.models import Prefetch
from django.utils import timezone
from django_scopes import scope

from teilhabe.core.models import Centre
from teilhabe.network.models import Actor

from .models import CONTENT_LANGUAGES, Offer, OfferLocation, OfferText, OpeningHours

#: Namespace of the ids derived for objects without a ``uid`` of their own. Never change it:
#: consumers recognise organisations, addresses and languages again by these ids.
NAMESPACE = uuid.UUID("e5f63774-f258-4aae-9379-39c3c0f5cfe1")

STATE = "Nordrhein-Westfalen"
COUNTRY = "DE"
CURRENCY = "EUR"

#: ISO 639-1 codes of the language names people type into ``Offer.languages`` (German names,
#: with a few English and common spellings). A name not listed is exported without a code.
LANGUAGE_CODES = {
    "albanisch": "sq",
    "amharisch": "am",
    "arabisch": "ar",
    "armenisch": "hy",
    "bengalisch": "bn",
    "bosnisch": "bs",
    "bulgarisch": "bg",
    "chinesisch": "zh",
    "dänisch": "da",
    "deutsch": "de",
    "englisch": "en",
    "farsi": "fa",
    "persisch": "fa",
    "französisch": "fr",
    "georgisch": "ka",
    "griechisch": "el",
    "hindi": "hi",
    "italienisch": "it",
    "japanisch": "ja",
    "koreanisch": "ko",
    "kroatisch": "hr",
    "kurdisch": "ku",
    "lettisch": "lv",
    "litauisch": "lt",
    "mazedonisch": "mk",
    "niederländisch": "nl",
    "paschtu": "ps",
    "paschto": "ps",
    "polnisch": "pl",
    "portugiesisch": "pt",
    "rumänisch": "ro",
    "russisch": "ru",
    "serbisch": "sr",
    "slowakisch": "sk",
    "somali": "so",
    "spanisch": "es",
    "tamilisch": "ta",
    "tigrinya": "ti",
    "tigrinisch": "ti",
    "tschechisch": "cs",
    "tschetschenisch": "ce",
    "türkisch": "tr",
    "ukrainisch": "uk",
    "ungarisch": "hu",
    "urdu": "ur",
    "usbekisch": "uz",
    "vietnamesisch": "vi",
    "english": "en",
    "german": "de",
    "arabic": "ar",
    "ukrainian": "uk",
    "russian": "ru",
    "turkish": "tr",
    "persian": "fa",
}


def export_services(centre: Centre, *, language: str = "de") -> list[dict[str, Any]]:
    """Return the centre's published offers as HSDS 3.0 services, texts in ``language``.

    A text missing in ``language``, or translated from an older German text, is given in German.
    The number of queries does not grow with the number of offers.
    """
    if language not in dict(CONTENT_LANGUAGES):
        raise ValueError(f"unknown content language: {language!r}")
    today = timezone.localdate()
    offset = _utc_offset(today)
    with scope(centre=[centre.pk]):
        offers = list(
            Offer.objects.published(today)
            .filter(centre=centre)
            .select_related("provider")
            .prefetch_related(
                "texts",
                Prefetch(
                    "locations",
                    queryset=OfferLocation.objects.select_related("municipality").order_by("pk"),
                ),
                Prefetch(
                    "opening_hours",
                    queryset=OpeningHours.objects.order_by("weekday", "opens_at", "pk"),
                ),
            )
            .order_by("pk")
        )
        return [_service(offer, centre, language, offset) for offer in offers]


def derived_id(*parts: object) -> str:
    """Return the stable UUID of the object named by ``parts``."""
    return str(uuid.uuid5(NAMESPACE, ":".join(str(part) for part in parts)))


def organization_id(actor: Actor) -> str:
    return derived_id("actor", actor.pk)


def _service(offer: Offer, centre: Centre, language: str, offset: str) -> dict[str, Any]:
    text = _text(offer, language)
    service: dict[str, Any] = {
        "id": str(offer.uid),
        "organization_id": organization_id(offer.provider),
        "name": text.title if text else "",
        "description": text.description if text else "",
        "status": "active",
        "assured_date": offer.last_verified.isoformat(),
        "last_modified": _datetime(offer.updated),
    }
    if offer.email:
        service["email"] = offer.email
    if offer.url:
        service["url"] = offer.url
    if offer.min_age is not None:
        service["minimum_age"] = offer.min_age
    if offer.max_age is not None:
        service["maximum_age"] = offer.max_age
    service["organization"] = _organization(offer.provider, centre)
    hours_by_place: dict[int | None, list[OpeningHours]] = {}
    for hours in offer.opening_hours.all():
        hours_by_place.setdefault(hours.location_id, []).append(hours)
    service["service_at_locations"] = [
        _service_at_location(place, offer, hours_by_place.get(place.pk, []), offset)
        for place in offer.locations.all()
    ]
    service["schedules"] = [_schedule(h, offer, offset) for h in hours_by_place.get(None, [])]
    service["languages"] = _languages(offer)
    service["cost_options"] = _cost_options(offer)
    return service


def _text(offer: Offer, language: str) -> OfferText | None:
    """Return the offer's text in ``language`` if it is up to date with German, else German."""
    texts = {t.language: t for t in offer.texts.all()}
    text = texts.get(language)
    if text is not None and text.source_revision >= offer.revision:
        return text
    return texts.get("de")


def _organization(actor: Actor, centre: Centre) -> dict[str, Any]:
    organization: dict[str, Any] = {
        "id": organization_id(actor),
        "name": actor.name,
        "description": actor.description.strip()
        or f"{actor.name}: Anbieter von Integrationsangeboten im Netzwerk „{centre.name}“.",
    }
    if actor.email:
        organization["email"] = actor.email
    if actor.website:
        organization["website"] = actor.website
    return organization


def _service_at_location(
    place: OfferLocation, offer: Offer, hours: list[OpeningHours], offset: str
) -> dict[str, Any]:
    location_id = derived_id("location", place.uid)
    town = place.municipality.name
    location: dict[str, Any] = {
        "id": location_id,
        "location_type": "physical",
        "name": place.name or ", ".join(part for part in (place.street, town) if part),
    }
    if place.latitude is not None and place.longitude is not None:
        location["latitude"] = float(place.latitude)
        location["longitude"] = float(place.longitude)
    location["addresses"] = [
        {
            "id": derived_id("address", place.uid),
            "location_id": location_id,
            "address_1": place.street,
            "city": town,
            "state_province": STATE,
            "postal_code": place.postcode,
            "country": COUNTRY,
            "address_type": "physical",
        }
    ]
    return {
        "id": str(place.uid),
        "service_id": str(offer.uid),
        "location_id": location_id,
        "location": location,
        "schedules": [_schedule(h, offer, offset) for h in hours],
    }


def _schedule(hours: OpeningHours, offer: Offer, offset: str) -> dict[str, Any]:
    """Return a weekly schedule; times are local, with the UTC offset of the export day."""
    schedule: dict[str, Any] = {
        "id": str(hours.uid),
        "freq": "WEEKLY",
        "byday": OpeningHours.DAY_CODES[hours.weekday],
        "opens_at": _time(hours.opens_at, offset),
        "closes_at": _time(hours.closes_at, offset),
    }
    if offer.valid_from:
        schedule["valid_from"] = offer.valid_from.isoformat()
    if offer.valid_to:
        schedule["valid_to"] = offer.valid_to.isoformat()
    if hours.note:
        schedule["notes"] = hours.note
    return schedule


def _languages(offer: Offer) -> list[dict[str, Any]]:
    languages = []
    seen = set()
    for name in offer.language_list():
        key = name.casefold()
        if key in seen:
            continue
        seen.add(key)
        entry = {"id": derived_id("offer", offer.uid, "language", key), "name": name}
        code = LANGUAGE_CODES.get(key)
        if code:
            entry["code"] = code
        languages.append(entry)
    return languages


def _cost_options(offer: Offer) -> list[dict[str, Any]]:
    fees = offer.fees.strip()
    if not offer.free_of_charge and not fees:
        return []  # not free, but nobody wrote down what it costs
    option: dict[str, Any] = {"id": derived_id("offer", offer.uid, "cost"), "currency": CURRENCY}
    if offer.free_of_charge:
        option["amount"] = 0
    if fees:
        option["amount_description"] = fees
    return [option]


def _utc_offset(day: date) -> str:
    """Return the UTC offset (``+01:00``) of the deployment's time zone at noon of ``day``."""
    moment = datetime.combine(day, time(12), tzinfo=zoneinfo.ZoneInfo(settings.TIME_ZONE))
    return moment.isoformat()[-6:]


def _time(value: time, offset: str) -> str:
    return f"{value:%H:%M}{offset}"


def _datetime(value: datetime) -> str:
    return value.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
