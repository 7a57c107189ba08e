"""Generations in the shared cache, and what a worker keeps while one is current."""

import contextlib
import datetime

import pytest
from django.core.cache import cache
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, connection
from django.test.utils import CaptureQueriesContext

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


@contextlib.contextmanager
def _request():
    """The signals of a request around the block, as Django's handlers send them."""
    # As the test client does: closing "old" connections would end the test's transaction.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        request_started.send(sender=None)
        try:
            yield
        finally:
            request_finished.send(sender=None)
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def _cache_reads(queries):
    return [q["sql"] for q in queries.captured_queries if "teilhabe_cache" in q["sql"]]


def test_a_request_reads_every_generation_in_one_round_trip():
    first, second = Generation("test:first"), Generation("test:second")
    first.current(), second.current()  # both exist in the cache

    with _request(), CaptureQueriesContext(connection) as queries:
        tokens = (first.current(), second.current(), first.current())

    assert len(_cache_reads(queries)) == 1
    assert tokens == (cache.get(first.key), cache.get(second.key), cache.get(first.key))


def test_a_new_generation_counts_for_the_rest_of_the_request_and_for_the_next_one():
    generation = Generation("test:generation")
    with _request():
        before = generation.current()
        generation.new()
        during = generation.current()
    assert during != before
    assert during == cache.get(generation.key)
    with _request():
        assert generation.current() == during


def test_outside_a_request_every_read_asks_the_shared_cache():
    generation = Generation("test:generation")
    with _request():
        generation.current()
    cache.set(generation.key, "started by another worker", None)

    assert generation.current() == "started by another worker"
