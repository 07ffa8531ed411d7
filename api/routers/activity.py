"""Patrol activity over time: check-ins and active stewards per hour or day."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.exceptions import RequestValidationError

from api.deps import LabelQ, NowDep, PageDep, PeriodKindQ, SessionDep, resolve_period
from api.errors import error_responses
from api.schemas.base import StoreId
from api.schemas.points import ActivityOut
from scoring.activity import Bucket, activity
from scoring.errors import StorageUnavailableError, UnknownPeriodError
from scoring.periods import PeriodKind

router = APIRouter(tags=["points"], responses=error_responses(RequestValidationError, StorageUnavailableError))


@router.get("/activity", response_model=ActivityOut, responses=error_responses(UnknownPeriodError))
def get_activity(
    request: Request, session: SessionDep, now: NowDep, page: PageDep, period: PeriodKindQ = PeriodKind.WEEK,
    label: LabelQ = None, bucket: Bucket = Bucket.DAY, lane_id: StoreId | None = None,
) -> ActivityOut:
    """The buckets of the period that hold a check-in.

    Order: earliest bucket first; the page windows `points`."""
    p = resolve_period(session, now, period, label)
    points = activity(session, p, bucket, lane_id=lane_id, timescale=request.app.state.timescaledb,
                      limit=page.limit, offset=page.offset)
    return ActivityOut.build(p, bucket, points)
