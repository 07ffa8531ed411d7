"""Explanations over HTTP: which check-ins earned a steward which points in a period, and which did not."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.exceptions import RequestValidationError

from api.auth import PrincipalDep
from api.deps import LabelQ, NowDep, PageDep, PeriodKindQ, SessionDep, resolve_period
from api.errors import error_responses
from api.schemas.base import StoreId
from api.schemas.points import ExplanationOut
from scoring.accounts.errors import SignInError
from scoring.accounts.jurisdiction import check_steward
from scoring.errors import NotAuthorisedError, StorageUnavailableError, UnknownPeriodError, UnknownScopeError
from scoring.ledger.explanations import explain_period
from scoring.periods import PeriodKind

router = APIRouter(tags=["points"], responses=error_responses(RequestValidationError, StorageUnavailableError))


@router.get("/stewards/{steward_id}/explanation", response_model=ExplanationOut,
            responses=error_responses(UnknownPeriodError, UnknownScopeError, SignInError, NotAuthorisedError))
def get_explanation(
    steward_id: StoreId, principal: PrincipalDep, session: SessionDep, now: NowDep, page: PageDep,
    period: PeriodKindQ = PeriodKind.MONTH, label: LabelQ = None,
) -> ExplanationOut:
    """Every entry with its check-ins, rule and rule-set version; reversals; check-ins set aside and why.
    For the steward and their area.

    Order: entries by day, then as booked; check-ins set aside by day. The page windows `entries` and
    `set_aside` each (and `lines`, which are theirs); `total` and the counts are the period's."""
    check_steward(session, principal, steward_id)
    explanation = explain_period(session, steward_id, resolve_period(session, now, period, label),
                                 limit=page.limit, offset=page.offset)
    return ExplanationOut.from_explanation(explanation)
