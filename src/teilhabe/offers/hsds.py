"""Export of the public offers directory in Open Referral HSDS 3.0 (Human Services Data Spec).

One HSDS ``service`` per published offer, with its provider as the embedded ``organization``,
its places as ``service_at_locations`` and its weekly times as ``schedules``. Only what the public
directory shows leaves the centre: no unpublished offer, no contact person, no internal field.

HSDS wants a UUID for every object. Offers, places and opening hours have one of their own
(``uid``); everything else gets a UUID derived with :func:`uuid.uuid5` from a fixed namespace and
the object it belongs to, so that the same data gives the same ids in every export.
"""

from __future__ import annotations

import contextlib
import functools
import gc
import hashlib
import uuid
import zoneinfo
from collections.abc import Iterator
from datetime import UTC, date, datetime, time
from typing import Any

from django.conf import settings
from django.db import connection
from django.db.models import F, TextField
from django.db.models.functions import Cast
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from teilhabe.core.models import Centre
from teilhabe.network.models import Actor

from .models import CONTENT_LANGUAGES, Offer, OfferLocation, OfferText, OpeningHours

#: Namespace of the ids derived for objects without a ``uid`` of their own. Never change it:
#: consumers recognise organisations, addresses and languages again by these ids.
NAMESPACE = uuid.UUID("e5f63774-f258-4aae-9379-39c3c0f5cfe1")
_NAMESPACE_BYTES = NAMESPACE.bytes

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
    Four queries, however many offers.
    """
    _check_language(language)
    with scope(centre=[centre.pk]), _no_cycle_collection():
        return list(
            _services(Offer.objects.filter(centre=centre), {centre.pk: centre.name}, language)
        )


def export_all_services(*, language: str = "de") -> list[dict[str, Any]]:
    """Return the published offers of every centre (the statewide directory), centre by centre.

    The same services as :func:`export_services` of each centre in turn, in five queries.
    """
    _check_language(language)
    with scopes_disabled(), _no_cycle_collection():
        names = dict(Centre.objects.values_list("pk", "name"))
        return list(_services(Offer.objects.all(), names, language))


@contextlib.contextmanager
def _no_cycle_collection() -> Iterator[None]:
    """Pause Python's cyclic garbage collector while the export builds its services.

    The export makes hundreds of thousands of dicts and lists, none in a reference cycle;
    meanwhile the collector would walk every live object of the process again and again
    (10-30 % of the statewide export in a process that holds much else). Plain reference
    counting still frees everything.
    """
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def derived_id(*parts: object) -> str:
    """Return the stable UUID of the object named by ``parts``.

    It is ``str(uuid.uuid5(NAMESPACE, name))``, written out without the ``UUID`` object: the
    statewide export derives more than a hundred thousand of them.
    """
    return _derived(":".join(map(str, parts)))


def _derived(name: str) -> str:
    digest = bytearray(
        hashlib.sha1(_NAMESPACE_BYTES + name.encode(), usedforsecurity=False).digest()[:16]
    )
    digest[6] = (digest[6] & 0x0F) | 0x50  # version 5
    digest[8] = (digest[8] & 0x3F) | 0x80  # RFC 4122 variant
    h = digest.hex()
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


def organization_id(actor: Actor) -> str:
    return derived_id("actor", actor.pk)


def _check_language(language: str) -> None:
    if language not in dict(CONTENT_LANGUAGES):
        raise ValueError(f"unknown content language: {language!r}")


# The export reads columns, not model objects: at statewide size (20,000 offers with their
# texts, places and times) building the objects would cost more than the queries.

_OFFER = (
    "pk",
    "centre_id",
    "revision",
    "last_verified",
    "updated",
    "email",
    "url",
    "min_age",
    "max_age",
    "valid_from",
    "valid_to",
    "languages",
    "free_of_charge",
    "fees",
    "provider_id",
    "provider__name",
    "provider__description",
    "provider__email",
    "provider__website",
)
_PLACE = (
    "offer_id",
    "pk",
    "uid_text",
    "name",
    "street",
    "postcode",
    "latitude",
    "longitude",
    "municipality__name",
)
_HOURS = ("offer_id", "location_id", "uid_text", "weekday", "opens_at", "closes_at", "note")


def _uid_text() -> Any:
    """Return the ``uid`` column as the text of the id on PostgreSQL (``uuid::text``, the same
    as ``str(UUID)``); a ``UUID`` elsewhere. Tens of thousands of ``UUID`` objects made only to
    be written out again cost a tenth of the statewide export."""
    if connection.vendor == "postgresql":
        return Cast("uid", TextField())
    return F("uid")


def _services(offers: Any, centre_names: dict[int, str], language: str) -> Iterator[dict[str, Any]]:
    """Yield the published ``offers`` as services (offers ordered by centre, then by id)."""
    today = timezone.localdate()
    offset = _utc_offset(today)
    published = offers.published(today)
    rows = list(published.order_by("centre_id", "pk").values(*_OFFER, uid_text=_uid_text()))
    if not rows:
        return
    ids = published.values("pk")
    texts: dict[int, dict[str, tuple[str, str, int]]] = {}
    for offer_id, code, title, description, revision in OfferText.objects.filter(
        offer__in=ids, language__in=sorted({"de", language})
    ).values_list("offer_id", "language", "title", "description", "source_revision"):
        texts.setdefault(offer_id, {})[code] = (title, description, revision)
    places: dict[int, list[tuple[Any, ...]]] = {}
    for place in (
        OfferLocation.objects.filter(offer__in=ids)
        .annotate(uid_text=_uid_text())
        .order_by("pk")
        .values_list(*_PLACE)
    ):
        places.setdefault(place[0], []).append(place)
    hours: dict[int, list[tuple[Any, ...]]] = {}
    for slot in (
        OpeningHours.objects.filter(offer__in=ids)
        .annotate(uid_text=_uid_text())
        .order_by("weekday", "opens_at", "pk")
        .values_list(*_HOURS)
    ):
        hours.setdefault(slot[0], []).append(slot)
    organizations: dict[int, dict[str, Any]] = {}
    for offer in rows:
        provider = offer["provider_id"]
        organization = organizations.get(provider)
        if organization is None:
            organization = organizations[provider] = _organization(
                offer, centre_names[offer["centre_id"]]
            )
        yield _service(
            offer,
            dict(organization),
            texts.get(offer["pk"], {}),
            places.get(offer["pk"], []),
            hours.get(offer["pk"], []),
            language,
            offset,
        )


def _service(
    offer: dict[str, Any],
    organization: dict[str, Any],
    texts: dict[str, tuple[str, str, int]],
    places: list[tuple[Any, ...]],
    hours: list[tuple[Any, ...]],
    language: str,
    offset: str,
) -> dict[str, Any]:
    text = texts.get(language)
    if text is None or text[2] < offer["revision"]:
        text = texts.get("de")  # missing, or translated from an older German text
    uid = str(offer["uid_text"])
    service: dict[str, Any] = {
        "id": uid,
        "organization_id": organization["id"],
        "name": text[0] if text else "",
        "description": text[1] if text else "",
        "status": "active",
        "assured_date": offer["last_verified"].isoformat(),
        "last_modified": _datetime(offer["updated"]),
    }
    if offer["email"]:
        service["email"] = offer["email"]
    if offer["url"]:
        service["url"] = offer["url"]
    if offer["min_age"] is not None:
        service["minimum_age"] = offer["min_age"]
    if offer["max_age"] is not None:
        service["maximum_age"] = offer["max_age"]
    service["organization"] = organization
    valid = {}
    if offer["valid_from"]:
        valid["valid_from"] = offer["valid_from"].isoformat()
    if offer["valid_to"]:
        valid["valid_to"] = offer["valid_to"].isoformat()
    hours_by_place: dict[int | None, list[tuple[Any, ...]]] = {}
    for slot in hours:
        hours_by_place.setdefault(slot[1], []).append(slot)
    service["service_at_locations"] = [
        _service_at_location(place, uid, hours_by_place.get(place[1], []), valid, offset)
        for place in places
    ]
    service["schedules"] = [_schedule(slot, valid, offset) for slot in hours_by_place.get(None, [])]
    service["languages"] = _languages(uid, offer["languages"])
    service["cost_options"] = _cost_options(uid, offer)
    return service


def _organization(offer: dict[str, Any], centre_name: str) -> dict[str, Any]:
    name = offer["provider__name"]
    organization: dict[str, Any] = {
        "id": derived_id("actor", offer["provider_id"]),
        "name": name,
        "description": offer["provider__description"].strip()
        or f"{name}: Anbieter von Integrationsangeboten im Netzwerk „{centre_name}“.",
    }
    if offer["provider__email"]:
        organization["email"] = offer["provider__email"]
    if offer["provider__website"]:
        organization["website"] = offer["provider__website"]
    return organization


def _service_at_location(
    place: tuple[Any, ...],
    service_id: str,
    hours: list[tuple[Any, ...]],
    valid: dict[str, str],
    offset: str,
) -> dict[str, Any]:
    _offer, _pk, uid, name, street, postcode, latitude, longitude, town = place
    place_id = str(uid)
    location_id = _derived(f"location:{place_id}")
    location: dict[str, Any] = {
        "id": location_id,
        "location_type": "physical",
        "name": name or ", ".join(part for part in (street, town) if part),
    }
    if latitude is not None and longitude is not None:
        location["latitude"] = float(latitude)
        location["longitude"] = float(longitude)
    location["addresses"] = [
        {
            "id": _derived(f"address:{place_id}"),
            "location_id": location_id,
            "address_1": street,
            "city": town,
            "state_province": STATE,
            "postal_code": postcode,
            "country": COUNTRY,
            "address_type": "physical",
        }
    ]
    return {
        "id": place_id,
        "service_id": service_id,
        "location_id": location_id,
        "location": location,
        "schedules": [_schedule(slot, valid, offset) for slot in hours],
    }


def _schedule(slot: tuple[Any, ...], valid: dict[str, str], offset: str) -> dict[str, Any]:
    """Return a weekly schedule; times are local, with the UTC offset of the export day."""
    _offer, _place, uid, weekday, opens_at, closes_at, note = slot
    schedule: dict[str, Any] = {
        "id": str(uid),
        "freq": "WEEKLY",
        "byday": OpeningHours.DAY_CODES[weekday],
        "opens_at": _time(opens_at, offset),
        "closes_at": _time(closes_at, offset),
        **valid,
    }
    if note:
        schedule["notes"] = note
    return schedule


def _languages(uid: str, names: str) -> list[dict[str, Any]]:
    languages = []
    seen = set()
    for name in (part.strip() for part in names.split(",")):
        key = name.casefold()
        if not name or key in seen:
            continue
        seen.add(key)
        entry = {"id": _derived(f"offer:{uid}:language:{key}"), "name": name}
        code = LANGUAGE_CODES.get(key)
        if code:
            entry["code"] = code
        languages.append(entry)
    return languages


def _cost_options(uid: str, offer: dict[str, Any]) -> list[dict[str, Any]]:
    fees = offer["fees"].strip()
    if not offer["free_of_charge"] and not fees:
        return []  # not free, but nobody wrote down what it costs
    option: dict[str, Any] = {
        "id": _derived(f"offer:{uid}:cost"),
        "currency": CURRENCY,
    }
    if offer["free_of_charge"]:
        option["amount"] = 0
    if fees:
        option["amount_description"] = fees
    return [option]


def _utc_offset(day: date) -> str:
    """Return the UTC offset (``+01:00``) of the deployment's time zone at noon of ``day``."""
    moment = datetime.combine(day, time(12), tzinfo=zoneinfo.ZoneInfo(settings.TIME_ZONE))
    return moment.isoformat()[-6:]


def _time(value: time, offset: str) -> str:
    return _clock(value) + offset


@functools.lru_cache(maxsize=2048)
def _clock(value: time) -> str:
    return f"{value:%H:%M}"


def _datetime(value: datetime) -> str:
    return value.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
