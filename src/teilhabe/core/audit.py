"""Audit: versions of personal data (django-auditlog) and the log of reads (``AccessLog``).

Versions come from django-auditlog, which records a change through model signals. A bulk
``QuerySet.update()`` sends no signal, so audited models use :class:`AuditedQuerySet`, which
refuses it; ``test_audit`` checks that every registered model does.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import wraps
from typing import TYPE_CHECKING, Any, TypeVar

from auditlog.context import auditlog_value, set_actor
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


@contextmanager
def acting_as(actor: Any) -> Iterator[None]:
    """Record ``actor`` on the versions written inside (also outside a request)."""
    previous = auditlog_value.get(None)
    try:
        with set_actor(actor):
            yield
    finally:
        # set_actor leaves its value behind; put back what was there.
        if previous is not None:
            auditlog_value.set(previous)


F = TypeVar("F", bound=Callable[..., Any])


def records_actor(func: F) -> F:
    """Make a service (acting user first) the author of every version it writes."""

    @wraps(func)
    def wrapper(acting: Any, /, *args: Any, **kwargs: Any) -> Any:
        with acting_as(acting):
            return func(acting, *args, **kwargs)

    return wrapper  # type: ignore[return-value]


def bulk_create_versioned(model: type[models.Model], objs: list[Any]) -> list[Any]:
    """Insert ``objs`` with ``bulk_create`` and still write the first version of each.

    django-auditlog writes a version from the ``post_save`` signal, which ``bulk_create`` does
    not send. This writes the same "create" entries its receiver would (same changes, object
    representation and correlation id; the actor and the other request data from the context
    that :func:`acting_as` sets, through the ``pre_save`` signal a saved entry gets), in one
    more ``INSERT``. A model auditlog does not register gets no entries, as with ``save()``.
    Needs a database that returns the new primary keys (PostgreSQL, SQLite).
    """
    from auditlog.diff import model_instance_diff
    from auditlog.models import LogEntry, LogEntryManager
    from auditlog.registry import auditlog
    from django.conf import settings
    from django.db import router
    from django.db.models.signals import pre_save

    created = model._default_manager.bulk_create(objs)
    if not auditlog.contains(model):
        return created

    class UnsavedEntries(LogEntryManager):
        """auditlog's own ``log_create``, giving back the entry instead of saving it."""

        def create(self, **kwargs: Any) -> Any:
            return LogEntry(**kwargs)

    unsaved = UnsavedEntries()
    using = router.db_for_write(LogEntry)
    entries = []
    for obj in created:
        changes = model_instance_diff(
            None, obj, use_json_for_changes=settings.AUDITLOG_STORE_JSON_CHANGES
        )
        if not changes:
            continue
        entry = unsaved.log_create(obj, action=LogEntry.Action.CREATE, changes=changes)
        pre_save.send(sender=LogEntry, instance=entry, raw=False, using=using, update_fields=None)
        entries.append(entry)
    LogEntry.objects.bulk_create(entries)
    return created
