"""Business rules of the Seiteneinsteigerberatung: report, status, counselling, place.

Functions take the acting user first and check the permission themselves.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from teilhabe.core.audit import records_actor
from teilhabe.core.conflicts import check_version
from teilhabe.core.matching import NAME_THRESHOLD, name_similarity, normalise_name
from teilhabe.core.models import Centre, User
from teilhabe.core.services import InCentre, ensure_allowed

from .models import (
    FORM_STAGES,
    Capacity,
    Counselling,
    Guardian,
    Pupil,
    School,
    Stage,
    school_year_of,
)

#: Fields of a pupil the report and intake forms edit.
PUPIL_FIELDS = (
    "last_name",
    "first_name",
    "birth_date",
    "sex",
    "nationality",
    "country_of_origin",
    "arrival_date",
    "registration_date",
    "street",
    "postcode",
    "municipality",
    "family_languages",
    "schooling_languages",
    "years_of_schooling",
    "last_grade",
    "latin_literacy",
    "certificates",
    "special_needs",
    "interpreter_language",
)

#: Status steps staff may take by hand; placing and starting go through their own services.
STATUS_STEPS = {
    Pupil.Status.REPORTED: {Pupil.Status.INVITED},
    Pupil.Status.INVITED: {Pupil.Status.COUNSELLED},
    Pupil.Status.PLACED: {Pupil.Status.STARTED},
}

#: The cut-off for school entry: a child who turns 6 by 30 September starts that year.
ENTRY_CUTOFF = (9, 30)


class PossibleDuplicate(ValidationError):
    def __init__(self, matches: list[Pupil]) -> None:
        super().__init__(
            _(
                "A pupil with a similar name and the same date of birth is already recorded. "
                "Open that record, or confirm that this is another child."
            ),
            code="duplicate",
        )
        self.matches = matches


def find_duplicates(
    centre: Centre,
    *,
    last_name: str,
    first_name: str,
    birth_date: datetime.date,
    exclude: Pupil | None = None,
) -> list[Pupil]:
    """Return pupils of ``centre`` with the same date of birth and a similar name."""
    wanted = normalise_name(f"{last_name} {first_name}")
    candidates = Pupil.objects.for_centre(centre).filter(birth_date=birth_date)
    if exclude is not None:
        candidates = candidates.exclude(pk=exclude.pk)
    return [
        pupil
        for pupil in candidates[:100]
        if name_similarity(wanted, normalise_name(f"{pupil.last_name} {pupil.first_name}"))
        >= NAME_THRESHOLD - 15
    ]


def age_on(birth_date: datetime.date, day: datetime.date) -> int:
    years = day.year - birth_date.year
    return years - ((day.month, day.day) < (birth_date.month, birth_date.day))


def default_grade(
    birth_date: datetime.date, *, years_of_schooling: int | None, on: datetime.date
) -> int:
    """Return the proposed grade: age − 6 by the 30 September cut-off, lowered by missed schooling.

    A child who turns 6 by 30 September of the school year's start goes into grade 1 that year
    (DOMAIN.md); the proposal is always editable. With fewer years of schooling than the age
    grade presumes, the grade is lowered by half of the gap (at most two grades).
    """
    year = school_year_of(on)
    cutoff = datetime.date(year, *ENTRY_CUTOFF)
    grade = age_on(birth_date, cutoff) - 5
    if years_of_schooling is not None:
        missing = max(grade - 1 - years_of_schooling, 0)
        grade -= min((missing + 1) // 2, 2)
    return max(1, min(grade, 13))


def default_stage(grade: int, age: int) -> str:
    """Return the stage for a grade; from 16 the IFK at a Berufskolleg (DOMAIN.md)."""
    if age >= 16:
        return Stage.IFK
    if grade <= 4:
        return Stage.PRIMARY
    if grade <= 10:
        return Stage.SECONDARY_1
    return Stage.SECONDARY_2


@records_actor
@transaction.atomic
def report_pupil(
    actor: User,
    centre: Centre,
    *,
    confirmed_new: bool = False,
    guardians: list[dict[str, Any]] = (),  # type: ignore[assignment]
    **fields: Any,
) -> Pupil:
    """Record a newly arrived pupil (registration office's report or manual entry)."""
    ensure_allowed(actor, "schooling.change_pupil", InCentre(centre))
    unknown = set(fields) - set(PUPIL_FIELDS) - {"report_key", "latitude", "longitude"}
    if unknown:
        raise ValueError(f"not pupil fields: {sorted(unknown)}")
    if fields.get("report_key"):
        if Pupil.objects.for_centre(centre).filter(report_key=fields["report_key"]).exists():
            raise ValidationError(
                {"report_key": _("A pupil with this report number is already recorded.")}
            )
    if not confirmed_new:
        matches = find_duplicates(
            centre,
            last_name=fields["last_name"],
            first_name=fields["first_name"],
            birth_date=fields["birth_date"],
        )
        if matches:
            raise PossibleDuplicate(matches)
    pupil = Pupil(centre=centre, **fields)
    _check_dates(pupil)
    if not centre.municipalities().filter(pk=pupil.municipality_id).exists():
        raise ValidationError({"municipality": _("This Gemeinde is not in the centre's district.")})
    if pupil.latitude is None and pupil.municipality.latitude is not None:
        pupil.latitude = pupil.municipality.latitude
        pupil.longitude = pupil.municipality.longitude
    pupil.full_clean()
    pupil.save()
    for data in guardians:
        guardian = Guardian(pupil=pupil, **data)
        guardian.full_clean()
        guardian.save()
    return pupil


def _check_dates(pupil: Pupil) -> None:
    today = timezone.localdate()
    errors = {}
    if pupil.birth_date and pupil.birth_date > today:
        errors["birth_date"] = _("The date of birth lies in the future.")
    if pupil.registration_date and pupil.registration_date > today:
        errors["registration_date"] = _("The registration lies in the future.")
    if (
        pupil.arrival_date
        and pupil.registration_date
        and pupil.arrival_date > pupil.registration_date
    ):
        errors["arrival_date"] = _("The arrival lies after the registration in the Gemeinde.")
    if errors:
        raise ValidationError(errors)


@records_actor
@transaction.atomic
def update_pupil(actor: User, pupil: Pupil, *, version: int | None, **fields: Any) -> Pupil:
    """Change a pupil's data; a save based on an older version is refused."""
    ensure_allowed(actor, "schooling.change_pupil", pupil)
    current = Pupil.objects.select_for_update().get(pk=pupil.pk)
    check_version(current, version)
    for name, value in fields.items():
        if name not in PUPIL_FIELDS:
            raise ValueError(name)
        setattr(current, name, value)
    _check_dates(current)
    current.version += 1
    current.full_clean()
    current.save()
    return current


@records_actor
@transaction.atomic
def set_siblings(actor: User, pupil: Pupil, siblings: Iterable[Pupil]) -> Pupil:
    """Link ``pupil`` with its brothers and sisters recorded in the same centre (both ways)."""
    ensure_allowed(actor, "schooling.change_pupil", pupil)
    chosen = [s for s in siblings if s.pk != pupil.pk]
    if any(s.centre_id != pupil.centre_id for s in chosen):
        raise PermissionDenied
    pupil.siblings.set(chosen)
    return pupil


@records_actor
@transaction.atomic
def set_status(actor: User, pupil: Pupil, *, status: str, note: str = "") -> Pupil:
    """Move a pupil on by hand: invited, counselled, started; or end it (moved away, other)."""
    ensure_allowed(actor, "schooling.change_pupil", pupil)
    current = Pupil.objects.select_for_update().get(pk=pupil.pk)
    if status in Pupil.ENDED:
        if current.status in Pupil.ENDED or current.status == Pupil.Status.STARTED:
            raise ValidationError(_("This pupil's record is already closed."))
        if not note.strip():
            raise ValidationError({"note": _("Please give the reason.")})
    elif status not in STATUS_STEPS.get(current.status, set()):
        raise ValidationError(
            _("A pupil who is “%(status)s” cannot become “%(to)s” here.")
            % {
                "status": current.get_status_display(),
                "to": dict(Pupil.Status.choices).get(status, status),
            }
        )
    if status == Pupil.Status.STARTED:
        current.school_start = current.school_start or timezone.localdate()
    if status in Pupil.ENDED:
        current.ended_on = timezone.localdate()
    current.status = status
    current.status_note = note.strip()
    current.version += 1
    current.save()
    return current


@records_actor
@transaction.atomic
def record_counselling(
    actor: User,
    pupil: Pupil,
    *,
    counselling: Counselling | None = None,
    recommended_stage: str,
    recommended_forms: list[str],
    proposed_grade: int,
    initial_support: str = "",
    preferred_school: School | None = None,
    **assessment: Any,
) -> Pupil:
    """Record the counselling's assessment and its result; the pupil is then "counselled"."""
    ensure_allowed(actor, "schooling.change_pupil", pupil)
    if pupil.status not in {Pupil.Status.REPORTED, Pupil.Status.INVITED, Pupil.Status.COUNSELLED}:
        raise ValidationError(_("Only a pupil without a school place can be counselled."))
    forms = [f for f in recommended_forms if recommended_stage in FORM_STAGES.get(f, set())]
    if not forms:
        raise ValidationError(
            {"recommended_forms": _("Choose at least one school form that teaches this stage.")}
        )
    if not 1 <= proposed_grade <= 13:
        raise ValidationError({"proposed_grade": _("Grades go from 1 to 13.")})
    if preferred_school is not None and preferred_school.centre_id != pupil.centre_id:
        raise PermissionDenied
    if counselling is None:
        counselling = Counselling(pupil=pupil, starts=timezone.now())
    for name, value in assessment.items():
        setattr(counselling, name, value)
    counselling.held = True
    counselling.by = actor
    counselling.full_clean()
    counselling.save()
    pupil.recommended_stage = recommended_stage
    pupil.recommended_forms = forms
    pupil.proposed_grade = proposed_grade
    pupil.initial_support = initial_support
    pupil.preferred_school = preferred_school
    pupil.status = Pupil.Status.COUNSELLED
    pupil.version += 1
    pupil.save()
    return pupil


@dataclass(frozen=True)
class Occupancy:
    school: School
    stage: str
    places: int
    taken: int

    @property
    def free(self) -> int:
        return max(self.places - self.taken, 0)


def occupancy(centre: Centre, school_year: int) -> list[Occupancy]:
    """Return places and placed pupils per school and stage in ``school_year``."""
    capacities = (
        Capacity.objects.for_centre(centre)
        .filter(school_year=school_year)
        .select_related("school")
        .order_by("school__name", "stage")
    )
    taken = {
        (row["school"], row["recommended_stage"]): row["n"]
        for row in Pupil.objects.for_centre(centre)
        .filter(
            Q(status__in=[Pupil.Status.PLACED, Pupil.Status.STARTED]),
            school__isnull=False,
            placed_on__isnull=False,
        )
        .filter(_in_school_year(school_year))
        .values("school", "recommended_stage")
        .annotate(n=Count("pk"))
    }
    return [
        Occupancy(c.school, c.stage, c.places, taken.get((c.school_id, c.stage), 0))
        for c in capacities
    ]


def _in_school_year(year: int) -> Q:
    return Q(
        placed_on__gte=datetime.date(year, 8, 1), placed_on__lte=datetime.date(year + 1, 7, 31)
    )


def placed_count(school: School, stage: str, school_year: int) -> int:
    """Return how many pupils hold a place of ``school`` at ``stage`` in ``school_year``."""
    return (
        Pupil.objects.for_centre(school.centre_id)
        .filter(
            school=school,
            recommended_stage=stage,
            status__in=[Pupil.Status.PLACED, Pupil.Status.STARTED],
        )
        .filter(_in_school_year(school_year))
        .count()
    )


def free_places(school: School, stage: str, school_year: int) -> int:
    """Return the free places of one school and stage (0 when it has none for newcomers)."""
    capacity = (
        Capacity.objects.for_centre(school.centre_id)
        .filter(school=school, stage=stage, school_year=school_year)
        .first()
    )
    if capacity is None:
        return 0
    return max(capacity.places - placed_count(school, stage, school_year), 0)


@records_actor
@transaction.atomic
def place_pupil(
    actor: User,
    pupil: Pupil,
    *,
    school: School,
    placed_on: datetime.date | None = None,
    school_start: datetime.date | None = None,
) -> Pupil:
    """Give a counselled pupil a place at ``school``; the school must fit and have a free place."""
    ensure_allowed(actor, "schooling.change_pupil", pupil)
    current = Pupil.objects.select_for_update().get(pk=pupil.pk)
    if current.status not in {Pupil.Status.COUNSELLED, Pupil.Status.PROPOSED}:
        raise ValidationError(_("Only a counselled pupil can be placed."))
    if school.centre_id != current.centre_id:
        raise PermissionDenied
    stage = current.recommended_stage
    if school.form not in current.recommended_forms or stage not in school.stages():
        raise ValidationError(
            {"school": _("This school does not fit the recommended stage and school form.")}
        )
    placed_on = placed_on or timezone.localdate()
    # Lock the school's capacity row so two placements cannot take the last place together.
    year = school_year_of(placed_on)
    list(
        Capacity.objects.for_centre(school.centre)
        .select_for_update()
        .filter(school=school, stage=stage, school_year=year)
    )
    if free_places(school, stage, year) < 1:
        raise ValidationError({"school": _("This school has no free place for this stage.")})
    current.school = school
    current.placed_on = placed_on
    current.school_start = school_start
    current.status = Pupil.Status.PLACED
    current.version += 1
    current.save()
    return current
