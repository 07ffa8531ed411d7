"""Batched writes for the ingest path, one implementation per dialect.

PostgreSQL: binary COPY into a session-local staging table, then one INSERT … SELECT … ON CONFLICT DO
NOTHING RETURNING into the hypertable — the dedupe happens in the database, under its unique index, so
two gateways racing on one record cannot both store it. SQLite: the same statement shape through
executemany. Both run inside the caller's transaction.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import TYPE_CHECKING, Final

from sqlalchemy import Connection
from sqlalchemy.dialects import postgresql, sqlite

from scoring.storage import tables as t

if TYPE_CHECKING:
    from scoring.ingest import CheckInRow, RecordKey, RefusalRow

CHECKIN_COLUMNS: Final = (
    "band_id", "boot", "seq", "event_at", "kind", "checkpoint_id", "beacon_token",
    "rssi_dbm", "battery_pct", "detail", "steward_id", "received_at",
)
_PG_COPY_TYPES: Final = (
    "int8", "int8", "int8", "timestamptz", "int2", "int4", "bytea", "int2", "int2", "int4", "int4", "timestamptz",
)
_COLS: Final = ", ".join(CHECKIN_COLUMNS)


def insert_checkins(conn: Connection, rows: Sequence[CheckInRow], received_at: datetime) -> set[RecordKey]:
    """Insert rows that are not stored yet; returns the keys actually inserted."""
    if not rows:
        return set()
    if conn.dialect.name == "postgresql":
        return _pg_insert_checkins(conn, rows, received_at)
    return _generic_insert_checkins(conn, rows, received_at)


def _pg_insert_checkins(conn: Connection, rows: Sequence[CheckInRow], received_at: datetime) -> set[RecordKey]:
    driver = conn.connection.driver_connection
    assert driver is not None
    with driver.cursor() as cur:
        # ON COMMIT DELETE ROWS: the staging table is empty at the start of every transaction.
        cur.execute(
            "CREATE TEMP TABLE IF NOT EXISTS checkin_staging (LIKE checkins INCLUDING DEFAULTS) ON COMMIT DELETE ROWS"
        )
        with cur.copy(f"COPY checkin_staging ({_COLS}) FROM STDIN (FORMAT BINARY)") as copy:
            copy.set_types(_PG_COPY_TYPES)
            for r in rows:
                copy.write_row((
                    r.band_id, r.boot, r.seq, r.event_at, r.kind, r.checkpoint_id, r.beacon_token,
                    r.rssi_dbm, r.battery_pct, r.detail, r.steward_id, received_at,
                ))
        cur.execute(
            f"INSERT INTO checkins ({_COLS}) SELECT {_COLS} FROM checkin_staging "
            "ON CONFLICT DO NOTHING RETURNING band_id, boot, seq"
        )
        return {(b, bo, s) for b, bo, s in cur.fetchall()}


def _generic_insert_checkins(conn: Connection, rows: Sequence[CheckInRow], received_at: datetime) -> set[RecordKey]:
    table = t.CheckIn.__table__
    stmt = sqlite.insert(table).on_conflict_do_nothing().returning(table.c.band_id, table.c.boot, table.c.seq)
    params = [
        dict(
            band_id=r.band_id, boot=r.boot, seq=r.seq, event_at=r.event_at, kind=r.kind,
            checkpoint_id=r.checkpoint_id, beacon_token=r.beacon_token, rssi_dbm=r.rssi_dbm,
            battery_pct=r.battery_pct, detail=r.detail, steward_id=r.steward_id, received_at=received_at,
        )
        for r in rows
    ]
    return {(b, bo, s) for b, bo, s in conn.execute(stmt, params)}


def insert_quarantine(conn: Connection, refusals: Iterable[RefusalRow], received_at: datetime) -> None:
    conn.execute(
        t.Quarantine.__table__.insert(),
        [
            dict(
                received_at=received_at, reason=r.reason.value, detail=r.detail, topic=r.topic,
                band_id=r.band_id, boot=r.boot, seq=r.seq, event_at=r.event_at, payload=r.payload,
            )
            for r in refusals
        ],
    )


def insert_backlog(conn: Connection, pairs: Iterable[tuple[int, date]]) -> None:
    table = t.ScoringBacklog.__table__
    dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
    conn.execute(
        dialect.insert(table).on_conflict_do_nothing(),
        [dict(steward_id=s, day=d) for s, d in sorted(pairs)],
    )
