"""Placement of counselled pupils: run the optimiser, review its proposal, place.

A run (:func:`propose_placements`) turns the centre's waiting pupils and the free places of its
schools into the optimiser's input, solves it and stores the result as a ``Proposal`` with one
``ProposalItem`` per pupil. Staff then accept, override or reject each item
(:func:`decide_item`, :func:`accept_all`); accepting places the pupil through
``services.place_pupil``, which checks the free places again.

A new run supersedes the centre's older proposals: their items still open are marked
rejected (with the note "superseded by a newer proposal"), so only one proposal is open at a
time and no pupil is proposed twice.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

if TYPE_CHECKING:
    from . import optimiser

from teilhabe.core.audit import records_actor
from teilhabe.core.models import Centre, User
from teilhabe.core.services import InCentre, ensure_allowed

from . import services
from .models import (
    Proposal,
    ProposalItem,
    Pupil,
    School,
    SchoolForm,
    Stage,
    school_year_of,
)

#: Pupils a run considers: counselled, or proposed in an earlier run, and without a place.
PROPOSABLE = (Pupil.Status.COUNSELLED, Pupil.Status.PROPOSED)

#: The optimiser names school forms as the school law does.
OPTIMISER_FORMS = {
    SchoolForm.PRIMARY: "Grundschule",
    SchoolForm.HAUPTSCHULE: "Hauptschule",
    SchoolForm.REALSCHULE: "Realschule",
    SchoolForm.SEKUNDARSCHULE: "Sekundarschule",
    SchoolForm.GESAMTSCHULE: "Gesamtschule",
    SchoolForm.GYMNASIUM: "Gymnasium",
    SchoolForm.FOERDERSCHULE: "Förderschule",
    SchoolForm.BERUFSKOLLEG: "Berufskolleg",
}


def _reason_text(reason: str) -> str:
    """Return the translated reason for an optimiser's English reason."""
    from . import optimiser  # with numpy and SciPy only where placements are shown or made

    if reason == optimiser.REASON_NO_FITTING_SCHOOL:
        return _("No school of the recommended school form teaches this stage.")
    if reason == optimiser.REASON_ALL_FULL:
        return _("All fitting schools are full.")
    if reason == "no coordinates":
        return _("Neither the home nor the Gemeinde has coordinates.")
    return reason[:200]


def proposable_pupils(centre: Centre) -> list[Pupil]:
    """Return the centre's pupils waiting for a place with a counselling result."""
    return [
        pupil
        for pupil in Pupil.objects.for_centre(centre)
        .filter(status__in=PROPOSABLE, school__isnull=True)
        .exclude(recommended_stage="")
        .select_related("municipality", "preferred_school")
        .prefetch_related("siblings")
        .order_by("registration_date", "pk")
        if pupil.recommended_forms
    ]


def count_proposable(centre: Centre) -> int:
    """Return how many pupils a run would consider."""
    forms = (
        Pupil.objects.for_centre(centre)
        .filter(status__in=PROPOSABLE, school__isnull=True)
        .exclude(recommended_stage="")
        .values_list("recommended_forms", flat=True)
    )
    return sum(1 for f in forms if f)


def sibling_groups(pupils: Iterable[Pupil]) -> dict[int, str | None]:
    """Return for each pupil the id of its group of siblings among ``pupils`` (None: alone).

    A group is a connected component of the ``siblings`` relation; its id is built from the
    smallest pupil id, so it is stable from one run to the next.
    """
    pupils = list(pupils)
    parent = {p.pk: p.pk for p in pupils}

    def root(pk: int) -> int:
        while parent[pk] != pk:
            parent[pk] = parent[parent[pk]]
            pk = parent[pk]
        return pk

    for pupil in pupils:
        for sibling in pupil.siblings.all():
            if sibling.pk in parent:
                a, b = root(pupil.pk), root(sibling.pk)
                if a != b:
                    parent[max(a, b)] = min(a, b)
    members: dict[int, int] = defaultdict(int)
    for pk in parent:
        members[root(pk)] += 1
    return {pk: f"siblings-{root(pk)}" if members[root(pk)] > 1 else None for pk in parent}


def _coordinates(obj: Pupil | School) -> tuple[float, float] | None:
    if obj.latitude is not None and obj.longitude is not None:
        return float(obj.latitude), float(obj.longitude)
    town = obj.municipality
    if town.latitude is not None and town.longitude is not None:
        return float(town.latitude), float(town.longitude)
    return None


@dataclass(frozen=True)
class Offer:
    school: School
    free: dict[str, int]


def school_offers(centre: Centre, school_year: int) -> list[Offer]:
    """Return the centre's active schools with their free places per stage in ``school_year``.

    A stage the school keeps places for but has none free stays in with 0, so the optimiser
    can tell "full" from "does not teach this stage".
    """
    free: dict[int, dict[str, int]] = defaultdict(dict)
    schools: dict[int, School] = {}
    for row in services.occupancy(centre, school_year):
        school = row.school
        if not school.is_active or row.stage not in school.stages():
            continue
        schools[school.pk] = school
        free[school.pk][row.stage] = row.free
    return [Offer(schools[pk], free[pk]) for pk in schools]


def fitting_schools(pupil: Pupil, school_year: int | None = None) -> list[tuple[School, int]]:
    """Return the active schools that fit the pupil's recommendation and have a free place."""
    year = school_year if school_year is not None else school_year_of(timezone.localdate())
    stage = pupil.recommended_stage
    return [
        (offer.school, offer.free[stage])
        for offer in school_offers(pupil.centre, year)
        if offer.school.form in pupil.recommended_forms and offer.free.get(stage, 0) > 0
    ]


@records_actor
@transaction.atomic
def propose_placements(
    actor: User,
    centre: Centre,
    *,
    school_year: int | None = None,
    weights: optimiser.Weights | None = None,
) -> Proposal:
    """Propose a school for every counselled pupil of ``centre`` who waits for a place.

    Stores the proposal with one item per pupil and sets the proposed pupils to "proposed";
    older open proposals of the centre are superseded (their open items become rejected).
    Nothing is stored when no pupil could be placed.
    """
    from . import optimiser  # numpy and SciPy: loaded by the first proposal, not with the URLs

    ensure_allowed(actor, "schooling.propose_placements", InCentre(centre))
    year = school_year if school_year is not None else school_year_of(timezone.localdate())
    today = timezone.localdate()
    pupils = proposable_pupils(centre)
    if not pupils:
        raise ValidationError(_("No pupil is waiting with a counselling result."))
    offers = [o for o in school_offers(centre, year) if o.school.form in OPTIMISER_FORMS]
    located = {o.school.pk: _coordinates(o.school) for o in offers}
    offers = [o for o in offers if located[o.school.pk] is not None]
    if not any(sum(o.free.values()) for o in offers):
        raise ValidationError(
            _("No school has free places for the school year %(year)s.")
            % {"year": f"{year}/{(year + 1) % 100:02d}"}
        )
    offer_ids = {o.school.pk for o in offers}
    groups = sibling_groups(pupils)
    needs: list[optimiser.PupilNeed] = []
    unlocated: list[Pupil] = []
    for pupil in pupils:
        home = _coordinates(pupil)
        if home is None:
            unlocated.append(pupil)
            continue
        stage = pupil.recommended_stage
        needs.append(
            optimiser.PupilNeed(
                id=pupil.pk,
                lat=home[0],
                lon=home[1],
                stage=stage if stage in optimiser.STAGES else Stage.SECONDARY_2.value,
                school_forms=frozenset(
                    OPTIMISER_FORMS[f] for f in pupil.recommended_forms if f in OPTIMISER_FORMS
                ),
                grade_band=stage,
                days_waiting=pupil.days_waiting(today) or 0,
                preferred_school=(
                    pupil.preferred_school_id if pupil.preferred_school_id in offer_ids else None
                ),
                sibling_group=groups[pupil.pk],
            )
        )
    needs = [n for n in needs if n.school_forms]
    school_offers_ = [
        optimiser.SchoolOffer(
            id=o.school.pk,
            lat=located[o.school.pk][0],  # type: ignore[index]
            lon=located[o.school.pk][1],  # type: ignore[index]
            school_form=OPTIMISER_FORMS[o.school.form],
            capacity={stage: n for stage, n in o.free.items() if stage in optimiser.GRADE_BANDS},
        )
        for o in offers
    ]
    result = optimiser.optimise_placements(needs, school_offers_, weights)
    if result.status != "optimal":
        if result.status == "no_fitting_school":
            raise ValidationError(
                _(
                    "No school has free places for the recommended stages and school forms "
                    "of the waiting pupils."
                )
            )
        raise ValidationError(
            _("The optimiser found no proposal (%(status)s). Please try again.")
            % {"status": result.message or result.status}
        )
    if not result.assignments:
        raise ValidationError(
            _(
                "No school has free places for the recommended stages and school forms "
                "of the waiting pupils."
            )
        )
    problems = optimiser.check_proposal(needs, school_offers_, result)
    if problems:  # pragma: no cover - the optimiser guarantees a sound result
        raise ValidationError(
            _("The proposal breaks a rule: %(problem)s") % {"problem": problems[0]}
        )

    _supersede_open_proposals(centre)
    proposal = Proposal.objects.create(
        centre=centre,
        school_year=year,
        by=actor,
        status=result.status,
        objective=result.objective,
        solve_seconds=result.solve_seconds,
    )
    schools = {o.school.pk: o.school for o in offers}
    by_pk = {p.pk: p for p in pupils}
    need_of = {n.id: n for n in needs}
    for pupil in pupils:
        school_pk = result.assignments.get(pupil.pk)
        item = ProposalItem(proposal=proposal, pupil=pupil)
        if school_pk is not None:
            school = schools[school_pk]
            need = need_of[pupil.pk]
            item.school = school
            item.distance_km = round(
                optimiser.haversine_km(need.lat, need.lon, *located[school_pk]),  # type: ignore[misc]
                2,
            )
        elif pupil.pk in need_of:
            item.reason = _reason_text(result.reasons.get(pupil.pk, ""))
        elif pupil in unlocated:
            item.reason = _reason_text("no coordinates")
        else:
            item.reason = _reason_text(optimiser.REASON_NO_FITTING_SCHOOL)
        item.save()
        status = Pupil.Status.PROPOSED if school_pk is not None else Pupil.Status.COUNSELLED
        current = by_pk[pupil.pk]
        if current.status != status:
            current.status = status
            current.version += 1
            current.save()
    return proposal


def _supersede_open_proposals(centre: Centre) -> None:
    items = (
        ProposalItem.objects.for_centre(centre)
        .select_for_update()
        .filter(decision=ProposalItem.Decision.OPEN)
    )
    for item in items:
        item.decision = ProposalItem.Decision.REJECTED
        item.override_reason = _("superseded by a newer proposal")
        item.save()


def open_item_of(pupil: Pupil) -> ProposalItem | None:
    """Return the pupil's open item of the latest proposal, if any."""
    return (
        ProposalItem.objects.for_centre(pupil.centre)
        .filter(pupil=pupil, decision=ProposalItem.Decision.OPEN)
        .select_related("school", "proposal")
        .order_by("-proposal__created", "-pk")
        .first()
    )


def _row_error(item: ProposalItem, error: ValidationError) -> ValidationError:
    text = " ".join(str(m) for m in error.messages)
    return ValidationError(
        _("%(pupil)s: %(error)s The proposal for this pupil stays open.")
        % {"pupil": item.pupil.full_name, "error": text},
        code="row",
    )


@records_actor
@transaction.atomic
def decide_item(
    actor: User,
    item: ProposalItem,
    *,
    decision: str,
    school: School | None = None,
    reason: str = "",
) -> ProposalItem:
    """Accept the proposed school, choose another one (with a reason), or reject the proposal.

    Accepting and overriding place the pupil (``services.place_pupil`` checks the free place
    again); when that fails the item stays open. Rejecting sets the pupil back to counselled.
    """
    pupil = item.pupil
    ensure_allowed(actor, "schooling.change_pupil", pupil)
    current = (
        ProposalItem.objects.for_centre(pupil.centre)
        .select_for_update(of=("self", "pupil"))
        .select_related("pupil", "school")
        .get(pk=item.pk)
    )
    if current.decision != ProposalItem.Decision.OPEN:
        raise ValidationError(_("This proposal has already been decided."))
    reason = reason.strip()
    if decision == ProposalItem.Decision.ACCEPTED:
        if current.school is None:
            raise ValidationError(
                _("There is no proposed school to accept; choose a school instead.")
            )
        try:
            services.place_pupil(actor, current.pupil, school=current.school)
        except ValidationError as error:
            raise _row_error(current, error) from error
    elif decision == ProposalItem.Decision.OVERRIDDEN:
        errors = {}
        if school is None:
            errors["school"] = _("Choose the school the pupil goes to instead.")
        if not reason:
            errors["reason"] = _("Please give the reason for choosing another school.")
        if errors:
            raise ValidationError(errors)
        if school.centre_id != pupil.centre_id:  # type: ignore[union-attr]
            raise PermissionDenied
        try:
            services.place_pupil(actor, current.pupil, school=school)  # type: ignore[arg-type]
        except ValidationError as error:
            raise _row_error(current, error) from error
        current.chosen_school = school
        current.override_reason = reason[:200]
    elif decision == ProposalItem.Decision.REJECTED:
        current.override_reason = reason[:200]
        if current.pupil.status == Pupil.Status.PROPOSED:
            current.pupil.status = Pupil.Status.COUNSELLED
            current.pupil.version += 1
            current.pupil.save()
    else:
        raise ValidationError(_("Unknown decision."))
    current.decision = decision
    current.save()
    return current


@records_actor
@transaction.atomic
def accept_all(actor: User, proposal: Proposal) -> tuple[int, list[str]]:
    """Accept every open item with a proposed school, one by one.

    Return how many were accepted and a message for each item left open (its place was taken
    meanwhile, or the pupil changed).
    """
    ensure_allowed(actor, "schooling.propose_placements", proposal)
    accepted = 0
    failures: list[str] = []
    items = (
        ProposalItem.objects.for_centre(proposal.centre)
        .filter(proposal=proposal, decision=ProposalItem.Decision.OPEN, school__isnull=False)
        .select_related("pupil", "school")
        .order_by("pk")
    )
    for item in items:
        try:
            decide_item(actor, item, decision=ProposalItem.Decision.ACCEPTED)
        except ValidationError as error:
            failures.extend(str(m) for m in error.messages)
        else:
            accepted += 1
    return accepted, failures


@records_actor
@transaction.atomic
def place_by_hand(
    actor: User, pupil: Pupil, *, school: School, placed_on: datetime.date | None = None
) -> Pupil:
    """Place a counselled pupil at a school chosen on the pupil's page.

    An open proposal item of the pupil is closed with it: accepted when it named this school,
    otherwise overridden.
    """
    placed = services.place_pupil(actor, pupil, school=school, placed_on=placed_on)
    items = (
        ProposalItem.objects.for_centre(pupil.centre)
        .select_for_update()
        .filter(pupil=pupil, decision=ProposalItem.Decision.OPEN)
    )
    for item in items:
        if item.school_id == school.pk:
            item.decision = ProposalItem.Decision.ACCEPTED
        else:
            item.decision = ProposalItem.Decision.OVERRIDDEN
            item.chosen_school = school
            item.override_reason = _("placed by hand on the pupil's page")
        item.save()
    return placed


__all__ = [
    "accept_all",
    "decide_item",
    "fitting_schools",
    "open_item_of",
    "place_by_hand",
    "propose_placements",
    "proposable_pupils",
    "school_offers",
    "sibling_groups",
]
