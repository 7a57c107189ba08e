import datetime
import io

import pytest
import time_machine
from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django_scopes import scopes_disabled

from teilhabe.core.audit import acting_as
from teilhabe.core.models import AccessLog
from teilhabe.core.tests.factories import make_member
from teilhabe.schooling import letters, retention
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

TODAY = datetime.date(2026, 11, 21)


@pytest.fixture
def sina(centre):
    return make_member("sina@example.org", "newcomer_counsellor", centre)


def full_pupil(centre, sina, **fields):
    """Return a pupil with a guardian, a counselling, a letter and a proposed placement."""
    with acting_as(sina):
        pupil = make_pupil(centre, **fields)
    with scopes_disabled(), acting_as(sina):
        Guardian.objects.create(pupil=pupil, name="Leila Karimi", language="ar")
        Counselling.objects.create(
            pupil=pupil, starts=datetime.datetime(2024, 9, 1, 9, tzinfo=datetime.UTC), held=True
        )
        letters.inform_parents(sina, pupil, language="de")
        proposal = Proposal.objects.create(centre=centre, school_year=2024, status="optimal")
        ProposalItem.objects.create(proposal=proposal, pupil=pupil, school=pupil.school)
    return pupil


def started(centre, sina, school, start, **fields):
    return full_pupil(
        centre,
        sina,
        school=school,
        status=Pupil.Status.STARTED,
        recommended_stage=Stage.PRIMARY,
        recommended_forms=[SchoolForm.PRIMARY],
        placed_on=start - datetime.timedelta(days=14),
        school_start=start,
        registration_date=start - datetime.timedelta(days=40),
        **fields,
    )


def ended(centre, sina, on, **fields):
    with time_machine.travel(datetime.datetime(on.year, on.month, on.day, 12, tzinfo=datetime.UTC)):
        return full_pupil(
            centre,
            sina,
            status=Pupil.Status.MOVED_AWAY,
            status_note="nach Köln verzogen",
            registration_date=on - datetime.timedelta(days=60),
            **fields,
        )


def counts() -> dict[str, int]:
    with scopes_disabled():
        return {
            "pupils": Pupil.objects.count(),
            "guardians": Guardian.objects.count(),
            "counsellings": Counselling.objects.count(),
            "letters": Letter.objects.count(),
            "items": ProposalItem.objects.count(),
            "history": LogEntry.objects.count(),
            "access": AccessLog.objects.count(),
        }


def history_of(pupil_pk: int) -> int:
    return LogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(Pupil), object_pk=str(pupil_pk)
    ).count()


@pytest.mark.django_db
def test_due_are_records_two_years_after_school_start_or_their_end(centre, sina):
    school = make_school(centre)
    old_start = started(centre, sina, school, datetime.date(2024, 8, 20), first_name="Alt")
    recent_start = started(centre, sina, school, datetime.date(2025, 8, 20), first_name="Neu")
    old_end = ended(centre, sina, datetime.date(2024, 3, 1), first_name="Weg")
    waiting = full_pupil(
        centre, sina, first_name="Wartet", registration_date=datetime.date(2020, 1, 1)
    )
    due = {p.pk for p in retention.due_pupils(today=TODAY, years=2)}
    assert due == {old_start.pk, old_end.pk}
    assert recent_start.pk not in due and waiting.pk not in due


@pytest.mark.django_db
def test_retention_period_follows_the_setting(centre, sina, settings):
    school = make_school(centre)
    pupil = started(centre, sina, school, datetime.date(2024, 8, 20))
    settings.PUPIL_RETENTION_YEARS = 3
    assert retention.run_pupil_retention(today=TODAY, dry_run=True).rows == []
    settings.PUPIL_RETENTION_YEARS = 2
    rows = retention.run_pupil_retention(today=TODAY, dry_run=True).rows
    assert [row.pupil_id for row in rows] == [pupil.pk]
    assert rows[0].due_on == datetime.date(2026, 8, 20)


@pytest.mark.django_db
def test_dry_run_writes_nothing_and_reports_what_the_real_run_does(centre, sina):
    school = make_school(centre)
    first = started(centre, sina, school, datetime.date(2024, 8, 20), first_name="Alt")
    second = ended(centre, sina, datetime.date(2024, 3, 1), first_name="Weg")
    with scopes_disabled():
        first.siblings.add(second)
    kept = started(centre, sina, school, datetime.date(2025, 9, 1), first_name="Neu")
    before = counts()

    dry = retention.run_pupil_retention(today=TODAY, dry_run=True)
    assert counts() == before
    real = retention.run_pupil_retention(today=TODAY, dry_run=False)

    assert dry.rows == real.rows
    assert (dry.deleted, real.deleted) == (2, 2)
    removed = real.rows[0].removed
    for label in ("schooling.pupil", "schooling.guardian", "schooling.counselling"):
        assert removed[label] == 1
    assert removed["schooling.letter"] == 1
    assert removed["schooling.proposalitem"] == 1
    assert removed[retention.HISTORY] >= 4
    with scopes_disabled():
        assert list(Pupil.objects.values_list("pk", flat=True)) == [kept.pk]
        assert Guardian.objects.filter(pupil=kept).count() == 1
        assert Letter.objects.count() == 1
        assert ProposalItem.objects.count() == 1
    assert history_of(first.pk) == 0
    assert history_of(second.pk) == 0
    assert history_of(kept.pk) > 0
    after = counts()
    assert after["access"] == before["access"]
    assert after["history"] == before["history"] - sum(
        r.removed[retention.HISTORY] for r in real.rows
    )


@pytest.mark.django_db
def test_second_run_finds_nothing_left(centre, sina):
    ended(centre, sina, datetime.date(2024, 3, 1))
    assert retention.run_pupil_retention(today=TODAY, dry_run=False).deleted == 1
    assert retention.run_pupil_retention(today=TODAY, dry_run=False).rows == []


@pytest.mark.django_db
def test_command_dry_run_lists_and_changes_nothing(centre, sina):
    pupil = ended(centre, sina, datetime.date(2024, 3, 1))
    out = io.StringIO()
    call_command("pupil_retention", "--dry-run", "--today", "2026-11-21", stdout=out)
    text = out.getvalue()
    assert f"pupil {pupil.pk}" in text
    assert "1 pupil record(s) would be deleted" in text
    assert "Nothing was changed." in text
    with scopes_disabled():
        assert Pupil.objects.filter(pk=pupil.pk).exists()
    out = io.StringIO()
    call_command("pupil_retention", "--today", "2026-11-21", stdout=out)
    assert "1 pupil record(s) deleted" in out.getvalue()
    with scopes_disabled():
        assert not Pupil.objects.filter(pk=pupil.pk).exists()
