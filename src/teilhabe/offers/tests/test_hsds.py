"""The HSDS 3.0 export: valid against the official schema (strictly), public data only, stable."""

from __future__ import annotations

import copy
import json
import re
import uuid
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from functools import cache
from io import StringIO
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.utils import timezone
from django_scopes import scope
from jsonschema import Draft202012Validator, FormatChecker

from teilhabe.core.models import Centre, User
from teilhabe.core.tests.factories import make_member
from teilhabe.network.models import Actor
from teilhabe.network.tests.factories import make_actor, make_contact
from teilhabe.offers.hsds import NAMESPACE, export_services
from teilhabe.offers.models import Offer
from teilhabe.offers.services import (
    add_location,
    add_opening_hours,
    change_status,
    save_offer,
    save_translation,
)

#: The official schemas and examples, copied from the specification (see hsds-3.0/README.md).
HSDS = Path(__file__).parent / "hsds-3.0"

S = Offer.Status
#: The steps from a new draft to each status.
PATHS = {
    S.DRAFT: [],
    S.REVIEW: [S.REVIEW],
    S.PUBLISHED: [S.REVIEW, S.PUBLISHED],
    S.ARCHIVED: [S.REVIEW, S.PUBLISHED, S.ARCHIVED],
}
UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
TIME = re.compile(r"^\d{2}:\d{2}(Z|[+-]\d{2}:\d{2})$")


# --- the strict schema -------------------------------------------------------------------------


def strict(schema: dict[str, Any]) -> dict[str, Any]:
    """Return a copy of ``schema`` in which every object schema forbids properties it does not
    name (``additionalProperties: false``), as the specification's own check does."""
    schema = copy.deepcopy(schema)
    _forbid_extra(schema)
    return schema


def _forbid_extra(node: Any) -> None:
    if not isinstance(node, dict):
        return
    if isinstance(node.get("properties"), dict):
        node["additionalProperties"] = False
        for sub in node["properties"].values():
            _forbid_extra(sub)
    for key in ("items", "contains", "not", "if", "then", "else", "additionalItems"):
        _forbid_extra(node.get(key))
    for key in ("allOf", "anyOf", "oneOf", "prefixItems"):
        for sub in node.get(key) or []:
            _forbid_extra(sub)
    for key in ("$defs", "definitions", "patternProperties", "dependentSchemas"):
        for sub in (node.get(key) or {}).values():
            _forbid_extra(sub)


def _format_checker() -> FormatChecker:
    """Return a checker of uuid, date, email and (where jsonschema lacks them) date-time, uri."""
    checker = FormatChecker()
    if "date-time" not in checker.checkers:  # jsonschema checks it only with rfc3339-validator

        @checker.checks("date-time", raises=ValueError)
        def is_datetime(value: object) -> bool:
            if not isinstance(value, str):
                return True
            pattern = r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$"
            return bool(re.match(pattern, value)) and bool(datetime.fromisoformat(value))

    if "uri" not in checker.checkers:  # jsonschema checks it only with rfc3987

        @checker.checks("uri")
        def is_uri(value: object) -> bool:
            if not isinstance(value, str):
                return True
            return bool(urlsplit(value).scheme) and not any(c.isspace() for c in value)

    assert {"uuid", "date", "date-time", "email", "uri"} <= set(checker.checkers)
    return checker


@cache
def service_validator() -> Draft202012Validator:
    """Return the strict validator of one HSDS service (the compiled schema declares no draft)."""
    schema = json.loads((HSDS / "schema/compiled/service.json").read_text(encoding="utf-8"))
    schema = strict(schema)
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema, format_checker=_format_checker())


def errors(service: dict[str, Any]) -> list[str]:
    return [
        f"{'/'.join(map(str, e.absolute_path))}: {e.message}"
        for e in service_validator().iter_errors(service)
    ]


def official_example() -> dict[str, Any]:
    return json.loads((HSDS / "examples/service_full.json").read_text(encoding="utf-8"))


def test_strict_copy_forbids_extra_properties_on_every_object():
    schema = json.loads((HSDS / "schema/compiled/service.json").read_text(encoding="utf-8"))
    objects = []

    def collect(node: Any) -> None:
        if isinstance(node, dict):
            if isinstance(node.get("properties"), dict):
                objects.append(node)
            for value in node.values():
                collect(value)
        elif isinstance(node, list):
            for value in node:
                collect(value)

    collect(strict(schema))
    assert len(objects) > 100
    assert all(obj["additionalProperties"] is False for obj in objects)
    assert "additionalProperties" not in json.dumps(schema)  # the original stays untouched


def test_official_example_is_valid_strictly():
    assert errors(official_example()) == []


def test_strict_schema_rejects_unknown_properties_deep_inside():
    example = official_example()
    example["organization"]["owner"] = "x"
    example["service_at_locations"][0]["location"]["addresses"][0]["house_number"] = "1"
    example["schedules"][0]["id"] = "not-a-uuid"
    found = errors(example)
    assert any(e.startswith("organization:") and "'owner'" in e for e in found)
    assert any("location/addresses/0:" in e and "'house_number'" in e for e in found)
    assert any(e.startswith("schedules/0/id:") for e in found)


# --- offers ------------------------------------------------------------------------------------


def make_offer(
    acting: User,
    centre: Centre,
    *,
    title: str = "Sprachcafé",
    description: str = "Deutsch sprechen in lockerer Runde, ohne Anmeldung.",
    status: str = S.PUBLISHED,
    provider: Actor | None = None,
    english: tuple[str, str] | None = None,
    place: dict[str, Any] | None = None,
    **fields: Any,
) -> Offer:
    """Return an offer with one place, weekly hours (one at the place) and ``status``."""
    with scope(centre=[centre.pk]):
        provider = provider or make_actor(centre)
        fields.setdefault("field_of_action", "migration")
        offer = save_offer(
            acting, centre, title=title, description=description, provider=provider, **fields
        )
        place = {"name": "Familienzentrum Lamberti", "street": "Markt 1", "postcode": "59387"} | (
            place or {}
        )
        location = add_location(
            acting, offer, municipality=centre.municipalities().first(), **place
        )
        add_opening_hours(acting, offer, weekday=2, opens_at=time(9), closes_at=time(11, 30))
        add_opening_hours(
            acting,
            offer,
            location=location,
            weekday=4,
            opens_at=time(15),
            closes_at=time(17),
            note="nicht in den Schulferien",
        )
        if english:
            save_translation(acting, offer, language="en", title=english[0], description=english[1])
        for step in PATHS[status]:
            change_status(acting, offer, to=step)
        return offer


@pytest.fixture
def editor(centre):
    return make_member("ella@example.org", "administration", centre)


@pytest.fixture
def provider(centre):
    return make_actor(
        centre,
        "Caritasverband für den Kreis Coesfeld e. V.",
        description="Wohlfahrtsverband mit Beratungsstellen im ganzen Kreis.",
        email="info@caritas-coesfeld.example",
        website="https://caritas-coesfeld.example",
    )


def by_id(services: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {s["id"]: s for s in services}


def test_export_is_valid_strictly(editor, centre, provider):
    make_offer(
        editor,
        centre,
        provider=provider,
        english=("Language café", "Practise German in a relaxed group."),
        min_age=16,
        max_age=99,
        languages="Deutsch, Arabisch, Türkisch, Leichte Sprache",
        free_of_charge=False,
        fees="5 € pro Termin, ermäßigt 2 €",
        email="sprachcafe@caritas-coesfeld.example",
        url="https://caritas-coesfeld.example/sprachcafe",
        valid_from=date(2026, 1, 1),
        valid_to=timezone.localdate() + timedelta(days=90),
        place={"latitude": Decimal("51.94567"), "longitude": Decimal("7.16789")},
    )
    make_offer(editor, centre, title="Hausaufgabenhilfe", place={"name": "", "street": ""})
    for language in ("de", "en", "ar"):
        services = export_services(centre, language=language)
        assert len(services) == 2
        for service in services:
            assert errors(service) == []


def test_service_carries_the_offer(editor, centre, provider):
    offer = make_offer(
        editor,
        centre,
        provider=provider,
        min_age=16,
        languages="Deutsch, arabisch, Deutsch, Leichte Sprache",
        free_of_charge=False,
        fees="5 € pro Termin",
        email="sprachcafe@caritas-coesfeld.example",
        url="https://caritas-coesfeld.example/sprachcafe",
        place={"latitude": Decimal("51.94567"), "longitude": Decimal("7.16789")},
    )
    [service] = export_services(centre)
    with scope(centre=[centre.pk]):
        place = offer.locations.select_related("municipality").get()

    assert service["id"] == str(offer.uid)
    assert service["name"] == "Sprachcafé"
    assert service["description"] == "Deutsch sprechen in lockerer Runde, ohne Anmeldung."
    assert service["status"] == "active"
    assert service["email"] == "sprachcafe@caritas-coesfeld.example"
    assert service["url"] == "https://caritas-coesfeld.example/sprachcafe"
    assert service["minimum_age"] == 16
    assert "maximum_age" not in service
    assert service["assured_date"] == timezone.localdate().isoformat()
    modified = datetime.fromisoformat(service["last_modified"])
    assert abs(modified - offer.updated) < timedelta(milliseconds=1)

    organization = service["organization"]
    assert organization == {
        "id": str(uuid.uuid5(NAMESPACE, f"actor:{provider.pk}")),
        "name": "Caritasverband für den Kreis Coesfeld e. V.",
        "description": "Wohlfahrtsverband mit Beratungsstellen im ganzen Kreis.",
        "email": "info@caritas-coesfeld.example",
        "website": "https://caritas-coesfeld.example",
    }
    assert service["organization_id"] == organization["id"]

    [at_place] = service["service_at_locations"]
    location = at_place["location"]
    assert at_place["id"] == str(place.uid)
    assert location["location_type"] == "physical"
    assert location["name"] == "Familienzentrum Lamberti"
    assert (location["latitude"], location["longitude"]) == (51.94567, 7.16789)
    [address] = location["addresses"]
    assert {k: v for k, v in address.items() if k not in ("id", "location_id")} == {
        "address_1": "Markt 1",
        "city": place.municipality.name,
        "postal_code": "59387",
        "state_province": "Nordrhein-Westfalen",
        "country": "DE",
        "address_type": "physical",
    }

    # Hours at no particular place belong to the service, the others to their place.
    [weekly] = service["schedules"]
    assert {k: weekly[k] for k in ("freq", "byday")} == {"freq": "WEEKLY", "byday": "TU"}
    assert weekly["opens_at"][:5] == "09:00" and weekly["closes_at"][:5] == "11:30"
    assert TIME.match(weekly["opens_at"]) and TIME.match(weekly["closes_at"])
    [at_place_hours] = at_place["schedules"]
    assert at_place_hours["byday"] == "TH"
    assert at_place_hours["notes"] == "nicht in den Schulferien"

    assert [(lang["name"], lang.get("code")) for lang in service["languages"]] == [
        ("Deutsch", "de"),
        ("arabisch", "ar"),
        ("Leichte Sprache", None),
    ]
    [cost] = service["cost_options"]
    assert cost["amount_description"] == "5 € pro Termin"
    assert cost["currency"] == "EUR" and "amount" not in cost


def test_free_offer_costs_nothing_and_provider_gets_a_description(editor, centre):
    actor = make_actor(centre, "Sprachpaten Dülmen")
    make_offer(editor, centre, provider=actor, free_of_charge=True)
    [service] = export_services(centre)
    [cost] = service["cost_options"]
    assert (cost["amount"], cost["currency"]) == (0, "EUR")
    assert service["organization"]["description"].startswith("Sprachpaten Dülmen: Anbieter")
    assert "email" not in service["organization"] and "website" not in service["organization"]


@pytest.mark.parametrize(
    ("day", "offset"), [(datetime(2027, 1, 12, 10), "+01:00"), (datetime(2027, 7, 6, 10), "+02:00")]
)
def test_opening_times_carry_the_german_utc_offset(editor, centre, day, offset):
    with time_machine.travel(timezone.make_aware(day), tick=False):
        make_offer(editor, centre)
        [service] = export_services(centre)
    assert service["schedules"][0]["opens_at"] == f"09:00{offset}"
    assert service["schedules"][0]["closes_at"] == f"11:30{offset}"


def test_only_published_current_offers_of_the_centre_are_exported(
    editor, centre, other_centre, charlie
):
    today = timezone.localdate()
    shown = {
        make_offer(editor, centre, title="Veröffentlicht").uid,
        make_offer(editor, centre, title="Endet heute", valid_to=today).uid,
    }
    for status in (S.DRAFT, S.REVIEW, S.ARCHIVED):
        make_offer(editor, centre, title=f"Status {status}", status=status)
    make_offer(editor, centre, title="Abgelaufen", valid_to=today - timedelta(days=1))
    make_offer(charlie, other_centre, title="Anderes Zentrum")

    services = export_services(centre)
    assert {s["id"] for s in services} == {str(uid) for uid in shown}
    assert {s["name"] for s in services} == {"Veröffentlicht", "Endet heute"}


def test_contact_persons_never_leave_the_centre(editor, centre, provider):
    make_contact(provider, "Erika Mustermann", email="erika.m@privat.example", is_public=True)
    make_contact(provider, "Max Geheim", phone="0170 1234567")
    make_offer(editor, centre, provider=provider)
    dump = json.dumps(export_services(centre), ensure_ascii=False)
    for secret in ("Erika", "erika.m@", "Max Geheim", "0170"):
        assert secret not in dump


def test_ids_are_uuids_and_stable_between_exports(editor, centre, provider):
    make_offer(editor, centre, provider=provider, languages="Deutsch, Ukrainisch")
    make_offer(editor, centre, provider=provider, free_of_charge=False, fees="10 €")
    first, second = export_services(centre), export_services(centre)
    assert first == second

    ids = []

    def collect(node: Any) -> None:
        if isinstance(node, dict):
            ids.extend(v for k, v in node.items() if k == "id")
            for value in node.values():
                collect(value)
        elif isinstance(node, list):
            for value in node:
                collect(value)

    collect(first)
    assert ids and all(UUID.match(i) for i in ids)
    organizations = {s["organization"]["id"] for s in first}
    assert len(organizations) == 1  # one provider, one organisation
    assert len(set(ids)) == len(ids) - 1  # only the shared organisation repeats


def test_names_in_the_chosen_language_fall_back_to_german(editor, centre):
    translated = make_offer(
        editor, centre, title="Sprachcafé", english=("Language café", "Practise German.")
    )
    german_only = make_offer(editor, centre, title="Hausaufgabenhilfe")

    english = by_id(export_services(centre, language="en"))
    assert english[str(translated.uid)]["name"] == "Language café"
    assert english[str(translated.uid)]["description"] == "Practise German."
    assert english[str(german_only.uid)]["name"] == "Hausaufgabenhilfe"

    german = by_id(export_services(centre, language="de"))
    assert german[str(translated.uid)]["name"] == "Sprachcafé"

    # A translation of an older German text is not exported: the German text is.
    with scope(centre=[centre.pk]):
        save_offer(
            editor,
            centre,
            offer=translated,
            title="Sprachcafé am Markt",
            description="Neue Beschreibung.",
        )
    english = by_id(export_services(centre, language="en"))
    assert english[str(translated.uid)]["name"] == "Sprachcafé am Markt"


def test_unknown_language_is_refused(centre):
    with pytest.raises(ValueError, match="xx"):
        export_services(centre, language="xx")


def test_queries_do_not_grow_with_the_number_of_offers(
    editor, centre, provider, django_assert_max_num_queries
):
    actors = [provider, make_actor(centre, "Jugendmigrationsdienst Coesfeld")]
    for i in range(3):
        make_offer(editor, centre, provider=actors[i % 2], english=("Café", "Talk."))
    with django_assert_max_num_queries(4) as few:
        assert len(export_services(centre, language="en")) == 3

    for i in range(27):
        make_offer(editor, centre, provider=actors[i % 2], english=("Café", "Talk."))
    with django_assert_max_num_queries(len(few)):
        assert len(export_services(centre, language="en")) == 30


# --- the command -------------------------------------------------------------------------------


def test_command_prints_one_json_document(editor, centre, provider):
    make_offer(
        editor,
        centre,
        provider=provider,
        english=("Language café", "Practise German."),
        languages="Deutsch, Türkisch",
    )
    out = StringIO()
    call_command("export_hsds", centre.slug, stdout=out)
    text = out.getvalue()
    services = json.loads(text)
    assert services == export_services(centre)
    assert "Türkisch" in text and "\\u" not in text  # UTF-8, not escaped
    assert text.startswith('[\n  {\n    "id": ')  # indented by two
    assert all(errors(service) == [] for service in services)

    out = StringIO()
    call_command("export_hsds", centre.slug, "--language", "en", stdout=out)
    assert json.loads(out.getvalue())[0]["name"] == "Language café"


def test_command_prints_an_empty_list_for_a_centre_without_offers(centre):
    out = StringIO()
    call_command("export_hsds", centre.slug, stdout=out)
    assert json.loads(out.getvalue()) == []


def test_command_refuses_an_unknown_centre(centre):
    with pytest.raises(CommandError, match='no centre with the short name "atlantis"'):
        call_command("export_hsds", "atlantis", stdout=StringIO())
