"""The case list as a query: the same filters and sorting for the page and the JSON API."""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils.formats import date_format

from teilhabe.core import views
from teilhabe.core.matching import normalise_name
from teilhabe.core.models import User
from teilhabe.core.navigation import id_url

from .models import AgencyResponsibility, Case

#: Sort keys of the case list and the fields each sorts by (``-key`` sorts descending).
SORT_FIELDS: dict[str, tuple[str, ...]] = {
    "reference": ("reference",),
    "name": ("person__last_name", "person__first_name"),
    "phase": ("phase", "reference"),
    "opened": ("opened_on",),
    "priority": ("priority", "opened_on"),
    "manager": ("case_manager__last_name", "reference"),
}
DEFAULT_SORT = "-opened"
#: What a row of the list shows (page and API), read as plain values for the page's rows only.
#: Joined into the list query instead, PostgreSQL joins every visible case (thousands in a big
#: centre) before it sorts and keeps 25: at state size twice the time of the list alone.
ROW_COLUMNS = (
    "pk",
    "reference",
    "phase",
    "opened_on",
    "priority",
    "is_hardship",
    "needs",
    "person__first_name",
    "person__last_name",
    "person__municipality__name",
    "case_area__name",
    "case_manager__first_name",
    "case_manager__last_name",
)


def visible_cases(
    user: User, filters: Mapping[str, Any], *, phase: str = "open", search: str = ""
) -> QuerySet[Case]:
    """Cases ``user`` may see, narrowed by the case list's filters (``CaseFilterForm`` data).

    ``phase`` is ``open`` (every phase but closed), ``waiting`` (open and without a case
    manager), a phase, or empty for all; ``search`` matches the reference or the name. The
    callers page through the ids and read the page's rows with ``rows_of``.
    """
    qs = Case.objects.visible_to(user)
    if phase == "open":
        qs = qs.exclude(phase=Case.Phase.CLOSED)
    elif phase == "waiting":
        qs = qs.filter(case_manager__isnull=True).exclude(phase=Case.Phase.CLOSED)
    elif phase:
        qs = qs.filter(phase=phase)
    if filters.get("case_area"):
        qs = qs.filter(case_area=filters["case_area"])
    if filters.get("municipality"):
        qs = qs.filter(person__municipality=filters["municipality"])
    if filters.get("need"):
        # JSON containment is not on SQLite; the list is short, so match the quoted code.
        qs = qs.filter(needs__icontains=f'"{filters["need"]}"')
    if filters.get("legal_domain"):
        qs = qs.filter(person__legal_domains__icontains=f'"{filters["legal_domain"]}"')
    if filters.get("agency"):
        responsible = AgencyResponsibility.objects.visible_to(user).filter(
            person=OuterRef("person"), agency=filters["agency"]
        )
        qs = qs.filter(Exists(responsible))
    if filters.get("priority"):
        qs = qs.filter(priority=filters["priority"])
    if filters.get("mine"):
        qs = qs.filter(case_manager=user)
    if search:
        qs = qs.filter(search_filter(search))
    return qs


def search_filter(search: str) -> Q:
    """Match a case reference (the term has a digit) or a name (it has none).

    Names never hold digits and references always do, so one condition is enough, and a
    term does not match names and references by accident.
    """
    if any(ch.isdigit() for ch in search):
        return Q(reference__icontains=search)
    return Q(person__search_name__contains=normalise_name(search))


def sort_by(qs: QuerySet[Case], sort: str) -> QuerySet[Case]:
    """Order ``qs`` by the sort key ``sort`` of ``SORT_FIELDS`` (``-key``: descending)."""
    return views.sort_by(qs, SORT_FIELDS, sort)


def rows_of(ids: Iterable[int]) -> list[dict[str, Any]]:
    """The ``ROW_COLUMNS`` of the cases ``ids`` (a page of the list), in that order, in one query.

    Plain values instead of model instances with their relations: the rows of a page cost a
    fraction of the CPU, and only the page's 25 cases are joined (see ``ROW_COLUMNS``).
    """
    ids = list(ids)
    values = {
        row["pk"]: row for row in Case.objects.filter(pk__in=ids).order_by().values(*ROW_COLUMNS)
    }
    return [values[pk] for pk in ids if pk in values]


def page_rows(ids: Iterable[int]) -> list[dict[str, Any]]:
    """The rows of the case list page for the cases ``ids``, as the template shows them.

    What the template took from each case (its URL, name, labels of the phase and priority,
    the date) is worked out here once per row, with the URL reversed and the labels translated
    once per page: for 25 rows the template's lookups, ``{% url %}`` and ``get_*_display``
    were most of the page's time.
    """
    case_url = case_url_maker()
    phases = {value: str(label) for value, label in Case.Phase.choices}
    priorities = {value: str(label) for value, label in Case.Priority.choices}
    rows = []
    for row in rows_of(ids):
        area = row["case_area__name"]
        rows.append(
            {
                "url": case_url(row["pk"]),
                "reference": row["reference"],
                "name": person_name(row),
                "is_hardship": row["is_hardship"],
                "phase": phases.get(row["phase"], row["phase"]),
                "bezirk": "–" if area is None else area,
                "opened_on": (
                    date_format(row["opened_on"], "SHORT_DATE_FORMAT") if row["opened_on"] else ""
                ),
                "priority": priorities.get(row["priority"], row["priority"]),
                "manager": manager_name(row),
            }
        )
    return rows


def person_name(row: Mapping[str, Any]) -> str:
    """The person of a ``ROW_COLUMNS`` row as lists show it: "Last, First"."""
    return f"{row['person__last_name']}, {row['person__first_name']}"


def manager_name(row: Mapping[str, Any]) -> str | None:
    """The case manager's ``get_full_name`` from a ``ROW_COLUMNS`` row; None: the case waits."""
    if row["case_manager__last_name"] is None:
        return None
    return f"{row['case_manager__first_name']} {row['case_manager__last_name']}".strip()


def case_url_maker() -> Callable[[int], str]:
    """Return a function giving the URL of a case file by its id, reversing the URL only once.

    For lists of cases: ``reverse`` (or ``{% url %}``) per row costs more than the row.
    """
    return functools.partial(id_url, "cases:case-detail")
