"""Generations: a token in the shared cache tells every worker whether what it kept is current.

A worker keeps things in its own memory (rendered directory searches, the memberships of a
user) together with the generation they were made in. A change starts a new generation; what
was kept in an older one is no longer used. Reading the generation is one cache read, which is
much cheaper than making the thing again. Within a request, the first generation asked for
reads all of them in one round trip (``read_in_requests``).
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable
from typing import Any, TypeVar

from django.core.cache import cache, caches
from django.core.cache.backends.locmem import LocMemCache
from django.core.signals import request_finished, request_started
from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save

T = TypeVar("T")

#: The key of every generation of the process, read together in a request.
_KEYS: set[str] = set()
#: What this thread's request has read of them: key → token (None: not in the cache), or no
#: dict outside a request.
_read = threading.local()


class Generation:
    """A generation token kept under ``key`` in the shared cache (``CACHES["default"]``)."""

    def __init__(self, key: str) -> None:
        self.key = key
        _KEYS.add(key)
        # One callable for the whole life of the process: on-commit hooks are found by identity.
        self.bump = self._bump

    def current(self) -> str:
        """Return the current generation; start one if the cache has none.

        A missing generation (a new or cleared cache, an evicted key) is a new one, never an
        old one that something kept could still match. Read it *before* reading the data to
        keep: data read after it is at least as new as the generation says.

        In a request all generations are read once, together, when the first is asked for:
        what is kept is then at least as new as that moment, as if the request had begun then.
        """
        read: dict[str, str | None] | None = getattr(_read, "tokens", None)
        if read is None:
            generation = cache.get(self.key)
        else:
            if self.key not in read:
                wanted = {key for key in _KEYS if key not in read} | {self.key}
                found = cache.get_many(wanted)
                read.update({key: found.get(key) for key in wanted})
            generation = read[self.key]
        if generation is None:
            generation = _new_generation()
            if not cache.add(self.key, generation, None):
                generation = cache.get(self.key, generation)
            if read is not None:
                read[self.key] = generation
        return generation

    def new(self) -> None:
        """Make everything kept stale: now, and again when the transaction commits.

        Now, so that a later read in the same transaction (and a database cache, which rolls
        back with it) does not see the old thing; again at the commit, so that what another
        process made from the not yet committed data in between is not used (a Redis cache
        does not roll back).
        """
        self.bump()
        queued = transaction.get_connection().run_on_commit
        if not any(entry[1] is self.bump for entry in queued):  # once per transaction
            transaction.on_commit(self.bump)

    def _bump(self) -> None:
        generation = _new_generation()
        cache.set(self.key, generation, None)
        read = getattr(_read, "tokens", None)
        if read is not None:  # the rest of this request sees the new generation too
            read[self.key] = generation

    def follows(self, model: Any, *, created_or_deleted_only: bool = False) -> None:
        """Start a new generation whenever a row of ``model`` is saved or deleted.

        For the through model of a ``ManyToManyField``: whenever rows are linked or unlinked.
        ``created_or_deleted_only``: not when an existing row is saved again.
        """

        def changed(sender: Any, **kwargs: Any) -> None:
            if kwargs.get("action", "post_add") not in ("post_add", "post_remove", "post_clear"):
                return  # m2m_changed before the change
            if created_or_deleted_only and kwargs["signal"] is post_save and not kwargs["created"]:
                return
            self.new()

        if model._meta.auto_created:  # the through model of a ManyToManyField
            m2m_changed.connect(changed, sender=model, weak=False)
        else:
            post_save.connect(changed, sender=model, weak=False)
            post_delete.connect(changed, sender=model, weak=False)


def read_in_requests() -> None:
    """Read the generations once per request, all in one cache round trip (``core/apps.py``).

    Outside a request (commands, tests between requests) each is read when asked for.
    """
    request_started.connect(_start_reading, weak=False, dispatch_uid="generations-start")
    request_finished.connect(_stop_reading, weak=False, dispatch_uid="generations-stop")


def _start_reading(**kwargs: Any) -> None:
    _read.tokens = {}


def _stop_reading(**kwargs: Any) -> None:
    _read.tokens = None


def _new_generation() -> str:
    # Random, not the clock: two processes may start one in the same instant, and tests stop
    # the clock.
    return uuid.uuid4().hex


def kept(
    generation: Generation,
    key: str,
    make: Callable[[], T],
    *,
    cache_alias: str = "kept",
    timeout: float | None = None,
    unshared_ok: bool = False,
) -> T:
    """Return what ``make`` returns, kept in this worker (``CACHES[cache_alias]``) under ``key``.

    What was kept is used while ``generation`` is current; otherwise ``make`` runs again (if it
    raises, nothing is kept). The generation is read first, so what ``make`` reads is at least
    as new as it. Each caller gets its own copy (the cache pickles what it keeps). ``timeout``:
    the cache's own unless given.

    Nothing is kept when the shared cache is not shared (``locmem://``): another worker could
    not say that something changed. ``unshared_ok`` keeps it anyway, for what may be stale in
    the other workers until ``timeout`` runs out (the public directory's searches).
    """
    if not unshared_ok and isinstance(caches["default"], LocMemCache):
        return make()
    current = generation.current()
    store = caches[cache_alias]
    entry = store.get(key)
    if entry is not None and entry[0] == current:
        return entry[1]
    value = make()
    if timeout is None:
        store.set(key, (current, value))
    else:
        store.set(key, (current, value), timeout)
    return value


#: The reference data of the centres that lists offer as choices: Bezirke, Gemeinden, the
#: network's actors. Their apps start a new generation on every change (``apps.py``).
REFERENCE_DATA = Generation("core:reference-data:generation")
