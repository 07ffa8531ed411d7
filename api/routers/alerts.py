"""日巡 alerts over HTTP: what a lane chief sees of missed and late patrols, and their acknowledgement."""

from __future__ import annotations

from datetime import date, datetime

from fastapi import APIRouter, HTTPException
from pydantic import BaseModel

from api.deps import NowDep, SessionDep
from scoring.errors import NotAuthorisedError
from scoring.patrol_alerts import (
    AlertView,
    PatrolAlertError,
    UnknownAlertError,
    acknowledge,
    lane_alerts,
)
from scoring.storage import tables as t

router = APIRouter(tags=["alerts"])

KIND_LABELS = {"missed": "未巡", "late": "迟巡"}


class AlertOut(BaseModel):
    id: int
    key: str
    kind: str  # "missed" or "late"
    kind_label: str
    steward_id: int
    steward_name: str
    lane_id: int
    segment_id: int
    segment_name: str
    day: date
    window: str
    window_label: str
    due_at: datetime
    completed_at: datetime | None
    message_zh: str
    chief_ids: list[int]  # the lane's chiefs when the alert was raised
    ruleset_version: str
    created_at: datetime
    acknowledged_at: datetime | None
    acknowledged_by: int | None


class AcknowledgeIn(BaseModel):
    chief_id: int


def _out(a: AlertView) -> AlertOut:
    return AlertOut(
        id=a.id, key=a.key, kind=a.kind, kind_label=KIND_LABELS.get(a.kind, a.kind), steward_id=a.steward_id,
        steward_name=a.steward_name, lane_id=a.lane_id, segment_id=a.segment_id, segment_name=a.segment_name,
        day=a.day, window=a.window, window_label=a.window_label, due_at=a.due_at, completed_at=a.completed_at,
        message_zh=a.message_zh, chief_ids=list(a.chief_ids), ruleset_version=a.ruleset_version,
        created_at=a.created_at, acknowledged_at=a.acknowledged_at, acknowledged_by=a.acknowledged_by,
    )


def _http_error(exc: PatrolAlertError | NotAuthorisedError) -> HTTPException:
    match exc:
        case UnknownAlertError():
            return HTTPException(404, str(exc))
        case NotAuthorisedError():
            return HTTPException(403, str(exc))
    return HTTPException(400, str(exc))


@router.get("/lanes/{lane_id}/alerts", response_model=list[AlertOut])
def get_lane_alerts(lane_id: int, session: SessionDep, day: date | None = None) -> list[AlertOut]:
    """The lane's alerts of `day` (YYYY-MM-DD, Beijing), acknowledged or not; without a day, those still open."""
    if session.get(t.Lane, lane_id) is None:
        raise HTTPException(404, f"no lane with id {lane_id}: list them under /registry/lanes")
    return [_out(a) for a in lane_alerts(session, lane_id, day)]


@router.post("/alerts/{alert_id}/acknowledge", response_model=AlertOut)
def post_acknowledge(alert_id: int, body: AcknowledgeIn, session: SessionDep, now: NowDep) -> AlertOut:
    """A chief of the alert's lane acknowledges it; repeating the call keeps the first acknowledgement."""
    try:
        view = acknowledge(session, alert_id, body.chief_id, now=now)
        session.commit()
        return _out(view)
    except (PatrolAlertError, NotAuthorisedError) as exc:
        raise _http_error(exc) from exc
