"""Every paginated list has a total order, so paging never shows a row twice or skips one.

PostgreSQL returns rows that tie on the ``ORDER BY`` in any order, and in another order for
each page (``LIMIT``/``OFFSET`` sorts only as far as it needs; prepared statements change the
plan). A list is stable only if its order ends in a unique column. The lists are found through
the URL resolver: a new list view or DRF endpoint that paginates, or a new sort key of one, is
checked without an entry here.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.core.cache import caches
from django.core.exceptions import FieldDoesNotExist
from django.core.paginator import Paginator
from django.db.models import F, OrderBy, QuerySet
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from teilhabe.core.models import AdministrativeDistrict, District, Municipality, State
from teilhabe.core.pagination import WindowCountPaginator
from teilhabe.core.roles import Role
from teilhabe.core.tests.factories import make_member
from teilhabe.core.views import sort_by

pytestmark = pytest.mark.django_db

#: Paginated lists that are functions, not classes with ``paginate_by``/``pagination_class``.
FUNCTION_LISTS = {"directory:offer-list"}


def _patterns(patterns: list, namespace: str | None = None) -> Iterator[tuple[str, URLPattern]]:
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            ns = pattern.namespace
            full = f"{namespace}:{ns}" if namespace and ns else (ns or namespace)
            yield from _patterns(pattern.url_patterns, full)
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield (f"{namespace}:{pattern.name}" if namespace else pattern.name), pattern


def _view_class(pattern: URLPattern) -> type | None:
    return getattr(pattern.callback, "view_class", None) or getattr(pattern.callback, "cls", None)


def paginated_lists() -> dict[str, URLPattern]:
    """Return the URL patterns of every paginated list (Django views and DRF endpoints)."""
    found = {}
    for name, pattern in _patterns(get_resolver().url_patterns):
        view = _view_class(pattern)
        paginates = view is not None and (
            getattr(view, "paginate_by", None) or getattr(view, "pagination_class", None)
        )
        if paginates or name in FUNCTION_LISTS:
            found[name] = pattern
    return found


LISTS = paginated_lists()


def _sort_keys(pattern: URLPattern) -> list[str | None]:
    """Return the default (None) and each sort key of the list, ascending and descending."""
    fields = getattr(_view_class(pattern), "sort_fields", None) or {}
    return [None, *(k for key in fields for k in (key, f"-{key}"))]


def ordering_of(rows: QuerySet) -> list[Any]:
    """Return the ORDER BY the queryset applies: its own, else the model's default."""
    query = rows.query
    if query.order_by or not query.default_ordering:
        return list(query.order_by)
    return list(rows.model._meta.ordering)


def is_unique(model: type, term: Any) -> bool:
    """Whether the ordering term ``term`` is a unique column of ``model`` (pk or unique field)."""
    if isinstance(term, OrderBy):
        term = term.expression
    if isinstance(term, F):
        term = term.name
    if not isinstance(term, str):
        return False
    name = term.lstrip("-")
    if name == "pk":
        return True
    try:
        return bool(model._meta.get_field(name).unique)
    except FieldDoesNotExist:  # an annotation, a related field or a lookup
        return False


@pytest.fixture
def paginated(monkeypatch) -> list[Any]:
    """Collect what every paginator of a request pages through."""
    seen: list[Any] = []
    original = Paginator.__init__

    def recording(self: Paginator, object_list: Any, *args: Any, **kwargs: Any) -> None:
        seen.append(object_list)
        original(self, object_list, *args, **kwargs)

    monkeypatch.setattr(Paginator, "__init__", recording)
    caches["directory"].clear()  # a kept directory page would not page again
    return seen


@pytest.fixture
def everyone(centre):
    """A member holding every role (LaKI statewide), so every list answers."""
    user = make_member("everyone@example.org", Role.LAKI, None)
    for role in sorted(set(Role) - {Role.LAKI}):
        make_member("everyone@example.org", role, centre, user=user)
    return user


def test_the_paginated_lists_are_found():
    assert {
        "core:staff-list",
        "core:case-area-list",
        "core:access-log",
        "cases:case-list",
        "cases:system-gaps",
        "cases:partner-referrals",
        "cases:erasure-journal",
        "offers:offer-list",
        "offers:partner-offers",
        "directory:offer-list",
        "network:actor-list",
        "network:group-list",
        "network:agreement-list",
        "network:change-list",
        "schooling:pupil-list",
        "schooling:proposal-list",
        "schooling:school-list",
        "api:cases",
        "api:directory-offers",
    } <= set(LISTS)


@pytest.mark.parametrize("name", sorted(LISTS))
def test_every_sort_of_every_list_ends_in_a_unique_column(
    client, name, centre, everyone, paginated
):
    pattern = LISTS[name]
    kwargs = {"slug": centre.slug} if "slug" in pattern.pattern.converters else None
    url = reverse(name, kwargs=kwargs)
    client.force_login(everyone)
    for sort in _sort_keys(pattern):
        paginated.clear()
        response = client.get(url, {"sort": sort} if sort else {})
        assert response.status_code == 200, f"{name} sort={sort}"
        assert len(paginated) == 1, f"{name} sort={sort} paginated {len(paginated)} lists"
        rows = paginated[0]
        assert isinstance(rows, QuerySet), f"{name} pages a {type(rows).__name__}"
        order = ordering_of(rows)
        assert order, f"{name} sort={sort} is not ordered"
        assert is_unique(rows.model, order[-1]), (
            f"{name} sort={sort} ends its order {order} in a column that is not unique: "
            "add the pk as the last tie-breaker"
        )


def test_the_uniqueness_check_tells_unique_columns_from_others():
    assert is_unique(Municipality, "pk")
    assert is_unique(Municipality, "-pk")
    assert is_unique(Municipality, "-ags")  # unique=True
    assert is_unique(Municipality, F("pk").desc(nulls_last=True))
    assert not is_unique(Municipality, "name")
    assert not is_unique(Municipality, F("name").asc())
    assert not is_unique(Municipality, "district__ags")
    assert not is_unique(Municipality, "sort_title")  # an annotation
    assert ordering_of(Municipality.objects.all()) == ["name"]
    assert ordering_of(Municipality.objects.order_by("ags", "-pk")) == ["ags", "-pk"]
    assert ordering_of(Municipality.objects.order_by()) == []


# --- The shared sort of the sortable lists, with every row tied ---------------------------

TIED = 23  # rows with the same sort value, more than two pages of 10


@pytest.fixture
def tied_towns(db) -> list[int]:
    """Towns with the same name and the same district: tied on every sort key below."""
    state = State.objects.get_or_create(ags="05", defaults={"name": "Nordrhein-Westfalen"})[0]
    region = AdministrativeDistrict.objects.create(state=state, ags="059", name="Testbezirk")
    district = District.objects.create(
        administrative_district=region, ags="05990", name="Kreis Gleich", kind="kreis"
    )
    towns = Municipality.objects.bulk_create(
        Municipality(district=district, ags=f"0599{n:04d}", name="Gleichstadt", kind="gemeinde")
        for n in range(TIED)
    )
    return sorted(town.pk for town in towns)


@pytest.mark.parametrize("paginator_class", [Paginator, WindowCountPaginator])
@pytest.mark.parametrize("sort", ["name", "-name", "town", "-town"])
def test_paging_through_tied_rows_shows_each_once_in_pk_order(tied_towns, paginator_class, sort):
    fields = {"name": ("name",), "town": ("district__name", "name")}
    rows = sort_by(
        Municipality.objects.filter(pk__in=tied_towns).values_list("pk", flat=True), fields, sort
    )
    paginator = paginator_class(rows, 10)
    shown = [pk for number in paginator.page_range for pk in paginator.page(number)]
    assert shown == tied_towns
