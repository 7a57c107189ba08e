"""Prepared queries: the rows of the queryset, its SQL compiled once, the tenant scope kept."""

from unittest import mock

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import connection
from django.db.models.sql.compiler import SQLCompiler
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_scopes import scope, scopes_disabled
from django_scopes.exceptions import ScopeError

from teilhabe.core.models import Membership
from teilhabe.core.prepared import PreparedQuery, prepared
from teilhabe.core.tests.factories import make_member

pytestmark = pytest.mark.django_db


@prepared
def memberships(user: int):
    return (
        Membership.objects.filter(user=user)
        .select_related("user", "centre")
        .prefetch_related("case_areas")
    )


def plain(user: int) -> list[Membership]:
    return list(memberships.build(user=user))


def rows(members: list[Membership]) -> list[tuple]:
    """What a page shows of each row: its fields, the related rows, the prefetched Bezirke."""
    return [
        (m.pk, m.role, m.user.email, m.centre.name, sorted(a.name for a in m.case_areas.all()))
        for m in members
    ]


@pytest.fixture
def members(centre, other_centre, alice, bob, charlie):
    make_member("alice@example.org", "leadership", other_centre, user=alice)
    return {"alice": alice, "bob": bob, "charlie": charlie}


def test_rows_are_those_of_the_queryset(centre, other_centre, members):
    with scope(centre=[centre.pk, other_centre.pk]):
        for user in members.values():
            expected = plain(user.pk)
            assert expected
            with CaptureQueriesContext(connection) as queries:
                got = memberships(user=user.pk)
                shown = rows(got)
            # one query for the rows with their user and centre, one for the Bezirke
            assert len(queries) == 2
            assert shown == rows(expected)
            assert [type(m) for m in got] == [Membership] * len(expected)


def test_the_sql_is_that_of_the_queryset(centre, members):
    alice, bob = members["alice"], members["bob"]
    with scope(centre=[centre.pk]):
        memberships(user=alice.pk)
        with CaptureQueriesContext(connection) as prepared_run:
            memberships(user=bob.pk)
        with CaptureQueriesContext(connection) as plain_run:
            plain(bob.pk)
    assert [q["sql"] for q in prepared_run] == [q["sql"] for q in plain_run]


def test_a_shape_is_compiled_once(centre, members):
    alice, bob = members["alice"], members["bob"]
    with scope(centre=[centre.pk]):
        memberships(user=alice.pk)
        # The rows' SQL is no longer compiled: only the prefetch of the Bezirke is.
        with mock.patch.object(
            SQLCompiler, "pre_sql_setup", autospec=True, side_effect=SQLCompiler.pre_sql_setup
        ) as compiled:
            got = memberships(user=bob.pk)
    bezirke = ["Bezirk Süd"]
    assert rows(got) == [(got[0].pk, "case_manager", "bob@example.org", centre.name, bezirke)]
    assert compiled.call_count == 1  # the prefetch of the Bezirke


def test_the_scope_stays_a_guard(centre, other_centre, members):
    charlie = members["charlie"]  # a member of the other centre only
    with scope(centre=[other_centre.pk]):
        assert len(memberships(user=charlie.pk)) == 1
    # The same shape (one centre) with another centre: the guard is a parameter, not compiled in.
    with scope(centre=[centre.pk]):
        assert memberships(user=charlie.pk) == []
    with scope(centre=[centre.pk, other_centre.pk]):
        assert len(memberships(user=members["alice"].pk)) == 2
    with scope(centre=[]):
        assert memberships(user=charlie.pk) == []
    with scopes_disabled():
        assert len(memberships(user=members["alice"].pk)) == 2


def test_without_a_scope_it_fails_loudly(members):
    with pytest.raises(ScopeError):
        memberships(user=members["alice"].pk)


def test_a_build_whose_sql_changes_is_refused(centre, members):
    since_now = PreparedQuery(
        lambda user: Membership.objects.filter(user=user, created__lte=timezone.now())
    )
    with scope(centre=[centre.pk]), pytest.raises(ImproperlyConfigured, match="changes"):
        since_now(user=members["alice"].pk)


def test_a_related_managers_queryset_is_refused(centre, members):
    alice = members["alice"]
    of_user = PreparedQuery(lambda user: alice.memberships.filter(pk__gt=user))
    with scope(centre=[centre.pk]), pytest.raises(ImproperlyConfigured, match="fresh queryset"):
        of_user(user=0)


@prepared
def memberships_in_role(role: str, user: int):
    return Membership.objects.filter(user=user, role=role)


def test_a_variant_is_compiled_for_itself_and_never_runs_for_another(centre, members):
    alice, bob = members["alice"], members["bob"]
    with scope(centre=[centre.pk]):
        as_manager = memberships_in_role("case_manager", variant="case_manager", user=alice.pk)
        as_leader = memberships_in_role("leadership", variant="leadership", user=alice.pk)
        bob_as_manager = memberships_in_role("case_manager", variant="case_manager", user=bob.pk)
    assert [m.role for m in as_manager] == ["case_manager"]
    assert as_leader == []  # her leadership is in the other centre, outside the scope
    assert [(m.user_id, m.role) for m in bob_as_manager] == [(bob.pk, "case_manager")]
    assert len(memberships_in_role._compiled) == 2


def test_the_oldest_shapes_are_forgotten_beyond_the_limit(centre, members):
    query = PreparedQuery(memberships_in_role.build, max_shapes=2)
    with scope(centre=[centre.pk]):
        for role in ("case_manager", "leadership", "administration"):
            query(role, variant=role, user=members["alice"].pk)
        assert [key[0] for key in query._compiled] == ["leadership", "administration"]
        assert [
            m.role for m in query("case_manager", variant="case_manager", user=members["alice"].pk)
        ] == ["case_manager"]
