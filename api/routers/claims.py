"""认领 over HTTP: a steward claims a segment; a claim is released or handed on; each segment's and each
steward's claim history. Every change re-forms the lane's 小巷管家团 and is logged with it."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter
from fastapi.exceptions import RequestValidationError
from sqlalchemy.orm import Session

from api.auth import PrincipalDep
from api.deps import NowDep, PageDep, SessionDep
from api.errors import error_responses
from api.schemas.base import StoreId
from api.schemas.claims import ClaimChangeOut, ClaimIn, ClaimOut, TransferIn
from scoring.accounts import audit
from scoring.accounts.errors import SignInError
from scoring.accounts.principal import Principal
from scoring.errors import NotAuthorisedError, StorageUnavailableError, UnknownScopeError
from scoring.registry import claiming
from scoring.registry.claiming import ClaimChange, ClaimView
from scoring.registry.errors import ClaimEndedError, InvalidClaimError, SegmentClaimedError, UnknownClaimError

router = APIRouter(tags=["claims"], responses=error_responses(RequestValidationError, StorageUnavailableError))

_SIGNED_IN = (SignInError, NotAuthorisedError)


@router.post("/claims", response_model=ClaimChangeOut, status_code=201,
             responses=error_responses(*_SIGNED_IN, UnknownScopeError, SegmentClaimedError))
def post_claim(body: ClaimIn, principal: PrincipalDep, session: SessionDep, now: NowDep) -> ClaimChangeOut:
    """The signed-in steward claims a segment of their own subdistrict, from now on; 409 segment_claimed
    while another steward holds it."""
    change = claiming.claim_segment(session, principal, body.segment_id, now=now)
    _log(session, principal, now, "claim.open", change)
    return ClaimChangeOut.build(change)


@router.post("/claims/{claim_id}/release", response_model=ClaimChangeOut,
             responses=error_responses(*_SIGNED_IN, UnknownClaimError, ClaimEndedError, InvalidClaimError))
def post_release(claim_id: StoreId, principal: PrincipalDep, session: SessionDep, now: NowDep) -> ClaimChangeOut:
    """Its steward gives the claim up, or the lane's chief or street office ends it; from now on."""
    change = claiming.release_claim(session, principal, claim_id, now=now)
    _log(session, principal, now, "claim.release", change)
    return ClaimChangeOut.build(change)


@router.post("/claims/{claim_id}/transfer", response_model=ClaimChangeOut,
             responses=error_responses(*_SIGNED_IN, UnknownClaimError, ClaimEndedError, InvalidClaimError,
                                       SegmentClaimedError))
def post_transfer(claim_id: StoreId, body: TransferIn, principal: PrincipalDep, session: SessionDep,
                  now: NowDep) -> ClaimChangeOut:
    """The lane's chief or the street office hands the claim to another steward: one ends, the other opens,
    at the same instant."""
    change = claiming.transfer_claim(session, principal, claim_id, body.steward_id, now=now)
    _log(session, principal, now, "claim.transfer", change)
    return ClaimChangeOut.build(change)


@router.get("/segments/{segment_id}/claims", response_model=list[ClaimOut],
            responses=error_responses(*_SIGNED_IN, UnknownScopeError))
def get_segment_claims(segment_id: StoreId, principal: PrincipalDep, session: SessionDep,
                       page: PageDep) -> list[ClaimOut]:
    """Who held the segment, and when: for its lane's chiefs and offices.

    Order: oldest claim first."""
    found = claiming.segment_claims(session, principal, segment_id, limit=page.limit, offset=page.offset)
    return [ClaimOut.model_validate(c) for c in found]


@router.get("/stewards/{steward_id}/claims", response_model=list[ClaimOut],
            responses=error_responses(*_SIGNED_IN, UnknownScopeError))
def get_steward_claims(steward_id: StoreId, principal: PrincipalDep, session: SessionDep,
                       page: PageDep) -> list[ClaimOut]:
    """Every claim of the steward: for the steward and the chiefs and offices of their area.

    Order: oldest claim first."""
    found = claiming.steward_claims(session, principal, steward_id, limit=page.limit, offset=page.offset)
    return [ClaimOut.model_validate(c) for c in found]


def _log(session: Session, principal: Principal, now: datetime, action: str, change: ClaimChange) -> None:
    """One entry for the segment's claims (before: the claim that ended, as it stood; after: the one opened,
    or the ended one as it is now), and one for the team when the change moved it."""
    ended, opened = change.ended, change.opened
    subject = opened or ended
    assert subject is not None
    audit.record(session, principal, now, action, f"segment:{subject.segment_id}", lane_id=subject.lane_id,
                 before=_claim(ended, as_it_stood=True) if ended else None, after=_claim(opened or subject))
    reform = change.team
    if reform.team_id is None:
        return
    kind = "team.form" if reform.change.form else "team.dissolve" if reform.change.dissolve else "team.members"
    audit.record(session, principal, now, kind, f"team:{reform.team_id}", lane_id=reform.lane_id,
                 before={"members": list(reform.members_before)}, after={"members": list(reform.members_after)})


def _claim(view: ClaimView, *, as_it_stood: bool = False) -> dict[str, object]:
    valid_to = None if as_it_stood or view.valid_to is None else view.valid_to.isoformat()
    return {"claim_id": view.id, "steward_id": view.steward_id, "valid_from": view.valid_from.isoformat(),
            "valid_to": valid_to}
