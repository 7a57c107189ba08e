"""Generations: one number in the shared cache tells every worker whether what it kept is current.

A worker keeps things in its own memory (rendered directory searches, the memberships of a
user) together with the generation they were made in. A change starts a new generation; what
was kept in an older one is no longer used. Reading the generation is one cache read, which is
much cheaper than making the thing again.
"""

from __future__ import annotations

import time

from django.core.cache import cache
from django.db import transaction


class Generation:
    """A generation number kept under ``key`` in the shared cache (``CACHES["default"]``)."""

    def __init__(self, key: str) -> None:
        self.key = key
        # One callable for the whole life of the process: on-commit hooks are found by identity.
        self.bump = self._bump

    def current(self) -> int:
        """Return the current generation; start one if the cache has none.

        A missing generation (a new or cleared cache, an evicted key) is a new one, never an
        old one that something kept could still match. Read it *before* reading the data to
        keep: data read after it is at least as new as the generation says.
        """
        generation = cache.get(self.key)
        if generation is None:
            generation = time.time_ns()
            if not cache.add(self.key, generation, None):
                generation = cache.get(self.key, generation)
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
        cache.set(self.key, time.time_ns(), None)
