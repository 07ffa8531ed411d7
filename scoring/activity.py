"""Patrol activity over time — check-ins and active stewards per hour or day — for dashboards.

On TimescaleDB the buckets are TimescaleDB's `time_bucket` in the programme's zone, which uses the
hypertable's time partitioning; on plain PostgreSQL `date_trunc`; on SQLite the same buckets by date
functions on the stored UTC text. All three give the same answer; a test holds them to it.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import bindparam, text
from sqlalchemy.orm import Session

from scoring.checkins import CheckInKind
from scoring.periods import PROGRAMME_TZ, Period
from scoring.storage.dialect import is_postgres
from scoring.storage.types import UtcDateTime


class Bucket(enum.StrEnum):
    HOUR = "hour"
    DAY = "day"


@dataclass(frozen=True, slots=True)
class ActivityPoint:
    starts_at: datetime  # the bucket's first instant, aware UTC
    checkins: int
    stewards: int


_FILTERS = """
    FROM checkins c {lane_join}
    WHERE c.event_at >= :start AND c.event_at < :end AND c.kind = :kind {lane_where}
"""
_LANE_JOIN = "JOIN checkpoints cp ON cp.id = c.checkpoint_id JOIN segments sg ON sg.id = cp.segment_id"


def activity(session: Session, period: Period, bucket: Bucket, *, lane_id: int | None = None,
             timescale: bool = False, limit: int | None = None, offset: int = 0) -> list[ActivityPoint]:
    """The buckets with any check-in, earliest first; `limit` and `offset` window them."""
    if is_postgres(session):
        key = (
            f"time_bucket(INTERVAL '1 {bucket.value}', c.event_at, '{PROGRAMME_TZ.key}')" if timescale
            else f"date_trunc('{bucket.value}', c.event_at AT TIME ZONE '{PROGRAMME_TZ.key}')"
            f" AT TIME ZONE '{PROGRAMME_TZ.key}'"
        )
    else:
        pattern = "%Y-%m-%d %H:00:00" if bucket is Bucket.HOUR else "%Y-%m-%d 00:00:00"
        key = f"strftime('{pattern}', c.event_at, '+8 hours')"  # the programme's zone: UTC+8, no DST
    filters = _FILTERS.format(
        lane_join=_LANE_JOIN if lane_id is not None else "",
        lane_where="AND sg.lane_id = :lane_id" if lane_id is not None else "",
    )
    query = text(
        f"SELECT {key} AS bucket, count(*), count(DISTINCT c.steward_id) {filters} GROUP BY 1 ORDER BY 1"
        + (" LIMIT :limit OFFSET :offset" if limit is not None else "")
    ).bindparams(bindparam("start", type_=UtcDateTime()), bindparam("end", type_=UtcDateTime()))
    rows = session.execute(
        query,
        {"start": period.starts_at(), "end": period.ends_at(), "kind": int(CheckInKind.PATROL_CHECKIN),
         "lane_id": lane_id, "limit": limit, "offset": offset},
    ).all()
    return [ActivityPoint(_bucket_start(b), int(n), int(s)) for b, n, s in rows]


def _bucket_start(value: object) -> datetime:
    if isinstance(value, str):  # SQLite: local wall-clock text
        local = datetime.fromisoformat(value).replace(tzinfo=PROGRAMME_TZ)
        return local.astimezone(UTC)
    assert isinstance(value, datetime)
    return value.astimezone(UTC) if value.tzinfo else value.replace(tzinfo=UTC)

