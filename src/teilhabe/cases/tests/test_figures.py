"""Case management's figures for reports, checked against counts made by hand."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone
from django_scopes import scopes_disabled

from teilhabe.cases import figures
from teilhabe.cases.models import Case, CaseConference, LifeArea, PhaseChange, Referral, SystemGap
from teilhabe.cases.tests.factories import (
    make_agency,
    make_case,
    make_contact,
    make_goal,
    make_referral,
)
from teilhabe.network.models import Actor, FieldOfAction
from teilhabe.reporting.registry import Period, demand_providers, get, metrics

pytestmark = pytest.mark.django_db

OCTOBER = Period(2026, 10)
D = datetime.date


def value(name: str, centre, period: Period = OCTOBER) -> int:
    with scopes_disabled():
        return get(name).compute(centre, period)


def _history(case: Case, *steps: tuple[str, datetime.date]) -> None:
    previous = ""
    with scopes_disabled():
        for phase, day in steps:
            PhaseChange.objects.create(
                case=case,
                from_phase=previous,
                to_phase=phase,
                at=timezone.make_aware(datetime.datetime.combine(day, datetime.time(10))),
            )
            previous = phase


@pytest.fixture
def cases(centre, other_centre, alice):
    """Cases around October 2026, each with what it should count as at the end of October."""
    P = Case.Phase
    built = {
        # opened in October, in assessment at its end, in planning now
        "new": make_case(
            centre,
            case_manager=alice,
            opened_on=D(2026, 10, 5),
            assigned_on=D(2026, 10, 6),
            phase=P.PLANNING,
        ),
        # opened before, closed in October
        "closed": make_case(
            centre,
            case_manager=alice,
            opened_on=D(2026, 9, 1),
            assigned_on=D(2026, 9, 1),
            closed_on=D(2026, 10, 15),
            phase=P.CLOSED,
            closing_reason="goals_reached",
        ),
        # open at the end of October in planning, closed in November
        "closed_later": make_case(
            centre,
            case_manager=alice,
            opened_on=D(2026, 8, 1),
            assigned_on=D(2026, 8, 3),
            closed_on=D(2026, 11, 5),
            phase=P.CLOSED,
        ),
        # waiting list: no case manager, no history (counts in its current phase)
        "waiting": make_case(centre, opened_on=D(2026, 10, 25), phase=P.INTAKE),
        # assigned only in November: on the waiting list at the end of October, in intake then
        "assigned_later": make_case(
            centre,
            case_manager=alice,
            opened_on=D(2026, 7, 1),
            assigned_on=D(2026, 11, 3),
            phase=P.ASSESSMENT,
        ),
        # opened after October
        "november": make_case(centre, case_manager=alice, opened_on=D(2026, 11, 2)),
        # another centre's case counts for that centre only
        "foreign": make_case(other_centre, area=None, opened_on=D(2026, 10, 6)),
    }
    _history(
        built["new"],
        (P.INTAKE, D(2026, 10, 5)),
        (P.ASSESSMENT, D(2026, 10, 20)),
        (P.PLANNING, D(2026, 11, 10)),
    )
    _history(built["closed"], (P.INTAKE, D(2026, 9, 1)), (P.CLOSED, D(2026, 10, 15)))
    _history(
        built["closed_later"],
        (P.INTAKE, D(2026, 8, 1)),
        (P.PLANNING, D(2026, 9, 1)),
        (P.CLOSED, D(2026, 11, 5)),
    )
    _history(built["assigned_later"], (P.INTAKE, D(2026, 7, 1)), (P.ASSESSMENT, D(2026, 11, 3)))
    # the last change of October 31, late in the evening, still counts for October
    late = timezone.make_aware(datetime.datetime(2026, 10, 31, 23, 30))
    with scopes_disabled():
        PhaseChange.objects.create(
            case=built["closed_later"], from_phase=P.PLANNING, to_phase=P.IMPLEMENTATION, at=late
        )
    return built


#: What each case was at the end of October (by hand, from the fixture above).
OPEN_AT_END = {
    "new": "assessment",
    "closed_later": "implementation",
    "waiting": "intake",
    "assigned_later": "intake",
}


def test_every_phase_theme_status_and_agency_kind_has_its_metric():
    names = {metric.name for metric in metrics()}
    for phase in Case.Phase:
        if phase != Case.Phase.CLOSED:
            assert f"cases.phase.{phase}" in names
    assert {f"cases.minutes.{area}" for area in LifeArea} <= names
    assert {f"cases.referrals.status.{s}" for s in Referral.Status} <= names
    assert {f"cases.referrals.kind.{k}" for k in Actor.Kind} <= names
    assert get("cases.open").about_people
    assert not get("cases.system_gaps").about_people


def test_case_counts_of_the_month(cases, centre, other_centre):
    assert value("cases.new", centre) == sum(
        1 for k in ("new", "waiting") if cases[k].centre == centre
    )
    assert value("cases.closed", centre) == 1
    assert value("cases.open", centre) == len(OPEN_AT_END)
    assert value("cases.new", other_centre) == 1
    assert value("cases.open", other_centre) == 1


def test_open_cases_by_phase_come_from_the_phase_history(cases, centre):
    for phase in figures.OPEN_PHASES:
        expected = sum(1 for p in OPEN_AT_END.values() if p == phase)
        assert value(f"cases.phase.{phase}", centre) == expected, phase
    total = sum(value(f"cases.phase.{p}", centre) for p in figures.OPEN_PHASES)
    assert total == value("cases.open", centre)


def test_a_closed_case_without_history_counts_in_intake_while_it_was_open(centre, alice):
    make_case(
        centre,
        case_manager=alice,
        opened_on=D(2026, 9, 1),
        closed_on=D(2026, 11, 1),
        phase=Case.Phase.CLOSED,
    )
    assert value("cases.phase.intake", centre) == 1


def test_waiting_list_at_month_end_counts_cases_not_yet_assigned(cases, centre):
    assert value("cases.waiting", centre) == 2  # "waiting" and "assigned_later"
    assert value("cases.waiting", centre, Period(2026, 11)) == 1


def test_contacts_minutes_and_minutes_by_theme(cases, centre):
    made = [
        make_contact(
            cases["new"], date=D(2026, 10, 6), duration=45, themes={"language": 15, "work": 30}
        ),
        make_contact(
            cases["new"], date=D(2026, 10, 31), duration=60, themes={"housing": 40, "work": 10}
        ),
        make_contact(cases["closed"], date=D(2026, 10, 1), duration=30, themes={}),
        make_contact(cases["closed"], date=D(2026, 9, 30), duration=90, themes={"work": 90}),
        make_contact(cases["november"], date=D(2026, 11, 3), duration=20, themes={"language": 20}),
        make_contact(cases["foreign"], date=D(2026, 10, 6), duration=50, themes={"work": 50}),
    ]
    in_october = [
        c for c in made if c.case.centre == centre and OCTOBER.start <= c.date <= OCTOBER.end
    ]

    assert value("cases.contacts", centre) == len(in_october) == 3
    assert value("cases.minutes", centre) == sum(c.duration for c in in_october)
    for area in LifeArea:
        expected = sum(c.themes.get(area, 0) for c in in_october)
        assert value(f"cases.minutes.{area}", centre) == expected, area
    assert value("cases.minutes.work", centre) == 40


def test_referrals_by_status_and_agency_kind(cases, centre):
    jobcentre = make_agency(centre)
    youth = make_agency(centre, "Jugendamt Test", kind=Actor.Kind.YOUTH_OFFICE)
    made = [
        make_referral(cases["new"], jobcentre, sent_on=D(2026, 10, 7)),
        make_referral(cases["new"], youth, sent_on=D(2026, 10, 8), status="accepted"),
        make_referral(cases["closed"], jobcentre, sent_on=D(2026, 10, 2), status="completed"),
        make_referral(cases["closed"], youth, sent_on=D(2026, 9, 28), status="declined"),
    ]
    in_october = [r for r in made if OCTOBER.start <= r.sent_on <= OCTOBER.end]

    for status in Referral.Status:
        expected = sum(1 for r in in_october if r.status == status)
        assert value(f"cases.referrals.status.{status}", centre) == expected, status
    for kind in Actor.Kind:
        expected = sum(1 for r in in_october if r.agency.kind == kind)
        assert value(f"cases.referrals.kind.{kind}", centre) == expected, kind
    assert value("cases.referrals.kind.jobcentre", centre) == 2


def test_conferences_held_and_system_gaps_reported_in_the_month(cases, centre):
    def at(day: datetime.date, hour: int = 10) -> datetime.datetime:
        return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))

    with scopes_disabled():
        for day, held in [
            (D(2026, 10, 1), True),
            (D(2026, 10, 31), True),
            (D(2026, 10, 20), False),
            (D(2026, 9, 30), True),
        ]:
            CaseConference.objects.create(case=cases["new"], date=at(day), held=held)
        for day in (D(2026, 10, 1), D(2026, 10, 30), D(2026, 11, 1)):
            SystemGap.objects.create(
                centre=centre, category="waiting_times", description="Wartezeit", reported_on=day
            )

    assert value("cases.conferences", centre) == 2
    assert value("cases.system_gaps", centre) == 2
    assert value("cases.system_gaps", centre, Period(2026, 11)) == 1


def test_open_cases_are_a_need_of_their_gemeinde_by_field_of_action(cases, centre):
    make_goal(cases["new"], life_area="language")
    make_goal(cases["new"], life_area="work")
    make_goal(cases["assigned_later"], life_area="housing", status="achieved")
    provider = next(p for p in demand_providers() if p.name == "cases.open")

    with scopes_disabled():
        needs = provider.compute(centre)
        town = cases["new"].person.municipality_id

    open_now = [c for c in cases.values() if c.centre == centre and c.phase != "closed"]
    assert needs[(town, FieldOfAction.EDUCATION)] == 1
    assert needs[(town, FieldOfAction.CROSS_CUTTING)] == 1
    # the others have no open goal and count under immigration and refuge
    assert needs[(town, FieldOfAction.MIGRATION)] == len(open_now) - 1
