"""Audit: versions of personal data (django-auditlog) and the log of reads (``AccessLog``).

Versions come from django-auditlog, which records a change through model signals. A bulk
``QuerySet.update()`` sends no signal, so audited models use :class:`AuditedQuerySet`, which
refuses it; ``test_audit`` checks that every registered model does.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
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
    created = model._default_manager.bulk_create(objs)
    _write_versions(model, [(None, obj) for obj in created], create=True)
    return created


def bulk_update_versioned(
    model: type[models.Model], changes: list[tuple[Any, Any]], fields: Iterable[str]
) -> int:
    """Write ``fields`` of many changed objects in one ``UPDATE``, each with its version.

    ``changes`` pairs each object as the database holds it (read by the caller, under
    ``select_for_update`` where others may write) with the changed copy to write. The versions
    are the "update" entries django-auditlog's ``pre_save`` receiver writes for ``save()``:
    the difference of the two, taken before the ``auto_now`` fields are set (as in ``save()``),
    which are then set and written too. ``QuerySet.update()`` stays refused for audited models
    (:class:`AuditedQuerySet`): this is the one bulk path that writes versions. The rows are
    written by one ``UPDATE … WHERE pk`` statement sent for all of them at once
    (``executemany``; Django's ``bulk_update`` builds a ``CASE`` per field and row, which
    took half the time of a re-import of 2,000 offers).
    """
    from django.db import connections, router
    from django.utils import timezone

    if not changes:
        return 0
    _write_versions(model, changes, create=False)
    meta = model._meta
    columns = [meta.get_field(name) for name in fields]
    now = timezone.now()
    for field in meta.concrete_fields:
        if getattr(field, "auto_now", False) and field not in columns:
            columns.append(field)
            for _, new in changes:
                setattr(new, field.attname, now)
    connection = connections[router.db_for_write(model)]
    name = connection.ops.quote_name
    sql = (
        f"UPDATE {name(meta.db_table)} SET "  # noqa: S608 - names from the model, values bound
        + ", ".join(f"{name(field.column)} = %s" for field in columns)
        + f" WHERE {name(meta.pk.column)} = %s"
    )
    rows = [
        [field.get_db_prep_save(getattr(new, field.attname), connection) for field in columns]
        + [new.pk]
        for _, new in changes
    ]
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)
    return len(rows)


def _write_versions(
    model: type[models.Model], pairs: list[tuple[Any, Any]], *, create: bool
) -> None:
    """Write the auditlog entries ``save()`` would write for each (old, new) pair, in one INSERT."""
    from auditlog.diff import model_instance_diff
    from auditlog.models import LogEntry, LogEntryManager
    from auditlog.registry import auditlog
    from django.conf import settings
    from django.db import router
    from django.db.models.signals import pre_save

    if not auditlog.contains(model):
        return

    class UnsavedEntries(LogEntryManager):
        """auditlog's own ``log_create``, giving back the entry instead of saving it."""

        def create(self, **kwargs: Any) -> Any:
            return LogEntry(**kwargs)

    unsaved = UnsavedEntries()
    using = router.db_for_write(LogEntry)
    action = LogEntry.Action.CREATE if create else LogEntry.Action.UPDATE
    entries = []
    for old, new in pairs:
        changes = model_instance_diff(
            old, new, use_json_for_changes=settings.AUDITLOG_STORE_JSON_CHANGES
        )
        if not changes:
            continue
        entry = unsaved.log_create(new, action=action, changes=changes)
        pre_save.send(sender=LogEntry, instance=entry, raw=False, using=using, update_fields=None)
        entries.append(entry)
    LogEntry.objects.bulk_create(entries)
