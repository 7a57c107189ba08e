"""The demo in a real browser: every role logs in, sees its navigation, and every page is
accessible (axe-core, WCAG 2.1 A/AA); second factor, tenant isolation and language switch."""

from __future__ import annotations

import re

import pytest
from django.contrib.sessions.models import Session
from django_scopes import scopes_disabled

from teilhabe.core.demo import DEMO_PASSWORD, LOGINS, load_demo, load_full_demo
from teilhabe.core.models import CaseArea, User
from teilhabe.core.roles import Role

from .support import Tab, axe_violations, format_violations, totp_code, wrong_totp_code

pytestmark = pytest.mark.browser

START = "/"
STAFF = "/zentrum/mitarbeitende/"
ACTORS = "/netzwerk/akteure/"
GROUPS = "/netzwerk/gremien/"
AGREEMENTS = "/netzwerk/vereinbarungen/"
OWN_ORGANISATION = "/netzwerk/unsere-angaben/"
OFFERS = "/angebote/"
OUR_OFFERS = "/angebote/partner/"
OFFER_SETTINGS = "/angebote/einstellungen/"
RUBRICS = "/angebote/rubriken/"
FIGURES = "/berichte/zentrum/"
STATE_FIGURES = "/berichte/land/"
AREAS = "/zentrum/bezirke/"
ACCESS_LOG = "/datenschutz/zugriffe/"
STATEWIDE = "/land/"
CASES = "/faelle/"
CASELOAD = "/faelle/fallzahlen/"
SYSTEM_GAPS = "/faelle/systemrueckmeldungen/"
CASE_SETTINGS = "/faelle/einstellungen/"
ERASURE_JOURNAL = "/faelle/loeschprotokoll/"
REFERRALS = "/faelle/partner/"
PUPILS = "/seiteneinstieg/"
SCHOOLS = "/seiteneinstieg/schulen/"
TOTP_ACTIVATE = "/accounts/2fa/totp/activate/"
MFA_AUTHENTICATE = "/accounts/2fa/authenticate/"
REAUTHENTICATE = "/accounts/reauthenticate/"
RECOVERY_CODES = "/accounts/2fa/recovery-codes/"

#: What the main navigation of each role links to (DESIGN.md "Who uses it"), written out here
#: rather than read from the navigation registry so that a wrong registration fails.
NAVIGATION = {
    Role.LEADERSHIP: {
        START,
        CASELOAD,
        SYSTEM_GAPS,
        OFFERS,
        ACTORS,
        GROUPS,
        AGREEMENTS,
        STAFF,
        AREAS,
        CASE_SETTINGS,
        OFFER_SETTINGS,
        RUBRICS,
        FIGURES,
    },
    Role.COORDINATOR: {
        START,
        CASELOAD,
        SYSTEM_GAPS,
        OFFERS,
        ACTORS,
        GROUPS,
        AGREEMENTS,
        AREAS,
        OFFER_SETTINGS,
        RUBRICS,
        FIGURES,
    },
    Role.CASE_MANAGER: {START, CASES, OFFERS, ACTORS, GROUPS, AGREEMENTS, AREAS},
    Role.NEWCOMER_COUNSELLOR: {START, PUPILS, SCHOOLS, OFFERS, ACTORS, GROUPS, AGREEMENTS},
    Role.CLERK: {START, OFFERS, ACTORS, GROUPS, AGREEMENTS},
    Role.IMMIGRATION_OFFICE: {START, OFFERS, ACTORS, GROUPS, AGREEMENTS},
    Role.PARTNER: {START, OWN_ORGANISATION, OUR_OFFERS, REFERRALS},
    Role.INTERPRETER_VOLUNTEER: {START},
    Role.DATA_PROTECTION: {
        START,
        OFFERS,
        ACTORS,
        GROUPS,
        AGREEMENTS,
        ACCESS_LOG,
        ERASURE_JOURNAL,
    },
    Role.ADMINISTRATION: {
        START,
        OFFERS,
        ACTORS,
        GROUPS,
        AGREEMENTS,
        STAFF,
        AREAS,
        CASE_SETTINGS,
        OFFER_SETTINGS,
        RUBRICS,
        FIGURES,
        ERASURE_JOURNAL,
    },
    Role.LAKI: {START, STATEWIDE, STATE_FIGURES},
}


def _who(email: str) -> str:
    return email.split(".demo")[0].replace("@", "-")


def test_navigation_table_covers_every_role():
    assert set(NAVIGATION) == set(Role)


def test_login_page_is_accessible(tab: Tab):
    response = tab.goto("/accounts/login/")
    assert response.status == 200
    assert tab.page.locator("html").get_attribute("lang") == "de"
    # The fields have visible labels (found by their German or English text).
    assert tab.page.get_by_label(re.compile(r"^\s*(E-Mail|Email)", re.I)).count() == 1
    assert tab.page.get_by_label(re.compile(r"^\s*(Passwort|Password)\s*$", re.I)).count() == 1
    tab.h1()
    tab.check("login")


def test_axe_check_reports_violations(tab: Tab):
    """The check itself works: a page with barriers fails, with a message that says where."""
    tab.goto("/accounts/login/")
    tab.page.evaluate(
        """() => document.querySelector("main").insertAdjacentHTML("beforeend",
            '<img id="no-alt" src="data:,"><input id="no-label" type="text">')"""
    )
    violations = axe_violations(tab.page)
    assert {"image-alt", "label"} <= {v["id"] for v in violations}
    message = format_violations("/accounts/login/", violations)
    assert "#no-alt" in message and "#no-label" in message and "[critical]" in message


@pytest.mark.parametrize("login", LOGINS, ids=[login.email for login in LOGINS])
def test_every_demo_role_logs_in_and_start_page_is_accessible(tab: Tab, login):
    load_full_demo()
    who = _who(login.email)
    tab.log_in(login.email, DEMO_PASSWORD)

    assert tab.path == START, f"{login.email} landed on {tab.page.url}"
    tab.h1()
    links = tab.main_nav_links()
    assert set(links) == NAVIGATION[login.role], f"{login.email} ({login.role}) sees {links}"
    assert len(links) == len(set(links)), f"duplicate navigation entries: {links}"
    current = tab.page.locator('nav[aria-label] a[aria-current="page"]')
    assert current.count() == 1 and current.get_attribute("href") == START
    tab.check(f"start-{who}")

    for path in links:
        if path == START:
            continue
        response = tab.goto(path)
        assert response.status == 200, f"{login.email}: {path} answered {response.status}"
        tab.h1()
        tab.check(f"{who}-{path}")


def _log_in_without_second_factor(tab: Tab) -> None:
    """Log in as the data protection officer, who must set up TOTP and has not yet."""
    load_demo()
    tab.log_in("datenschutz@coesfeld.demo", DEMO_PASSWORD)
    # Straight to the set-up: the fresh log-in counts as re-authentication there.
    assert tab.path == TOTP_ACTIVATE, f"landed on {tab.page.url}"


def _secret_shown(tab: Tab) -> str:
    field = tab.page.locator("#authenticator_secret")
    # Read-only, not disabled: it can be selected and copied, and screen readers read it.
    assert field.get_attribute("readonly") is not None and field.is_enabled()
    secret = field.input_value().strip()
    assert re.fullmatch(r"[A-Z2-7]{16,}=*", secret), secret
    return secret


def test_mfa_enforced_login_sets_up_totp(tab: Tab, settings):
    settings.REQUIRE_MFA = True
    _log_in_without_second_factor(tab)
    tab.h1()
    tab.check("mfa-totp-activate")

    # Every other page sends the user back here until the second factor works.
    tab.goto(ACCESS_LOG)
    assert tab.path == TOTP_ACTIVATE
    # Each GET of the page shows a new secret: read the one shown last.
    secret = _secret_shown(tab)

    tab.page.locator('input[name="code"]').fill(wrong_totp_code(secret))
    tab.submit()
    assert tab.path == TOTP_ACTIVATE
    assert tab.page.locator(".errorlist, [role=alert]").count() >= 1
    assert _secret_shown(tab) == secret
    assert not _has_totp("datenschutz@coesfeld.demo")
    tab.check("mfa-totp-activate-wrong-code")

    tab.page.locator('input[name="code"]').fill(totp_code(secret))
    tab.submit()
    assert tab.path != TOTP_ACTIVATE, (
        "the valid code was not accepted: " + tab.page.locator("main").inner_text()
    )
    assert _has_totp("datenschutz@coesfeld.demo")
    if tab.path == REAUTHENTICATE:
        # Known bug, see test_recovery_codes_follow_totp_set_up_without_password_prompt.
        tab.h1()
        tab.check("mfa-reauthenticate-after-activation")
        tab.page.locator('main input[name="password"]').fill(DEMO_PASSWORD)
        tab.submit()
    assert tab.path == RECOVERY_CODES, f"landed on {tab.page.url}"
    tab.h1()
    tab.check("mfa-recovery-codes")

    tab.goto(START)
    assert tab.path == START
    tab.h1()
    tab.goto(ACCESS_LOG)
    assert tab.path == ACCESS_LOG


def test_recovery_codes_follow_totp_set_up_without_password_prompt(tab: Tab, settings):
    settings.REQUIRE_MFA = True
    _log_in_without_second_factor(tab)
    tab.page.locator('input[name="code"]').fill(totp_code(_secret_shown(tab)))
    tab.submit()
    assert _has_totp("datenschutz@coesfeld.demo")
    assert tab.path == RECOVERY_CODES, f"landed on {tab.page.url}"


def _has_totp(email: str) -> bool:
    from allauth.mfa.models import Authenticator

    return Authenticator.objects.filter(user__email=email, type=Authenticator.Type.TOTP).exists()


def test_mfa_enforced_login_asks_for_code(tab: Tab, settings):
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

    settings.REQUIRE_MFA = True
    load_demo()
    secret = generate_totp_secret()
    user = User.objects.get(email="admin@coesfeld.demo")
    TOTP.activate(user, secret)

    tab.log_in(user.email, DEMO_PASSWORD)
    assert tab.path == MFA_AUTHENTICATE, f"landed on {tab.page.url}"
    tab.h1()
    tab.check("mfa-authenticate")

    tab.page.locator('input[name="code"]').fill(wrong_totp_code(secret))
    tab.submit()
    assert tab.path == MFA_AUTHENTICATE
    assert tab.page.locator(".errorlist, [role=alert]").count() >= 1
    assert not _logged_in(user), "a wrong code logged the user in"
    tab.check("mfa-authenticate-wrong-code")

    tab.page.locator('input[name="code"]').fill(totp_code(secret))
    tab.submit()
    assert tab.path == START, f"landed on {tab.page.url}"
    assert _logged_in(user)
    tab.h1()


def _logged_in(user: User) -> bool:
    """Return whether some session is logged in as ``user``."""
    return any(
        session.get_decoded().get("_auth_user_id") == str(user.pk)
        for session in Session.objects.all()
    )


def test_other_centre_object_answers_404_in_browser(tab: Tab):
    load_demo()
    with scopes_disabled():
        own = CaseArea.objects.filter(centre__slug="coesfeld").first()
        other = CaseArea.objects.filter(centre__slug="munster").first()
    tab.log_in("admin@coesfeld.demo", DEMO_PASSWORD)

    response = tab.goto(f"{AREAS}{own.pk}/")
    assert response.status == 200
    tab.check("case-area-detail")

    response = tab.goto(f"{AREAS}{other.pk}/")
    assert response.status == 404
    assert tab.h1() in {"Seite nicht gefunden", "Page not found"}
    assert other.name not in tab.page.content()
    tab.check("404-other-centre")


def test_language_switch(tab: Tab):
    load_demo()
    tab.log_in("koordination@coesfeld.demo", DEMO_PASSWORD)
    html = tab.page.locator("html")
    assert html.get_attribute("lang") == "de"

    tab.page.locator('.language-switch button[value="en"]').click()
    tab.page.wait_for_load_state("load")
    assert tab.path == START
    assert html.get_attribute("lang") == "en"
    tab.check("start-english")

    tab.page.locator('.language-switch button[value="de"]').click()
    tab.page.wait_for_load_state("load")
    assert tab.path == START
    assert html.get_attribute("lang") == "de"
