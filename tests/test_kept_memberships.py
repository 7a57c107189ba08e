"""Each worker keeps a user's memberships between requests; a change to them counts at once."""

import pytest
from django.core.cache import cache, caches
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_scopes import scopes_disabled

from teilhabe.cases.tests.factories import make_case
from teilhabe.core import services
from teilhabe.core.models import Centre, Membership
from teilhabe.core.models.accounts import MEMBERSHIPS_GENERATION

pytestmark = pytest.mark.django_db


def _reads_memberships(queries):
    return [q["sql"] for q in queries.captured_queries if '"core_membership' in q["sql"]]


def test_the_second_request_takes_the_kept_memberships(client, alice, centre):
    case = make_case(centre, case_manager=alice)
    client.force_login(alice)
    assert client.get(f"/faelle/{case.pk}/").status_code == 200

    with CaptureQueriesContext(connection) as queries:
        response = client.get(f"/faelle/{case.pk}/")

    assert response.status_code == 200
    assert _reads_memberships(queries) == []


def test_an_ended_membership_ends_access_on_the_next_request(client, alice, dana, centre):
    case = make_case(centre, case_manager=alice)
    client.force_login(alice)
    assert client.get(f"/faelle/{case.pk}/").status_code == 200  # kept from here on

    with scopes_disabled():
        membership = Membership.objects.get(user=alice)
        services.end_membership(dana, membership)

    assert client.get(f"/faelle/{case.pk}/").status_code in (403, 404)
    assert client.get("/faelle/").status_code == 403


def test_a_bezirk_taken_away_hides_its_cases_on_the_next_request(client, alice, centre):
    with scopes_disabled():
        nord = centre.case_areas.get(name="Bezirk Nord")
        sued = centre.case_areas.get(name="Bezirk Süd")
        membership = Membership.objects.get(user=alice)
        membership.case_areas.set([nord, sued])
    case = make_case(centre, area=sued, reference="KIM-T-SUED")
    client.force_login(alice)
    assert "KIM-T-SUED" in client.get("/faelle/").content.decode()

    with scopes_disabled():
        membership.case_areas.remove(sued)

    assert "KIM-T-SUED" not in client.get("/faelle/").content.decode()
    assert client.get(f"/faelle/{case.pk}/").status_code == 404


def test_a_renamed_centre_shows_on_the_next_request(client, alice, centre):
    client.force_login(alice)
    assert "Kreis Coesfeld" in client.get("/").content.decode()

    with scopes_disabled():
        renamed = Centre.objects.get(pk=centre.pk)
    renamed.name = "KI Kreis Coesfeld (neu)"
    renamed.save()

    assert "KI Kreis Coesfeld (neu)" in client.get("/").content.decode()


def test_a_change_no_signal_reports_counts_once_the_generation_is_gone(client, alice, centre):
    case = make_case(centre, case_manager=alice)
    client.force_login(alice)
    assert client.get(f"/faelle/{case.pk}/").status_code == 200
    with connection.cursor() as cursor:  # e.g. an operator's UPDATE in psql
        cursor.execute(
            "UPDATE core_membership SET is_active = %s WHERE user_id = %s", [False, alice.pk]
        )
    # A shared cache that was emptied (a restart of Redis, a cleared table) starts a new
    # generation: nothing kept in the old one is used.
    cache.delete(MEMBERSHIPS_GENERATION.key)

    assert client.get(f"/faelle/{case.pk}/").status_code in (403, 404)


def test_kept_memberships_are_copies_for_each_request(alice, centre):
    with scopes_disabled():
        from teilhabe.core.models import User

        first = User.objects.get(pk=alice.pk).active_memberships()
        first[0].centre.name = "changed in one request only"
        second = User.objects.get(pk=alice.pk).active_memberships()

    assert second[0].centre.name == centre.name
    assert caches["kept"].get(f"core:memberships:{alice.pk}") is not None


def test_the_case_list_asks_the_shared_cache_once_for_its_generations(client, alice, centre):
    # The memberships and the list's choices are kept under two generations: one round trip.
    make_case(centre, case_manager=alice)
    client.force_login(alice)
    assert client.get("/faelle/").status_code == 200

    with CaptureQueriesContext(connection) as queries:
        response = client.get("/faelle/")

    assert response.status_code == 200
    assert len([q for q in queries.captured_queries if "teilhabe_cache" in q["sql"]]) == 1
