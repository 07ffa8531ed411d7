"""Leaderboards by period and scope, and one steward's points with the entries behind them."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.exceptions import RequestValidationError

from api.auth import PrincipalDep
from api.deps import LabelQ, NowDep, PageDep, PeriodKindQ, SessionDep, resolve_period
from api.errors import error_responses
from api.schemas.base import StoreId, Year
from api.schemas.points import LeaderboardOut, PeriodTotalOut, StewardPointsOut
from scoring.accounts.errors import SignInError
from scoring.accounts.jurisdiction import check_steward
from scoring.errors import NotAuthorisedError, StorageUnavailableError, UnknownPeriodError, UnknownScopeError
from scoring.ledger.leaderboard import Scope, ScopeKind, leaderboard, steward_points, totals_by_period
from scoring.periods import PeriodKind

router = APIRouter(tags=["points"], responses=error_responses(RequestValidationError, StorageUnavailableError))


@router.get("/leaderboard", response_model=LeaderboardOut,
            responses=error_responses(UnknownPeriodError, UnknownScopeError))
def get_leaderboard(
    session: SessionDep,
    now: NowDep,
    page: PageDep,
    period: PeriodKindQ = PeriodKind.MONTH,
    label: LabelQ = None,
    scope: ScopeKind = ScopeKind.ALL,
    scope_id: StoreId | None = None,
) -> LeaderboardOut:
    """Order: by points, most first, then by steward id; a steward keeps their rank on every page."""
    p = resolve_period(session, now, period, label)
    where = Scope(scope, scope_id)
    return LeaderboardOut.build(p, where, leaderboard(session, p, where, page.limit, page.offset))


@router.get("/stewards/{steward_id}/points", response_model=StewardPointsOut,
            responses=error_responses(UnknownPeriodError, UnknownScopeError, SignInError, NotAuthorisedError))
def get_steward_points(
    steward_id: StoreId, principal: PrincipalDep, session: SessionDep, now: NowDep, page: PageDep,
    period: PeriodKindQ = PeriodKind.MONTH, label: LabelQ = None,
) -> StewardPointsOut:
    """Every entry behind the steward's total, with its check-ins: where and when they patrolled, so for
    the steward and their area only (the boards show everyone's totals).

    Order: by day, then rule and entry key; the page windows `entries`, `total` and `entry_count` are the
    period's."""
    check_steward(session, principal, steward_id)
    p = resolve_period(session, now, period, label)
    return StewardPointsOut.model_validate(steward_points(session, steward_id, p, limit=page.limit,
                                                          offset=page.offset))


@router.get("/stewards/{steward_id}/totals", response_model=list[PeriodTotalOut],
            responses=error_responses(UnknownScopeError))
def get_steward_totals(
    steward_id: StoreId, session: SessionDep, year: Year, page: PageDep, per: PeriodKindQ = PeriodKind.MONTH
) -> list[PeriodTotalOut]:
    """The steward's points per period of `per` within the calendar year, periods without points left out.

    Order: by label, earliest first."""
    totals = totals_by_period(session, steward_id, per, year)
    return [PeriodTotalOut(label=label, points=pts) for label, pts in totals[page.offset:page.offset + page.limit]]
