"""Log-in with e-mail, the second factor, and rate limits."""

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import (
    TOTP,
    format_hotp_value,
    generate_totp_secret,
    hotp_value,
    yield_hotp_counters_from_time,
)
from django.core.cache import caches
from django.urls import reverse

from teilhabe.core.tests.factories import PASSWORD, make_member

pytestmark = pytest.mark.django_db


def current_code(secret: str) -> str:
    counter = list(yield_hotp_counters_from_time())[len(list(yield_hotp_counters_from_time())) // 2]
    return format_hotp_value(hotp_value(secret, counter))


def login(client, email: str, password: str = PASSWORD):
    return client.post(reverse("account_login"), {"login": email, "password": password})


def test_login_with_email_address(client, alice):
    response = login(client, "Alice@Example.org")
    assert response.status_code == 302
    assert response.url == reverse("core:home")
    assert client.get(reverse("core:home")).context["user"] == alice


def test_wrong_password_keeps_visitor_out_with_a_message(client, alice):
    response = login(client, "alice@example.org", "wrong-password-123")
    assert response.status_code == 200
    assert response.context["form"].errors
    assert client.get(reverse("core:home")).status_code == 302


def test_sign_up_is_closed(client):
    response = client.post(
        reverse("account_signup"), {"email": "new@example.org", "password1": "x" * 20}
    )
    assert response.status_code == 200
    from teilhabe.core.models import User

    assert not User.objects.filter(email="new@example.org").exists()


@pytest.fixture
def mfa_on(settings):
    settings.REQUIRE_MFA = True


def test_role_with_personal_data_must_set_up_totp_first(client, alice, mfa_on):
    client.force_login(alice)
    for url in [reverse("core:home"), reverse("core:case-area-list")]:
        response = client.get(url)
        assert response.status_code == 302
        assert response.url == reverse("mfa_activate_totp")
    # set-up itself, the log-out and the accessibility statement stay reachable
    assert client.get(reverse("core:accessibility")).status_code == 200


@pytest.mark.parametrize("role", ["coordinator", "laki"])
def test_roles_without_personal_data_need_no_second_factor(client, centre, role, mfa_on):
    user = make_member(f"{role}@example.org", role, None if role == "laki" else centre)
    client.force_login(user)
    assert client.get(reverse("core:home")).status_code == 200


def test_mfa_can_be_switched_off_for_the_demo(client, alice, settings):
    settings.REQUIRE_MFA = False
    client.force_login(alice)
    assert client.get(reverse("core:home")).status_code == 200


def test_login_with_totp_asks_for_the_code(client, alice, mfa_on):
    secret = generate_totp_secret()
    TOTP.activate(alice, secret)
    response = login(client, "alice@example.org")
    assert response.status_code == 302
    assert response.url == reverse("mfa_authenticate")
    assert client.get(reverse("core:home")).status_code == 302  # not logged in yet

    wrong = client.post(reverse("mfa_authenticate"), {"code": "000000"})
    assert wrong.status_code == 200
    assert wrong.context["form"].errors

    response = client.post(reverse("mfa_authenticate"), {"code": current_code(secret)})
    assert response.status_code == 302
    assert client.get(reverse("core:home")).status_code == 200


def test_a_session_that_logged_in_with_totp_is_not_asked_again(client, alice, mfa_on):
    """After a TOTP log-in the session says so: no page asks the database for the factor."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    secret = generate_totp_secret()
    TOTP.activate(alice, secret)
    login(client, "alice@example.org")
    client.post(reverse("mfa_authenticate"), {"code": current_code(secret)})
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("core:case-area-list")).status_code == 200
    assert not [q for q in queries.captured_queries if "mfa_authenticator" in q["sql"]]

    # A session without that record (here: a log-in by other means) still asks.
    client.logout()
    client.force_login(alice)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("core:case-area-list")).status_code == 200
    assert [q for q in queries.captured_queries if "mfa_authenticator" in q["sql"]]
    Authenticator.objects.filter(user=alice).delete()
    assert client.get(reverse("core:case-area-list")).status_code == 302


def test_setting_up_totp_unlocks_the_app(client, alice, mfa_on):
    login(client, "alice@example.org")
    page = client.get(reverse("mfa_activate_totp"))
    assert page.status_code == 200
    secret = client.session["mfa.totp.secret"]
    response = client.post(reverse("mfa_activate_totp"), {"code": current_code(secret)})
    assert response.status_code == 302
    assert Authenticator.objects.filter(user=alice, type=Authenticator.Type.TOTP).exists()
    assert client.get(reverse("core:home")).status_code == 200


def test_failed_logins_are_rate_limited_in_the_shared_cache(client, alice, settings):
    assert "DatabaseCache" in settings.CACHES["default"]["BACKEND"], "cache not shared"
    for n in range(5):
        response = login(client, "alice@example.org", f"wrong-{n}-password")
        assert "too_many_login_attempts" not in str(response.context["form"].errors.as_data())
    # After five failures even the right password is refused while the limit lasts.
    response = login(client, "alice@example.org")
    assert response.status_code == 200
    codes = [e.code for e in response.context["form"].non_field_errors().as_data()]
    assert codes == ["too_many_login_attempts"]
    assert client.get(reverse("core:home")).status_code == 302
    # Another worker process has a cache object of its own; it reads the same table.
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT cache_key FROM teilhabe_cache")
        keys = [row[0] for row in cursor.fetchall()]
    limit_keys = [key for key in keys if "login_failed" in key]
    assert limit_keys
    other_process_cache = caches.create_connection("default")
    assert other_process_cache.get(limit_keys[0].split(":", 2)[-1]) is not None


def test_a_request_carries_its_user_itself_and_logging_out_replaces_it(client, alice):
    from django.contrib.auth.models import AnonymousUser

    from teilhabe.core.models import User

    login(client, "alice@example.org")
    request = client.get(reverse("core:home")).wsgi_request
    assert type(request.user) is User  # not a lazy object in front of it
    assert request.user == alice
    response = client.post(reverse("account_logout"))
    assert type(response.wsgi_request.user) is AnonymousUser
    assert client.get(reverse("core:home")).status_code == 302  # signed out for good
