"""认领 as commands: a steward claims a segment, a claim is released or handed to another steward; and
each segment's and each steward's claim history.

One steward per segment at a time. Every change locks the segment's lane first (PostgreSQL; SQLite has
one writer at a time), so changes on one lane run one after another and its team is re-formed from
claims as they stand; and the store refuses a second open claim on a segment whatever got past the
check (`uq_claims_open_segment`), so of two claims racing for one segment exactly one is stored.
A claim starts at the server's instant `now`; the only change a claim ever takes is its end.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from scoring.accounts.jurisdiction import check_claim_history, check_claim_office, check_steward
from scoring.accounts.principal import Principal
from scoring.accounts.roles import Role
from scoring.errors import NotAuthorisedError, UnknownScopeError
from scoring.registry.errors import ClaimEndedError, InvalidClaimError, SegmentClaimedError, UnknownClaimError
from scoring.registry.team_forming import TeamReform, reform_team
from scoring.storage import tables as t
from scoring.storage.dialect import lock_rows


@dataclass(frozen=True, slots=True)
class ClaimView:
    id: int
    steward_id: int
    segment_id: int
    lane_id: int
    valid_from: datetime
    valid_to: datetime | None


@dataclass(frozen=True, slots=True)
class ClaimChange:
    """What one command did: the claim it ended, the one it opened, and the lane's team after."""

    ended: ClaimView | None
    opened: ClaimView | None
    team: TeamReform


def claim_segment(session: Session, principal: Principal, segment_id: int, *, now: datetime) -> ClaimChange:
    """The signed-in steward claims a segment of their own subdistrict, from now on."""
    steward = session.get(t.Steward, principal.steward())
    segment = session.get(t.Segment, segment_id)
    if segment is None:
        raise UnknownScopeError(f"no segment with id {segment_id}: see the lanes under /registry/lanes")
    lane = session.get(t.Lane, segment.lane_id)
    assert steward is not None and lane is not None  # an account names its steward; a segment its lane
    if lane.subdistrict_id != steward.subdistrict_id:
        raise NotAuthorisedError("a steward claims segments of their own subdistrict: this one is another's")
    _lock_lane(session, lane.id)
    held = session.scalar(select(t.Claim).where(t.Claim.segment_id == segment_id, t.Claim.valid_to.is_(None)))
    if held is not None:
        if held.steward_id == steward.id:
            raise SegmentClaimedError(f"you hold segment {segment_id} already (claim {held.id})")
        raise SegmentClaimedError(_TAKEN.format(segment_id))
    claim = t.Claim(steward_id=steward.id, segment_id=segment_id, valid_from=now, valid_to=None)
    session.add(claim)
    _store_open_claim(session, segment_id)
    return ClaimChange(None, _view(claim, lane.id), reform_team(session, lane.id, now))


def release_claim(session: Session, principal: Principal, claim_id: int, *, now: datetime) -> ClaimChange:
    """End a claim now: its steward's own, or any on a lane of the caller's as its chief or office."""
    claim, lane_id = _claim(session, claim_id)
    if principal.role is Role.STEWARD:
        if principal.steward_id != claim.steward_id:
            raise NotAuthorisedError("a steward releases their own claims; the lane's chief or the street office "
                                     "releases others'")
    else:
        check_claim_office(session, principal, lane_id)
    _lock_lane(session, lane_id)
    session.refresh(claim)  # as it stands now that the lane is ours
    ended = _end(claim, now)
    return ClaimChange(_view(ended, lane_id), None, reform_team(session, lane_id, now))


def transfer_claim(session: Session, principal: Principal, claim_id: int, to_steward_id: int, *,
                   now: datetime) -> ClaimChange:
    """Hand a claim to another steward of the lane's subdistrict: one claim ends and the other opens at
    the same instant, so the segment is never held by two, nor by none, in between."""
    claim, lane_id = _claim(session, claim_id)
    check_claim_office(session, principal, lane_id)
    lane = session.get(t.Lane, lane_id)
    target = session.get(t.Steward, to_steward_id)
    assert lane is not None
    if target is None:
        raise InvalidClaimError(f"no steward with id {to_steward_id}: list them under /registry/stewards")
    if target.subdistrict_id != lane.subdistrict_id:
        raise InvalidClaimError(f"steward {to_steward_id} lives in another subdistrict: a claim goes to a steward "
                                "of the lane's own")
    _lock_lane(session, lane_id)
    session.refresh(claim)
    if claim.valid_to is None and claim.steward_id == to_steward_id:
        raise InvalidClaimError(f"steward {to_steward_id} holds claim {claim_id} already")
    ended = _end(claim, now)
    session.flush()  # the end first: the store allows one open claim per segment
    opened = t.Claim(steward_id=to_steward_id, segment_id=claim.segment_id, valid_from=now, valid_to=None)
    session.add(opened)
    _store_open_claim(session, claim.segment_id)
    return ClaimChange(_view(ended, lane_id), _view(opened, lane_id), reform_team(session, lane_id, now))


def segment_claims(session: Session, principal: Principal, segment_id: int, *, limit: int,
                   offset: int) -> list[ClaimView]:
    """Every claim on a segment, oldest first: for its lane's chiefs and offices."""
    segment = session.get(t.Segment, segment_id)
    if segment is None:
        raise UnknownScopeError(f"no segment with id {segment_id}: see the lanes under /registry/lanes")
    check_claim_history(session, principal, segment.lane_id)
    return _history(session, t.Claim.segment_id == segment_id, limit, offset)


def steward_claims(session: Session, principal: Principal, steward_id: int, *, limit: int,
                   offset: int) -> list[ClaimView]:
    """Every claim of a steward, oldest first: for the steward and those whose area reaches them."""
    check_steward(session, principal, steward_id)
    return _history(session, t.Claim.steward_id == steward_id, limit, offset)


_TAKEN = ("segment {} is claimed by another steward: one steward per segment at a time. Choose a free one, or "
          "ask the lane's chief about it")


def _claim(session: Session, claim_id: int) -> tuple[t.Claim, int]:
    claim = session.get(t.Claim, claim_id)
    if claim is None:
        raise UnknownClaimError(f"no claim with id {claim_id}: a steward's claims are under /stewards/{{id}}/claims")
    lane_id = session.scalar(select(t.Segment.lane_id).where(t.Segment.id == claim.segment_id))
    assert lane_id is not None
    return claim, lane_id


def _lock_lane(session: Session, lane_id: int) -> None:
    locked = lock_rows(session, select(t.Lane.id).where(t.Lane.id == lane_id))
    if locked is not None:
        session.execute(locked)


def _end(claim: t.Claim, now: datetime) -> t.Claim:
    if claim.valid_to is not None:
        raise ClaimEndedError(f"claim {claim.id} ended at {claim.valid_to.isoformat(timespec='seconds')}: a past "
                              "claim is history, not changed")
    if now < claim.valid_from:
        raise InvalidClaimError(f"claim {claim.id} starts at {claim.valid_from.isoformat(timespec='seconds')}, "
                                "after now: check the server's clock")
    claim.valid_to = now
    return claim


def _store_open_claim(session: Session, segment_id: int) -> None:
    """Write the new open claim now, so that the store's one-open-claim index answers here: the claim is
    the flush's only insert, so a refusal is that index's."""
    try:
        session.flush()
    except IntegrityError as exc:
        raise SegmentClaimedError(_TAKEN.format(segment_id)) from exc


def _history(session: Session, condition: ColumnElement[bool], limit: int, offset: int) -> list[ClaimView]:
    rows = session.execute(
        select(t.Claim, t.Segment.lane_id).join(t.Segment, t.Segment.id == t.Claim.segment_id)
        .where(condition).order_by(t.Claim.valid_from, t.Claim.id).limit(limit).offset(offset)
    )
    return [_view(claim, lane_id) for claim, lane_id in rows]


def _view(claim: t.Claim, lane_id: int) -> ClaimView:
    return ClaimView(claim.id, claim.steward_id, claim.segment_id, lane_id, claim.valid_from, claim.valid_to)
