import io
import json

import pytest
from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.contrib.messages import get_messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import models
from django.urls import reverse
from django.utils import translation
from django_scopes import scopes_disabled
from pypdf import PdfReader

from teilhabe.cases import documents, export, sections
from teilhabe.cases.models import Case, Document, NeedAssessment, Person
from teilhabe.cases.tests.factories import (
    make_action,
    make_agency,
    make_case,
    make_consent,
    make_full_case,
    make_goal,
    make_referral,
)
from teilhabe.core.models import AccessLog
from teilhabe.core.tests.factories import make_member

PDF_BYTES = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG_BYTES = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def _text(response) -> str:
    content = b"".join(response.streaming_content) if response.streaming else response.content
    reader = PdfReader(io.BytesIO(content))
    return "\n".join(page.extract_text() for page in reader.pages)


def _exports(obj) -> int:
    return AccessLog.objects.filter(
        content_type=ContentType.objects.get_for_model(obj), object_id=str(obj.pk), action="export"
    ).count()


def _stored_files(media) -> list:
    return [p for p in media.rglob("*") if p.is_file()] if media.exists() else []


# --- Consent form and help plan ------------------------------------------------------------


@pytest.mark.django_db
def test_consent_form_lists_the_agencies_the_case_works_with(client, centre, alice):
    case = make_full_case(centre, case_manager=alice)
    make_consent(case.person, make_agency(centre, "Ausländerbehörde Coesfeld"))
    client.force_login(alice)
    response = client.get(reverse("cases:consent-form", args=[case.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Cache-Control"] == "no-store"
    text = _text(response)
    for name in (
        "Jobcenter Coesfeld",  # responsible agency
        "Jugendamt Coesfeld",  # consent for conferences
        "Migrationsberatung Caritas",  # open referral
        "Ausländerbehörde Coesfeld",  # consent for referrals
        "Samira Haddad",
        "14.03.1990",
        "67b SGB X",
    ):
        assert name in text
    with scopes_disabled():
        assert _exports(case.person) == 1


@pytest.mark.django_db
def test_consent_form_in_english(client, centre, alice):
    case = make_full_case(centre, case_manager=alice)
    client.force_login(alice)
    response = client.get(reverse("cases:consent-form", args=[case.pk]) + "?lang=en")
    assert 'filename="consent-' in response["Content-Disposition"]
    content = response.content
    assert PdfReader(io.BytesIO(content)).trailer["/Root"]["/Lang"] == "en"
    text = _text(response)
    assert "Jobcenter Coesfeld" in text
    assert "Migrationsberatung Caritas" in text
    assert "withdraw your consent at any time" in text


@pytest.mark.django_db
def test_consent_form_leaves_out_withdrawn_consents_and_closed_referrals(centre, alice):
    case = make_case(centre, case_manager=alice)
    make_consent(case.person, make_agency(centre, "Alte Stelle"), withdrawn_on="2026-01-01")
    make_referral(case, make_agency(centre, "Erledigte Stelle"), status="completed")
    with scopes_disabled():
        context = documents.consent_form_context(case)
    names = {a.name for p in context["purposes"] for a in p["agencies"]}
    assert "Alte Stelle" not in names
    assert "Erledigte Stelle" not in names


@pytest.mark.django_db
def test_help_plan_lists_needs_goals_and_actions(client, centre, alice):
    case = make_full_case(centre, case_manager=alice)
    work = make_goal(case, "Ausbildungsplatz finden", life_area="work")
    make_action(case, "Bewerbung schreiben", goal=work, done_on="2026-11-01")
    with translation.override("de"):
        scale_label = str(NeedAssessment.SCALE[0][1])
    client.force_login(alice)
    response = client.get(reverse("cases:help-plan-pdf", args=[case.pk]))
    assert response.status_code == 200
    text = _text(response)
    for expected in (
        "Samira Haddad",
        case.reference,
        "Deutschkurs B1 abschließen",
        "Anmeldung beim Sprachkurs",
        "15.12.2026",
        "Ausbildungsplatz finden",
        "Bewerbung schreiben",
        "01.11.2026",
        "Termin beim Jobcenter",
        "Jobcenter Coesfeld",
        scale_label,  # the scale's label of a 1
        "Alice Test",
    ):
        assert expected in text, expected
    with scopes_disabled():
        assert _exports(case) == 1


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["cases:consent-form", "cases:help-plan-pdf"])
def test_other_centre_gets_404(client, centre, other_centre, name):
    case = make_case(centre)
    carla = make_member("carla@example.org", "case_manager", other_centre)
    client.force_login(carla)
    assert client.get(reverse(name, args=[case.pk])).status_code == 404


@pytest.mark.django_db
@pytest.mark.parametrize(
    "name", ["cases:consent-form", "cases:help-plan-pdf", "cases:person-export"]
)
def test_case_manager_of_another_bezirk_gets_404(client, centre, bob, name):
    case = make_case(centre)  # Bezirk Nord, nobody assigned
    client.force_login(bob)
    assert client.get(reverse(name, args=[case.pk])).status_code == 404
    assert not AccessLog.objects.exists()


@pytest.mark.django_db
def test_assigned_case_manager_sees_a_case_outside_their_bezirk(client, centre, bob):
    case = make_case(centre, case_manager=bob)  # Bezirk Nord, assigned to Bob
    client.force_login(bob)
    assert client.get(reverse("cases:help-plan-pdf", args=[case.pk])).status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize(
    "name", ["cases:consent-form", "cases:help-plan-pdf", "cases:person-export"]
)
def test_coordinator_gets_403(client, centre, name):
    case = make_case(centre)
    client.force_login(make_member("coord@example.org", "coordinator", centre))
    assert client.get(reverse(name, args=[case.pk])).status_code == 403


# --- Uploads -------------------------------------------------------------------------------


def _upload(client, case, name, content, kind="notice"):
    return client.post(
        reverse("cases:document-upload", args=[case.pk]),
        {"kind": kind, "file": SimpleUploadedFile(name, content)},
    )


def _messages(response) -> list[tuple[str, str]]:
    return [(m.level_tag, str(m)) for m in get_messages(response.wsgi_request)]


@pytest.mark.django_db
def test_upload_and_download_give_back_the_same_file(client, centre, alice, _media):
    case = make_case(centre, case_manager=alice)
    client.force_login(alice)
    response = _upload(client, case, "../Bescheid Jobcenter.pdf", PDF_BYTES)
    assert response.status_code == 302
    [(level, text)] = _messages(response)
    assert level == "success"
    assert "Bescheid Jobcenter.pdf" in text
    with scopes_disabled():
        document = Document.objects.get(case=case)
    assert document.name == "Bescheid Jobcenter.pdf"
    assert document.content_type == "application/pdf"
    assert document.size == len(PDF_BYTES)
    assert document.by == alice
    assert "Jobcenter" not in document.file.name  # stored under a random name

    response = client.get(reverse("cases:document-download", args=[document.pk]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF_BYTES
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"].startswith("attachment")
    assert response["Content-Type"] == "application/pdf"
    with scopes_disabled():
        assert AccessLog.objects.filter(action="read", object_id=str(document.pk)).count() == 1


@pytest.mark.django_db
def test_png_upload_is_accepted(centre, alice):
    case = make_case(centre, case_manager=alice)
    with scopes_disabled():
        document = documents.upload_document(
            alice, case, kind="certificate", file=SimpleUploadedFile("zeugnis.PNG", PNG_BYTES)
        )
    assert document.content_type == "image/png"


@pytest.mark.django_db
def test_too_large_upload_is_refused_and_nothing_stored(client, settings, centre, alice, _media):
    settings.UPLOAD_MAX_MB = 1
    case = make_case(centre, case_manager=alice)
    client.force_login(alice)
    response = _upload(client, case, "gross.pdf", PDF_BYTES + b"0" * (1024 * 1024))
    assert response.status_code == 302
    [(level, text)] = _messages(response)
    assert level == "error"
    assert "1 MB" in text
    with scopes_disabled():
        assert not Document.objects.exists()
    assert _stored_files(_media) == []


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("bescheid.pdf", b"MZ\x90\x00 this is a program"),  # bytes do not match
        ("bild.png", PDF_BYTES),  # a PDF calling itself PNG
        ("script.html", b"<script>alert(1)</script>"),  # type not allowed
        ("archiv.docx", b"PK\x03\x04" + b"\x00" * 40),  # a zip that is no Word file
        ("leer.pdf", b""),
    ],
)
@pytest.mark.django_db
def test_wrong_type_is_refused_and_nothing_stored(client, centre, alice, _media, name, content):
    case = make_case(centre, case_manager=alice)
    client.force_login(alice)
    response = _upload(client, case, name, content)
    assert response.status_code == 302
    assert [level for level, _text in _messages(response)] == ["error"]
    with scopes_disabled():
        assert not Document.objects.exists()
    assert _stored_files(_media) == []


@pytest.mark.django_db
def test_docx_is_recognised_by_its_content():
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<document/>")
    buffer.seek(0)
    assert documents.sniff_content_type(buffer, ".docx").endswith("wordprocessingml.document")
    buffer.seek(0)
    assert documents.sniff_content_type(buffer, ".odt") is None


@pytest.mark.django_db
def test_upload_needs_a_kind(centre, alice):
    case = make_case(centre, case_manager=alice)
    with scopes_disabled(), pytest.raises(ValidationError):
        documents.upload_document(
            alice, case, kind="secret", file=SimpleUploadedFile("a.pdf", PDF_BYTES)
        )


@pytest.mark.django_db
def test_delete_removes_row_and_file(
    client, centre, alice, _media, django_capture_on_commit_callbacks
):
    case = make_case(centre, case_manager=alice)
    with scopes_disabled():
        document = documents.upload_document(
            alice, case, kind="notice", file=SimpleUploadedFile("a.pdf", PDF_BYTES)
        )
    assert len(_stored_files(_media)) == 1
    client.force_login(alice)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("cases:document-delete", args=[document.pk]))
    assert response.status_code == 302
    with scopes_disabled():
        assert not Document.objects.exists()
    assert _stored_files(_media) == []


@pytest.mark.django_db
def test_documents_of_another_bezirk_and_centre_answer_404(client, centre, other_centre, bob):
    case = make_case(centre)
    with scopes_disabled():
        document = documents.upload_document(
            make_member("x@example.org", "case_manager", centre),
            case,
            kind="notice",
            file=SimpleUploadedFile("a.pdf", PDF_BYTES),
        )
    client.force_login(bob)
    assert client.get(reverse("cases:document-download", args=[document.pk])).status_code == 404
    assert client.post(reverse("cases:document-delete", args=[document.pk])).status_code == 404
    assert _upload(client, case, "b.pdf", PDF_BYTES).status_code == 404
    client.force_login(make_member("carla@example.org", "case_manager", other_centre))
    assert client.get(reverse("cases:document-download", args=[document.pk])).status_code == 404


@pytest.mark.django_db
def test_service_refuses_a_user_without_the_permission(centre):
    case = make_case(centre)
    coordinator = make_member("coord@example.org", "coordinator", centre)
    with scopes_disabled(), pytest.raises(PermissionDenied):
        documents.upload_document(
            coordinator, case, kind="notice", file=SimpleUploadedFile("a.pdf", PDF_BYTES)
        )


@pytest.mark.django_db
def test_upload_fragment_renders_form_and_list(rf, centre, alice):
    from django.template.loader import render_to_string

    case = make_case(centre, case_manager=alice)
    with scopes_disabled():
        documents.upload_document(
            alice, case, kind="notice", file=SimpleUploadedFile("Bescheid.pdf", PDF_BYTES)
        )
        request = rf.get("/")
        request.user = alice
        html = render_to_string(
            "cases/_document_upload.html",
            {"case": case, "user": alice, "documents": sections.documents(case=case.pk)},
            request=request,
        )
    assert 'enctype="multipart/form-data"' in html
    assert reverse("cases:document-upload", args=[case.pk]) in html
    assert "Bescheid.pdf" in html
    assert 'name="kind"' in html and 'type="file"' in html


# --- Art. 15 export ------------------------------------------------------------------------


def _person_rows(person: Person) -> dict[type[models.Model], set[int]]:
    """Return the ids of every row stored for ``person``, by model, straight from the DB."""
    rows: dict[type[models.Model], set[int]] = {Person: {person.pk}}
    for _key, (related, model) in export.PERSON_SECTIONS.items():
        rows[model] = set(getattr(person, related).values_list("pk", flat=True))
    rows[Case] = set(person.cases.values_list("pk", flat=True))
    for _key, (_related, model) in export.CASE_SECTIONS.items():
        rows.setdefault(model, set())
        rows[model] |= set(model.objects.filter(case__person=person).values_list("pk", flat=True))
    return rows


@pytest.mark.django_db
def test_export_holds_every_row_of_the_person(centre, alice):
    case = make_full_case(centre, case_manager=alice)
    make_case(centre, person=case.person, reference="KIM-T-ALT")
    other = make_full_case(centre)  # someone else's data must not appear
    with scopes_disabled():
        person = Person.objects.get(pk=case.person.pk)
        data = json.loads(export.person_data_json(person))
        expected = _person_rows(person)
        got: dict[type[models.Model], set[int]] = {
            Person: {data["person"]["id"]},
            Case: {c["id"] for c in data["cases"]},
        }
        for key, (_related, model) in export.PERSON_SECTIONS.items():
            got[model] = {row["id"] for row in data[key]}
            assert len(data[key]) == len(expected[model]), key
        for key, (_related, model) in export.CASE_SECTIONS.items():
            got[model] = {row["id"] for c in data["cases"] for row in c[key]}
            assert sum(len(c[key]) for c in data["cases"]) == len(expected[model]), key
        assert got == expected
        assert all(got.values()), "the full case has a row of every kind"
        assert other.person.pk not in got[Person]

        # Values are the DB's values.
        assert data["person"]["first_name"] == "Samira"
        assert data["person"]["nationalities"] == [{"code": "SY", "name": "Syrien"}]
        assert data["person"]["native_name"] == "سميرة حداد"
        assert data["household"] == {
            "name": "Haushalt Haddad",
            "relation": "self",
            "other_members": ["Omar Haddad"],
        }
        exported_case = next(c for c in data["cases"] if c["id"] == case.pk)
        assert exported_case["case_manager"] == "Alice Test"
        assert exported_case["contacts"][0]["notes"] == "Erstgespräch mit Dolmetscherin"
        assert exported_case["contacts"][0]["themes"] == {"language": 15, "work": 30}
        assert exported_case["conferences"][0]["agencies"] == ["Jugendamt Coesfeld"]
        assert data["agencies"][0]["file_reference"] == "BG-4711"
        assert {r["kind"] for r in data["residence_statuses"]} == {"residence_permit", "tolerated"}


@pytest.mark.django_db
def test_export_rows_have_every_field_of_their_model(centre, alice):
    case = make_full_case(centre, case_manager=alice)
    with scopes_disabled():
        data = export.collect_person_data(case.person)

    def fields(model, parent=None):
        names = {"id" if f.primary_key else f.name for f in model._meta.concrete_fields}
        names |= {f.name for f in model._meta.many_to_many}
        return names - {parent}

    assert set(data["person"]) == fields(Person)
    for key, (_related, model) in export.PERSON_SECTIONS.items():
        assert set(data[key][0]) == fields(model, "person"), key
    exported_case = data["cases"][0]
    assert set(exported_case) == fields(Case, "person") | set(export.CASE_SECTIONS)
    for key, (_related, model) in export.CASE_SECTIONS.items():
        assert set(exported_case[key][0]) == fields(model, "case"), key


@pytest.mark.django_db
def test_export_contains_the_history_of_changes(centre, alice):
    case = make_full_case(centre, case_manager=alice)
    with scopes_disabled():
        person = case.person
        person.phone = "0251 123"
        person.save()
        data = export.collect_person_data(person)
        recorded = LogEntry.objects.filter(
            content_type=ContentType.objects.get_for_model(Person), object_pk=str(person.pk)
        ).count()
    person_history = [h for h in data["history"] if h["record"] == "cases.person"]
    assert len(person_history) == recorded == 2
    assert person_history[-1]["action"] == "update"
    assert person_history[-1]["changes"]["phone"] == ["", "0251 123"]
    records = {h["record"] for h in data["history"]}
    assert {"cases.case", "cases.contact", "cases.consent", "cases.goal"} <= records


@pytest.mark.django_db
def test_export_is_deterministic(centre, alice):
    case = make_full_case(centre, case_manager=alice)
    with scopes_disabled():
        assert export.person_data_json(case.person) == export.person_data_json(case.person)


def _reverse_relations(model: type[models.Model]):
    for relation in model._meta.related_objects:
        yield relation.related_model


def test_every_model_pointing_at_a_person_or_case_is_exported():
    """A new model with a foreign key to a person or case must be added to the export."""
    covered = {Person, Case}
    covered |= {model for _related, model in export.PERSON_SECTIONS.values()}
    covered |= {model for _related, model in export.CASE_SECTIONS.values()}
    seen: set[type[models.Model]] = set()
    todo = [Person, Case]
    missing = []
    while todo:
        model = todo.pop()
        if model in seen:
            continue
        seen.add(model)
        for related in _reverse_relations(model):
            if related in covered:
                todo.append(related)
            elif related._meta.label_lower not in export.NOT_EXPORTED:
                missing.append(f"{model._meta.label} ← {related._meta.label}")
    assert not missing, f"Not in the Art. 15 export: {missing}"
    # Each section reads the related name it claims.
    for related, model in export.PERSON_SECTIONS.values():
        assert Person._meta.get_field(related).related_model is model
    for related, model in export.CASE_SECTIONS.values():
        assert Case._meta.get_field(related).related_model is model


@pytest.mark.django_db
def test_export_page_and_downloads(client, centre, alice):
    case = make_full_case(centre, case_manager=alice)
    client.force_login(alice)
    url = reverse("cases:person-export", args=[case.pk])
    page = client.get(url)
    assert page.status_code == 200
    assert b"?format=pdf" in page.content and b"?format=json" in page.content
    with scopes_disabled():
        assert _exports(case.person) == 0

    response = client.get(url + "?format=json")
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    assert response["Cache-Control"] == "no-store"
    with scopes_disabled():
        assert json.loads(response.content) == export.collect_person_data(case.person)

    response = client.get(url + "?format=pdf")
    assert response.status_code == 200
    text = _text(response)
    for expected in ("Samira", "BG-4711", "Erstgespräch mit Dolmetscherin", "Jobcenter Coesfeld"):
        assert expected in text, expected
    with scopes_disabled():
        assert _exports(case.person) == 2
