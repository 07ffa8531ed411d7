from __future__ import annotations

from dataclasses import asdict

from fastapi import APIRouter, Request, Response
from sqlalchemy import text

from api.deps import SessionDep
from api.schemas import HealthOut, JobOut, ReadyOut
from scoring.status import JobBoard, store_status

router = APIRouter(tags=["health"])


@router.get("/health", response_model=HealthOut)
def health(session: SessionDep, request: Request) -> HealthOut:
    session.execute(text("SELECT 1"))
    status = store_status(session)
    return HealthOut(
        status="ok",
        database=session.get_bind().dialect.name,
        timescaledb=request.app.state.timescaledb,
        checkins=status.checkins,
        quarantined=status.quarantined,
        last_event_at=status.last_event_at,
    )


@router.get("/ready", response_model=ReadyOut, responses={503: {"model": ReadyOut}})
def ready(request: Request, response: Response) -> ReadyOut:
    """503 while a background job is failing (live scoring stalled, the leaderboard going stale)."""
    jobs: JobBoard = request.app.state.jobs
    states = jobs.states()
    ok = all(state.ok for state in states)
    if not ok:
        response.status_code = 503
    return ReadyOut(ready=ok, jobs=[JobOut(**asdict(state)) for state in states])
