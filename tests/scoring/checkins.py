"""Check-ins for the scorer's tests: a steward's band, claimed checkpoints in position order, records."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone

from sqlalchemy import Engine, delete, select

from scoring.checkins import CheckInKind, CheckInRow
from scoring.seed.dataset import Dataset
from scoring.storage import tables as t
from scoring.storage.engine import session_factory

BJ = timezone(timedelta(hours=8))
DERIVED_TABLES = (t.IntegrityAction, t.IntegrityFlag, t.PointsEntry, t.ScoringState, t.ScoringBacklog, t.Quarantine,
                  t.CheckIn)


@dataclass(frozen=True)
class Patroller:
    """A steward with their band and the checkpoints of each claimed segment, in position order."""

    name: str
    steward_id: int
    band_id: int
    segments: tuple[tuple[int, ...], ...]  # checkpoint ids per claimed segment

    @property
    def checkpoints(self) -> tuple[int, ...]:
        return tuple(cp for seg in self.segments for cp in seg)


def patroller(engine: Engine, data: Dataset, name: str) -> Patroller:
    steward = next(s for s in data.stewards if s.name == name)
    with session_factory(engine)() as s:
        steward_id = s.scalar(select(t.Steward.id).where(t.Steward.key == steward.key))
        segments = tuple(
            tuple(s.scalars(select(t.Checkpoint.id).join(t.Segment).where(t.Segment.key == claim.segment_key)
                            .order_by(t.Checkpoint.position_m)).all())
            for claim in data.claims_of(steward.key)
        )
    assert steward_id is not None
    return Patroller(name, steward_id, data.band_of(steward.key).band_id, segments)


@dataclass
class Recorder:
    """Makes check-in rows with a fresh sequence number per band, as a band would."""

    next_seq: dict[int, int] = field(default_factory=dict)

    def row(self, who: Patroller, at: datetime, checkpoint_id: int) -> CheckInRow:
        seq = self.next_seq.get(who.band_id, 1)
        self.next_seq[who.band_id] = seq + 1
        return CheckInRow(who.band_id, 0, seq, at, CheckInKind.PATROL_CHECKIN, checkpoint_id, b"\x00" * 8, -60, 80, 0,
                          who.steward_id)

    def walk(self, who: Patroller, start: datetime, segment: int = 0, step_seconds: int = 90) -> list[CheckInRow]:
        """One honest pass over a claimed segment, a walk of `step_seconds` between checkpoints."""
        return [self.row(who, start + timedelta(seconds=i * step_seconds), cp)
                for i, cp in enumerate(who.segments[segment])]


def at(day: date, hh: int, mm: int = 0, ss: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hh, mm, ss, tzinfo=BJ)


def clear_scoring(engine: Engine) -> None:
    """Remove check-ins and everything derived from them; the registry stays."""
    with engine.begin() as conn:
        for table in DERIVED_TABLES:
            conn.execute(delete(table))
