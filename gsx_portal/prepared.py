"""A query whose SQL the ORM builds once per process, run with new values for its parameters.

Some queries run on every request and cost more to build than to execute: the header's counts on
every signed-in page are eight subqueries, whose building took about 7 ms of CPU per page while
PostgreSQL answers them in well under one. Such a query is written once with the ORM as usual,
in a function of its few varying values (a user's id, the time). ``PreparedQuery`` calls that
function once with *placeholder* values, keeps the SQL and the position of each placeholder
among the parameters, and then only swaps the real values in. The SQL is the ORM's own, so the
query means exactly what the function says; a test runs both and compares.

Placeholders are values no real call can pass (a negative id, a date in 1901), so a parameter
equal to one can only have come from it. The query is built twice, with two different values for
each placeholder: the two builds must differ only in those parameters. Anything else the query
depended on (a value folded into the SQL text, a branch taken on the value) would make the kept
SQL wrong for other values, so building fails loudly instead, as it does when a placeholder does
not reach the SQL as a parameter at all.
"""

import datetime
import threading
from collections.abc import Callable
from typing import Any

import psycopg
from django.db import DatabaseError, connections
from django.db.models import QuerySet

# Pairs of values that no caller passes: ids are positive, and nothing happens in 1901.
PLACEHOLDER_ID = (-190_101_010_101, -190_101_010_102)
PLACEHOLDER_TIME = (
    datetime.datetime(1901, 1, 1, 1, 1, 1, 101, tzinfo=datetime.UTC),
    datetime.datetime(1901, 2, 2, 2, 2, 2, 202, tzinfo=datetime.UTC),
)


class _PreparingCursor(psycopg.Cursor):
    """Binds on the server and prepares every statement it runs (``prepare_threshold`` of the
    connection permitting: see DATABASE_PREPARED_STATEMENTS in docs/configuration.md)."""

    def execute(self, query, params=None, *, prepare=None, binary=None):
        return super().execute(query, params, prepare=True, binary=binary)


class PreparedQuery:
    """``build(**values)`` returns a ``values()`` queryset of one row; ``one(**values)`` runs
    its SQL with ``values`` in the placeholders' places and returns that row as a dict. Each
    placeholder is given as a pair of distinct values no caller passes (``PLACEHOLDER_ID``)."""

    def __init__(self, build: Callable[..., QuerySet], **placeholders: tuple[Any, Any]):
        self._build = build
        self._placeholders = placeholders
        self._compiled: tuple[str, tuple, tuple[str | None, ...]] | None = None
        self._lock = threading.Lock()

    def queryset(self, **values: Any) -> QuerySet:
        """The same query built by the ORM for ``values``: what the tests compare against."""
        return self._build(**values)

    def sql(self) -> tuple[str, tuple, tuple[str | None, ...]]:
        """The SQL, its parameters as built, and for each parameter the name of the placeholder
        it stands for (None for a constant of the query)."""
        if self._compiled is None:
            with self._lock:
                if self._compiled is None:
                    self._compiled = self._compile()
        return self._compiled

    def _compile(self) -> tuple[str, tuple, tuple[str | None, ...]]:
        builds = [
            self._build(**{name: pair[i] for name, pair in self._placeholders.items()})
            for i in (0, 1)
        ]
        (sql, params), (other_sql, other_params) = (b.query.sql_with_params() for b in builds)
        slots = tuple(self._slot_of(param, 0) for param in params)
        missing = set(self._placeholders) - set(slots)
        if missing:
            raise ValueError(f"Placeholders not passed to the SQL as parameters: {sorted(missing)}")
        expected = tuple(
            param if slot is None else self._placeholders[slot][1]
            for param, slot in zip(params, slots, strict=True)
        )
        if other_sql != sql or tuple(other_params) != expected:
            raise ValueError("The query depends on its placeholders' values beyond its parameters.")
        return sql, tuple(params), slots

    def _slot_of(self, param: Any, index: int) -> str | None:
        for name, pair in self._placeholders.items():
            if type(param) is type(pair[index]) and param == pair[index]:
                return name
        return None

    def one(self, using: str = "default", **values: Any) -> dict[str, Any]:
        if set(values) != set(self._placeholders):
            expected, given = sorted(self._placeholders), sorted(values)
            raise TypeError(f"Expected values for {expected}, got {given}")
        sql, params, slots = self.sql()
        bound = [
            param if slot is None else values[slot]
            for param, slot in zip(params, slots, strict=True)
        ]
        row, names = run_prepared(sql, bound, using=using)
        if row is None:
            raise LookupError("The prepared query found no row.")
        return dict(zip(names, row, strict=True))


def run_prepared(sql: str, params, *, using: str = "default") -> tuple[tuple | None, list[str]]:
    """The first row of ``sql`` (a read) and its column names, as a server-side prepared
    statement.

    Django checks a reused connection with a ``SELECT 1`` before the first query of each request
    (CONN_HEALTH_CHECKS), a round trip as costly as these queries. Being reads, these stand for
    that check when they come first: if one fails on a connection the server has dropped (a
    restart, an idle timeout), the connection is replaced and the read asked once more, as the
    check would have done; once one has answered, the request's other queries skip the check.
    Within a transaction the connection is Django's to check, as usual.
    """
    db = connections[using]
    stands_for_check = (
        db.connection is not None
        and db.health_check_enabled
        and not db.health_check_done
        and not db.in_atomic_block
    )
    if not stands_for_check:
        db.close_if_health_check_failed()
    try:
        found = _execute(db, sql, params)
    except DatabaseError:
        if not stands_for_check or db.is_usable():
            raise
        db.close()
        found = _execute(db, sql, params)
    if db.health_check_enabled:
        db.health_check_done = True
    return found


def _execute(db, sql: str, params) -> tuple[tuple | None, list[str]]:
    db.ensure_connection()
    db.validate_thread_sharing()
    # A server-side prepared statement: PostgreSQL plans the query once per connection (its
    # planning costs more than its execution), where Django's own cursors bind on the client
    # and have every execution planned. Wrapped as Django wraps its cursors, so that the
    # query is logged, counted and its errors translated as any other.
    with db.wrap_database_errors:
        raw = _PreparingCursor(db.connection)
    cursor = db.make_debug_cursor(raw) if db.queries_logged else db.make_cursor(raw)
    with cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
        # The columns a statement returns never change: read once (psycopg builds an object
        # per column each time the description is asked for, most of a short query's cost).
        names = _column_names.get(sql)
        if names is None:
            names = _column_names[sql] = [column.name for column in cursor.description]
    return row, names


_column_names: dict[str, list[str]] = {}
