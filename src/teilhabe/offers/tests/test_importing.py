"""Import of actors and offers from CSV and XLSX: idempotent, dry run, every rejection explained."""

from __future__ import annotations

import datetime
import io
import zipfile

import pytest
from auditlog.models import LogEntry
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.core.validators import EmailValidator
from django.urls import reverse
from django.utils import translation
from django_scopes import scope, scopes_disabled
from openpyxl import Workbook, load_workbook

from teilhabe.core.spreadsheets import SpreadsheetError, read_rows, write_xlsx
from teilhabe.core.tests.factories import make_member
from teilhabe.network.models import Actor
from teilhabe.network.tests.factories import make_actor
from teilhabe.offers.importing import KINDS, import_actors, import_offers, offer_uid
from teilhabe.offers.models import Offer, OfferLocation, OpeningHours

pytestmark = pytest.mark.django_db

IMPORT = reverse("offers:import")
ENGLISH = {"accept-language": "en"}

ACTOR_HEADER = [
    "name",
    "kind",
    "street",
    "postcode",
    "gemeinde",
    "email",
    "phone",
    "website",
    "languages",
    "fields_of_action",
]
ACTORS = [
    ACTOR_HEADER,
    [
        "Caritasverband Coesfeld",
        "Wohlfahrtsverband",
        "Kirchplatz 1",
        "48653",
        "Coesfeld",
        "info@caritas-coesfeld.example",
        "02541 1234",
        "www.caritas-coesfeld.example",
        "Arabisch,Türkisch",
        "Zuwanderung und Flucht, education",
    ],
    ["Jobcenter Kreis Coesfeld", "jobcentre", "", "", "05558016", "", "", "", "", ""],
]

OFFER_HEADER = [
    "external_id",
    "title",
    "description",
    "provider",
    "field_of_action",
    "min_age",
    "max_age",
    "free_of_charge",
    "fees",
    "languages",
    "gemeinde",
    "street",
    "postcode",
    "weekday",
    "opens_at",
    "closes_at",
    "status",
]


def _offer(external_id="A-1", **values):
    row = {
        "external_id": external_id,
        "title": "Sprachcafé",
        "description": "Deutsch üben in lockerer Runde.",
        "provider": "Caritasverband Coesfeld",
        "field_of_action": "Zuwanderung und Flucht",
        "min_age": "16",
        "max_age": "",
        "free_of_charge": "ja",
        "fees": "",
        "languages": "Deutsch, Arabisch",
        "gemeinde": "Coesfeld",
        "street": "Marktplatz 1",
        "postcode": "48653",
        "weekday": "Di",
        "opens_at": "15:00",
        "closes_at": "17:00",
        "status": "",
    }
    row.update(values)
    return [row[name] for name in OFFER_HEADER]


OFFERS = [
    OFFER_HEADER,
    _offer("A-1"),
    _offer(
        "A-2",
        title="Elterncafé",
        field_of_action="education",
        min_age="",
        free_of_charge="nein",
        fees="2 € pro Treffen",
        gemeinde="05558016",
        weekday="",
        opens_at="",
        closes_at="",
    ),
]


def _csv(table, delimiter=";", bom=True):
    def quote(value):
        value = str(value)
        if any(c in value for c in (delimiter, '"', "\n")):
            return '"' + value.replace('"', '""') + '"'
        return value

    text = "\r\n".join(delimiter.join(quote(v) for v in row) for row in table) + "\r\n"
    return ("\ufeff" if bom else "").encode() + text.encode()


def _xlsx(table):
    workbook = Workbook()
    for row in table:
        workbook.active.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _rows(table, name="liste.csv"):
    data = _xlsx(table) if name.endswith(".xlsx") else _csv(table)
    return read_rows(data, name)


@pytest.fixture
def clerk(centre):
    """Clara: administrative officer of the centre; she keeps offers but does not publish."""
    return make_member("clara@example.org", "clerk", centre)


@pytest.fixture
def provider(centre):
    return make_actor(centre, "Caritasverband Coesfeld")


def _import_actors(user, centre, table, *, dry_run=False):
    with scope(centre=[centre.pk]), translation.override("en"):
        return import_actors(user, centre, _rows(table), dry_run=dry_run)


def _import_offers(user, centre, table, *, dry_run=False):
    with scope(centre=[centre.pk]), translation.override("en"):
        return import_offers(user, centre, _rows(table), dry_run=dry_run)


def _counts(report):
    return report.created, report.updated, report.unchanged, len(report.rejected)


def _rejections(report):
    return {r.row: r.reason for r in report.rejected}


def _count(model):
    with scopes_disabled():
        return model.objects.count()


def _actor(centre, name):
    with scopes_disabled():
        return Actor.objects.get(centre=centre, name=name)


def _offer_of(centre, external_id):
    with scopes_disabled():
        return Offer.objects.prefetch_related("texts").get(uid=offer_uid(centre, external_id))


# Reading tables


def test_csv_with_semicolons_and_bom_is_read():
    rows = read_rows(_csv(ACTORS, ";", bom=True), "akteure.csv")

    assert [row.number for row in rows] == [2, 3]
    assert rows[0]["name"] == "Caritasverband Coesfeld"
    assert rows[0]["languages"] == "Arabisch,Türkisch"
    assert rows[0]["fields_of_action"] == "Zuwanderung und Flucht, education"


def test_csv_with_commas_is_read():
    rows = read_rows(_csv(ACTORS, ",", bom=False), "akteure.csv")

    assert rows[0]["kind"] == "Wohlfahrtsverband"
    assert rows[0]["fields_of_action"] == "Zuwanderung und Flucht, education"
    assert rows[1]["gemeinde"] == "05558016"


def test_xlsx_is_read_with_numbers_and_times_as_text():
    table = [OFFER_HEADER, _offer(min_age=16, postcode=48653, opens_at=datetime.time(9, 30))]

    (row,) = read_rows(_xlsx(table), "angebote.xlsx")

    assert row.number == 2
    assert (row["min_age"], row["postcode"], row["opens_at"]) == ("16", "48653", "09:30")


def test_header_variations_are_normalised():
    table = [[" Name ", "KIND", "Fields Of Action"], ["Caritas", "welfare", "education"]]

    (row,) = read_rows(_csv(table), "Akteure.CSV")

    assert dict(row) == {"name": "Caritas", "kind": "welfare", "fields_of_action": "education"}


def test_empty_rows_are_skipped_but_rows_keep_their_numbers_in_the_file():
    table = [["name", "kind"], ["", ""], ["Caritas", "welfare"]]

    (row,) = read_rows(_csv(table), "a.csv")

    assert row.number == 3


@pytest.mark.parametrize(
    ("data", "name", "message"),
    [
        (b"", "leer.csv", "empty"),
        (b"\xef\xbb\xbf\r\n;;\r\n", "leer.csv", "empty"),
        (b"name;kind\r\n", "kopf.csv", "no rows"),
        (b"name;kind\r\nCaritas;welfare\r\n", "akteure.ods", "neither a CSV nor an XLSX"),
        (b"name;kind\r\nCaritas;welfare\r\n", "akteure.xlsx", "not an Excel workbook"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1rest", "akteure.csv", "a workbook, not a CSV"),
        ("name;kind\r\nÄrztekammer;chamber\r\n".encode("cp1252"), "a.csv", "UTF-8"),
        (b"kind;street\r\nwelfare;Markt 1\r\n", "a.csv", "Required columns are missing: name"),
        (b"name;name\r\nA;B\r\n", "a.csv", "appears more than once"),
    ],
)
def test_unreadable_files_are_refused_with_a_clear_message(data, name, message):
    with translation.override("en"), pytest.raises(SpreadsheetError) as error:
        read_rows(data, name, required=["name"])

    assert message in error.value.message


def _workbook_with_sheet(sheet_xml: bytes) -> bytes:
    """Return a valid workbook whose first sheet is replaced by ``sheet_xml``."""
    source = zipfile.ZipFile(io.BytesIO(_xlsx([["name"], ["Caritas"]])))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = sheet_xml
            target.writestr(item, data)
    return out.getvalue()


def _sheet(doctype: str, cell: str) -> bytes:
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f"{doctype}\n"
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        '<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>name</t></is></c></row>'
        f'<row r="2"><c r="A2" t="inlineStr"><is><t>{cell}</t></is></c></row>'
        "</sheetData></worksheet>"
    ).encode()


@pytest.mark.parametrize("attack", ["external", "expansion"])
def test_workbook_with_an_entity_is_refused_not_expanded(attack, tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-VALUE")
    if attack == "external":
        doctype = f'<!DOCTYPE worksheet [<!ENTITY xxe SYSTEM "file://{secret}">]>'
    else:
        doctype = (
            '<!DOCTYPE worksheet [<!ENTITY a "TOP-SECRET-VALUE">'
            '<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY xxe "&b;&b;&b;&b;&b;">]>'
        )
    data = _workbook_with_sheet(_sheet(doctype, "&xxe;"))

    with translation.override("en"), pytest.raises(SpreadsheetError) as error:
        read_rows(data, "angriff.xlsx")

    assert "document type declaration" in error.value.message
    assert "TOP-SECRET-VALUE" not in error.value.message


def test_a_doctype_without_entities_is_refused_as_well():
    data = _workbook_with_sheet(_sheet("<!DOCTYPE worksheet>", "Caritas"))

    with pytest.raises(SpreadsheetError):
        read_rows(data, "a.xlsx")


def test_a_damaged_workbook_is_refused():
    data = _workbook_with_sheet(b"<worksheet><sheetData><row>")

    with translation.override("en"), pytest.raises(SpreadsheetError) as error:
        read_rows(data, "a.xlsx")

    assert "damaged" in error.value.message


# Writing workbooks


def test_write_xlsx_neutralises_formulas():
    dangerous = ['=HYPERLINK("http://x")', "+1+2", "-3+4", "@SUM(A1)", "\t=1", "\r=1"]
    rows = [[value, "harmlos"] for value in dangerous] + [[42, "Sprachcafé"]]

    data = write_xlsx(rows, ["=title", "text"])

    sheet = load_workbook(io.BytesIO(data)).active
    cells = [cell for row in sheet.iter_rows() for cell in row]
    assert not [cell.coordinate for cell in cells if cell.data_type == "f"]
    assert sheet["A1"].value == "'=title"
    # XML reads a carriage return back as a line feed.
    assert [sheet.cell(row=n, column=1).value for n in range(2, 8)] == [
        f"'{value}".replace("\r", "\n") for value in dangerous
    ]
    assert (sheet["A8"].value, sheet["B8"].value) == (42, "Sprachcafé")


def test_write_xlsx_takes_rows_as_mappings():
    data = write_xlsx([{"name": "=1", "kind": "welfare"}], ["name", "kind"])

    sheet = load_workbook(io.BytesIO(data)).active
    assert [c.value for c in sheet[2]] == ["'=1", "welfare"]


# Importing actors


def test_valid_actor_rows_are_created(dana, centre):
    report = _import_actors(dana, centre, ACTORS)

    assert _counts(report) == (2, 0, 0, 0)
    caritas = _actor(centre, "Caritasverband Coesfeld")
    assert caritas.kind == Actor.Kind.WELFARE
    assert caritas.municipality.ags == "05558012"
    assert caritas.website == "https://www.caritas-coesfeld.example"
    assert caritas.languages == "Arabisch, Türkisch"
    assert caritas.fields_of_action == ["education", "migration"]
    assert _actor(centre, "Jobcenter Kreis Coesfeld").municipality.name == "Dülmen"
    with scopes_disabled():
        assert LogEntry.objects.get_for_object(caritas).get().actor == dana


@pytest.mark.parametrize("name", ["akteure.csv", "akteure.xlsx"])
def test_second_actor_import_changes_nothing(dana, centre, name):
    with scope(centre=[centre.pk]):
        first = import_actors(dana, centre, _rows(ACTORS, name), dry_run=False)
        entries = LogEntry.objects.count()
        second = import_actors(dana, centre, _rows(ACTORS, name), dry_run=False)

    assert _counts(first) == (2, 0, 0, 0)
    assert _counts(second) == (0, 0, 2, 0)
    assert LogEntry.objects.count() == entries


def test_a_changed_actor_is_updated_and_others_stay(dana, centre):
    _import_actors(dana, centre, ACTORS)
    changed = [ACTOR_HEADER, [*ACTORS[1][:6], "02541 9999", *ACTORS[1][7:]], ACTORS[2]]

    report = _import_actors(dana, centre, changed)

    assert _counts(report) == (0, 1, 1, 0)
    assert _actor(centre, "Caritasverband Coesfeld").phone == "02541 9999"


def test_missing_columns_leave_fields_as_they_are(dana, centre):
    _import_actors(dana, centre, ACTORS)

    report = _import_actors(dana, centre, [["name", "phone"], ["Caritasverband Coesfeld", "1"]])

    assert _counts(report) == (0, 1, 0, 0)
    caritas = _actor(centre, "Caritasverband Coesfeld")
    assert (caritas.phone, caritas.kind, caritas.street) == ("1", "welfare", "Kirchplatz 1")


def test_actor_dry_run_writes_nothing_but_reports_the_same(dana, centre):
    entries = LogEntry.objects.count()

    dry = _import_actors(dana, centre, ACTORS, dry_run=True)

    assert _count(Actor) == 0
    assert LogEntry.objects.count() == entries
    assert _counts(dry) == _counts(_import_actors(dana, centre, ACTORS)) == (2, 0, 0, 0)


def test_bad_actor_rows_are_rejected_with_row_and_reason(dana, centre):
    table = [
        ACTOR_HEADER[:5],
        ["Diakonie Coesfeld", "welfare", "", "", "Atlantis"],
        ["Stadt Münster", "welfare", "", "", "Münster"],
        ["Sportverein Dülmen", "Kegelclub", "", "", "Dülmen"],
        ["", "welfare", "", "", "Dülmen"],
        ["Caritasverband Coesfeld", "welfare", "", "4865", "Coesfeld"],
        ["Integrationsrat Coesfeld", "Integrationsrat", "", "48653", "Coesfeld"],
        ["Integrationsrat Coesfeld", "Integration council", "", "48653", "Coesfeld"],
        ["Neue Initiative", "", "", "", "Coesfeld"],
    ]

    report = _import_actors(dana, centre, table)

    assert _counts(report) == (1, 0, 0, 7)
    reasons = _rejections(report)
    assert "There is no Gemeinde “Atlantis”" in reasons[2]
    assert "“Münster” lies in Münster, outside the centre's area" in reasons[3]
    assert "Unknown kind “Kegelclub”" in reasons[4]
    assert "name is missing" in reasons[5]
    assert "postcode “4865”" in reasons[6]
    assert "already appears in row 7" in reasons[8]
    assert "kind is missing" in reasons[9]
    assert _actor(centre, "Integrationsrat Coesfeld").kind == Actor.Kind.INTEGRATION_COUNCIL


def test_a_service_refusal_is_a_reason_with_the_column(dana, centre):
    report = _import_actors(dana, centre, [["name", "kind", "email"], ["X", "mso", "kein@"]])

    assert _rejections(report) == {2: "email: Enter a valid email address."}


def test_reasons_are_given_in_german_by_default(dana, centre):
    rows = _rows([["name", "kind", "email"], ["X", "mso", "kein@"]])

    with scope(centre=[centre.pk]):
        report = import_actors(dana, centre, rows, dry_run=True)

    with translation.override("de"):
        german = str(EmailValidator.message)
    assert german != "Enter a valid email address."
    assert _rejections(report) == {2: f"email: {german}"}


def test_a_case_manager_may_not_import(alice, centre):
    with scope(centre=[centre.pk]), pytest.raises(PermissionDenied):
        import_actors(alice, centre, _rows(ACTORS), dry_run=True)
    with scope(centre=[centre.pk]), pytest.raises(PermissionDenied):
        import_offers(alice, centre, _rows(OFFERS), dry_run=True)


def test_another_centre_may_not_import_into_the_centre(charlie, centre):
    with scope(centre=[centre.pk]), pytest.raises(PermissionDenied):
        import_actors(charlie, centre, _rows(ACTORS), dry_run=True)


# Importing offers


@pytest.mark.parametrize("name", ["angebote.csv", "angebote.xlsx"])
def test_valid_offer_rows_are_created_with_place_and_time(dana, centre, provider, name):
    with scope(centre=[centre.pk]):
        report = import_offers(dana, centre, _rows(OFFERS, name), dry_run=False)

    assert _counts(report) == (2, 0, 0, 0)
    cafe = _offer_of(centre, "A-1")
    assert cafe.title() == "Sprachcafé"
    assert (cafe.status, cafe.provider, cafe.field_of_action) == ("draft", provider, "migration")
    assert (cafe.min_age, cafe.max_age, cafe.free_of_charge) == (16, None, True)
    assert cafe.languages == "Deutsch, Arabisch"
    with scopes_disabled():
        (place,) = cafe.locations.all()
        (hours,) = cafe.opening_hours.all()
    assert (place.municipality.name, place.street, place.postcode) == (
        "Coesfeld",
        "Marktplatz 1",
        "48653",
    )
    assert place.latitude is not None
    assert (hours.weekday, hours.opens_at, hours.closes_at, hours.location) == (
        2,
        datetime.time(15),
        datetime.time(17),
        place,
    )
    parents = _offer_of(centre, "A-2")
    assert (parents.free_of_charge, parents.fees) == (False, "2 € pro Treffen")
    with scopes_disabled():
        assert parents.locations.get().municipality.name == "Dülmen"
        assert not parents.opening_hours.exists()
        assert LogEntry.objects.get_for_object(cafe).first().actor == dana


def test_second_offer_import_changes_nothing(dana, centre, provider):
    table = [OFFER_HEADER, *OFFERS[1:], _offer("A-3", status="veröffentlicht")]
    first = _import_offers(dana, centre, table)
    entries = LogEntry.objects.count()
    counts = [_count(m) for m in (Offer, OfferLocation, OpeningHours)]

    second = _import_offers(dana, centre, table)

    assert _counts(first) == (3, 0, 0, 0)
    assert _counts(second) == (0, 0, 3, 0)
    assert LogEntry.objects.count() == entries
    assert [_count(m) for m in (Offer, OfferLocation, OpeningHours)] == counts == [3, 3, 2]


def test_offer_dry_run_writes_nothing_but_reports_the_same(dana, centre, provider):
    table = [*OFFERS, _offer("A-3", title="")]
    entries = LogEntry.objects.count()

    dry = _import_offers(dana, centre, table, dry_run=True)

    assert [_count(m) for m in (Offer, OfferLocation, OpeningHours)] == [0, 0, 0]
    assert LogEntry.objects.count() == entries
    real = _import_offers(dana, centre, table)
    assert _counts(dry) == _counts(real) == (2, 0, 0, 1)
    assert dry.rejected == real.rejected


def test_a_changed_offer_is_updated_in_place(dana, centre, provider):
    _import_offers(dana, centre, OFFERS)
    before = _offer_of(centre, "A-1")
    changed = [
        OFFER_HEADER,
        _offer("A-1", title="Sprachcafé am Markt", gemeinde="Dülmen", weekday="Mi"),
        OFFERS[2],
    ]

    report = _import_offers(dana, centre, changed)

    assert _counts(report) == (0, 1, 1, 0)
    after = _offer_of(centre, "A-1")
    assert (after.pk, after.title(), after.revision) == (before.pk, "Sprachcafé am Markt", 2)
    with scopes_disabled():
        (place,) = after.locations.all()
        (hours,) = after.opening_hours.all()
    assert (place.municipality.name, hours.weekday, hours.location) == ("Dülmen", 3, place)
    assert _count(Offer) == 2


def test_places_and_times_added_by_hand_are_kept(dana, centre, provider):
    from teilhabe.offers import services

    _import_offers(dana, centre, OFFERS)
    cafe = _offer_of(centre, "A-1")
    with scope(centre=[centre.pk]):
        town = centre.municipalities().get(name="Nottuln")
        services.add_location(dana, cafe, municipality=town, name="Zweigstelle")

    without_time = _offer("A-1", weekday="", opens_at="", closes_at="")
    report = _import_offers(dana, centre, [OFFER_HEADER, without_time])

    assert _counts(report) == (0, 1, 0, 0)
    with scopes_disabled():
        assert sorted(cafe.locations.values_list("municipality__name", flat=True)) == [
            "Coesfeld",
            "Nottuln",
        ]
        assert not cafe.opening_hours.exists()


def test_offer_uid_is_derived_from_the_external_id(dana, centre, other_centre, provider):
    _import_offers(dana, centre, OFFERS)

    assert _offer_of(centre, "A-1").uid == offer_uid(centre, "A-1")
    assert offer_uid(centre, "A-1") != offer_uid(other_centre, "A-1")
    assert offer_uid(centre, "A-1") != offer_uid(centre, "a-1")


def test_bad_offer_rows_are_rejected_with_row_and_reason(dana, centre, provider):
    table = [
        OFFER_HEADER,
        _offer("B-1", title=""),
        _offer("B-2", provider="Unbekannter Verein"),
        _offer("B-3", min_age="18", max_age="12"),
        _offer("B-4", gemeinde="Münster"),
        _offer("B-5", gemeinde="Atlantis"),
        _offer("B-6", field_of_action="Kochen"),
        _offer("B-7", opens_at="18:00"),
        _offer("B-8", weekday="Funday"),
        _offer("B-9", free_of_charge="vielleicht"),
        _offer("B-10", status="gelöscht"),
        _offer(""),
        _offer("B-1", title="Zweimal"),
        _offer("B-12"),
    ]

    report = _import_offers(dana, centre, table)

    assert _counts(report) == (1, 0, 0, 12)
    reasons = _rejections(report)
    assert "title is missing" in reasons[2]
    assert "“Unbekannter Verein” is not an actor of this centre" in reasons[3]
    assert "maximum age (12) lies below the minimum age (18)" in reasons[4]
    assert "outside the centre's area" in reasons[5]
    assert "There is no Gemeinde “Atlantis”" in reasons[6]
    assert "Unknown field of action “Kochen”" in reasons[7]
    assert "end lies before the start" in reasons[8]
    assert "Unknown weekday “Funday”" in reasons[9]
    assert "neither ja nor nein" in reasons[10]
    assert "Unknown status “gelöscht”" in reasons[11]
    assert "external id is missing" in reasons[12]
    assert "external id “B-1” already appears in row 2" in reasons[13]
    assert sorted(reasons) == list(range(2, 14))


def test_a_row_refused_by_a_later_service_leaves_nothing_behind(dana, centre, provider):
    report = _import_offers(dana, centre, [OFFER_HEADER, _offer(street="x" * 201)])

    assert list(_rejections(report)) == [2]
    assert "street" in report.rejected[0].reason
    assert [_count(m) for m in (Offer, OfferLocation, OpeningHours)] == [0, 0, 0]


def test_a_clerk_may_not_publish(clerk, dana, centre, provider):
    table = [OFFER_HEADER, _offer("C-1", status="veröffentlicht"), _offer("C-2", status="Entwurf")]

    report = _import_offers(clerk, centre, table)

    assert _counts(report) == (1, 0, 0, 1)
    assert "You may not publish offers" in _rejections(report)[2]
    assert _offer_of(centre, "C-2").status == Offer.Status.DRAFT
    published = _import_offers(dana, centre, table)
    assert _counts(published) == (1, 0, 1, 0)
    assert _offer_of(centre, "C-1").status == Offer.Status.PUBLISHED


def test_a_clerk_may_reimport_an_offer_the_leadership_published(clerk, dana, centre, provider):
    table = [OFFER_HEADER, _offer("C-1", status="published")]
    _import_offers(dana, centre, table)

    report = _import_offers(clerk, centre, table)

    assert _counts(report) == (0, 0, 1, 0)


def test_an_empty_status_keeps_the_status_of_an_existing_offer(dana, centre, provider):
    _import_offers(dana, centre, [OFFER_HEADER, _offer("C-1", status="published")])

    report = _import_offers(dana, centre, [OFFER_HEADER, _offer("C-1")])

    assert _counts(report) == (0, 0, 1, 0)
    assert _offer_of(centre, "C-1").status == Offer.Status.PUBLISHED


def test_a_published_offer_can_be_archived_by_import(dana, centre, provider):
    _import_offers(dana, centre, [OFFER_HEADER, _offer("C-1", status="published")])

    report = _import_offers(dana, centre, [OFFER_HEADER, _offer("C-1", status="archiviert")])

    assert _counts(report) == (0, 1, 0, 0)
    assert _offer_of(centre, "C-1").status == Offer.Status.ARCHIVED


def test_offers_of_another_centre_are_not_touched(dana, charlie, centre, other_centre, provider):
    make_actor(other_centre, "Caritasverband Coesfeld")
    _import_offers(dana, centre, OFFERS)

    with scope(centre=[other_centre.pk]), translation.override("en"):
        rows = _rows([OFFER_HEADER, _offer("A-1", gemeinde="Münster")])
        report = import_offers(charlie, other_centre, rows, dry_run=False)

    assert _counts(report) == (1, 0, 0, 0)
    assert _offer_of(centre, "A-1").title() == "Sprachcafé"
    assert _offer_of(other_centre, "A-1").centre == other_centre


# The import page


def _upload(table, name="angebote.csv", **fields):
    data = _xlsx(table) if name.endswith(".xlsx") else _csv(table)
    return {"file": SimpleUploadedFile(name, data), **fields}


def test_page_shows_the_form(client, dana):
    client.force_login(dana)

    response = client.get(IMPORT)

    assert response.status_code == 200
    form = response.context["form"]
    assert list(form.fields) == ["kind", "file", "dry_run"]
    assert form["dry_run"].value() is True
    html = response.content.decode()
    assert 'enctype="multipart/form-data"' in html
    assert "?vorlage=actors" in html and "?vorlage=offers" in html


@pytest.mark.parametrize(("kind", "first"), [("actors", "name"), ("offers", "external_id")])
def test_page_serves_a_template_workbook(client, dana, kind, first):
    client.force_login(dana)

    response = client.get(IMPORT, {"vorlage": kind})

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "attachment" in response["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(response.content)).active
    headers = [cell.value for cell in sheet[1]]
    assert headers[0] == first
    assert headers == KINDS[kind].headers
    assert sheet.max_row == 1


def test_page_answers_404_for_an_unknown_template(client, dana):
    client.force_login(dana)

    assert client.get(IMPORT, {"vorlage": "schulen"}).status_code == 404


def test_dry_run_on_the_page_shows_the_report_and_writes_nothing(client, dana, centre, provider):
    client.force_login(dana)
    table = [*OFFERS, _offer("A-3", gemeinde="Münster")]

    response = client.post(IMPORT, _upload(table, kind="offers", dry_run="on"), headers=ENGLISH)

    assert response.status_code == 200
    report = response.context["report"]
    assert (report.dry_run, _counts(report)) == (True, (2, 0, 0, 1))
    assert _count(Offer) == 0
    html = response.content.decode()
    assert 'role="status"' in html
    assert "Rows the import would reject" in html
    assert "outside the centre&#x27;s area" in html
    assert "choose the same file again" in html
    assert response.context["form"]["dry_run"].value() is True


def test_real_import_on_the_page_writes(client, dana, centre):
    client.force_login(dana)

    response = client.post(IMPORT, _upload(ACTORS, "akteure.xlsx", kind="actors"))

    assert response.status_code == 200
    assert _counts(response.context["report"]) == (2, 0, 0, 0)
    assert _count(Actor) == 2
    assert response.context["report"].dry_run is False


def test_a_case_manager_gets_403(client, alice, centre):
    client.force_login(alice)

    assert client.get(IMPORT).status_code == 403
    response = client.post(IMPORT, _upload(ACTORS, "akteure.csv", kind="actors"))
    assert response.status_code == 403
    assert _count(Actor) == 0


def test_anonymous_visitors_are_sent_to_log_in(client):
    response = client.get(IMPORT)

    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_a_file_over_the_limit_is_rejected_with_a_message(client, dana):
    client.force_login(dana)
    big = SimpleUploadedFile("gross.csv", b"name;kind\r\n" + b"x" * (5 * 1024 * 1024))

    response = client.post(IMPORT, {"kind": "actors", "file": big}, headers=ENGLISH)

    assert response.status_code == 200
    assert response.context["form"].errors["file"] == [
        "The file is larger than 5 MB. Please split it into several files."
    ]
    assert "report" not in response.context


def test_a_file_of_another_format_is_rejected_on_the_page(client, dana):
    client.force_login(dana)

    response = client.post(
        IMPORT,
        {"kind": "actors", "file": SimpleUploadedFile("akteure.ods", b"PK\x03\x04...")},
        headers=ENGLISH,
    )

    assert response.context["form"].errors["file"] == ["Please choose a CSV or XLSX file."]


def test_an_unreadable_file_is_rejected_on_the_page(client, dana):
    client.force_login(dana)
    table = [["name", "kind"], ["Caritas", "welfare"]]

    response = client.post(IMPORT, _upload(table, "a.csv", kind="offers"), headers=ENGLISH)

    assert (
        "Required columns are missing: external_id, title, description, gemeinde"
        in (response.context["form"].errors["file"][0])
    )


# The command


def test_command_prints_the_report(dana, centre, tmp_path):
    path = tmp_path / "akteure.csv"
    path.write_bytes(_csv(ACTORS))
    out = io.StringIO()

    with translation.override("en"):
        call_command(
            "import_directory",
            centre.slug,
            "actors",
            str(path),
            "--user",
            dana.email,
            "--dry-run",
            stdout=out,
        )
        assert _count(Actor) == 0
        call_command(
            "import_directory", centre.slug, "actors", str(path), "--user", dana.email, stdout=out
        )

    text = out.getvalue()
    assert "Dry run: nothing has been saved." in text
    assert text.count("2 new, 0 changed, 0 unchanged, 0 rejected.") == 2
    assert _count(Actor) == 2


def test_command_lists_rejected_rows(dana, centre, tmp_path):
    path = tmp_path / "akteure.xlsx"
    path.write_bytes(_xlsx([["name", "kind"], ["Verein", "Kegelclub"]]))
    out = io.StringIO()

    with translation.override("en"):
        call_command(
            "import_directory", centre.slug, "actors", str(path), "--user", dana.email, stdout=out
        )

    assert "Row 2: Unknown kind “Kegelclub”" in out.getvalue()


@pytest.mark.parametrize(
    ("centre_slug", "user", "file", "message"),
    [
        ("atlantis", "dana@example.org", "a.csv", "no centre"),
        ("coesfeld", "nobody@example.org", "a.csv", "no active user"),
        ("coesfeld", "dana@example.org", "fehlt.csv", "no file"),
        ("coesfeld", "alice@example.org", "a.csv", "may not import"),
        ("coesfeld", "dana@example.org", "a.txt", "neither a CSV nor an XLSX"),
    ],
)
def test_command_refuses_clearly(dana, alice, centre, tmp_path, centre_slug, user, file, message):
    for name in ("a.csv", "a.txt"):
        (tmp_path / name).write_bytes(_csv(ACTORS))

    with translation.override("en"), pytest.raises(CommandError, match=message):
        call_command(
            "import_directory", centre_slug, "actors", str(tmp_path / file), "--user", user
        )
