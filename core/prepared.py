"""Reads whose SQL Django compiles once per process: the hot reads of the reader pages and the API.

Django builds a queryset and compiles its SQL again on every evaluation. On a reader's case page at
10,000 cases that was about a third of the request's time, while running the SQL took a
twentieth (docs/performance.md "Fourth round: prepared reads"). A ``PreparedRead`` builds its queryset once per
database and shape with stand-in values, keeps the compiled SQL and where the stand-ins landed among
its parameters, and on each call runs that SQL with the values given. Rows become what the ORM
would have returned: model instances (``select_related`` and annotations included, by Django's own
row populators) or, for a ``values_list`` queryset, tuples with the database's converters applied.

The contract of ``build``: its SQL depends on its arguments only, and each argument is a value of
the SQL (an exact or ``in`` lookup, or a ``startswith`` / ``contains`` prefix), not something that
changes the query's shape (a time read inside, a branch on a value). A list argument is prepared
once per length, up to ``MAX_LISTED`` items; a longer one runs through the ORM as before.
Preparation checks that every stand-in reached the parameters and that none was written into the
SQL text, and refuses the read otherwise (``ImproperlyConfigured``), so a misuse fails on its first
call, in the tests, not with wrong rows.
"""

from __future__ import annotations

import threading
import uuid
import weakref
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from django.core.exceptions import EmptyResultSet, ImproperlyConfigured
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import Model, QuerySet
from django.db.models.query import ModelIterable, ValuesListIterable, get_related_populators

Row = TypeVar("Row")

# A list longer than this (an API list of many cases) is read through the ORM: each length is a
# statement of its own, and lists of every length up to this are a few hundred kilobytes per process.
MAX_LISTED = 100

# Kinds of value a prepared read takes; ``[kind]`` is a list of them.
SCALAR_KINDS = (int, str, uuid.UUID)
Kind = type | list[type]

# Stand-ins: values no real argument has, distinct per position. Integers stay inside a 32-bit
# column's range, where Django compiles an exact lookup as it is (outside, it answers "no rows").
_INT_BASE = 1_987_000_000
_TEXT_MARK = "prepared-stand-in"


@dataclass(frozen=True)
class _Slot:
    position: int  # among the SQL's parameters
    value: int  # index into the flattened values
    transform: Callable[[Any, Any], Any]  # (value, connection) -> the parameter


@dataclass(frozen=True)
class _Statement:
    sql: str
    params: tuple[Any, ...]
    slots: tuple[_Slot, ...]
    compiler: Any  # the SQLCompiler that compiled it: columns, converters, row layout
    instances: _Instances | None  # how a row becomes a model instance; None: values_list rows
    # Per connection (one per thread): each column's converters (``_converters``).
    converters: weakref.WeakKeyDictionary[Any, list[tuple[int, list[Any], Any]]] = field(
        default_factory=weakref.WeakKeyDictionary
    )


@dataclass(frozen=True)
class _Instances:
    """What django.db.models.query.ModelIterable works out per query to build its instances."""

    model: type[Model]
    start: int
    end: int
    names: list[str]
    populators: list[Any]  # Django's RelatedPopulator per select_related join
    annotations: dict[str, int]


def _stand_in(kind: type, number: int) -> Any:
    if kind is int:
        return _INT_BASE + number
    if kind is str:
        return f"{_TEXT_MARK}-{number}-x"
    if kind is uuid.UUID:
        return uuid.UUID(int=(0xFEEDFACE << 96) + number)
    raise ImproperlyConfigured(f"A prepared read takes {SCALAR_KINDS} or lists of them, not {kind!r}.")


def _as(kind: type, value: Any) -> Any:
    if kind is uuid.UUID and not isinstance(value, uuid.UUID):
        return uuid.UUID(str(value))
    return value


def _same(value: Any, connection: Any) -> Any:
    return value


def _hex(value: Any, connection: Any) -> Any:
    return value.hex


def _text(value: Any, connection: Any) -> Any:
    return str(value)


class PreparedRead(Generic[Row]):
    """``build(*values)``'s rows, its SQL compiled once per database and list lengths."""

    def __init__(self, build: Callable[..., QuerySet[Any, Row]], *kinds: Kind) -> None:
        self.build = build
        self.kinds = kinds
        self._statements: dict[tuple[str, tuple[int, ...]], _Statement | None] = {}
        self._lock = threading.Lock()

    def __call__(self, *values: Any, using: str = DEFAULT_DB_ALIAS) -> list[Row]:
        if len(values) != len(self.kinds):
            raise TypeError(f"{self.build!r} takes {len(self.kinds)} values, {len(values)} given")
        flat: list[Any] = []
        lengths = []
        for kind, value in zip(self.kinds, values, strict=True):
            if isinstance(kind, list):
                items = list(value)
                if len(items) > MAX_LISTED:
                    return list(self.build(*values).using(using))
                lengths.append(len(items))
                flat.extend(_as(kind[0], item) for item in items)
            else:
                flat.append(_as(kind, value))
        key = (using, tuple(lengths))
        if key not in self._statements:
            with self._lock:
                if key not in self._statements:
                    self._statements[key] = self._prepare(using, tuple(lengths))
        statement = self._statements[key]
        if statement is None:
            return []  # Django found no row can match (an empty ``in`` list it must satisfy)
        return self._run(statement, flat, using)

    def queryset(self, *values: Any, using: str = DEFAULT_DB_ALIAS) -> QuerySet[Any, Row]:
        """``build(*values)`` with its rows already read by the prepared SQL, for a caller that
        wants a queryset: iterating it reads nothing more; refining it (``filter``, ``order_by``,
        ``exists``) is a new query, as after ``prefetch_related``."""
        queryset = self.build(*values).using(using)
        queryset._result_cache = self(*values, using=using)
        queryset._prefetch_done = True  # type: ignore[attr-defined] # as prefetch_related sets it
        return queryset

    # --- preparation ---------------------------------------------------------------------------

    def _prepare(self, using: str, lengths: tuple[int, ...]) -> _Statement | None:
        stand_ins: list[Any] = []
        arguments: list[Any] = []
        listed = iter(lengths)
        for kind in self.kinds:
            if isinstance(kind, list):
                items = [_stand_in(kind[0], len(stand_ins) + n) for n in range(next(listed))]
                stand_ins.extend(items)
                arguments.append(items)
            else:
                stand_ins.append(_stand_in(kind, len(stand_ins)))
                arguments.append(stand_ins[-1])
        queryset = self.build(*arguments).using(using)
        compiler = queryset.query.get_compiler(using=using)
        try:
            sql, params = compiler.as_sql()
        except EmptyResultSet:
            return None
        slots = []
        found = set()
        for position, param in enumerate(params):
            for number, stand_in in enumerate(stand_ins):
                transform = _transform_of(stand_in, param)
                if transform is not None:
                    slots.append(_Slot(position, number, transform))
                    found.add(number)
                    break
        missing = set(range(len(stand_ins))) - found
        if missing or _TEXT_MARK in sql or any(str(_INT_BASE + n) in sql for n in range(len(stand_ins))):
            raise ImproperlyConfigured(
                f"{self.build!r}: every value must be a parameter of the SQL (values {sorted(missing)} are not)"
            )
        instances = None
        if queryset._iterable_class is ModelIterable:
            klass_info, select = compiler.klass_info, compiler.select
            start, end = klass_info["select_fields"][0], klass_info["select_fields"][-1] + 1
            instances = _Instances(
                model=klass_info["model"],
                start=start,
                end=end,
                names=[column[0].target.attname for column in select[start:end]],
                populators=get_related_populators(klass_info, select, using),  # type: ignore[call-arg] # stubs of a later Django
                annotations=dict(compiler.annotation_col_map or {}),
            )
        if compiler.has_composite_fields([column[0] for column in compiler.select[0 : compiler.col_count]]):
            raise ImproperlyConfigured(f"{self.build!r}: a prepared read does not take composite primary keys")
        if queryset._iterable_class is not ModelIterable and queryset._iterable_class is not ValuesListIterable:
            raise ImproperlyConfigured(f"{self.build!r}: a prepared read returns model instances or values_list rows")
        return _Statement(sql, tuple(params), tuple(slots), compiler, instances)

    # --- running -------------------------------------------------------------------------------

    def _run(self, statement: _Statement, values: Sequence[Any], using: str) -> list[Row]:
        connection = connections[using]
        params = list(statement.params)
        for slot in statement.slots:
            params[slot.position] = slot.transform(values[slot.value], connection)
        with connection.cursor() as cursor:  # the wrapped cursor: query logging and counting see it
            cursor.execute(statement.sql, params)
            rows: list[Any] = cursor.fetchall()
        compiler = statement.compiler
        if compiler.has_extra_select:
            rows = [row[: compiler.col_count] for row in rows]
        converters = _converters(statement, connection)
        if converters:  # as SQLCompiler.apply_converters, with the converters worked out once
            converted = []
            for row in map(list, rows):
                for position, functions, expression in converters:
                    value = row[position]
                    for function in functions:
                        value = function(value, expression, connection)
                    row[position] = value
                converted.append(row)
            rows = converted
        shape = statement.instances
        if shape is None:
            return [tuple(row) for row in rows]  # type: ignore[misc]
        built = []
        for row in rows:  # as ModelIterable builds each row's instance
            instance = shape.model.from_db(using, shape.names, row[shape.start : shape.end])
            for populator in shape.populators:
                populator.populate(row, instance)
            for name, position in shape.annotations.items():
                setattr(instance, name, row[position])
            built.append(instance)
        return built  # type: ignore[return-value] # Row: the model of the queryset


def _converters(statement: _Statement, connection: Any) -> list[tuple[int, list[Any], Any]]:
    """The database's and the fields' converters of each column, for ``connection`` (a thread's
    own: the converters are methods of its operations)."""
    known = statement.converters.get(connection)
    if known is None:
        compiler = statement.compiler
        columns = [column[0] for column in compiler.select[0 : compiler.col_count]]
        with _converters_lock:
            compiler.connection = connection
            by_position = compiler.get_converters(columns)
        known = [(position, functions, expression) for position, (functions, expression) in by_position.items()]
        statement.converters[connection] = known
    return known


_converters_lock = threading.Lock()


def _transform_of(stand_in: Any, param: Any) -> Callable[[Any, Any], Any] | None:
    """How the compiled parameter was made from the stand-in, when it was."""
    if isinstance(stand_in, uuid.UUID):
        if param == stand_in and isinstance(param, uuid.UUID):
            return _same
        if param == stand_in.hex:
            return _hex
        if param == str(stand_in):
            return _text
        return None
    if isinstance(stand_in, int):
        if isinstance(param, int) and not isinstance(param, bool) and param == stand_in:
            # psycopg's typed integers (Int4, Int8) where Django chose the width: keep that type.
            kind = type(param)
            return _same if kind is int else lambda value, connection: kind(value)
        return None
    if type(param) is type(stand_in) and param == stand_in:
        return _same
    if isinstance(stand_in, str) and isinstance(param, str) and stand_in in param:
        # startswith / contains: Django escapes the value for LIKE and adds the wildcards around it.
        before, _, after = param.partition(stand_in)
        return lambda value, connection: before + connection.ops.prep_for_like_query(value) + after
    return None
