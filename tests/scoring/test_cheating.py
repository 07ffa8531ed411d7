"""A corpus of cheating, on both stores: none of it earns points, and each trick the scorer can see raises a flag.

Two tricks never reach the scorer. A replayed record is refused at ingest (kept in quarantine as
`replay`, asserted here). A stale or copied beacon token is refused by the gateway's verifier before
ingest (`RefusalReason.TOKEN_STALE`, `WRONG_BEACON`, `BAD_TOKEN`: tests/gateway/test_verify.py, cases
"stale-token" and "another-beacons-token", and tests/integration/test_ble.py over the radio).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import Engine, func, select

from scoring.checkins import CheckInRow, RefusalReason
from scoring.ingest import IngestStore
from scoring.rulebook import FlagKind
from scoring.scorer import score_pending
from scoring.seed.dataset import Dataset
from scoring.storage import tables as t
from tests.scoring.checkins import Patroller, Recorder, at, patroller

DAY = date(2017, 6, 6)
RECEIVED_AT = datetime(2017, 6, 7, tzinfo=UTC)


def _points(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(conn.scalar(select(func.coalesce(func.sum(t.PointsEntry.points), 0))) or 0)


def _flag_kinds(engine: Engine) -> set[str]:
    with engine.connect() as conn:
        return set(conn.scalars(select(t.IntegrityFlag.kind).where(t.IntegrityFlag.lapsed_at.is_(None))))


def teleport(p: Patroller, rec: Recorder) -> list[CheckInRow]:
    """Both ends of 福光路's first stretch (about 92 m) five seconds apart: a copied beacon, not a walk."""
    first, last = p.segments[0]
    return [rec.row(p, at(DAY, 7), first), rec.row(p, at(DAY, 7, 0, 5), last)]


def scan_storm(p: Patroller, rec: Recorder) -> list[CheckInRow]:
    """Twelve check-ins at one checkpoint within 24 seconds."""
    return [rec.row(p, at(DAY, 7) + timedelta(seconds=2 * i), p.segments[0][0]) for i in range(12)]


def patrol_faster_than_walking(p: Patroller, rec: Recorder) -> list[CheckInRow]:
    """The whole stretch in 20 seconds: too fast to walk (2 m/s), too slow to be a teleport (8 m/s)."""
    first, last = p.segments[0]
    return [rec.row(p, at(DAY, 7), first), rec.row(p, at(DAY, 7, 0, 20), last)]


CHEATS: dict[str, tuple[Callable[[Patroller, Recorder], list[CheckInRow]], FlagKind]] = {
    "teleport": (teleport, FlagKind.TELEPORT),
    "scan-storm": (scan_storm, FlagKind.SCAN_STORM),
    "patrol-faster-than-walking": (patrol_faster_than_walking, FlagKind.PATROL_TOO_FAST),
}


@pytest.mark.parametrize("cheat", sorted(CHEATS))
def test_a_cheat_earns_no_points_and_raises_a_flag(seeded: Engine, longtan: Dataset, cheat: str) -> None:
    make, kind = CHEATS[cheat]
    zhao = patroller(seeded, longtan, "赵云华")
    IngestStore(seeded).commit(make(zhao, Recorder()), [], received_at=RECEIVED_AT)
    score_pending(seeded)
    assert _points(seeded) == 0
    assert kind.value in _flag_kinds(seeded)
    with seeded.connect() as conn:  # withheld, never deleted
        assert conn.scalar(select(func.count()).select_from(t.CheckIn)) == len(make(zhao, Recorder()))


def test_an_honest_walk_of_the_same_stretch_earns_points_and_no_flag(seeded: Engine, longtan: Dataset) -> None:
    zhao = patroller(seeded, longtan, "赵云华")
    IngestStore(seeded).commit(Recorder().walk(zhao, at(DAY, 7), 0, step_seconds=90), [], received_at=RECEIVED_AT)
    score_pending(seeded)
    assert _points(seeded) == 2 + 5
    assert _flag_kinds(seeded) == set()


def test_a_replay_is_quarantined_and_earns_nothing_more(seeded: Engine, longtan: Dataset) -> None:
    zhao = patroller(seeded, longtan, "赵云华")
    walk = Recorder().walk(zhao, at(DAY, 7), 0)
    store = IngestStore(seeded)
    store.commit(walk, [], received_at=RECEIVED_AT)
    score_pending(seeded)
    earned = _points(seeded)
    again = store.commit(walk, [], received_at=RECEIVED_AT + timedelta(hours=1))
    assert again.stored == 0 and len(again.replayed) == len(walk)
    report = score_pending(seeded)
    assert report.entries_added == 0 and _points(seeded) == earned == 7
    with seeded.connect() as conn:
        assert set(conn.scalars(select(t.Quarantine.reason))) == {RefusalReason.REPLAY.value}
