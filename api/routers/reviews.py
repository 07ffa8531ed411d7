"""月评 over HTTP: a subdistrict's closed month, its 月度之星, its ranking (paged) and its lanes' ratings."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.exceptions import RequestValidationError

from api.auth import PrincipalDep
from api.deps import NowDep, PageDep, SessionDep, parse_label
from api.errors import error_responses
from api.schemas.base import StoreId
from api.schemas.reviews import MonthReviewOut
from scoring.accounts.errors import SignInError
from scoring.accounts.jurisdiction import check_subdistrict_documents
from scoring.closing.errors import NoDocumentError, PeriodNotClosedError
from scoring.closing.published import subdistrict_month
from scoring.errors import NotAuthorisedError, StorageUnavailableError, UnknownPeriodError, UnknownScopeError
from scoring.periods import PeriodKind

router = APIRouter(tags=["cycle"], responses=error_responses(RequestValidationError, StorageUnavailableError))


@router.get("/subdistricts/{subdistrict_id}/reviews/{month}", response_model=MonthReviewOut,
            responses=error_responses(UnknownPeriodError, UnknownScopeError, SignInError, NotAuthorisedError,
                                      PeriodNotClosedError, NoDocumentError))
def get_month_review(subdistrict_id: StoreId, month: str, principal: PrincipalDep, session: SessionDep,
                     now: NowDep, page: PageDep) -> MonthReviewOut:
    """The subdistrict's 月评 of `month` (e.g. 2018-05): frozen when the month closed, the day after it ends.

    Order: the ranking by rank in the subdistrict, then steward id; the lanes by lane id (not paged)."""
    period = parse_label(PeriodKind.MONTH, month)
    check_subdistrict_documents(session, principal, subdistrict_id)
    review = subdistrict_month(session, subdistrict_id, period, now, limit=page.limit, offset=page.offset)
    return MonthReviewOut.model_validate(review)
