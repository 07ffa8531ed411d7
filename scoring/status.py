"""What the store holds, for health checks and the demo's summary."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from scoring.storage import tables as t


@dataclass(frozen=True, slots=True)
class StoreStatus:
    checkins: int
    quarantined: int
    quarantined_by_reason: dict[str, int]
    last_event_at: datetime | None
    points_entries: int


def store_status(session: Session) -> StoreStatus:
    reasons = Counter(
        {reason: n for reason, n in session.execute(
            select(t.Quarantine.reason, func.count()).group_by(t.Quarantine.reason)
        )}
    )
    return StoreStatus(
        checkins=session.scalar(select(func.count()).select_from(t.CheckIn)) or 0,
        quarantined=sum(reasons.values()),
        quarantined_by_reason=dict(sorted(reasons.items())),
        last_event_at=session.scalar(select(func.max(t.CheckIn.event_at))),
        points_entries=session.scalar(select(func.count()).select_from(t.PointsEntry)) or 0,
    )


def latest_points_day(session: Session) -> date | None:
    """The last local day with any points, or None: the natural default period for a leaderboard."""
    return session.scalar(select(func.max(t.PointsEntry.day)))
