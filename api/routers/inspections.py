"""周查 over HTTP: the 十有十无 checklist, recording a lane's inspection, and a lane's inspections."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Annotated, Final

from fastapi import APIRouter, Depends
from fastapi.exceptions import RequestValidationError
from sqlalchemy.exc import IntegrityError

from api.auth import PrincipalDep
from api.deps import NowDep, PageDep, SessionDep
from api.errors import error_responses
from api.schemas.base import StoreId
from api.schemas.inspections import ChecklistOut, InspectionIn, InspectionOut
from scoring.accounts import audit
from scoring.accounts.errors import SignInError
from scoring.accounts.jurisdiction import check_inspections
from scoring.errors import NotAuthorisedError, PeriodClosedError, StorageUnavailableError, UnknownScopeError
from scoring.inspections import (
    Checklist,
    ChecklistError,
    InspectionExistsError,
    InvalidInspectionError,
    ItemResult,
    UnknownLaneError,
    default_checklist,
    list_inspections,
    record_inspection,
)

router = APIRouter(tags=["inspections"], responses=error_responses(RequestValidationError, StorageUnavailableError))

CLOCK_SKEW_ALLOWANCE: Final = timedelta(minutes=5)  # a chief's tablet may run a little ahead of the server

ChecklistDep = Annotated[Checklist, Depends(default_checklist)]


def _inspected_at(requested: datetime | None, now: datetime) -> datetime:
    """When the chief walked the lane: as the request says, or now; never without a zone, never ahead of us."""
    inspected_at = requested or now
    if inspected_at.tzinfo is None:
        raise InvalidInspectionError("inspected_at needs a zone offset, e.g. 2017-09-08T15:00:00+08:00")
    if inspected_at > now + CLOCK_SKEW_ALLOWANCE:
        raise InvalidInspectionError(
            f"inspected_at {inspected_at.isoformat()} is in the future: check the device's clock"
        )
    return inspected_at


@router.get("/inspections/checklist", response_model=ChecklistOut, responses=error_responses(ChecklistError))
def get_checklist(checklist: ChecklistDep) -> ChecklistOut:
    return ChecklistOut.model_validate(checklist)


@router.post(
    "/inspections", response_model=InspectionOut, status_code=201,
    responses=error_responses(NotAuthorisedError, InspectionExistsError, IntegrityError,
                              InvalidInspectionError, ChecklistError, SignInError, PeriodClosedError),
)
def post_inspection(body: InspectionIn, principal: PrincipalDep, session: SessionDep, now: NowDep,
                    checklist: ChecklistDep) -> InspectionOut:
    """The signed-in chief records a 周查 of one of their lanes."""
    # A second inspection of the lane and week by a concurrent request fails on the unique key: 409 conflict.
    recorded = record_inspection(
        session, lane_id=body.lane_id, chief_id=principal.chief(), inspected_at=_inspected_at(body.inspected_at, now),
        results=[ItemResult(i.code, i.passed, i.note) for i in body.items], checklist=checklist, note=body.note,
    )
    audit.record(session, principal, now, "inspection.record", f"inspection:{recorded.id}", lane_id=recorded.lane_id,
                 after={"week_of": recorded.week_of.isoformat(), "score": recorded.score})
    return InspectionOut.model_validate(recorded)


@router.get("/lanes/{lane_id}/inspections", response_model=list[InspectionOut],
            responses=error_responses(UnknownLaneError, UnknownScopeError, SignInError, NotAuthorisedError))
def get_lane_inspections(lane_id: StoreId, principal: PrincipalDep, session: SessionDep,
                         page: PageDep) -> list[InspectionOut]:
    """The lane's 周查, for its chiefs and offices (as its exports are).

    Order: oldest week first."""
    check_inspections(session, principal, lane_id)
    found = list_inspections(session, lane_id, limit=page.limit, offset=page.offset)
    return [InspectionOut.model_validate(v) for v in found]
