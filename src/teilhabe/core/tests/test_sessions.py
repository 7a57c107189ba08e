"""The session store: Django's database sessions, read with plain SQL."""

from __future__ import annotations

import datetime

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from teilhabe.core.sessions import SessionStore

pytestmark = pytest.mark.django_db


def saved(**data: object) -> SessionStore:
    store = SessionStore()
    store.update(data)
    store.save()
    return store


def test_the_settings_use_this_store():
    assert settings.SESSION_ENGINE == "teilhabe.core.sessions"


def test_a_saved_session_is_read_back_in_one_query():
    key = saved(language="de", visits=3).session_key
    with CaptureQueriesContext(connection) as queries:
        store = SessionStore(key)
        assert dict(store.items()) == {"language": "de", "visits": 3}
    assert len(queries) == 1
    assert store.session_key == key


def test_an_expired_session_is_empty_and_gets_a_new_key():
    key = saved(user="someone").session_key
    Session.objects.filter(pk=key).update(
        expire_date=timezone.now() - datetime.timedelta(seconds=1)
    )
    store = SessionStore(key)
    assert dict(store.items()) == {}
    assert store.session_key is None
    store["fresh"] = True
    store.save()
    assert store.session_key != key  # an expired key is never taken up again


def test_an_unknown_key_is_an_empty_session():
    store = SessionStore("x" * 32)
    assert store.load() == {}
    assert store.session_key is None


def test_a_tampered_session_is_empty():
    key = saved(user="someone").session_key
    Session.objects.filter(pk=key).update(session_data="not:signed")
    assert SessionStore(key).load() == {}


def test_a_signed_in_user_stays_signed_in_and_logging_out_ends_the_session(
    client, django_user_model
):
    user = django_user_model.objects.create_user(email="s@example.org", password="x")
    client.force_login(user)
    key = client.cookies[settings.SESSION_COOKIE_NAME].value
    assert SessionStore(key).get("_auth_user_id") == str(user.pk)
    client.logout()
    assert not Session.objects.filter(pk=key).exists()
    assert SessionStore(key).load() == {}
