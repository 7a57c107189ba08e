"""Retention: closed cases are erased when their deletion date has come, held ones are kept."""

from __future__ import annotations

import datetime
from io import StringIO

import pytest
from auditlog.models import LogEntry
from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.contrib.messages import get_messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse
from django.utils import timezone
from django_scopes import scopes_disabled

from teilhabe.cases import retention
from teilhabe.cases.models import (
    AgencyResponsibility,
    Appointment,
    Case,
    CaseConference,
    CaseSettings,
    Document,
    ErasureEntry,
    Handover,
    Household,
    Person,
    PersonLanguage,
    PhaseChange,
    SystemGap,
)
from teilhabe.cases.tests.factories import (
    make_action,
    make_agency,
    make_assessment,
    make_case,
    make_closed_case,
    make_consent,
    make_contact,
    make_goal,
    make_person,
    make_referral,
    make_residence,
)
from teilhabe.core.audit import acting_as
from teilhabe.core.tests.factories import make_member

TODAY = datetime.date(2026, 11, 21)
LONG_AGO = datetime.date(2022, 6, 30)  # due on 2025-06-30 with the default 3 years


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def table_counts() -> dict[str, int]:
    """Return the number of rows of every case table, the history and the journal."""
    models = [*apps.get_app_config("cases").get_models(include_auto_created=True), LogEntry]
    with scopes_disabled():
        return {model._meta.label: model._base_manager.count() for model in models}


def full_case(centre, user, **fields) -> Case:
    """Return a closed, due case with something in every table that belongs to it."""
    with scopes_disabled(), acting_as(user):
        agency = make_agency(centre, f"Agentur {Case.objects.count()}")
        household = Household.objects.create(centre=centre, name="Haushalt Haddad")
        person = make_person(centre, household=household, relation=Person.Relation.SELF)
        case = make_closed_case(
            centre, closed_on=LONG_AGO, person=person, case_manager=user, **fields
        )
        PersonLanguage.objects.create(
            person=person, language="Arabisch", level=PersonLanguage.Level.NATIVE
        )
        make_residence(person)
        AgencyResponsibility.objects.create(person=person, agency=agency, file_reference="A-1")
        consent = make_consent(person, agency)
        make_assessment(case)
        goal = make_goal(case)
        make_action(case, goal=goal)
        make_contact(case)
        make_referral(case, agency, consent=consent)
        Appointment.objects.create(case=case, starts=timezone.now())
        conference = CaseConference.objects.create(case=case, date=timezone.now())
        conference.agencies.add(agency)
        PhaseChange.objects.create(case=case, to_phase=Case.Phase.CLOSED, by=user)
        Handover.objects.create(case=case, to_user=user, note="Übergabe")
        document = Document(
            case=case,
            kind=Document.Kind.CONSENT,
            name="einwilligung.pdf",
            size=4,
            content_type="application/pdf",
        )
        document.file.save("einwilligung.pdf", ContentFile(b"%PDF"), save=False)
        document.save()
        SystemGap.objects.create(
            centre=centre,
            category=SystemGap.Category.WAITING_TIMES,
            description="Wartezeit",
            case=case,
        )
        person.phone = "0251 1234"
        person.save()  # a second version in the history
    return case


def run(**kwargs) -> retention.RetentionReport:
    kwargs.setdefault("today", TODAY)
    return retention.run_retention(**kwargs)


# --- Deletion dates ---------------------------------------------------------------------------


def test_closed_case_is_due_three_years_after_closure_by_default(centre):
    assert retention.erase_date(centre, datetime.date(2026, 3, 1)) == datetime.date(2029, 3, 1)
    assert retention.settings_for(centre).retention_years == 3


def test_a_leap_day_closure_is_due_on_28_february(centre):
    assert retention.erase_date(centre, datetime.date(2024, 2, 29)) == datetime.date(2027, 2, 28)


def test_each_centre_has_its_own_retention_years(centre, other_centre, dana):
    retention.save_case_settings(dana, centre, retention_years=10)
    closed = datetime.date(2026, 1, 15)
    assert retention.erase_date(centre, closed) == datetime.date(2036, 1, 15)
    assert retention.erase_date(other_centre, closed) == datetime.date(2029, 1, 15)


def test_changing_the_retention_years_moves_the_dates_of_closed_cases(centre, dana):
    case = make_closed_case(centre, closed_on=datetime.date(2025, 5, 2))
    retention.save_case_settings(dana, centre, retention_years=5)
    with scopes_disabled():
        case.refresh_from_db()
    assert case.erase_on == datetime.date(2030, 5, 2)


@pytest.mark.parametrize("years", [0, 31, "3"])
def test_retention_years_outside_1_to_30_are_refused(centre, dana, years):
    with pytest.raises(ValidationError) as error:
        retention.save_case_settings(dana, centre, retention_years=years)
    assert "retention_years" in error.value.error_dict


def test_only_leadership_and_administration_change_the_settings(centre, other_centre, dpo, alice):
    leader = make_member("lea@example.org", "leadership", centre)
    retention.save_case_settings(leader, centre, eligibility="Höchstens 3 Jahre im Kreis")
    for user in (dpo, alice, make_member("chef@example.org", "leadership", other_centre)):
        with pytest.raises(PermissionDenied):
            retention.save_case_settings(user, centre, retention_years=4)


# --- What is due ------------------------------------------------------------------------------


def test_only_closed_cases_past_their_date_are_due(centre):
    due = make_closed_case(centre, closed_on=LONG_AGO)
    make_closed_case(centre, closed_on=datetime.date(2025, 1, 1))  # due 2028
    make_case(centre, erase_on=LONG_AGO)  # open: a stray date does not erase it
    undated = make_closed_case(centre, closed_on=LONG_AGO)
    with scopes_disabled():
        undated.erase_on = None
        undated.save()
    planned = retention.plan_erasure(today=TODAY)
    assert [p.case_id for p in planned] == [due.pk, undated.pk]
    assert planned[1].erase_on == datetime.date(2025, 6, 30)
    with scopes_disabled():
        assert not CaseSettings.objects.exists()  # planning reads, it never writes


# --- Dry run and real run ---------------------------------------------------------------------


def test_dry_run_changes_nothing_and_equals_the_real_run(
    centre, alice, django_capture_on_commit_callbacks
):
    first = full_case(centre, alice)
    second = full_case(centre, alice)
    held = make_closed_case(centre, closed_on=LONG_AGO, legal_hold=True, legal_hold_reason="Klage")
    before = table_counts()

    dry = run(dry_run=True)

    assert table_counts() == before
    assert [row.reference for row in dry.rows] == [
        first.reference,
        second.reference,
        held.reference,
    ]
    assert dry.erased == 2 and dry.held == 1

    with django_capture_on_commit_callbacks(execute=True):
        real = run(dry_run=False)

    assert real.rows == dry.rows
    after = table_counts()
    for kind, number in real.totals().items():
        if kind in (retention.FILES, retention.HISTORY):
            continue
        model = apps.get_model(kind)
        assert before[model._meta.label] - after[model._meta.label] == number, kind
    with scopes_disabled():
        assert list(Case.objects.values_list("pk", flat=True)) == [held.pk]


def test_a_dry_run_counts_a_person_with_two_due_cases_once(centre, alice):
    person = make_person(centre)
    make_closed_case(centre, closed_on=LONG_AGO, person=person)
    make_closed_case(centre, closed_on=LONG_AGO, person=person)
    dry = run(dry_run=True)
    assert [row.removed.get("cases.person") for row in dry.rows] == [None, 1]
    assert run(dry_run=False).rows == dry.rows
    with scopes_disabled():
        assert not Person.objects.exists()


def test_erasure_removes_the_case_its_rows_files_and_history(
    centre, alice, django_capture_on_commit_callbacks
):
    case = full_case(centre, alice)
    with scopes_disabled():
        document = case.documents.get()
        path = document.file.path
        person_pk = case.person_id
        household_pk = case.person.household_id
    assert LogEntry.objects.get_for_object(case).exists()

    with django_capture_on_commit_callbacks(execute=True):
        report = run(dry_run=False)

    row = report.rows[0]
    assert row.outcome == ErasureEntry.Outcome.ERASED
    assert row.removed["cases.contact"] == 1
    assert row.removed["cases.person"] == 1
    assert row.removed["cases.household"] == 1
    assert row.removed[retention.FILES] == 1
    assert row.removed[retention.HISTORY] > 0
    with scopes_disabled():
        for model in apps.get_app_config("cases").get_models():
            if model not in (SystemGap, CaseSettings, ErasureEntry):
                assert not model._base_manager.exists(), model.__name__
        gap = SystemGap.objects.get()
        assert gap.case is None
        assert gap.description == "Wartezeit"
    assert not document.file.storage.exists(path)
    for model, pk in ((Case, case.pk), (Person, person_pk), (Household, household_pk)):
        content_type = ContentType.objects.get_for_model(model)
        assert not LogEntry.objects.filter(content_type=content_type, object_pk=str(pk)).exists()
    case_types = [
        ContentType.objects.get_for_model(m) for m in apps.get_app_config("cases").get_models()
    ]
    assert not LogEntry.objects.filter(content_type__in=case_types).exists()


def test_erasure_is_journaled_with_counts_only(centre, alice):
    case = full_case(centre, alice)
    report = run(dry_run=False, run_id="nightly-1")
    with scopes_disabled():
        entry = ErasureEntry.objects.get()
    assert entry.centre == centre
    assert entry.case_reference == case.reference
    assert entry.closed_on == LONG_AGO
    assert entry.due_on == datetime.date(2025, 6, 30)
    assert entry.outcome == ErasureEntry.Outcome.ERASED
    assert entry.run == "nightly-1" == report.run_id
    assert entry.removed == report.rows[0].removed


def test_a_person_with_another_case_is_kept(centre):
    person = make_person(centre)
    make_closed_case(centre, closed_on=LONG_AGO, person=person)
    still_open = make_case(centre, person=person)
    report = run(dry_run=False)
    assert "cases.person" not in report.rows[0].removed
    with scopes_disabled():
        assert list(Case.objects.all()) == [still_open]
        assert Person.objects.filter(pk=person.pk).exists()


def test_a_household_stays_while_a_member_has_a_case(centre):
    with scopes_disabled():
        household = Household.objects.create(centre=centre, name="Haushalt Haddad")
    erased = make_person(centre, household=household)
    partner = make_person(centre, "Haddad", "Omar", household=household)
    child = make_person(centre, "Haddad", "Lina", household=household)  # no case of her own
    make_closed_case(centre, closed_on=LONG_AGO, person=erased)
    make_case(centre, person=partner)
    run(dry_run=False)
    with scopes_disabled():
        assert set(household.members.all()) == {partner, child}


def test_a_household_without_cases_goes_with_its_members(centre):
    with scopes_disabled():
        household = Household.objects.create(centre=centre, name="Haushalt Haddad")
    person = make_person(centre, household=household)
    make_person(centre, "Haddad", "Lina", household=household)
    make_closed_case(centre, closed_on=LONG_AGO, person=person)
    report = run(dry_run=False)
    assert report.rows[0].removed["cases.person"] == 2
    with scopes_disabled():
        assert not Household.objects.exists()
        assert not Person.objects.exists()


# --- Legal hold -------------------------------------------------------------------------------


def test_a_held_case_is_kept_and_journaled_once_a_day(centre, alice):
    case = make_closed_case(centre, closed_on=LONG_AGO, case_manager=alice)
    with scopes_disabled():
        retention.set_legal_hold(alice, case, hold=True, reason="Gerichtsverfahren anhängig")

    first = run(dry_run=False)
    second = run(dry_run=False)

    assert first.rows[0].outcome == ErasureEntry.Outcome.HELD
    assert first.rows[0].removed == {}
    assert second.rows == first.rows
    with scopes_disabled():
        assert Case.objects.filter(pk=case.pk).exists()
        entry = ErasureEntry.objects.get()
    assert entry.outcome == ErasureEntry.Outcome.HELD
    assert entry.run == first.run_id


def test_a_cleared_hold_lets_the_next_run_erase(centre, alice):
    case = make_closed_case(centre, closed_on=LONG_AGO, case_manager=alice)
    with scopes_disabled():
        retention.set_legal_hold(alice, case, hold=True, reason="Prüfung")
        retention.set_legal_hold(alice, case, hold=False)
    assert run(dry_run=False).erased == 1


def test_a_legal_hold_needs_a_reason(centre, alice):
    case = make_case(centre, case_manager=alice)
    with pytest.raises(ValidationError):
        retention.set_legal_hold(alice, case, hold=True, reason="  ")


# --- Command ----------------------------------------------------------------------------------


def test_command_with_centre_leaves_other_centres_untouched(centre, other_centre):
    own = make_closed_case(centre, closed_on=LONG_AGO)
    foreign = make_closed_case(other_centre, closed_on=LONG_AGO)
    out = StringIO()
    call_command("retention", "--centre", centre.slug, "--today", "2026-11-21", stdout=out)
    text = out.getvalue()
    assert own.reference in text and centre.slug in text
    assert "1 case(s) erased, 0 kept under legal hold" in text
    with scopes_disabled():
        assert list(Case.objects.all()) == [foreign]


def test_command_dry_run_prints_the_table_and_changes_nothing(centre):
    case = make_closed_case(centre, closed_on=LONG_AGO)
    before = table_counts()
    out = StringIO()
    call_command("retention", "--dry-run", "--today", "2026-11-21", stdout=out)
    lines = out.getvalue().splitlines()
    assert lines[0].split() == ["Centre", "Case", "Closed", "Due", "Outcome", "Removed"]
    assert case.reference in lines[1] and "erased" in lines[1] and "cases.case 1" in lines[1]
    assert lines[-1].startswith("Dry run for 2026-11-21: 1 case(s) would be erased")
    assert table_counts() == before


def test_command_refuses_an_unknown_centre_and_a_bad_date(centre):
    with pytest.raises(CommandError, match="Did you mean"):
        call_command("retention", "--centre", centre.slug[:-1])
    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        call_command("retention", "--today", "21.11.2026")


# --- Views ------------------------------------------------------------------------------------


def test_settings_page_saves_the_centres_settings(client, centre, dana):
    client.force_login(dana)
    url = reverse("cases:settings")
    assert client.get(url).status_code == 200
    response = client.post(
        url, {"retention_years": "6", "eligibility": "Alle", "controller": "Kreis Coesfeld"}
    )
    assert response.status_code == 302
    settings = retention.settings_for(centre)
    assert (settings.retention_years, settings.controller) == (6, "Kreis Coesfeld")


@pytest.mark.parametrize("years", ["0", "31", ""])
def test_settings_page_refuses_years_outside_1_to_30(client, centre, dana, years):
    client.force_login(dana)
    response = client.post(reverse("cases:settings"), {"retention_years": years})
    assert response.status_code == 200
    assert "retention_years" in response.context["form"].errors
    assert retention.settings_for(centre).retention_years == 3


def test_dpo_sees_the_journal_of_the_own_centre_only(client, centre, other_centre, dpo):
    with scopes_disabled():
        ErasureEntry.objects.create(
            centre=centre,
            case_reference="KIM-OWN-1",
            outcome="erased",
            run="r1",
            removed={"cases.case": 1, retention.FILES: 2},
        )
        ErasureEntry.objects.create(
            centre=other_centre, case_reference="KIM-FOREIGN-1", outcome="erased", run="r2"
        )
    client.force_login(dpo)
    response = client.get(reverse("cases:erasure-journal"))
    assert response.status_code == 200
    assert "KIM-OWN-1" in response.content.decode()
    assert "KIM-FOREIGN-1" not in response.content.decode()


def test_journal_filters_by_outcome_and_date(client, centre, dpo):
    with scopes_disabled():
        ErasureEntry.objects.create(
            centre=centre, case_reference="KIM-E", outcome="erased", run="r"
        )
        ErasureEntry.objects.create(centre=centre, case_reference="KIM-H", outcome="held", run="r")
        ErasureEntry.objects.create(
            centre=centre,
            case_reference="KIM-OLD",
            outcome="held",
            run="r",
            at=timezone.now() - datetime.timedelta(days=60),
        )
    client.force_login(dpo)
    url = reverse("cases:erasure-journal")
    since = (timezone.localdate() - datetime.timedelta(days=7)).isoformat()
    response = client.get(url, {"outcome": "held", "date_from": since})
    assert [e.case_reference for e in response.context["object_list"]] == ["KIM-H"]


def test_journal_previews_the_next_run_with_the_reference_only(client, centre, dpo):
    case = make_closed_case(centre, closed_on=LONG_AGO)
    before = table_counts()
    client.force_login(dpo)
    page = client.get(reverse("cases:erasure-journal")).content.decode()
    assert case.reference in page
    assert case.person.last_name not in page
    assert table_counts() == before


def test_legal_hold_view_sets_the_hold(client, centre, alice):
    case = make_case(centre, case_manager=alice)
    client.force_login(alice)
    url = reverse("cases:legal-hold", kwargs={"pk": case.pk})
    response = client.post(url, {"hold": "1", "reason": "Widerspruchsverfahren"})
    assert response.status_code == 302
    assert response.url == reverse("cases:case-detail", kwargs={"pk": case.pk})
    with scopes_disabled():
        case.refresh_from_db()
    assert case.legal_hold and case.legal_hold_reason == "Widerspruchsverfahren"


@pytest.mark.parametrize("data", [{}, {"hold": "1", "reason": ""}])
def test_legal_hold_without_choice_or_reason_redirects_with_an_error(client, centre, alice, data):
    case = make_case(centre, case_manager=alice)
    client.force_login(alice)
    response = client.post(reverse("cases:legal-hold", kwargs={"pk": case.pk}), data)
    assert response.status_code == 302
    assert [m.level_tag for m in get_messages(response.wsgi_request)] == ["error"]
    with scopes_disabled():
        case.refresh_from_db()
    assert not case.legal_hold


def test_legal_hold_of_another_bezirk_is_not_found(client, centre, alice, bob):
    case = make_case(centre, case_manager=alice)
    client.force_login(bob)
    response = client.post(
        reverse("cases:legal-hold", kwargs={"pk": case.pk}), {"hold": "1", "reason": "x"}
    )
    assert response.status_code == 404
