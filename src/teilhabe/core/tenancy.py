"""Tenant-owned data: one way to ask what a user may see.

Every tenant model family declares a :class:`TenantPolicy` (where its centre is, which roles see
it, where its Bezirk is) and gets its manager from :func:`tenant_manager`. The manager has
``visible_to(user)``, which is the only way views and services read tenant data, and it is
guarded by django-scopes: a query made while no scope is active raises ``ScopeError`` instead of
returning every centre's rows.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.db import models
from django.db.models import Q
from django_scopes import ScopedManager

from .audit import AuditedQuerySet

if TYPE_CHECKING:
    from .models import User


@dataclass(frozen=True)
class TenantPolicy:
    """Who sees the rows of a tenant model family."""

    #: Lookup path from the model to its ``Centre``.
    centre_path: str = "centre"
    #: Roles whose members see rows of their own centre.
    roles: frozenset[str] = field(default_factory=frozenset)
    #: Lookup path to the ``CaseArea`` (Bezirk); members limited to Bezirke see only those rows
    #: and the rows of no Bezirk yet.
    area_path: str | None = None
    #: Lookup path to the responsible user; they see the row even outside their Bezirke.
    owner_path: str | None = None


class TenantQuerySet(models.QuerySet):
    """A queryset of tenant-owned rows."""

    def for_centre(self, centre: Any) -> TenantQuerySet:
        """Return the rows of one centre (for services that already checked access)."""
        return self.filter(**{self.model.tenant_policy.centre_path: centre})

    def visible_to(self, user: User) -> TenantQuerySet:
        """Return the rows ``user`` may see through their memberships; none for anonymous users."""
        policy: TenantPolicy = self.model.tenant_policy
        if not user.is_authenticated:
            return self.none()
        condition = Q(pk__in=[])
        for membership in user.active_memberships():
            if membership.role not in policy.roles or membership.centre_id is None:
                continue
            allowed = Q(**{f"{policy.centre_path}_id": membership.centre_id})
            area_ids = membership.area_ids()
            if policy.area_path and area_ids:
                in_area = Q(**{f"{policy.area_path}__in": area_ids}) | Q(
                    **{f"{policy.area_path}__isnull": True}
                )
                if policy.owner_path:
                    in_area |= Q(**{f"{policy.owner_path}_id": user.pk})
                allowed &= in_area
            condition |= allowed
        return self.filter(condition)


def visibility_key(user: Any) -> Hashable:
    """Everything of ``user`` that ``TenantQuerySet.visible_to`` reads, as a hashable key.

    The same key gives the same condition, so a query compiled for one user can run for
    another with the same key (``core/prepared.py``): keep it in step with ``visible_to``.
    The user's id is in it, since the owner rule of a limited membership names them.
    """
    if not user.is_authenticated:
        return None
    return (
        user.pk,
        tuple((m.role, m.centre_id, tuple(m.area_ids())) for m in user.active_memberships()),
    )


class AuditedTenantQuerySet(AuditedQuerySet, TenantQuerySet):
    """Tenant rows whose changes are versioned: no bulk ``update()``."""


def tenant_manager(
    centre_path: str = "centre", queryset: type[TenantQuerySet] = AuditedTenantQuerySet
) -> models.Manager:
    """Return the scoped manager for a tenant model whose centre is at ``centre_path``."""
    return ScopedManager(centre=centre_path, _manager_class=models.Manager.from_queryset(queryset))


def centre_ids(memberships: Iterable[Any]) -> list[int]:
    """Return the ids of the centres in ``memberships``."""
    return sorted({m.centre_id for m in memberships if m.centre_id is not None})
