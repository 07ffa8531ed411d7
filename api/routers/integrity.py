"""Integrity flags over HTTP: a steward's flags and why, their appeal, a chief's decision."""

from __future__ import annotations

from datetime import date, datetime

from fastapi import APIRouter, HTTPException
from pydantic import BaseModel, Field

from api.deps import NowDep, SessionDep
from scoring.errors import NotAuthorisedError
from scoring.integrity.states import FlagState
from scoring.integrity.store import (
    APPEAL_MAX_CHARS,
    FlagDecidedError,
    FlagError,
    FlagView,
    InvalidAppealError,
    NotYourFlagError,
    UnknownFlagError,
    appeal,
    decide,
    list_flags,
)
from scoring.storage import tables as t

router = APIRouter(tags=["integrity"])


class ActionOut(BaseModel):
    at: datetime
    action: str
    actor_kind: str
    actor_id: int | None
    note: str


class FlagOut(BaseModel):
    id: int
    steward_id: int
    day: date
    kind: str
    visit_keys: list[str]  # the check-ins "band/boot/seq" it covers
    reason_zh: str
    reason_en: str
    state: FlagState
    state_label: str
    withholds: bool  # its check-ins earn no points now
    lapsed: bool
    ruleset_version: str
    created_at: datetime
    decided_at: datetime | None
    decided_by: int | None
    actions: list[ActionOut]


class AppealIn(BaseModel):
    steward_id: int
    text: str = Field(min_length=1, max_length=APPEAL_MAX_CHARS)


class DecisionIn(BaseModel):
    chief_id: int
    restore: bool = Field(description="true: the check-ins count again; false: the flag is upheld")
    note: str = ""


def _out(f: FlagView) -> FlagOut:
    return FlagOut(
        id=f.id, steward_id=f.steward_id, day=f.day, kind=f.kind, visit_keys=list(f.visit_keys),
        reason_zh=f.reason_zh, reason_en=f.reason_en, state=f.state, state_label=f.state.label,
        withholds=f.withholds, lapsed=f.lapsed, ruleset_version=f.ruleset_version, created_at=f.created_at,
        decided_at=f.decided_at, decided_by=f.decided_by,
        actions=[ActionOut(at=a.at, action=a.action, actor_kind=a.actor_kind, actor_id=a.actor_id, note=a.note)
                 for a in f.actions],
    )


def _http_error(exc: FlagError | NotAuthorisedError) -> HTTPException:
    match exc:
        case UnknownFlagError():
            return HTTPException(404, str(exc))
        case NotYourFlagError() | NotAuthorisedError():
            return HTTPException(403, str(exc))
        case FlagDecidedError():
            return HTTPException(409, str(exc))
        case InvalidAppealError():
            return HTTPException(422, str(exc))
    return HTTPException(400, str(exc))


@router.get("/stewards/{steward_id}/flags", response_model=list[FlagOut])
def get_flags(steward_id: int, session: SessionDep, include_lapsed: bool = False) -> list[FlagOut]:
    if session.get(t.Steward, steward_id) is None:
        raise HTTPException(404, f"no steward with id {steward_id}: list them under /registry/stewards")
    return [_out(f) for f in list_flags(session, steward_id, include_lapsed=include_lapsed)]


@router.post("/flags/{flag_id}/appeal", response_model=FlagOut)
def post_appeal(flag_id: int, body: AppealIn, session: SessionDep, now: NowDep) -> FlagOut:
    try:
        view = appeal(session, flag_id, body.steward_id, body.text, now=now)
        session.commit()
        return _out(view)
    except (FlagError, NotAuthorisedError) as exc:
        raise _http_error(exc) from exc


@router.post("/flags/{flag_id}/decision", response_model=FlagOut)
def post_decision(flag_id: int, body: DecisionIn, session: SessionDep, now: NowDep) -> FlagOut:
    """Restoring queues the steward's day for the scorer; its points follow on the next scoring run."""
    try:
        view = decide(session, flag_id, body.chief_id, body.restore, body.note, now=now)
        session.commit()
        return _out(view)
    except (FlagError, NotAuthorisedError) as exc:
        raise _http_error(exc) from exc
