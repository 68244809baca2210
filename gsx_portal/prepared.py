"""A query whose SQL the ORM builds once per process, run with new values for its parameters.

Some queries run on every request and cost more to build than to execute: the header's counts on
every signed-in page are eight subqueries, whose building took about 7 ms of CPU per page while
PostgreSQL answers them in well under one. Such a query is written once with the ORM as usual,
in a function of its few varying values (a user's id, the time). ``PreparedQuery`` calls that
function once with *placeholder* values, keeps the SQL and the position of each placeholder
among the parameters, and then only swaps the real values in. The SQL is the ORM's own, so the
query means exactly what the function says; a test runs both and compares.

Placeholders are values no real call can pass (a negative id, a date in 1901), so a parameter
equal to one can only have come from it. Building fails loudly if a placeholder does not reach
the SQL as a parameter of its own (the ORM folded it into something else), rather than run a
query that would ignore the real value.
"""

import datetime
import threading
from collections.abc import Callable
from typing import Any

from django.db import connections
from django.db.models import QuerySet

# Values that no caller passes: ids are positive, and nothing happens in 1901.
PLACEHOLDER_ID = -190_101_010_101
PLACEHOLDER_TIME = datetime.datetime(1901, 1, 1, 1, 1, 1, 101, tzinfo=datetime.UTC)


class PreparedQuery:
    """``build(**placeholders)`` returns a ``values()`` queryset of one row; ``one(**values)``
    runs its SQL with ``values`` in the placeholders' places and returns that row as a dict."""

    def __init__(self, build: Callable[..., QuerySet], **placeholders: Any):
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
        queryset = self._build(**self._placeholders)
        sql, params = queryset.query.sql_with_params()
        slots = tuple(self._slot_of(param) for param in params)
        missing = set(self._placeholders) - set(slots)
        if missing:
            raise ValueError(f"Placeholders not passed to the SQL as parameters: {sorted(missing)}")
        return sql, tuple(params), slots

    def _slot_of(self, param: Any) -> str | None:
        for name, placeholder in self._placeholders.items():
            if type(param) is type(placeholder) and param == placeholder:
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
        with connections[using].cursor() as cursor:
            cursor.execute(sql, bound)
            row = cursor.fetchone()
            names = [column.name for column in cursor.description]
        if row is None:
            raise LookupError("The prepared query found no row.")
        return dict(zip(names, row, strict=True))
