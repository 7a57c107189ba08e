"""The rules of case management, through the services."""

from __future__ import annotations

import datetime

import pytest
from auditlog.models import LogEntry
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django_scopes import scopes_disabled

from teilhabe.cases import services
from teilhabe.cases.models import Action, Case, Consent, Person, Referral
from teilhabe.cases.tests.factories import (
    make_action,
    make_agency,
    make_assessment,
    make_case,
    make_consent,
    make_goal,
    make_person,
    make_referral,
)
from teilhabe.core.models import AccessLog
from teilhabe.core.tests.factories import make_member

pytestmark = pytest.mark.django_db

PERSON = {"last_name": "Haddad", "first_name": "Samira", "birth_date": datetime.date(1990, 3, 14)}


def test_first_contact_opens_a_case_on_the_waiting_list_with_a_yearly_reference(alice, centre):
    with scopes_disabled():
        first = services.open_case(alice, centre, person=PERSON)
        second = services.open_case(
            alice, centre, person={"last_name": "Petrenko", "first_name": "Olena"}
        )
        year = timezone.localdate().year
        assert first.reference == f"KIM-{year}-00001"
        assert second.reference == f"KIM-{year}-00002"
        assert first.is_waiting and first.phase == Case.Phase.INTAKE
        assert first.phase_changes.get().to_phase == Case.Phase.INTAKE


def test_intake_finds_a_spelling_variant_with_the_same_date_of_birth(alice, centre):
    with scopes_disabled():
        known = make_person(centre, "Mohammed", "Ahmad", birth_date=datetime.date(1985, 1, 1))
        with pytest.raises(services.PossibleDuplicate) as found:
            services.open_case(
                alice,
                centre,
                person={
                    "last_name": "Muhammad",
                    "first_name": "Ahmed",
                    "birth_date": datetime.date(1985, 1, 1),
                },
            )
        assert [m.person for m in found.value.matches] == [known]
        assert Case.objects.count() == 0
        case = services.open_case(
            alice,
            centre,
            person={"last_name": "Muhammad", "first_name": "Ahmed"},
            confirmed_new_person=True,
        )
        assert case.person != known


def test_other_centres_persons_are_no_duplicates(alice, centre, other_centre):
    with scopes_disabled():
        make_person(other_centre, "Haddad", "Samira", birth_date=PERSON["birth_date"])
        assert services.open_case(alice, centre, person=PERSON).pk


def test_a_person_with_an_open_case_gets_no_second_one(alice, centre):
    with scopes_disabled():
        case = make_case(centre, case_manager=alice)
        with pytest.raises(ValidationError):
            services.open_case(alice, centre, person=case.person)


def test_handover_needs_a_note_and_is_kept(alice, bob, centre):
    with scopes_disabled():
        case = make_case(centre, area="Bezirk Nord", case_manager=alice)
        with pytest.raises(ValidationError) as refused:
            services.assign_case(alice, case, case_manager=bob)
        assert "note" in refused.value.error_dict
        services.assign_case(alice, case, case_manager=bob, note="Termin am Montag steht.")
        case.refresh_from_db()
        assert case.case_manager == bob
        handover = case.handovers.get()
        assert (handover.from_user, handover.to_user) == (alice, bob)


def test_only_a_case_manager_of_the_centre_can_take_a_case(alice, centre, other_centre, dana):
    foreign = make_member("fm@example.org", "case_manager", other_centre)
    with scopes_disabled():
        case = make_case(centre)
        for target in (foreign, dana):
            with pytest.raises(ValidationError):
                services.assign_case(alice, case, case_manager=target)


def test_phases_follow_the_cycle_and_need_their_groundwork(alice, centre):
    with scopes_disabled():
        case = make_case(centre, case_manager=alice, phase=Case.Phase.ASSESSMENT)
        with pytest.raises(ValidationError):
            services.change_phase(alice, case, to=Case.Phase.PLANNING)  # no assessment yet
        with pytest.raises(ValidationError):
            services.change_phase(alice, case, to=Case.Phase.MONITORING)  # skips phases
        make_assessment(case)
        case = services.change_phase(alice, case, to=Case.Phase.PLANNING)
        with pytest.raises(ValidationError):
            services.change_phase(alice, case, to=Case.Phase.IMPLEMENTATION)  # no goal
        make_goal(case)
        case = services.change_phase(alice, case, to=Case.Phase.IMPLEMENTATION)
        assert [c.to_phase for c in case.phase_changes.all()] == ["planning", "implementation"]


def test_closing_cancels_open_referrals_and_steps_and_sets_the_erasure_date(alice, centre):
    agency = make_agency(centre)
    with scopes_disabled():
        case = make_case(centre, case_manager=alice)
        open_referral = make_referral(case, agency)
        done = make_referral(case, agency, status=Referral.Status.COMPLETED)
        step = make_action(case)
        with pytest.raises(ValidationError):
            services.close_case(alice, case, reason="")
        closed = services.close_case(
            alice, case, reason="goals_reached", closed_on=datetime.date(2026, 2, 10)
        )
        open_referral.refresh_from_db()
        done.refresh_from_db()
        step.refresh_from_db()
        assert open_referral.status == Referral.Status.CANCELLED
        assert done.status == Referral.Status.COMPLETED
        assert step.is_cancelled
        assert closed.erase_on == datetime.date(2029, 2, 10)


def test_reopening_needs_a_reason_and_returns_to_the_last_phase(alice, centre):
    with scopes_disabled():
        case = make_case(centre, case_manager=alice, phase=Case.Phase.MONITORING)
        case = services.close_case(alice, case, reason="moved_away")
        with pytest.raises(ValidationError):
            services.reopen_case(alice, case, reason=" ")
        case = services.reopen_case(alice, case, reason="Zurückgezogen")
        assert case.phase == Case.Phase.MONITORING
        assert case.erase_on is None and case.closed_on is None


def test_contact_minutes_per_theme_cannot_exceed_the_duration(alice, centre):
    with scopes_disabled():
        case = make_case(centre, case_manager=alice)
        with pytest.raises(ValidationError):
            services.record_contact(
                alice,
                case,
                date=timezone.localdate(),
                duration=30,
                channel="phone",
                themes={"work": 20, "housing": 20},
            )
        contact = services.record_contact(
            alice,
            case,
            date=timezone.localdate(),
            duration=30,
            channel="phone",
            themes={"work": 20, "housing": 10, "health": 0},
        )
        assert contact.themes == {"work": 20, "housing": 10}


def test_assessment_keeps_the_current_needs_of_the_case(alice, centre):
    with scopes_disabled():
        case = make_case(centre, case_manager=alice)
        services.record_assessment(alice, case, scores={"language": 2, "work": 4, "health": None})
        case.refresh_from_db()
        assert case.needs == ["language"]
        with pytest.raises(ValidationError):
            services.record_assessment(alice, case, scores={"language": 7})


def test_referral_without_consent_is_refused_with_a_clear_message(alice, centre):
    agency = make_agency(centre)
    with scopes_disabled():
        case = make_case(centre, case_manager=alice)
        make_consent(case.person, None, Consent.Purpose.CASE_MANAGEMENT)
        with pytest.raises(ValidationError) as refused:
            services.send_referral(alice, case, agency=agency, reason="Arbeitsvermittlung")
        assert "Jobcenter Kreis Test" in refused.value.messages[0]
        assert Referral.objects.count() == 0


def test_referral_rests_on_a_valid_consent_for_that_agency(alice, centre):
    agency = make_agency(centre)
    with scopes_disabled():
        case = make_case(centre, case_manager=alice)
        consent = make_consent(case.person, agency)
        referral = services.send_referral(alice, case, agency=agency, reason="Arbeit")
        assert referral.consent == consent


def test_withdrawn_or_expired_consent_no_longer_covers_a_referral(alice, centre):
    agency = make_agency(centre)
    with scopes_disabled():
        case = make_case(centre, case_manager=alice)
        consent = make_consent(case.person, agency)
        services.withdraw_consent(alice, case, consent)
        yesterday = timezone.localdate() - datetime.timedelta(days=1)
        make_consent(case.person, agency, expires_on=yesterday)
        with pytest.raises(ValidationError):
            services.send_referral(alice, case, agency=agency, reason="Arbeit")


def test_override_needs_its_own_permission_and_a_reason_and_is_logged(alice, centre):
    agency = make_agency(centre)
    with scopes_disabled():
        case = make_case(centre, case_manager=alice)
        with pytest.raises(ValidationError):  # alice may not override
            services.send_referral(
                alice, case, agency=agency, reason="Krise", override_reason="Gefahr im Verzug"
            )
        make_member("lead@example.org", "leadership", centre, user=alice)
        alice = type(alice).objects.get(pk=alice.pk)  # fresh membership cache
        referral = services.send_referral(
            alice, case, agency=agency, reason="Krise", override_reason="Gefahr im Verzug"
        )
        assert referral.consent is None and referral.override_reason == "Gefahr im Verzug"
        entry = AccessLog.objects.get(action="override")
        assert entry.user == alice and entry.object_id == str(case.pk)


def test_partner_answers_only_referrals_addressed_to_it(alice, partner_user, centre):
    from teilhabe.core.models import Organisation

    with scopes_disabled():
        organisation = Organisation.objects.get(centre=centre)
        own = make_agency(centre, "Beratungsstelle", kind="provider", organisation=organisation)
        other = make_agency(centre, "Anderer Träger", kind="provider")
        case = make_case(centre, case_manager=alice)
        mine = make_referral(case, own)
        theirs = make_referral(case, other)
        assert list(Referral.objects.addressed_to(partner_user)) == [mine]
        with pytest.raises(PermissionDenied):
            services.answer_referral(partner_user, theirs, status="accepted")
        with pytest.raises(ValidationError):
            services.answer_referral(partner_user, mine, status="declined")  # no reason
        services.answer_referral(partner_user, mine, status="accepted", answer="Termin 3.12.")
        mine.refresh_from_db()
        assert mine.status == "accepted" and mine.answered_on == timezone.localdate()
        with pytest.raises(ValidationError):
            services.answer_referral(partner_user, mine, status="sent")


def test_conference_invites_only_agencies_with_consent_and_minutes_fill_the_help_plan(
    alice, centre
):
    jobcenter = make_agency(centre)
    youth = make_agency(centre, "Jugendamt", kind="youth_office")
    with scopes_disabled():
        case = make_case(centre, case_manager=alice)
        make_consent(case.person, jobcenter, Consent.Purpose.CONFERENCE)
        when = timezone.now() - datetime.timedelta(hours=1)
        with pytest.raises(ValidationError) as refused:
            services.plan_conference(alice, case, date=when, agencies=[jobcenter, youth])
        assert "Jugendamt" in refused.value.messages[0]
        conference = services.plan_conference(alice, case, date=when, agencies=[jobcenter])
        services.record_conference_minutes(
            alice,
            conference,
            minutes="Alle einig.",
            steps=[services.AgreedStep("Antrag stellen", "agency", agency=jobcenter)],
        )
        step = Action.objects.get(conference=conference)
        assert step.case == case and step.agency == jobcenter


def test_system_gap_must_not_name_the_person(alice, centre):
    with scopes_disabled():
        case = make_case(centre, case_manager=alice)
        with pytest.raises(ValidationError):
            services.report_system_gap(
                alice, case, category="waiting_times", description="Frau Haddad wartet lange"
            )
        gap = services.report_system_gap(
            alice, case, category="waiting_times", description="Sprachkurse: 6 Monate Wartezeit"
        )
        assert gap.centre == centre


def test_merge_moves_the_cases_and_keeps_both_histories(alice, centre):
    with scopes_disabled():
        keep = make_person(centre, phone="")
        duplicate = make_person(centre, "Hadad", "Samira", phone="0170 1234567")
        case = make_case(centre, case_manager=alice, person=keep)
        old = make_case(centre, case_manager=alice, person=duplicate, phase="closed")
        services.merge_persons(alice, keep, duplicate, case=case)
        keep.refresh_from_db()
        duplicate.refresh_from_db()
        old.refresh_from_db()
        assert old.person == keep and keep.phone == "0170 1234567"
        assert duplicate.merged_into == keep
        assert LogEntry.objects.get_for_object(duplicate).exists()
        assert Person.objects.filter(pk=duplicate.pk).exists()


def test_a_stale_version_is_refused_and_nothing_is_lost(alice, bob, centre):
    with scopes_disabled():
        case = make_case(centre, area=None, case_manager=alice)
        version = case.version
        services.update_case(alice, case, version=version, summary="Alice's Eintrag")
        with pytest.raises(services.EditConflict):
            services.update_case(bob, case, version=version, summary="Bob's Eintrag")
        case.refresh_from_db()
        assert case.summary == "Alice's Eintrag"
        services.update_case(bob, case, version=case.version, summary="Beides")
        case.refresh_from_db()
        assert case.summary == "Beides"


def test_household_members_are_recorded_with_their_relation(alice, centre):
    with scopes_disabled():
        case = make_case(centre, case_manager=alice)
        child = services.add_household_member(
            alice, case, last_name="Haddad", first_name="Lina", relation="child"
        )
        case.person.refresh_from_db()
        assert child.household == case.person.household and case.person.relation == "self"
        assert child.centre == centre and not child.cases.exists()
        with pytest.raises(ValidationError):
            services.add_household_member(
                alice, case, last_name="X", first_name="Y", relation="self"
            )
