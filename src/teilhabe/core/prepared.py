"""Querysets compiled to SQL once per process, then run again with other ids.

Django builds and compiles a queryset's SQL anew on every evaluation: for the case file's
section queries (a select of 10 to 60 columns, a join for the tenant scope, an order) that is
about 1 ms each on the 2-core reference machine, more than PostgreSQL takes to answer them. A
:class:`PreparedQuery` compiles its queryset the first time a shape is asked for and keeps the
SQL, the compiler's column map and where each id goes among the parameters; later calls put the
new ids in and run it through Django's own model iterator, so select_related, annotations and
prefetch_related work as usual.

What varies between calls must be an argument (an integer id) or the django-scopes scope (its
centre ids): the scope is part of the shape and its ids are parameters, so the tenant guard of
a scoped manager stays in every query. A build function whose SQL or other parameters change
between two builds with the same arguments (``timezone.now()``, a random order) is refused when
it is first prepared. A build must not branch on the values of its ids (it is compiled with
stand-ins, large negative numbers); an id that does not end up as a parameter of its own makes
the shape run unprepared, as a plain queryset.

A build may also take other things, positionally (a user, say): they are passed on as they are,
and the caller names in ``variant`` everything of them the SQL depends on. The variant is part
of the shape, so another variant is compiled anew and never runs a shape compiled for another;
a build whose SQL depends on something its variant does not name is a bug this module cannot
see. A prepared query keeps at most ``max_shapes`` shapes, the oldest going first.
"""

from __future__ import annotations

import copy
import functools
import itertools
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from django.core.exceptions import EmptyResultSet, ImproperlyConfigured
from django.db import connections
from django.db.models import Model, QuerySet
from django.db.models.query import ModelIterable
from django.db.models.sql.compiler import SQLCompiler
from django.db.models.sql.query import Query
from django_scopes import scope
from django_scopes.state import get_scope

M = TypeVar("M", bound=Model)

#: Stand-ins for the ids while a shape is compiled: negative, so never a real primary key.
_SENTINEL_BASE = -(10**15)


@dataclass(frozen=True)
class _Slot:
    """Where a parameter of the compiled SQL comes from: an argument or a scope value."""

    index: int
    argument: str | None = None
    dimension: str | None = None
    position: int = 0


@dataclass(frozen=True)
class _Compiled:
    queryset: QuerySet
    query: Query
    compiler: SQLCompiler
    params: tuple[Any, ...]
    slots: tuple[_Slot, ...]


@functools.cache
def _prepared_compiler_class(base: type[SQLCompiler]) -> type[SQLCompiler]:
    """Return a subclass of ``base`` whose ``as_sql`` answers with the kept SQL."""

    def as_sql(self: Any, *args: Any, **kwargs: Any) -> tuple[str, tuple[Any, ...]]:
        return self.prepared_sql, self.prepared_params

    return type(f"Prepared{base.__name__}", (base,), {"as_sql": as_sql})


class _PreparedSQLQuery(Query):
    """A query that hands the model iterator its ready compiler instead of compiling."""

    prepared_compiler: SQLCompiler

    def get_compiler(self, using: Any = None, connection: Any = None, elide_empty: bool = True):  # type: ignore[override]
        return self.prepared_compiler


def _scope_shape(current: dict[str, Any]) -> tuple[Hashable, ...] | None:
    """Return the shape of the current scope, or None if it holds other values than ids."""
    if not current.get("_enabled", True):
        return ("disabled",)
    shape: list[Hashable] = []
    for dimension, value in sorted(current.items()):
        if dimension == "_enabled":
            continue
        if isinstance(value, list | tuple):
            if not value or not all(isinstance(v, int) for v in value):
                return None  # no centre at all: Django answers without SQL
            shape.append((dimension, len(value)))
        elif value is None:
            shape.append((dimension, None))
        elif isinstance(value, int):
            shape.append((dimension, "one"))
        else:
            return None
    return tuple(shape)


class PreparedQuery(Generic[M]):
    """A queryset shape, compiled once per process and database, run with new ids.

    ``build`` takes keyword arguments (integer ids) and returns a queryset of model instances
    whose only varying parts are those ids and the scope. Calling the prepared query with the
    same keywords returns the list the queryset would return.
    """

    def __init__(self, build: Callable[..., QuerySet[M]], *, max_shapes: int = 256) -> None:
        self.build = build
        self.max_shapes = max_shapes
        self._compiled: dict[Hashable, _Compiled | None] = {}
        functools.update_wrapper(self, build)  # type: ignore[arg-type]

    def __call__(self, *args: Any, variant: Hashable = None, **ids: int) -> list[M]:
        current = get_scope()
        shape = _scope_shape(current)
        if shape is None or not all(isinstance(v, int) for v in ids.values()):
            return list(self.build(*args, **ids))
        key = (variant, tuple(sorted(ids)), shape)
        try:
            compiled = self._compiled[key]
        except KeyError:
            # None: this shape cannot be prepared (e.g. an id that is no parameter of its own).
            compiled = self._compiled[key] = self._prepare(args, ids, current)
            self._forget_oldest()
        if compiled is None:
            return list(self.build(*args, **ids))
        return self._run(compiled, ids, current)

    def _forget_oldest(self) -> None:
        while len(self._compiled) > self.max_shapes:
            try:
                del self._compiled[next(iter(self._compiled))]
            except (KeyError, RuntimeError, StopIteration):  # another thread was quicker
                return

    def _prepare(
        self, args: tuple[Any, ...], ids: dict[str, int], current: dict[str, Any]
    ) -> _Compiled | None:
        first = self._compile(args, ids, current, 0)
        if first is None:
            return None
        second = self._compile(args, ids, current, 1)
        assert second is not None
        if first.query_sql != second.query_sql or first.constants != second.constants:
            raise ImproperlyConfigured(
                f"{self.build.__qualname__}: the SQL changes between two builds with the same "
                "ids; only its arguments and the scope may vary."
            )
        return first.compiled

    def _compile(
        self, args: tuple[Any, ...], ids: dict[str, int], current: dict[str, Any], run: int
    ) -> _Trial | None:
        counter = itertools.count(_SENTINEL_BASE - run * 10**6, -1)
        stand_ins: dict[int, tuple[str | None, str | None, int]] = {}
        arguments = {}
        for name in sorted(ids):
            value = next(counter)
            arguments[name] = value
            stand_ins[value] = (name, None, 0)
        scope_values: dict[str, Any] = {}
        for dimension, value in current.items():
            if dimension == "_enabled" or value is None:
                continue
            if isinstance(value, list | tuple):
                values = [next(counter) for _ in value]
                for position, stand_in in enumerate(values):
                    stand_ins[stand_in] = (None, dimension, position)
                scope_values[dimension] = values
            else:
                stand_in = next(counter)
                stand_ins[stand_in] = (None, dimension, -1)
                scope_values[dimension] = stand_in
        enabled = current.get("_enabled", True)
        with scope(_enabled=enabled, **scope_values):
            queryset = self.build(*args, **arguments)
        if (
            queryset._iterable_class is not ModelIterable
            or queryset._known_related_objects
            or queryset._result_cache is not None
        ):
            raise ImproperlyConfigured(
                f"{self.build.__qualname__}: only a fresh queryset of model instances from a "
                "model's manager can be prepared (not a related manager's)."
            )
        compiler = queryset.query.get_compiler(using=queryset.db)
        try:
            sql, params = compiler.as_sql()
        except EmptyResultSet:
            return None
        slots = []
        for index, param in enumerate(params):
            if isinstance(param, int) and param in stand_ins:
                slots.append(_Slot(index, *stand_ins[param]))
        if {slot.argument for slot in slots if slot.argument} != set(ids):
            return None  # an id did not become a parameter of its own: run it plainly
        prepared = copy.copy(compiler)
        prepared.__class__ = _prepared_compiler_class(type(compiler))
        prepared.prepared_sql = sql  # type: ignore[attr-defined]
        query = copy.copy(queryset.query)
        query.__class__ = _PreparedSQLQuery
        compiled = _Compiled(queryset, query, prepared, tuple(params), tuple(slots))
        return _Trial(compiled, sql, frozenset(s.index for s in slots))

    @staticmethod
    def _run(compiled: _Compiled, ids: dict[str, int], current: dict[str, Any]) -> list[Any]:
        params = list(compiled.params)
        for slot in compiled.slots:
            if slot.argument is not None:
                params[slot.index] = ids[slot.argument]
            elif slot.position < 0:
                params[slot.index] = current[slot.dimension]
            else:
                params[slot.index] = current[slot.dimension][slot.position]
        template = compiled.queryset
        compiler = copy.copy(compiled.compiler)
        # This thread's connection: the kept compiler may come from another thread's.
        compiler.connection = connections[compiler.using]
        compiler.prepared_params = tuple(params)  # type: ignore[attr-defined]
        query = copy.copy(compiled.query)
        query.prepared_compiler = compiler  # type: ignore[attr-defined]
        queryset = template.__class__(
            model=template.model, query=query, using=template._db, hints=template._hints
        )
        queryset._prefetch_related_lookups = template._prefetch_related_lookups
        return list(queryset)


@dataclass(frozen=True)
class _Trial:
    compiled: _Compiled
    query_sql: str
    slot_indexes: frozenset[int]

    @property
    def constants(self) -> list[Any]:
        """The parameters that are neither an argument nor a scope value."""
        return [p for i, p in enumerate(self.compiled.params) if i not in self.slot_indexes]


def prepared(build: Callable[..., QuerySet[M]]) -> PreparedQuery[M]:
    """Decorate a build function: ``@prepared def goals(case): return Goal.objects.filter(…)``."""
    return PreparedQuery(build)
