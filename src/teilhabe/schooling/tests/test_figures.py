"""The schooling figures against counts made by hand."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.utils import timezone
from django_scopes import scopes_disabled

from teilhabe.reporting.registry import Period, get, metrics
from teilhabe.schooling.models import Counselling, Pupil, SchoolForm, Stage

from .factories import make_counselled_pupil, make_pupil, make_school

pytestmark = pytest.mark.django_db
OCTOBER = Period(2026, 10)
D = datetime.date


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(datetime.datetime(2026, 11, 21, 10, tzinfo=datetime.UTC), tick=False):
        yield


def value(name, centre, period=OCTOBER):
    with scopes_disabled():
        return get(name).compute(centre, period)


def _at(day):
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(10)))


@pytest.fixture
def pupils(centre, other_centre):
    """Pupils of October 2026 and around it; the other centre's must never count."""
    primary = make_school(centre, "Grundschule")
    gymnasium = make_school(centre, "Gymnasium", form=SchoolForm.GYMNASIUM)
    p = {}
    # Started in October after 10, 20 and 31 days; placed in September or October.
    for n, (days, school, placed) in enumerate(
        [
            (10, primary, D(2026, 9, 28)),
            (20, primary, D(2026, 10, 5)),
            (31, gymnasium, D(2026, 10, 20)),
        ]
    ):
        p[f"started{n}"] = make_counselled_pupil(
            centre,
            last_name=f"Started{n}",
            status=Pupil.Status.STARTED,
            registration_date=D(2026, 9, 25),
            school=school,
            placed_on=placed,
            school_start=D(2026, 9, 25) + datetime.timedelta(days=days),
            recommended_stage=Stage.SECONDARY_1 if school == gymnasium else Stage.PRIMARY,
            created=_at(D(2026, 9, 26)),
        )
    # Reported in October, still waiting: a 7-year-old (primary), a 12-year-old counselled
    # for Sek I, a 17-year-old (IFK by age).
    p["young"] = make_pupil(
        centre,
        last_name="Young",
        birth_date=D(2019, 3, 1),
        registration_date=D(2026, 10, 2),
        created=_at(D(2026, 10, 3)),
    )
    p["middle"] = make_counselled_pupil(
        centre,
        last_name="Middle",
        birth_date=D(2014, 5, 1),
        registration_date=D(2026, 10, 10),
        recommended_stage=Stage.SECONDARY_1,
        recommended_forms=[SchoolForm.GYMNASIUM],
        created=_at(D(2026, 10, 11)),
    )
    p["old"] = make_pupil(
        centre,
        last_name="Old",
        birth_date=D(2009, 6, 1),
        registration_date=D(2026, 10, 20),
        created=_at(D(2026, 10, 21)),
    )
    # Placed in October, starts in November: waiting at month end? No: has a place.
    p["placed"] = make_counselled_pupil(
        centre,
        last_name="Placed",
        status=Pupil.Status.PLACED,
        registration_date=D(2026, 10, 1),
        school=primary,
        placed_on=D(2026, 10, 30),
        school_start=D(2026, 11, 3),
        created=_at(D(2026, 10, 1)),
    )
    # Registered in November, moved away, and another centre's pupil: never in October.
    make_pupil(
        centre, last_name="Later", registration_date=D(2026, 11, 2), created=_at(D(2026, 11, 2))
    )
    make_pupil(
        centre,
        last_name="Gone",
        status=Pupil.Status.MOVED_AWAY,
        registration_date=D(2026, 10, 1),
        created=_at(D(2026, 10, 1)),
    )
    make_pupil(
        other_centre,
        last_name="Elsewhere",
        registration_date=D(2026, 10, 1),
        created=_at(D(2026, 10, 1)),
    )
    with scopes_disabled():
        Counselling.objects.create(pupil=p["middle"], starts=_at(D(2026, 10, 15)), held=True)
        Counselling.objects.create(pupil=p["middle"], starts=_at(D(2026, 10, 16)), held=True)
        Counselling.objects.create(pupil=p["young"], starts=_at(D(2026, 10, 17)), held=False)
        Counselling.objects.create(pupil=p["placed"], starts=_at(D(2026, 9, 30)), held=True)
    return p


def test_flow_figures_count_the_month(centre, pupils):
    assert value("schooling.reported", centre) == 5  # young, middle, old, placed, gone
    assert value("schooling.counselled", centre) == 1  # middle, counted once
    assert value("schooling.placed", centre) == 3  # started1, started2, placed
    assert value("schooling.started", centre) == 3


def test_waiting_at_month_end_by_stage_and_age_band(centre, pupils):
    # Waiting at the end of October: young, middle, old (not gone, not placed, not the later one).
    assert value("schooling.waiting", centre) == 3
    stages = {s.value: value(f"schooling.waiting.stage.{s.value}", centre) for s in Stage}
    assert stages == {"primary": 1, "sek1": 1, "sek2": 0, "ifk": 1}
    assert value("schooling.waiting.age.primary", centre) == 1
    assert value("schooling.waiting.age.sek1", centre) == 1
    assert value("schooling.waiting.age.sek2", centre) == 1
    # At the end of September two of those who started in October still waited.
    assert value("schooling.waiting", centre, Period(2026, 9)) == 2  # started0 was placed 28.9.


def test_waiting_days_of_pupils_who_started(centre, pupils):
    assert value("schooling.waiting_days.median", centre) == 20
    assert value("schooling.waiting_days.p90", centre) == 31
    assert value("schooling.waiting_days.median", centre, Period(2026, 8)) == 0


def test_placements_per_school_form(centre, pupils):
    assert value(f"schooling.placed.form.{SchoolForm.PRIMARY}", centre) == 2
    assert value(f"schooling.placed.form.{SchoolForm.GYMNASIUM}", centre) == 1
    assert value(f"schooling.placed.form.{SchoolForm.REALSCHULE}", centre) == 0


def test_every_schooling_metric_is_registered_with_a_group():
    names = {m.name for m in metrics() if m.name.startswith("schooling.")}
    assert {
        "schooling.reported",
        "schooling.waiting.stage.ifk",
        "schooling.waiting.age.sek2",
    } <= names
    assert all(str(get(name).group) for name in names)


def test_a_pupil_who_moved_away_waited_until_the_record_ended(centre):
    with scopes_disabled():
        make_pupil(
            centre,
            "Weg",
            "Zug",
            registration_date=D(2026, 9, 1),
            status=Pupil.Status.MOVED_AWAY,
            ended_on=D(2026, 11, 5),
        )
        make_pupil(centre, "Alt", "Ende", registration_date=D(2026, 9, 1), status="other")
    assert value("schooling.waiting", centre, Period(2026, 10)) == 1
    assert value("schooling.waiting", centre, Period(2026, 11)) == 0


def test_waiting_pupils_are_demand_in_education_per_gemeinde(centre):
    """The supply-and-demand view counts waiting pupils as need where they live."""
    from teilhabe.reporting.registry import demand_providers

    with scopes_disabled():
        towns = list(centre.municipalities().order_by("ags")[:2])
        make_pupil(centre, "Waiting", municipality=towns[0])
        make_pupil(centre, "Also", municipality=towns[0], status=Pupil.Status.COUNSELLED)
        make_pupil(centre, "Elsewhere", municipality=towns[1])
        make_pupil(
            centre,
            "Placed",
            municipality=towns[1],
            status=Pupil.Status.PLACED,
            placed_on=D(2026, 11, 2),
        )
        provider = next(p for p in demand_providers() if p.name == "schooling.waiting")
        assert provider.compute(centre) == {
            (towns[0].pk, "education"): 2,
            (towns[1].pk, "education"): 1,
        }
