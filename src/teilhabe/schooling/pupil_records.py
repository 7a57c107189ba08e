"""The Art. 15 DSGVO export of a pupil record: everything stored about the child."""

from __future__ import annotations

import datetime
import decimal
import json
from collections.abc import Iterable
from typing import Any

from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone, translation
from django_countries.fields import Country, CountryField

from teilhabe.core.models import User

from .models import Pupil

#: Version of the JSON layout, so a reader knows what it gets.
FORMAT = "teilhabe-art15-pupil/1"


# The export


def _country(country: Country) -> dict[str, str] | None:
    if not country:
        return None
    return {"code": country.code, "name": str(country.name)}


def _value(obj: models.Model, field: models.Field) -> Any:
    if field.many_to_many:
        return sorted(str(item) for item in getattr(obj, field.name).all())
    if field.is_relation:
        related = getattr(obj, field.name)
        if related is None:
            return None
        if isinstance(related, User):
            return related.get_full_name() or str(related)
        return str(related)
    value = getattr(obj, field.name)
    if isinstance(field, CountryField):
        return _country(value)
    if isinstance(value, datetime.datetime):
        return timezone.localtime(value).isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    return value


def serialise(obj: models.Model, *, skip: Iterable[str] = ()) -> dict[str, Any]:
    """Return every stored field of ``obj`` (without the link to its parent)."""
    skipped = set(skip)
    row: dict[str, Any] = {}
    for field in obj._meta.concrete_fields + obj._meta.many_to_many:
        if field.name in skipped:
            continue
        row["id" if field.primary_key else field.name] = _value(obj, field)
    return row


def _history(objects: list[models.Model]) -> list[dict[str, Any]]:
    """Return the recorded versions of ``objects`` (oldest first)."""
    condition = models.Q(pk__in=[])
    for obj in objects:
        ct = ContentType.objects.get_for_model(obj)
        condition |= models.Q(content_type_id=ct.pk, object_pk=str(obj.pk))
    actions = {
        LogEntry.Action.CREATE: "create",
        LogEntry.Action.UPDATE: "update",
        LogEntry.Action.DELETE: "delete",
        LogEntry.Action.ACCESS: "access",
    }
    entries = LogEntry.objects.filter(condition).select_related("content_type", "actor")
    return [
        {
            "timestamp": timezone.localtime(entry.timestamp).isoformat(),
            "record": f"{entry.content_type.app_label}.{entry.content_type.model}",
            "record_id": entry.object_pk,
            "action": actions.get(entry.action, str(entry.action)),
            "changes": entry.changes or {},
            "by": (entry.actor.get_full_name() or str(entry.actor)) if entry.actor else None,
        }
        for entry in entries.order_by("timestamp", "pk")
    ]


def collect_pupil_data(pupil: Pupil) -> dict[str, Any]:
    """Return everything stored about ``pupil`` (Art. 15 DSGVO), in a fixed order."""
    # Country names in German whatever the reader's language: the same data, the same text.
    with translation.override("de"):
        guardians = list(pupil.guardians.order_by("pk"))
        counsellings = list(pupil.counsellings.order_by("pk"))
        letters = list(pupil.letters.order_by("pk"))
        items = list(pupil.proposal_items.select_related("proposal").order_by("pk"))
        return {
            "format": FORMAT,
            "exported": timezone.localtime().isoformat(),
            "pupil": serialise(pupil, skip={"siblings"}),
            "siblings": sorted(s.full_name for s in pupil.siblings.all()),
            "guardians": [serialise(g, skip={"pupil"}) for g in guardians],
            "counsellings": [serialise(c, skip={"pupil"}) for c in counsellings],
            "letters": [serialise(letter, skip={"pupil"}) for letter in letters],
            "proposal_items": [
                {
                    **serialise(item, skip={"pupil", "proposal"}),
                    "proposal": {
                        "id": item.proposal.pk,
                        "school_year": item.proposal.school_year,
                        "created": timezone.localtime(item.proposal.created).isoformat(),
                    },
                }
                for item in items
            ],
            "history": _history([pupil, *guardians, *counsellings, *letters]),
        }


def pupil_data_json(pupil: Pupil) -> str:
    return json.dumps(collect_pupil_data(pupil), ensure_ascii=False, indent=2)
