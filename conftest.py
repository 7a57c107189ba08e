"""Standing personas and fixtures shared by every test (STYLE.md: Alice, Bob, Charlie …)."""

from __future__ import annotations

import pytest
from django_scopes import scopes_disabled

from teilhabe.core.tests.factories import make_centre, make_member


@pytest.fixture(autouse=True)
def _no_secure_redirect(settings):
    """Tests speak plain HTTP to the test client; production settings stay strict."""
    settings.SECURE_SSL_REDIRECT = False
    settings.REQUIRE_MFA = False
    # Argon2 is the real hasher (test_settings checks it); tests hash faster.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def centre(db):
    """The demo-like centre: Kreis Coesfeld with two Bezirke."""
    with scopes_disabled():
        return make_centre("05558", areas=["Bezirk Nord", "Bezirk Süd"])


@pytest.fixture
def other_centre(db):
    """A second centre, the kreisfreie Stadt Münster."""
    with scopes_disabled():
        return make_centre("05515", areas=["Münster-Mitte"])


def _area(centre, name):
    with scopes_disabled():
        return centre.case_areas.get(name=name)


@pytest.fixture
def alice(centre):
    """Alice: case manager in Bezirk Nord of the centre."""
    return make_member(
        "alice@example.org", "case_manager", centre, areas=[_area(centre, "Bezirk Nord")]
    )


@pytest.fixture
def bob(centre):
    """Bob: case manager of the same centre, Bezirk Süd."""
    return make_member(
        "bob@example.org", "case_manager", centre, areas=[_area(centre, "Bezirk Süd")]
    )


@pytest.fixture
def charlie(other_centre):
    """Charlie: administration of the other centre."""
    return make_member("charlie@example.org", "administration", other_centre)


@pytest.fixture
def dana(centre):
    """Dana: administration of the centre."""
    return make_member("dana@example.org", "administration", centre)


@pytest.fixture
def laki_user(db):
    """Lars: LaKI, statewide, aggregates only."""
    return make_member("lars@example.org", "laki", None)


@pytest.fixture
def partner_user(centre):
    """Paula: works for a partner organisation of the centre."""
    return make_member("paula@example.org", "partner", centre)


@pytest.fixture
def dpo(centre):
    """Dieter: data protection officer of the centre."""
    return make_member("dieter@example.org", "data_protection", centre)
