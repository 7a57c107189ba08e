"""Retention: closed cases are erased when their purpose has ended (Art. 5 (1) e, Art. 17 DSGVO).

A closed case gets a deletion date, ``erase_on`` = day of closure + the centre's retention years
(:func:`erase_date`, default 3). The retention run (``teilhabe retention``, daily) erases every
closed case whose date has come, unless a legal hold is set, and writes one entry per case to the
erasure journal (:class:`~teilhabe.cases.models.ErasureEntry`), which holds counts, never content.

What one erasure removes, in one transaction per case:

- the case and every row under it (contacts, assessments, goals, actions, appointments,
  referrals, conferences, phase changes, handovers, documents) and, once the transaction is
  committed, the documents' files in storage;
- the person, with languages, residence statuses, responsible agencies and consents, when no
  other case of theirs is left (a person with another case is kept as they are), together with
  the person records that were merged into them;
- the household, when none of its members has a case left; its other members, who were
  recorded only as part of this case's household, go with it;
- the versions (django-auditlog ``LogEntry`` rows) of every erased row. The history of a record
  holds the same personal data as the record: an erasure that left it would erase nothing.
  The deletion itself writes no new versions. The access log (``core.AccessLog``) is kept: it is
  append-only, holds only record ids and is the data protection officer's proof of who read what.

System gaps (``SystemGap``) are kept with their case link cleared: they describe barriers, not
people. The dry run goes through exactly the same steps without deleting anything, so its report
is the report of a real run on the same day.

The run is a system job across centres: it reads with scopes disabled and filters by centre
explicitly where one is given.
"""

from __future__ import annotations

import datetime
import logging
import uuid
from collections import defaultdict
from collections.abc import Iterable
from contextlib import nullcontext
from dataclasses import dataclass, field
from typing import Any

from auditlog.context import disable_auditlog
from auditlog.models import LogEntry
from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import DEFAULT_DB_ALIAS, models, transaction
from django.db.models.deletion import Collector, ProtectedError
from django.utils import timezone
from django.utils.translation import gettext as _
from django_scopes import scopes_disabled

from teilhabe.core.audit import records_actor
from teilhabe.core.dates import add_years
from teilhabe.core.models import Centre, User
from teilhabe.core.services import ensure_allowed

from .models import Case, CaseSettings, Document, ErasureEntry, Household, Person

logger = logging.getLogger(__name__)

#: Bounds of the retention period a centre may choose, in years.
MIN_RETENTION_YEARS = 1
MAX_RETENTION_YEARS = 30

#: Outcome of a case the run could not erase because another record still points to it.
BLOCKED = "blocked"
#: Keys of ``removed`` that are not model labels.
FILES = "files"
HISTORY = LogEntry._meta.label_lower


def settings_for(centre: Centre) -> CaseSettings:
    """Return the case management settings of ``centre``, creating the defaults if it has none."""
    with scopes_disabled():
        return CaseSettings.objects.get_or_create(centre=centre)[0]


def retention_years(centre: Centre) -> int:
    """Return how many years ``centre`` keeps closed cases (without creating its settings)."""
    with scopes_disabled():
        years = (
            CaseSettings.objects.filter(centre=centre)
            .values_list("retention_years", flat=True)
            .first()
        )
    return years or CaseSettings._meta.get_field("retention_years").get_default()


def erase_date(centre: Centre, closed_on: datetime.date) -> datetime.date:
    """Return the day a case of ``centre`` closed on ``closed_on`` is due for erasure."""
    return add_years(closed_on, retention_years(centre))


@records_actor
@transaction.atomic
def save_case_settings(actor: User, centre: Centre, **fields: Any) -> CaseSettings:
    """Change the case management settings of ``centre``.

    A new retention period applies to every closed case of the centre: their deletion dates
    are moved, so the rule "closure + retention years" holds for all of them.
    """
    settings = settings_for(centre)
    ensure_allowed(actor, "cases.change_settings", settings)
    unknown = set(fields) - {"retention_years", "eligibility", "controller"}
    if unknown:
        raise TypeError(f"Unknown settings: {', '.join(sorted(unknown))}")
    years = fields.get("retention_years", settings.retention_years)
    if not isinstance(years, int) or not MIN_RETENTION_YEARS <= years <= MAX_RETENTION_YEARS:
        raise ValidationError(
            {
                "retention_years": _("Choose between %(min)d and %(max)d years.")
                % {"min": MIN_RETENTION_YEARS, "max": MAX_RETENTION_YEARS}
            }
        )
    changed_years = years != settings.retention_years
    for name, value in fields.items():
        setattr(settings, name, value)
    settings.full_clean(exclude=["centre"], validate_unique=False)
    settings.save()
    if changed_years:
        with scopes_disabled():
            closed = Case.objects.filter(centre=centre, phase=Case.Phase.CLOSED).exclude(
                closed_on=None
            )
            for case in closed:
                due = add_years(case.closed_on, years)
                if case.erase_on != due:
                    case.erase_on = due
                    case.version += 1
                    case.save(update_fields=["erase_on", "version", "updated"])
    return settings


@records_actor
@transaction.atomic
def set_legal_hold(actor: User, case: Case, *, hold: bool, reason: str = "") -> Case:
    """Set or clear the legal hold of a case; a held case is not erased while the hold lasts."""
    ensure_allowed(actor, "cases.change_case", case)
    reason = reason.strip()
    if hold and not reason:
        raise ValidationError({"legal_hold_reason": _("Give the reason for the legal hold.")})
    limit = Case._meta.get_field("legal_hold_reason").max_length
    if len(reason) > limit:
        raise ValidationError(
            {"legal_hold_reason": _("Use at most %(limit)d characters.") % {"limit": limit}}
        )
    case.legal_hold = hold
    case.legal_hold_reason = reason if hold else ""
    case.version += 1
    case.save()
    return case


@dataclass(frozen=True)
class PlannedErasure:
    """A closed case whose deletion date has come."""

    case_id: int
    centre: Centre
    reference: str
    closed_on: datetime.date | None
    erase_on: datetime.date
    held: bool


def plan_erasure(*, today: datetime.date, centre: Centre | None = None) -> list[PlannedErasure]:
    """Return the closed cases due for erasure on ``today``, held ones included.

    A closed case without a deletion date (closed before dates were set) is due at closure +
    the centre's retention years.
    """
    with scopes_disabled():
        closed = Case.objects.filter(phase=Case.Phase.CLOSED).select_related("centre")
        if centre is not None:
            closed = closed.filter(centre=centre)
        due = list(closed.filter(erase_on__lte=today))
        undated = closed.filter(erase_on=None).exclude(closed_on=None)
        years: dict[int, int] = {}
        for case in undated:
            if case.centre_id not in years:
                years[case.centre_id] = retention_years(case.centre)
            case.erase_on = add_years(case.closed_on, years[case.centre_id])
            if case.erase_on <= today:
                due.append(case)
    due.sort(key=lambda c: (c.centre.name, c.centre_id, c.erase_on, c.pk))
    return [
        PlannedErasure(
            case_id=case.pk,
            centre=case.centre,
            reference=case.reference,
            closed_on=case.closed_on,
            erase_on=case.erase_on,
            held=case.legal_hold,
        )
        for case in due
    ]


@dataclass(frozen=True)
class RetentionRow:
    """What happened (or would happen) to one case."""

    centre: Centre
    reference: str
    closed_on: datetime.date | None
    erase_on: datetime.date
    outcome: str
    #: Counts per kind: model labels (``cases.contact``), ``files`` and the history.
    removed: dict[str, int] = field(default_factory=dict)

    def removed_labels(self) -> list[tuple[str, int]]:
        return removed_labels(self.removed)


@dataclass
class RetentionReport:
    """The result of a retention run, real or dry."""

    today: datetime.date
    dry_run: bool
    run_id: str
    rows: list[RetentionRow] = field(default_factory=list)

    def count(self, outcome: str) -> int:
        return sum(1 for row in self.rows if row.outcome == outcome)

    @property
    def erased(self) -> int:
        return self.count(ErasureEntry.Outcome.ERASED)

    @property
    def held(self) -> int:
        return self.count(ErasureEntry.Outcome.HELD)

    @property
    def blocked(self) -> int:
        return self.count(BLOCKED)

    def totals(self) -> dict[str, int]:
        """Return what is removed across all cases, per kind."""
        totals: dict[str, int] = defaultdict(int)
        for row in self.rows:
            for kind, number in row.removed.items():
                totals[kind] += number
        return dict(sorted(totals.items()))


def removed_labels(removed: dict[str, int]) -> list[tuple[str, int]]:
    """Return ``removed`` as readable names of the kinds with their counts."""
    labels = []
    for kind, number in removed.items():
        if kind == FILES:
            label = _("files")
        elif kind == HISTORY:
            label = _("versions in the history")
        else:
            try:
                label = str(apps.get_model(kind)._meta.verbose_name_plural)
            except (LookupError, ValueError):
                label = kind
        labels.append((label, number))
    return labels


class _ErasureCollector(Collector):
    """Django's deletion collector that treats rows erased earlier in a dry run as gone."""

    def __init__(self, gone: dict[type[models.Model], set[Any]]) -> None:
        super().__init__(using=DEFAULT_DB_ALIAS)
        self.gone = gone

    def related_objects(self, related_model: Any, related_fields: Any, objs: Any) -> Any:
        # Rows collected already are no obstacle: Django's PROTECT would otherwise refuse the
        # person whose case is deleted in the same breath.
        qs = super().related_objects(related_model, related_fields, objs)
        skip = set(self.gone.get(related_model, ()))
        skip.update(obj.pk for obj in self.data.get(related_model, ()))
        return qs.exclude(pk__in=skip) if skip else qs

    def collect_all(self, targets: Iterable[models.Model]) -> None:
        """Collect ``targets`` of several models, one model at a time, in the given order."""
        by_model: dict[type[models.Model], list[models.Model]] = {}
        for obj in targets:
            by_model.setdefault(type(obj), []).append(obj)
        for objs in by_model.values():
            self.collect(objs)

    def collected(self) -> dict[type[models.Model], list[Any]]:
        """Return the primary keys of every row the collector would delete, per model."""
        rows: dict[type[models.Model], list[Any]] = defaultdict(list)
        for model, instances in self.data.items():
            rows[model].extend(obj.pk for obj in instances)
        for qs in self.fast_deletes:
            rows[qs.model].extend(qs.values_list("pk", flat=True))
        return rows


def _has_case(person: Person, gone_cases: Iterable[int]) -> bool:
    return Case.objects.filter(person=person).exclude(pk__in=list(gone_cases)).exists()


def _targets(case: Case, gone: dict[type[models.Model], set[Any]]) -> list[models.Model]:
    """Return the case and the person records that go with it (see the module docstring).

    In the order they are collected: the case, the persons, the household.
    """
    gone_cases = gone.get(Case, set()) | {case.pk}
    gone_persons = gone.get(Person, set())
    person = case.person
    if _has_case(person, gone_cases):
        return [case]
    persons = [person]
    persons += [
        merged
        for merged in person.merged_from.exclude(pk__in=gone_persons)
        if not _has_case(merged, gone_cases)
    ]
    household = person.household
    if household is None or household.pk in gone.get(Household, set()):
        return [case, *persons]
    others = list(
        household.members.exclude(pk__in=[p.pk for p in persons]).exclude(pk__in=gone_persons)
    )
    if any(_has_case(member, gone_cases) for member in others):
        return [case, *persons]
    return [case, *persons, *others, household]


def _history(rows: dict[type[models.Model], list[Any]]) -> models.QuerySet:
    """Return the versions (auditlog entries) of ``rows``."""
    condition = models.Q(pk__in=[])
    for model, pks in rows.items():
        if pks:
            content_type = ContentType.objects.get_for_model(model)
            condition |= models.Q(content_type=content_type, object_pk__in=[str(pk) for pk in pks])
    return LogEntry.objects.filter(condition)


def _erase_case(
    planned: PlannedErasure,
    *,
    today: datetime.date,
    dry_run: bool,
    run_id: str,
    gone: dict[type[models.Model], set[Any]],
) -> RetentionRow | None:
    """Erase (or, in a dry run, pretend to erase) one case; return what happened to it."""
    cases = Case.objects.select_related("person__household", "centre")
    if not dry_run:
        cases = cases.select_for_update(of=("self",))
    case = cases.filter(pk=planned.case_id).first()
    # The case may have been reopened, held or erased since the plan was made.
    if case is None or case.phase != Case.Phase.CLOSED:
        return None
    erase_on = case.erase_on or planned.erase_on
    if erase_on > today:
        return None
    row = RetentionRow(
        centre=case.centre,
        reference=case.reference,
        closed_on=case.closed_on,
        erase_on=erase_on,
        outcome=ErasureEntry.Outcome.HELD,
    )
    if case.legal_hold:
        if not dry_run:
            _journal_hold(row, run_id)
        return row

    collector = _ErasureCollector(gone)
    try:
        collector.collect_all(_targets(case, gone))
    except ProtectedError as error:
        logger.warning(
            "Retention: case %s of %s cannot be erased, still referenced by %s",
            case.pk,
            case.centre.slug,
            ", ".join(sorted({type(obj).__name__ for obj in error.protected_objects})),
        )
        return RetentionRow(
            centre=row.centre,
            reference=row.reference,
            closed_on=row.closed_on,
            erase_on=row.erase_on,
            outcome=BLOCKED,
        )
    rows = collector.collected()
    removed = {
        model._meta.label_lower: len(pks)
        for model, pks in sorted(rows.items(), key=lambda item: item[0]._meta.label_lower)
        if pks and not model._meta.auto_created
    }
    files = [document.file.name for document in collector.data.get(Document, ()) if document.file]
    if files:
        removed[FILES] = len(files)
    history = _history(rows)
    versions = history.count()
    if versions:
        removed[HISTORY] = versions
    row = RetentionRow(
        centre=row.centre,
        reference=row.reference,
        closed_on=row.closed_on,
        erase_on=row.erase_on,
        outcome=ErasureEntry.Outcome.ERASED,
        removed=removed,
    )
    if dry_run:
        for model, pks in rows.items():
            gone.setdefault(model, set()).update(pks)
        return row

    with disable_auditlog():
        collector.delete()
    history.delete()
    storage = Document._meta.get_field("file").storage
    for name in files:
        transaction.on_commit(lambda name=name: _delete_file(storage, name))
    ErasureEntry.objects.create(
        centre=row.centre,
        case_reference=row.reference,
        closed_on=row.closed_on,
        due_on=row.erase_on,
        outcome=ErasureEntry.Outcome.ERASED,
        removed=removed,
        run=run_id,
    )
    return row


def _delete_file(storage: Any, name: str) -> None:
    try:
        storage.delete(name)
    except OSError:
        logger.exception("Retention: the file %s could not be deleted", name)


def _journal_hold(row: RetentionRow, run_id: str) -> None:
    """Journal a held case, once a day: a daily run would otherwise repeat the same entry."""
    already = ErasureEntry.objects.filter(
        centre=row.centre,
        case_reference=row.reference,
        outcome=ErasureEntry.Outcome.HELD,
        at__date=timezone.localdate(),
    ).exists()
    if not already:
        ErasureEntry.objects.create(
            centre=row.centre,
            case_reference=row.reference,
            closed_on=row.closed_on,
            due_on=row.erase_on,
            outcome=ErasureEntry.Outcome.HELD,
            run=run_id,
        )


def new_run_id() -> str:
    return f"{timezone.now():%Y%m%d-%H%M%S}-{uuid.uuid4().hex[:6]}"


def run_retention(
    *,
    today: datetime.date | None = None,
    dry_run: bool = True,
    centre: Centre | None = None,
    run_id: str | None = None,
) -> RetentionReport:
    """Erase the closed cases due on ``today`` (all centres, or one), or report what would go.

    Each case is erased in its own transaction, so one failure leaves the others done.
    """
    today = today or timezone.localdate()
    report = RetentionReport(today=today, dry_run=dry_run, run_id=run_id or new_run_id())
    gone: dict[type[models.Model], set[Any]] = {}
    with scopes_disabled():
        for planned in plan_erasure(today=today, centre=centre):
            # A dry run writes nothing, so it takes no write lock (SQLite: BEGIN IMMEDIATE).
            with nullcontext() if dry_run else transaction.atomic():
                row = _erase_case(
                    planned, today=today, dry_run=dry_run, run_id=report.run_id, gone=gone
                )
            if row is not None:
                report.rows.append(row)
    if not dry_run:
        logger.info(
            "Retention run %s: %d erased, %d held, %d blocked",
            report.run_id,
            report.erased,
            report.held,
            report.blocked,
        )
    return report
