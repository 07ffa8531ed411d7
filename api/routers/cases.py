"""工作台账 over HTTP: report a problem, list and read cases with their audit trail, move a case on."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, HTTPException, Query
from pydantic import BaseModel, Field

from api.deps import NowDep, SessionDep
from scoring.cases.errors import CaseError, IllegalTransitionError, InvalidCaseInputError, UnknownCaseError
from scoring.cases.store import get_case, list_cases, report_case, transition
from scoring.cases.views import CaseDetail, CaseView
from scoring.cases.workflow import PHOTO_REF_MAX_CHARS, Actor, CaseCategory, CaseState, ProblemReport, ReportSource
from scoring.errors import NotAuthorisedError

router = APIRouter(tags=["cases"])

LIST_LIMIT_MAX = 1000


class CaseIn(BaseModel):
    """A steward's report: at a checkpoint, or at position_m metres along a lane."""

    steward_id: int
    category: CaseCategory
    lane_id: int | None = None
    position_m: float | None = Field(default=None, ge=0)
    checkpoint_id: int | None = None
    photo_ref: str = Field(default="", max_length=PHOTO_REF_MAX_CHARS)
    note: str = ""


class TransitionIn(BaseModel):
    to: CaseState
    actor: str = Field(description='"chief:<id>", "contractor:<id>", "steward:<id>" or "system"')
    note: str = ""
    duplicate_of: int | None = Field(default=None, description="the case this one repeats; with to=duplicate only")


class CaseOut(BaseModel):
    id: int
    lane_id: int
    category: CaseCategory
    category_label: str
    state: CaseState
    state_label: str
    position_m: float
    checkpoint_id: int | None
    photo_ref: str
    steward_id: int  # the finder
    source: ReportSource
    reported_at: datetime
    state_changed_at: datetime
    duplicate_of: int | None
    report_count: int


class ReportOut(BaseModel):
    id: int
    steward_id: int
    reported_at: datetime
    source: ReportSource
    source_key: str | None  # the band record "band/boot/seq"
    position_m: float
    checkpoint_id: int | None
    photo_ref: str
    note: str


class EventOut(BaseModel):
    id: int
    at: datetime
    from_state: CaseState | None
    to_state: CaseState
    actor: str
    note: str


class CaseDetailOut(CaseOut):
    reports: list[ReportOut]
    events: list[EventOut]


class ReportedOut(BaseModel):
    opened: bool  # false: the report joined an open case of its kind nearby
    report_id: int
    case: CaseDetailOut


def _case_out(c: CaseView) -> CaseOut:
    return CaseOut(
        id=c.id, lane_id=c.lane_id, category=c.category, category_label=c.category.label, state=c.state,
        state_label=c.state.label, position_m=c.position_m, checkpoint_id=c.checkpoint_id, photo_ref=c.photo_ref,
        steward_id=c.steward_id, source=c.source, reported_at=c.reported_at, state_changed_at=c.state_changed_at,
        duplicate_of=c.duplicate_of, report_count=c.report_count,
    )


def _detail_out(d: CaseDetail) -> CaseDetailOut:
    return CaseDetailOut(
        **_case_out(d.case).model_dump(),
        reports=[ReportOut(id=r.id, steward_id=r.steward_id, reported_at=r.reported_at, source=r.source,
                           source_key=r.source_key, position_m=r.position_m, checkpoint_id=r.checkpoint_id,
                           photo_ref=r.photo_ref, note=r.note) for r in d.reports],
        events=[EventOut(id=e.id, at=e.at, from_state=e.from_state, to_state=e.to_state, actor=str(e.actor), note=e.note)
                for e in d.events],
    )


def _http_error(exc: CaseError | NotAuthorisedError) -> HTTPException:
    match exc:
        case UnknownCaseError():
            return HTTPException(404, str(exc))
        case NotAuthorisedError():
            return HTTPException(403, str(exc))
        case IllegalTransitionError():
            return HTTPException(409, str(exc))
        case InvalidCaseInputError():
            return HTTPException(422, str(exc))
    return HTTPException(400, str(exc))


@router.post("/cases", response_model=ReportedOut, status_code=201)
def post_case(body: CaseIn, session: SessionDep, now: NowDep) -> ReportedOut:
    try:
        report = ProblemReport(
            steward_id=body.steward_id, category=body.category, reported_at=now, lane_id=body.lane_id,
            position_m=body.position_m, checkpoint_id=body.checkpoint_id, photo_ref=body.photo_ref, note=body.note,
        )
        outcome = report_case(session, report)
        session.commit()
        detail = get_case(session, outcome.case_id)
        return ReportedOut(opened=outcome.opened, report_id=outcome.report_id, case=_detail_out(detail))
    except (CaseError, NotAuthorisedError) as exc:
        raise _http_error(exc) from exc


@router.get("/cases", response_model=list[CaseOut])
def get_cases(
    session: SessionDep,
    lane: int | None = None,
    state: CaseState | None = None,
    open_only: bool = False,
    limit: Annotated[int, Query(ge=1, le=LIST_LIMIT_MAX)] = 200,
) -> list[CaseOut]:
    return [_case_out(c) for c in list_cases(session, lane_id=lane, state=state, open_only=open_only, limit=limit)]


@router.get("/cases/{case_id}", response_model=CaseDetailOut)
def get_one_case(case_id: int, session: SessionDep) -> CaseDetailOut:
    try:
        return _detail_out(get_case(session, case_id))
    except (CaseError, NotAuthorisedError) as exc:
        raise _http_error(exc) from exc


@router.post("/cases/{case_id}/transitions", response_model=CaseDetailOut)
def post_transition(case_id: int, body: TransitionIn, session: SessionDep, now: NowDep) -> CaseDetailOut:
    try:
        transition(session, case_id, body.to, Actor.parse(body.actor), now, note=body.note, duplicate_of=body.duplicate_of)
        session.commit()
        return _detail_out(get_case(session, case_id))
    except (CaseError, NotAuthorisedError) as exc:
        raise _http_error(exc) from exc
