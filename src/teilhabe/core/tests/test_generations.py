"""Generations in the shared cache, and what a worker keeps while one is current."""

import datetime

import pytest
from django.core.cache import cache

from teilhabe.core.generations import Generation, kept

pytestmark = pytest.mark.django_db


def test_every_new_generation_differs_even_when_the_clock_stands_still(time_machine):
    time_machine.move_to(datetime.datetime(2026, 11, 21, 10, tzinfo=datetime.UTC), tick=False)
    generation = Generation("test:generation")
    seen = {generation.current()}
    for _ in range(3):
        generation.new()
        seen.add(generation.current())
    cache.delete(generation.key)  # an emptied shared cache starts a new one too
    seen.add(generation.current())
    assert len(seen) == 5


def test_what_was_kept_is_made_again_in_a_new_generation():
    generation = Generation("test:generation")
    made = []

    def make():
        made.append(1)
        return {"made": len(made)}

    assert kept(generation, "test:thing", make) == {"made": 1}
    assert kept(generation, "test:thing", make) == {"made": 1}  # kept: not made again
    generation.new()
    assert kept(generation, "test:thing", make) == {"made": 2}


def test_each_caller_gets_its_own_copy():
    generation = Generation("test:generation")
    kept(generation, "test:list", lambda: ["Bezirk Nord"])
    first = kept(generation, "test:list", list)
    first.append("changed by one request")
    assert kept(generation, "test:list", list) == ["Bezirk Nord"]


def test_nothing_is_kept_when_the_shared_cache_is_one_process_memory(settings):
    settings.CACHES = {
        **settings.CACHES,
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    }
    generation = Generation("test:generation")
    made = []

    def make():
        made.append(1)
        return len(made)

    # Another worker could not tell this one that its memberships changed.
    assert [kept(generation, "test:thing", make) for _ in range(3)] == [1, 2, 3]
