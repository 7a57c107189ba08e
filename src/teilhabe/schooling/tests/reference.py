"""Independent formulations of the placement problem, to check the optimiser against.

Nothing here imports the optimiser's model code: distances, fit and scores are computed
again. Both functions return the lexicographic optimum as ``(placed, secondary)`` — the
number of placed pupils and the objective without the placement reward M — so it can be
compared with ``proposal.objective - proposal.placement_reward * len(assignments)``.

- :func:`assignment_optimum` (no sibling groups): expand each school × grade band into one
  column per seat, add one "unplaced" column per pupil at cost 0 and solve the min-cost
  assignment with ``scipy.optimize.linear_sum_assignment`` (Hungarian/Jonker–Volgenant).
  Preferences are a per-pair bonus, so they fit this formulation too.
- :func:`brute_force_optimum` (tiny instances, siblings allowed): try every assignment.
"""

from __future__ import annotations

import itertools
import math
from collections import Counter
from collections.abc import Hashable, Sequence

import numpy as np
from scipy.optimize import linear_sum_assignment

from teilhabe.schooling.optimiser import PupilNeed, SchoolOffer, Weights

RADIUS_KM = 6371.0


def km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Return the haversine distance in km (written out again, on purpose)."""
    f1, f2 = math.radians(lat1), math.radians(lat2)
    h = (
        math.sin((f2 - f1) / 2) ** 2
        + math.cos(f1) * math.cos(f2) * math.sin(math.radians(lon2 - lon1) / 2) ** 2
    )
    return 2 * RADIUS_KM * math.asin(min(1.0, math.sqrt(h)))


def pair_value(p: PupilNeed, s: SchoolOffer, w: Weights) -> float | None:
    """Return the secondary value of placing p at s, or None if s does not fit p."""
    if s.school_form not in p.school_forms or s.capacity.get(p.grade_band, 0) <= 0:
        return None
    return (
        w.waiting_per_day * p.days_waiting
        - w.distance_per_km * km(p.lat, p.lon, s.lat, s.lon)
        + (w.preference_bonus if p.preferred_school == s.id else 0.0)
    )


def assignment_optimum(
    pupils: Sequence[PupilNeed], schools: Sequence[SchoolOffer], w: Weights
) -> tuple[int, float, dict[Hashable, Hashable]]:
    """Return (placed, secondary, assignment) of the optimum, by seat-expanded assignment."""
    groups = Counter(p.sibling_group for p in pupils if p.sibling_group is not None)
    if w.sibling_bonus and any(n > 1 for n in groups.values()):
        raise ValueError("the assignment formulation has no sibling bonus")
    # seat columns: one block of `cap` columns per (school, band)
    blocks: list[tuple[SchoolOffer, str, int, int]] = []
    n_seats = 0
    for s in schools:
        for band, cap in s.capacity.items():
            blocks.append((s, band, n_seats, cap))
            n_seats += cap
    seat_school = [s for s, _, _, cap in blocks for _ in range(cap)]
    n = len(pupils)
    values = np.full((n, n_seats), np.nan)
    for i, p in enumerate(pupils):
        for s, band, start, cap in blocks:
            if band == p.grade_band and cap:
                v = pair_value(p, s, w)
                if v is not None:
                    values[i, start : start + cap] = v
    finite = np.where(np.isnan(values), 0.0, np.abs(values))
    big = 2.0 * float(finite.max(axis=1, initial=0.0).sum()) + 1.0
    cost = np.where(np.isnan(values), np.inf, -(big + values))
    cost = np.hstack([cost, np.zeros((n, n))])  # the "unplaced" columns
    rows, cols = linear_sum_assignment(cost)
    assignment: dict[Hashable, Hashable] = {}
    secondary = 0.0
    for i, k in zip(rows, cols, strict=True):
        if k < len(seat_school):
            assignment[pupils[i].id] = seat_school[k].id
            secondary += float(values[i, k])
    return len(assignment), secondary, assignment


def brute_force_optimum(
    pupils: Sequence[PupilNeed], schools: Sequence[SchoolOffer], w: Weights
) -> tuple[int, float]:
    """Return (placed, secondary) of the lexicographic optimum by trying every assignment."""
    options: list[list[SchoolOffer | None]] = []
    for p in pupils:
        options.append([None] + [s for s in schools if pair_value(p, s, w) is not None])
    best: tuple[int, float] = (0, 0.0)
    for choice in itertools.product(*options):
        seats = Counter(
            (s.id, p.grade_band) for p, s in zip(pupils, choice, strict=True) if s is not None
        )
        by_id = {s.id: s for s in schools}
        if any(n > by_id[sid].capacity[band] for (sid, band), n in seats.items()):
            continue
        placed = sum(1 for s in choice if s is not None)
        value = 0.0
        together: Counter[tuple[str, Hashable]] = Counter()
        for p, s in zip(pupils, choice, strict=True):
            if s is None:
                continue
            value += pair_value(p, s, w) or 0.0
            if p.sibling_group is not None:
                together[(p.sibling_group, s.id)] += 1
        value += w.sibling_bonus * sum(n - 1 for n in together.values())
        if (placed, value) > best:
            best = (placed, value)
    return best
