"""Readiness: the store the API reads, and how much it holds."""

from __future__ import annotations

from datetime import datetime

from api.schemas.base import OutModel
from scoring.status import StoreStatus


class HealthOut(OutModel):
    status: str
    database: str
    timescaledb: bool
    checkins: int
    quarantined: int
    last_event_at: datetime | None

    @classmethod
    def build(cls, database: str, timescaledb: bool, store: StoreStatus) -> HealthOut:
        return cls.model_validate({
            "status": "ok", "database": database, "timescaledb": timescaledb, "checkins": store.checkins,
            "quarantined": store.quarantined, "last_event_at": store.last_event_at,
        })


class JobOut(OutModel):
    name: str
    ok: bool
    runs: int
    failures: int
    last_success_at: datetime | None
    last_failure_at: datetime | None
    failing_since: datetime | None
    last_error: str | None
    note: str | None = None  # what a healthy job holds back, e.g. "years 2018 wait for the award-signing key"


class ReadyOut(OutModel):
    ready: bool  # false while a background job (scoring, closing) is failing, e.g. the database is down
    jobs: list[JobOut]


class LiveOut(OutModel):
    status: str  # "ok": the process answers


class CheckOut(OutModel):
    name: str  # "database", or "job:<name>" for a background job
    ok: bool
    detail: str


class ReadinessOut(OutModel):
    ready: bool
    failing: list[str]  # the names of the checks that fail; empty when ready
    checks: list[CheckOut]
    jobs: list[JobOut]
