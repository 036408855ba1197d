"""INSERT ... ON CONFLICT DO UPDATE for SQLite and PostgreSQL alike (both speak it): an upsert,
and a counter."""

from __future__ import annotations

from functools import cache
from typing import Any

from sqlalchemy import Table
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session


@cache
def _statement(
    dialect_name: str, table: Table, columns: tuple[str, ...], keys: tuple[str, ...], newer_than: str | None
) -> Any:
    # built once per shape: constructing ON CONFLICT clauses is far costlier than running them
    dialect = sqlite if dialect_name == "sqlite" else postgresql
    statement = dialect.insert(table)
    where = table.c[newer_than] < statement.excluded[newer_than] if newer_than else None
    return statement.on_conflict_do_update(
        index_elements=[table.c[k] for k in keys],
        set_={c: statement.excluded[c] for c in columns if c not in keys},
        where=where,
    )


def upsert(
    session: Session, table: Table, values: dict[str, Any], keys: list[str], newer_than: str | None = None
) -> None:
    """Insert ``values``, or update the row with the same ``keys``. With ``newer_than`` (a
    column), an existing row is only replaced by a later value: concurrent or out-of-order
    deliveries leave the latest, whatever order they commit in."""
    statement = _statement(
        session.get_bind().dialect.name, table, tuple(sorted(values)), tuple(keys), newer_than
    )
    session.execute(statement, values)


@cache
def _counter(dialect_name: str, table: Table, key: str, column: str) -> Any:
    dialect = sqlite if dialect_name == "sqlite" else postgresql
    statement = dialect.insert(table)
    return statement.on_conflict_do_update(
        index_elements=[table.c[key]], set_={column: table.c[column] + 1}
    ).returning(table.c[column])


def increment(session: Session, table: Table, key: str, value: Any, column: str) -> int:
    """The counter ``column`` of the row whose ``key`` is ``value``: created at 1, or raised by
    one — in ONE statement, so concurrent callers queue on the row's lock and each gets its own
    number. (Reading the row and inserting it when missing let two first callers race on
    PostgreSQL: the loser's insert failed — a 500 to a user.)"""
    statement = _counter(session.get_bind().dialect.name, table, key, column)
    return int(session.execute(statement, {key: value, column: 1}).scalar_one())
