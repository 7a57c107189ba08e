"""Import of the registration office's report: dry run, idempotency, rejected rows, formats."""

from __future__ import annotations

import datetime
import io
import zipfile

import pytest
from auditlog.models import LogEntry
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation
from django_scopes import scope, scopes_disabled
from openpyxl import Workbook

from teilhabe.core.tests.factories import make_member
from teilhabe.schooling import importing
from teilhabe.schooling.importing import ImportFileError, read_table
from teilhabe.schooling.models import Guardian, Pupil
from teilhabe.schooling.tests.factories import make_pupil

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _today(time_machine):
    time_machine.move_to(datetime.datetime(2026, 11, 21, 10, tzinfo=datetime.UTC), tick=False)


HEADER = (
    "Meldenummer;Nachname;Vorname;Geburtsdatum;Geschlecht;Staatsangehörigkeit;Herkunftsland;"
    "Einreisedatum;Anmeldedatum;Straße;PLZ;Gemeinde;Familiensprachen;Erziehungsberechtigte/r;"
    "Telefon;Sprache Brief"
)
GOOD = [
    "M-1;Haddad;Lina;14.03.2015;w;SY;Syrien;01.09.2026;15.09.2026;Markt 1;48653;Coesfeld;"
    "Arabisch, Kurdisch;Samira Haddad;0170 123;ar",
    "M-2;Kovalenko;Taras;2012-06-02;m;Ukraine;UA;;2026-10-01;;;Dülmen;Ukrainisch;;;",
]
BAD = [
    ";Ohne;Nummer;01.01.2014;;;;;01.10.2026;;;Coesfeld;;;;",
    "M-3;Falsch;Datum;31.02.2014;;;;;01.10.2026;;;Coesfeld;;;;",
    "M-4;Fremd;Gemeinde;01.01.2014;;;;;01.10.2026;;;Münster;;;;",
    "M-5;Karimi;Amir;01.05.2018;m;;;;01.10.2026;;;Coesfeld;;;;",
    "M-6;Komisch;Geschlecht;01.01.2014;q;Atlantis;;;01.10.2026;;1234;Olfen;;;;",
]


@pytest.fixture
def sina(centre):
    return make_member("sina@example.org", "newcomer_counsellor", centre)


@pytest.fixture
def client(client):
    """The test client, asking for English pages (msgids) whatever the catalogue holds."""
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def csv_file(lines: list[str], *, bom: bool = False, delimiter: str = ";") -> SimpleUploadedFile:
    text = "\n".join([HEADER, *lines]).replace(";", delimiter) + "\n"
    data = text.encode("utf-8-sig" if bom else "utf-8")
    return SimpleUploadedFile("meldung.csv", data, content_type="text/csv")


def xlsx_file(lines: list[str]) -> SimpleUploadedFile:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(HEADER.split(";"))
    for line in lines:
        cells: list[object] = list(line.split(";"))
        # Excel stores dates as dates: the reader takes them as they are.
        try:
            cells[3] = datetime.datetime.strptime(str(cells[3]), "%d.%m.%Y")
        except ValueError:
            pass  # an impossible date stays text, as Excel keeps it
        sheet.append(cells)
    out = io.BytesIO()
    workbook.save(out)
    return SimpleUploadedFile("meldung.xlsx", out.getvalue())


def import_pupils(actor, centre, file, *, dry_run):
    """Run the import inside the centre's scope, as a request does."""
    with scope(centre=[centre.pk]), translation.override("en"):
        return importing.import_pupils(actor, centre, file, dry_run=dry_run)


def counts() -> tuple[int, int, int]:
    with scopes_disabled():
        return Pupil.objects.count(), Guardian.objects.count(), LogEntry.objects.count()


def test_dry_run_reports_what_the_real_run_does_and_writes_nothing(sina, centre):
    make_pupil(centre)  # Karimi, Amir, 01.05.2018: M-5 duplicates it
    before = counts()
    dry = import_pupils(sina, centre, csv_file(GOOD + BAD), dry_run=True)
    assert counts() == before
    real = import_pupils(sina, centre, csv_file(GOOD + BAD), dry_run=False)
    assert dry.dry_run and not real.dry_run
    assert dry.summary() == real.summary()
    assert [o.report_key for o in real.created] == ["M-1", "M-2"]
    assert counts()[0] == before[0] + 2


def test_import_records_pupil_with_guardian_and_converted_values(sina, centre):
    import_pupils(sina, centre, csv_file(GOOD), dry_run=False)
    with scopes_disabled():
        lina = Pupil.objects.get(report_key="M-1")
        taras = Pupil.objects.get(report_key="M-2")
        guardian = lina.guardians.get()
        no_guardian = not taras.guardians.exists()
    assert lina.birth_date == datetime.date(2015, 3, 14)
    assert lina.sex == Pupil.Sex.FEMALE
    assert lina.nationality.code == "SY"
    assert lina.country_of_origin.code == "SY"
    assert lina.municipality.name == "Coesfeld"
    assert lina.family_languages == "Arabisch, Kurdisch"
    assert (guardian.name, guardian.phone, guardian.language) == ("Samira Haddad", "0170 123", "ar")
    assert taras.nationality.code == "UA"
    assert taras.registration_date == datetime.date(2026, 10, 1)
    assert no_guardian


def test_second_import_of_the_same_report_adds_nothing(sina, centre):
    first = import_pupils(sina, centre, csv_file(GOOD), dry_run=False)
    before = counts()
    second = import_pupils(sina, centre, csv_file(GOOD), dry_run=False)
    assert len(first.created) == 2
    assert second.created == [] and second.rejected == []
    assert [o.report_key for o in second.skipped] == ["M-1", "M-2"]
    assert counts() == before


def test_rejected_rows_are_listed_with_row_number_and_reason(sina, centre):
    make_pupil(centre)
    report = import_pupils(sina, centre, csv_file(GOOD + BAD), dry_run=True)
    reasons = {r.row: r.reason for r in report.rejected}
    assert sorted(reasons) == [4, 5, 6, 7, 8]
    assert "Meldenummer" in reasons[4]
    assert "31.02.2014" in reasons[5] and "Geburtsdatum" in reasons[5]
    assert "Münster" in reasons[6]
    assert "Possible duplicate of Karimi, Amir" in reasons[7]
    # Every problem of a row is named at once, not one per attempt.
    assert "q" in reasons[8] and "Atlantis" in reasons[8] and "1234" in reasons[8]


def test_a_bad_row_does_not_lose_the_others(sina, centre):
    report = import_pupils(sina, centre, csv_file([BAD[1], GOOD[0]]), dry_run=False)
    assert [r.row for r in report.rejected] == [2]
    with scopes_disabled():
        assert Pupil.objects.filter(report_key="M-1").exists()


def test_xlsx_and_csv_give_the_same_result(sina, centre, other_centre):
    from_xlsx = import_pupils(sina, centre, xlsx_file(GOOD + BAD[:3]), dry_run=True)
    from_csv = import_pupils(sina, centre, csv_file(GOOD + BAD[:3]), dry_run=True)
    assert from_xlsx.summary() == from_csv.summary()
    assert len(from_xlsx.created) == 2


def test_csv_with_bom_and_commas_and_other_case_of_headers_is_read(sina, centre):
    upload = csv_file(GOOD[1:], bom=True, delimiter=",")
    upload = SimpleUploadedFile("m.csv", upload.read().replace(b"Meldenummer", b"MELDENUMMER"))
    report = import_pupils(sina, centre, upload, dry_run=True)
    assert [o.report_key for o in report.created] == ["M-2"]


def test_missing_required_column_refuses_the_file(sina, centre):
    upload = SimpleUploadedFile("m.csv", b"Nachname;Vorname\nA;B\n")
    with pytest.raises(ImportFileError) as refused:
        import_pupils(sina, centre, upload, dry_run=True)
    assert "Required columns are missing" in refused.value.message
    assert "Meldenummer" in refused.value.message


def test_workbook_with_entity_declaration_is_refused():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr(
            "xl/workbook.xml", '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e "boom">]><x>&e;</x>'
        )
    with translation.override("en"), pytest.raises(ImportFileError) as refused:
        read_table(out.getvalue(), "evil.xlsx")
    assert "DOCTYPE" in refused.value.message


def test_import_needs_a_newcomer_counsellor(alice, centre):
    with pytest.raises(PermissionDenied):
        import_pupils(alice, centre, csv_file(GOOD), dry_run=True)


# The page


def test_import_page_is_a_dry_run_by_default_and_documents_the_columns(client, sina):
    client.force_login(sina)
    response = client.get(reverse("schooling:pupil-import"))
    html = response.content.decode()
    assert response.status_code == 200
    assert response.context["form"]["dry_run"].value() is True
    assert 'name="dry_run"' in html
    assert "Erziehungsberechtigte/r" in html and "Meldenummer" in html


def test_import_page_shows_dry_run_tables_and_then_imports(client, sina, centre):
    client.force_login(sina)
    url = reverse("schooling:pupil-import")
    response = client.post(url, {"file": csv_file(GOOD + BAD[2:3]), "dry_run": "on"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "Haddad, Lina" in html and "Münster" in html
    assert counts()[0] == 0
    response = client.post(url, {"file": csv_file(GOOD + BAD[2:3])})
    assert response.status_code == 200
    assert counts()[0] == 2


def test_import_page_explains_a_wrong_file_type(client, sina):
    client.force_login(sina)
    upload = SimpleUploadedFile("meldung.xls", b"\xd0\xcf\x11\xe0 old excel")
    response = client.post(reverse("schooling:pupil-import"), {"file": upload, "dry_run": "on"})
    assert response.status_code == 200
    assert "Please choose a CSV or XLSX file." in response.content.decode()
    disguised = SimpleUploadedFile("meldung.csv", b"PK\x03\x04 a workbook")
    response = client.post(reverse("schooling:pupil-import"), {"file": disguised})
    assert "The file is a workbook, not a CSV file." in response.content.decode()


def test_import_page_refuses_files_over_five_megabytes(client, sina):
    client.force_login(sina)
    big = SimpleUploadedFile("meldung.csv", b"x" * (5 * 1024 * 1024 + 1))
    response = client.post(reverse("schooling:pupil-import"), {"file": big, "dry_run": "on"})
    assert "larger than 5 MB" in response.content.decode()
