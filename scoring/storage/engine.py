"""Engines and sessions for the two stores: PostgreSQL/TimescaleDB, and SQLite for the embedded default."""

from __future__ import annotations

import logging
from typing import Any, Final

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker

from scoring.storage.dialect import is_postgres

log = logging.getLogger(__name__)

SQLITE_BUSY_TIMEOUT_MS: Final = 30_000  # the API reads while the gateway writes; wait rather than fail


def make_engine(url: str, **kwargs: Any) -> Engine:
    """An engine for `url`, with the per-dialect settings the project relies on."""
    # A failed statement's text reaches the logs; its values (usernames, names, where a steward was) must not.
    kwargs.setdefault("hide_parameters", True)
    if url.startswith("sqlite"):
        engine = create_engine(url, **kwargs)
        event.listen(engine, "connect", _sqlite_on_connect)
        return engine
    kwargs.setdefault("pool_pre_ping", True)  # a restarted database leaves dead pooled connections
    return create_engine(url, **kwargs)


def _sqlite_on_connect(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    # WAL lets the API read while the gateway writes; NORMAL is durable across application crashes.
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)


def is_timescale(engine: Engine) -> bool:
    """True when the database has the timescaledb extension installed."""
    if not is_postgres(engine):
        return False
    with engine.connect() as conn:
        return conn.exec_driver_sql("SELECT 1 FROM pg_extension WHERE extname = 'timescaledb'").first() is not None
