"""The figures registry: apps register, reporting shows, small cells are suppressed."""

import datetime

import pytest
import time_machine
from django.urls import reverse
from django_scopes import scopes_disabled

from teilhabe.core.tests.factories import make_member
from teilhabe.network.tests.factories import make_group, make_meeting
from teilhabe.offers.tests.factories import make_offer
from teilhabe.reporting.registry import Period, get, metrics, suppress

pytestmark = pytest.mark.django_db


def test_period_knows_its_days():
    assert Period(2026, 2).end == datetime.date(2026, 2, 28)
    assert Period(2026, 12).end == datetime.date(2026, 12, 31)
    assert Period(2026, 1).previous() == Period(2025, 12)


def test_apps_register_their_figures():
    names = {m.name for m in metrics()}
    assert {"network.actors", "network.meetings", "offers.published", "offers.stale"} <= names


def test_small_counts_about_people_are_suppressed():
    people = type(get("offers.new"))("x", "x", "", lambda c, p: 0, about_people=True)
    assert suppress(3, people) == "< 5"
    assert suppress(0, people) == 0
    assert suppress(7, people) == 7
    assert suppress(3, get("offers.new")) == 3  # not about people


def test_figures_count_one_centre_and_one_month(centre, other_centre):
    with time_machine.travel(datetime.datetime(2026, 10, 15, 12)):
        make_offer(centre)
        make_offer(centre, status="draft")
        make_offer(other_centre)
        group = make_group(centre)
        make_meeting(group, date=datetime.date(2026, 10, 2))
        make_meeting(group, date=datetime.date(2026, 11, 2))
    with scopes_disabled():
        october = Period(2026, 10)
        assert get("offers.published").compute(centre, october) == 1
        assert get("offers.new").compute(centre, october) == 2
        assert get("offers.new").compute(centre, Period(2026, 9)) == 0
        assert get("network.meetings").compute(centre, october) == 1


def test_centre_figures_page_shows_six_months(client, centre):
    leader = make_member("leitung@example.org", "leadership", centre)
    make_offer(centre)
    client.force_login(leader)
    response = client.get(reverse("reporting:centre-figures"))
    assert response.status_code == 200
    assert len(response.context["periods"]) == 6
    labels = [str(m.label) for _group, rows in response.context["tables"] for m, _v in rows]
    assert len(labels) == len(metrics())


def test_statewide_figures_sum_every_centre(client, centre, other_centre, laki_user):
    make_offer(centre)
    make_offer(other_centre)
    client.force_login(laki_user)
    response = client.get(reverse("reporting:statewide-figures"), {"bereich": "offers"})
    assert response.status_code == 200
    index = [m.name for m in response.context["metrics"]].index("offers.published")
    assert response.context["totals"][index] == 2
    assert b"alice@" not in response.content
