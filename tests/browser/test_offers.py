"""Offers: an officer records an offer, coordination publishes it, a citizen finds it."""

from __future__ import annotations

import json

import pytest
from django_scopes import scopes_disabled

from teilhabe.core.demo import DEMO_PASSWORD, load_full_demo
from teilhabe.offers.models import Offer

from .support import Tab

pytestmark = pytest.mark.browser

TITLE = "Nähcafé für Frauen Billerbeck"


def test_offer_from_draft_to_the_public_directory(browser, live_url, tab: Tab, settings):
    settings.MAP_TILES = ""  # the maps as SVG: the tests never reach the internet
    load_full_demo()
    tab.log_in("sachbearbeitung@coesfeld.demo", DEMO_PASSWORD)
    tab.goto("/angebote/")
    tab.check("offers-list")
    tab.goto("/angebote/neu/")
    tab.page.locator("#id_title").fill(TITLE)
    tab.page.locator("#id_description").fill("Gemeinsam nähen, reden und Deutsch üben.")
    tab.page.locator("#id_provider").select_option(label="Beratungsstelle Brücke e. V.")
    tab.page.locator("#id_field_of_action").select_option("cross_cutting")
    tab.page.locator("#id_min_age").fill("40")
    tab.page.locator("#id_max_age").fill("18")
    tab.submit("main form.form-grid")
    assert tab.page.locator(".kern-error, .kern-alert--danger").count() >= 1  # 40 > 18
    tab.check("offer-form-errors")
    tab.page.locator("#id_min_age").fill("16")
    tab.page.locator("#id_max_age").fill("")
    tab.submit("main form.form-grid")
    assert tab.h1() == TITLE
    tab.check("offer-detail-draft")

    # Place, time and an English text.
    tab.page.locator("form[action$='/orte/'] #id_municipality").select_option(label="Billerbeck")
    tab.page.locator("form[action$='/orte/'] #id_street").fill("Markt 5")
    tab.submit("form[action$='/orte/']")
    tab.page.locator("form[action$='/zeiten/'] #id_weekday").select_option("3")
    tab.page.locator("form[action$='/zeiten/'] #id_opens_at").fill("15:00")
    tab.page.locator("form[action$='/zeiten/'] #id_closes_at").fill("17:00")
    tab.submit("form[action$='/zeiten/']")
    tab.page.locator("form[action$='/uebersetzung/'] #id_language").select_option("en")
    tab.page.locator("form[action$='/uebersetzung/'] #id_title").fill("Sewing café for women")
    tab.page.locator("form[action$='/uebersetzung/'] #id_description").fill(
        "Sew, talk and practise German together."
    )
    tab.submit("form[action$='/uebersetzung/']")
    assert "Sewing café for women" in tab.page.locator("main").inner_text()
    tab.page.get_by_role("button", name="Auf „in Prüfung“ setzen").click()
    tab.page.wait_for_load_state("load")
    tab.check("offer-detail-review")
    # An officer may not publish: that is coordination's decision.
    assert tab.page.get_by_role("button", name="Auf „veröffentlicht“ setzen").count() == 0

    with scopes_disabled():
        offer = Offer.objects.get(texts__title=TITLE)
    coordination = browser.new_context(base_url=live_url, locale="de-DE")
    coordinator = Tab(coordination.new_page(), live_url)
    coordinator.log_in("koordination@coesfeld.demo", DEMO_PASSWORD)
    coordinator.goto(f"/angebote/{offer.pk}/")
    coordinator.page.get_by_role("button", name="Auf „veröffentlicht“ setzen").click()
    coordinator.page.wait_for_load_state("load")
    assert "veröffentlicht" in coordinator.page.locator(".messages").inner_text()
    coordination.close()

    # A citizen on a phone finds it, in German and in English.
    phone = browser.new_context(
        base_url=live_url,
        locale="de-DE",
        viewport={"width": 375, "height": 740},
        is_mobile=True,
        has_touch=True,
    )
    citizen = Tab(phone.new_page(), live_url)
    citizen.goto("/verzeichnis/coesfeld/")
    citizen.check("directory-mobile")
    # The map (no tile source in the tests: drawn as SVG) opens below the search, fits the
    # phone, and each dot is a link to an offer of the list.
    citizen.page.locator("details.map-panel summary").click()
    markers = citizen.page.locator("details.map-panel svg a")
    assert markers.count() >= 1
    citizen.check("directory-map-mobile")
    width = citizen.page.evaluate("document.documentElement.scrollWidth")
    assert width <= 375, f"the map makes the page scroll sideways on a phone ({width}px)"
    listed = citizen.page.locator(".directory-results h2 a").evaluate_all(
        "els => els.map(a => a.getAttribute('href'))"
    )
    assert markers.first.get_attribute("href") in listed
    citizen.page.locator("#id_q").fill("Nähcafé")
    citizen.page.locator("#id_gemeinde").select_option(label="Billerbeck")
    citizen.page.locator("#id_kostenlos").check()
    citizen.submit("form[role=search]")
    results = citizen.page.locator(".directory-results h2")
    assert results.all_inner_texts() == [TITLE]
    citizen.check("directory-search-mobile")
    width = citizen.page.evaluate("document.documentElement.scrollWidth")
    assert width <= 375, f"the page scrolls sideways on a phone ({width}px)"
    results.first.locator("a").click()
    citizen.page.wait_for_load_state("load")
    assert citizen.h1() == TITLE
    data = json.loads(citizen.page.locator("script[type='application/ld+json']").inner_text())
    assert data["@type"] == "Service" and data["name"] == TITLE
    assert data["hoursAvailable"][0]["dayOfWeek"].endswith("Wednesday")
    citizen.check("public-offer-de")
    citizen.page.get_by_role("link", name="English").first.click()
    citizen.page.wait_for_load_state("load")
    assert citizen.h1() == "Sewing café for women"
    assert citizen.page.locator("article").get_attribute("lang") == "en"
    citizen.check("public-offer-en")
    phone.close()


def test_officer_reviews_duplicate_offers(tab: Tab):
    load_full_demo()
    tab.log_in("sachbearbeitung@coesfeld.demo", DEMO_PASSWORD)
    tab.goto("/angebote/")
    tab.page.get_by_role("link", name="Doppelstrukturen").click()
    tab.page.wait_for_load_state("load")
    pairs = tab.page.locator("main section.panel")
    before = pairs.count()
    assert before >= 1
    tab.check("duplicates")
    pairs.first.get_by_role("button", name="ergänzen sich").click()
    tab.page.wait_for_load_state("load")
    assert "gespeichert" in tab.page.locator(".messages").inner_text()
    tab.goto("/angebote/doppelstrukturen/?zeige=alle")
    assert tab.page.locator("main .kern-badge", has_text="ergänzen sich").count() == 1
    tab.check("duplicates-all")


def test_coordinator_enters_population_and_reads_the_gaps(tab: Tab):
    load_full_demo()
    tab.log_in("koordination@coesfeld.demo", DEMO_PASSWORD)
    tab.goto("/angebote/bestand-bedarf/?jahr=2026")
    tab.h1()
    tab.check("supply-demand-empty")
    tab.page.get_by_role("link", name="Bevölkerungszahlen eintragen").click()
    tab.page.wait_for_load_state("load")
    inputs = tab.page.locator("input[name^='migration-']")
    for index in range(inputs.count()):
        inputs.nth(index).fill("1.500" if index else "zwei")
    tab.submit("main form")
    assert "keine ganze Zahl" in tab.page.locator(".messages").inner_text()
    assert inputs.first.input_value() == "zwei"  # nothing typed is lost
    tab.check("population-error")
    inputs.first.fill("1.500")
    tab.submit("main form")
    tab.goto("/angebote/bestand-bedarf/?jahr=2026")
    assert tab.page.locator("tbody tr").count() == 11  # every Gemeinde of the Kreis
    tab.check("supply-demand")


def test_officer_checks_an_import_file_first(tab: Tab, tmp_path):
    load_full_demo()
    tab.log_in("sachbearbeitung@coesfeld.demo", DEMO_PASSWORD)
    tab.goto("/angebote/")
    tab.page.get_by_role("link", name="Akteure und Angebote importieren").click()
    tab.page.wait_for_load_state("load")
    tab.check("import-form")
    table = tmp_path / "akteure.csv"
    table.write_text(
        "name;kind;gemeinde;postcode\n"
        "Sprachpaten Olfen e. V.;volunteer_initiative;Olfen;59399\n"
        "Ohne Gemeinde e. V.;mso;Atlantis;12345\n",
        encoding="utf-8",
    )
    tab.page.locator("input[type=file]").set_input_files(str(table))
    tab.page.locator("input[name=kind][value=actors]").check()
    tab.submit("main form[enctype]")
    text = tab.page.locator("main").inner_text()
    assert "Atlantis" in text  # the rejected row and why
    tab.check("import-dry-run")
    with scopes_disabled():
        from teilhabe.network.models import Actor

        assert not Actor.objects.filter(name="Sprachpaten Olfen e. V.").exists()


def test_partner_offer_goes_through_review_to_the_public_directory(browser, live_url, tab: Tab):
    load_full_demo()
    partner = tab
    partner.log_in("partner@coesfeld.demo", DEMO_PASSWORD)
    partner.page.get_by_role("link", name="Unsere Angebote").click()
    partner.page.wait_for_load_state("load")
    partner.check("partner-offers-empty")
    partner.page.get_by_role("link", name="Neues Angebot").click()
    partner.page.wait_for_load_state("load")
    partner.page.locator("#id_title").fill("Lernpatenschaften Coesfeld")
    partner.page.locator("#id_description").fill("Ehrenamtliche begleiten Kinder beim Lernen.")
    partner.page.locator("#id_field_of_action").select_option("education")
    partner.check("partner-offer-form")
    partner.submit("main form.form-grid")
    assert "in Prüfung" in partner.page.locator("main").inner_text()
    partner.check("partner-offers")

    with scopes_disabled():
        offer = Offer.objects.get(texts__title="Lernpatenschaften Coesfeld")
        assert offer.status == Offer.Status.REVIEW and offer.provider.organisation is not None

    context = browser.new_context(base_url=live_url, locale="de-DE")
    coordinator = Tab(context.new_page(), live_url)
    coordinator.log_in("koordination@coesfeld.demo", DEMO_PASSWORD)
    coordinator.goto(f"/angebote/{offer.pk}/")
    place = "form[action$='/orte/']"
    coordinator.page.locator(f"{place} #id_municipality").select_option(label="Coesfeld")
    coordinator.page.locator(f"{place} #id_street").fill("Letter Straße 12")
    coordinator.submit(place)
    texts = "form[action$='/uebersetzung/']"
    coordinator.page.locator(f"{texts} #id_language").select_option("en")
    coordinator.page.locator(f"{texts} #id_title").fill("Learning mentors Coesfeld")
    coordinator.page.locator(f"{texts} #id_description").fill("Volunteers help children learn.")
    coordinator.submit(texts)
    coordinator.page.get_by_role("button", name="Auf „veröffentlicht“ setzen").click()
    coordinator.page.wait_for_load_state("load")
    coordinator.check("partner-offer-published")
    context.close()

    citizen = Tab(browser.new_context(base_url=live_url, locale="en-GB").new_page(), live_url)
    citizen.goto("/verzeichnis/coesfeld/?q=Lernpatenschaften")
    # An English-speaking browser gets the English texts where there are some.
    assert citizen.page.locator(".directory-results h2").all_inner_texts() == [
        "Learning mentors Coesfeld"
    ]
    citizen.goto(f"/verzeichnis/coesfeld/{offer.uid}/?sprache=en")
    assert citizen.h1() == "Learning mentors Coesfeld"
    citizen.check("partner-offer-public-en")
    citizen.goto(f"/verzeichnis/coesfeld/{offer.uid}/?sprache=de")
    assert citizen.h1() == "Lernpatenschaften Coesfeld"


#: A grey 1×1 PNG: what the stand-in tile server answers (the tests never reach the internet).
TILE_PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489"
    "0000000d49444154789c63b87bf7ee7f0008c90397affde77b0000000049454e44ae426082"
)


def test_citizen_uses_the_tile_map_with_the_keyboard(browser, live_url, settings):
    """With a tile source the directory's map is a Leaflet map; markers work by keyboard."""
    settings.MAP_TILES = "https://tiles.example.test/{z}/{x}/{y}.png"
    settings.MAP_ATTRIBUTION = "© Kartendienst"
    load_full_demo()
    phone = browser.new_context(
        base_url=live_url, locale="de-DE", viewport={"width": 375, "height": 740}
    )
    page = phone.new_page()
    tiles: list[str] = []

    def tile(route):
        tiles.append(route.request.url)
        route.fulfill(status=200, content_type="image/png", body=TILE_PNG)

    page.route("https://tiles.example.test/**", tile)
    citizen = Tab(page, live_url)
    response = citizen.goto("/verzeichnis/coesfeld/")
    assert "https://tiles.example.test" in response.headers["content-security-policy"]
    assert page.locator("script[src*='leaflet']").count() == 0  # not before the map is opened
    page.locator("details.map-panel summary").click()
    marker = page.locator(".leaflet-marker-icon").first
    marker.wait_for()
    assert tiles, "no tile was requested"
    assert page.locator("svg.svg-map").is_hidden()
    citizen.check("directory-tile-map-mobile")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 375, f"the tile map makes the page scroll sideways ({width}px)"
    marker.focus()
    page.keyboard.press("Enter")
    link = page.locator(".leaflet-popup .map-popup a").first
    link.wait_for()
    assert page.evaluate("document.activeElement.closest('.map-popup') !== null")
    page.wait_for_timeout(400)  # the map pans the popup into view
    citizen.check("directory-tile-map-popup")
    page.keyboard.press("Escape")
    assert page.evaluate("document.activeElement.classList.contains('leaflet-marker-icon')")
    assert marker.get_attribute("aria-label")
    marker.focus()
    page.keyboard.press("Enter")
    link.wait_for()
    link.click()
    page.wait_for_load_state("load")
    assert "/verzeichnis/coesfeld/" in page.url and page.locator("article").count() == 1
    phone.close()
