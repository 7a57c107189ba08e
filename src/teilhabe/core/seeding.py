"""Generators of demo and volume data. Each app registers its own; ``teilhabe seed`` runs them.

A generator is called as ``generator(scale, seed, factor)`` and returns a mapping of what it
created to how many. Generators run in registration order (core first, then the apps in
``INSTALLED_APPS`` order), so an app can build on the rows of the apps it depends on.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, TypeVar

if TYPE_CHECKING:
    from .models import Centre, Municipality

K = TypeVar("K", bound=Hashable)

SCALES = ("demo", "kreis", "state")

Generator = Callable[[str, int, float], dict[str, int]]
_generators: list[tuple[str, Generator]] = []


def register(name: str) -> Callable[[Generator], Generator]:
    """Register a generator of volume data under ``name``."""

    def decorator(func: Generator) -> Generator:
        _generators.append((name, func))
        return func

    return decorator


def generators() -> list[tuple[str, Generator]]:
    return list(_generators)


def run_demo_generators() -> dict[str, int]:
    """Run every generator at demo scale (used by ``teilhabe demo``)."""
    totals: dict[str, int] = {}
    for _name, generator in _generators:
        if _name == "core":
            continue  # the core's demo part is load_demo itself
        for what, n in generator("demo", 2026, 1.0).items():
            totals[what] = totals.get(what, 0) + n
    return totals


# ---- realistic distribution (bigger cities have more) -----------------------------------------


def centre_weights(centres: Iterable[Centre]) -> dict[int, float]:
    """Return each centre's weight by the residents of its area, 1.0 for the average centre.

    The area of a city with a centre of its own (Aachen) is that city; the area of a district's
    centre is the district without such cities. A centre whose population is not in the
    reference data weighs 1.0. Two queries, whatever the number of centres.
    """
    from .models import Centre

    ids = [centre.pk for centre in centres]
    own_cities: dict[int, int] = {}
    for district_id, residents in Centre.objects.filter(municipality__isnull=False).values_list(
        "district_id", "municipality__population"
    ):
        own_cities[district_id] = own_cities.get(district_id, 0) + (residents or 0)
    residents_of: dict[int, int | None] = {}
    for pk, district_id, district_residents, city_residents, city_id in Centre.objects.filter(
        pk__in=ids
    ).values_list(
        "pk", "district_id", "district__population", "municipality__population", "municipality_id"
    ):
        if city_id is not None:
            residents_of[pk] = city_residents
        elif district_residents:
            residents_of[pk] = max(0, district_residents - own_cities.get(district_id, 0)) or None
        else:
            residents_of[pk] = None
    known = [n for n in residents_of.values() if n]
    mean = sum(known) / len(known) if known else 1.0
    return {pk: (residents_of.get(pk) or mean) / mean for pk in ids}


def town_weights(centre: Centre, towns: Sequence[Municipality]) -> list[float]:
    """Return a weight per Gemeinde of ``centre``: its residents (the average where unknown).

    A city with a centre of its own weighs nothing for the centre of its district, so the
    Städteregion Aachen's cases and offers land in its other Gemeinden.
    """
    from .geography import CITY_CENTRES

    known = [t.population for t in towns if t.population]
    mean = sum(known) / len(known) if known else 1.0
    return [
        0.0
        if centre.municipality_id is None and town.ags in CITY_CENTRES
        else float(town.population or mean)
        for town in towns
    ]


def split(total: int, weights: Mapping[K, float]) -> dict[K, int]:
    """Share ``total`` among the keys in proportion to ``weights``; the parts add up to it.

    Largest remainders get the units left over (ties: the order of ``weights``), so the same
    weights always give the same parts.
    """
    if not weights:
        return {}
    whole = sum(max(0.0, w) for w in weights.values())
    exact = {
        key: total * (max(0.0, w) / whole if whole else 1 / len(weights))
        for key, w in weights.items()
    }
    parts = {key: int(value) for key, value in exact.items()}
    rest = total - sum(parts.values())
    order = sorted(enumerate(exact), key=lambda item: (-(exact[item[1]] % 1), item[0]))
    for _index, key in order[:rest]:
        parts[key] += 1
    return parts
