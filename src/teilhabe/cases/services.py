"""Business rules of KIM case management.

Functions take the acting user first, check the permission themselves and write their change
with its history in one transaction, so views, the API and commands share the same rules.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connections, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from teilhabe.core.audit import records_actor
from teilhabe.core.conflicts import EditConflict as EditConflict  # re-exported for callers
from teilhabe.core.conflicts import check_version
from teilhabe.core.matching import NAME_THRESHOLD, name_key, name_similarity, normalise_name
from teilhabe.core.models import AccessLog, CaseArea, Centre, User
from teilhabe.core.roles import Role
from teilhabe.core.services import InCentre, ensure_allowed
from teilhabe.network.models import Actor

from .models import (
    Action,
    AgencyResponsibility,
    Appointment,
    Case,
    CaseConference,
    Consent,
    Contact,
    Goal,
    Handover,
    Household,
    LifeArea,
    NeedAssessment,
    Person,
    PersonLanguage,
    PhaseChange,
    Referral,
    ResidenceStatus,
    SystemGap,
)

#: Fields of a person the intake and person forms edit.
PERSON_FIELDS = (
    "last_name",
    "first_name",
    "native_name",
    "birth_date",
    "sex",
    "nationalities",
    "is_stateless",
    "country_of_origin",
    "arrival_date",
    "street",
    "postcode",
    "municipality",
    "phone",
    "email",
    "preferred_channel",
    "legal_domains",
)
#: Fields of a case the case form edits.
CASE_FIELDS = ("case_area", "priority", "is_hardship", "summary", "controller")

#: The next phase of each open phase; monitoring may go back to implementation.
NEXT_PHASE = {
    Case.Phase.INTAKE: Case.Phase.ASSESSMENT,
    Case.Phase.ASSESSMENT: Case.Phase.PLANNING,
    Case.Phase.PLANNING: Case.Phase.IMPLEMENTATION,
    Case.Phase.IMPLEMENTATION: Case.Phase.MONITORING,
}
PHASE_STEPS = {
    **{phase: {following} for phase, following in NEXT_PHASE.items()},
    Case.Phase.MONITORING: {Case.Phase.IMPLEMENTATION},
}

#: Referral statuses each status may move to, and who moves it.
REFERRAL_ANSWERS = {
    Referral.Status.SENT: {Referral.Status.ACCEPTED, Referral.Status.DECLINED},
    Referral.Status.ACCEPTED: {Referral.Status.STARTED, Referral.Status.DECLINED},
    Referral.Status.STARTED: {Referral.Status.COMPLETED},
}


class PossibleDuplicate(ValidationError):
    """The person may already be known to the centre."""

    def __init__(self, matches: list[DuplicateMatch]) -> None:
        super().__init__(
            _(
                "A person with a similar name or the same date of birth is already known. Open "
                "the existing case, or confirm that this is a different person."
            ),
            code="duplicate",
        )
        self.matches = matches


# --- Person and intake ----------------------------------------------------------------------


#: Candidates the duplicate check reads at most from each pool (born that day; same name key).
CANDIDATES = 300


@dataclass(frozen=True)
class DuplicateMatch:
    person: Person
    score: float
    same_birth_date: bool


def find_duplicates(
    centre: Centre,
    *,
    last_name: str,
    first_name: str,
    birth_date: datetime.date | None,
    exclude: Person | None = None,
) -> list[DuplicateMatch]:
    """Return persons of ``centre`` who may be the same person, most likely first.

    Same date of birth with a similar name, or a very similar name (spelling variants of a
    transliteration: "Hamdan, Mohammed"/"Hamdan, Muhammad") with no date to tell them apart.
    The candidates for the second are those whose name sounds the same (``Person.name_key``).
    """
    wanted = normalise_name(f"{last_name} {first_name}")
    # No order: the scores sort the matches, and ordering by name would read every candidate.
    candidates = Person.objects.for_centre(centre).filter(merged_into__isnull=True).order_by()
    if exclude is not None:
        candidates = candidates.exclude(pk=exclude.pk)
    # Two small pools, each through an index: the persons born that day, and those whose name
    # sounds the same (a Köln-sized centre has a thousand persons of a common family name; the
    # key narrows them to the few with the same first name too).
    key = name_key(wanted)
    pool = candidates.filter(birth_date=birth_date) if birth_date else candidates.none()
    by_name = candidates.filter(name_key=key) if key else candidates.none()
    columns = ("pk", "search_name", "birth_date")
    same_day_rows = pool.values_list(*columns)[:CANDIDATES]
    name_rows = by_name.values_list(*columns)[:CANDIDATES]
    if connections[candidates.db].features.supports_slicing_ordering_in_compound:
        # Both lists, each with its own limit, in one round trip (the case file runs this on
        # every view).
        rows = list(same_day_rows.union(name_rows, all=True))
    else:
        rows = [*same_day_rows, *name_rows]
    found: dict[int, tuple[float, bool]] = {}
    for pk, search_name, born in rows:
        score = name_similarity(wanted, search_name)
        same_day = birth_date is not None and born == birth_date
        if (same_day and score >= 60) or (
            score >= NAME_THRESHOLD and (birth_date is None or born is None or same_day)
        ):
            found[pk] = (score, same_day)
    persons = candidates.in_bulk(list(found)) if found else {}
    matches = [DuplicateMatch(persons[pk], *found[pk]) for pk in found if pk in persons]
    return sorted(matches, key=lambda m: (not m.same_birth_date, -m.score))


def next_reference(centre: Centre, day: datetime.date) -> str:
    """Return the next free case reference of ``centre`` in the year of ``day``."""
    prefix = f"KIM-{day.year}-"
    last = (
        Case.objects.for_centre(centre)
        .filter(reference__startswith=prefix)
        .aggregate(last=Max("reference"))["last"]
    )
    number = int(last.rsplit("-", 1)[1]) + 1 if last else 1
    return f"{prefix}{number:05d}"


def default_area(centre: Centre, person: Person) -> CaseArea | None:
    """Return the Bezirk of the person's Gemeinde if exactly one Bezirk covers it."""
    if person.municipality_id is None:
        return None
    areas = list(centre.case_areas.filter(municipalities=person.municipality_id)[:2])
    return areas[0] if len(areas) == 1 else None


@records_actor
@transaction.atomic
def open_case(
    actor: User,
    centre: Centre,
    *,
    person: dict[str, Any] | Person,
    case_area: CaseArea | None = None,
    priority: int = Case.Priority.NORMAL,
    is_hardship: bool = False,
    summary: str = "",
    assign_to: User | None = None,
    confirmed_new_person: bool = False,
    opened_on: datetime.date | None = None,
) -> Case:
    """Record a first contact: the person (new or known) and their case in the intake phase.

    Without ``assign_to`` the case waits on the Bezirk's waiting list. A new person who looks
    like a known one is refused with :class:`PossibleDuplicate` until ``confirmed_new_person``.
    """
    ensure_allowed(actor, "cases.add_case", InCentre(centre))
    if isinstance(person, Person):
        if person.centre_id != centre.pk:
            raise PermissionDenied
        if (
            Case.objects.for_centre(centre)
            .filter(person=person)
            .exclude(phase=Case.Phase.CLOSED)
            .exists()
        ):
            raise ValidationError(_("This person already has an open case."))
    else:
        data = dict(person)
        if not confirmed_new_person:
            matches = find_duplicates(
                centre,
                last_name=data["last_name"],
                first_name=data["first_name"],
                birth_date=data.get("birth_date"),
            )
            if matches:
                raise PossibleDuplicate(matches)
        person = Person(centre=centre, **data)
        person.full_clean()
        person.save()
    if case_area is not None and case_area.centre_id != centre.pk:
        raise ValidationError({"case_area": _("This Bezirk belongs to another centre.")})
    if assign_to is not None:
        _ensure_case_manager(assign_to, centre)
    from .retention import settings_for

    opened_on = opened_on or timezone.localdate()
    case = Case(
        centre=centre,
        person=person,
        case_area=case_area or default_area(centre, person),
        priority=priority,
        is_hardship=is_hardship,
        summary=summary,
        controller=settings_for(centre).controller,
        opened_on=opened_on,
        case_manager=assign_to,
        assigned_on=opened_on if assign_to else None,
    )
    for _attempt in range(5):
        case.reference = next_reference(centre, opened_on)
        try:
            with transaction.atomic():
                case.save()
            break
        except IntegrityError:
            continue  # another intake took the number at the same moment
    else:  # pragma: no cover - five concurrent intakes in one instant
        raise ValidationError(_("No case reference could be given; please try again."))
    PhaseChange.objects.create(case=case, to_phase=case.phase, by=actor)
    return case


@records_actor
@transaction.atomic
def update_person(
    actor: User, person: Person, *, case: Case, version: int | None, **fields: Any
) -> Person:
    """Change a person's data; refused with :class:`EditConflict` if it changed meanwhile."""
    ensure_allowed(actor, "cases.change_case", case)
    if person.pk != case.person_id and person.household_id != case.person.household_id:
        raise PermissionDenied
    current = Person.objects.select_for_update().get(pk=person.pk)
    check_version(current, version)
    unknown = set(fields) - set(PERSON_FIELDS) - {"relation"}
    if unknown:
        raise ValueError(f"not person fields: {sorted(unknown)}")
    for name, value in fields.items():
        setattr(current, name, value)
    current.version += 1
    current.full_clean()
    current.save()
    return current


@records_actor
@transaction.atomic
def update_case(actor: User, case: Case, *, version: int | None, **fields: Any) -> Case:
    """Change a case's data; refused with :class:`EditConflict` if it changed meanwhile."""
    ensure_allowed(actor, "cases.change_case", case)
    current = Case.objects.select_for_update().get(pk=case.pk)
    check_version(current, version)
    unknown = set(fields) - set(CASE_FIELDS)
    if unknown:
        raise ValueError(f"not case fields: {sorted(unknown)}")
    area = fields.get("case_area")
    if area is not None and area.centre_id != current.centre_id:
        raise ValidationError({"case_area": _("This Bezirk belongs to another centre.")})
    for name, value in fields.items():
        setattr(current, name, value)
    _save_case(current)
    return current


def _save_case(case: Case) -> None:
    case.version += 1
    case.full_clean()
    case.save()


@records_actor
@transaction.atomic
def merge_persons(actor: User, keep: Person, duplicate: Person, *, case: Case) -> Person:
    """Merge ``duplicate`` into ``keep``: cases, languages, statuses, agencies and consents move.

    Empty fields of ``keep`` take the duplicate's value. The duplicate stays as an emptied
    record pointing to ``keep``, so the history of both is kept.
    """
    ensure_allowed(actor, "cases.change_case", case)
    if keep.pk == duplicate.pk or keep.centre_id != duplicate.centre_id:
        raise ValidationError(_("Only two different persons of the same centre can be merged."))
    if case.person_id not in (keep.pk, duplicate.pk):
        raise PermissionDenied
    for other in Case.objects.for_centre(case.centre).filter(person=duplicate):
        ensure_allowed(actor, "cases.change_case", other)
    open_cases = (
        Case.objects.for_centre(case.centre)
        .filter(person__in=[keep, duplicate])
        .exclude(phase=Case.Phase.CLOSED)
        .count()
    )
    if open_cases > 1:
        raise ValidationError(
            _("Both persons have an open case. Close one of the cases before merging.")
        )
    keep = Person.objects.select_for_update().get(pk=keep.pk)
    for name in PERSON_FIELDS:
        if getattr(keep, name) in ("", None, []) and getattr(duplicate, name) not in ("", None):
            setattr(keep, name, getattr(duplicate, name))
    keep.legal_domains = sorted(set(keep.legal_domains) | set(duplicate.legal_domains))
    keep.version += 1
    keep.save()
    for model in (Case, PersonLanguage, ResidenceStatus, AgencyResponsibility, Consent):
        for row in model.objects.with_scopes_disabled().filter(person=duplicate):
            row.person = keep
            row.save()
    duplicate.merged_into = keep
    duplicate.version += 1
    duplicate.save()
    return keep


def _ensure_case_manager(user: User, centre: Centre) -> None:
    if not user.has_role(Role.CASE_MANAGER, centre=centre.pk):
        raise ValidationError(_("Only a case manager of this centre can take over a case."))


def case_managers(centre: Centre) -> list[User]:
    """Return the active case managers of ``centre``, by name."""
    return list(
        User.objects.filter(
            memberships__centre=centre,
            memberships__role=Role.CASE_MANAGER,
            memberships__is_active=True,
            is_active=True,
        )
        .distinct()
        .order_by("last_name", "first_name")
    )


@records_actor
@transaction.atomic
def assign_case(actor: User, case: Case, *, case_manager: User, note: str = "") -> Case:
    """Give a case to a case manager: from the waiting list, or as a handover with a note."""
    ensure_allowed(actor, "cases.change_case", case)
    current = Case.objects.select_for_update().get(pk=case.pk)
    if current.is_closed:
        raise ValidationError(_("A closed case cannot be assigned."))
    _ensure_case_manager(case_manager, current.centre)
    if current.case_manager_id == case_manager.pk:
        raise ValidationError(_("The case is already assigned to this case manager."))
    if current.case_manager_id is not None and not note.strip():
        raise ValidationError({"note": _("Please write a handover note for your colleague.")})
    Handover.objects.create(
        case=current, from_user=current.case_manager, to_user=case_manager, note=note.strip()
    )
    current.case_manager = case_manager
    current.assigned_on = current.assigned_on or timezone.localdate()
    _save_case(current)
    return current


# --- Phases ---------------------------------------------------------------------------------


@records_actor
@transaction.atomic
def change_phase(actor: User, case: Case, *, to: str, reason: str = "") -> Case:
    """Move a case to the next phase (or from monitoring back to implementation)."""
    ensure_allowed(actor, "cases.change_case", case)
    current = Case.objects.select_for_update().get(pk=case.pk)
    if to not in Case.Phase.values:
        raise ValidationError(_("Choose the phase the case moves to."))
    if to not in PHASE_STEPS.get(current.phase, set()):
        raise ValidationError(
            _("A case in phase “%(phase)s” cannot move to “%(to)s”.")
            % {"phase": current.get_phase_display(), "to": Case.Phase(to).label}
        )
    if to == Case.Phase.ASSESSMENT and current.case_manager_id is None:
        raise ValidationError(_("Assign the case to a case manager before the assessment."))
    if to == Case.Phase.PLANNING and not current.assessments.exists():
        raise ValidationError(_("Record a needs assessment before planning help."))
    if to == Case.Phase.IMPLEMENTATION and not current.goals.exists():
        raise ValidationError(_("The help plan needs at least one goal before implementation."))
    if current.phase == Case.Phase.MONITORING and not reason.strip():
        raise ValidationError({"reason": _("Please give a reason for going back.")})
    PhaseChange.objects.create(
        case=current, from_phase=current.phase, to_phase=to, reason=reason.strip(), by=actor
    )
    current.phase = to
    _save_case(current)
    return current


@dataclass(frozen=True)
class ClosingPreview:
    open_referrals: list[Referral]
    open_actions: list[Action]


def closing_preview(case: Case) -> ClosingPreview:
    """Return what closing the case will end: its open referrals and actions."""
    referrals = [r for r in case.referrals.select_related("agency") if r.is_open]
    actions = [a for a in case.actions.all() if a.is_open]
    return ClosingPreview(referrals, actions)


@records_actor
@transaction.atomic
def close_case(
    actor: User,
    case: Case,
    *,
    reason: str,
    note: str = "",
    closed_on: datetime.date | None = None,
) -> Case:
    """Close a case: open referrals are cancelled, open actions ended; retention starts now."""
    ensure_allowed(actor, "cases.change_case", case)
    current = Case.objects.select_for_update().get(pk=case.pk)
    if current.is_closed:
        raise ValidationError(_("The case is already closed."))
    if reason not in Case.ClosingReason.values:
        raise ValidationError({"reason": _("Please choose a closing reason.")})
    if reason == Case.ClosingReason.OTHER and not note.strip():
        raise ValidationError({"note": _("Please describe the other reason.")})
    from .retention import erase_date

    closed_on = closed_on or timezone.localdate()
    for referral in current.referrals.all():
        if referral.is_open:
            referral.status = Referral.Status.CANCELLED
            referral.answer = referral.answer or _("Cancelled: the case was closed.")
            referral.save()
    for action in current.actions.all():
        if action.is_open:
            action.is_cancelled = True
            action.save()
    PhaseChange.objects.create(
        case=current, from_phase=current.phase, to_phase=Case.Phase.CLOSED, by=actor
    )
    current.phase = Case.Phase.CLOSED
    current.closing_reason = reason
    current.closing_note = note.strip()
    current.closed_on = closed_on
    current.erase_on = erase_date(current.centre, closed_on)
    _save_case(current)
    return current


@records_actor
@transaction.atomic
def reopen_case(actor: User, case: Case, *, reason: str) -> Case:
    """Reopen a closed case in the phase it was closed from; the erasure date is cleared."""
    ensure_allowed(actor, "cases.change_case", case)
    current = Case.objects.select_for_update().get(pk=case.pk)
    if not current.is_closed:
        raise ValidationError(_("Only a closed case can be reopened."))
    if not reason.strip():
        raise ValidationError({"reason": _("Please give the reason for reopening.")})
    if (
        Case.objects.for_centre(current.centre)
        .filter(person=current.person_id)
        .exclude(pk=current.pk)
        .exclude(phase=Case.Phase.CLOSED)
        .exists()
    ):
        raise ValidationError(_("This person already has another open case."))
    last = current.phase_changes.filter(to_phase=Case.Phase.CLOSED).last()
    phase = last.from_phase if last and last.from_phase else Case.Phase.ASSESSMENT
    PhaseChange.objects.create(
        case=current,
        from_phase=Case.Phase.CLOSED,
        to_phase=phase,
        reason=reason.strip(),
        by=actor,
    )
    current.phase = phase
    current.closed_on = None
    current.closing_reason = ""
    current.erase_on = None
    _save_case(current)
    return current


# --- Needs, help plan, contacts -------------------------------------------------------------


@records_actor
@transaction.atomic
def record_assessment(
    actor: User,
    case: Case,
    *,
    scores: dict[str, int | None],
    assessed_on: datetime.date | None = None,
    note: str = "",
) -> NeedAssessment:
    """Record the situation in each life area (1 = acute need … 5 = no support needed)."""
    ensure_allowed(actor, "cases.change_case", case)
    _ensure_open(case)
    clean = {}
    for area, score in scores.items():
        if area not in LifeArea.values:
            raise ValidationError(_("Unknown life area."))
        if score is None:
            continue
        if not 1 <= int(score) <= 5:
            raise ValidationError(_("Scores go from 1 to 5."))
        clean[area] = int(score)
    if not clean:
        raise ValidationError(_("Assess at least one life area."))
    assessed_on = assessed_on or timezone.localdate()
    if assessed_on > timezone.localdate():
        raise ValidationError({"assessed_on": _("An assessment cannot lie in the future.")})
    assessment = NeedAssessment.objects.create(
        case=case, scores=clean, assessed_on=assessed_on, note=note, by=actor
    )
    latest = case.assessments.order_by("assessed_on", "pk").last()
    if latest is not None and latest.pk == assessment.pk:
        current = Case.objects.select_for_update().get(pk=case.pk)
        current.needs = sorted(assessment.needs())
        current.save(update_fields=["needs", "updated"])  # not an edit of the case's data
    return assessment


def _ensure_open(case: Case) -> None:
    if case.is_closed:
        raise ValidationError(_("The case is closed. Reopen it to record more."))


@records_actor
@transaction.atomic
def add_goal(actor: User, case: Case, *, life_area: str, description: str) -> Goal:
    """Add a goal for one life area to the help plan."""
    ensure_allowed(actor, "cases.change_case", case)
    _ensure_open(case)
    goal = Goal(case=case, life_area=life_area, description=description.strip())
    goal.full_clean()
    goal.save()
    return goal


@records_actor
@transaction.atomic
def set_goal_status(actor: User, goal: Goal, *, status: str) -> Goal:
    ensure_allowed(actor, "cases.change_case", goal.case)
    if status not in Goal.Status.values:
        raise ValidationError(_("Unknown status."))
    goal.status = status
    goal.save()
    return goal


@records_actor
@transaction.atomic
def add_action(
    actor: User,
    case: Case,
    *,
    description: str,
    responsible: str,
    goal: Goal | None = None,
    agency: Actor | None = None,
    due_on: datetime.date | None = None,
    conference: CaseConference | None = None,
) -> Action:
    """Agree a step of the help plan: what, who does it, by when."""
    ensure_allowed(actor, "cases.change_case", case)
    _ensure_open(case)
    if goal is not None and goal.case_id != case.pk:
        raise ValidationError({"goal": _("This goal belongs to another case.")})
    if responsible == Action.Responsible.AGENCY and agency is None:
        raise ValidationError({"agency": _("Choose the agency that does this step.")})
    if agency is not None and agency.centre_id != case.centre_id:
        raise ValidationError({"agency": _("This agency belongs to another centre.")})
    if responsible != Action.Responsible.AGENCY:
        agency = None
    action = Action(
        case=case,
        goal=goal,
        description=description.strip(),
        responsible=responsible,
        agency=agency,
        due_on=due_on,
        conference=conference,
    )
    action.full_clean()
    action.save()
    return action


@records_actor
@transaction.atomic
def complete_action(actor: User, action: Action, *, done_on: datetime.date | None = None) -> Action:
    ensure_allowed(actor, "cases.change_case", action.case)
    if not action.is_open:
        raise ValidationError(_("This step is already done or cancelled."))
    action.done_on = done_on or timezone.localdate()
    action.save()
    return action


@records_actor
@transaction.atomic
def record_contact(
    actor: User,
    case: Case,
    *,
    date: datetime.date,
    duration: int,
    channel: str,
    themes: dict[str, int],
    interpreter_language: str = "",
    notes: str = "",
) -> Contact:
    """Log a counselling contact; the minutes per theme add up to at most its duration."""
    ensure_allowed(actor, "cases.change_case", case)
    _ensure_open(case)
    if date > timezone.localdate():
        raise ValidationError({"date": _("A contact cannot lie in the future.")})
    if date < case.opened_on:
        raise ValidationError({"date": _("The contact lies before the case was opened.")})
    themes = {area: int(minutes) for area, minutes in themes.items() if minutes}
    if any(area not in LifeArea.values for area in themes):
        raise ValidationError(_("Unknown theme."))
    if sum(themes.values()) > duration:
        raise ValidationError(
            _("The minutes per theme (%(sum)s) exceed the duration of the contact (%(d)s).")
            % {"sum": sum(themes.values()), "d": duration}
        )
    contact = Contact(
        case=case,
        date=date,
        duration=duration,
        channel=channel,
        themes=themes,
        interpreter_language=interpreter_language.strip(),
        notes=notes,
        by=actor,
    )
    contact.full_clean()
    contact.save()
    return contact


@records_actor
@transaction.atomic
def add_appointment(
    actor: User,
    case: Case,
    *,
    starts: datetime.datetime,
    place: str = "",
    interpreter_language: str = "",
    note: str = "",
) -> Appointment:
    ensure_allowed(actor, "cases.change_case", case)
    _ensure_open(case)
    appointment = Appointment(
        case=case, starts=starts, place=place, interpreter_language=interpreter_language, note=note
    )
    appointment.full_clean()
    appointment.save()
    return appointment


# --- Residence, languages, agencies ---------------------------------------------------------


@records_actor
@transaction.atomic
def add_residence_status(actor: User, case: Case, **fields: Any) -> ResidenceStatus:
    """Record a (new) residence status; the earlier ones stay as the history."""
    ensure_allowed(actor, "cases.change_case", case)
    status = ResidenceStatus(person=case.person, **fields)
    if status.valid_until and status.valid_until < status.valid_from:
        raise ValidationError({"valid_until": _("“Valid until” lies before “valid from”.")})
    status.full_clean()
    status.save()
    return status


@records_actor
@transaction.atomic
def add_language(actor: User, case: Case, **fields: Any) -> PersonLanguage:
    ensure_allowed(actor, "cases.change_case", case)
    language = PersonLanguage(person=case.person, **fields)
    language.full_clean()
    language.save()
    return language


@records_actor
@transaction.atomic
def add_agency(actor: User, case: Case, *, agency: Actor, **fields: Any) -> AgencyResponsibility:
    """Record an agency responsible for the person, with its file reference."""
    ensure_allowed(actor, "cases.change_case", case)
    if agency.centre_id != case.centre_id:
        raise ValidationError({"agency": _("This agency belongs to another centre.")})
    responsibility = AgencyResponsibility(person=case.person, agency=agency, **fields)
    responsibility.full_clean()
    responsibility.save()
    return responsibility


@records_actor
@transaction.atomic
def add_household_member(
    actor: User,
    case: Case,
    *,
    last_name: str,
    first_name: str,
    relation: str,
    birth_date: datetime.date | None = None,
) -> Person:
    """Record a member of the person's household; the household is made on first use."""
    ensure_allowed(actor, "cases.change_case", case)
    if relation == Person.Relation.SELF:
        raise ValidationError({"relation": _("The reference person is the case's person.")})
    person = Person.objects.select_for_update().get(pk=case.person_id)
    if person.household_id is None:
        person.household = Household.objects.create(
            centre=case.centre, name=_("Household %(name)s") % {"name": person.last_name}
        )
        person.relation = Person.Relation.SELF
        person.version += 1
        person.save()
    member = Person(
        centre=case.centre,
        household=person.household,
        relation=relation,
        last_name=last_name.strip(),
        first_name=first_name.strip(),
        birth_date=birth_date,
        municipality=person.municipality,
    )
    member.full_clean()
    member.save()
    return member


@records_actor
@transaction.atomic
def remove_person_detail(actor: User, case: Case, obj: Any) -> None:
    """Remove a language or an agency of the case's person (the history keeps it)."""
    ensure_allowed(actor, "cases.change_case", case)
    if (
        not isinstance(obj, PersonLanguage | AgencyResponsibility)
        or obj.person_id != case.person_id
    ):
        raise PermissionDenied
    obj.delete()


# --- Consent --------------------------------------------------------------------------------


@records_actor
@transaction.atomic
def record_consent(
    actor: User,
    case: Case,
    *,
    purpose: str,
    agencies: Iterable[Actor] = (),
    form: str,
    given_on: datetime.date,
    expires_on: datetime.date | None = None,
    signed_by: str = Consent.Signatory.PERSON,
    note: str = "",
) -> list[Consent]:
    """Record a consent for one purpose, one row per receiving agency (none: the centre)."""
    ensure_allowed(actor, "cases.change_case", case)
    if given_on > timezone.localdate():
        raise ValidationError({"given_on": _("A consent cannot be dated in the future.")})
    if expires_on is not None and expires_on < given_on:
        raise ValidationError({"expires_on": _("The consent would expire before it was given.")})
    targets: list[Actor | None] = list(agencies) or [None]
    if purpose != Consent.Purpose.CASE_MANAGEMENT and targets == [None]:
        raise ValidationError({"agencies": _("Name the agencies this consent is for.")})
    consents = []
    for agency in targets:
        if agency is not None and agency.centre_id != case.centre_id:
            raise ValidationError({"agencies": _("This agency belongs to another centre.")})
        consent = Consent(
            person=case.person,
            purpose=purpose,
            agency=agency,
            form=form,
            given_on=given_on,
            expires_on=expires_on,
            signed_by=signed_by,
            note=note,
        )
        consent.full_clean()
        consent.save()
        consents.append(consent)
    return consents


@records_actor
@transaction.atomic
def withdraw_consent(
    actor: User, case: Case, consent: Consent, *, on: datetime.date | None = None
) -> Consent:
    """Withdraw a consent with effect from ``on`` (today): no new transfer rests on it."""
    ensure_allowed(actor, "cases.change_case", case)
    if consent.person_id != case.person_id:
        raise PermissionDenied
    if consent.withdrawn_on is not None:
        raise ValidationError(_("This consent has already been withdrawn."))
    consent.withdrawn_on = on or timezone.localdate()
    consent.save()
    return consent


def valid_consent(
    person: Person, purposes: Iterable[str], agency: Actor, on: datetime.date | None = None
) -> Consent | None:
    """Return a consent in force that covers passing data to ``agency`` for one of ``purposes``."""
    for consent in person.consents.filter(purpose__in=list(purposes), agency=agency):
        if consent.is_valid(on):
            return consent
    return None


def _consent_or_override(
    actor: User,
    case: Case,
    agency: Actor,
    purposes: tuple[str, ...],
    override_reason: str,
    request: Any,
    what: str,
) -> Consent | None:
    """Return the consent covering ``agency``, or allow an override with its own permission."""
    consent = valid_consent(case.person, purposes, agency)
    if consent is not None:
        return consent
    if not override_reason.strip():
        raise ValidationError(
            _(
                "There is no valid consent of the person for passing data to “%(agency)s”. "
                "Record the consent (Schweigepflichtentbindung) first."
            )
            % {"agency": agency}
        )
    if not actor.has_perm("cases.override_consent", case):
        raise ValidationError(
            _(
                "There is no valid consent for “%(agency)s”, and you may not proceed without "
                "one. Ask the centre's management."
            )
            % {"agency": agency}
        )
    _log_override(actor, case, request)
    return None


def _log_override(actor: User, case: Case, request: Any) -> None:
    """Write the override to the access log, where the data protection officer looks."""
    if request is not None:
        AccessLog.record(request, case, action=AccessLog.Action.OVERRIDE, centre=case.centre)
        return
    from django.contrib.contenttypes.models import ContentType

    AccessLog.objects.create(
        user=actor,
        user_email=actor.email,
        role=",".join(sorted(actor.roles(case.centre))),
        centre=case.centre,
        action=AccessLog.Action.OVERRIDE,
        content_type=ContentType.objects.get_for_model(Case),
        object_id=str(case.pk),
    )


# --- Referrals ------------------------------------------------------------------------------


@records_actor
@transaction.atomic
def send_referral(
    actor: User,
    case: Case,
    *,
    agency: Actor | None = None,
    offer: Any = None,
    reason: str,
    override_reason: str = "",
    request: Any = None,
) -> Referral:
    """Refer the person to an agency or an offer; the person must have consented to it."""
    ensure_allowed(actor, "cases.change_case", case)
    _ensure_open(case)
    if offer is not None:
        if offer.centre_id != case.centre_id:
            raise ValidationError({"offer": _("This offer belongs to another centre.")})
        agency = agency or offer.provider
    if agency is None:
        raise ValidationError({"agency": _("Choose the agency or offer to refer to.")})
    if agency.centre_id != case.centre_id:
        raise ValidationError({"agency": _("This agency belongs to another centre.")})
    if not reason.strip():
        raise ValidationError({"reason": _("Describe what the person needs from the agency.")})
    consent = _consent_or_override(
        actor,
        case,
        agency,
        (Consent.Purpose.REFERRAL,),
        override_reason,
        request,
        "referral",
    )
    return Referral.objects.create(
        case=case,
        agency=agency,
        offer=offer,
        reason=reason.strip(),
        consent=consent,
        override_reason="" if consent else override_reason.strip(),
    )


@records_actor
@transaction.atomic
def answer_referral(actor: User, referral: Referral, *, status: str, answer: str = "") -> Referral:
    """Move a referral on: the agency accepts, declines (with reason), starts, completes it."""
    if status not in Referral.Status.values:
        raise ValidationError({"status": _("Choose the new status.")})
    is_partner = actor.has_perm("cases.answer_referral", referral)
    if not is_partner:
        ensure_allowed(actor, "cases.change_case", referral.case)
    current = Referral.objects.with_scopes_disabled().select_for_update().get(pk=referral.pk)
    if status == Referral.Status.CANCELLED:
        if is_partner and not actor.has_perm("cases.change_case", referral.case):
            raise PermissionDenied
        allowed = current.is_open
    else:
        allowed = status in REFERRAL_ANSWERS.get(current.status, set())
    if not allowed:
        raise ValidationError(
            _("A referral that is “%(status)s” cannot become “%(to)s”.")
            % {"status": current.get_status_display(), "to": Referral.Status(status).label}
        )
    if status == Referral.Status.DECLINED and not answer.strip():
        raise ValidationError({"answer": _("Please give the reason for declining.")})
    current.status = status
    if answer.strip():
        current.answer = answer.strip()
    current.answered_on = timezone.localdate()
    current.save()
    return current


# --- Case conferences -----------------------------------------------------------------------


@records_actor
@transaction.atomic
def plan_conference(
    actor: User,
    case: Case,
    *,
    date: datetime.datetime,
    agencies: Iterable[Actor],
    place: str = "",
    other_participants: str = "",
    agenda: str = "",
    override_reason: str = "",
    request: Any = None,
) -> CaseConference:
    """Invite agencies to a case conference; each needs the person's consent (or an override)."""
    ensure_allowed(actor, "cases.change_case", case)
    _ensure_open(case)
    agencies = list(agencies)
    if not agencies:
        raise ValidationError({"agencies": _("Invite at least one agency.")})
    missing = []
    for agency in agencies:
        if agency.centre_id != case.centre_id:
            raise ValidationError({"agencies": _("This agency belongs to another centre.")})
        purposes = (Consent.Purpose.CONFERENCE, Consent.Purpose.REFERRAL)
        if valid_consent(case.person, purposes, agency) is None:
            missing.append(agency)
    if missing:
        names = ", ".join(str(a) for a in missing)
        if not override_reason.strip():
            raise ValidationError(
                _(
                    "There is no valid consent for inviting: %(names)s. Record the consent "
                    "first, or invite only agencies the person has consented to."
                )
                % {"names": names}
            )
        for agency in missing:
            _consent_or_override(actor, case, agency, (), override_reason, request, "conference")
    conference = CaseConference(
        case=case,
        date=date,
        place=place,
        other_participants=other_participants,
        agenda=agenda,
        override_reason=override_reason.strip() if missing else "",
    )
    conference.full_clean()
    conference.save()
    conference.agencies.set(agencies)
    return conference


@dataclass(frozen=True)
class AgreedStep:
    description: str
    responsible: str
    agency: Actor | None = None
    due_on: datetime.date | None = None
    goal: Goal | None = None


@records_actor
@transaction.atomic
def record_conference_minutes(
    actor: User, conference: CaseConference, *, minutes: str, steps: Iterable[AgreedStep] = ()
) -> CaseConference:
    """Record what the conference agreed; its steps become actions of the help plan."""
    case = conference.case
    ensure_allowed(actor, "cases.change_case", case)
    if not minutes.strip():
        raise ValidationError({"minutes": _("Please write the minutes.")})
    if conference.date > timezone.now():
        raise ValidationError(_("The conference has not taken place yet."))
    for step in steps:
        add_action(
            actor,
            case,
            description=step.description,
            responsible=step.responsible,
            agency=step.agency,
            due_on=step.due_on,
            goal=step.goal,
            conference=conference,
        )
    conference.minutes = minutes.strip()
    conference.held = True
    conference.save()
    return conference


# --- System gaps ----------------------------------------------------------------------------


@records_actor
@transaction.atomic
def report_system_gap(
    actor: User, case: Case, *, category: str, description: str, agency: Actor | None = None
) -> SystemGap:
    """Report a structural barrier the case revealed; it carries no personal data."""
    ensure_allowed(actor, "cases.report_system_gap", case)
    person = case.person
    text = normalise_name(description)
    for part in (person.last_name, person.first_name, case.reference):
        if part and len(part) > 2 and normalise_name(part) in text:
            raise ValidationError(
                {"description": _("Please describe the barrier without naming the person.")}
            )
    if agency is not None and agency.centre_id != case.centre_id:
        raise ValidationError({"agency": _("This agency belongs to another centre.")})
    gap = SystemGap(
        centre=case.centre,
        case=case,
        category=category,
        agency=agency,
        description=description.strip(),
        reported_by=actor,
    )
    gap.full_clean()
    gap.save()
    return gap
