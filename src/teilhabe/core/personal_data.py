"""Rows of personal data as JSON, for the Art. 15 DSGVO exports of every app.

A record is given with every stored field; related records as a person can read them (staff by
name, other records by their text), and the recorded versions of the records from
django-auditlog. Each app decides which records belong to the person; this module only says how
one record and its history look.
"""

from __future__ import annotations

import datetime
import decimal
from collections.abc import Iterable
from typing import Any

from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models.fields.files import FieldFile
from django.utils import timezone
from django_countries.fields import Country, CountryField

from .models import User

_ACTIONS = {
    LogEntry.Action.CREATE: "create",
    LogEntry.Action.UPDATE: "update",
    LogEntry.Action.DELETE: "delete",
    LogEntry.Action.ACCESS: "access",
}


def _country(country: Country) -> dict[str, str] | None:
    if not country:
        return None
    return {"code": country.code, "name": str(country.name)}


def _related(value: models.Model, by_id: tuple[type[models.Model], ...]) -> Any:
    if isinstance(value, User):
        return value.get_full_name() or str(value)
    if by_id and isinstance(value, by_id):
        return value.pk
    return str(value)


def field_value(
    obj: models.Model, field: models.Field, *, by_id: tuple[type[models.Model], ...] = ()
) -> Any:
    """Return the JSON value of ``field`` on ``obj``; rows of ``by_id`` models by their id."""
    if field.many_to_many:
        return sorted(_related(item, by_id) for item in getattr(obj, field.name).all())
    if field.is_relation:
        related = getattr(obj, field.name)
        return None if related is None else _related(related, by_id)
    value = getattr(obj, field.name)
    if isinstance(field, CountryField):
        return [_country(c) for c in value] if field.multiple else _country(value)
    if isinstance(value, FieldFile):
        return value.name or None
    if isinstance(value, datetime.datetime):
        return timezone.localtime(value).isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    return value


def serialise(
    obj: models.Model,
    *,
    skip: Iterable[str] = (),
    by_id: tuple[type[models.Model], ...] = (),
) -> dict[str, Any]:
    """Return every stored field of ``obj`` but ``skip`` (links implied by the nesting)."""
    skipped = set(skip)
    return {
        "id" if field.primary_key else field.name: field_value(obj, field, by_id=by_id)
        for field in obj._meta.concrete_fields + obj._meta.many_to_many
        if field.name not in skipped
    }


def history(objects: Iterable[models.Model]) -> list[dict[str, Any]]:
    """Return the recorded versions of ``objects``, oldest first."""
    by_type: dict[int, list[str]] = {}
    for obj in objects:
        content_type = ContentType.objects.get_for_model(obj)
        by_type.setdefault(content_type.pk, []).append(str(obj.pk))
    condition = models.Q(pk__in=[])
    for type_id, pks in by_type.items():
        condition |= models.Q(content_type_id=type_id, object_pk__in=pks)
    entries = LogEntry.objects.filter(condition).select_related("content_type", "actor")
    return [
        {
            "timestamp": timezone.localtime(entry.timestamp).isoformat(),
            "record": f"{entry.content_type.app_label}.{entry.content_type.model}",
            "record_id": entry.object_pk,
            "action": _ACTIONS.get(entry.action, str(entry.action)),
            "changes": entry.changes or {},
            "by": (entry.actor.get_full_name() or str(entry.actor)) if entry.actor else None,
        }
        for entry in entries.order_by("timestamp", "pk")
    ]
