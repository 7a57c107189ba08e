"""A case from first contact to closure, as a case manager and a partner live it.

Fields are found by their ids (the labels are translated); every page is axe-checked.
"""

from __future__ import annotations

import datetime
import re

import pytest
from django.utils import timezone
from django_scopes import scopes_disabled

from teilhabe.cases.models import Action, Case, Consent, Referral
from teilhabe.core.demo import DEMO_PASSWORD, load_full_demo

from .support import Tab

pytestmark = pytest.mark.browser

CASE_MANAGER = "casemanagement@coesfeld.demo"
PARTNER = "partner@coesfeld.demo"
PARTNER_ACTOR = "Beratungsstelle Brücke e. V."


def _case_id(tab: Tab) -> int:
    match = re.search(r"/faelle/(\d+)/", tab.page.url)
    assert match, tab.page.url
    return int(match.group(1))


def _label_of(tab: Tab, text: str) -> None:
    """Tick the checkbox whose label contains ``text``."""
    tab.page.locator("label", has_text=text).first.click()


def test_case_from_intake_to_closure(tab: Tab):
    load_full_demo()
    today = timezone.localdate()
    tab.log_in(CASE_MANAGER, DEMO_PASSWORD)
    tab.check("cases-start-page")

    # Intake: a mistake is explained and nothing typed is lost.
    tab.goto("/faelle/neu/")
    tab.h1()
    tab.page.locator("#id_last_name").fill("Nazari")
    tab.page.locator("#id_first_name").fill("Farida")
    tab.page.locator("#id_birth_date").fill("2031-01-01")  # in the future
    tab.page.locator("#id_municipality").select_option(label="Coesfeld")
    tab.page.locator("#id_take_over").check()
    tab.submit("main form.form-grid")
    tab.check("case-intake-error")
    assert tab.page.locator("#id_last_name").input_value() == "Nazari"
    tab.page.locator("#id_birth_date").fill("1994-05-02")
    tab.submit("main form.form-grid")
    if tab.path == "/faelle/neu/":  # the demo holds a similar person: confirm the new one
        tab.check("case-intake-duplicates")
        tab.submit("main form.form-grid")
    case_id = _case_id(tab)
    tab.check("case-detail-new")
    with scopes_disabled():
        case = Case.objects.get(pk=case_id)
        assert case.person.last_name == "Nazari" and case.case_manager.email == CASE_MANAGER

    # Consent to refer to the partner and to invite the Jobcenter to a conference.
    tab.goto(f"/faelle/{case_id}/einwilligungen/")
    tab.h1()
    tab.page.locator("#id_purpose").select_option("referral")
    _label_of(tab, PARTNER_ACTOR)
    tab.page.locator("#id_form").select_option("paper")
    tab.page.locator("#id_given_on").fill(today.isoformat())
    tab.check("case-consent-form")
    tab.submit("main form.form-grid")
    tab.goto(f"/faelle/{case_id}/einwilligungen/")
    tab.page.locator("#id_purpose").select_option("conference")
    _label_of(tab, "Jobcenter")
    tab.page.locator("#id_form").select_option("paper")
    tab.page.locator("#id_given_on").fill(today.isoformat())
    tab.submit("main form.form-grid")
    with scopes_disabled():
        assert Consent.objects.filter(person__cases=case_id).count() == 2

    # Assessment, then the help plan.
    tab.submit("form[action$='/phase/']")  # intake → assessment
    tab.goto(f"/faelle/{case_id}/einschaetzung/")
    tab.h1()
    tab.page.locator("#id_score_language").select_option("2")
    tab.page.locator("#id_score_work").select_option("1")
    tab.page.locator("#id_score_housing").select_option("4")
    tab.check("case-assessment")
    tab.submit("main form.form-grid")
    assert tab.page.locator("#needs table tbody tr").count() == 3
    tab.check("case-detail-assessed")
    tab.submit("form[action$='/phase/']")  # assessment → planning
    goal_form = "form[action$='/ziele/']"
    tab.page.locator(f"{goal_form} #id_life_area").select_option("work")
    tab.page.locator(f"{goal_form} #id_description").fill("Arbeitsaufnahme in der Pflege")
    tab.submit(goal_form)
    tab.goto(f"/faelle/{case_id}/schritte/")
    tab.page.locator("#id_description").fill("Anerkennung des Abschlusses beantragen")
    tab.page.locator("#id_goal").select_option(index=1)
    tab.page.locator("#id_responsible").select_option("person")
    tab.page.locator("#id_due_on").fill((today + datetime.timedelta(days=14)).isoformat())
    tab.check("case-action-form")
    tab.submit("main form.form-grid")
    assert "Anerkennung des Abschlusses" in tab.page.locator("#help-plan").inner_text()
    tab.submit("form[action$='/phase/']")  # planning → implementation

    # A contact with minutes per theme.
    tab.goto(f"/faelle/{case_id}/kontakte/")
    tab.page.locator("#id_duration").fill("45")
    tab.page.locator("#id_channel").select_option("in_person")
    tab.page.locator("#id_minutes_work").fill("30")
    tab.page.locator("#id_minutes_language").fill("15")
    tab.check("case-contact-form")
    tab.submit("main form.form-grid")

    # A referral without consent is refused; to the partner it goes out.
    tab.goto(f"/faelle/{case_id}/vermittlungen/")
    tab.page.locator("#id_agency").select_option(label="Jobcenter Kreis Coesfeld")
    tab.page.locator("#id_reason").fill("Beratung zu Leistungen")
    tab.submit("main form.form-grid")
    assert tab.page.locator(".kern-alert--danger").count() == 1
    tab.check("case-referral-refused")
    tab.page.locator("#id_agency").select_option(label=PARTNER_ACTOR)
    tab.page.locator("#id_reason").fill("Begleitung zur Anerkennungsberatung")
    tab.submit("main form.form-grid")
    assert PARTNER_ACTOR in tab.page.locator("#referrals").inner_text()
    tab.check("case-detail-referred")

    # The partner accepts it.
    tab.page.context.clear_cookies()
    tab.log_in(PARTNER, DEMO_PASSWORD)
    tab.check("partner-start-page")
    tab.goto("/faelle/partner/")
    tab.h1()
    tab.check("partner-referrals")
    tab.page.get_by_role("link", name="Farida Nazari").click()
    tab.page.wait_for_load_state("load")
    tab.check("partner-referral")
    tab.page.locator("#id_status").select_option("accepted")
    tab.page.locator("#id_answer").fill("Erstgespräch am Montag, 10 Uhr")
    tab.submit("main form.form-grid")
    with scopes_disabled():
        assert Referral.objects.get(case=case_id).status == Referral.Status.ACCEPTED
    assert tab.goto(f"/faelle/{case_id}/").status == 403  # not the case file

    # Back as case manager: the case conference agrees a step for the help plan.
    tab.page.context.clear_cookies()
    tab.log_in(CASE_MANAGER, DEMO_PASSWORD)
    tab.goto(f"/faelle/{case_id}/konferenzen/")
    tab.h1()
    yesterday = timezone.localtime() - datetime.timedelta(days=1)
    tab.page.locator("#id_date").fill(yesterday.strftime("%Y-%m-%dT10:00"))
    _label_of(tab, "Jobcenter Kreis Coesfeld")
    tab.page.locator("#id_agenda").fill("Weg in Arbeit abstimmen")
    tab.check("case-conference-form")
    tab.submit("main form.form-grid")
    tab.page.locator("#conferences a").first.click()
    tab.page.wait_for_load_state("load")
    tab.page.locator("#id_minutes").fill("Jobcenter fördert den Anpassungslehrgang.")
    tab.page.locator("#id_step1_description").fill("Bildungsgutschein ausstellen")
    tab.page.locator("#id_step1_responsible").select_option("agency")
    tab.page.locator("#id_step1_agency").select_option(label="Jobcenter Kreis Coesfeld")
    tab.check("case-conference-minutes")
    tab.submit("main form.form-grid")
    assert "Bildungsgutschein" in tab.page.locator("#help-plan").inner_text()
    with scopes_disabled():
        assert Action.objects.get(description="Bildungsgutschein ausstellen").conference_id

    # Closure: the page says what ends, the case is closed with its erasure date.
    tab.goto(f"/faelle/{case_id}/abschliessen/")
    tab.h1()
    tab.check("case-close")
    tab.page.locator("#id_reason").select_option("goals_reached")
    tab.submit("main form.form-grid")
    tab.check("case-detail-closed")
    with scopes_disabled():
        case = Case.objects.get(pk=case_id)
        assert case.phase == Case.Phase.CLOSED and case.erase_on is not None
        assert Referral.objects.get(case=case_id).status == Referral.Status.CANCELLED

    tab.goto("/faelle/")
    tab.h1()
    tab.check("case-list")
