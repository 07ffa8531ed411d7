"""Health and readiness.

/health/live: 200 while the process answers; it touches nothing else, so a supervisor restarts only a process
that is truly stuck, never one whose database is down.
/health/ready: 200 while the database answers and every background job (live scoring, closing) is succeeding;
503 naming what is failing, so a load balancer sends no traffic to an instance that cannot serve it well.
/health: 200 with the store's counts while the database answers, 503 (storage_unavailable) while it does not.
/ready: the background jobs alone, as before /health/ready (kept for the deployments that probe it).
"""

from __future__ import annotations

import logging
from dataclasses import asdict

from fastapi import APIRouter, Request, Response
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from api.deps import SessionDep
from api.schemas.health import CheckOut, HealthOut, JobOut, LiveOut, ReadinessOut, ReadyOut
from scoring.status import JobBoard, store_status

router = APIRouter(tags=["health"])
log = logging.getLogger(__name__)

DATABASE_DOWN = "the database does not answer: see the server's log"


@router.get("/health", response_model=HealthOut)
def health(session: SessionDep, request: Request) -> HealthOut:
    session.execute(text("SELECT 1"))
    return HealthOut.build(session.get_bind().dialect.name, request.app.state.timescaledb, store_status(session))


@router.get("/health/live", response_model=LiveOut)
def live() -> LiveOut:
    """The process answers. Nothing else is asked: no database, no job."""
    return LiveOut(status="ok")


@router.get("/health/ready", response_model=ReadinessOut,
            responses={503: {"model": ReadinessOut, "description": "Not ready: `failing` names the checks that fail"}})
def health_ready(request: Request, response: Response) -> ReadinessOut:
    """The database answers and every background job's last run succeeded; 503 with `failing` otherwise."""
    sessions: sessionmaker[Session] = request.app.state.sessions
    try:
        with sessions() as session:
            session.execute(text("SELECT 1"))
        database = CheckOut(name="database", ok=True, detail="answers")
    except SQLAlchemyError as exc:  # its text can name the host: the log has it, the probe says only that it fails
        log.warning("readiness: the database does not answer: %s", exc)
        database = CheckOut(name="database", ok=False, detail=DATABASE_DOWN)
    jobs: JobBoard = request.app.state.jobs
    states = jobs.states()
    checks = [database] + [
        CheckOut(name=f"job:{s.name}", ok=s.ok,
                 detail="last run succeeded" if s.ok else f"{s.failures} runs failed in a row: {s.last_error}")
        for s in states
    ]
    failing = [check.name for check in checks if not check.ok]
    if failing:
        response.status_code = 503
    return ReadinessOut(ready=not failing, failing=failing, checks=checks,
                        jobs=[JobOut(**asdict(state)) for state in states])


@router.get("/ready", response_model=ReadyOut, responses={503: {"model": ReadyOut}})
def ready(request: Request, response: Response) -> ReadyOut:
    """503 while a background job is failing (live scoring stalled, the leaderboard going stale)."""
    jobs: JobBoard = request.app.state.jobs
    states = jobs.states()
    ok = all(state.ok for state in states)
    if not ok:
        response.status_code = 503
    return ReadyOut(ready=ok, jobs=[JobOut(**asdict(state)) for state in states])
