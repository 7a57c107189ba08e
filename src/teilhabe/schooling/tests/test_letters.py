import datetime
import io
import re

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.template import engines
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone
from django_scopes import scopes_disabled
from pypdf import PdfReader

from teilhabe.core.models import AccessLog
from teilhabe.core.tests.factories import make_member
from teilhabe.schooling import letters
from teilhabe.schooling.models import Guardian, Letter, LetterTemplate, Pupil, SchoolForm, Stage
from teilhabe.schooling.tests.factories import make_pupil, make_school

ARABIC = re.compile(r"[\u0600-\u06ff\ufb50-\ufdff\ufe70-\ufeff]")


@pytest.fixture
def sina(centre):
    """Sina: newcomer counsellor (seconded teacher) of the centre."""
    return make_member("sina@example.org", "newcomer_counsellor", centre)


@pytest.fixture
def school(centre):
    return make_school(
        centre, "Lambertischule", street="Schulstraße 1", postcode="48653", form=SchoolForm.PRIMARY
    )


def placed_pupil(centre, school, **fields):
    fields.setdefault("status", Pupil.Status.PLACED)
    fields.setdefault("recommended_stage", Stage.PRIMARY)
    fields.setdefault("recommended_forms", [SchoolForm.PRIMARY])
    fields.setdefault("proposed_grade", 3)
    fields.setdefault("placed_on", datetime.date(2026, 11, 10))
    fields.setdefault("school_start", datetime.date(2026, 11, 23))
    return make_pupil(centre, school=school, **fields)


def add_guardian(pupil, name="Leila Karimi", language="de"):
    with scopes_disabled():
        return Guardian.objects.create(pupil=pupil, name=name, language=language)


def pdf_text(content: bytes) -> str:
    """Return the text of a PDF with every run of white space (wrapped cells) as one space."""
    reader = PdfReader(io.BytesIO(content))
    return " ".join(" ".join(page.extract_text() for page in reader.pages).split())


def pdf_language(content: bytes) -> str:
    return PdfReader(io.BytesIO(content)).trailer["/Root"]["/Lang"]


def write(service, user, pupil, language):
    with scopes_disabled():
        return service(user, pupil, language=language)


def letter_pdf(letter) -> bytes:
    with scopes_disabled():
        return letters.letter_pdf(Letter.objects.get(pk=letter.pk))


# --- Texts and placeholders -----------------------------------------------------------------


def test_fill_puts_in_known_placeholders_and_leaves_others():
    text = "Liebe Eltern von {child}, {unknown} und {Child} bleiben; {school}."
    assert letters.fill(text, {"child": "Amir", "school": "Lambertischule"}) == (
        "Liebe Eltern von Amir, {unknown} und {Child} bleiben; Lambertischule."
    )


def test_fill_never_evaluates_format_fields_in_the_text():
    text = "{child.__class__} {0} {child!r} {{child}}"
    assert letters.fill(text, {"child": "Amir"}) == "{child.__class__} {0} {child!r} {Amir}"


def test_fill_html_escapes_the_text_and_the_values():
    html = letters.fill_html("<b>{child}</b>\n\nZweiter Absatz", {"child": "<script>x</script>"})
    assert "<script>" not in html
    assert "&lt;b&gt;<bdi>\u2068&lt;script&gt;x&lt;/script&gt;\u2069</bdi>&lt;/b&gt;" in html
    assert html.count("<p>") == 2


def test_default_templates_cover_both_kinds_in_german_english_and_arabic():
    texts = {(t["kind"], t["language"]): t for t in letters.default_templates()}
    for kind in LetterTemplate.Kind.values:
        assert {lang for k, lang in texts if k == kind} == {"de", "en", "ar"}
    assert ARABIC.search(texts[("compulsory", "ar")]["body"])
    assert "{child}" in texts[("compulsory", "de")]["body"]
    assert "{school}" in texts[("placement", "en")]["body"]


@pytest.mark.django_db
def test_ensure_templates_is_idempotent_and_keeps_edited_texts(centre):
    assert letters.ensure_templates(centre) == 6
    with scopes_disabled():
        template = LetterTemplate.objects.get(centre=centre, kind="compulsory", language="de")
        template.body = "Unser eigener Text für {child}"
        template.save()
    assert letters.ensure_templates(centre) == 0
    with scopes_disabled():
        assert LetterTemplate.objects.filter(centre=centre).count() == 6
        template.refresh_from_db()
    assert template.body == "Unser eigener Text für {child}"


# --- Services -------------------------------------------------------------------------------


@pytest.mark.django_db
def test_inform_parents_records_a_letter_of_today(centre, sina):
    pupil = make_pupil(centre)
    letter = write(letters.inform_parents, sina, pupil, "ar")
    assert (letter.kind, letter.language, letter.by) == ("compulsory", "ar", sina)
    assert letter.produced_on == timezone.localdate()


@pytest.mark.django_db
def test_inform_parents_refuses_a_language_without_text_and_a_bad_code(centre, sina):
    pupil = make_pupil(centre)
    for code in ("uk", "german", "d1"):
        with pytest.raises(ValidationError):
            write(letters.inform_parents, sina, pupil, code)
    with scopes_disabled():
        assert not Letter.objects.filter(pupil=pupil).exists()


@pytest.mark.django_db
def test_inform_parents_is_refused_to_a_case_manager(centre, alice):
    with pytest.raises(PermissionDenied):
        write(letters.inform_parents, alice, make_pupil(centre), "de")


@pytest.mark.django_db
def test_placement_letter_needs_a_placed_pupil(centre, sina, school):
    with pytest.raises(ValidationError):
        write(letters.write_placement_letter, sina, make_pupil(centre), "de")
    letter = write(letters.write_placement_letter, sina, placed_pupil(centre, school), "en")
    assert (letter.kind, letter.language) == ("placement", "en")


@pytest.mark.django_db
def test_default_language_is_the_first_guardians_if_the_centre_writes_in_it(centre):
    letters.ensure_templates(centre)
    pupil = make_pupil(centre)
    with scopes_disabled():
        assert letters.default_language(pupil) == "de"
        add_guardian(pupil, "Leila Karimi", "ar")
        add_guardian(pupil, "Omid Karimi", "en")
        assert letters.default_language(pupil) == "ar"
    other = make_pupil(centre, first_name="Sara")
    add_guardian(other, "Olena", "uk")
    with scopes_disabled():
        assert letters.default_language(other) == "de"


# --- PDFs -----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_german_placement_letter_names_child_school_and_guardians(centre, sina, school):
    pupil = placed_pupil(centre, school)
    add_guardian(pupil, "Leila Karimi")
    content = letter_pdf(write(letters.write_placement_letter, sina, pupil, "de"))
    text = pdf_text(content)
    assert "Amir Karimi" in text
    assert "Lambertischule" in text
    assert "Schulstraße 1" in text
    assert "23.11.2026" in text
    assert "Leila Karimi" in text
    assert centre.name in text
    assert pdf_language(content) == "de"


@pytest.mark.django_db
def test_english_compulsory_letter_names_child_and_birth_date(centre, sina):
    pupil = make_pupil(centre, first_name="Mariam", last_name="Haidari")
    content = letter_pdf(write(letters.inform_parents, sina, pupil, "en"))
    text = pdf_text(content)
    assert "Mariam Haidari" in text
    assert "01.05.2018" in text
    assert "compulsory school age" in text
    assert pdf_language(content) == "en"


@pytest.mark.django_db
def test_english_placement_letter_names_the_school(centre, sina, school):
    pupil = placed_pupil(centre, school, school_start=None)
    text = pdf_text(letter_pdf(write(letters.write_placement_letter, sina, pupil, "en")))
    assert "Amir Karimi" in text
    assert "Lambertischule" in text
    assert "the school will let you know" in text


@pytest.mark.django_db
def test_arabic_letter_is_arabic_and_tagged_as_arabic(centre, sina, school):
    pupil = placed_pupil(centre, school)
    content = letter_pdf(write(letters.write_placement_letter, sina, pupil, "ar"))
    assert ARABIC.search(pdf_text(content))
    assert pdf_language(content) == "ar"
    assert "Lambertischule" in pdf_text(content)


@pytest.mark.django_db
def test_letter_uses_the_centres_edited_text(centre, sina):
    letters.ensure_templates(centre)
    with scopes_disabled():
        template = LetterTemplate.objects.get(centre=centre, kind="compulsory", language="de")
        letters.save_letter_template(
            sina, centre, template=template, subject="Schulpflicht", body="Hallo {child}, {nix}."
        )
    content = letter_pdf(write(letters.inform_parents, sina, make_pupil(centre), "de"))
    assert "Hallo Amir Karimi, {nix}." in pdf_text(content)


@pytest.mark.django_db
def test_school_notice_lists_the_placed_pupils(centre, school):
    pupil = placed_pupil(centre, school, interpreter_language="Dari", initial_support="separate")
    content = letters.school_notice_pdf(centre, school, [pupil], since=datetime.date(2026, 11, 1))
    text = pdf_text(content)
    for expected in ("Karimi, Amir", "01.05.2018", "Lambertischule", "Dari", "23.11.2026"):
        assert expected in text


# --- Views ----------------------------------------------------------------------------------


def _exports(obj) -> int:
    return AccessLog.objects.filter(
        content_type=ContentType.objects.get_for_model(obj), object_id=str(obj.pk), action="export"
    ).count()


@pytest.mark.django_db
def test_parents_informed_writes_in_the_guardians_language(client, centre, sina):
    pupil = make_pupil(centre)
    add_guardian(pupil, "Leila Karimi", "ar")
    client.force_login(sina)
    response = client.post(reverse("schooling:parents-informed", args=[pupil.pk]))
    assert response.status_code == 302
    with scopes_disabled():
        letter = Letter.objects.get(pupil=pupil)
    assert (letter.kind, letter.language, letter.by) == ("compulsory", "ar", sina)


@pytest.mark.django_db
def test_parents_informed_takes_the_chosen_language(client, centre, sina):
    pupil = make_pupil(centre)
    client.force_login(sina)
    client.post(reverse("schooling:parents-informed", args=[pupil.pk]), {"language": "en"})
    client.post(reverse("schooling:parents-informed", args=[pupil.pk]), {"language": "xx"})
    with scopes_disabled():
        assert list(Letter.objects.filter(pupil=pupil).values_list("language", flat=True)) == ["en"]


@pytest.mark.django_db
def test_letter_pdf_download_is_logged_as_export(client, centre, sina):
    pupil = make_pupil(centre)
    letter = write(letters.inform_parents, sina, pupil, "de")
    client.force_login(sina)
    response = client.get(reverse("schooling:letter-pdf", args=[letter.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert "Amir Karimi" in pdf_text(response.content)
    assert _exports(pupil) == 1


@pytest.mark.django_db
def test_other_centres_letter_and_pupil_answer_404(client, centre, other_centre, sina):
    other = make_member("olga@example.org", "newcomer_counsellor", other_centre)
    pupil = make_pupil(other_centre)
    letter = write(letters.inform_parents, other, pupil, "de")
    client.force_login(sina)
    assert client.get(reverse("schooling:letter-pdf", args=[letter.pk])).status_code == 404
    url = reverse("schooling:parents-informed", args=[pupil.pk])
    assert client.post(url).status_code == 404
    school = make_school(other_centre)
    assert client.get(reverse("schooling:school-notice", args=[school.pk])).status_code == 404
    with scopes_disabled():
        assert Letter.objects.filter(pupil=pupil).count() == 1


@pytest.mark.django_db
def test_case_manager_gets_403(client, centre, alice, sina, school):
    pupil = make_pupil(centre)
    letter = write(letters.inform_parents, sina, pupil, "de")
    client.force_login(alice)
    assert client.get(reverse("schooling:letter-pdf", args=[letter.pk])).status_code == 403
    assert client.post(reverse("schooling:parents-informed", args=[pupil.pk])).status_code == 403
    assert client.get(reverse("schooling:school-notice", args=[school.pk])).status_code == 403
    assert client.get(reverse("schooling:letter-templates")).status_code == 403


@pytest.mark.django_db
def test_school_notice_lists_placements_since_the_day_and_logs_them(client, centre, sina, school):
    recent = placed_pupil(centre, school, first_name="Neu", placed_on=datetime.date(2026, 11, 10))
    older = placed_pupil(centre, school, first_name="Alt", placed_on=datetime.date(2026, 9, 1))
    client.force_login(sina)
    url = reverse("schooling:school-notice", args=[school.pk])
    text = pdf_text(client.get(url, {"since": "2026-11-01"}).content)
    assert "Karimi, Neu" in text
    assert "Karimi, Alt" not in text
    assert _exports(recent) == 1
    assert _exports(older) == 0
    text = pdf_text(client.get(url, {"since": "2026-08-01"}).content)
    assert "Karimi, Alt" in text


@pytest.mark.django_db
def test_letter_templates_page_adds_the_defaults_and_saves_an_edit(client, centre, dana):
    client.force_login(dana)
    response = client.get(reverse("schooling:letter-templates"))
    assert response.status_code == 200
    with scopes_disabled():
        template = LetterTemplate.objects.get(centre=centre, kind="placement", language="ar")
    url = reverse("schooling:letter-template-update", args=[template.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, {"subject": "مقعد دراسي", "body": "نص {child}"})
    assert response.status_code == 302
    template.refresh_from_db()
    assert template.body == "نص {child}"


@pytest.mark.django_db
def test_new_letter_template_needs_a_valid_new_language(client, centre, sina):
    letters.ensure_templates(centre)
    client.force_login(sina)
    url = reverse("schooling:letter-template-create")
    assert "Information zur Schulpflicht" in client.get(url, {"kind": "compulsory"}).text
    data = {"kind": "compulsory", "subject": "Шкільний обов'язок", "body": "Ваша дитина {child}"}
    for bad in ("u", "ukra", "u1", "de"):
        assert client.post(url, {**data, "language": bad}).status_code == 200
    assert client.post(url, {**data, "language": "UK"}).status_code == 302
    with scopes_disabled():
        assert LetterTemplate.objects.filter(centre=centre, language="uk").count() == 1


@pytest.mark.django_db
def test_pupil_letters_fragment_shows_letters_and_forms(centre, sina, school):
    pupil = placed_pupil(centre, school)
    letter = write(letters.inform_parents, sina, pupil, "ar")
    request = RequestFactory().get("/")
    request.user = sina
    template = engines["django"].from_string('{% include "schooling/_pupil_letters.html" %}')
    with scopes_disabled():
        html = template.render({"pupil": pupil}, request)
    assert reverse("schooling:letter-pdf", args=[letter.pk]) in html
    assert reverse("schooling:parents-informed", args=[pupil.pk]) in html
    assert reverse("schooling:placement-letter", args=[pupil.pk]) in html
    assert 'value="ar"' in html
