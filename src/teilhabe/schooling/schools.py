"""Schools and their places for newcomer pupils; waiting times; the places map.

Services take the acting user first and check the permission themselves. The start-page panel
of partner users (schools, the Schulamt, the school office) that keep places is registered here.
"""

from __future__ import annotations

import datetime
import math
import re
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from teilhabe.core import start
from teilhabe.core.audit import records_actor
from teilhabe.core.maps import Point, svg_layout
from teilhabe.core.models import Centre, User
from teilhabe.core.roles import Role
from teilhabe.core.services import InCentre, ensure_allowed
from teilhabe.core.tenancy import centre_ids

from .models import Capacity, Pupil, School, SchoolForm, Stage, school_year_of
from .services import occupancy, placed_count

#: Fields of a school the form edits.
SCHOOL_FIELDS = (
    "number",
    "name",
    "form",
    "municipality",
    "street",
    "postcode",
    "latitude",
    "longitude",
    "lowest_grade",
    "highest_grade",
    "initial_support",
    "email",
    "actor",
)

#: The grades each school form can teach (lowest, highest).
FORM_GRADES = {
    SchoolForm.PRIMARY: (1, 4),
    SchoolForm.HAUPTSCHULE: (5, 10),
    SchoolForm.REALSCHULE: (5, 10),
    SchoolForm.SEKUNDARSCHULE: (5, 10),
    SchoolForm.GESAMTSCHULE: (5, 13),
    SchoolForm.GYMNASIUM: (5, 13),
    SchoolForm.FOERDERSCHULE: (1, 10),
    SchoolForm.BERUFSKOLLEG: (11, 13),
}

SCHOOL_NUMBER = re.compile(r"^\d{6}$")
PLACED = (Pupil.Status.PLACED, Pupil.Status.STARTED)


# --- Which schools a user sees and keeps -----------------------------------------------------


def schools_in_centres_of(user: User) -> QuerySet[School]:
    """Return the schools of every centre ``user`` has a role in (the permission decides)."""
    if not user.is_authenticated:
        return School.objects.none()
    return School.objects.filter(centre_id__in=centre_ids(user.active_memberships()))


def schools_for(user: User) -> QuerySet[School]:
    """Return the schools ``user`` sees: the centre's staff all, partners those they keep."""
    visible = School.objects.visible_to(user)
    kept = [s.pk for s in kept_by_partner(user, active_only=False)]
    if kept:
        return School.objects.filter(Q(pk__in=visible.values("pk")) | Q(pk__in=kept))
    return visible


def kept_by_partner(user: User, *, active_only: bool = True) -> list[School]:
    """Return the schools whose places ``user`` keeps as a partner (school, Schulamt, office)."""
    from .permissions import keeps_places_of, partner_actors

    if not user.is_authenticated or not any(
        m.role == Role.PARTNER for m in user.active_memberships()
    ):
        return []
    schools = schools_in_centres_of(user).select_related("centre", "municipality")
    if active_only:
        schools = schools.filter(is_active=True)
    actors = partner_actors(user)  # once, not per school
    return [s for s in schools if keeps_places_of(actors, s)]


# --- Services -------------------------------------------------------------------------------


@records_actor
@transaction.atomic
def save_school(
    actor: User, centre: Centre, /, *, school: School | None = None, **fields: Any
) -> School:
    """Create or change a school of ``centre``; its grades must fit its form."""
    ensure_allowed(actor, "schooling.change_school", school or InCentre(centre))
    unknown = set(fields) - set(SCHOOL_FIELDS)
    if unknown:
        raise ValueError(f"not school fields: {sorted(unknown)}")
    if school is None:
        school = School(centre=centre)
    elif school.centre_id != centre.pk:
        raise ValidationError(_("The school belongs to another centre."))
    for name, value in fields.items():
        setattr(school, name, value)
    errors: dict[str, str] = {}
    if not SCHOOL_NUMBER.match(school.number or ""):
        errors["number"] = _("The official school number has six digits.")
    if (
        school.municipality_id
        and not centre.municipalities().filter(pk=school.municipality_id).exists()
    ):
        errors["municipality"] = _("This Gemeinde is not in the centre's district.")
    lowest, highest = FORM_GRADES.get(school.form, (1, 13))
    if school.lowest_grade > school.highest_grade:
        errors["highest_grade"] = _("The highest grade lies below the lowest.")
    elif not (lowest <= school.lowest_grade and school.highest_grade <= highest):
        errors["lowest_grade"] = _("A %(form)s teaches grades %(lowest)s to %(highest)s.") % {
            "form": school.get_form_display(),
            "lowest": lowest,
            "highest": highest,
        }
    support = list(school.initial_support or [])
    from .models import InitialSupport

    if any(value not in InitialSupport.values for value in support):
        errors["initial_support"] = _("Unknown form of initial support.")
    school.initial_support = support
    linked = school.actor
    if linked is not None:
        from teilhabe.network.models import Actor

        if linked.centre_id != centre.pk or linked.kind != Actor.Kind.SCHOOL:
            errors["actor"] = _("Choose a school of the centre's network.")
    if errors:
        raise ValidationError(errors)
    if school.latitude is None and school.longitude is None and school.municipality_id:
        school.latitude = school.municipality.latitude
        school.longitude = school.municipality.longitude
    school.full_clean()
    school.save()
    return school


@records_actor
@transaction.atomic
def set_capacity(
    actor: User, school: School, *, school_year: int, stage: str, places: int
) -> Capacity:
    """Set the places of a school for newcomers; never below the pupils already placed."""
    ensure_allowed(actor, "schooling.change_capacity", school)
    if stage not in school.stages():
        raise ValidationError(_("This school does not teach this stage."))
    if places < 0:
        raise ValidationError(_("The number of places cannot be negative."))
    capacity = (
        Capacity.objects.for_centre(school.centre_id)
        .select_for_update()
        .filter(school=school, school_year=school_year, stage=stage)
        .first()
    )
    placed = placed_count(school, stage, school_year)
    if places < placed:
        raise ValidationError(
            _(
                "%(placed)s pupils already hold a place here; the places cannot go below that. "
                "Ask the newcomer counselling to move pupils first."
            )
            % {"placed": placed}
        )
    if capacity is None:
        capacity = Capacity(school=school, school_year=school_year, stage=stage, places=places)
    capacity.places = places
    capacity.updated_by = actor
    capacity.full_clean()
    capacity.save()
    return capacity


@transaction.atomic
def set_capacities(
    actor: User, school: School, places: dict[tuple[int, str], int]
) -> list[Capacity]:
    """Set several bands of a school at once: all of them or, on any refusal, none.

    A refusal names the band as ``"<school year>:<stage>"``.
    """
    errors: dict[str, list[str]] = {}
    saved = []
    for (year, stage), value in places.items():
        try:
            saved.append(set_capacity(actor, school, school_year=year, stage=stage, places=value))
        except ValidationError as error:
            errors[f"{year}:{stage}"] = error.messages
    if errors:
        raise ValidationError(errors)
    return saved


# --- Reading places ---------------------------------------------------------------------------


@dataclass
class Band:
    """Places, placed pupils and free places of one school (or a total) at one stage."""

    stage: str
    places: int = 0
    taken: int = 0

    @property
    def free(self) -> int:
        return max(self.places - self.taken, 0)

    @property
    def stage_label(self) -> str:
        return str(Stage(self.stage).label)


def occupancy_by_school(centres: list[Centre], school_year: int) -> dict[int, list[Band]]:
    """Return the bands per school id for ``school_year`` (one query set per centre)."""
    bands: dict[int, list[Band]] = {}
    for centre in centres:
        for row in occupancy(centre, school_year):
            bands.setdefault(row.school.pk, []).append(Band(row.stage, row.places, row.taken))
    return bands


def totals_by_stage(bands: dict[int, list[Band]]) -> list[Band]:
    totals: dict[str, Band] = {}
    for school_bands in bands.values():
        for band in school_bands:
            total = totals.setdefault(band.stage, Band(band.stage))
            total.places += band.places
            total.taken += band.taken
    return [totals[s] for s in Stage.values if s in totals]


def school_bands(school: School, years: list[int]) -> list[tuple[int, list[Band]]]:
    """Return places, placed and free per stage the school teaches, for each of ``years``."""
    capacities = {
        (c.school_year, c.stage): c.places
        for c in Capacity.objects.for_centre(school.centre_id).filter(
            school=school, school_year__in=years
        )
    }
    rows = []
    for year in years:
        bands = [
            Band(stage, capacities.get((year, stage), 0), placed_count(school, stage, year))
            for stage in Stage.values
            if stage in school.stages()
        ]
        rows.append((year, bands))
    return rows


# --- Waiting times ----------------------------------------------------------------------------


def percentile(values: list[int], share: float) -> int | None:
    """Return the nearest-rank percentile of ``values`` (None for no values)."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, math.ceil(share * len(ordered)))
    return ordered[rank - 1]


def median(values: list[int]) -> int | None:
    """Return the median, rounded half up to whole days (None for no values)."""
    if not values:
        return None
    ordered = sorted(values)
    middle = len(ordered) // 2
    if len(ordered) % 2:
        return ordered[middle]
    return math.floor((ordered[middle - 1] + ordered[middle]) / 2 + 0.5)


def days_to_start(centre: Centre, first: datetime.date, last: datetime.date) -> list[int]:
    """Return the days from registration to the first school day of pupils who started then."""
    rows = (
        Pupil.objects.for_centre(centre)
        .filter(school_start__range=(first, last))
        .values_list("registration_date", "school_start")
    )
    return [max((begun - registered).days, 0) for registered, begun in rows]


def waiting_at(centre: Centre, day: datetime.date) -> QuerySet[Pupil]:
    """Return the pupils of ``centre`` who were registered by ``day`` but had no place yet.

    A pupil whose record ended (moved away, other reason) waited until the day it ended.
    """
    return (
        Pupil.objects.for_centre(centre)
        .filter(registration_date__lte=day)
        .filter(Q(placed_on__isnull=True) | Q(placed_on__gt=day))
        .filter(Q(school_start__isnull=True) | Q(school_start__gt=day))
        .exclude(Q(status__in=Pupil.ENDED) & (Q(ended_on__isnull=True) | Q(ended_on__lte=day)))
    )


def month_starts(today: datetime.date, count: int = 12) -> list[datetime.date]:
    """Return the first days of the last ``count`` months, oldest first (this month last)."""
    months = []
    year, month = today.year, today.month
    for _n in range(count):
        months.append(datetime.date(year, month, 1))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return months[::-1]


def month_end(first: datetime.date) -> datetime.date:
    following = datetime.date(first.year + first.month // 12, first.month % 12 + 1, 1)
    return following - datetime.timedelta(days=1)


@dataclass(frozen=True)
class WaitingMonth:
    month: datetime.date
    started: int
    median: int | None
    p90: int | None
    waiting: int


def waiting_times(centre: Centre, today: datetime.date | None = None) -> list[WaitingMonth]:
    """Return waiting time per month over the last 12 months (the current month so far)."""
    today = today or timezone.localdate()
    rows = []
    for first in month_starts(today):
        last = min(month_end(first), today)
        days = days_to_start(centre, first, last)
        rows.append(
            WaitingMonth(
                first,
                len(days),
                median(days),
                percentile(days, 0.9),
                waiting_at(centre, last).count(),
            )
        )
    return rows


# --- The places map ---------------------------------------------------------------------------


def map_layout(
    towns: list[Any], schools: list[tuple[School, int]], width: int = 640, margin: int = 40
) -> dict[str, Any] | None:
    """Project Gemeinden and schools (with free places) onto an SVG canvas; None without points."""
    points = [
        Point(
            s.latitude,
            s.longitude,
            {"school": s, "free": free, "r": round(3 + 2 * math.sqrt(free), 1)},
        )
        for s, free in schools
        if s.latitude is not None
    ]
    return svg_layout(towns, points, width, margin)


# --- Start page -------------------------------------------------------------------------------


@start.register("schooling/school_start_panel.html", Role.PARTNER, order=15)
def partner_places_panel(user: User) -> dict[str, Any]:
    """Schools whose places the partner keeps, with their free places this school year."""
    schools = kept_by_partner(user)
    if not schools:
        return {}
    year = school_year_of(timezone.localdate())
    centres = {s.centre_id: s.centre for s in schools}
    bands = occupancy_by_school(list(centres.values()), year)
    return {
        "school_year": year,
        "schools": [(s, sum(b.free for b in bands.get(s.pk, []))) for s in schools],
    }
