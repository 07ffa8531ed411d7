"""Integrity flags over HTTP: a steward's flags and why, their appeal, a chief's decision."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.exceptions import RequestValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from api.auth import PrincipalDep
from api.deps import NowDep, PageDep, SessionDep
from api.errors import error_responses
from api.schemas.base import StoreId
from api.schemas.integrity import AppealIn, DecisionIn, FlagOut
from scoring.accounts import audit
from scoring.accounts.errors import SignInError
from scoring.accounts.jurisdiction import check_steward
from scoring.errors import NotAuthorisedError, StorageUnavailableError, UnknownScopeError
from scoring.integrity.store import (
    FlagDecidedError,
    FlagView,
    InvalidAppealError,
    NotYourFlagError,
    UnknownFlagError,
    appeal,
    decide,
    list_flags,
)
from scoring.storage import tables as t

router = APIRouter(tags=["integrity"], responses=error_responses(RequestValidationError, StorageUnavailableError))


@router.get("/stewards/{steward_id}/flags", response_model=list[FlagOut],
            responses=error_responses(UnknownScopeError, SignInError, NotAuthorisedError))
def get_flags(steward_id: StoreId, principal: PrincipalDep, session: SessionDep, page: PageDep,
              include_lapsed: bool = False) -> list[FlagOut]:
    """The steward's own, or of a steward in the caller's area.

    Order: newest day first, then by id."""
    check_steward(session, principal, steward_id)
    found = list_flags(session, steward_id, include_lapsed=include_lapsed, limit=page.limit, offset=page.offset)
    return [FlagOut.model_validate(f) for f in found]


@router.post("/flags/{flag_id}/appeal", response_model=FlagOut,
             responses=error_responses(UnknownFlagError, NotYourFlagError, FlagDecidedError, InvalidAppealError,
                                       NotAuthorisedError, SignInError))
def post_appeal(flag_id: StoreId, body: AppealIn, principal: PrincipalDep, session: SessionDep,
                now: NowDep) -> FlagOut:
    """The signed-in steward appeals a flag of their own."""
    appealed = appeal(session, flag_id, principal.steward(), body.text, now=now)
    audit.record(session, principal, now, "flag.appeal", f"flag:{flag_id}",
                 subdistrict_id=_subdistrict(session, appealed),
                 after={"state": appealed.state.value, "text": body.text})
    return FlagOut.model_validate(appealed)


@router.post("/flags/{flag_id}/decision", response_model=FlagOut,
             responses=error_responses(UnknownFlagError, NotAuthorisedError, FlagDecidedError, SignInError))
def post_decision(flag_id: StoreId, body: DecisionIn, principal: PrincipalDep, session: SessionDep,
                  now: NowDep) -> FlagOut:
    """The signed-in chief decides. Restoring queues the steward's day for the scorer; its points follow
    on the next scoring run."""
    stored = session.get(t.IntegrityFlag, flag_id)
    before = {"state": stored.state} if stored is not None else None
    decided = decide(session, flag_id, principal.chief(), body.restore, body.note, now=now)
    audit.record(session, principal, now, "flag.decision", f"flag:{flag_id}",
                 subdistrict_id=_subdistrict(session, decided),
                 before=before, after={"state": decided.state.value, "note": body.note})
    return FlagOut.model_validate(decided)


def _subdistrict(session: Session, flag: FlagView) -> int | None:
    """Where a flag's change is logged: its steward's subdistrict."""
    return session.scalar(select(t.Steward.subdistrict_id).where(t.Steward.id == flag.steward_id))
