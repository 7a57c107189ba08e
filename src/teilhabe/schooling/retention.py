"""Retention of pupil records: deleted once their purpose, the school place, is done (VO-DV I).

A pupil record is kept for ``settings.PUPIL_RETENTION_YEARS`` (default 2) after

- the first day at school, for a placed pupil whose first day is known, or
- the end of the record (moved away, ended for another reason): the day of its last change,
  which is the day it was ended, since an ended record is not edited any more.

Pupils still waiting for a place are never due. The run (``teilhabe pupil_retention``, daily)
deletes each due pupil in its own transaction, with everything under it (guardians,
counsellings, letters, proposed placements, sibling links) and the versions (django-auditlog
``LogEntry`` rows) of every deleted row: a history left behind would keep the same personal
data. The deletion itself writes no new versions. The access log is kept (record ids only).

The dry run goes through the same steps without deleting anything, so its report is the report
of a real run on the same day. The run is a system job across centres: it reads with scopes
disabled.
"""

from __future__ import annotations

import datetime
import logging
from collections import defaultdict
from contextlib import nullcontext
from dataclasses import dataclass, field
from typing import Any

from auditlog.context import disable_auditlog
from auditlog.models import LogEntry
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import DEFAULT_DB_ALIAS, models, transaction
from django.db.models.deletion import Collector, ProtectedError
from django.utils import timezone
from django_scopes import scopes_disabled

from teilhabe.core.dates import add_years

from .models import Pupil

logger = logging.getLogger(__name__)

#: Key of ``removed`` that counts versions in the history.
HISTORY = LogEntry._meta.label_lower
DELETED = "deleted"
#: Outcome of a pupil the run could not delete because another record still points to it.
BLOCKED = "blocked"


def retention_years() -> int:
    return settings.PUPIL_RETENTION_YEARS


def reference_day(pupil: Pupil) -> datetime.date | None:
    """Return the day the retention period of ``pupil`` starts, or ``None`` while it runs."""
    if pupil.status in Pupil.ENDED:
        return pupil.ended_on or timezone.localdate(pupil.updated)
    if pupil.status in {Pupil.Status.PLACED, Pupil.Status.STARTED} and pupil.school_start:
        return pupil.school_start
    return None


def delete_on(pupil: Pupil, years: int | None = None) -> datetime.date | None:
    """Return the day ``pupil`` is due for deletion, or ``None`` while the record is needed."""
    day = reference_day(pupil)
    return None if day is None else add_years(day, retention_years() if years is None else years)


@dataclass(frozen=True)
class PupilRetentionRow:
    """What happened (or would happen) to one pupil record."""

    centre: str
    pupil_id: int
    status: str
    reference_day: datetime.date
    due_on: datetime.date
    outcome: str
    #: Counts per kind: model labels (``schooling.guardian``) and the history.
    removed: dict[str, int] = field(default_factory=dict)


@dataclass
class PupilRetentionReport:
    """The result of a retention run of pupil records, real or dry."""

    today: datetime.date
    dry_run: bool
    years: int
    rows: list[PupilRetentionRow] = field(default_factory=list)

    @property
    def deleted(self) -> int:
        return sum(1 for row in self.rows if row.outcome == DELETED)

    @property
    def blocked(self) -> int:
        return sum(1 for row in self.rows if row.outcome == BLOCKED)

    def totals(self) -> dict[str, int]:
        totals: dict[str, int] = defaultdict(int)
        for row in self.rows:
            for kind, number in row.removed.items():
                totals[kind] += number
        return dict(sorted(totals.items()))


def due_pupils(*, today: datetime.date, years: int) -> list[Pupil]:
    """Return the pupils (all centres) whose retention period has ended on ``today``."""
    # Filter in the database by the widest bound, then exactly in Python.
    latest = add_years(today, -years)
    with scopes_disabled():
        candidates = (
            Pupil.objects.filter(
                models.Q(status__in=Pupil.ENDED)
                | models.Q(
                    status__in=[Pupil.Status.PLACED, Pupil.Status.STARTED],
                    school_start__lte=latest,
                )
            )
            .select_related("centre")
            .order_by("centre__slug", "pk")
        )
        due = []
        for pupil in candidates:
            day = delete_on(pupil, years)
            if day is not None and day <= today:
                due.append(pupil)
    return due


def _collected(collector: Collector) -> dict[type[models.Model], list[Any]]:
    rows: dict[type[models.Model], list[Any]] = defaultdict(list)
    for model, instances in collector.data.items():
        rows[model].extend(obj.pk for obj in instances)
    for qs in collector.fast_deletes:
        rows[qs.model].extend(qs.values_list("pk", flat=True))
    return rows


def _history(rows: dict[type[models.Model], list[Any]]) -> models.QuerySet:
    condition = models.Q(pk__in=[])
    for model, pks in rows.items():
        if pks and not model._meta.auto_created:
            content_type = ContentType.objects.get_for_model(model)
            condition |= models.Q(content_type=content_type, object_pk__in=[str(pk) for pk in pks])
    return LogEntry.objects.filter(condition)


def _delete_pupil(
    pupil_id: int, *, today: datetime.date, years: int, dry_run: bool
) -> PupilRetentionRow | None:
    pupils = Pupil.objects.select_related("centre")
    if not dry_run:
        pupils = pupils.select_for_update(of=("self",))
    pupil = pupils.filter(pk=pupil_id).first()
    # Changed or deleted since the list was made.
    due = delete_on(pupil, years) if pupil is not None else None
    if pupil is None or due is None or due > today:
        return None
    base = {
        "centre": pupil.centre.slug,
        "pupil_id": pupil.pk,
        "status": pupil.status,
        "reference_day": reference_day(pupil),
        "due_on": due,
    }
    collector = Collector(using=DEFAULT_DB_ALIAS)
    try:
        collector.collect([pupil])
    except ProtectedError as error:
        logger.warning(
            "Pupil retention: pupil %s of %s cannot be deleted, still referenced by %s",
            pupil.pk,
            pupil.centre.slug,
            ", ".join(sorted({type(obj).__name__ for obj in error.protected_objects})),
        )
        return PupilRetentionRow(**base, outcome=BLOCKED)
    rows = _collected(collector)
    removed = {
        model._meta.label_lower: len(pks)
        for model, pks in sorted(rows.items(), key=lambda item: item[0]._meta.label_lower)
        if pks and not model._meta.auto_created
    }
    history = _history(rows)
    versions = history.count()
    if versions:
        removed[HISTORY] = versions
    row = PupilRetentionRow(**base, outcome=DELETED, removed=removed)
    if not dry_run:
        with disable_auditlog():
            collector.delete()
        history.delete()
    return row


def run_pupil_retention(
    *, today: datetime.date | None = None, dry_run: bool = True
) -> PupilRetentionReport:
    """Delete the pupil records whose retention period has ended, or report what would go."""
    today = today or timezone.localdate()
    years = retention_years()
    report = PupilRetentionReport(today=today, dry_run=dry_run, years=years)
    with scopes_disabled():
        for pupil in due_pupils(today=today, years=years):
            # A dry run writes nothing, so it takes no write lock (SQLite: BEGIN IMMEDIATE).
            with nullcontext() if dry_run else transaction.atomic():
                row = _delete_pupil(pupil.pk, today=today, years=years, dry_run=dry_run)
            if row is not None:
                report.rows.append(row)
    if not dry_run:
        logger.info(
            "Pupil retention for %s: %d deleted, %d blocked",
            today,
            report.deleted,
            report.blocked,
        )
    return report
