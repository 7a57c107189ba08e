"""Navigation by role. Each app registers its entries; the base template shows the user's."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from django.urls import URLResolver, get_resolver, get_script_prefix, get_urlconf, reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from .roles import Role


@dataclass(frozen=True)
class NavItem:
    label: str | Promise
    url_name: str
    #: Roles that see the entry; empty means every logged-in user.
    roles: frozenset[str] = frozenset()
    order: int = 100

    def url(self) -> str:
        return cached_reverse(self.url_name)


def cached_reverse(url_name: str) -> str:
    """``reverse(url_name)`` of a URL without arguments, worked out once.

    The header of every page links the same few URLs; reversing them on each request cost
    more than the rest of the navigation. The URL is remembered per URL configuration (a
    new one after ``clear_url_caches``) and script prefix, the two things it depends on.
    """
    return _reverse(get_resolver(get_urlconf()), get_script_prefix(), url_name)


@lru_cache(maxsize=256)
def _reverse(resolver: URLResolver, prefix: str, url_name: str) -> str:
    return reverse(url_name, urlconf=resolver.urlconf_name)


#: An id no database hands out, to cut a reversed URL into what is around the id.
_NO_ID = 987654321


def id_url(url_name: str, pk: int) -> str:
    """``reverse(url_name, args=[pk])`` of a URL whose one argument is an integer id (``<int:>``).

    The URL is reversed once per URL configuration and script prefix, with a stand-in id, and
    the id put in: a case file links some 30 of them, and ``{% url %}`` reversed each anew.
    """
    if isinstance(pk, bool) or not isinstance(pk, int) or pk < 0:
        return reverse(url_name, args=[pk])  # what the URL pattern makes of it, or its error
    head, tail = _split(get_resolver(get_urlconf()), get_script_prefix(), url_name)
    return f"{head}{pk}{tail}"


@lru_cache(maxsize=512)
def _split(resolver: URLResolver, prefix: str, url_name: str) -> tuple[str, str]:
    url = reverse(url_name, urlconf=resolver.urlconf_name, args=[_NO_ID])
    head, found, tail = url.partition(str(_NO_ID))
    if not found or str(_NO_ID) in head + tail:
        raise ValueError(f"{url_name}: not a URL with one integer id ({url})")
    return head, tail


_items: list[NavItem] = []


def register(item: NavItem) -> NavItem:
    """Add an entry to the main navigation."""
    _items.append(item)
    _items.sort(key=lambda i: i.order)
    return item


def items_for(user: object) -> list[NavItem]:
    """Return the entries ``user`` may see, in order."""
    roles = user.roles()  # type: ignore[attr-defined]
    return [item for item in _items if not item.roles or item.roles & roles]


register(NavItem(_("Start"), "core:home", order=0))
register(
    NavItem(_("Staff"), "core:staff-list", frozenset({Role.LEADERSHIP, Role.ADMINISTRATION}), 800)
)
register(
    NavItem(
        _("Bezirke"),
        "core:case-area-list",
        frozenset({Role.LEADERSHIP, Role.ADMINISTRATION, Role.COORDINATOR, Role.CASE_MANAGER}),
        810,
    )
)
register(NavItem(_("Access log"), "core:access-log", frozenset({Role.DATA_PROTECTION}), 900))
register(NavItem(_("Statewide overview"), "core:statewide", frozenset({Role.LAKI}), 50))
