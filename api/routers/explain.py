"""Explanations over HTTP: which check-ins earned a steward which points in a period, and which did not."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, HTTPException

from api.deps import NowDep, SessionDep
from api.routers.leaderboard import LabelQ, PeriodKindQ, resolve_period
from scoring.errors import UnknownScopeError
from scoring.ledger.explanations import explain_period
from scoring.periods import PeriodKind

router = APIRouter(tags=["points"])


@router.get("/stewards/{steward_id}/explanation")
def get_explanation(
    steward_id: int, session: SessionDep, now: NowDep, period: PeriodKindQ = PeriodKind.MONTH, label: LabelQ = None,
) -> dict[str, Any]:
    """Every entry with its check-ins, rule and rule-set version; reversals; check-ins set aside and why."""
    p = resolve_period(session, now, period, label)
    try:
        explanation = explain_period(session, steward_id, p)
    except UnknownScopeError as exc:
        raise HTTPException(404, str(exc)) from exc
    body = explanation.as_dict()
    body["lines"] = explanation.lines()
    return body
