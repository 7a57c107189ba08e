"""The schooling part of the demo and of ``teilhabe seed``."""

from __future__ import annotations

import datetime
import re
from collections import Counter

import pytest
import time_machine
from django.db.models import Count
from django_scopes import scopes_disabled

from teilhabe.core.models import Centre
from teilhabe.schooling import generators
from teilhabe.schooling.models import (
    FORM_STAGES,
    Capacity,
    Counselling,
    Guardian,
    Pupil,
    School,
    SchoolForm,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(datetime.datetime(2026, 11, 21, 10, tzinfo=datetime.UTC), tick=False):
        yield


def _snapshot(centre: Centre) -> list[tuple]:
    with scopes_disabled():
        return list(
            Pupil.objects.filter(centre=centre)
            .order_by("pk")
            .values_list(
                "last_name",
                "first_name",
                "birth_date",
                "status",
                "registration_date",
                "school__number",
                "placed_on",
            )
        )


def test_demo_creates_schools_and_pupils_in_every_status(centre):
    totals = generators.generate("demo", 2026, 1.0)
    with scopes_disabled():
        schools = School.objects.filter(centre=centre)
        pupils = Pupil.objects.filter(centre=centre)
        assert totals["schools"] == schools.count() >= 30
        assert pupils.count() == 300
        assert set(pupils.values_list("status", flat=True)) == set(Pupil.Status.values)
        forms = Counter(schools.values_list("form", flat=True))
        assert forms[SchoolForm.BERUFSKOLLEG] == 2
        assert forms[SchoolForm.FOERDERSCHULE] == 1
        per_town = Counter(
            schools.filter(form=SchoolForm.PRIMARY).values_list("municipality__name", flat=True)
        )
        assert len(per_town) == 11
        assert all(1 <= n <= 4 for n in per_town.values())
        assert all(re.fullmatch(r"\d{6}", n) for n in schools.values_list("number", flat=True))
        assert Capacity.objects.filter(school__centre=centre, school_year=2026).exists()
        languages = set(
            Guardian.objects.filter(pupil__centre=centre).values_list("language", flat=True)
        )
        assert {"de", "en", "ar", "uk", "fa", "tr"} <= languages
        with_siblings = pupils.annotate(n=Count("siblings")).filter(n__gt=0).count()
        assert 0.05 * 300 <= with_siblings <= 0.3 * 300
        counselled = pupils.filter(
            status__in=[Pupil.Status.COUNSELLED, Pupil.Status.PLACED, Pupil.Status.STARTED]
        )
        assert not counselled.filter(recommended_stage="").exists()
        assert not counselled.exclude(
            pk__in=Counselling.objects.filter(held=True).values("pupil")
        ).exists()


def test_demo_is_idempotent(centre):
    generators.generate("demo", 2026, 1.0)
    before = _snapshot(centre)
    assert generators.generate("demo", 2026, 1.0) == {
        "schools": 0,
        "newcomer pupils": 0,
        "guardians": 0,
    }
    assert _snapshot(centre) == before


def test_generated_placements_never_exceed_the_places_and_fit_the_school(centre):
    generators.generate("kreis", 7, 0.5)
    with scopes_disabled():
        capacities = {
            (c.school_id, c.stage, c.school_year): c.places
            for c in Capacity.objects.filter(school__centre=centre)
        }
        placed = Pupil.objects.filter(
            centre=centre, status__in=[Pupil.Status.PLACED, Pupil.Status.STARTED]
        ).select_related("school")
        assert placed.count() > 100
        used = Counter()
        for pupil in placed:
            assert pupil.registration_date <= pupil.placed_on <= datetime.date(2026, 11, 21)
            assert pupil.school.form in pupil.recommended_forms
            assert pupil.recommended_stage in FORM_STAGES[pupil.school.form]
            year = pupil.placed_on.year if pupil.placed_on.month >= 8 else pupil.placed_on.year - 1
            used[(pupil.school_id, pupil.recommended_stage, year)] += 1
        for key, n in used.items():
            assert n <= capacities.get(key, 0), key


def _run_afresh(centre: Centre, seed: int) -> list[tuple]:
    """Generate 60 pupils into an empty centre, return them, and remove everything again."""
    with scopes_disabled():
        generators.populate(centre, seed, schools=None, pupils=60)
        rows = _snapshot(centre)
        Pupil.objects.filter(centre=centre).delete()
        School.objects.filter(centre=centre).delete()
    return rows


def test_same_seed_same_data(centre):
    first = _run_afresh(centre, 11)
    assert len(first) == 60
    assert _run_afresh(centre, 11) == first
    assert _run_afresh(centre, 12) != first
