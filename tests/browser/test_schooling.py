"""A newcomer pupil from the first report to a school place, as the counsellor works it.

Fields are found by their ids (labels are translated); every page is axe-checked; the letters
are real PDFs, opened and read.
"""

from __future__ import annotations

import io
import re

import pytest
from django_scopes import scopes_disabled
from pypdf import PdfReader

from teilhabe.core.demo import DEMO_PASSWORD, load_full_demo
from teilhabe.schooling.models import Letter, Pupil

from .support import Tab

pytestmark = pytest.mark.browser

COUNSELLOR = "seiteneinstieg@coesfeld.demo"


def _pdf_text(tab: Tab, href: str) -> tuple[str, str]:
    """Download ``href`` in the logged-in browser; return its text and its /Lang."""
    response = tab.page.request.get(href)
    assert response.status == 200, href
    assert response.headers["content-type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(response.body()))
    text = "\n".join(page.extract_text() for page in reader.pages)
    return text, str(reader.trailer["/Root"].get("/Lang", ""))


def test_pupil_from_report_to_school_place(tab: Tab):
    load_full_demo()
    tab.log_in(COUNSELLOR, DEMO_PASSWORD)
    tab.goto("/seiteneinstieg/")
    tab.h1()
    tab.check("schooling-waiting-list")

    # The report: Schulpflicht starts with the registration in the Gemeinde.
    tab.goto("/seiteneinstieg/neu/")
    tab.h1()
    tab.page.locator("#id_last_name").fill("Yousef")
    tab.page.locator("#id_first_name").fill("Lamar")
    tab.page.locator("#id_birth_date").fill("2017-03-10")
    tab.page.locator("#id_registration_date").fill("2026-10-20")
    tab.page.locator("#id_municipality").select_option(label="Dülmen")
    tab.page.locator("#id_guardian1_name").fill("Huda Yousef")
    tab.page.locator("#id_guardian1_language").fill("ar")
    tab.check("schooling-report-form")
    tab.submit("main form.form-grid")
    match = re.search(r"/seiteneinstieg/(\d+)/", tab.page.url)
    assert match, tab.page.url
    pupil_id = int(match.group(1))
    tab.check("schooling-pupil-new")

    # Parents informed about Schulpflicht, in Arabic: the letter is a right-to-left PDF.
    form = f"form[action$='/{pupil_id}/eltern-informiert/']"
    tab.page.locator(f"{form} select[name=language]").select_option("ar")
    tab.submit(form)
    tab.check("schooling-parents-informed")
    with scopes_disabled():
        letter = Letter.objects.get(pupil_id=pupil_id)
    text, lang = _pdf_text(tab, f"/seiteneinstieg/briefe/{letter.pk}/")
    assert lang == "ar"
    assert "Lamar" in text and re.search(r"[\u0600-\u06FF]", text), text[:300]

    # Invited, then counselled: the grade is proposed from age and schooling.
    tab.submit(f"form[action$='/{pupil_id}/status/']")
    tab.goto(f"/seiteneinstieg/{pupil_id}/beratung/")
    tab.h1()
    assert tab.page.locator("#id_proposed_grade").input_value() == "4"
    tab.page.locator("#id_starts").fill("2026-11-20T09:00")
    tab.page.locator("#id_biography").fill(
        "Drei Jahre Schule in Aleppo, Lesen und Schreiben sicher."
    )
    tab.page.locator("#id_recommended_stage").select_option("primary")
    tab.page.locator("input[name=recommended_forms][value=grundschule]").check()
    tab.page.locator("#id_initial_support").select_option("integrated")
    tab.check("schooling-counselling")
    tab.submit("main form.form-grid")
    with scopes_disabled():
        assert Pupil.objects.get(pk=pupil_id).status == Pupil.Status.COUNSELLED

    # The optimiser proposes places for every counselled pupil; the counsellor accepts them.
    tab.goto("/seiteneinstieg/vorschlaege/")
    tab.h1()
    tab.check("schooling-proposals")
    tab.submit("form[action$='/vorschlag/']")
    assert re.search(r"/vorschlaege/\d+/$", tab.page.url), tab.page.url
    tab.check("schooling-proposal")
    assert "Lamar" in tab.page.locator("main").inner_text()
    tab.submit("form[action$='/alle/']")
    tab.check("schooling-proposal-accepted")
    with scopes_disabled():
        pupil = Pupil.objects.get(pk=pupil_id)
        assert pupil.status == Pupil.Status.PLACED and pupil.school is not None
        school = pupil.school

    # The school gets its notice; the parents their placement letter.
    text, _lang = _pdf_text(tab, f"/seiteneinstieg/schulen/{school.pk}/mitteilung.pdf")
    assert "Yousef" in text and school.name in text
    tab.goto(f"/seiteneinstieg/{pupil_id}/")
    form = f"form[action$='/{pupil_id}/platzierungsbrief/']"
    tab.page.locator(f"{form} select[name=language]").select_option("de")
    tab.submit(form)
    tab.check("schooling-placement-letter")
    with scopes_disabled():
        letter = Letter.objects.get(pupil_id=pupil_id, kind="placement")
    text, lang = _pdf_text(tab, f"/seiteneinstieg/briefe/{letter.pk}/")
    assert lang == "de" and "Lamar" in text and school.name in text

    for path in (
        "/seiteneinstieg/schulen/",
        "/seiteneinstieg/plaetze/",
        "/seiteneinstieg/wartezeiten/",
    ):
        tab.goto(path)
        tab.h1()
        tab.check(f"schooling-{path.strip('/').replace('/', '-')}")
