"""Patrol activity over time: check-ins and active stewards per hour or day."""

from __future__ import annotations

from fastapi import APIRouter, Request

from api.deps import NowDep, SessionDep
from api.routers.leaderboard import LabelQ, PeriodKindQ, period_out, resolve_period
from api.schemas import ActivityOut, ActivityPointOut
from scoring.activity import Bucket, activity
from scoring.periods import PeriodKind

router = APIRouter(tags=["points"])


@router.get("/activity", response_model=ActivityOut)
def get_activity(
    request: Request, session: SessionDep, now: NowDep, period: PeriodKindQ = PeriodKind.WEEK, label: LabelQ = None,
    bucket: Bucket = Bucket.DAY, lane_id: int | None = None,
) -> ActivityOut:
    p = resolve_period(session, now, period, label)
    points = activity(session, p, bucket, lane_id=lane_id, timescale=request.app.state.timescaledb)
    return ActivityOut(
        period=period_out(p), bucket=bucket.value,
        points=[ActivityPointOut(starts_at=x.starts_at, checkins=x.checkins, stewards=x.stewards) for x in points],
    )
