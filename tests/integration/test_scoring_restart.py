"""The live scoring runner while PostgreSQL restarts: readiness reports the outage, scoring resumes,
and the ledger afterwards equals a full recompute."""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import Engine, func, select

from scoring.ingest import IngestStore
from scoring.runner import Runner, scoring_runner
from scoring.scorer import live_entries, rescore_all
from scoring.seed.longtan import longtan_dataset
from scoring.status import JobBoard
from scoring.storage import tables as t
from scoring.storage.engine import make_engine
from stewards.registry import prepare_store
from stewards.services.postgres import Postgres
from tests.api.signin import api
from tests.scoring.checkins import Recorder, at, patroller

DAY = date(2017, 6, 5)
WAIT_SECONDS = 60.0


def _until(condition: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + WAIT_SECONDS
    while not condition():
        assert time.monotonic() < deadline, f"waited {WAIT_SECONDS:.0f} s for {what}"
        time.sleep(0.1)


def _backlog(engine: Engine) -> int:
    with engine.connect() as conn:
        return conn.scalar(select(func.count()).select_from(t.ScoringBacklog)) or 0


def _points(engine: Engine) -> int:
    with engine.connect() as conn:
        return conn.scalar(select(func.coalesce(func.sum(t.PointsEntry.points), 0))) or 0


def test_scoring_lives_through_a_postgres_restart(postgres: Postgres) -> None:
    engine = make_engine(postgres.create_database(f"restart_{uuid.uuid4().hex[:8]}"))
    data = longtan_dataset()
    prepare_store(engine, data)
    store, recorder = IngestStore(engine), Recorder()
    walkers = [patroller(engine, data, name) for name in ("赵云华", "韩险峰")]

    def patrol(day: date) -> None:
        rows = [row for who in walkers for row in recorder.walk(who, at(day, 7))]
        store.commit(rows, [], received_at=datetime.now(UTC))

    jobs = JobBoard()
    runner: Runner = scoring_runner(engine, every_seconds=0.2)
    runner.retry_base_seconds, runner.retry_cap_seconds = 0.1, 0.5  # a short outage, retried briskly
    jobs.add(runner.status)
    client = api(engine, jobs=jobs)
    outage_seen = threading.Event()
    patrol(DAY)
    runner.start()
    try:
        _until(lambda: _backlog(engine) == 0 and _points(engine) > 0, "the first day to be scored")
        assert client.get("/ready").status_code == 200
        first = _points(engine)

        patrol(DAY + timedelta(days=1))  # queued just before the database goes away
        postgres.stop("immediate")
        try:
            _until(lambda: not runner.status.state().ok, "the runner to meet the outage")
            body = client.get("/ready")
            assert body.status_code == 503
            (job,) = body.json()["jobs"]
            assert job["name"] == "scoring" and not job["ok"] and "StorageUnavailableError" in job["last_error"]
            outage_seen.set()
        finally:
            postgres.start()

        _until(lambda: runner.status.state().ok, "scoring to resume")
        patrol(DAY + timedelta(days=2))  # and what arrives after the restart is scored too
        _until(lambda: _backlog(engine) == 0 and _points(engine) > first, "the later days to be scored")
        assert client.get("/ready").json()["ready"] is True
    finally:
        runner.stop()
    assert outage_seen.is_set()
    assert runner.status.state().failures == 0 and runner.status.state().runs > 3

    with engine.connect() as conn:
        incremental = sorted(live_entries(conn), key=lambda e: e.key)
    days = {e.day for e in incremental}
    assert days == {DAY, DAY + timedelta(days=1), DAY + timedelta(days=2)}
    assert rescore_all(engine).entries_added == 0  # nothing was lost: a full recompute adds nothing
    with engine.connect() as conn:
        assert sorted(live_entries(conn), key=lambda e: e.key) == incremental
    engine.dispose()
