"""A page of a long list and its total in one query.

Django's ``Paginator`` counts the rows (``SELECT COUNT(*)``) and then reads the page: the
database finds the matching rows twice. Here the page is read with ``COUNT(*) OVER ()``, the
total of all matching rows on each of the page's rows, so they are found once. Only a page
past the end (or an empty list) needs the count on its own.
"""

from __future__ import annotations

from functools import cached_property
from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import Count, QuerySet, Window
from django.db.models.query import (
    FlatValuesListIterable,
    ModelIterable,
    ValuesIterable,
    ValuesListIterable,
)

TOTAL = "_window_total"
#: Row shapes the total can be taken off again (named tuples would lose their names).
SHAPES = (ModelIterable, ValuesIterable, ValuesListIterable, FlatValuesListIterable)


class WindowCountPaginator(Paginator):
    """A ``Paginator`` for querysets that reads a page and the total with one query."""

    object_list: QuerySet[Any]

    def page(self, number: Any) -> Page:
        try:
            wanted = max(int(number), 1)
        except (TypeError, ValueError):
            wanted = 1  # validate_number below gives the usual error
        if "count" not in self.__dict__ and _windowable(self.object_list):
            bottom = (wanted - 1) * self.per_page
            rows = list(_with_total(self.object_list)[bottom : bottom + self.per_page])
            if rows:
                self.__dict__["count"] = _total(rows[0])
                number = self.validate_number(number)
                if number == wanted and (number < self.num_pages or not self.orphans):
                    flat = issubclass(self.object_list._iterable_class, FlatValuesListIterable)
                    return self._get_page([_strip(row, flat) for row in rows], number, self)
        return super().page(number)

    @cached_property
    def count(self) -> int:
        return super().count


def _windowable(rows: Any) -> bool:
    """Whether the total can ride on the rows: a plain query (DISTINCT counts after it)."""
    return (
        isinstance(rows, QuerySet)
        and rows._iterable_class in SHAPES
        and not rows.query.distinct
        and not rows.query.combinator
    )


def _with_total(queryset: QuerySet[Any]) -> QuerySet[Any]:
    """Return ``queryset`` with the window total as the last column (or attribute)."""
    annotated = queryset.annotate(**{TOTAL: Window(Count("*"))})
    if issubclass(queryset._iterable_class, (FlatValuesListIterable, ValuesListIterable)):
        # values_list() leaves an annotation made after it out of the rows: name it again.
        return annotated.values_list(*queryset._fields, TOTAL)
    return annotated


def _total(row: Any) -> int:
    if isinstance(row, dict):
        return row[TOTAL]
    if isinstance(row, tuple):
        return row[-1]
    return getattr(row, TOTAL)


def _strip(row: Any, flat: bool) -> Any:
    """Return the row as the queryset without the total gives it."""
    if isinstance(row, dict):
        row.pop(TOTAL)
        return row
    if isinstance(row, tuple):
        return row[0] if flat else row[:-1]
    return row
