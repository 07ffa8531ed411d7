"""日巡 alerts over HTTP: what a lane chief sees of missed and late patrols, and their acknowledgement."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.exceptions import RequestValidationError

from api.auth import PrincipalDep
from api.deps import NowDep, PageDep, SessionDep
from api.errors import error_responses
from api.schemas.alerts import AlertOut
from api.schemas.base import Day, StoreId
from scoring.accounts import audit
from scoring.accounts.errors import SignInError
from scoring.accounts.jurisdiction import check_inbox
from scoring.errors import NotAuthorisedError, StorageUnavailableError, UnknownScopeError
from scoring.patrol_alerts import UnknownAlertError, acknowledge, lane_alerts

router = APIRouter(tags=["alerts"], responses=error_responses(RequestValidationError, StorageUnavailableError))


@router.get("/lanes/{lane_id}/alerts", response_model=list[AlertOut],
            responses=error_responses(UnknownScopeError, SignInError, NotAuthorisedError))
def get_lane_alerts(lane_id: StoreId, principal: PrincipalDep, session: SessionDep, page: PageDep,
                    day: Day | None = None) -> list[AlertOut]:
    """The lane's alerts of `day` (YYYY-MM-DD, Beijing), acknowledged or not; without a day, those still open.
    For the lane's chiefs and its offices.

    Order: by day, then due time, segment and steward."""
    check_inbox(session, principal, lane_id)
    return [AlertOut.model_validate(a) for a in lane_alerts(session, lane_id, day, limit=page.limit,
                                                            offset=page.offset)]


@router.post("/alerts/{alert_id}/acknowledge", response_model=AlertOut,
             responses=error_responses(UnknownAlertError, NotAuthorisedError, SignInError))
def post_acknowledge(alert_id: StoreId, principal: PrincipalDep, session: SessionDep, now: NowDep) -> AlertOut:
    """The signed-in chief, one of the alert's lane, acknowledges it; repeating the call keeps the first."""
    acknowledged = acknowledge(session, alert_id, principal.chief(), now=now)
    audit.record(session, principal, now, "alert.acknowledge", f"alert:{alert_id}", lane_id=acknowledged.lane_id,
                 after={"acknowledged_by": acknowledged.acknowledged_by})
    return AlertOut.model_validate(acknowledged)
