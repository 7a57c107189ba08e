"""Propose school places for newcomer pupils (Seiteneinsteigerberatung, BASS 13-63 Nr. 3).

A pure optimisation module: plain dataclasses in, a :class:`Proposal` out, no Django. The
``schooling`` services turn pupils and school capacities into :class:`PupilNeed` and
:class:`SchoolOffer`, call :func:`optimise_placements` and check the result with
:func:`check_proposal` before a person confirms it.

The model
---------
Variables: ``x[p,s] ∈ {0,1}`` for each *fitting* pair only — school ``s`` has a form the
pupil's recommendation names (``s.school_form ∈ p.school_forms``) and a capacity entry above
zero for the pupil's grade band. For each sibling group ``g`` (2–4 pupils), school ``s`` and
subset ``T ⊆ g`` of at least two members who all fit ``s``: a "together" column
``z[g,s,T] ∈ {0,1}`` that places all of ``T`` at ``s``. Larger groups instead get
``u[g,s] ∈ [0,1]`` for each school at least two members fit.

Hard constraints::

    Σ_s x[p,s] + Σ_{T ∋ p} z[g,s,T] ≤ 1          each pupil at most one school
    Σ_{p in band b} (x[p,s] + Σ_{T ∋ p} z[g,s,T])
                               ≤ capacity[s][b]   per school and grade band
    x[p,s] − u[g,s] ≤ 0                           (large groups) each member p fitting s

Objective (maximised), with ``r[p,s] = M + waiting_per_day · days_waiting[p]
− distance_per_km · km(p, s) + preference_bonus · [s = preferred_school[p]]``::

    Σ_{p,s} r[p,s] · x[p,s]
    + Σ_{g,s,T} (Σ_{p in T} r[p,s] + sibling_bonus · (|T| − 1)) · z[g,s,T]
    + sibling_bonus · Σ_{g large, s} (Σ_{p in g} x[p,s] − u[g,s])

``km`` is the haversine (great-circle) distance from home to school on a sphere of radius
6371 km. Both sibling terms pay ``(n − 1) · sibling_bonus`` for n siblings at one school:
the optimum uses the together column of exactly the members at ``s`` (a split into
singles would lose the bonus), and for large groups ``u[g,s] = max_p x[p,s]`` at an
optimum, so ``Σ x − u = n − 1``. Both are exact; ``u`` needs no integrality. The together
columns cost ``2^n − n − 1`` columns per school, hence the size limit; in the benchmark
they gave the same LP bound as the links but a MIP that HiGHS closes faster.

Lexicographic intent: ``M`` is computed per instance as ``U + L + 1`` where ``U`` bounds
every positive term a whole solution can collect (per pupil the largest positive
``waiting + preference − distance`` over its fitting schools, plus ``sibling_bonus ·
(|g| − 1)`` per group) and ``L`` bounds every negative term (per pupil the largest net
distance penalty). A solution with k + 1 placed pupils scores at least ``(k + 1)·M − L``,
one with k placed at most ``k·M + U < (k + 1)·M − L``: placing one more pupil always wins.
So the optimum first places as many pupils as any assignment can, and among those chooses
who is placed and where by waiting time, distance, siblings and preferences.

Weights are in "kilometre equivalents" (see :class:`Weights`). When seats are scarce, who
gets one is decided by the waiting reward against the distance (by default one day of
waiting outweighs 2 km), so the longest-waiting pupils win unless they live much farther
away; where the placed pupils go is decided by distance, siblings and preferences.

The model is solved exactly with SciPy's HiGHS (no further dependency). Small models go to
``milp`` directly. Large ones start with the LP relaxation (dual simplex): without siblings
the constraint matrix is that of a transportation problem, which is totally unimodular, so
the LP vertex is integral and optimal; with siblings a few variables are fractional, and
reduced-cost fixing against the LP bound leaves a few thousand binaries to ``milp``
(branch-and-cut, zero relative gap) — see :func:`_solve`. ``Proposal.status == "optimal"``
means proven optimal for the model solved.

Pruning (``prune=K``) keeps only each pupil's K nearest fitting schools. It is an
approximation of the full problem: a pupil whose K nearest schools are full may then stay
unplaced although a farther school has a seat (its reason then says so). The default
``prune=None`` solves the full model, which is fast enough for a Kreis: 2,000 pupils × 150
schools in 1–3 s on two cores (``benchmarks/optimiser.py``); pruning did not make that
faster, since the LP relaxation is the bulk of the work either way.
"""

from __future__ import annotations

import math
import time
from collections import defaultdict
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from itertools import combinations
from typing import Literal

import numpy as np
from scipy import sparse
from scipy.optimize import Bounds, LinearConstraint, linprog, milp

SCHOOL_FORMS: frozenset[str] = frozenset(
    {
        "Grundschule",
        "Hauptschule",
        "Realschule",
        "Gesamtschule",
        "Gymnasium",
        "Sekundarschule",
        "Förderschule",
        "Berufskolleg",
    }
)
#: Grade bands a school offers places in; ``ifk`` is the Internationale Förderklasse (16+).
GRADE_BANDS: tuple[str, ...] = ("primary", "sek1", "sek2", "ifk")
#: School stages (age bands of DOMAIN.md: Primar 6–10, Sek I 10–16, Sek II 16–18).
STAGES: tuple[str, ...] = ("primary", "sek1", "sek2")

EARTH_RADIUS_KM = 6371.0

REASON_NO_FITTING_SCHOOL = "no school of the recommended form offers this grade band"
REASON_ALL_FULL = "all fitting schools are full"
REASON_NEAREST_FULL = (
    "the {k} nearest fitting schools are full; farther schools were not considered"
)
REASON_NOT_SOLVED = "no proposal: the solver did not prove an optimum ({status})"

Status = Literal["optimal", "empty", "no_fitting_school", "time_limit", "error"]


@dataclass(frozen=True)
class PupilNeed:
    """A newcomer pupil waiting for a school place.

    ``school_forms`` is the recommendation of the counselling (the forms the pupil may
    attend), ``grade_band`` the band the place is needed in, ``stage`` the age band used in
    reports. ``preferred_school`` is the parents' wish (a school id), ``sibling_group`` a key
    shared by siblings who should go to the same school.
    """

    id: Hashable
    lat: float
    lon: float
    stage: str
    school_forms: frozenset[str]
    grade_band: str
    days_waiting: int
    preferred_school: Hashable | None = None
    sibling_group: str | None = None


@dataclass(frozen=True)
class SchoolOffer:
    """A school and its free places per grade band.

    The school offers a band iff ``capacity`` has an entry for it; 0 means it offers the
    band but has no free place now.
    """

    id: Hashable
    lat: float
    lon: float
    school_form: str
    capacity: Mapping[str, int]


@dataclass(frozen=True)
class Weights:
    """Weights of the secondary objective, all in kilometre equivalents.

    - ``distance_per_km=1.0``: one kilometre of the way to school costs 1.
    - ``waiting_per_day=2.0``: each day already waited adds 2 to the reward of placing the
      pupil, so when seats are scarce a pupil who waited two weeks longer wins a seat even
      if it is 28 km farther from home — waiting time is the key figure (DOMAIN.md).
    - ``sibling_bonus=10.0``: a sibling at the same school is worth 10 km of extra travel
      for the family (one school run, one contact person).
    - ``preference_bonus=5.0``: the parents' preferred school is worth 5 km; it breaks ties
      and small differences but does not send a child far for a wish.
    """

    distance_per_km: float = 1.0
    sibling_bonus: float = 10.0
    preference_bonus: float = 5.0
    waiting_per_day: float = 2.0


@dataclass(frozen=True)
class Proposal:
    """The result of one optimisation run.

    ``objective`` is the value of the objective above for ``assignments`` (including
    ``placement_reward`` — the M of the model — once per placed pupil). Unless ``status`` is
    ``"optimal"`` there are no assignments: every pupil is listed in ``unplaced`` and
    ``message`` says why.
    """

    assignments: dict[Hashable, Hashable]
    unplaced: list[Hashable]
    objective: float
    status: Status
    solve_seconds: float
    reasons: dict[Hashable, str]
    message: str = ""
    placement_reward: float = 0.0
    mip_gap: float | None = None
    variables: int = 0
    constraints: int = 0


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Return the great-circle distance in km between two points given in degrees."""
    return float(_haversine(np.array([lat1]), np.array([lon1]), np.array([lat2]), lon2)[0])


def _haversine(lat1: np.ndarray, lon1: np.ndarray, lat2: np.ndarray, lon2) -> np.ndarray:
    p1, p2 = np.radians(lat1), np.radians(lat2)
    dphi = p2 - p1
    dlmb = np.radians(lon2) - np.radians(lon1)
    a = np.sin(dphi / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dlmb / 2) ** 2
    return 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0)))


def distance_matrix(pupils: Sequence[PupilNeed], schools: Sequence[SchoolOffer]) -> np.ndarray:
    """Return the pupils × schools matrix of home-to-school distances in km."""
    plat = np.array([p.lat for p in pupils], dtype=float)[:, None]
    plon = np.array([p.lon for p in pupils], dtype=float)[:, None]
    slat = np.array([s.lat for s in schools], dtype=float)[None, :]
    slon = np.array([s.lon for s in schools], dtype=float)[None, :]
    return _haversine(plat, plon, slat, slon)


def fits(pupil: PupilNeed, school: SchoolOffer) -> bool:
    """Return whether the school has the recommended form and offers the pupil's band."""
    return school.school_form in pupil.school_forms and pupil.grade_band in school.capacity


def validate(pupils: Sequence[PupilNeed], schools: Sequence[SchoolOffer], weights: Weights) -> None:
    """Raise ``ValueError`` naming the first piece of input that makes no sense."""
    for name in ("distance_per_km", "sibling_bonus", "preference_bonus", "waiting_per_day"):
        value = getattr(weights, name)
        if not isinstance(value, int | float) or not math.isfinite(value) or value < 0:
            raise ValueError(f"weight {name} must be a finite number ≥ 0, got {value!r}")
    school_ids: set[Hashable] = set()
    for s in schools:
        if s.id in school_ids:
            raise ValueError(f"school id {s.id!r} occurs twice")
        school_ids.add(s.id)
        _check_coordinates("school", s.id, s.lat, s.lon)
        if s.school_form not in SCHOOL_FORMS:
            raise ValueError(
                f"school {s.id!r}: unknown school form {s.school_form!r} "
                f"(known: {', '.join(sorted(SCHOOL_FORMS))})"
            )
        for band, cap in s.capacity.items():
            if band not in GRADE_BANDS:
                raise ValueError(
                    f"school {s.id!r}: unknown grade band {band!r} "
                    f"(known: {', '.join(GRADE_BANDS)})"
                )
            if isinstance(cap, bool) or not isinstance(cap, int | np.integer):
                raise ValueError(f"school {s.id!r}: capacity for {band} must be an integer")
            if cap < 0:
                raise ValueError(f"school {s.id!r}: negative capacity {cap} for {band}")
    pupil_ids: set[Hashable] = set()
    for p in pupils:
        if p.id in pupil_ids:
            raise ValueError(f"pupil id {p.id!r} occurs twice")
        pupil_ids.add(p.id)
        _check_coordinates("pupil", p.id, p.lat, p.lon)
        if p.stage not in STAGES:
            raise ValueError(f"pupil {p.id!r}: unknown stage {p.stage!r}")
        if p.grade_band not in GRADE_BANDS:
            raise ValueError(f"pupil {p.id!r}: unknown grade band {p.grade_band!r}")
        if not p.school_forms:
            raise ValueError(f"pupil {p.id!r}: no recommended school form")
        unknown = set(p.school_forms) - SCHOOL_FORMS
        if unknown:
            raise ValueError(f"pupil {p.id!r}: unknown school form(s) {', '.join(sorted(unknown))}")
        if isinstance(p.days_waiting, bool) or not isinstance(p.days_waiting, int | np.integer):
            raise ValueError(f"pupil {p.id!r}: days_waiting must be an integer")
        if p.days_waiting < 0:
            raise ValueError(f"pupil {p.id!r}: negative days_waiting {p.days_waiting}")
        if p.preferred_school is not None and p.preferred_school not in school_ids:
            raise ValueError(
                f"pupil {p.id!r}: preferred school {p.preferred_school!r} is not among the schools"
            )


def _check_coordinates(kind: str, ident: Hashable, lat: float, lon: float) -> None:
    ok = (
        isinstance(lat, int | float)
        and isinstance(lon, int | float)
        and math.isfinite(lat)
        and math.isfinite(lon)
    )
    if not ok or not (-90 <= lat <= 90 and -180 <= lon <= 180):
        raise ValueError(f"{kind} {ident!r}: invalid coordinates ({lat!r}, {lon!r})")


def optimise_placements(
    pupils: Iterable[PupilNeed],
    schools: Iterable[SchoolOffer],
    weights: Weights | None = None,
    *,
    prune: int | None = None,
    time_limit: float = 60.0,
    method: Literal["auto", "lp-first", "mip"] = "auto",
) -> Proposal:
    """Return the optimal assignment of pupils to school places (see the module docstring).

    ``prune=K`` restricts each pupil to its K nearest fitting schools (an approximation);
    ``None`` solves the full model. ``method`` picks the solution path, each exact:
    ``"mip"`` hands the whole model to ``milp``; ``"lp-first"`` solves the LP relaxation
    and leaves only what reduced-cost fixing cannot settle to ``milp`` (see :func:`_solve`);
    ``"auto"`` takes ``"mip"`` up to ``_AUTO_MIP_BINARIES`` binaries, where HiGHS' MIP
    solver alone is quickest, and ``"lp-first"`` above, where its presolve takes seconds.
    """
    started = time.perf_counter()
    pupils = list(pupils)
    schools = list(schools)
    weights = weights or Weights()
    validate(pupils, schools, weights)
    if prune is not None and (isinstance(prune, bool) or not isinstance(prune, int) or prune < 1):
        raise ValueError(f"prune must be a positive integer or None, got {prune!r}")
    if method not in ("auto", "lp-first", "mip"):
        raise ValueError(f"unknown method {method!r}")

    if not pupils:
        return Proposal({}, [], 0.0, "empty", time.perf_counter() - started, {}, "no pupils")

    n_p, n_s = len(pupils), len(schools)
    dist = distance_matrix(pupils, schools) if n_s else np.zeros((n_p, 0))
    # fit[p, s]: form and band match (the band may have capacity 0)
    fit = np.zeros((n_p, n_s), dtype=bool)
    by_key: dict[tuple[str, str], list[int]] = defaultdict(list)
    for j, s in enumerate(schools):
        for band in s.capacity:
            by_key[(s.school_form, band)].append(j)
    for i, p in enumerate(pupils):
        for form in p.school_forms:
            fit[i, by_key.get((form, p.grade_band), [])] = True
    cap_of_band = np.array(
        [[s.capacity.get(p_band, 0) for s in schools] for p_band in GRADE_BANDS], dtype=np.int64
    ).reshape(len(GRADE_BANDS), n_s)
    band_idx = np.array([GRADE_BANDS.index(p.grade_band) for p in pupils])
    cand = fit & (cap_of_band[band_idx, :] > 0)
    if prune is not None and prune < n_s:
        masked = np.where(cand, dist, np.inf)
        nearest = np.argpartition(masked, prune - 1, axis=1)[:, :prune]
        keep = np.zeros_like(cand)
        np.put_along_axis(keep, nearest, True, axis=1)
        cand &= keep

    pi, sj = np.nonzero(cand)
    if len(pi) == 0:
        reasons = _reasons_unplaced(pupils, schools, fit, {}, prune)
        if all(r == REASON_NO_FITTING_SCHOOL for r in reasons.values()):
            status: Status = "no_fitting_school"
            message = REASON_NO_FITTING_SCHOOL
        else:
            status, message = "optimal", "no fitting school has a free place"
        return Proposal(
            {},
            [p.id for p in pupils],
            0.0,
            status,
            time.perf_counter() - started,
            reasons,
            message,
        )

    school_index = {s.id: j for j, s in enumerate(schools)}
    days = np.array([p.days_waiting for p in pupils], dtype=float)
    pref = np.array(
        [school_index[p.preferred_school] if p.preferred_school is not None else -1 for p in pupils]
    )
    # secondary score of each fitting pair (without M and without sibling terms)
    c = (
        weights.waiting_per_day * days[pi]
        - weights.distance_per_km * dist[pi, sj]
        + weights.preference_bonus * (pref[pi] == sj)
    )

    groups: dict[str, list[int]] = defaultdict(list)
    for i, p in enumerate(pupils):
        if p.sibling_group is not None:
            groups[p.sibling_group].append(i)
    groups = {g: members for g, members in groups.items() if len(members) > 1}

    # M = U + L + 1 (see the module docstring)
    best = np.full(n_p, -np.inf)
    worst = np.full(n_p, np.inf)
    np.maximum.at(best, pi, c)
    np.minimum.at(worst, pi, c)
    has = np.isfinite(best)
    upper = float(np.maximum(best[has], 0).sum()) + weights.sibling_bonus * sum(
        len(m) - 1 for m in groups.values()
    )
    lower = float(np.maximum(-worst[has], 0).sum())
    big_m = upper + lower + 1.0

    n_x = len(pi)
    pair = {(int(i), int(j)): k for k, (i, j) in enumerate(zip(pi, sj, strict=True))}
    obj = big_m + c
    # sibling columns: small groups get one "together" column per school and subset of at
    # least two members (a much tighter LP than links); larger groups get u[g,s] links
    together: list[tuple[tuple[int, ...], int]] = []  # (x columns of the members, school)
    together_obj: list[float] = []
    u_count = 0
    link_rows: list[tuple[int, int]] = []  # (x column, u number)
    if weights.sibling_bonus > 0:
        for members in groups.values():
            per_school: dict[int, list[int]] = defaultdict(list)
            for i in members:
                for j in np.nonzero(cand[i])[0]:
                    per_school[int(j)].append(pair[(i, int(j))])
            for j, xcols in per_school.items():
                if len(xcols) < 2:
                    continue
                if len(members) <= _MAX_TOGETHER_GROUP:
                    for size in range(2, len(xcols) + 1):
                        for subset in combinations(xcols, size):
                            together.append((subset, j))
                            together_obj.append(
                                float(obj[list(subset)].sum()) + weights.sibling_bonus * (size - 1)
                            )
                else:
                    for k in xcols:
                        obj[k] += weights.sibling_bonus
                        link_rows.append((k, u_count))
                    u_count += 1
    n_z = len(together)
    n_u = u_count
    n_var = n_x + n_z + n_u
    objective = np.concatenate([obj, np.array(together_obj), np.full(n_u, -weights.sibling_bonus)])

    # rows: one per pupil, one per (school, band) with candidates, one per sibling link
    keys = sj.astype(np.int64) * len(GRADE_BANDS) + band_idx[pi]
    cap_keys, cap_row = np.unique(keys, return_inverse=True)
    cap_ub = cap_of_band[cap_keys % len(GRADE_BANDS), cap_keys // len(GRADE_BANDS)]
    n_cap = len(cap_keys)
    n_link = len(link_rows)
    link = np.array(link_rows, dtype=np.int64).reshape(-1, 2)
    link[:, 1] += n_x + n_z
    link_ids = n_p + n_cap + np.arange(n_link)
    z_x = np.array([k for subset, _ in together for k in subset], dtype=np.int64)
    z_col = n_x + np.repeat(np.arange(n_z), [len(subset) for subset, _ in together])
    rows = np.concatenate([pi, n_p + cap_row, pi[z_x], n_p + cap_row[z_x], link_ids, link_ids])
    cols = np.concatenate([np.arange(n_x), np.arange(n_x), z_col, z_col, link[:, 0], link[:, 1]])
    vals = np.concatenate(
        [np.ones(2 * n_x), np.ones(2 * len(z_x)), np.ones(n_link), -np.ones(n_link)]
    )
    n_rows = n_p + n_cap + n_link
    a = sparse.csr_array((vals, (rows, cols)), shape=(n_rows, n_var))  # duplicates are summed
    ub = np.concatenate([np.ones(n_p), cap_ub.astype(float), np.zeros(n_link)])
    integer = np.concatenate([np.ones(n_x + n_z, dtype=bool), np.zeros(n_u, dtype=bool)])
    deadline = started + time_limit
    if method == "auto":
        method = "mip" if n_x + n_z <= _AUTO_MIP_BINARIES else "lp-first"
    if method == "mip":
        all_free = np.ones(n_var, dtype=bool)
        solved = _mip(-objective, a, ub, integer, all_free, np.zeros(n_var), deadline)
    else:
        solved = _solve(-objective, a, ub, integer, n_x, n_p, link, n_p + n_cap, deadline=deadline)
    if solved.x is None:
        status = "time_limit" if solved.status == 1 else "error"
        reason = REASON_NOT_SOLVED.format(status=solved.message)
        return Proposal(
            {},
            [p.id for p in pupils],
            0.0,
            status,
            time.perf_counter() - started,
            {p.id: reason for p in pupils},
            reason,
            big_m,
            None,
            n_var,
            n_rows,
        )

    chosen = [int(k) for k in np.nonzero(solved.x[:n_x] > 0.5)[0]]
    for t in np.nonzero(solved.x[n_x : n_x + n_z] > 0.5)[0]:
        chosen.extend(together[int(t)][0])
    assignments = {pupils[int(pi[k])].id: schools[int(sj[k])].id for k in chosen}
    reasons = _reasons_unplaced(pupils, schools, fit, assignments, prune)
    return Proposal(
        assignments=assignments,
        unplaced=[p.id for p in pupils if p.id not in assignments],
        objective=score(pupils, schools, assignments, weights, placement_reward=big_m),
        status="optimal",
        solve_seconds=time.perf_counter() - started,
        reasons=reasons,
        message=f"{len(assignments)} of {n_p} pupils placed ({solved.message})",
        placement_reward=big_m,
        mip_gap=solved.gap,
        variables=n_var,
        constraints=n_rows,
    )


@dataclass
class _Solved:
    x: np.ndarray | None
    status: int
    message: str
    gap: float | None = None


_INT_TOL = 1e-6
_FIRST_NODE_LIMIT = 200
_FIRST_SHARE = 0.25
_AUTO_MIP_BINARIES = 20_000
#: sibling groups up to this size get "together" columns (2^n − n − 1 per school)
_MAX_TOGETHER_GROUP = 4


def _solve(
    c: np.ndarray,
    a: sparse.csr_array,
    ub: np.ndarray,
    integer: np.ndarray,
    n_single: int,
    n_pupil_rows: int,
    link: np.ndarray,
    n_assign_rows: int,
    *,
    deadline: float,
) -> _Solved:
    """Minimise ``c @ x`` s.t. ``a @ x <= ub``, ``0 <= x <= 1``, ``x[integer]`` binary.

    The first ``n_single`` columns place one pupil each; the first ``n_pupil_rows`` rows are
    the pupil rows. The first ``n_assign_rows`` rows are
    the pupil and capacity rows; the rest link sibling columns ``link[:, 0]`` to their ``u``
    columns ``link[:, 1]``.

    HiGHS' MIP solver spends seconds in presolve and heuristics on 80,000 binaries, although
    the LP relaxation (a transportation problem plus a few sibling rows) is integral or
    nearly so. So: solve the LP with the dual simplex; if its vertex is integral it is
    optimal. Otherwise build an incumbent (LP-integral variables kept, the fractional pupils
    placed by a transportation LP over the seats left, which is integral) and fix every
    binary whose LP reduced cost exceeds the gap between incumbent and LP bound — classic
    reduced-cost fixing, which is exact: for any feasible x,
    ``c @ x >= lp_bound + |d_j| · |x_j − x*_j|``, so such a variable keeps its LP value in
    every solution at least as good as the incumbent. The MIP over the remaining variables
    (zero relative gap) is then the exact optimum of the full model.
    """
    lp = _lp(c, a, ub, deadline)
    if lp.status != 0 or lp.x is None:
        return _mip(c, a, ub, integer, np.ones(len(c), dtype=bool), np.zeros(len(c)), deadline)
    x_lp = np.asarray(lp.x)
    frac = integer & (x_lp > _INT_TOL) & (x_lp < 1 - _INT_TOL)
    if not frac.any():
        x = np.where(integer, np.round(x_lp), x_lp)
        return _Solved(x, 0, "LP relaxation integral", 0.0)
    values = np.where(integer & ~frac, np.round(x_lp), 0.0)
    # re-place, column by column, every pupil the LP-integral part leaves without a place
    pupil_rows = a[:n_pupil_rows]
    covered = pupil_rows @ values > 0.5
    open_cols = np.zeros(len(c), dtype=bool)
    open_cols[:n_single] = True
    open_cols &= ~(pupil_rows.T @ covered.astype(float) > 0.5)
    incumbent = _incumbent(c, a, ub, values, open_cols, link, n_assign_rows, deadline)
    # margin for the solver's tolerances on reduced costs of magnitude up to max |c|
    margin = 1e-7 * max(1.0, float(np.abs(c).max())) + 1e-9 * abs(float(lp.fun))
    reduced = np.where(values == 1, -np.asarray(lp.upper.marginals), np.asarray(lp.lower.marginals))
    # MIPs over growing regions {reduced cost ≤ τ}: once the best solution found is within
    # τ of the LP bound, the region holds every better solution and the MIP optimum over
    # it is the optimum. Small regions solve fast; node limits keep the trial stages
    # cheap and deterministic. Regions above a quarter of the model go straight to the
    # last stage, τ = gap, which is exact by the fixing argument above.
    total = int(integer.sum())
    for tau in (margin, 1.0 + margin, 4.0 + margin, None):
        gap = max(0.0, float(c @ incumbent - lp.fun))
        last = tau is None or tau >= gap + margin
        tau = gap + margin if last else tau
        free = ~integer | frac | (reduced <= tau)
        if not last and (free & integer).sum() > _FIRST_SHARE * total:
            continue
        solved = _mip(
            c,
            a,
            ub,
            integer,
            free,
            values,
            deadline,
            node_limit=None if last else _FIRST_NODE_LIMIT,
        )
        if solved.x is None:
            if last:
                return solved
            continue
        if c @ solved.x <= c @ incumbent:
            incumbent = solved.x
        proven = solved.status == 0 and float(c @ solved.x - lp.fun) + margin <= tau
        if last or proven:
            solved.message = (
                f"LP bound {-lp.fun:.6f}, reduced-cost fixing left "
                f"{int((free & integer).sum())} of {total} binaries to the MIP"
            )
            return solved
    raise AssertionError("unreachable: the last stage returns")


def _lp(c: np.ndarray, a: sparse.csr_array, ub: np.ndarray, deadline: float):
    return linprog(
        c,
        A_ub=a,
        b_ub=ub,
        bounds=(0.0, 1.0),
        method="highs-ds",
        options={"time_limit": max(1.0, deadline - time.perf_counter())},
    )


def _incumbent(
    c: np.ndarray,
    a: sparse.csr_array,
    ub: np.ndarray,
    values: np.ndarray,
    frac: np.ndarray,
    link: np.ndarray,
    n_assign_rows: int,
    deadline: float,
) -> np.ndarray:
    """Return a feasible solution: ``values`` with the columns ``frac`` re-decided.

    ``frac`` holds single-pupil columns of pupils ``values`` leaves out, so the LP over
    them is a transportation problem and its vertex is integral.
    """
    x = values.copy()
    assign = a[:n_assign_rows]
    cols = np.nonzero(frac)[0]
    if len(cols):
        lp = _lp(c[cols], assign[:, cols], ub[:n_assign_rows] - assign @ x, deadline)
        if lp.status == 0 and lp.x is not None:
            x[cols] = np.round(lp.x)
    np.maximum.at(x, link[:, 1], x[link[:, 0]])  # u = max of its members' x
    if (a @ x > ub + 1e-9).any():  # rounding went wrong: drop the re-placed pupils
        x = values.copy()
        np.maximum.at(x, link[:, 1], x[link[:, 0]])
    return x


def _mip(
    c: np.ndarray,
    a: sparse.csr_array,
    ub: np.ndarray,
    integer: np.ndarray,
    free: np.ndarray,
    values: np.ndarray,
    deadline: float,
    *,
    node_limit: int | None = None,
) -> _Solved:
    """Solve the MIP over the ``free`` columns, the others fixed to ``values``.

    With a ``node_limit`` a feasible but unproven solution is returned with status 1.
    """
    remaining = deadline - time.perf_counter()
    if remaining <= 0:
        return _Solved(None, 1, "time limit reached")
    fixed_values = np.where(free, 0.0, values)
    rhs = ub - a @ fixed_values
    result = milp(
        c[free],
        integrality=integer[free].astype(int),
        bounds=Bounds(0.0, 1.0),
        constraints=LinearConstraint(a[:, free], -np.inf, rhs),
        options={
            "time_limit": remaining,
            "mip_rel_gap": 0.0,
            "presolve": True,
            "node_limit": node_limit,
        },
    )
    if result.x is None or (result.status != 0 and node_limit is None):
        return _Solved(None, result.status, result.message)
    x = fixed_values.copy()
    x[free] = result.x
    gap = float(result.mip_gap) if result.mip_gap is not None else 0.0
    return _Solved(x, result.status, "MIP optimal" if result.status == 0 else result.message, gap)


def _reasons_unplaced(
    pupils: Sequence[PupilNeed],
    schools: Sequence[SchoolOffer],
    fit: np.ndarray,
    assignments: Mapping[Hashable, Hashable],
    prune: int | None,
) -> dict[Hashable, str]:
    used: dict[tuple[int, str], int] = defaultdict(int)
    school_index = {s.id: j for j, s in enumerate(schools)}
    band_of = {p.id: p.grade_band for p in pupils}
    for pid, sid in assignments.items():
        used[(school_index[sid], band_of[pid])] += 1
    reasons: dict[Hashable, str] = {}
    for i, p in enumerate(pupils):
        if p.id in assignments:
            continue
        fitting = np.nonzero(fit[i])[0]
        if len(fitting) == 0:
            reasons[p.id] = REASON_NO_FITTING_SCHOOL
        elif any(schools[j].capacity[p.grade_band] > used[(j, p.grade_band)] for j in fitting):
            # only possible when pruning hid the school with the free seat
            reasons[p.id] = REASON_NEAREST_FULL.format(k=prune)
        else:
            reasons[p.id] = REASON_ALL_FULL
    return reasons


def score(
    pupils: Sequence[PupilNeed],
    schools: Sequence[SchoolOffer],
    assignments: Mapping[Hashable, Hashable],
    weights: Weights,
    *,
    placement_reward: float,
) -> float:
    """Return the objective value of ``assignments`` with M = ``placement_reward``."""
    school_by_id = {s.id: s for s in schools}
    total = 0.0
    together: dict[tuple[str, Hashable], int] = defaultdict(int)
    for p in pupils:
        sid = assignments.get(p.id)
        if sid is None:
            continue
        s = school_by_id[sid]
        total += (
            placement_reward
            + weights.waiting_per_day * p.days_waiting
            - weights.distance_per_km * haversine_km(p.lat, p.lon, s.lat, s.lon)
            + (weights.preference_bonus if p.preferred_school == sid else 0.0)
        )
        if p.sibling_group is not None:
            together[(p.sibling_group, sid)] += 1
    total += weights.sibling_bonus * sum(n - 1 for n in together.values())
    return total


def check_proposal(
    pupils: Sequence[PupilNeed], schools: Sequence[SchoolOffer], proposal: Proposal
) -> list[str]:
    """Return every rule the proposal breaks (empty when it is sound).

    Checks that each pupil is either assigned once or listed as unplaced with a reason, that
    each assigned school exists, has a recommended form and offers the pupil's grade band,
    and that no school exceeds its capacity in any band.
    """
    problems: list[str] = []
    pupil_by_id = {p.id: p for p in pupils}
    school_by_id = {s.id: s for s in schools}
    seats: dict[tuple[Hashable, str], int] = defaultdict(int)
    for pid, sid in proposal.assignments.items():
        pupil = pupil_by_id.get(pid)
        school = school_by_id.get(sid)
        if pupil is None:
            problems.append(f"unknown pupil {pid!r} is assigned")
            continue
        if school is None:
            problems.append(f"pupil {pid!r} is assigned to unknown school {sid!r}")
            continue
        if school.school_form not in pupil.school_forms:
            problems.append(
                f"pupil {pid!r}: school {sid!r} is a {school.school_form}, "
                f"not one of {sorted(pupil.school_forms)}"
            )
        if pupil.grade_band not in school.capacity:
            problems.append(f"pupil {pid!r}: school {sid!r} does not offer {pupil.grade_band}")
        seats[(sid, pupil.grade_band)] += 1
    for (sid, band), n in seats.items():
        cap = school_by_id[sid].capacity.get(band, 0)
        if n > cap:
            problems.append(f"school {sid!r}: {n} pupils in {band}, capacity {cap}")
    unplaced = list(proposal.unplaced)
    if len(set(unplaced)) != len(unplaced):
        problems.append("a pupil is listed as unplaced twice")
    for pid in unplaced:
        if pid in proposal.assignments:
            problems.append(f"pupil {pid!r} is both assigned and unplaced")
        if pid not in pupil_by_id:
            problems.append(f"unknown pupil {pid!r} is listed as unplaced")
        if not proposal.reasons.get(pid):
            problems.append(f"unplaced pupil {pid!r} has no reason")
    missing = set(pupil_by_id) - set(proposal.assignments) - set(unplaced)
    for pid in sorted(missing, key=repr):
        problems.append(f"pupil {pid!r} is neither assigned nor unplaced")
    return problems
