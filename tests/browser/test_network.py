"""The actor registry as an administrative officer uses it, axe-checked on every page."""

from __future__ import annotations

import pytest
from django_scopes import scopes_disabled

from teilhabe.core.demo import DEMO_PASSWORD, load_full_demo
from teilhabe.network.models import Actor, ContactPerson, CooperationAgreement

from .support import Tab

pytestmark = pytest.mark.browser


def test_officer_filters_records_and_corrects_an_actor(tab: Tab):
    load_full_demo()
    tab.log_in("sachbearbeitung@coesfeld.demo", DEMO_PASSWORD)

    tab.goto("/netzwerk/akteure/")
    tab.h1()
    tab.check("actors-list")
    tab.page.locator("#id_kind").select_option("mso")
    tab.submit("form[role=search]")
    names = tab.page.locator("tbody a.kern-link").all_inner_texts()
    assert names and all("Kulturverein" in name for name in names), names
    tab.check("actors-filtered")

    # A new actor: a wrong postcode is explained and nothing is lost.
    tab.goto("/netzwerk/akteure/neu/")
    tab.page.locator("#id_name").fill("Sprachpaten Billerbeck e. V.")
    tab.page.locator("#id_kind").select_option("volunteer_initiative")
    tab.page.locator("#id_postcode").fill("486")
    tab.page.locator("#id_municipality").select_option(label="Billerbeck")
    tab.submit("main form.form-grid")
    assert tab.page.locator(".kern-error").count() >= 1
    assert tab.page.locator("#id_name").input_value() == "Sprachpaten Billerbeck e. V."
    tab.check("actor-form-errors")
    with scopes_disabled():
        assert not Actor.objects.filter(name="Sprachpaten Billerbeck e. V.").exists()

    tab.page.locator("#id_postcode").fill("48727")
    tab.submit("main form.form-grid")
    assert tab.h1() == "Sprachpaten Billerbeck e. V."
    tab.check("actor-detail")

    # A contact person, added on the detail page.
    form = "form[action$='/kontakte/']"
    tab.page.locator(f"{form} #id_name").fill("Samira Haddad")
    tab.page.locator(f"{form} #id_function").fill("Koordination")
    tab.submit(form)
    assert "Samira Haddad" in tab.page.locator("table").inner_text()
    tab.check("actor-detail-with-contact")
    with scopes_disabled():
        contact = ContactPerson.objects.get(name="Samira Haddad")
        assert contact.actor.name == "Sprachpaten Billerbeck e. V."
        assert contact.actor.centre.slug == "coesfeld"


def test_coordinator_records_a_meeting_and_renews_an_agreement(tab: Tab):
    load_full_demo()
    tab.log_in("koordination@coesfeld.demo", DEMO_PASSWORD)
    # The start page reminds of the agreement that ends soon.
    assert "Kooperation Sprachförderung" in tab.page.locator("main").inner_text()

    tab.goto("/netzwerk/gremien/")
    tab.h1()
    tab.check("groups-list")
    tab.page.get_by_role("link", name="Wer arbeitet mit wem zusammen?").click()
    tab.page.wait_for_load_state("load")
    assert tab.page.locator("figure svg line").count() >= 1
    assert tab.page.locator("table tbody tr").count() == tab.page.locator("svg line").count()
    tab.check("network-graph")
    tab.goto("/netzwerk/gremien/")
    tab.page.get_by_role("link", name="KIM-Lenkungsgruppe").click()
    tab.page.wait_for_load_state("load")
    tab.check("group-detail")

    tab.page.locator("main a[href$='/sitzung/']").click()
    tab.page.wait_for_load_state("load")
    tab.check("meeting-form")
    tab.page.locator("#id_place").fill("Kreishaus Coesfeld, Raum 12")
    tab.page.locator("input[name=attendees]").first.check()
    tab.page.locator("#id_decisions").fill("Fallkonferenzen künftig monatlich.")
    tab.page.locator("#id_follow_ups").fill("Termine abstimmen bis 31.02.2027")
    tab.submit("main form.form-grid")
    assert tab.page.locator(".kern-error").count() >= 1  # 31 February is no date
    tab.check("meeting-form-errors")
    tab.page.locator("#id_follow_ups").fill("Termine abstimmen bis 28.02.2027")
    tab.submit("main form.form-grid")
    assert "Fallkonferenzen künftig monatlich." in tab.page.locator("main").inner_text()
    tab.check("meeting-detail")
    tab.page.locator("form[action$='/erledigt/'] button").first.click()
    tab.page.wait_for_load_state("load")
    assert tab.page.locator("main s").count() == 1  # the task is struck through as done

    tab.goto("/netzwerk/vereinbarungen/")
    tab.check("agreements-list")
    tab.page.get_by_role("link", name="Kooperation Sprachförderung").click()
    tab.page.wait_for_load_state("load")
    tab.page.locator("#id_valid_until").fill("2030-12-31")
    tab.submit("main form.form-grid")
    assert tab.path == "/netzwerk/vereinbarungen/"
    row = tab.page.locator("tr", has_text="Kooperation Sprachförderung")
    assert "läuft" in row.inner_text()
    with scopes_disabled():
        agreement = CooperationAgreement.objects.get(
            title="Kooperation Sprachförderung", centre__slug="coesfeld"
        )
    assert str(agreement.valid_until) == "2030-12-31"


def test_partner_proposes_and_the_centre_approves(browser, live_url, tab: Tab):
    load_full_demo()
    partner = tab
    partner.log_in("partner@coesfeld.demo", DEMO_PASSWORD)
    partner.page.get_by_role("link", name="Unsere Organisation").click()
    partner.page.wait_for_load_state("load")
    assert partner.h1() == "Beratungsstelle Brücke e. V."
    partner.check("partner-own-actor")
    partner.page.locator("#id_phone").fill("02541 987654")
    partner.page.locator("#id_postcode").fill("48653")
    partner.submit("main form.form-grid")
    assert "wartet auf Prüfung" in partner.page.locator("main").inner_text()
    partner.check("partner-proposal-sent")
    with scopes_disabled():
        actor = Actor.objects.get(name="Beratungsstelle Brücke e. V.")
        assert actor.phone == ""  # nothing is live before the review

    second = browser.new_context(base_url=live_url, locale="de-DE")
    officer = Tab(second.new_page(), live_url)
    officer.log_in("sachbearbeitung@coesfeld.demo", DEMO_PASSWORD)
    officer.goto("/netzwerk/vorschlaege/")
    assert "02541 987654" in officer.page.locator("main table").inner_text()
    officer.check("proposed-changes")
    officer.page.get_by_role("button", name="Freigeben").click()
    officer.page.wait_for_load_state("load")
    assert "sichtbar" in officer.page.locator(".messages").inner_text()
    with scopes_disabled():
        actor.refresh_from_db()
        assert (actor.phone, actor.postcode) == ("02541 987654", "48653")

    second.close()
    partner.page.reload()
    assert "freigegeben" in partner.page.locator("main").inner_text()
