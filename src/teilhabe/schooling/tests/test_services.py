"""The rules of the Seiteneinsteigerberatung, through the services."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone
from django_scopes import scopes_disabled

from teilhabe.core.tests.factories import make_member
from teilhabe.schooling import services
from teilhabe.schooling.models import Pupil, SchoolForm, Stage

from .factories import make_capacity, make_counselled_pupil, make_pupil, make_school

pytestmark = pytest.mark.django_db
D = datetime.date


@pytest.fixture
def sina(centre):
    return make_member("sina@example.org", "newcomer_counsellor", centre)


@pytest.mark.parametrize(
    ("born", "schooling", "grade"),
    [
        (D(2020, 9, 30), None, 1),  # six on 30 September: grade 1
        (D(2020, 10, 1), None, 1),  # six a day later: still grade 1 at the lowest
        (D(2017, 10, 1), None, 3),  # eight on the cut-off day
        (D(2012, 5, 1), 8, 9),  # fourteen with all eight years of schooling
        (D(2012, 5, 1), 2, 7),  # fourteen with two years: two grades lower at most
    ],
)
def test_proposed_grade_is_age_minus_six_by_the_cut_off_adjusted_by_schooling(
    born, schooling, grade
):
    assert services.default_grade(born, years_of_schooling=schooling, on=D(2026, 11, 21)) == grade


def test_from_sixteen_the_stage_is_the_international_class():
    assert services.default_stage(10, 16) == Stage.IFK
    assert services.default_stage(3, 8) == Stage.PRIMARY
    assert services.default_stage(7, 13) == Stage.SECONDARY_1


def test_ending_a_record_needs_a_reason_and_keeps_the_day(sina, centre):
    with scopes_disabled():
        pupil = make_pupil(centre)
        with pytest.raises(ValidationError):
            services.set_status(sina, pupil, status=Pupil.Status.MOVED_AWAY)
        pupil = services.set_status(sina, pupil, status=Pupil.Status.MOVED_AWAY, note="Umzug")
        assert pupil.ended_on == timezone.localdate() and pupil.days_waiting() is None
        with pytest.raises(ValidationError):
            services.set_status(sina, pupil, status=Pupil.Status.INVITED)


def test_placing_needs_a_fitting_school_with_a_free_place(sina, centre):
    with scopes_disabled():
        primary = make_school(centre)
        secondary = make_school(centre, form=SchoolForm.GYMNASIUM)
        make_capacity(primary, 1)
        first, second = make_counselled_pupil(centre), make_counselled_pupil(centre, last_name="B")
        with pytest.raises(ValidationError):
            services.place_pupil(sina, first, school=secondary, placed_on=D(2026, 11, 2))
        services.place_pupil(sina, first, school=primary, placed_on=D(2026, 11, 2))
        with pytest.raises(ValidationError):
            services.place_pupil(sina, second, school=primary, placed_on=D(2026, 11, 2))
        assert services.free_places(primary, Stage.PRIMARY, 2026) == 0


def test_a_reported_pupil_with_the_same_name_and_birthday_is_a_possible_duplicate(sina, centre):
    with scopes_disabled():
        make_pupil(centre, "Karimi", "Amir", birth_date=D(2018, 5, 1))
        town = centre.municipalities().order_by("ags").first()
        data = {
            "last_name": "Karimy",
            "first_name": "Amir",
            "birth_date": D(2018, 5, 1),
            "registration_date": D(2026, 10, 1),
            "municipality": town,
        }
        with pytest.raises(services.PossibleDuplicate):
            services.report_pupil(sina, centre, **data)
        assert services.report_pupil(sina, centre, confirmed_new=True, **data).pk
