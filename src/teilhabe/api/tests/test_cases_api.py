"""The case list as JSON: the same cases, filters and order as the case list page."""

import pytest
import yaml
from django.urls import reverse
from django_scopes import scopes_disabled

from teilhabe.cases.models import Case
from teilhabe.cases.tests.factories import make_case, make_person
from teilhabe.core.tests.factories import make_member

pytestmark = pytest.mark.django_db
URL = "/api/v1/faelle/"


def test_the_url_is_the_documented_one():
    assert reverse("api:cases") == URL


def test_lists_only_the_cases_the_case_manager_may_see(client, alice, bob, centre, other_centre):
    own = make_case(centre, case_manager=alice, person=make_person(centre, "Haddad"))
    waiting_north = make_case(centre, person=make_person(centre, "Rahimi"))
    make_case(centre, area="Bezirk Süd", case_manager=bob, person=make_person(centre, "Kaya"))
    make_case(other_centre, area="Münster-Mitte", person=make_person(other_centre, "Nowak"))
    client.force_login(alice)
    body = client.get(URL).json()
    assert body["count"] == 2
    assert {row["reference"] for row in body["results"]} == {
        own.reference,
        waiting_north.reference,
    }
    row = next(r for r in body["results"] if r["id"] == own.pk)
    assert row["name"] == str(own.person)
    assert row["case_manager"] == alice.get_full_name()
    assert row["bezirk"] == "Bezirk Nord"
    assert row["url"] == reverse("cases:case-detail", args=[own.pk])


def test_filters_and_sorts_like_the_page(client, alice, centre):
    language = make_case(
        centre, case_manager=alice, person=make_person(centre, "Aziz"), needs=["language"]
    )
    housing = make_case(
        centre, case_manager=alice, person=make_person(centre, "Berisha"), needs=["housing"]
    )
    waiting = make_case(centre, person=make_person(centre, "Celik"))
    closed = make_case(
        centre, case_manager=alice, person=make_person(centre, "Demir"), phase=Case.Phase.CLOSED
    )
    client.force_login(alice)

    def refs(**params):
        return [row["reference"] for row in client.get(URL, params).json()["results"]]

    assert refs(need="language") == [language.reference]
    assert refs(phase="waiting") == [waiting.reference]
    assert closed.reference not in refs()  # open cases by default
    assert closed.reference in refs(phase="")  # an empty phase means every phase
    assert refs(mine="true", sort="name") == [language.reference, housing.reference]
    assert refs(mine="true", sort="-name") == [housing.reference, language.reference]


def test_pages_of_25_with_the_total(client, alice, centre):
    for i in range(27):
        make_case(centre, case_manager=alice, person=make_person(centre, f"Name{i:02d}"))
    client.force_login(alice)
    first = client.get(URL, {"sort": "reference"}).json()
    assert first["count"] == 27
    assert len(first["results"]) == 25
    second = client.get(first["next"]).json()
    assert len(second["results"]) == 2
    seen = {r["id"] for r in first["results"]} | {r["id"] for r in second["results"]}
    assert len(seen) == 27


def test_bad_filters_are_refused_with_the_reason(client, alice):
    client.force_login(alice)
    response = client.get(URL, {"phase": "nonsense"})
    assert response.status_code == 400
    assert "phase" in response.json()
    response = client.get(URL, {"sort": "birth_date"})
    assert response.status_code == 400
    assert "sort" in response.json()


def test_roles_without_the_case_list_get_403(client, centre, dana):
    make_case(centre)
    leadership = make_member("lena@example.org", "leadership", centre)
    for user in (dana, leadership):
        client.force_login(user)
        assert client.get(URL).status_code == 403
    client.logout()
    assert client.get(URL).status_code == 403


def test_the_openapi_document_describes_it(client):
    schema = yaml.safe_load(client.get(reverse("api:schema")).content)
    operation = schema["paths"][URL]["get"]
    names = {p["name"] for p in operation["parameters"]}
    assert {"phase", "need", "mine", "sort", "page"} <= names


def test_rows_have_the_shape_the_schema_describes(client, alice, centre):
    """The rows are built from plain values; they must say what the serializer says."""
    from teilhabe.api.cases import CaseSerializer

    case = make_case(
        centre, case_manager=alice, person=make_person(centre, "Haddad"), needs=["language"]
    )
    waiting = make_case(centre, area=None, person=make_person(centre, "Rahimi", municipality=None))
    client.force_login(alice)
    rows = {row["id"]: row for row in client.get(URL).json()["results"]}
    assert set(rows) == {case.pk, waiting.pk}
    for shown in (case, waiting):
        with scopes_disabled():
            described = CaseSerializer(Case.objects.get(pk=shown.pk)).data
        assert rows[shown.pk] == {**described, "opened_on": shown.opened_on.isoformat()}
        assert set(rows[shown.pk]) == set(CaseSerializer().fields)
    assert rows[waiting.pk]["case_manager"] is None
    assert rows[waiting.pk]["gemeinde"] is None
