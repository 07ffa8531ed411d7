"""Missed and late patrols raised to the lane chief: stored once, delivered once, on both stores."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from scoring.errors import NotAuthorisedError
from scoring.ingest import IngestStore
from scoring.patrol_alerts import UnknownAlertError, acknowledge, lane_alerts, raise_patrol_alerts
from scoring.rulebook import OutboxNotifier, PatrolEventKind, load_rulebook
from scoring.scorer import score_pending
from scoring.seed.dataset import Dataset
from scoring.storage import tables as t
from scoring.storage.engine import session_factory
from tests.scoring.checkins import Patroller, Recorder, at, patroller

WORKDAY = date(2017, 6, 7)  # a Wednesday
NATIONAL_DAY = date(2017, 10, 2)  # 国庆节: a public holiday, no events raised
RECEIVED_AT = datetime(2017, 10, 10, tzinfo=UTC)
NOW = datetime(2017, 10, 10, 1, tzinfo=UTC)
RULEBOOK = load_rulebook()


def _patrol_mornings(engine: Engine, who: Patroller, *days: date) -> None:
    rec = Recorder()
    rows = [r for day in days for seg in range(len(who.segments)) for r in rec.walk(who, at(day, 7, 10 * seg), seg)]
    IngestStore(engine).commit(rows, [], received_at=RECEIVED_AT)
    score_pending(engine, RULEBOOK)


def _alerts_of(engine: Engine, steward_id: int) -> list[tuple[str, str, date]]:
    a = t.PatrolAlert
    with engine.connect() as conn:
        return [tuple(r) for r in conn.execute(
            select(a.kind, a.window, a.day).where(a.steward_id == steward_id).order_by(a.day, a.due_at))]


def _lane_chiefs(engine: Engine, lane_id: int) -> list[int]:
    with engine.connect() as conn:
        return list(conn.scalars(select(t.Chief.id).where(t.Chief.lane_id == lane_id).order_by(t.Chief.id)))


def test_a_morning_patrol_without_the_evening_one_raises_one_missed_alert(seeded: Engine, longtan: Dataset) -> None:
    han = patroller(seeded, longtan, "韩险峰")  # one claimed segment, 幸福北里
    _patrol_mornings(seeded, han, WORKDAY)
    outbox = OutboxNotifier()

    raised = raise_patrol_alerts(seeded, RULEBOOK, WORKDAY, notifier=outbox, clock=lambda: NOW)

    assert _alerts_of(seeded, han.steward_id) == [("missed", "evening", WORKDAY)]
    mine = [e for e in outbox.events if e.steward_id == han.steward_id]
    assert [(e.kind, e.window) for e in mine] == [(PatrolEventKind.MISSED, "evening")]
    # Every other steward with a claim that day did nothing at all: both windows missed.
    assert raised == len(outbox.events) > 1
    with seeded.connect() as conn:
        row = conn.execute(select(t.PatrolAlert).where(t.PatrolAlert.steward_id == han.steward_id)).one()
    assert row.chief_ids == _lane_chiefs(seeded, row.lane_id) and row.chief_ids
    assert row.created_at == NOW and row.acknowledged_at is None and "晚巡" in row.message_zh


def test_raising_twice_stores_and_delivers_each_alert_once(seeded: Engine, longtan: Dataset) -> None:
    han = patroller(seeded, longtan, "韩险峰")
    _patrol_mornings(seeded, han, WORKDAY)
    outbox = OutboxNotifier()
    first = raise_patrol_alerts(seeded, RULEBOOK, WORKDAY, notifier=outbox)
    delivered = outbox.drain()

    assert raise_patrol_alerts(seeded, RULEBOOK, WORKDAY, notifier=outbox) == 0
    assert outbox.drain() == []
    with seeded.connect() as conn:
        stored = conn.scalar(select(func.count()).select_from(t.PatrolAlert))
    assert first == stored == len(delivered) == len({e.key for e in delivered})


def test_a_fresh_notifier_hears_nothing_already_raised(seeded: Engine, longtan: Dataset) -> None:
    """Idempotence is the store's, not the outbox's: a new notifier on a second run gets nothing."""
    raise_patrol_alerts(seeded, RULEBOOK, WORKDAY, notifier=OutboxNotifier())
    again = OutboxNotifier()
    assert raise_patrol_alerts(seeded, RULEBOOK, WORKDAY, notifier=again) == 0
    assert again.events == []


def test_a_public_holiday_raises_none(seeded: Engine, longtan: Dataset) -> None:
    han = patroller(seeded, longtan, "韩险峰")
    _patrol_mornings(seeded, han, NATIONAL_DAY)
    outbox = OutboxNotifier()
    assert raise_patrol_alerts(seeded, RULEBOOK, NATIONAL_DAY, notifier=outbox) == 0
    assert outbox.events == []
    assert _alerts_of(seeded, han.steward_id) == []


def test_a_day_under_way_leaves_undecided_windows_for_later(seeded: Engine, longtan: Dataset) -> None:
    han = patroller(seeded, longtan, "韩险峰")
    _patrol_mornings(seeded, han, WORKDAY)
    noon = at(WORKDAY, 12)
    early = OutboxNotifier()
    raise_patrol_alerts(seeded, RULEBOOK, WORKDAY, notifier=early, as_of=noon)
    assert _alerts_of(seeded, han.steward_id) == []  # morning done, evening not yet due
    assert {e.window for e in early.events} == {"morning"}  # the others missed their morning
    raise_patrol_alerts(seeded, RULEBOOK, WORKDAY, notifier=OutboxNotifier())
    assert _alerts_of(seeded, han.steward_id) == [("missed", "evening", WORKDAY)]


def test_a_late_evening_patrol_is_raised_as_late(seeded: Engine, longtan: Dataset) -> None:
    han = patroller(seeded, longtan, "韩险峰")
    rec = Recorder()
    rows = rec.walk(han, at(WORKDAY, 7)) + rec.walk(han, at(WORKDAY, 21, 45))  # 幸福社区's evening ends 21:30
    IngestStore(seeded).commit(rows, [], received_at=RECEIVED_AT)
    score_pending(seeded, RULEBOOK)
    raise_patrol_alerts(seeded, RULEBOOK, WORKDAY, notifier=OutboxNotifier())
    assert _alerts_of(seeded, han.steward_id) == [("late", "evening", WORKDAY)]


def test_only_a_chief_of_the_lane_acknowledges_and_again_changes_nothing(seeded: Engine, longtan: Dataset) -> None:
    han = patroller(seeded, longtan, "韩险峰")
    _patrol_mornings(seeded, han, WORKDAY)
    raise_patrol_alerts(seeded, RULEBOOK, WORKDAY, notifier=OutboxNotifier())
    with session_factory(seeded)() as s:
        (alert,) = [a for a in lane_alerts(s, _lane_of(s, han.steward_id), WORKDAY) if a.steward_id == han.steward_id]
        chief = alert.chief_ids[0]
        other = s.scalar(select(t.Chief.id).where(t.Chief.lane_id != alert.lane_id, t.Chief.lane_id.is_not(None))
                         .limit(1))
        assert other is not None
        with pytest.raises(NotAuthorisedError):
            acknowledge(s, alert.id, other, now=NOW)
        with pytest.raises(UnknownAlertError):
            acknowledge(s, 987654, chief, now=NOW)
        done = acknowledge(s, alert.id, chief, now=NOW)
        later = datetime(2017, 10, 11, tzinfo=UTC)
        assert acknowledge(s, alert.id, chief, now=later).acknowledged_at == done.acknowledged_at == NOW
        s.commit()
        open_ = lane_alerts(s, alert.lane_id)
        assert alert.id not in {a.id for a in open_}


def _lane_of(session: Session, steward_id: int) -> int:
    lane_id = session.scalar(select(t.PatrolAlert.lane_id).where(t.PatrolAlert.steward_id == steward_id).limit(1))
    assert lane_id is not None
    return lane_id
