"""The case list and the case manager's start page read a fixed, small number of queries."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone
from django_scopes import scopes_disabled

from teilhabe.cases.models import Appointment
from teilhabe.cases.tests.factories import (
    make_action,
    make_agency,
    make_case,
    make_person,
    make_referral,
)

pytestmark = pytest.mark.django_db

#: Session, user, memberships and their Bezirke; then the page's ids with the total, its rows
#: (with person, Bezirk and case manager) and the options of the Bezirk, Gemeinde and agency
#: filters.
LIST_QUERIES = 9
#: Session, user, memberships and their Bezirke; the user's cases and the waiting list by
#: phase, overdue steps, appointments, referrals; the Bezirke panel (whether the centre has
#: any) and the roles panel (whether a second factor is set up).
HOME_QUERIES = 10


def _cases(centre, alice, n: int) -> None:
    with scopes_disabled():
        agency = make_agency(centre, "Jobcenter")
        for i in range(n):
            person = make_person(centre, f"Name{i:02d}", "Vorname")
            case = make_case(centre, person=person, case_manager=alice, area="Bezirk Nord")
            make_case(centre, person=make_person(centre, f"Warte{i:02d}"))  # waiting list
            make_action(case, due_on=datetime.date(2020, 1, 1 + i))
            Appointment.objects.create(
                case=case, starts=timezone.now() + datetime.timedelta(days=1 + i)
            )
            make_referral(case, agency)


@pytest.mark.parametrize("n", [2, 20])
def test_case_list_reads_a_page_in_a_fixed_number_of_queries(
    client, alice, centre, n, django_assert_max_num_queries
):
    _cases(centre, alice, n)
    client.force_login(alice)
    url = reverse("cases:case-list")
    client.get(url)  # the session and caches are warm
    with django_assert_max_num_queries(LIST_QUERIES):
        page = client.get(url)
    assert page.content.count(b'<tr class="kern-table__row">') == min(2 * n, 25) + 1
    assert b"Name01, Vorname" in page.content
    assert b"waiting list" in page.content or b"Warteliste" in page.content


@pytest.mark.parametrize("n", [2, 12])
def test_start_page_reads_a_fixed_number_of_queries(
    client, alice, centre, n, django_assert_max_num_queries
):
    _cases(centre, alice, n)
    client.force_login(alice)
    url = reverse("core:home")
    client.get(url)
    with django_assert_max_num_queries(HOME_QUERIES):
        page = client.get(url)
    with scopes_disabled():
        first = alice.cases.order_by("pk").first()
    assert f'href="/faelle/{first.pk}/#help-plan"'.encode() in page.content
    assert f'href="/faelle/{first.pk}/#referrals"'.encode() in page.content
