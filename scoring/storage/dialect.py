"""Every difference between PostgreSQL and SQLite that the code above storage must know about.

Callers ask questions of a connection, a session or an engine (`is_postgres`) or build a statement
here (`insert_skipping_duplicates`, `skip_locked`, `lock_rows`); no other module compares a dialect's
name. Both dialects run every query; only how they say it differs.
"""

from __future__ import annotations

from typing import Any, Final, TypeVar

from sqlalchemy import Connection, Engine, Select, Table
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import Session
from sqlalchemy.sql.dml import Insert

POSTGRESQL: Final = "postgresql"
SQLITE: Final = "sqlite"

Bind = Connection | Engine | Session | Dialect
_S = TypeVar("_S", bound=Select[Any])


def dialect_of(bind: Bind) -> Dialect:
    if isinstance(bind, Dialect):
        return bind
    if isinstance(bind, Session):
        return bind.get_bind().dialect
    return bind.dialect


def is_postgres(bind: Bind) -> bool:
    return dialect_of(bind).name == POSTGRESQL


def is_sqlite(bind: Bind) -> bool:
    return dialect_of(bind).name == SQLITE


def insert_skipping_duplicates(bind: Bind, table: Table, index_elements: list[str] | None = None) -> Insert:
    """INSERT … ON CONFLICT DO NOTHING, on the unique index of `index_elements` (any unique index if
    None): the rows another writer stored first are skipped, not an error. Both dialects take RETURNING."""
    insert = postgresql.insert if is_postgres(bind) else sqlite.insert
    return insert(table).on_conflict_do_nothing(index_elements=index_elements)


def skip_locked(bind: Bind, query: _S) -> _S:
    """On PostgreSQL, rows another transaction holds are skipped, so two workers share a queue and never
    take the same rows. SQLite has one writer at a time and no row locks: the query as it is."""
    if is_postgres(bind):
        return query.with_for_update(skip_locked=True)
    return query


def lock_rows(bind: Bind, query: _S) -> _S | None:
    """On PostgreSQL, the query with FOR UPDATE: it waits for the rows' other holders. SQLite serialises
    writers itself, so there is nothing to lock: None."""
    if is_postgres(bind):
        return query.with_for_update()
    return None
