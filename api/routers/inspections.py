"""周查 over HTTP: the 十有十无 checklist, recording a lane's inspection, and a lane's inspections."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Annotated, Final

from fastapi import APIRouter, Depends, HTTPException
from pydantic import BaseModel, Field
from sqlalchemy.exc import IntegrityError

from api.deps import NowDep, SessionDep
from scoring.errors import NotAuthorisedError
from scoring.inspections import (
    Checklist,
    InspectionError,
    InspectionExistsError,
    InspectionView,
    InvalidInspectionError,
    ItemKind,
    ItemResult,
    UnknownLaneError,
    default_checklist,
    list_inspections,
    record_inspection,
)

router = APIRouter(tags=["inspections"])

CLOCK_SKEW_ALLOWANCE: Final = timedelta(minutes=5)  # a chief's tablet may run a little ahead of the server

ChecklistDep = Annotated[Checklist, Depends(default_checklist)]


class ChecklistItemOut(BaseModel):
    code: str
    kind: ItemKind
    kind_label: str
    text: str
    hint: str


class ChecklistOut(BaseModel):
    key: str
    name: str
    version: str
    items: list[ChecklistItemOut]


class ItemResultIn(BaseModel):
    code: str
    passed: bool
    note: str = ""


class InspectionIn(BaseModel):
    lane_id: int
    chief_id: int
    inspected_at: datetime | None = Field(default=None, description="when the chief walked the lane; default now")
    items: list[ItemResultIn]
    note: str = ""


class ItemOut(BaseModel):
    code: str
    kind: ItemKind
    text: str
    passed: bool
    note: str


class InspectionOut(BaseModel):
    id: int
    lane_id: int
    chief_id: int
    inspected_at: datetime
    week: str
    week_of: date
    checklist_version: str
    items_total: int
    items_passed: int
    score: float
    note: str
    items: list[ItemOut]


def _inspection_out(v: InspectionView) -> InspectionOut:
    return InspectionOut(
        id=v.id, lane_id=v.lane_id, chief_id=v.chief_id, inspected_at=v.inspected_at, week=v.week_label,
        week_of=v.week_of, checklist_version=v.checklist_version, items_total=v.items_total,
        items_passed=v.items_passed, score=v.score, note=v.note,
        items=[ItemOut(code=i.code, kind=i.kind, text=i.text, passed=i.passed, note=i.note) for i in v.items],
    )


def _http_error(exc: InspectionError | NotAuthorisedError) -> HTTPException:
    match exc:
        case UnknownLaneError():
            return HTTPException(404, str(exc))
        case NotAuthorisedError():
            return HTTPException(403, str(exc))
        case InspectionExistsError():
            return HTTPException(409, str(exc))
        case InvalidInspectionError():
            return HTTPException(422, str(exc))
    return HTTPException(500, str(exc))  # a broken checklist file: the operator fixes it


@router.get("/inspections/checklist", response_model=ChecklistOut)
def get_checklist(checklist: ChecklistDep) -> ChecklistOut:
    return ChecklistOut(
        key=checklist.key, name=checklist.name, version=checklist.version,
        items=[ChecklistItemOut(code=i.code, kind=i.kind, kind_label=i.kind.label, text=i.text, hint=i.hint)
               for i in checklist.items],
    )


@router.post("/inspections", response_model=InspectionOut, status_code=201)
def post_inspection(body: InspectionIn, session: SessionDep, now: NowDep, checklist: ChecklistDep) -> InspectionOut:
    inspected_at = body.inspected_at or now
    if inspected_at.tzinfo is None:
        raise HTTPException(422, "inspected_at needs a zone offset, e.g. 2017-09-08T15:00:00+08:00")
    if inspected_at > now + CLOCK_SKEW_ALLOWANCE:
        raise HTTPException(422, f"inspected_at {inspected_at.isoformat()} is in the future: check the device's clock")
    try:
        recorded = record_inspection(
            session, lane_id=body.lane_id, chief_id=body.chief_id, inspected_at=inspected_at,
            results=[ItemResult(i.code, i.passed, i.note) for i in body.items], checklist=checklist, note=body.note,
        )
        session.commit()
    except (InspectionError, NotAuthorisedError) as exc:
        raise _http_error(exc) from exc
    except IntegrityError as exc:  # the same lane and week recorded by another request a moment ago
        session.rollback()
        raise HTTPException(409, f"lane {body.lane_id} already has its inspection for that week") from exc
    return _inspection_out(recorded)


@router.get("/lanes/{lane_id}/inspections", response_model=list[InspectionOut])
def get_lane_inspections(lane_id: int, session: SessionDep) -> list[InspectionOut]:
    try:
        return [_inspection_out(v) for v in list_inspections(session, lane_id)]
    except (InspectionError, NotAuthorisedError) as exc:
        raise _http_error(exc) from exc
