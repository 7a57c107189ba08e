"""Audit: versions of personal data (django-auditlog) and the log of reads (``AccessLog``).

Versions come from django-auditlog, which records a change through model signals. A bulk
``QuerySet.update()`` sends no signal, so audited models use :class:`AuditedQuerySet`, which
refuses it; ``test_audit`` checks that every registered model does.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db import models

if TYPE_CHECKING:
    from django.http import HttpRequest


class UnauditedWriteError(RuntimeError):
    """A write that would bypass the history of personal data."""


class AuditedQuerySet(models.QuerySet):
    """A queryset whose bulk writes would escape the audit trail, so they are refused."""

    def update(self, **kwargs: Any) -> int:
        raise UnauditedWriteError(
            f"{self.model.__name__}: QuerySet.update() writes no history; save each object."
        )

    update.queryset_only = True  # type: ignore[attr-defined]


def log_access(
    request: HttpRequest,
    obj: models.Model,
    *,
    action: str = "read",
    centre: Any = None,
) -> None:
    """Write who read or exported ``obj`` to the access log."""
    from .models import AccessLog

    AccessLog.record(request, obj, action=action, centre=centre)
