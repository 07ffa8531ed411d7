"""Health and readiness.

/health: 200 with the store's counts while the database answers, 503 (storage_unavailable) while it does not.
/ready: 200 while every background job (live scoring, closing) is succeeding, 503 while one is failing, so a
load balancer or an operator sees a stalled leaderboard even though the database may answer again.
"""

from __future__ import annotations

from dataclasses import asdict

from fastapi import APIRouter, Request, Response
from sqlalchemy import text

from api.deps import SessionDep
from api.errors import error_responses
from api.schemas.health import HealthOut, JobOut, ReadyOut
from scoring.errors import StorageUnavailableError
from scoring.status import JobBoard, store_status

router = APIRouter(tags=["health"], responses=error_responses(StorageUnavailableError))


@router.get("/health", response_model=HealthOut)
def health(session: SessionDep, request: Request) -> HealthOut:
    session.execute(text("SELECT 1"))
    return HealthOut.build(session.get_bind().dialect.name, request.app.state.timescaledb, store_status(session))


@router.get("/ready", response_model=ReadyOut, responses={503: {"model": ReadyOut}})
def ready(request: Request, response: Response) -> ReadyOut:
    """503 while a background job is failing (live scoring stalled, the leaderboard going stale)."""
    jobs: JobBoard = request.app.state.jobs
    states = jobs.states()
    ok = all(state.ok for state in states)
    if not ok:
        response.status_code = 503
    return ReadyOut(ready=ok, jobs=[JobOut(**asdict(state)) for state in states])
