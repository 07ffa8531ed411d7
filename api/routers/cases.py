"""工作台账 over HTTP: report a problem, list and read cases with their audit trail, move a case on."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.exceptions import RequestValidationError

from api.auth import PrincipalDep
from api.deps import NowDep, PageDep, SessionDep
from api.errors import error_responses
from api.schemas.base import StoreId
from api.schemas.cases import CaseDetailOut, CaseIn, CaseOut, ReportedOut, TransitionIn
from scoring.accounts import audit
from scoring.accounts.errors import SignInError
from scoring.accounts.jurisdiction import cases_in_reach, check_case
from scoring.cases.errors import IllegalTransitionError, InvalidCaseInputError, UnknownCaseError
from scoring.cases.store import get_case, list_cases, report_case, transition
from scoring.cases.workflow import CaseState, ProblemReport
from scoring.errors import NotAuthorisedError, StorageUnavailableError, UnknownScopeError

router = APIRouter(tags=["cases"], responses=error_responses(RequestValidationError, StorageUnavailableError))


@router.post("/cases", response_model=ReportedOut, status_code=201,
             responses=error_responses(InvalidCaseInputError, SignInError, NotAuthorisedError))
def post_case(body: CaseIn, principal: PrincipalDep, session: SessionDep, now: NowDep) -> ReportedOut:
    """The signed-in steward reports a problem."""
    report = ProblemReport(
        steward_id=principal.steward(), category=body.category, reported_at=now, lane_id=body.lane_id,
        position_m=body.position_m, checkpoint_id=body.checkpoint_id, photo_ref=body.photo_ref, note=body.note,
    )
    outcome = report_case(session, report)
    detail = get_case(session, outcome.case_id)
    audit.record(session, principal, now, "case.report", f"case:{outcome.case_id}", lane_id=detail.case.lane_id,
                 after={"report_id": outcome.report_id, "opened": outcome.opened, "state": detail.case.state.value})
    return ReportedOut.build(outcome, detail)


@router.get("/cases", response_model=list[CaseOut],
            responses=error_responses(SignInError, NotAuthorisedError, UnknownScopeError))
def get_cases(
    principal: PrincipalDep,
    session: SessionDep,
    page: PageDep,
    lane: StoreId | None = None,
    state: CaseState | None = None,
    open_only: bool = False,
) -> list[CaseOut]:
    """The cases the caller may see: a chief's lane's, an office's area's, a steward's own reports.

    Order: oldest first, by id."""
    reach = cases_in_reach(session, principal, lane)
    found = list_cases(session, lane_id=lane, state=state, open_only=open_only, limit=page.limit, offset=page.offset,
                       lane_ids=reach.lane_ids, reported_by=reach.reported_by)
    return [CaseOut.model_validate(c) for c in found]


@router.get("/cases/{case_id}", response_model=CaseDetailOut,
            responses=error_responses(UnknownCaseError, SignInError, NotAuthorisedError))
def get_one_case(case_id: StoreId, principal: PrincipalDep, session: SessionDep) -> CaseDetailOut:
    detail = get_case(session, case_id)
    check_case(session, principal, detail.case.lane_id, {r.steward_id for r in detail.reports})
    return CaseDetailOut.from_detail(detail)


@router.post(
    "/cases/{case_id}/transitions", response_model=CaseDetailOut,
    responses=error_responses(UnknownCaseError, NotAuthorisedError, IllegalTransitionError, InvalidCaseInputError,
                              SignInError),
)
def post_transition(case_id: StoreId, body: TransitionIn, principal: PrincipalDep, session: SessionDep,
                    now: NowDep) -> CaseDetailOut:
    """The signed-in account moves the case on, as the actor its credential names (never `system`:
    that is a service credential's)."""
    # The event says where the case came from: the case is read once, after the move, for the answer.
    event = transition(session, case_id, body.to, principal.actor(), now, note=body.note,
                       duplicate_of=body.duplicate_of)
    after = get_case(session, case_id)
    came_from = event.from_state.value if event.from_state is not None else None
    audit.record(session, principal, now, "case.transition", f"case:{case_id}", lane_id=after.case.lane_id,
                 before={"state": came_from}, after={"state": after.case.state.value, "note": body.note})
    return CaseDetailOut.from_detail(after)
