"""What the store holds and how the background jobs fare, for health and readiness checks and the demo's summary."""

from __future__ import annotations

import threading
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


@dataclass(frozen=True, slots=True)
class JobState:
    """One background job as readiness reports it: healthy until a run fails, failing until one succeeds."""

    name: str
    ok: bool
    runs: int
    failures: int  # consecutive failed runs; 0 once a run succeeds
    last_success_at: datetime | None
    last_failure_at: datetime | None
    failing_since: datetime | None
    last_error: str | None
    note: str | None = None  # what the job holds back while healthy, e.g. years waiting for a signing key


class JobStatus:
    """What one background job did last, written by its runner thread and read by the readiness route.

    A job that has not run yet counts as healthy: the service is ready to serve what the store holds.
    """

    def __init__(self, name: str) -> None:
        self.name = name
        self._lock = threading.Lock()
        self._runs = 0
        self._failures = 0
        self._last_success_at: datetime | None = None
        self._last_failure_at: datetime | None = None
        self._failing_since: datetime | None = None
        self._last_error: str | None = None
        self._note: str | None = None

    def noted(self, note: str | None) -> None:
        """Say what the job holds back while it succeeds (None: nothing); readiness shows it, and stays ready."""
        with self._lock:
            self._note = note

    def succeeded(self, at: datetime) -> None:
        with self._lock:
            self._runs += 1
            self._failures = 0
            self._last_success_at = at
            self._failing_since = None

    def failed(self, at: datetime, error: str) -> int:
        """Record a failed run; returns how many runs in a row have failed."""
        with self._lock:
            self._runs += 1
            self._failures += 1
            self._last_failure_at = at
            self._last_error = error
            if self._failing_since is None:
                self._failing_since = at
            return self._failures

    def state(self) -> JobState:
        with self._lock:
            return JobState(self.name, self._failures == 0, self._runs, self._failures, self._last_success_at,
                            self._last_failure_at, self._failing_since, self._last_error, self._note)


class JobBoard:
    """The background jobs of one process (scoring, closing), for the readiness route."""

    def __init__(self, *jobs: JobStatus) -> None:
        self._lock = threading.Lock()
        self._jobs: dict[str, JobStatus] = {job.name: job for job in jobs}

    def add(self, job: JobStatus) -> JobStatus:
        with self._lock:
            self._jobs[job.name] = job
        return job

    def states(self) -> list[JobState]:
        with self._lock:
            jobs = sorted(self._jobs.values(), key=lambda job: job.name)
        return [job.state() for job in jobs]

    @property
    def ready(self) -> bool:
        return all(state.ok for state in self.states())


def scoring_backlog(session: Session) -> int:
    """(steward, day) pairs waiting for the scorer: how far live scoring lags behind ingest."""
    return session.scalar(select(func.count()).select_from(t.ScoringBacklog)) or 0
