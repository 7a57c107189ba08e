"""Caseload figures and system gaps for leadership and strategic coordination."""

from __future__ import annotations

import datetime
import statistics

import pytest
from django.contrib.messages import get_messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django_scopes import scopes_disabled

from teilhabe.cases.caseload import caseload, take_up_system_gap
from teilhabe.cases.models import Case, SystemGap
from teilhabe.cases.tests.factories import (
    make_action,
    make_agency,
    make_case,
    make_contact,
    make_person,
)
from teilhabe.core.tests.factories import make_member

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


def days_ago(n: int) -> datetime.date:
    return TODAY - datetime.timedelta(days=n)


@pytest.fixture
def leader(centre):
    return make_member("lea@example.org", "leadership", centre)


@pytest.fixture
def coordinator(centre):
    return make_member("cora@example.org", "coordinator", centre)


@pytest.fixture
def load(centre, other_centre, alice, bob):
    """Cases of Alice (Nord), Bob (Süd), a waiting list and another centre's case."""
    P = Case.Phase
    a1 = make_case(centre, case_manager=alice, phase=P.ASSESSMENT, is_hardship=True)
    a2 = make_case(centre, case_manager=alice, phase=P.IMPLEMENTATION, priority=3)
    make_case(centre, case_manager=alice, phase=P.IMPLEMENTATION)
    b1 = make_case(centre, area="Bezirk Süd", case_manager=bob, phase=P.MONITORING, priority=3)
    make_case(centre, opened_on=days_ago(40))  # waiting, Nord
    make_case(centre, opened_on=days_ago(12))  # waiting, Nord
    make_case(centre, area="Bezirk Süd", opened_on=days_ago(3))  # waiting, Süd
    for opened, closed, reason in [
        (200, 20, "goals_reached"),
        (100, 10, "moved_away"),
        (300, 50, "goals_reached"),
        (900, 500, "withdrawn"),
    ]:
        make_case(
            centre,
            case_manager=alice,
            phase=P.CLOSED,
            opened_on=days_ago(opened),
            closed_on=days_ago(closed),
            closing_reason=reason,
        )
    make_contact(a1, date=days_ago(2), duration=45)
    make_contact(a2, date=days_ago(29), duration=30)
    make_contact(a2, date=days_ago(31), duration=60)  # too old
    make_contact(b1, date=days_ago(1), duration=20)
    make_action(a1, due_on=days_ago(3))  # overdue
    make_action(a1, due_on=days_ago(3), done_on=days_ago(1))  # done
    make_action(a2, due_on=days_ago(1), is_cancelled=True)  # cancelled
    make_action(b1, due_on=TODAY + datetime.timedelta(days=5))  # not yet due
    make_action(b1, due_on=days_ago(10))  # overdue
    foreign = make_case(other_centre, area=None, phase=P.ASSESSMENT)
    make_contact(foreign, date=days_ago(1))
    return {"a1": a1, "a2": a2, "b1": b1}


def _rows(rows):
    return {row.key: row for row in rows}


def test_caseload_per_case_manager(load, centre, alice, bob):
    with scopes_disabled():
        result = caseload(centre)
    rows = _rows(result.by_manager)

    assert [row.key for row in result.by_manager] == [alice.pk, bob.pk, None]
    assert rows[alice.pk].label == "Alice Test"
    alice = rows[alice.pk]
    assert alice.phases == {
        "intake": 0,
        "assessment": 1,
        "planning": 0,
        "implementation": 2,
        "monitoring": 0,
    }
    assert (alice.open_cases, alice.hardship, alice.high_priority) == (3, 1, 1)
    assert (alice.contacts, alice.minutes, alice.overdue) == (2, 75, 1)
    bob = rows[bob.pk]
    assert (bob.open_cases, bob.high_priority, bob.contacts, bob.minutes, bob.overdue) == (
        1,
        1,
        1,
        20,
        1,
    )
    waiting = rows[None]
    assert waiting.phases["intake"] == 3
    assert result.total.open_cases == 7


def test_caseload_per_bezirk_with_waiting_list(load, centre):
    with scopes_disabled():
        rows = {row.label: row for row in caseload(centre).by_area}

    assert rows["Bezirk Nord"].open_cases == 5
    assert rows["Bezirk Nord"].waiting == 2
    assert rows["Bezirk Nord"].longest_wait == 40
    assert rows["Bezirk Süd"].waiting == 1
    assert rows["Bezirk Süd"].longest_wait == 3
    assert rows["Bezirk Süd"].overdue == 1


def test_durations_and_closing_reasons_of_the_last_twelve_months(load, centre):
    with scopes_disabled():
        result = caseload(centre)

    durations = [200 - 20, 100 - 10, 300 - 50]  # the case closed 500 days ago is too old
    assert result.closed_count == 3
    assert result.median_days == statistics.median(durations)
    assert result.mean_days == round(statistics.fmean(durations), 1)
    assert [(reason, n) for reason, _label, n in result.closing_reasons] == [
        ("goals_reached", 2),
        ("moved_away", 1),
    ]


def test_caseload_page_shows_figures_without_clients(client, load, leader, centre):
    with scopes_disabled():
        make_case(centre, person=make_person(centre, "Unverwechselbar", "Xaver"))
    client.force_login(leader)

    response = client.get(reverse("cases:caseload"))

    assert response.status_code == 200
    content = response.content.decode()
    assert "Alice Test" in content
    assert "Unverwechselbar" not in content
    assert "Haddad" not in content
    assert "KIM-T-" not in content
    assert "kern-table__cell--numeric" in content
    assert "<caption" in content


def test_case_manager_who_also_leads_the_centre_sees_the_caseload(client, alice, centre):
    make_member("alice@example.org", "leadership", centre, user=alice)
    client.force_login(alice)
    assert client.get(reverse("cases:caseload")).status_code == 200


def test_case_manager_alone_does_not_see_the_caseload(client, alice):
    client.force_login(alice)
    assert client.get(reverse("cases:caseload")).status_code == 403


def _build(centre, manager, n: int) -> None:
    agency = make_agency(centre, f"Jobcenter {n}")
    for i in range(n):
        case = make_case(centre, case_manager=manager if i % 3 else None, is_hardship=i % 2 == 0)
        make_contact(case, date=days_ago(i % 20))
        make_action(case, due_on=days_ago(2))
        if i % 5 == 0:
            with scopes_disabled():
                SystemGap.objects.create(
                    centre=centre,
                    category="access",
                    agency=agency,
                    description="Zugang",
                    reported_on=days_ago(i),
                )


def test_caseload_page_makes_as_many_queries_for_30_cases_as_for_3(
    client, leader, centre, alice, django_assert_max_num_queries
):
    _build(centre, alice, 3)
    client.force_login(leader)
    with CaptureQueriesContext(connection) as few:
        assert client.get(reverse("cases:caseload")).status_code == 200

    _build(centre, alice, 27)

    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(reverse("cases:caseload")).status_code == 200


def test_system_gap_page_makes_as_many_queries_for_30_cases_as_for_3(
    client, coordinator, centre, alice, django_assert_max_num_queries
):
    _build(centre, alice, 3)
    client.force_login(coordinator)
    with CaptureQueriesContext(connection) as few:
        assert client.get(reverse("cases:system-gaps")).status_code == 200

    _build(centre, alice, 27)

    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(reverse("cases:system-gaps")).status_code == 200


@pytest.fixture
def gaps(centre, other_centre, alice):
    jobcentre = make_agency(centre, "Jobcenter Kreis Test")
    office = make_agency(centre, "Ausländerbehörde Test", kind="immigration_office")
    case = make_case(centre, case_manager=alice, person=make_person(centre, "Geheim", "Gisela"))
    with scopes_disabled():
        made = {
            "waiting": SystemGap.objects.create(
                centre=centre,
                category="waiting_times",
                agency=office,
                case=case,
                reported_by=alice,
                description="Termine erst nach vier Monaten.",
                reported_on=days_ago(5),
            ),
            "language": SystemGap.objects.create(
                centre=centre,
                category="language",
                agency=jobcentre,
                description="Bescheide nur auf Deutsch.",
                reported_on=days_ago(40),
                taken_up_on=days_ago(2),
                taken_up_note="In der Lenkungsgruppe besprochen.",
            ),
            "foreign": SystemGap.objects.create(
                centre=other_centre,
                category="access",
                description="Anderswo.",
            ),
        }
    return made


def test_system_gaps_are_listed_without_case_and_reporter(client, gaps, coordinator):
    client.force_login(coordinator)

    response = client.get(reverse("cases:system-gaps"))

    content = response.content.decode()
    assert "Termine erst nach vier Monaten." in content
    assert "Bescheide nur auf Deutsch." in content
    assert "Anderswo." not in content
    assert "Geheim" not in content
    assert "Alice" not in content
    assert str(gaps["waiting"].case.reference) not in content
    overview = response.context["overview"]
    assert sum(total for _label, _values, total in overview.by_category) == 2
    assert len(overview.months) == 12
    assert ("Ausländerbehörde Test", 1, 1) in overview.by_agency
    assert ("Jobcenter Kreis Test", 1, 0) in overview.by_agency


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"category": "language"}, ["Bescheide nur auf Deutsch."]),
        ({"status": "open"}, ["Termine erst nach vier Monaten."]),
        ({"status": "taken_up"}, ["Bescheide nur auf Deutsch."]),
        ({"sort": "reported"}, ["Bescheide nur auf Deutsch.", "Termine erst nach vier Monaten."]),
        ({}, ["Termine erst nach vier Monaten.", "Bescheide nur auf Deutsch."]),
    ],
)
def test_system_gaps_filter_and_sort(client, gaps, coordinator, query, expected):
    client.force_login(coordinator)

    response = client.get(reverse("cases:system-gaps"), query)

    assert [g.description for g in response.context["object_list"]] == expected


def test_system_gaps_filter_by_agency(client, gaps, coordinator):
    client.force_login(coordinator)
    agency = gaps["language"].agency

    response = client.get(reverse("cases:system-gaps"), {"agency": agency.pk})

    assert list(response.context["object_list"]) == [gaps["language"]]


def test_system_gaps_are_paginated_by_25(client, centre, coordinator):
    with scopes_disabled():
        for n in range(26):
            SystemGap.objects.create(centre=centre, category="other", description=f"Lücke {n}")
    client.force_login(coordinator)

    response = client.get(reverse("cases:system-gaps"))

    assert len(response.context["object_list"]) == 25
    assert response.context["paginator"].num_pages == 2


def test_taking_up_a_system_gap_keeps_the_note(client, gaps, coordinator):
    client.force_login(coordinator)
    gap = gaps["waiting"]

    response = client.post(
        reverse("cases:system-gap-take-up", args=[gap.pk]), {"note": "Gespräch mit der ABH."}
    )

    assert response.status_code == 302
    assert response.url == reverse("cases:system-gaps")
    with scopes_disabled():
        gap.refresh_from_db()
    assert gap.taken_up_on == TODAY
    assert gap.taken_up_note == "Gespräch mit der ABH."


def test_taking_up_without_a_note_is_refused_with_a_message(client, gaps, leader):
    client.force_login(leader)
    gap = gaps["waiting"]

    response = client.post(reverse("cases:system-gap-take-up", args=[gap.pk]))

    assert response.status_code == 302
    assert [m.level_tag for m in get_messages(response.wsgi_request)] == ["error"]
    with scopes_disabled():
        gap.refresh_from_db()
    assert gap.taken_up_on is None


def test_taking_up_returns_to_the_filtered_list_but_not_elsewhere(client, gaps, leader):
    client.force_login(leader)
    url = reverse("cases:system-gap-take-up", args=[gaps["waiting"].pk])
    back = reverse("cases:system-gaps") + "?status=open"

    response = client.post(url, {"note": "Erledigt.", "next": back})
    assert response.url == back

    url = reverse("cases:system-gap-take-up", args=[gaps["language"].pk])
    response = client.post(url, {"note": "Noch einmal.", "next": "https://evil.example/"})
    assert response.url == reverse("cases:system-gaps")


def test_case_manager_may_not_take_up_a_system_gap(client, gaps, alice):
    client.force_login(alice)
    response = client.post(
        reverse("cases:system-gap-take-up", args=[gaps["waiting"].pk]), {"note": "Ich."}
    )
    assert response.status_code == 403


def test_other_centre_gets_404_when_taking_up(client, gaps, coordinator):
    client.force_login(coordinator)
    response = client.post(
        reverse("cases:system-gap-take-up", args=[gaps["foreign"].pk]), {"note": "Fremd."}
    )
    assert response.status_code == 404


def test_service_refuses_a_second_take_up_and_a_case_manager(gaps, coordinator, alice):
    with scopes_disabled():
        with pytest.raises(ValidationError):
            take_up_system_gap(coordinator, gaps["language"], note="Nochmals.")
        with pytest.raises(PermissionDenied):
            take_up_system_gap(alice, gaps["waiting"], note="Ich.")
        with pytest.raises(ValidationError) as error:
            take_up_system_gap(coordinator, gaps["waiting"], note="   ")
    assert "note" in error.value.message_dict
