"""The network's figures: actors by kind."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.utils import translation
from django_scopes import scopes_disabled

from teilhabe.network.models import Actor
from teilhabe.network.tests.factories import make_actor
from teilhabe.reporting.registry import Period, get, metrics

pytestmark = pytest.mark.django_db


def test_every_kind_of_actor_has_a_figure():
    names = {m.name for m in metrics()}
    assert {f"network.actors.{kind.value}" for kind in Actor.Kind} <= names
    with translation.override("en"):
        label = str(get("network.actors.mso").label)
    assert label == "Active actors: Migrant organisation (MSO)"


def test_actors_are_counted_by_kind_per_centre_and_month(centre, other_centre):
    with time_machine.travel(datetime.datetime(2026, 9, 10, 12)):
        make_actor(centre, kind=Actor.Kind.MSO)
        make_actor(centre, kind=Actor.Kind.MSO)
        make_actor(centre, kind=Actor.Kind.SCHOOL)
        make_actor(centre, kind=Actor.Kind.MSO, is_active=False)
        make_actor(other_centre, kind=Actor.Kind.MSO)
    with time_machine.travel(datetime.datetime(2026, 10, 5, 12)):
        make_actor(centre, kind=Actor.Kind.MSO)
    with scopes_disabled():
        mso, school = get("network.actors.mso"), get("network.actors.school")
        assert mso.compute(centre, Period(2026, 8)) == 0
        assert mso.compute(centre, Period(2026, 9)) == 2
        assert mso.compute(centre, Period(2026, 10)) == 3
        assert school.compute(centre, Period(2026, 10)) == 1
        assert mso.compute(other_centre, Period(2026, 10)) == 1
        assert get("network.actors.kita").compute(centre, Period(2026, 10)) == 0
