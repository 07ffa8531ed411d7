"""Batched writes for the ingest path, one implementation per dialect.

PostgreSQL: binary COPY straight into the hypertable under a savepoint; if the unique index refuses a
row (a replay, or another gateway storing the same record first), roll back to the savepoint and take
the slow path: COPY into a session-local staging table, then INSERT … SELECT … ON CONFLICT DO NOTHING
RETURNING. Either way the dedupe is the database's unique index, so two gateways racing on one record
cannot both store it. SQLite: INSERT … ON CONFLICT DO NOTHING RETURNING through executemany. All of it
runs inside the caller's transaction.
"""

from __future__ import annotations

import struct
from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Any, Final

import psycopg
from sqlalchemy import Connection

from scoring.checkins import CheckInRow, RecordKey, RefusalRow
from scoring.storage import tables as t
from scoring.storage.dialect import insert_skipping_duplicates, is_postgres

CHECKIN_COLUMNS: Final = (
    "band_id", "boot", "seq", "event_at", "kind", "checkpoint_id", "beacon_token",
    "rssi_dbm", "battery_pct", "detail", "steward_id", "received_at",
)
_COLS: Final = ", ".join(CHECKIN_COLUMNS)
_STAGED_COLS: Final = ", ".join(f"s.{c}" for c in CHECKIN_COLUMNS)


def insert_checkins(conn: Connection, rows: Sequence[CheckInRow], received_at: datetime) -> set[RecordKey]:
    """Insert rows that are not stored yet; returns the keys that were stored already (usually none)."""
    if not rows:
        return set()
    if is_postgres(conn):
        return _pg_insert_checkins(conn, rows, received_at)
    return _generic_insert_checkins(conn, rows, received_at)


def _pg_insert_checkins(conn: Connection, rows: Sequence[CheckInRow], received_at: datetime) -> set[RecordKey]:
    driver = conn.connection.driver_connection
    assert driver is not None
    with driver.cursor() as cur:
        # Fast path: most batches hold no key stored yet, so COPY the keys, then the rows straight into
        # the hypertable. A savepoint keeps the outer transaction usable if one is a replay after all.
        cur.execute("SAVEPOINT checkins_copy")
        try:
            _copy_keys(cur, rows)
            _copy_rows(cur, "checkins", rows, received_at)
        except psycopg.errors.UniqueViolation:
            cur.execute("ROLLBACK TO SAVEPOINT checkins_copy")
        else:
            cur.execute("RELEASE SAVEPOINT checkins_copy")
            return set()
        # Slow path: stage, let the key table decide which rows are new, and store only those.
        cur.execute(
            "CREATE TEMP TABLE IF NOT EXISTS checkin_staging (LIKE checkins INCLUDING DEFAULTS) ON COMMIT DELETE ROWS"
        )
        _copy_rows(cur, "checkin_staging", rows, received_at)
        cur.execute(
            "WITH new_keys AS (INSERT INTO checkin_keys (band_id, boot, seq) "
            "SELECT band_id, boot, seq FROM checkin_staging ON CONFLICT DO NOTHING RETURNING band_id, boot, seq) "
            f"INSERT INTO checkins ({_COLS}) SELECT {_STAGED_COLS} FROM checkin_staging s "
            "JOIN new_keys k ON (s.band_id, s.boot, s.seq) = (k.band_id, k.boot, k.seq) "
            "ON CONFLICT DO NOTHING RETURNING band_id, boot, seq"
        )
        inserted = {(b, bo, s) for b, bo, s in cur.fetchall()}
    return {key for r in rows if (key := (r.band_id, r.boot, r.seq)) not in inserted}


# PostgreSQL's binary COPY: a header, then per row a field count and (length, value) per field, then -1.
# Every field of a check-in has a fixed size (the beacon token is always 8 bytes on the wire), so one
# precompiled Struct packs a whole row: several times faster than dumping field by field.
_COPY_HEADER: Final = b"PGCOPY\n\xff\r\n\x00" + struct.pack(">ii", 0, 0)
_COPY_TRAILER: Final = struct.pack(">h", -1)
_COPY_ROW: Final = struct.Struct(">h" + "iq" * 4 + "ih" + "ii" + "i8s" + "ih" * 2 + "ii" * 2 + "iq")
_PG_EPOCH: Final = datetime(2000, 1, 1, tzinfo=UTC)
_ONE_MICROSECOND: Final = timedelta(microseconds=1)
BEACON_TOKEN_BYTES: Final = 8


_COPY_KEY: Final = struct.Struct(">h" + "iq" * 3)


def _copy_keys(cur: psycopg.Cursor[Any], rows: Sequence[CheckInRow]) -> None:
    pack = _COPY_KEY.pack
    buffer = bytearray(_COPY_HEADER)
    for r in rows:
        buffer += pack(3, 8, r.band_id, 8, r.boot, 8, r.seq)
    buffer += _COPY_TRAILER
    with cur.copy("COPY checkin_keys (band_id, boot, seq) FROM STDIN (FORMAT BINARY)") as copy:
        copy.write(buffer)


def _copy_rows(cur: psycopg.Cursor[Any], table: str, rows: Sequence[CheckInRow], received_at: datetime) -> None:
    with cur.copy(f"COPY {table} ({_COLS}) FROM STDIN (FORMAT BINARY)") as copy:
        copy.write(copy_buffer(rows, received_at))


def copy_buffer(rows: Sequence[CheckInRow], received_at: datetime) -> bytearray:
    """The whole binary COPY stream for `rows`."""
    pack = _COPY_ROW.pack
    received_us = (received_at - _PG_EPOCH) // _ONE_MICROSECOND
    buffer = bytearray(_COPY_HEADER)
    for r in rows:
        if len(r.beacon_token) != BEACON_TOKEN_BYTES:
            raise ValueError(f"beacon token of {r.key} is {len(r.beacon_token)} bytes, not {BEACON_TOKEN_BYTES}")
        buffer += pack(
            12, 8, r.band_id, 8, r.boot, 8, r.seq, 8, (r.event_at - _PG_EPOCH) // _ONE_MICROSECOND,
            2, r.kind, 4, r.checkpoint_id, 8, r.beacon_token, 2, r.rssi_dbm, 2, r.battery_pct,
            4, r.detail, 4, r.steward_id, 8, received_us,
        )
    buffer += _COPY_TRAILER
    return buffer


def _generic_insert_checkins(conn: Connection, rows: Sequence[CheckInRow], received_at: datetime) -> set[RecordKey]:
    keys = t.CheckInKey.__table__
    taken = insert_skipping_duplicates(conn, keys).returning(keys.c.band_id, keys.c.boot, keys.c.seq)
    new_keys = {(b, bo, s) for b, bo, s in conn.execute(taken, [dict(band_id=r.band_id, boot=r.boot, seq=r.seq)
                                                                 for r in rows])}
    table = t.CheckIn.__table__
    stmt = insert_skipping_duplicates(conn, table).returning(table.c.band_id, table.c.boot, table.c.seq)
    params = [
        dict(
            band_id=r.band_id, boot=r.boot, seq=r.seq, event_at=r.event_at, kind=r.kind,
            checkpoint_id=r.checkpoint_id, beacon_token=r.beacon_token, rssi_dbm=r.rssi_dbm,
            battery_pct=r.battery_pct, detail=r.detail, steward_id=r.steward_id, received_at=received_at,
        )
        for r in rows if (r.band_id, r.boot, r.seq) in new_keys
    ]
    inserted = {(b, bo, s) for b, bo, s in conn.execute(stmt, params)} if params else set()
    return {key for r in rows if (key := (r.band_id, r.boot, r.seq)) not in inserted}


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
    conn.execute(
        insert_skipping_duplicates(conn, table),
        [dict(steward_id=s, day=d) for s, d in sorted(pairs)],
    )
