"""The scorer on the rulebook: days in order with History carried, late records rescoring what follows,
an append-only ledger with reversals, and incremental scoring equal to one full recompute, on both stores."""

from __future__ import annotations

import threading
import uuid
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine, func, select

from scoring.checkins import CheckInRow
from scoring.ingest import IngestStore
from scoring.ledger.entries import VOID_SUFFIX, base_key
from scoring.rulebook import RULE_SEGMENT_PATROL, RULE_STREAK_BONUS, RuleBook, load_rulebook
from scoring.scorer import ScoreReport, live_entries, rescore_all, score_pending
from scoring.seed.dataset import Dataset
from scoring.storage import tables as t
from scoring.storage.engine import make_engine
from stewards.registry import prepare_store
from stewards.services.postgres import Postgres
from tests.scoring.checkins import Recorder, at, clear_scoring, patroller

MONDAY = date(2017, 6, 5)
RECEIVED_AT = datetime(2017, 7, 1, tzinfo=UTC)
RULEBOOK = load_rulebook()


@pytest.fixture
def twin(seeded: Engine, request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    """A second seeded store of the same kind as `seeded`: the copy a full recompute runs on."""
    if seeded.dialect.name == "sqlite":
        url = f"sqlite:///{tmp_path / 'twin.db'}"
    else:
        pg: Postgres = request.getfixturevalue("postgres")
        url = pg.create_database(f"t_{uuid.uuid4().hex[:12]}")
    e = make_engine(url)
    prepare_store(e, request.getfixturevalue("longtan"))
    yield e
    e.dispose()


def _commit(engine: Engine, rows: list[CheckInRow]) -> None:
    IngestStore(engine).commit(rows, [], received_at=RECEIVED_AT)


def _net_by_day(engine: Engine) -> dict[tuple[int, date], int]:
    with engine.connect() as conn:
        rows = conn.execute(
            select(t.PointsEntry.steward_id, t.PointsEntry.day, func.sum(t.PointsEntry.points))
            .group_by(t.PointsEntry.steward_id, t.PointsEntry.day)
        ).all()
    return {(s, d): int(p) for s, d, p in rows if p}


def _states(engine: Engine) -> list[tuple]:
    with engine.connect() as conn:
        st_ = t.ScoringState
        return [tuple(r) for r in conn.execute(
            select(st_.steward_id, st_.day, st_.ruleset_version, st_.streak_days, st_.last_patrol_day, st_.week_of,
                   st_.week_points, st_.cumulative_points, st_.paced_out, st_.withheld)
            .order_by(st_.steward_id, st_.day))]


def _raised_flags(engine: Engine) -> list[tuple]:
    with engine.connect() as conn:
        f = t.IntegrityFlag
        return sorted(tuple(r) for r in conn.execute(
            select(f.steward_id, f.day, f.flag_key, f.kind, f.visit_keys, f.state).where(f.lapsed_at.is_(None))))


def _ledger(engine: Engine) -> list:
    with engine.connect() as conn:
        return live_entries(conn)


# --- table-like cases -------------------------------------------------------------------------------


def test_a_day_scores_under_the_rulebook_with_its_version(seeded: Engine, longtan: Dataset) -> None:
    zhao = patroller(seeded, longtan, "赵云华")
    rec = Recorder()
    _commit(seeded, rec.walk(zhao, at(MONDAY, 7), 0) + rec.walk(zhao, at(MONDAY, 7, 10), 1))
    report = score_pending(seeded, RULEBOOK)
    assert (report.steward_days, report.days_scored, report.reversals) == (1, 1, 0)
    entries = _ledger(seeded)
    version = RULEBOOK.rules_for(MONDAY).version
    assert {e.ruleset_version for e in entries} == {version}
    assert sorted((e.rule, e.points) for e in entries) == sorted(
        [("checkpoint_visit", 1)] * 4 + [(RULE_SEGMENT_PATROL, 5)] * 2
    )
    assert score_pending(seeded, RULEBOOK).entries_added == 0  # nothing waiting, nothing written
    assert rescore_all(seeded, RULEBOOK).entries_added == 0  # the same entries again: nothing appended


def test_a_batch_takes_every_queued_day_of_its_stewards_so_no_day_is_scored_twice(seeded: Engine,
                                                                                   longtan: Dataset) -> None:
    """Two stewards with five queued days each and batches of two pairs: each day is scored once."""
    rec = Recorder()
    rows: list[CheckInRow] = []
    for name in ("赵云华", "叶霞芳"):
        who = patroller(seeded, longtan, name)
        for day in range(5):
            rows += rec.walk(who, at(MONDAY + timedelta(days=day), 7), 0)
    _commit(seeded, rows)
    report = score_pending(seeded, RULEBOOK, batch=2)
    assert (report.steward_days, report.days_scored) == (10, 10)
    with seeded.connect() as conn:
        assert conn.scalar(select(func.count()).select_from(t.ScoringBacklog)) == 0


def test_two_scorers_draining_one_backlog_at_once_write_what_one_recompute_writes(
    seeded: Engine, twin: Engine, longtan: Dataset,
) -> None:
    """`serve` and `stewards cycle` may score at the same time: on PostgreSQL they share the backlog
    (skip-locked batches, a lock per steward); on SQLite one waits for the other's write."""
    rec = Recorder()
    rows: list[CheckInRow] = []
    for name in ("赵云华", "韩险峰", "孔芳", "叶霞芳", "郝宝燕"):
        who = patroller(seeded, longtan, name)
        for day in range(9):
            rows += rec.walk(who, at(MONDAY + timedelta(days=day), 7), 0)
            rows += rec.walk(who, at(MONDAY + timedelta(days=day), 18, 30), 0)
    _commit(seeded, rows)
    start = threading.Barrier(2)
    reports: list[ScoreReport] = []

    def scorer() -> None:
        start.wait()
        reports.append(score_pending(seeded, RULEBOOK, batch=4))  # batches of whole stewards, cut often

    threads = [threading.Thread(target=scorer) for _ in range(2)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    _commit(twin, rows)
    rescore_all(twin, RULEBOOK)

    assert len(reports) == 2 and sum(r.steward_days for r in reports) == 5 * 9
    assert _ledger(seeded) == _ledger(twin)
    assert _states(seeded) == _states(twin)
    with seeded.connect() as conn:
        assert conn.scalar(select(func.count()).select_from(t.ScoringBacklog)) == 0
        keys = conn.scalars(select(t.PointsEntry.entry_key)).all()
    assert len(keys) == len(set(keys)) and not any("~" in k for k in keys)  # nothing written twice or revised


def test_a_late_record_rescores_the_days_after_it_and_reverses_what_changed(seeded: Engine, twin: Engine,
                                                                             longtan: Dataset) -> None:
    """Seven patrol days earn the 7-day streak bonus; day 4 arrives last. Until it does, the streak is broken."""
    zhao = patroller(seeded, longtan, "赵云华")
    rec = Recorder()
    days = {i: rec.walk(zhao, at(MONDAY + timedelta(days=i), 7), 0) for i in range(7)}
    _commit(seeded, [r for i, rows in days.items() if i != 3 for r in rows])
    score_pending(seeded, RULEBOOK)
    assert not [e for e in _ledger(seeded) if e.rule == RULE_STREAK_BONUS]

    _commit(seeded, days[3])
    report = score_pending(seeded, RULEBOOK)
    assert report.steward_days == 1 and report.days_scored == 4  # day 4 and the three after it
    ledger = _ledger(seeded)
    assert [(e.day, e.points) for e in ledger if e.rule == RULE_STREAK_BONUS] == [(MONDAY + timedelta(days=6), 3)]

    _commit(twin, [r for rows in days.values() for r in rows])
    rescore_all(twin, RULEBOOK)
    assert ledger == _ledger(twin)
    assert _net_by_day(seeded) == _net_by_day(twin)
    assert _states(seeded) == _states(twin)


def test_a_changed_entry_is_reversed_and_appended_again_never_updated(seeded: Engine, longtan: Dataset) -> None:
    zhao = patroller(seeded, longtan, "赵云华")
    rec = Recorder()
    later = rec.walk(zhao, at(MONDAY, 8), 0)
    _commit(seeded, later)
    score_pending(seeded, RULEBOOK)
    with seeded.connect() as conn:
        before = {r.entry_key: tuple(r) for r in conn.execute(select(t.PointsEntry))}
    # An earlier pass of the same morning arrives: the patrol's evidence and the first visits change.
    earlier = rec.walk(zhao, at(MONDAY, 7), 0)
    _commit(seeded, earlier)
    report = score_pending(seeded, RULEBOOK)
    assert report.reversals == 3
    with seeded.connect() as conn:
        after = {r.entry_key: r for r in conn.execute(select(t.PointsEntry))}
    assert all(tuple(after[k]) == row for k, row in before.items())  # nothing written was touched
    voids = [r for r in after.values() if r.entry_key.endswith(VOID_SUFFIX)]
    assert sorted(v.reverses_id for v in voids) == sorted(after[k].id for k in before)
    assert all(v.points == -after[base_key(v.entry_key)].points for v in voids)
    assert len([k for k in after if k.endswith("~2")]) == 3
    patrol = next(e for e in _ledger(seeded) if e.rule == RULE_SEGMENT_PATROL)
    assert patrol.evidence == tuple(f"{r.band_id}/{r.boot}/{r.seq}" for r in earlier)
    assert sum(_net_by_day(seeded).values()) == 2 + 5


def test_rule_changes_from_a_date_leave_earlier_days_alone(seeded: Engine, longtan: Dataset) -> None:
    zhao = patroller(seeded, longtan, "赵云华")
    rec = Recorder()
    _commit(seeded, rec.walk(zhao, at(MONDAY, 7), 0) + rec.walk(zhao, at(MONDAY + timedelta(days=1), 7), 0))
    first = load_rulebook()
    score_pending(seeded, first)
    base = first.rule_sets[0]
    changed = RuleBook((base, replace(base, effective_from=MONDAY + timedelta(days=1), name="新细则",
                                      segment_patrol_points=6)))
    report = rescore_all(seeded, changed)
    assert report.reversals == 3  # day 2's two visits and patrol, under a new version
    by_day = defaultdict(set)
    for e in _ledger(seeded):
        by_day[e.day].add(e.ruleset_version)
    assert by_day == {MONDAY: {base.version}, MONDAY + timedelta(days=1): {changed.rule_sets[1].version}}


# --- the property: incremental equals a full recompute ------------------------------------------------

STEWARDS = ("赵云华", "韩险峰", "孔芳")
events = st.lists(
    st.tuples(
        st.integers(0, len(STEWARDS) - 1),  # who
        st.integers(0, 9),  # day
        st.integers(6 * 3600, 21 * 3600 + 1800),  # second of the day, 06:00-21:30
        st.integers(0, 3),  # which of their checkpoints
        st.integers(0, 12),  # repeats a few seconds apart: pacing, teleports and scan storms
    ),
    max_size=25,
)


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(events=events, diligent_days=st.sets(st.integers(0, 9)), order=st.randoms(use_true_random=False),
       chunks=st.integers(1, 5))
def test_incremental_scoring_equals_one_full_recompute(
    seeded: Engine, twin: Engine, longtan: Dataset, events: list[tuple[int, int, int, int, int]],
    diligent_days: set[int], order: object, chunks: int,
) -> None:
    clear_scoring(seeded)
    clear_scoring(twin)
    who = [patroller(seeded, longtan, name) for name in STEWARDS]
    rec = Recorder()
    rows: list[CheckInRow] = []
    for day in sorted(diligent_days):  # full patrols most days: streaks and the weekly cap come into play
        d = MONDAY + timedelta(days=day)
        rows += rec.walk(who[0], at(d, 7), 0) + rec.walk(who[0], at(d, 7, 5), 1)
        rows += rec.walk(who[0], at(d, 18, 30), 0) + rec.walk(who[0], at(d, 18, 40), 1)
    for w, day, second, cp, repeats in events:
        p = who[w]
        start = at(MONDAY + timedelta(days=day), 0) + timedelta(seconds=second)
        for k in range(repeats + 1):
            rows.append(rec.row(p, start + timedelta(seconds=3 * k), p.checkpoints[(cp + k) % len(p.checkpoints)]))
    order.shuffle(rows)  # type: ignore[attr-defined]
    size = max(1, -(-len(rows) // chunks))
    for i in range(0, len(rows), size):
        _commit(seeded, rows[i : i + size])
        score_pending(seeded, RULEBOOK, batch=2)  # many small transactions, each of whole stewards
    _commit(twin, rows)
    rescore_all(twin, RULEBOOK)

    assert _ledger(seeded) == _ledger(twin)
    assert _net_by_day(seeded) == _net_by_day(twin)
    assert _states(seeded) == _states(twin)
    assert _raised_flags(seeded) == _raised_flags(twin)
    assert rescore_all(seeded, RULEBOOK).entries_added == 0
