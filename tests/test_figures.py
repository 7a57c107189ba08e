"""The figures registry: apps register, reporting shows, small cells are suppressed.

Stored monthly figures (``teilhabe figures``) with data of the apps: the stored values are
what the metrics count, when they are computed again, and the pages that read them.
"""

import datetime

import pytest
import time_machine
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from django_scopes import scopes_disabled

from teilhabe.cases.tests.factories import make_case, make_contact, make_person
from teilhabe.core.tests.factories import make_member
from teilhabe.network.tests.factories import make_group, make_meeting
from teilhabe.offers.tests.factories import make_offer
from teilhabe.reporting import services
from teilhabe.reporting.models import FigureValue
from teilhabe.reporting.registry import Period, get, groups, metrics, suppress
from teilhabe.reporting.services import compute_figures

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


# --- Stored monthly figures ---------------------------------------------------------------

OCTOBER = Period(2026, 10)


def at(*args: int) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime(*args))


def stored(centre, name: str, period: Period = OCTOBER) -> FigureValue:
    return FigureValue.objects.get(centre=centre, metric=name, year=period.year, month=period.month)


def _open_cases(centre, count: int, day: datetime.date) -> None:
    for i in range(count):
        case = make_case(centre, person=make_person(centre, last_name=f"Name{i}"), opened_on=day)
        make_contact(case, date=day)


@pytest.fixture
def october(centre, other_centre):
    """Cases, contacts and offers of October 2026 in two centres."""
    with time_machine.travel(at(2026, 10, 15, 12), tick=False):
        _open_cases(centre, 7, datetime.date(2026, 10, 6))
        _open_cases(other_centre, 2, datetime.date(2026, 10, 8))
        make_offer(centre)
        make_offer(centre)
        make_offer(centre, status="draft")
        make_offer(other_centre)


def test_stored_values_equal_what_the_metrics_compute(october, centre, other_centre):
    with time_machine.travel(at(2026, 11, 3, 2, 30), tick=False):
        run = compute_figures(OCTOBER)
    assert run.computed == 2 * len(metrics()) and run.kept == 0
    assert stored(centre, "cases.new").value == 7
    assert stored(centre, "cases.contacts").value == 7
    assert stored(other_centre, "cases.new").value == 2
    assert stored(centre, "offers.published").value == 2
    assert stored(centre, "offers.new").value == 3
    assert stored(other_centre, "offers.published").value == 1
    with scopes_disabled():
        for c in (centre, other_centre):
            for metric in metrics():
                assert stored(c, metric.name).value == metric.compute(c, OCTOBER), metric.name


def test_a_second_run_for_a_closed_month_changes_nothing(october, centre):
    with time_machine.travel(at(2026, 11, 3, 2, 30), tick=False):
        call_command("figures", month="2026-10", stdout=None)
    before = list(FigureValue.objects.order_by("pk").values_list("value", "computed_at"))
    # A case entered late for October: the final October figures stay as they were.
    _open_cases(centre, 1, datetime.date(2026, 10, 20))
    with time_machine.travel(at(2026, 11, 20, 2, 30), tick=False):
        run = compute_figures(OCTOBER)
        call_command("figures", month="2026-10")
    assert run.computed == 0 and run.kept == len(before)
    after = list(FigureValue.objects.order_by("pk").values_list("value", "computed_at"))
    assert after == before
    # Only an explicit recomputation changes them.
    with time_machine.travel(at(2026, 11, 20, 3), tick=False):
        call_command("figures", month="2026-10", centre=centre.slug, recompute=True)
    assert stored(centre, "cases.new").value == 8
    assert stored(centre, "cases.new").computed_at == at(2026, 11, 20, 3)


def test_the_running_month_is_computed_again_when_older_than_the_max_age(october, centre, settings):
    settings.FIGURES_MAX_AGE_MINUTES = 60
    with time_machine.travel(at(2026, 10, 20, 10), tick=False):
        compute_figures(OCTOBER, [centre])
        _open_cases(centre, 1, datetime.date(2026, 10, 20))
    with time_machine.travel(at(2026, 10, 20, 10, 30), tick=False):
        assert compute_figures(OCTOBER, [centre]).computed == 0
    assert stored(centre, "cases.new").value == 7
    with time_machine.travel(at(2026, 10, 20, 11, 1), tick=False):
        assert compute_figures(OCTOBER, [centre]).computed == len(metrics())
    assert stored(centre, "cases.new").value == 8


def test_the_first_run_after_the_month_makes_its_figures_final(october, centre):
    with time_machine.travel(at(2026, 10, 31, 23), tick=False):
        call_command("figures", centre=centre.slug)  # September and October
    _open_cases(centre, 1, datetime.date(2026, 10, 31))
    with time_machine.travel(at(2026, 11, 1, 2, 30), tick=False):
        call_command("figures", centre=centre.slug)  # October and November
    final = stored(centre, "cases.new")
    assert final.value == 8 and final.computed_at == at(2026, 11, 1, 2, 30)
    assert FigureValue.objects.filter(year=2026, month=11).count() == len(metrics())
    assert FigureValue.objects.filter(year=2026, month=9).count() == len(metrics())


# --- pages ---------------------------------------------------------------------------------


def test_statewide_page_shows_stored_values_of_one_area(client, october, centre, laki_user):
    with time_machine.travel(at(2026, 11, 3, 2, 30), tick=False):
        compute_figures(OCTOBER)
    FigureValue.objects.filter(centre=centre, metric="offers.published").update(value=40)
    client.force_login(laki_user)
    response = client.get(
        reverse("reporting:statewide-figures"), {"monat": "2026-10", "bereich": "offers"}
    )
    assert response.status_code == 200
    names = [m.name for m in response.context["metrics"]]
    assert all(name.startswith("offers.") for name in names)
    assert response.context["totals"][names.index("offers.published")] == 41
    assert response.context["figures"].final
    assert response.context["running_note"] == ""  # October is over


def test_statewide_page_suppresses_small_counts_about_people(
    client, october, centre, other_centre, laki_user
):
    client.force_login(laki_user)
    response = client.get(
        reverse("reporting:statewide-figures"),
        {"monat": "2026-10", "bereich": "case-management"},
    )
    names = [m.name for m in response.context["metrics"]]
    rows = dict(response.context["table"])
    new = names.index("cases.new")
    assert rows[centre][new] == 7
    assert rows[other_centre][new] == "< 5"
    assert response.context["totals"][new] == 9
    assert "&lt; 5" in response.content.decode()
    # Computed on demand for the area shown only, and stored.
    assert FigureValue.objects.filter(metric="cases.new").count() == 2
    assert not FigureValue.objects.filter(metric__startswith="offers.").exists()


def test_statewide_page_names_values_not_yet_computed(client, october, laki_user, monkeypatch):
    monkeypatch.setattr(services, "ON_DEMAND_SECONDS", 0)
    client.force_login(laki_user)
    response = client.get(
        reverse("reporting:statewide-figures"), {"monat": "2026-10", "bereich": "offers"}
    )
    page = response.content.decode()
    assert response.context["figures"].missing == 2 * len(groups()[2].metrics)
    assert "teilhabe figures --month 2026-10" in page
    assert set(response.context["totals"]) == {None}


def test_statewide_page_is_for_laki_only(client, centre, laki_user):
    leader = make_member("leitung@example.org", "leadership", centre)
    client.force_login(leader)
    assert client.get(reverse("reporting:statewide-figures")).status_code == 403
    client.force_login(laki_user)
    assert client.get(reverse("reporting:statewide-figures")).status_code == 200
    assert client.get(reverse("reporting:centre-figures")).status_code == 403


def test_centre_page_shows_one_table_per_area(client, october, centre):
    leader = make_member("leitung@example.org", "leadership", centre)
    client.force_login(leader)
    with time_machine.travel(at(2026, 11, 3, 9), tick=False):
        response = client.get(reverse("reporting:centre-figures"))
    assert response.status_code == 200
    tables = response.context["tables"]
    assert [g.key for g, _rows in tables] == [g.key for g in groups()]
    cases = next(rows for g, rows in tables if g.key == "case-management")
    new = next(values for metric, values in cases if metric.name == "cases.new")
    assert new[-2:] == [7, 0]  # October, November; the centre sees its own small counts too
    assert get("cases.new").about_people


def test_statewide_totals_do_not_add_up_medians(client, centre, other_centre, laki_user):
    """A median or percentile per centre has no sum; counts of the same area do."""
    from teilhabe.reporting.registry import get
    from teilhabe.reporting.views import NOT_ADDED

    assert get("schooling.waiting_days.median").additive is False
    assert get("schooling.reported").additive is True
    client.force_login(laki_user)
    response = client.get(reverse("reporting:statewide-figures"), {"bereich": "newcomer-pupils"})
    names = [m.name for m in response.context["metrics"]]
    totals = dict(zip(names, response.context["totals"], strict=True))
    assert totals["schooling.waiting_days.median"] == NOT_ADDED
    assert totals["schooling.waiting_days.p90"] == NOT_ADDED
    assert totals["schooling.reported"] == 0
    assert "Median oder Perzentil" in response.content.decode()
