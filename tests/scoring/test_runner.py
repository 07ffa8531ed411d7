"""The scoring runner: backoff as a table, database errors as an outage, a job that fails and carries on."""

from __future__ import annotations

import logging
import threading
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlalchemy.exc import DBAPIError, IntegrityError, InterfaceError, OperationalError

from scoring.closing import CyclePolicy, Scheduler
from scoring.errors import StorageUnavailableError
from scoring.runner import LiveScoring, Runner, TickReport, as_storage_unavailable, backoff_seconds
from scoring.scorer import ScoreReport
from scoring.status import JobBoard, JobStatus
from scoring.storage.engine import make_engine

AT = datetime(2018, 3, 1, 4, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("failures", "base", "cap", "expected"),
    [
        (0, 1.0, 60.0, 0.0),
        (-1, 1.0, 60.0, 0.0),
        (1, 1.0, 60.0, 1.0),
        (2, 1.0, 60.0, 2.0),
        (3, 1.0, 60.0, 4.0),
        (6, 1.0, 60.0, 32.0),
        (7, 1.0, 60.0, 60.0),
        (10_000, 1.0, 60.0, 60.0),
        (1, 10.0, 600.0, 10.0),
        (4, 10.0, 600.0, 80.0),
        (3, 0.5, 1.0, 1.0),
    ],
)
def test_backoff_doubles_from_the_base_up_to_the_cap(failures: int, base: float, cap: float, expected: float) -> None:
    assert backoff_seconds(failures, base_seconds=base, cap_seconds=cap) == expected


def _dbapi_error(cls: type[DBAPIError], *, invalidated: bool = False) -> DBAPIError:
    return cls("SELECT 1", {}, Exception("server closed the connection"), connection_invalidated=invalidated)


@pytest.mark.parametrize(
    ("error", "outage"),
    [
        (_dbapi_error(OperationalError), True),
        (_dbapi_error(InterfaceError), True),
        (_dbapi_error(DBAPIError, invalidated=True), True),
        (StorageUnavailableError("down"), True),
        (_dbapi_error(IntegrityError), False),  # the database answered: a bug, not an outage
        (_dbapi_error(DBAPIError), False),
        (ValueError("a bug"), False),
    ],
)
def test_which_errors_are_an_outage(error: Exception, outage: bool) -> None:
    unavailable = as_storage_unavailable(error)
    assert (unavailable is not None) == outage
    if unavailable is not None:
        assert isinstance(unavailable, StorageUnavailableError)


class FlakyJob:
    """Fails with the given errors in turn, then succeeds."""

    def __init__(self, *errors: Exception) -> None:
        self.errors = list(errors)
        self.calls = 0

    def __call__(self) -> None:
        self.calls += 1
        if self.errors:
            raise self.errors.pop(0)


def test_an_outage_is_logged_once_backed_off_and_survived(caplog: pytest.LogCaptureFixture) -> None:
    job = FlakyJob(*(_dbapi_error(OperationalError) for _ in range(3)))
    runner = Runner("scoring", job, every_seconds=5.0, clock=lambda: AT)
    with caplog.at_level(logging.DEBUG, logger="scoring.runner"):
        waits = [runner.run_once() for _ in range(3)]
        state = runner.status.state()
        assert not state.ok and state.failures == 3 and state.failing_since == AT
        assert state.last_error is not None and state.last_error.startswith("StorageUnavailableError")
        assert runner.run_once() == 5.0
    assert waits == [1.0, 2.0, 4.0]
    assert runner.status.state().ok and runner.status.state().runs == 4
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert len(errors) == 1 and "database unavailable" in errors[0].getMessage()
    assert any("running again after 3 failed runs" in r.getMessage() for r in caplog.records)


def test_a_bug_in_a_job_is_logged_with_its_traceback_and_retried(caplog: pytest.LogCaptureFixture) -> None:
    runner = Runner("scoring", FlakyJob(KeyError("steward")), every_seconds=5.0)
    with caplog.at_level(logging.ERROR, logger="scoring.runner"):
        assert runner.run_once() == 1.0
    (record,) = caplog.records
    assert record.exc_info is not None and record.exc_info[0] is KeyError
    assert runner.run_once() == 5.0 and runner.status.state().ok


def test_the_runner_thread_keeps_running_while_its_job_fails() -> None:
    ran_again = threading.Event()
    job = FlakyJob(_dbapi_error(OperationalError), ValueError("bug"))

    def watched() -> None:
        job()
        ran_again.set()

    runner = Runner("scoring", watched, every_seconds=60.0, retry_base_seconds=0.01)
    runner.start()
    try:
        assert ran_again.wait(10)
    finally:
        runner.stop()
    assert job.calls == 3 and runner.status.state().ok


def test_the_board_is_ready_until_a_job_fails() -> None:
    scoring, closing = JobStatus("scoring"), JobStatus("closing")
    board = JobBoard(scoring)
    board.add(closing)
    assert board.ready and [s.name for s in board.states()] == ["closing", "scoring"]
    closing.failed(AT, "StorageUnavailableError: down")
    assert not board.ready
    closing.succeeded(AT)
    assert board.ready and closing.state().last_success_at == AT and closing.state().failing_since is None


def test_live_scoring_moves_its_marks_only_after_a_good_tick(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[tuple[tuple[date, ...], datetime]] = []
    fail = [True]

    def tick(engine: object, rulebook: object, days: tuple[date, ...], *, reports_since: datetime,
             as_of: datetime, notifier: object) -> TickReport:
        calls.append((tuple(days), reports_since))
        if fail.pop(0) if fail else False:
            raise _dbapi_error(OperationalError)
        return TickReport(ScoreReport(0, 0), 0, 0)

    monkeypatch.setattr("scoring.runner.score_tick", tick)
    now = [100.0]
    live = LiveScoring(make_engine("sqlite://"), clock=lambda: AT, monotonic=lambda: now[0])
    with pytest.raises(OperationalError):
        live()
    live()  # the failed tick is redone in full: same reports window, alerts still due
    live()  # within the minute: no alerts, reports from a minute before the last good tick
    today = date(2018, 3, 1)
    yesterday = date(2018, 2, 28)
    epoch = datetime(1970, 1, 1, tzinfo=UTC)
    assert calls[0] == calls[1] == ((yesterday, today), epoch)
    assert calls[2] == ((), datetime(2018, 3, 1, 3, 59, tzinfo=UTC))


def test_the_closing_scheduler_lives_through_an_unreachable_database(tmp_path: Path) -> None:
    # Port 1 on loopback refuses at once: the database is down from the start.
    engine = make_engine("postgresql+psycopg://stewards@127.0.0.1:1/stewards", connect_args={"connect_timeout": 2})
    scheduler = Scheduler(engine, tmp_path, CyclePolicy(), every_seconds=3600, today=lambda: date(2018, 4, 1))
    scheduler.start()
    try:
        deadline = threading.Event()
        for _ in range(100):
            if scheduler.status.state().failures >= 1:
                break
            deadline.wait(0.05)
        state = scheduler.status.state()
    finally:
        scheduler.stop()
    assert not state.ok and state.last_error is not None and "StorageUnavailableError" in state.last_error
    assert scheduler.runs == 0
    engine.dispose()
