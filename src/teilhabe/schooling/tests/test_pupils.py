"""The pupil record: list, report, status steps, counselling, edit, Art. 15 export."""

from __future__ import annotations

import datetime
import json

import pytest
from django.urls import reverse
from django.utils import timezone
from django_scopes import scopes_disabled

from teilhabe.core.models import AccessLog
from teilhabe.core.tests.factories import make_member
from teilhabe.schooling import services
from teilhabe.schooling.models import (
    Counselling,
    Guardian,
    Letter,
    Proposal,
    ProposalItem,
    Pupil,
    SchoolForm,
    Stage,
)
from teilhabe.schooling.tests.factories import make_pupil, make_school

pytestmark = pytest.mark.django_db

LIST = reverse("schooling:pupil-list")
TODAY = datetime.date(2026, 11, 21)


@pytest.fixture(autouse=True)
def _today(time_machine):
    time_machine.move_to(datetime.datetime(2026, 11, 21, 10, tzinfo=datetime.UTC), tick=False)


@pytest.fixture
def sina(centre):
    return make_member("sina@example.org", "newcomer_counsellor", centre)


@pytest.fixture
def client(client, sina):
    """Sina's browser, asking for English pages (msgids) whatever the catalogue holds."""
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    client.force_login(sina)
    return client


def town(centre, name):
    with scopes_disabled():
        return centre.municipalities().get(name=name)


def reload(pupil: Pupil) -> Pupil:
    with scopes_disabled():
        return Pupil.objects.get(pk=pupil.pk)


def listed(response) -> list[Pupil]:
    return list(response.context["object_list"])


# --- The list -------------------------------------------------------------------------------


def test_waiting_list_is_the_default_and_the_status_filter_shows_others(client, centre):
    waiting = make_pupil(centre, "Alpha", "Ada")
    started = make_pupil(
        centre, "Beta", "Ben", status=Pupil.Status.STARTED, school_start=datetime.date(2026, 11, 1)
    )
    moved = make_pupil(centre, "Gamma", "Gil", status=Pupil.Status.MOVED_AWAY)
    assert listed(client.get(LIST)) == [waiting]
    assert set(listed(client.get(LIST, {"status": "all"}))) == {waiting, started, moved}
    assert listed(client.get(LIST, {"status": "started"})) == [started]


def test_list_filters_by_gemeinde_stage_and_language(client, centre):
    coesfeld = make_pupil(centre, "Alpha", "Ada", family_languages="Arabisch, Kurdisch")
    duelmen = make_pupil(
        centre,
        "Beta",
        "Ben",
        municipality=town(centre, "Dülmen"),
        recommended_stage=Stage.SECONDARY_1,
        family_languages="Ukrainisch",
    )
    assert listed(client.get(LIST, {"municipality": town(centre, "Dülmen").pk})) == [duelmen]
    assert listed(client.get(LIST, {"stage": Stage.SECONDARY_1})) == [duelmen]
    assert listed(client.get(LIST, {"language": "kurd"})) == [coesfeld]


def test_list_sorts_by_days_waiting_longest_first_and_shows_them(client, centre):
    recent = make_pupil(centre, "Alpha", "Ada", registration_date=datetime.date(2026, 11, 1))
    oldest = make_pupil(centre, "Beta", "Ben", registration_date=datetime.date(2026, 9, 1))
    middle = make_pupil(centre, "Gamma", "Gil", registration_date=datetime.date(2026, 10, 1))
    response = client.get(LIST)
    assert listed(response) == [oldest, middle, recent]
    assert [p.waiting_days for p in listed(response)] == [81, 51, 20]
    assert listed(client.get(LIST, {"sort": "waiting"})) == [recent, middle, oldest]
    assert listed(client.get(LIST, {"sort": "name"})) == [recent, oldest, middle]
    assert listed(client.get(LIST, {"sort": "-registered"})) == [recent, middle, oldest]


def test_days_waiting_end_with_the_school_start_and_ended_records_sort_last(client, centre):
    started = make_pupil(
        centre,
        "Alpha",
        "Ada",
        registration_date=datetime.date(2026, 6, 1),
        school_start=datetime.date(2026, 6, 11),
        status=Pupil.Status.STARTED,
    )
    moved = make_pupil(centre, "Beta", "Ben", status=Pupil.Status.MOVED_AWAY)
    waiting = make_pupil(centre, "Gamma", "Gil", registration_date=datetime.date(2026, 11, 11))
    rows = listed(client.get(LIST, {"status": "all"}))
    assert rows == [waiting, started, moved]
    assert [p.waiting_days for p in rows] == [10, 10, None]


def test_list_pages_by_25_and_counts_all(client, centre):
    for number in range(30):
        make_pupil(centre, f"Name{number:02d}", "Kind")
    response = client.get(LIST)
    assert response.context["paginator"].count == 30
    assert len(listed(response)) == 25
    assert len(listed(client.get(LIST, {"page": 2}))) == 5


def test_empty_list_says_nobody_is_waiting(client, centre):
    response = client.get(LIST)
    assert "Nobody is waiting for a school place." in response.content.decode()


def test_name_search_is_kept_in_the_session_not_in_the_url(client, centre):
    haddad = make_pupil(centre, "Haddad", "Lina")
    make_pupil(centre, "Kovalenko", "Taras")
    response = client.post(f"{LIST}?status=all", {"q": "Haddad"})
    assert response.status_code == 302
    assert "Haddad" not in response.url and "status=all" in response.url
    assert client.session["schooling.pupil_search"] == "Haddad"
    assert listed(client.get(LIST)) == [haddad]
    client.post(LIST, {"q": "", "clear": "1"})
    assert len(listed(client.get(LIST))) == 2


def test_list_links_to_report_import_and_the_placement_proposal(client):
    html = client.get(LIST).content.decode()
    assert reverse("schooling:pupil-create") in html
    assert reverse("schooling:pupil-import") in html
    proposal = reverse("schooling:proposal-list")
    assert proposal in html


# --- Report ---------------------------------------------------------------------------------


def report_data(centre, **extra):
    data = {
        "report_key": "",
        "last_name": "Karimi",
        "first_name": "Amir",
        "birth_date": "2018-05-01",
        "sex": "male",
        "nationality": "AF",
        "country_of_origin": "AF",
        "arrival_date": "2026-09-20",
        "registration_date": "2026-10-01",
        "street": "Markt 1",
        "postcode": "48653",
        "municipality": town(centre, "Coesfeld").pk,
        "family_languages": "Dari",
        "schooling_languages": "Dari",
        "years_of_schooling": "2",
        "last_grade": "2",
        "latin_literacy": "false",
        "certificates": "",
        "special_needs": "",
        "interpreter_language": "Dari",
        "guardian1_name": "Zahra Karimi",
        "guardian1_relation": "mother",
        "guardian1_phone": "0170 1",
        "guardian1_email": "",
        "guardian1_language": "fa",
        "guardian2_name": "",
        "guardian2_relation": "",
        "guardian2_phone": "",
        "guardian2_email": "",
        "guardian2_language": "de",
    }
    data.update(extra)
    return data


def test_report_records_pupil_guardian_and_siblings(client, centre):
    sister = make_pupil(centre, "Karimi", "Mina", birth_date=datetime.date(2014, 2, 2))
    response = client.post(
        reverse("schooling:pupil-create"), report_data(centre, siblings=[sister.pk])
    )
    assert response.status_code == 302
    with scopes_disabled():
        pupil = Pupil.objects.get(first_name="Amir")
        guardian = pupil.guardians.get()
        siblings = list(pupil.siblings.all())
        back = list(sister.siblings.all())
    assert response.url == reverse("schooling:pupil-detail", args=[pupil.pk])
    assert (guardian.name, guardian.language) == ("Zahra Karimi", "fa")
    assert siblings == [sister] and back == [pupil]
    assert pupil.latin_literacy is False
    assert pupil.years_of_schooling == 2


def test_possible_duplicate_is_shown_and_saved_only_after_confirming(client, centre):
    known = make_pupil(centre)  # Karimi, Amir, born 01.05.2018
    url = reverse("schooling:pupil-create")
    response = client.post(url, report_data(centre, first_name="Amir "))
    assert response.status_code == 200
    assert response.context["duplicates"] == [known]
    assert response.context["form"].data["confirmed_new"] == "on"
    assert reverse("schooling:pupil-detail", args=[known.pk]) in response.content.decode()
    with scopes_disabled():
        assert Pupil.objects.count() == 1
    response = client.post(url, report_data(centre, confirmed_new="on"))
    assert response.status_code == 302
    with scopes_disabled():
        assert Pupil.objects.count() == 2


def test_report_refuses_a_gemeinde_of_another_district(client, centre, other_centre):
    with scopes_disabled():
        muenster = other_centre.municipalities().get()
    response = client.post(
        reverse("schooling:pupil-create"), report_data(centre, municipality=muenster.pk)
    )
    assert response.status_code == 200
    assert "municipality" in response.context["form"].errors


# --- Record and status ----------------------------------------------------------------------


def test_detail_shows_the_record_and_logs_the_read(client, centre, sina):
    pupil = make_pupil(centre, "Haddad", "Lina", family_languages="Arabisch")
    with scopes_disabled():
        Guardian.objects.create(pupil=pupil, name="Samira Haddad", language="ar")
    response = client.get(reverse("schooling:pupil-detail", args=[pupil.pk]))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Samira Haddad" in html and "Arabisch" in html
    assert response.context["next_statuses"] == [Pupil.Status.INVITED]
    with scopes_disabled():
        entry = AccessLog.objects.get(object_id=str(pupil.pk))
    assert (entry.user, entry.action, entry.centre) == (sina, "read", centre)


def test_status_steps_follow_the_allowed_order(client, centre):
    pupil = make_pupil(centre)
    url = reverse("schooling:pupil-status", args=[pupil.pk])
    assert client.post(url, {"status": "invited"}).status_code == 302
    assert reload(pupil).status == Pupil.Status.INVITED
    client.post(url, {"status": "started"})
    assert reload(pupil).status == Pupil.Status.INVITED
    client.post(url, {"status": "counselled"})
    assert reload(pupil).status == Pupil.Status.COUNSELLED


def test_closing_a_record_needs_a_reason(client, centre):
    pupil = make_pupil(centre)
    url = reverse("schooling:pupil-status", args=[pupil.pk])
    client.post(url, {"status": "moved_away"})
    assert reload(pupil).status == Pupil.Status.REPORTED
    client.post(url, {"status": "moved_away", "note": "nach Köln verzogen"})
    pupil = reload(pupil)
    assert (pupil.status, pupil.status_note) == (Pupil.Status.MOVED_AWAY, "nach Köln verzogen")


def test_empty_status_post_redirects_with_an_error(client, centre):
    pupil = make_pupil(centre)
    response = client.post(reverse("schooling:pupil-status", args=[pupil.pk]), follow=True)
    assert response.redirect_chain[-1][1] == 302
    assert reload(pupil).status == Pupil.Status.REPORTED
    assert [m.level_tag for m in response.context["messages"]] == ["error"]


def test_edit_saves_and_refuses_a_stale_version(client, centre):
    pupil = make_pupil(centre, "Haddad", "Lina")
    url = reverse("schooling:pupil-update", args=[pupil.pk])
    assert client.get(url).status_code == 200
    data = report_data(centre, last_name="Haddad", first_name="Lina", version=pupil.version)
    data["latin_literacy"] = "unknown"
    response = client.post(url, data)
    assert response.status_code == 302
    saved = reload(pupil)
    assert (saved.street, saved.version) == ("Markt 1", pupil.version + 1)
    data["street"] = "Lindenweg 3"  # based on the old version
    response = client.post(url, data)
    assert response.status_code == 409
    assert response.context["conflicts"]["street"]["theirs"] == "Markt 1"
    assert reload(pupil).street == "Markt 1"
    assert response.context["form"].data["version"] == saved.version


# --- Counselling ----------------------------------------------------------------------------


def test_counselling_prefills_grade_and_stage_from_the_age(client, centre):
    pupil = make_pupil(centre, years_of_schooling=0)  # born 01.05.2018: 8 on 30 September
    response = client.get(reverse("schooling:counselling", args=[pupil.pk]))
    form = response.context["form"]
    expected = services.default_grade(pupil.birth_date, years_of_schooling=0, on=TODAY)
    assert form.initial["proposed_grade"] == expected == 2
    assert form.initial["recommended_stage"] == Stage.PRIMARY
    assert "age − 6 by 30 September" in response.content.decode()


def test_counselling_of_an_older_child_proposes_the_ifk(client, centre):
    pupil = make_pupil(centre, birth_date=datetime.date(2009, 3, 1), years_of_schooling=9)
    form = client.get(reverse("schooling:counselling", args=[pupil.pk])).context["form"]
    assert form.initial["recommended_stage"] == Stage.IFK


def test_counselling_is_saved_with_its_result(client, centre, sina):
    pupil = make_pupil(centre)
    school = make_school(centre)
    response = client.post(
        reverse("schooling:counselling", args=[pupil.pk]),
        {
            "starts": "2026-11-20T09:30",
            "interpreter_language": "Dari",
            "biography": "Drei Jahre Schule in Herat.",
            "german": "A1",
            "maths": "Grundrechenarten",
            "competences": "Zeichnen",
            "notes": "",
            "recommended_stage": Stage.PRIMARY,
            "recommended_forms": [SchoolForm.PRIMARY],
            "proposed_grade": "4",
            "initial_support": "integrated",
            "preferred_school": school.pk,
        },
    )
    assert response.status_code == 302
    pupil = reload(pupil)
    with scopes_disabled():
        counselling = Counselling.objects.get(pupil=pupil)
    assert pupil.status == Pupil.Status.COUNSELLED
    assert (pupil.proposed_grade, pupil.preferred_school) == (4, school)
    assert pupil.recommended_forms == [SchoolForm.PRIMARY]
    assert counselling.held and counselling.by == sina
    assert counselling.biography == "Drei Jahre Schule in Herat."
    assert timezone.localtime(counselling.starts).hour == 9


def test_counselling_refuses_forms_that_do_not_teach_the_stage(client, centre):
    pupil = make_pupil(centre)
    response = client.post(
        reverse("schooling:counselling", args=[pupil.pk]),
        {
            "starts": "2026-11-20T09:30",
            "recommended_stage": Stage.PRIMARY,
            "recommended_forms": [SchoolForm.GYMNASIUM],
            "proposed_grade": "3",
        },
    )
    assert response.status_code == 200
    assert "recommended_forms" in response.context["form"].errors
    assert reload(pupil).status == Pupil.Status.REPORTED


def test_counselling_offers_only_schools_of_the_centre(client, centre, other_centre):
    pupil = make_pupil(centre)
    make_school(centre, "Ludgerusschule")
    foreign = make_school(other_centre, "Schule in Münster")
    form = client.get(reverse("schooling:counselling", args=[pupil.pk])).context["form"]
    with scopes_disabled():
        names = [s.name for s in form.fields["preferred_school"].queryset]
    assert names == ["Ludgerusschule"]
    assert foreign.name not in names


# --- Access ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name",
    [
        "schooling:pupil-detail",
        "schooling:pupil-update",
        "schooling:counselling",
        "schooling:pupil-export",
    ],
)
def test_other_centres_pupil_answers_404(client, other_centre, name):
    foreign = make_pupil(other_centre)
    assert client.get(reverse(name, args=[foreign.pk])).status_code == 404


def test_a_case_manager_may_not_see_pupils(client, alice, centre):
    pupil = make_pupil(centre)
    client.force_login(alice)
    assert client.get(LIST).status_code == 403
    assert client.get(reverse("schooling:pupil-detail", args=[pupil.pk])).status_code == 403
    assert client.get(reverse("schooling:pupil-import")).status_code == 403
    with scopes_disabled():
        assert not AccessLog.objects.filter(object_id=str(pupil.pk)).exists()


# --- Art. 15 export -------------------------------------------------------------------------


def test_export_holds_everything_stored_about_the_pupil(client, centre, sina):
    sister = make_pupil(centre, "Karimi", "Mina", birth_date=datetime.date(2014, 2, 2))
    client.post(reverse("schooling:pupil-create"), report_data(centre, siblings=[sister.pk]))
    with scopes_disabled():
        pupil = Pupil.objects.get(first_name="Amir")
        school = make_school(centre)
        Letter.objects.create(pupil=pupil, kind="compulsory", language="fa", by=sina)
        proposal = Proposal.objects.create(centre=centre, school_year=2026, status="optimal")
        ProposalItem.objects.create(proposal=proposal, pupil=pupil, school=school, distance_km=2.5)
    client.post(
        reverse("schooling:pupil-status", args=[pupil.pk]), {"status": Pupil.Status.INVITED}
    )
    response = client.get(reverse("schooling:pupil-export", args=[pupil.pk]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    assert "attachment" in response["Content-Disposition"]
    data = json.loads(response.content)
    pupil = reload(pupil)
    with scopes_disabled():
        guardians = list(pupil.guardians.values_list("name", flat=True))
    stored = data["pupil"]
    assert stored["id"] == pupil.pk
    assert (stored["last_name"], stored["first_name"]) == (pupil.last_name, pupil.first_name)
    assert stored["birth_date"] == pupil.birth_date.isoformat()
    assert stored["nationality"]["code"] == pupil.nationality.code
    assert stored["municipality"] == pupil.municipality.name
    assert stored["status"] == pupil.status == Pupil.Status.INVITED
    assert stored["version"] == pupil.version
    assert [g["name"] for g in data["guardians"]] == guardians
    assert data["siblings"] == ["Mina Karimi"]
    assert [(le["kind"], le["language"]) for le in data["letters"]] == [("compulsory", "fa")]
    assert data["proposal_items"][0]["school"] == school.name
    assert data["proposal_items"][0]["proposal"]["school_year"] == 2026
    records = {(h["record"], h["action"]) for h in data["history"]}
    assert ("schooling.pupil", "create") in records
    assert ("schooling.pupil", "update") in records
    assert ("schooling.guardian", "create") in records
    with scopes_disabled():
        exports = AccessLog.objects.filter(object_id=str(pupil.pk), action="export")
        assert [e.user for e in exports] == [sina]


def test_export_lists_counsellings(client, centre):
    pupil = make_pupil(centre)
    with scopes_disabled():
        Counselling.objects.create(pupil=pupil, starts=timezone.now(), biography="Herat")
    data = json.loads(client.get(reverse("schooling:pupil-export", args=[pupil.pk])).content)
    assert [c["biography"] for c in data["counsellings"]] == ["Herat"]
