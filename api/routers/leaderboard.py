"""Leaderboards by period and scope, and one steward's points with the entries behind them."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, HTTPException, Query

from api.deps import NowDep, SessionDep
from api.schemas import EntryOut, LeaderboardOut, PeriodOut, PeriodTotalOut, ScopeOut, StandingOut, StewardPointsOut
from scoring.errors import UnknownPeriodError, UnknownScopeError
from scoring.ledger.leaderboard import Scope, ScopeKind, leaderboard, steward_points, totals_by_period
from scoring.periods import Period, PeriodKind, local_day, parse_period, period_containing
from scoring.status import latest_points_day

router = APIRouter(tags=["points"])

PeriodKindQ = Annotated[PeriodKind, Query(description="day, week (Monday start), month, quarter or year, Asia/Shanghai")]
LabelQ = Annotated[
    str | None,
    Query(description="2017-05-03, 2017-W18, 2017-05, 2017-Q2 or 2017; default: the period of the latest points"),
]


def resolve_period(session: SessionDep, now: NowDep, kind: PeriodKind, label: str | None) -> Period:
    try:
        if label is not None:
            return parse_period(kind, label)
        return period_containing(kind, latest_points_day(session) or local_day(now))
    except UnknownPeriodError as exc:
        raise HTTPException(422, str(exc)) from exc


def period_out(p: Period) -> PeriodOut:
    return PeriodOut(kind=p.kind.value, label=p.label, first_day=p.first_day, last_day=p.last_day)


@router.get("/leaderboard", response_model=LeaderboardOut)
def get_leaderboard(
    session: SessionDep,
    now: NowDep,
    period: PeriodKindQ = PeriodKind.MONTH,
    label: LabelQ = None,
    scope: ScopeKind = ScopeKind.ALL,
    scope_id: int | None = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 20,
) -> LeaderboardOut:
    p = resolve_period(session, now, period, label)
    try:
        standings = leaderboard(session, p, Scope(scope, scope_id), limit)
    except UnknownScopeError as exc:
        raise HTTPException(404, str(exc)) from exc
    return LeaderboardOut(
        period=period_out(p),
        scope=ScopeOut(kind=scope.value, id=scope_id),
        standings=[StandingOut(rank=s.rank, steward_id=s.steward_id, name=s.name, points=s.points) for s in standings],
    )


@router.get("/stewards/{steward_id}/points", response_model=StewardPointsOut)
def get_steward_points(
    steward_id: int, session: SessionDep, now: NowDep, period: PeriodKindQ = PeriodKind.MONTH, label: LabelQ = None
) -> StewardPointsOut:
    p = resolve_period(session, now, period, label)
    try:
        sp = steward_points(session, steward_id, p)
    except UnknownScopeError as exc:
        raise HTTPException(404, str(exc)) from exc
    return StewardPointsOut(
        steward_id=sp.steward_id, name=sp.name, period=period_out(p), total=sp.total,
        entries=[
            EntryOut(day=e.day, rule=e.rule, points=e.points, segment_id=e.segment_id, lane_id=e.lane_id,
                     ruleset_version=e.ruleset_version, evidence=list(e.evidence))
            for e in sp.entries
        ],
    )


@router.get("/stewards/{steward_id}/totals", response_model=list[PeriodTotalOut])
def get_steward_totals(steward_id: int, session: SessionDep, year: int, per: PeriodKindQ = PeriodKind.MONTH) -> list[PeriodTotalOut]:
    return [PeriodTotalOut(label=label, points=pts) for label, pts in totals_by_period(session, steward_id, per, year)]
