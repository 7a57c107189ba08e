"""Tests of the school placement optimiser (plain tests, no database)."""

from __future__ import annotations

import dataclasses
import random

import pytest

from teilhabe.schooling.optimiser import (
    REASON_ALL_FULL,
    REASON_NEAREST_FULL,
    REASON_NO_FITTING_SCHOOL,
    PupilNeed,
    SchoolOffer,
    Weights,
    check_proposal,
    haversine_km,
    optimise_placements,
)
from teilhabe.schooling.tests.reference import assignment_optimum, brute_force_optimum, km

LAT, LON = 51.9, 7.3
KM_PER_DEG_LAT = 6371.0 * 3.141592653589793 / 180  # ≈ 111.19 km along a meridian


def north(km_: float) -> float:
    """Return the latitude km_ kilometres north of LAT (exact along the meridian)."""
    return LAT + km_ / KM_PER_DEG_LAT


def pupil(
    ident,
    km_north: float = 0.0,
    *,
    band: str = "primary",
    forms: tuple[str, ...] = ("Grundschule",),
    days: int = 0,
    pref=None,
    group: str | None = None,
) -> PupilNeed:
    stage = "sek2" if band == "ifk" else band
    return PupilNeed(
        id=ident,
        lat=north(km_north),
        lon=LON,
        stage=stage,
        school_forms=frozenset(forms),
        grade_band=band,
        days_waiting=days,
        preferred_school=pref,
        sibling_group=group,
    )


def school(ident, km_north: float = 0.0, *, form: str = "Grundschule", **capacity) -> SchoolOffer:
    return SchoolOffer(
        id=ident,
        lat=north(km_north),
        lon=LON,
        school_form=form,
        capacity=capacity or {"primary": 1},
    )


def secondary(proposal) -> float:
    """Return the objective without the placement reward M."""
    return proposal.objective - proposal.placement_reward * len(proposal.assignments)


def close(a: float, b: float) -> bool:
    return abs(a - b) <= 1e-6 * max(1.0, abs(b))


# --- small instances with a known optimum ---------------------------------------------------


def test_distances_along_a_meridian_are_exact():
    assert haversine_km(north(0), LON, north(5), LON) == pytest.approx(5.0, abs=1e-9)
    assert km(north(0), LON, north(5), LON) == pytest.approx(5.0, abs=1e-9)


def test_each_pupil_goes_to_the_near_school():
    # A lives at 0 km, B at 10 km; schools at 0 and 10 km with one seat each. Both are placed
    # either way; the straight assignment costs 0 km, the crossed one 20 km.
    pupils = [pupil("A", 0), pupil("B", 10)]
    schools = [school("S1", 0), school("S2", 10)]
    proposal = optimise_placements(pupils, schools)
    assert proposal.status == "optimal"
    assert proposal.assignments == {"A": "S1", "B": "S2"}
    assert proposal.unplaced == []
    assert proposal.objective == pytest.approx(2 * proposal.placement_reward, abs=1e-6)
    assert check_proposal(pupils, schools, proposal) == []


def test_placing_more_pupils_beats_any_distance():
    # A fits S1 (0 km) and S2 (40 km), B only S1 (0 km); one seat each. A at S1 saves 40 km
    # but leaves B without a place; the count comes first, so A → S2, B → S1.
    pupils = [
        pupil("A", 0, forms=("Grundschule", "Förderschule"), days=50),
        pupil("B", 0, days=0),
    ]
    schools = [school("S1", 0), school("S2", 40, form="Förderschule")]
    proposal = optimise_placements(pupils, schools)
    assert proposal.assignments == {"A": "S2", "B": "S1"}
    # secondary part: waiting 2·50 − 40 km for A, 0 for B
    assert secondary(proposal) == pytest.approx(2 * 50 - 40, abs=1e-6)


def test_longest_waiting_wins_a_scarce_seat():
    # One seat. A waited 30 days and lives 5 km away: M + 2·30 − 5 = M + 55.
    # B waited 2 days and lives next door: M + 2·2 − 0 = M + 4. A gets the seat.
    pupils = [pupil("A", 5, days=30), pupil("B", 0, days=2)]
    schools = [school("S", 0)]
    proposal = optimise_placements(pupils, schools)
    assert proposal.assignments == {"A": "S"}
    assert proposal.unplaced == ["B"]
    assert proposal.reasons == {"B": REASON_ALL_FULL}
    assert secondary(proposal) == pytest.approx(55.0, abs=1e-6)


def test_siblings_end_up_together_when_it_costs_little():
    # Two siblings at 0 km. S1 at 1 km has one seat, S2 at 3 km two seats.
    # Split: 1 + 3 = 4 km. Together at S2: 6 km, i.e. 2 km more, but a bonus of 10.
    pupils = [pupil("P1", group="fam"), pupil("P2", group="fam")]
    schools = [school("S1", 1, primary=1), school("S2", 3, primary=2)]
    together = optimise_placements(pupils, schools)
    assert together.assignments == {"P1": "S2", "P2": "S2"}
    assert secondary(together) == pytest.approx(-6 + 10, abs=1e-6)
    # without the bonus the family is split to save 2 km
    split = optimise_placements(pupils, schools, Weights(sibling_bonus=0.0))
    assert sorted(split.assignments.values()) == ["S1", "S2"]
    assert secondary(split) == pytest.approx(-4, abs=1e-6)


def test_siblings_are_split_when_together_costs_too_much():
    # Same as above but S2 at 30 km: together 60 km, split 31 km; 29 km more > bonus 10.
    pupils = [pupil("P1", group="fam"), pupil("P2", group="fam")]
    schools = [school("S1", 1, primary=1), school("S2", 30, primary=2)]
    proposal = optimise_placements(pupils, schools)
    assert sorted(proposal.assignments.values()) == ["S1", "S2"]


def test_three_siblings_earn_two_bonuses():
    # Three siblings, one school with three seats: n − 1 = 2 bonuses of 10.
    pupils = [pupil(i, group="fam") for i in (1, 2, 3)]
    proposal = optimise_placements(pupils, [school("S", 0, primary=3)])
    assert len(proposal.assignments) == 3
    assert secondary(proposal) == pytest.approx(20.0, abs=1e-6)


@pytest.mark.parametrize("preferred", ["S1", "S2"])
def test_preference_decides_when_distances_tie(preferred):
    # S1 1 km north, S2 1 km south of home: the same distance, so the wish decides.
    pupils = [pupil("A", 0, pref=preferred)]
    schools = [school("S1", 1), school("S2", -1)]
    proposal = optimise_placements(pupils, schools)
    assert proposal.assignments == {"A": preferred}
    assert secondary(proposal) == pytest.approx(-1 + 5, abs=1e-6)


def test_preference_does_not_send_a_child_far():
    # The preferred school is 20 km away, the other 1 km: 20 − 5 > 1.
    proposal = optimise_placements([pupil("A", 0, pref="S2")], [school("S1", 1), school("S2", 20)])
    assert proposal.assignments == {"A": "S1"}


def test_no_fitting_school_leaves_everyone_unplaced_with_a_reason():
    # Sek II pupils for a Gymnasium; there are only Grundschulen and a Gesamtschule whose
    # capacity has no sek2 entry.
    pupils = [pupil("A", band="sek2", forms=("Gymnasium",)), pupil("B", band="sek2")]
    schools = [school("G1"), school("GE", form="Gesamtschule", sek1=30)]
    proposal = optimise_placements(pupils, schools)
    assert proposal.status == "no_fitting_school"
    assert proposal.assignments == {}
    assert proposal.unplaced == ["A", "B"]
    assert proposal.reasons == {"A": REASON_NO_FITTING_SCHOOL, "B": REASON_NO_FITTING_SCHOOL}
    assert proposal.message
    assert check_proposal(pupils, schools, proposal) == []


def test_offered_band_without_free_seats_means_full():
    pupils = [pupil("A"), pupil("B", band="sek1", forms=("Realschule",))]
    schools = [school("S", primary=0)]
    proposal = optimise_placements(pupils, schools)
    assert proposal.assignments == {}
    assert proposal.reasons == {"A": REASON_ALL_FULL, "B": REASON_NO_FITTING_SCHOOL}


def test_no_pupils_is_an_empty_proposal():
    proposal = optimise_placements([], [school("S")])
    assert proposal.status == "empty"
    assert proposal.assignments == {} and proposal.unplaced == []


def test_no_schools_leaves_everyone_unplaced():
    proposal = optimise_placements([pupil("A")], [])
    assert proposal.status == "no_fitting_school"
    assert proposal.reasons == {"A": REASON_NO_FITTING_SCHOOL}


def test_pruning_is_an_approximation_and_says_so():
    # A is nearest to S1 but B (only fits S1) needs that seat; A must go to S2 at 10 km.
    # With K = 1, A only sees S1 and stays unplaced though S2 has a seat.
    pupils = [pupil("A", 0, forms=("Grundschule", "Förderschule")), pupil("B", 0, days=9)]
    schools = [school("S1", 0), school("S2", 10, form="Förderschule")]
    exact = optimise_placements(pupils, schools, prune=None)
    assert exact.assignments == {"A": "S2", "B": "S1"}
    pruned = optimise_placements(pupils, schools, prune=1)
    assert pruned.assignments == {"B": "S1"}
    assert pruned.reasons == {"A": REASON_NEAREST_FULL.format(k=1)}
    assert optimise_placements(pupils, schools, prune=2).assignments == exact.assignments


def test_no_half_result_when_the_solver_stops():
    pupils = [pupil("A"), pupil("B", 3)]
    proposal = optimise_placements(pupils, [school("S")], time_limit=0.0, method="mip")
    assert proposal.status == "time_limit"
    assert proposal.assignments == {}
    assert proposal.unplaced == ["A", "B"]
    assert set(proposal.reasons) == {"A", "B"}


@pytest.mark.parametrize(
    ("pupils", "schools", "message"),
    [
        ([pupil("A")], [school("S", primary=-1)], "negative capacity"),
        ([pupil("A")], [school("S", form="Waldorfschule")], "unknown school form"),
        ([pupil("A", forms=("Hogwarts",))], [school("S")], "unknown school form"),
        ([pupil("A", forms=())], [school("S")], "no recommended school form"),
        ([pupil("A", band="sek9")], [school("S")], "unknown stage"),
        ([pupil("A")], [school("S", sek9=3)], "unknown grade band"),
        ([pupil("A", days=-3)], [school("S")], "negative days_waiting"),
        ([pupil("A", pref="X")], [school("S")], "not among the schools"),
        ([pupil("A"), pupil("A")], [school("S")], "occurs twice"),
        ([pupil("A")], [school("S"), school("S")], "occurs twice"),
        ([dataclasses.replace(pupil("A"), lat=float("nan"))], [school("S")], "coordinates"),
        ([pupil("A")], [school("S", primary=2.5)], "must be an integer"),
    ],
)
def test_garbage_input_is_refused(pupils, schools, message):
    with pytest.raises(ValueError, match=message):
        optimise_placements(pupils, schools)


def test_bad_options_are_refused():
    with pytest.raises(ValueError, match="prune"):
        optimise_placements([pupil("A")], [school("S")], prune=0)
    with pytest.raises(ValueError, match="weight"):
        optimise_placements([pupil("A")], [school("S")], Weights(distance_per_km=-1))


def test_check_proposal_finds_broken_proposals():
    pupils = [pupil("A"), pupil("B"), pupil("C", band="sek1", forms=("Realschule",))]
    schools = [school("S", primary=1), school("R", form="Realschule", sek1=1)]
    good = optimise_placements(pupils, schools)
    assert check_proposal(pupils, schools, good) == []
    broken = dataclasses.replace(
        good, assignments={"A": "S", "B": "S", "C": "S"}, unplaced=[], reasons={}
    )
    problems = check_proposal(pupils, schools, broken)
    assert any("capacity 1" in p for p in problems)
    assert any("is a Grundschule" in p for p in problems)
    assert any("does not offer sek1" in p for p in problems)
    missing = dataclasses.replace(good, assignments={}, unplaced=["A"], reasons={})
    problems = check_proposal(pupils, schools, missing)
    assert any("has no reason" in p for p in problems)
    assert any("neither assigned nor unplaced" in p for p in problems)


# --- random instances ------------------------------------------------------------------------

FORMS_BY_BAND = {
    "primary": [("Grundschule",), ("Förderschule",), ("Grundschule", "Förderschule")],
    "sek1": [("Realschule", "Gesamtschule"), ("Gymnasium", "Gesamtschule"), ("Realschule",)],
    "sek2": [("Gymnasium", "Gesamtschule"), ("Berufskolleg",)],
    "ifk": [("Berufskolleg",)],
}
BANDS_BY_FORM = {
    "Grundschule": ("primary",),
    "Förderschule": ("primary", "sek1"),
    "Realschule": ("sek1",),
    "Gesamtschule": ("sek1", "sek2"),
    "Gymnasium": ("sek1", "sek2"),
    "Berufskolleg": ("sek2", "ifk"),
}


def random_instance(
    seed: int,
    n_pupils: int,
    n_schools: int,
    *,
    siblings: bool = True,
    preferences: bool = True,
    max_capacity: int = 3,
    bands: tuple[str, ...] = tuple(FORMS_BY_BAND),
) -> tuple[list[PupilNeed], list[SchoolOffer]]:
    rng = random.Random(seed)
    forms = [f for f, offered in BANDS_BY_FORM.items() if set(offered) & set(bands)]
    schools = []
    for j in range(n_schools):
        form = rng.choice(forms)
        offered = [b for b in BANDS_BY_FORM[form] if rng.random() < 0.8]
        schools.append(
            SchoolOffer(
                id=f"S{j}",
                lat=LAT + rng.uniform(-0.15, 0.15),
                lon=LON + rng.uniform(-0.25, 0.25),
                school_form=form,
                capacity={b: rng.randint(0, max_capacity) for b in offered},
            )
        )
    pupils = []
    group = None
    for i in range(n_pupils):
        band = rng.choice(bands)
        if siblings and group is None and rng.random() < 0.25:
            group = f"fam{i}"
        elif group is not None and rng.random() < 0.5:
            group = None
        pupils.append(
            PupilNeed(
                id=i,
                lat=LAT + rng.uniform(-0.15, 0.15),
                lon=LON + rng.uniform(-0.25, 0.25),
                stage="sek2" if band == "ifk" else band,
                school_forms=frozenset(rng.choice(FORMS_BY_BAND[band])),
                grade_band=band,
                days_waiting=rng.randint(0, 60),
                preferred_school=(
                    f"S{rng.randrange(n_schools)}" if preferences and rng.random() < 0.3 else None
                ),
                sibling_group=group,
            )
        )
    return pupils, schools


@pytest.mark.parametrize("seed", range(50))
def test_random_proposals_are_sound_and_place_as_many_as_possible(seed):
    pupils, schools = random_instance(seed, n_pupils=40, n_schools=8)
    proposal = optimise_placements(pupils, schools)
    assert proposal.status == "optimal"
    assert check_proposal(pupils, schools, proposal) == []
    most, _, _ = assignment_optimum(pupils, schools, Weights(sibling_bonus=0.0))
    assert len(proposal.assignments) == most
    # unplaced pupils only where no fitting school has a seat left
    assert set(proposal.reasons.values()) <= {REASON_ALL_FULL, REASON_NO_FITTING_SCHOOL}


@pytest.mark.parametrize("seed", range(50))
def test_objective_equals_the_assignment_reference(seed):
    pupils, schools = random_instance(100 + seed, n_pupils=30, n_schools=7, siblings=False)
    weights = Weights(waiting_per_day=random.Random(seed).choice([0.0, 0.5, 2.0]))
    placed, value, _ = assignment_optimum(pupils, schools, weights)
    for method in ("mip", "lp-first"):
        proposal = optimise_placements(pupils, schools, weights, method=method)
        assert len(proposal.assignments) == placed
        assert close(secondary(proposal), value)


@pytest.mark.parametrize("seed", range(30))
@pytest.mark.parametrize("families", [2, 1])
def test_objective_equals_brute_force_with_siblings(seed, families):
    # six pupils in two sibling groups of three ("together" columns) or one group of six
    # (u links); three schools: at most 4^6 assignments to try
    pupils, schools = random_instance(
        200 + seed, n_pupils=6, n_schools=3, max_capacity=3, bands=("primary",)
    )
    pupils = [dataclasses.replace(p, sibling_group=f"fam{p.id % families}") for p in pupils]
    placed, value = brute_force_optimum(pupils, schools, Weights())
    for method in ("mip", "lp-first"):
        proposal = optimise_placements(pupils, schools, method=method)
        assert len(proposal.assignments) == placed
        assert close(secondary(proposal), value)


def dense_instance(seed: int) -> tuple[list[PupilNeed], list[SchoolOffer]]:
    """Return 240 primary pupils (siblings share a home) and seats for 90 % of them."""
    rng = random.Random(seed)
    schools = [
        SchoolOffer(
            id=f"S{j}",
            lat=LAT + rng.uniform(-0.1, 0.1),
            lon=LON + rng.uniform(-0.15, 0.15),
            school_form=rng.choice(["Grundschule", "Grundschule", "Förderschule"]),
            capacity={"primary": 0},
        )
        for j in range(15)
    ]
    pupils: list[PupilNeed] = []
    while len(pupils) < 240:
        lat, lon = LAT + rng.uniform(-0.1, 0.1), LON + rng.uniform(-0.15, 0.15)
        size = rng.choice([1, 1, 1, 2, 3])
        for _ in range(size):
            pupils.append(
                PupilNeed(
                    id=len(pupils),
                    lat=lat,
                    lon=lon,
                    stage="primary",
                    school_forms=frozenset(rng.choice(FORMS_BY_BAND["primary"])),
                    grade_band="primary",
                    days_waiting=rng.randint(0, 40),
                    preferred_school=f"S{rng.randrange(15)}" if rng.random() < 0.2 else None,
                    sibling_group=f"fam{len(pupils) - _}" if size > 1 else None,
                )
            )
    seats = [0] * len(schools)
    for _ in range(int(0.9 * len(pupils))):
        seats[rng.randrange(len(schools))] += 1
    schools = [
        dataclasses.replace(s, capacity={"primary": n})
        for s, n in zip(schools, seats, strict=False)
    ]
    return pupils, schools


def test_lp_first_path_equals_the_plain_mip():
    # Siblings and scarce seats make the LP relaxation fractional, so the reduced-cost
    # fixing path runs; it must reach the same optimum as milp on the full model.
    fixing_runs = 0
    for seed in (0, 1, 2, 5, 6):
        pupils, schools = dense_instance(seed)
        fast = optimise_placements(pupils, schools, method="lp-first")
        plain = optimise_placements(pupils, schools, method="mip")
        assert fast.status == plain.status == "optimal"
        assert len(fast.assignments) == len(plain.assignments)
        assert close(secondary(fast), secondary(plain))
        assert check_proposal(pupils, schools, fast) == []
        fixing_runs += "reduced-cost fixing" in fast.message
    assert fixing_runs >= 2
