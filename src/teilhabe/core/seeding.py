"""Generators of demo and volume data. Each app registers its own; ``teilhabe seed`` runs them.

A generator is called as ``generator(scale, seed, factor)`` and returns a mapping of what it
created to how many. Generators run in registration order (core first, then the apps in
``INSTALLED_APPS`` order), so an app can build on the rows of the apps it depends on.
"""

from __future__ import annotations

from collections.abc import Callable

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
