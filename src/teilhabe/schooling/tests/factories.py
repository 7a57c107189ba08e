"""Factory functions for schooling tests: real rows, no fixed ids."""

from __future__ import annotations

import datetime
from typing import Any

from django_scopes import scopes_disabled

from teilhabe.core.models import Centre
from teilhabe.schooling.models import Capacity, Pupil, School, SchoolForm, Stage


def make_school(
    centre: Centre, name: str | None = None, form: str = SchoolForm.PRIMARY, **fields: Any
) -> School:
    """Return a school of ``centre`` in its first Gemeinde."""
    with scopes_disabled():
        count = School.objects.count() + 1
        town = fields.pop("municipality", None) or centre.municipalities().order_by("ags").first()
        fields.setdefault("latitude", town.latitude)
        fields.setdefault("longitude", town.longitude)
        if form == SchoolForm.PRIMARY:
            fields.setdefault("lowest_grade", 1)
            fields.setdefault("highest_grade", 4)
        else:
            fields.setdefault("lowest_grade", 5)
            fields.setdefault("highest_grade", 10)
        return School.objects.create(
            centre=centre,
            name=name or f"Schule {count}",
            number=fields.pop("number", f"{100000 + count}"),
            form=form,
            municipality=town,
            **fields,
        )


def make_capacity(
    school: School, places: int = 5, stage: str = Stage.PRIMARY, school_year: int = 2026
) -> Capacity:
    with scopes_disabled():
        return Capacity.objects.create(
            school=school, stage=stage, places=places, school_year=school_year
        )


def make_pupil(
    centre: Centre, last_name: str = "Karimi", first_name: str = "Amir", **fields: Any
) -> Pupil:
    """Return a reported pupil of ``centre`` living in its first Gemeinde."""
    with scopes_disabled():
        town = fields.pop("municipality", None) or centre.municipalities().order_by("ags").first()
        fields.setdefault("birth_date", datetime.date(2018, 5, 1))
        fields.setdefault("registration_date", datetime.date(2026, 10, 1))
        fields.setdefault("latitude", town.latitude)
        fields.setdefault("longitude", town.longitude)
        return Pupil.objects.create(
            centre=centre, last_name=last_name, first_name=first_name, municipality=town, **fields
        )


def make_counselled_pupil(centre: Centre, **fields: Any) -> Pupil:
    """Return a counselled pupil recommended for a primary school, grade 3."""
    fields.setdefault("status", Pupil.Status.COUNSELLED)
    fields.setdefault("recommended_stage", Stage.PRIMARY)
    fields.setdefault("recommended_forms", [SchoolForm.PRIMARY])
    fields.setdefault("proposed_grade", 3)
    return make_pupil(centre, **fields)


def make_school_partner(
    centre: Centre, email: str, *, school: School | None = None, kind: str = "school"
) -> Any:
    """Return a partner user whose organisation's actor (of ``kind``) is ``school``'s actor."""
    from teilhabe.core.models import Membership, Organisation
    from teilhabe.core.tests.factories import make_user
    from teilhabe.network.models import Actor

    with scopes_disabled():
        organisation = Organisation.objects.create(centre=centre, name=f"Organisation {email}")
        actor = Actor.objects.create(
            centre=centre, name=organisation.name, kind=kind, organisation=organisation
        )
        if school is not None:
            school.actor = actor
            school.save()
        user = make_user(email, first_name="Pia", last_name="Partner")
        Membership.objects.create(
            user=user, role="partner", centre=centre, organisation=organisation
        )
        return user
