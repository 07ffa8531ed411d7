from __future__ import annotations

from fastapi import APIRouter, Request
from sqlalchemy import text

from api.deps import SessionDep
from api.schemas import HealthOut
from scoring.status import store_status

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
