"""The registry of figures. Each app registers what it can count; reporting knows no app.

A metric is ``compute(centre, period) -> int``: the number for one centre in one month.
Reports, the centre's figures page and LaKI's statewide view read them all from here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.utils import translation
from django.utils.functional import Promise
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

#: Cells smaller than this leave a centre only as "< 5" (statistical confidentiality).
SMALL_CELL = 5


@dataclass(frozen=True)
class Period:
    """A calendar month."""

    year: int
    month: int

    @property
    def start(self) -> date:
        return date(self.year, self.month, 1)

    @property
    def end(self) -> date:
        """The last day of the month."""
        following = date(self.year + self.month // 12, self.month % 12 + 1, 1)
        return following - timedelta(days=1)

    @classmethod
    def containing(cls, day: date) -> Period:
        return cls(day.year, day.month)

    def previous(self) -> Period:
        return Period.containing(self.start - timedelta(days=1))

    def __str__(self) -> str:
        return f"{self.month:02d}/{self.year}"


@dataclass(frozen=True)
class Metric:
    name: str
    label: str | Promise
    unit: str | Promise
    compute: Callable[[Any, Period], int]
    #: Figures about people are suppressed below SMALL_CELL when they leave the centre.
    about_people: bool = False
    group: str | Promise = ""
    #: Whether the centres' values add up to a statewide figure (counts do; a median does not).
    additive: bool = True


_metrics: dict[str, Metric] = {}


def register(
    name: str,
    label: str | Promise,
    *,
    unit: str | Promise = "",
    group: str | Promise = "",
    about_people: bool = False,
    additive: bool = True,
) -> Callable[[Callable[[Any, Period], int]], Callable[[Any, Period], int]]:
    """Register ``compute(centre, period)`` as the metric ``name`` (dotted: ``app.what``)."""

    def decorator(compute: Callable[[Any, Period], int]) -> Callable[[Any, Period], int]:
        if name in _metrics and _metrics[name].compute is not compute:
            raise ValueError(f"metric {name!r} is registered twice")
        _metrics[name] = Metric(name, label, unit, compute, about_people, group, additive)
        return compute

    return decorator


def metrics() -> list[Metric]:
    """Return every registered metric, by name."""
    return [_metrics[name] for name in sorted(_metrics)]


def get(name: str) -> Metric:
    return _metrics[name]


@dataclass(frozen=True)
class Group:
    """The metrics of one group (an area of work), with a key that stays put in URLs."""

    key: str
    label: str | Promise
    metrics: list[Metric]


def groups() -> list[Group]:
    """Return the groups of the registered metrics, in the order of their first metric."""
    found: dict[str, Group] = {}
    for metric in metrics():
        with translation.override(None):  # the key comes from the English message id
            key = slugify(str(metric.group)) or "other"
        if key not in found:
            found[key] = Group(key, metric.group or _("Other"), [])
        found[key].metrics.append(metric)
    return list(found.values())


def suppress(value: int, metric: Metric) -> int | str:
    """Return the value as it may leave a centre: small counts about people become "< 5"."""
    if metric.about_people and 0 < value < SMALL_CELL:
        return f"< {SMALL_CELL}"
    return value


@dataclass(frozen=True)
class DemandProvider:
    """Needs a module knows of, per (Gemeinde id, field of action): open cases, waiting pupils."""

    name: str
    label: str | Promise
    compute: Callable[[Any], dict[tuple[int, str], int]]


_demand: dict[str, DemandProvider] = {}


def register_demand(
    name: str, label: str | Promise
) -> Callable[[Callable[[Any], dict[tuple[int, str], int]]], Any]:
    """Register ``compute(centre)`` as a source of needs for the supply and demand analysis."""

    def decorator(compute: Callable[[Any], dict[tuple[int, str], int]]) -> Any:
        _demand[name] = DemandProvider(name, label, compute)
        return compute

    return decorator


def demand_providers() -> list[DemandProvider]:
    return [_demand[name] for name in sorted(_demand)]
