"""Schools, their places, the places overview and the waiting times."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django_scopes import scope, scopes_disabled

from teilhabe.core import start
from teilhabe.core.tests.factories import make_member
from teilhabe.network.tests.factories import make_actor
from teilhabe.schooling import schools as service
from teilhabe.schooling.models import Capacity, Pupil, School, SchoolForm, Stage

from .factories import (
    make_capacity,
    make_counselled_pupil,
    make_pupil,
    make_school,
    make_school_partner,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(datetime.datetime(2026, 11, 21, 10, tzinfo=datetime.UTC), tick=False):
        yield


@pytest.fixture
def sina(centre):
    return make_member("sina@example.org", "newcomer_counsellor", centre)


def _placed(centre, school, placed_on=datetime.date(2026, 9, 1), **fields):
    return make_counselled_pupil(
        centre,
        status=Pupil.Status.PLACED,
        school=school,
        placed_on=placed_on,
        **fields,
    )


def _town(centre, name):
    with scopes_disabled():
        return centre.municipalities().get(name=name)


# --- Services -------------------------------------------------------------------------------


def test_save_school_takes_the_gemeindes_coordinates(sina, centre):
    town = _town(centre, "Dülmen")
    with scopes_disabled():
        school = service.save_school(
            sina,
            centre,
            number="123456",
            name="Grundschule am Markt Dülmen",
            form=SchoolForm.PRIMARY,
            municipality=town,
            lowest_grade=1,
            highest_grade=4,
            initial_support=["integrated"],
        )
    assert school.latitude == town.latitude
    assert school.centre == centre


@pytest.mark.parametrize(
    ("fields", "error"),
    [
        ({"number": "12345"}, "number"),
        ({"lowest_grade": 5, "highest_grade": 10}, "lowest_grade"),
        ({"lowest_grade": 4, "highest_grade": 2}, "highest_grade"),
    ],
)
def test_save_school_refuses_a_wrong_number_or_grades(sina, centre, fields, error):
    data = {
        "number": "123456",
        "name": "Grundschule",
        "form": SchoolForm.PRIMARY,
        "municipality": _town(centre, "Olfen"),
        "lowest_grade": 1,
        "highest_grade": 4,
    } | fields
    with scopes_disabled(), pytest.raises(ValidationError) as caught:
        service.save_school(sina, centre, **data)
    assert error in caught.value.message_dict


def test_save_school_refuses_a_gemeinde_of_another_district(sina, centre, other_centre):
    with scopes_disabled(), pytest.raises(ValidationError) as caught:
        service.save_school(
            sina,
            centre,
            number="123456",
            name="Schule",
            form=SchoolForm.PRIMARY,
            municipality=other_centre.municipalities().first(),
            lowest_grade=1,
            highest_grade=4,
        )
    assert "municipality" in caught.value.message_dict


def test_save_school_links_only_a_school_actor(sina, centre):
    welfare = make_actor(centre, "Caritas")
    with scopes_disabled(), pytest.raises(ValidationError) as caught:
        service.save_school(
            sina,
            centre,
            number="123456",
            name="Schule",
            form=SchoolForm.PRIMARY,
            municipality=_town(centre, "Olfen"),
            lowest_grade=1,
            highest_grade=4,
            actor=welfare,
        )
    assert "actor" in caught.value.message_dict


def test_other_staff_may_not_save_a_school(centre, dana):
    with scopes_disabled(), pytest.raises(PermissionDenied):
        service.save_school(dana, centre, number="123456", name="Schule")


def test_places_cannot_go_below_the_placed_pupils(sina, centre):
    school = make_school(centre)
    make_capacity(school, places=3)
    _placed(centre, school)
    _placed(centre, school, last_name="Haddad")
    with scopes_disabled():
        with pytest.raises(ValidationError) as caught:
            service.set_capacity(sina, school, school_year=2026, stage=Stage.PRIMARY, places=1)
        assert "2" in caught.value.messages[0]
        capacity = service.set_capacity(
            sina, school, school_year=2026, stage=Stage.PRIMARY, places=2
        )
    assert capacity.places == 2
    assert capacity.updated_by == sina


def test_places_only_for_a_stage_the_school_teaches(sina, centre):
    school = make_school(centre)
    with scopes_disabled(), pytest.raises(ValidationError):
        service.set_capacity(sina, school, school_year=2026, stage=Stage.IFK, places=5)


def test_set_capacities_saves_all_or_nothing(sina, centre):
    school = make_school(centre, form=SchoolForm.FOERDERSCHULE, lowest_grade=1, highest_grade=10)
    make_capacity(school, places=2)
    _placed(centre, school)
    _placed(centre, school, last_name="Haddad")
    with scopes_disabled():
        with pytest.raises(ValidationError) as caught:
            service.set_capacities(
                sina, school, {(2026, Stage.SECONDARY_1): 9, (2026, Stage.PRIMARY): 0}
            )
        assert list(caught.value.message_dict) == ["2026:primary"]
        assert not Capacity.objects.filter(stage=Stage.SECONDARY_1).exists()


def test_partner_of_the_school_keeps_its_places_only(centre):
    school = make_school(centre)
    other = make_school(centre, "Andere Schule")
    partner = make_school_partner(centre, "schule@example.org", school=school)
    with scopes_disabled():
        service.set_capacity(partner, school, school_year=2026, stage=Stage.PRIMARY, places=4)
        with pytest.raises(PermissionDenied):
            service.set_capacity(partner, other, school_year=2026, stage=Stage.PRIMARY, places=4)


def test_schulamt_partner_keeps_every_school_of_the_centre(centre):
    school = make_school(centre)
    partner = make_school_partner(centre, "schulamt@example.org", kind="school_authority")
    with scopes_disabled():
        service.set_capacity(partner, school, school_year=2026, stage=Stage.PRIMARY, places=4)
        assert [s.pk for s in service.kept_by_partner(partner)] == [school.pk]


def test_waiting_times_per_month(centre):
    # Started in October: waited 5, 10 and 20 days; one more started on 10 November.
    for n, days in enumerate([5, 10, 20, 40]):
        make_pupil(
            centre,
            last_name=f"P{n}",
            status=Pupil.Status.STARTED,
            registration_date=datetime.date(2026, 10, 1),
            placed_on=datetime.date(2026, 10, 1) + datetime.timedelta(days=days - 1),
            school_start=datetime.date(2026, 10, 1) + datetime.timedelta(days=days),
        )
    make_pupil(centre, last_name="Wartend", registration_date=datetime.date(2026, 9, 15))
    make_pupil(
        centre,
        last_name="Verzogen",
        status=Pupil.Status.MOVED_AWAY,
        registration_date=datetime.date(2026, 9, 15),
    )
    with scopes_disabled():
        months = service.waiting_times(centre)
    assert len(months) == 12
    assert months[-1].month == datetime.date(2026, 11, 1)
    october = months[-2]
    assert (october.started, october.median, october.p90) == (3, 10, 20)
    # At the end of October: the waiting pupil and the one placed on 9 November.
    assert october.waiting == 2
    assert months[-3].waiting == 1  # end of September: the one who moved away is left out
    assert (months[-1].started, months[-1].median, months[-1].waiting) == (1, 40, 1)


def test_percentile_and_median_of_whole_days():
    assert service.median([1, 2, 3, 4]) == 3
    assert service.median([]) is None
    assert service.percentile(list(range(1, 11)), 0.9) == 9
    assert service.percentile([7], 0.9) == 7


# --- Views ----------------------------------------------------------------------------------


def test_school_list_shows_places_placed_and_free(client, sina, centre):
    school = make_school(centre, "Grundschule am Markt")
    make_capacity(school, places=5)
    _placed(centre, school)
    make_school(centre, "Gymnasium", form=SchoolForm.GYMNASIUM)
    client.force_login(sina)
    response = client.get(reverse("schooling:school-list"))
    assert response.status_code == 200
    row = next(r for r in response.context["rows"] if r["school"] == school)
    assert (row["places"], row["taken"], row["free"]) == (5, 1, 4)
    response = client.get(reverse("schooling:school-list"), {"form": SchoolForm.GYMNASIUM})
    assert [r["school"].name for r in response.context["rows"]] == ["Gymnasium"]
    response = client.get(reverse("schooling:school-list"), {"free_stage": Stage.PRIMARY})
    assert [r["school"].name for r in response.context["rows"]] == ["Grundschule am Markt"]


def test_school_list_counts_occupancy_in_a_fixed_number_of_queries(
    client, sina, centre, django_assert_max_num_queries
):
    for n in range(12):
        make_capacity(make_school(centre, f"Schule {n:02d}"), places=3)
    client.force_login(sina)
    with django_assert_max_num_queries(20):
        client.get(reverse("schooling:school-list"))


def test_school_detail_shows_counts_but_no_pupil_names(client, centre):
    school = make_school(centre)
    make_capacity(school, places=4)
    _placed(centre, school, last_name="Geheimname")
    partner = make_school_partner(centre, "schule@example.org", school=school)
    client.force_login(partner)
    response = client.get(reverse("schooling:school-detail", args=[school.pk]))
    assert response.status_code == 200
    assert response.context["placed_now"] == 1
    assert "Geheimname" not in response.content.decode()


def test_school_create_through_the_form(client, sina, centre):
    client.force_login(sina)
    town = _town(centre, "Senden")
    response = client.post(
        reverse("schooling:school-create"),
        {
            "number": "654321",
            "name": "Gesamtschule Senden",
            "form": SchoolForm.GESAMTSCHULE,
            "municipality": town.pk,
            "lowest_grade": 5,
            "highest_grade": 13,
            "initial_support": ["partly", "separate"],
        },
    )
    with scopes_disabled():
        school = School.objects.get(number="654321")
    assert response.status_code == 302
    assert school.initial_support == ["partly", "separate"]
    assert school.latitude == town.latitude


def test_school_form_shows_the_grade_refusal(client, sina, centre):
    client.force_login(sina)
    response = client.post(
        reverse("schooling:school-create"),
        {
            "number": "654321",
            "name": "Grundschule",
            "form": SchoolForm.PRIMARY,
            "municipality": _town(centre, "Senden").pk,
            "lowest_grade": 1,
            "highest_grade": 10,
        },
    )
    assert response.status_code == 200
    assert response.context["form"].errors["lowest_grade"]


def test_capacity_form_refuses_places_below_placed(client, sina, centre):
    school = make_school(centre)
    make_capacity(school, places=2)
    _placed(centre, school)
    _placed(centre, school, last_name="Haddad")
    client.force_login(sina)
    url = reverse("schooling:capacity-update", args=[school.pk])
    response = client.post(url, {"places_2026_primary": 1, "places_2027_primary": 6})
    assert response.status_code == 200
    assert response.context["form"].errors["places_2026_primary"]
    with scopes_disabled():
        assert not Capacity.objects.filter(school_year=2027).exists()
    response = client.post(url, {"places_2026_primary": 2, "places_2027_primary": 6})
    assert response.status_code == 302
    with scopes_disabled():
        assert Capacity.objects.get(school_year=2027).places == 6


def test_partner_sets_places_of_their_school_only(client, centre, other_centre):
    school = make_school(centre)
    partner = make_school_partner(centre, "schule@example.org", school=school)
    other_partner = make_school_partner(centre, "andere@example.org", school=make_school(centre))
    foreign = make_school(other_centre)
    url = reverse("schooling:capacity-update", args=[school.pk])
    client.force_login(partner)
    response = client.post(url, {"places_2026_primary": 3, "places_2027_primary": 0})
    assert response.status_code == 302
    assert client.get(reverse("schooling:capacity-update", args=[foreign.pk])).status_code == 404
    client.force_login(other_partner)
    assert client.get(url).status_code == 403


def test_partner_start_panel_lists_the_schools_they_keep(centre, partner_user):
    school = make_school(centre, "Grundschule am Park")
    make_capacity(school, places=6)
    partner = make_school_partner(centre, "schule@example.org", school=school)
    with scope(centre=[centre.pk]):
        panels = dict(start.panels_for(partner))
        assert panels["schooling/school_start_panel.html"]["schools"] == [(school, 6)]
        assert dict(start.panels_for(partner_user))["schooling/school_start_panel.html"] == {}


def test_home_page_of_a_school_partner_links_to_the_places(client, centre):
    school = make_school(centre, "Grundschule am Park")
    client.force_login(make_school_partner(centre, "schule@example.org", school=school))
    response = client.get(reverse("core:home"))
    assert reverse("schooling:capacity-update", args=[school.pk]) in response.content.decode()


def test_capacity_overview_draws_an_svg_map_and_totals(client, sina, centre):
    school = make_school(centre, "Grundschule am Markt")
    make_capacity(school, places=5)
    make_capacity(
        make_school(centre, "Realschule", form=SchoolForm.REALSCHULE), 8, Stage.SECONDARY_1
    )
    _placed(centre, school)
    client.force_login(sina)
    response = client.get(reverse("schooling:capacity-overview"))
    content = response.content.decode()
    assert response.status_code == 200
    assert "<svg" in content and "<title" in content
    assert "Coesfeld" in content  # a Gemeinde on the map
    totals = {b.stage: (b.places, b.taken, b.free) for b in response.context["totals"]}
    assert totals == {Stage.PRIMARY: (5, 1, 4), Stage.SECONDARY_1: (8, 0, 8)}


def test_waiting_times_page_has_table_and_chart_data(client, sina, centre):
    make_pupil(centre, registration_date=datetime.date(2026, 10, 1))
    client.force_login(sina)
    response = client.get(reverse("schooling:waiting-times"))
    content = response.content.decode()
    assert response.status_code == 200
    assert 'id="waiting-data"' in content
    assert "schooling/waiting-chart.js" in content
    assert len(response.context["months"]) == 12
