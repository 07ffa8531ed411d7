"""Ingest, scoring and the ledger on both stores: SQLite and TimescaleDB."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, func, select, text

from scoring.checkins import CheckInKind, CheckInRow, RefusalReason
from scoring.ingest import IngestStore
from scoring.ledger.leaderboard import Scope, ScopeKind, leaderboard
from scoring.periods import PeriodKind, local_day, period_containing
from scoring.rulebook import load_rulebook
from scoring.scorer import rescore_all, score_pending
from scoring.seed.dataset import Dataset
from scoring.storage import tables as t
from scoring.storage.engine import is_timescale, session_factory

BJ = timezone(timedelta(hours=8))


def _segment_visits(engine: Engine, data: Dataset, steward_name: str, at: datetime) -> list[CheckInRow]:
    """Check-ins at every checkpoint of the steward's first claimed segment, a minute apart."""
    steward = next(s for s in data.stewards if s.name == steward_name)
    band = data.band_of(steward.key)
    seg_key = data.claims_of(steward.key)[0].segment_key
    with session_factory(engine)() as s:
        steward_id = s.scalar(select(t.Steward.id).where(t.Steward.key == steward.key))
        cps = s.scalars(
            select(t.Checkpoint.id).join(t.Segment).where(t.Segment.key == seg_key).order_by(t.Checkpoint.position_m)
        ).all()
    return [
        CheckInRow(band.band_id, 0, i + 1, at + timedelta(minutes=i), CheckInKind.PATROL_CHECKIN, cp, b"\x00" * 8,
                   -60, 80, 0, steward_id)
        for i, cp in enumerate(cps)
    ]


def test_migrations_match_the_models(seeded: Engine) -> None:
    with seeded.connect() as conn:
        assert compare_metadata(MigrationContext.configure(conn), t.Base.metadata) == []


def test_checkins_are_a_hypertable_on_timescaledb(seeded: Engine) -> None:
    if seeded.dialect.name == "sqlite":
        assert not is_timescale(seeded)
        return
    assert is_timescale(seeded)
    with seeded.connect() as conn:
        names = conn.execute(text("SELECT hypertable_name FROM timescaledb_information.hypertables")).scalars().all()
    assert names == ["checkins"]


def test_a_record_is_stored_once_and_its_replay_quarantined(seeded: Engine, longtan: Dataset) -> None:
    store = IngestStore(seeded)
    rows = _segment_visits(seeded, longtan, "赵云华", datetime(2017, 6, 5, 7, 0, tzinfo=BJ))
    now = datetime(2017, 6, 5, 8, 0, tzinfo=UTC)
    first = store.commit(rows, [], received_at=now)
    again = store.commit(rows + rows[:1], [], received_at=now)
    assert first.stored == len(rows) and not first.replayed
    assert again.stored == 0 and again.replayed == {r.key for r in rows} and again.repeated == 1
    assert again.duplicates == len(rows) + 1
    with session_factory(seeded)() as s:
        assert s.scalar(select(func.count()).select_from(t.CheckIn)) == len(rows)
        reasons = s.scalars(select(t.Quarantine.reason)).all()
    assert reasons == [RefusalReason.REPLAY.value] * (len(rows) + 1)


def test_a_key_reused_with_another_event_time_is_a_replay_not_a_second_record(seeded: Engine,
                                                                               longtan: Dataset) -> None:
    """(band, boot, seq) names one record: the hypertable's key includes event_at, the key table does not."""
    store = IngestStore(seeded)
    rows = _segment_visits(seeded, longtan, "赵云华", datetime(2017, 6, 5, 7, 0, tzinfo=BJ))
    now = datetime(2017, 6, 5, 8, 0, tzinfo=UTC)
    store.commit(rows[:1], [], received_at=now)
    moved = rows[0]._replace(event_at=rows[0].event_at + timedelta(minutes=30))
    for batch in ([moved], [moved, *rows[1:]]):  # alone (the fast path), and beside new rows (the slow one)
        again = store.commit(batch, [], received_at=now)
        assert again.replayed == {moved.key}
    assert again.stored == len(rows) - 1
    with session_factory(seeded)() as s:
        stored = s.execute(select(t.CheckIn.seq, t.CheckIn.event_at).order_by(t.CheckIn.seq)).all()
        keys = s.scalar(select(func.count()).select_from(t.CheckInKey))
    assert [(seq, at) for seq, at in stored] == [(r.seq, r.event_at) for r in rows]  # the first event time kept
    assert keys == len(rows)


def test_the_keys_already_stored_are_carried_into_the_key_table(engine: Engine) -> None:
    from scoring.storage.migrate import upgrade

    upgrade(engine, "0005")  # the schema before checkin_keys, with two records stored in it
    at = datetime(2017, 6, 5, 7, 0, tzinfo=UTC)
    with engine.begin() as conn:
        conn.execute(t.CheckIn.__table__.insert(), [
            dict(band_id=1001, boot=0, seq=seq, event_at=at + timedelta(minutes=seq), kind=1, checkpoint_id=1,
                 beacon_token=bytes(8), rssi_dbm=-60, battery_pct=80, detail=0, steward_id=1, received_at=at)
            for seq in (1, 2)
        ])
    upgrade(engine)
    with session_factory(engine)() as s:
        assert s.execute(select(t.CheckInKey.seq).order_by(t.CheckInKey.seq)).scalars().all() == [1, 2]


def test_scoring_is_idempotent_and_equals_a_full_recompute(seeded: Engine, longtan: Dataset) -> None:
    store = IngestStore(seeded)
    rulebook = load_rulebook()
    rules = rulebook.rules_for(local_day(datetime(2017, 6, 5, tzinfo=BJ)))
    day1 = _segment_visits(seeded, longtan, "赵云华", datetime(2017, 6, 5, 7, 0, tzinfo=BJ))
    store.commit(day1, [], received_at=datetime.now(UTC))
    score_pending(seeded, rulebook)
    # A second day arrives later; incremental scoring picks up only the new (steward, day).
    day2 = [CheckInRow(r.band_id, 1, r.seq, r.event_at + timedelta(days=1), r.kind, r.checkpoint_id, r.beacon_token,
                       r.rssi_dbm, r.battery_pct, r.detail, r.steward_id) for r in day1]
    store.commit(day2, [], received_at=datetime.now(UTC))
    incremental = score_pending(seeded, rulebook)
    assert incremental.steward_days == 1

    def ledger() -> list[tuple]:
        with session_factory(seeded)() as s:
            return s.execute(select(t.PointsEntry.entry_key, t.PointsEntry.points, t.PointsEntry.evidence,
                                    t.PointsEntry.ruleset_version).order_by(t.PointsEntry.entry_key)).all()

    before = ledger()
    assert rescore_all(seeded, rulebook).entries_added == 0  # a full recompute finds nothing new
    assert ledger() == before
    per_day = len(day1) * rules.checkpoint_visit_points + rules.segment_patrol_points  # 07:00 is 早巡
    assert sum(p for _, p, _, _ in before) == 2 * per_day
    with session_factory(seeded)() as s:
        week = period_containing(PeriodKind.WEEK, local_day(day1[0].event_at))
        (top,) = leaderboard(s, week, Scope(ScopeKind.ALL), 1)
    assert (top.name, top.points) == ("赵云华", 2 * per_day)


def test_checkin_rows_are_tuples_in_the_copy_column_order() -> None:
    from scoring.storage.bulk import CHECKIN_COLUMNS

    assert CheckInRow._fields + ("received_at",) == CHECKIN_COLUMNS
    assert tuple(c.name for c in t.CheckIn.__table__.columns) == CHECKIN_COLUMNS
