"""The case list as a query: the same filters and sorting for the page and the JSON API."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet

from teilhabe.core import views
from teilhabe.core.matching import normalise_name
from teilhabe.core.models import CaseArea, User

from .models import AgencyResponsibility, Case, Person

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
#: What a row of the list shows (page and API); the rest of a case file is not loaded.
LIST_COLUMNS = (
    "centre_id",
    "reference",
    "phase",
    "priority",
    "is_hardship",
    "opened_on",
    "needs",
    "person_id",
    "case_manager_id",
    "case_area_id",
)


def _row_relations() -> list[Prefetch]:
    """The person, case manager and Bezirk of the rows, each read for the page's rows only.

    Joined into the list query instead, PostgreSQL joins every visible case (thousands in a
    big centre) before it sorts and keeps 25: at state size twice the time of the list alone.
    """
    return [
        Prefetch(
            "person",
            Person.objects.select_related("municipality").only(
                "first_name", "last_name", "municipality__name"
            ),
        ),
        Prefetch("case_manager", User.objects.only("first_name", "last_name")),
        Prefetch("case_area", CaseArea.objects.only("name")),
    ]


def visible_cases(
    user: User, filters: Mapping[str, Any], *, phase: str = "open", search: str = ""
) -> QuerySet[Case]:
    """Cases ``user`` may see, narrowed by the case list's filters (``CaseFilterForm`` data).

    ``phase`` is ``open`` (every phase but closed), ``waiting`` (open and without a case
    manager), a phase, or empty for all; ``search`` matches the reference or the name.
    """
    qs = Case.objects.visible_to(user).only(*LIST_COLUMNS).prefetch_related(*_row_relations())
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
