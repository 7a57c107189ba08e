"""Every record about a person is versioned, including ones added later (DESIGN.md: Audit).

A model that points to a client, a case or a pupil holds personal data; django-auditlog must
keep its versions. A new model of that kind that nobody registered fails here.
"""

from __future__ import annotations

from auditlog.registry import auditlog
from django.apps import apps
from django.db import models

PEOPLE = {"cases.Person", "cases.Case", "schooling.Pupil"}

#: Models that point to a person's record but hold no personal data themselves.
NOT_PERSONAL = {
    # A structural barrier, described without the person; the link is cleared on erasure.
    "cases.SystemGap",
}


def _points_to_a_person(model: type[models.Model]) -> bool:
    return any(
        field.is_relation
        and field.related_model is not None
        and field.related_model._meta.label in PEOPLE
        and (field.many_to_one or field.one_to_one or field.many_to_many)
        and field.concrete
        for field in model._meta.get_fields()
    )


def test_every_model_about_a_person_is_versioned():
    about_people = [
        model
        for model in apps.get_models()
        if (model._meta.label in PEOPLE or _points_to_a_person(model))
        and model._meta.label not in NOT_PERSONAL
        and not model._meta.auto_created
    ]
    assert {m._meta.label for m in about_people} >= PEOPLE
    unversioned = sorted(m._meta.label for m in about_people if not auditlog.contains(m))
    assert not unversioned, f"register these with auditlog: {unversioned}"
