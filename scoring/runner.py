"""The scoring tick and the runner every background job of scoring shares.

A tick is score → lane work → patrol alerts, in that order: new check-ins become patrol points, band
reports become cases and confirmed work becomes points, and patrol windows that have closed unfinished
are raised to the lane chiefs. `score_tick` is that one function; `LiveScoring` is the tick `serve`
runs every few seconds, which remembers where its last good tick left off.

`Runner` runs a job now and then every `every_seconds` in a thread until stopped. A database error
(SQLAlchemy's OperationalError, InterfaceError, or a DBAPIError that lost its connection) becomes
`StorageUnavailableError`: logged once per outage, retried after `backoff_seconds`, and recorded in
the job's `JobStatus`, which the readiness route reads. Every job is idempotent, so a retried tick
redoes what the failed one had not committed and nothing is lost. The errors a job expects (`expected`)
are logged and retried the same way; any other error is logged with its traceback, once per streak,
and retried too: a background job never dies silently.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Final

from sqlalchemy import Engine
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError

from scoring.errors import StorageUnavailableError
from scoring.lane_points import score_lane_work
from scoring.patrol_alerts import raise_patrol_alerts
from scoring.periods import local_day
from scoring.rulebook import Notifier, RuleBook
from scoring.rulebook_default import default_rulebook
from scoring.scorer import ScoreReport, score_pending
from scoring.status import JobStatus

log = logging.getLogger(__name__)

DEFAULT_SCORE_EVERY_SECONDS: Final = 5.0
# Grace periods are an hour long, so a look a minute raises an unfinished patrol promptly enough.
ALERTS_EVERY_SECONDS: Final = 60.0
# Band reports are taken in from a minute before the last good tick began: overlapping windows are
# harmless (the intake is idempotent), a gap would not be.
REPORTS_OVERLAP: Final = timedelta(minutes=1)
RETRY_BASE_SECONDS: Final = 1.0  # a restarting database is usually back within seconds
RETRY_CAP_SECONDS: Final = 60.0  # and a long outage is still noticed within a minute of its end
STOP_TIMEOUT_SECONDS: Final = 30.0
_EPOCH: Final = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class TickReport:
    scored: ScoreReport
    lane_entries: int  # points entries for confirmed cases, dissuasions and inspections
    alerts: int  # patrol alerts raised


def score_tick(
    engine: Engine,
    rulebook: RuleBook | None,
    alert_days: Iterable[date],
    *,
    reports_since: datetime = _EPOCH,
    as_of: datetime | None = None,
    notifier: Notifier | None = None,
) -> TickReport:
    """Score the backlog, then lane work (band reports received since `reports_since`), then the patrol
    alerts of `alert_days` (judged as of `as_of`; None judges whole days). Each step is idempotent."""
    book = rulebook if rulebook is not None else default_rulebook()
    scored = score_pending(engine, book)
    lane_entries = score_lane_work(engine, book, since=reports_since)
    alerts = sum(raise_patrol_alerts(engine, book, day, notifier=notifier, as_of=as_of) for day in alert_days)
    return TickReport(scored, lane_entries, alerts)


@dataclass
class LiveScoring:
    """The tick of a live service: band reports since the last good tick, and once a minute the alerts
    of today and yesterday (around midnight yesterday's last windows close) as of now.

    Its marks move only when a whole tick succeeded, so a tick that failed half way is redone in full.
    """

    engine: Engine
    rulebook: RuleBook | None = None
    notifier: Notifier | None = None
    alerts_every_seconds: float = ALERTS_EVERY_SECONDS
    clock: Callable[[], datetime] = field(default=lambda: datetime.now(UTC))
    monotonic: Callable[[], float] = time.monotonic
    _reports_since: datetime = field(default=_EPOCH, init=False)
    _alerts_due: float | None = field(default=None, init=False)

    def __call__(self) -> TickReport:
        started = self.clock()
        alerts_due = self._alerts_due is None or self.monotonic() >= self._alerts_due
        today = local_day(started)
        days = (today - timedelta(days=1), today) if alerts_due else ()
        report = score_tick(self.engine, self.rulebook, days, reports_since=self._reports_since, as_of=started,
                            notifier=self.notifier)
        self._reports_since = started - REPORTS_OVERLAP
        if alerts_due:
            self._alerts_due = self.monotonic() + self.alerts_every_seconds
        return report


def backoff_seconds(failures: int, *, base_seconds: float = RETRY_BASE_SECONDS,
                    cap_seconds: float = RETRY_CAP_SECONDS) -> float:
    """How long to wait before the next try after `failures` failed runs in a row: 0 after none, then
    base, doubling each time, never more than the cap."""
    if failures <= 0:
        return 0.0
    return min(cap_seconds, base_seconds * 2.0 ** min(failures - 1, 62))


def as_storage_unavailable(exc: BaseException) -> StorageUnavailableError | None:
    """The storage-unavailable error a database error means, or None when it is not an outage."""
    if isinstance(exc, StorageUnavailableError):
        return exc
    if isinstance(exc, OperationalError | InterfaceError) or (
        isinstance(exc, DBAPIError) and exc.connection_invalidated
    ):
        unavailable = StorageUnavailableError(f"database unavailable: {exc.orig}")
        unavailable.__cause__ = exc
        return unavailable
    return None


class Runner:
    """Runs `job` now and then every `every_seconds` until stopped, backing off while it fails.

    `run(stop)` is the loop, for a caller's own thread; `start()` and `stop()` run it in a daemon thread.
    `expected` are the errors the job is known to meet (logged as one line, not as a bug).
    """

    def __init__(
        self,
        name: str,
        job: Callable[[], object],
        every_seconds: float,
        status: JobStatus | None = None,
        *,
        expected: tuple[type[Exception], ...] = (),
        retry_base_seconds: float = RETRY_BASE_SECONDS,
        retry_cap_seconds: float = RETRY_CAP_SECONDS,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.name = name
        self.job = job
        self.every_seconds = every_seconds
        self.status = status if status is not None else JobStatus(name)
        self.expected = expected
        self.retry_base_seconds = retry_base_seconds
        self.retry_cap_seconds = retry_cap_seconds
        self._clock = clock
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def run_once(self) -> float:
        """One run of the job; returns the seconds to wait before the next."""
        status = self.status
        try:
            self.job()
        except Exception as exc:  # noqa: BLE001 - every failure is logged below and the job is retried
            return self._failed(status, exc)
        failures = status.state().failures
        status.succeeded(self._clock())
        if failures:
            log.warning("%s: running again after %d failed runs", self.name, failures)
        return self.every_seconds

    def run(self, stop: threading.Event) -> None:
        # Run first, then wait: a runner started and stopped at once has still run once.
        while True:
            wait = self.run_once()
            if stop.wait(wait):
                return

    def start(self) -> None:
        if self._thread is not None:
            raise RuntimeError(f"{self.name} is already running; stop it before starting it again")
        self._stop.clear()
        self._thread = threading.Thread(target=self.run, args=(self._stop,), name=self.name, daemon=True)
        self._thread.start()

    def stop(self, timeout_seconds: float = STOP_TIMEOUT_SECONDS) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout_seconds)
            self._thread = None

    def _failed(self, status: JobStatus, exc: Exception) -> float:
        unavailable = as_storage_unavailable(exc)
        error = unavailable if unavailable is not None else exc
        failures = status.failed(self._clock(), f"{type(error).__name__}: {error}")
        wait = backoff_seconds(failures, base_seconds=self.retry_base_seconds, cap_seconds=self.retry_cap_seconds)
        if failures > 1:
            log.debug("%s: still failing (%d runs), retrying in %.1f s: %s", self.name, failures, wait, error)
        elif unavailable is not None or isinstance(exc, self.expected):
            log.error("%s: %s; retrying with backoff until it is back", self.name, error)
        else:
            log.error("%s failed; retrying with backoff", self.name, exc_info=exc)
        return wait


def scoring_runner(engine: Engine, rulebook: RuleBook | None = None, *,
                   every_seconds: float = DEFAULT_SCORE_EVERY_SECONDS, status: JobStatus | None = None,
                   notifier: Notifier | None = None) -> Runner:
    """The live scoring of a service: `LiveScoring` every few seconds, in a thread once started."""
    return Runner("scoring", LiveScoring(engine, rulebook, notifier), every_seconds, status)
