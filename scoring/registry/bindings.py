"""Who wears which band: a steward binds one with its claim code, a station hands one over, a band is
returned or reported lost. Every change is a row of `band_bindings`, never overwritten.

A band has one open binding at most and a steward wears one band at a time (partial unique indexes
hold both against a concurrent request). A binding starts now and ends now: records the band made
before it are not this steward's. A lost band's binding ends, the band is marked lost, and it is never
bound again; the steward is given a new band. A returned band goes back to stock, to be handed over
again at a station (its claim code was spent by its first binding).

The gateway sees a binding or its end at its next directory reload (every minute, sooner for a band it
does not know): records from an unbound band are refused `band_not_bound` and kept by the band.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Final

from sqlalchemy import select
from sqlalchemy.orm import Session

from scoring.accounts.errors import AccountLockedError
from scoring.accounts.jurisdiction import (
    EVERYWHERE,
    check_band_desk,
    check_band_stock,
    check_steward,
    require_role,
    wearers_in_reach,
)
from scoring.accounts.principal import Principal
from scoring.accounts.roles import Role
from scoring.registry import claim_codes
from scoring.registry.errors import (
    BandBoundError,
    BandLostError,
    BandNotBoundError,
    ClaimCodeUsedError,
    UnknownBandError,
    WrongClaimCodeError,
)
from scoring.storage import tables as t

# As sign-in's lock-out (scoring.accounts.store): the codes are random, so this only stops a guessing run.
MAX_WRONG_CLAIM_CODES: Final = 5
CLAIM_LOCK_OUT: Final = timedelta(minutes=15)
RETURNED: Final = "returned"
LOST: Final = "lost"
HANDOVER_DESKS: Final = (Role.STATION_STAFF,)  # a band handed over at the community service station
TAKEBACK_DESKS: Final = (Role.STATION_STAFF, Role.COORDINATOR)  # returned or lost: the station, the street office


@dataclass(frozen=True, slots=True)
class BindingView:
    id: int
    band_id: int
    steward_id: int
    valid_from: datetime
    valid_to: datetime | None
    ended_reason: str | None
    subdistrict_id: int  # the steward's: where the change is audited


@dataclass(frozen=True, slots=True)
class LostBand:
    band_id: int
    lost_at: datetime
    ended: BindingView | None  # the binding the loss ended, if anyone wore it


def claim_band(session: Session, principal: Principal, code: str, *, now: datetime) -> BindingView:
    """The signed-in steward binds the band whose claim code they type.

    A wrong code is counted against the account before WrongClaimCodeError is raised: the caller
    commits even then, or the count would roll back with the refusal."""
    steward_id = principal.steward()
    lockout = session.get(t.BandClaimLockout, principal.account_id)
    if lockout is not None and lockout.locked_until is not None and lockout.locked_until > now:
        raise AccountLockedError(
            f"too many wrong claim codes: try again after {lockout.locked_until.isoformat(timespec='minutes')}, "
            "or take the band to your community service station", lockout.locked_until)
    symbols = claim_codes.normalise(code)
    band = (session.scalar(select(t.Band).where(t.Band.claim_code_sha256 == claim_codes.digest(symbols)))
            if symbols is not None else None)
    if band is None:
        _count_wrong_code(session, principal.account_id, lockout, now)
        raise WrongClaimCodeError("this claim code matches no band: type the 16 letters and digits printed with "
                                  "the band (dashes and spaces do not matter)")
    if lockout is not None:
        lockout.failures, lockout.locked_until = 0, None
    if band.claim_code_used_at is not None:
        raise ClaimCodeUsedError("this claim code has been used: a band is claimed once; if it is yours, ask your "
                                 "community service station")
    return _bind(session, band, steward_id, now)


def bind_band(session: Session, principal: Principal, band_id: int, steward_id: int, *, now: datetime) -> BindingView:
    """Station staff hand a band to a steward they reach (a replacement, a returned band reissued)."""
    check_band_desk(session, principal, steward_id, roles=HANDOVER_DESKS)
    return _bind(session, _band(session, band_id), steward_id, now)


def report_lost(session: Session, principal: Principal, band_id: int, *, now: datetime) -> LostBand:
    """The band is lost: its binding ends now, and it is never bound again.

    By the steward who wears it, or the station or street office of that steward; a band nobody wears,
    by the operators."""
    band = _band(session, band_id)
    if band.lost_at is not None:
        raise BandLostError(f"band {band_id} was reported lost on {band.lost_at.isoformat(timespec='minutes')}")
    binding = _open_binding(session, band_id)
    if binding is None:
        check_band_stock(principal)
    else:
        check_band_desk(session, principal, binding.steward_id, roles=TAKEBACK_DESKS, wearer_may=True)
    band.lost_at = now
    ended = _end(session, binding, now, LOST) if binding is not None else None
    return LostBand(band_id, now, ended)


def return_band(session: Session, principal: Principal, band_id: int, *, now: datetime) -> BindingView:
    """The band is handed back: its binding ends now, and it goes back to stock."""
    require_role(principal, *TAKEBACK_DESKS)
    _band(session, band_id)
    binding = _open_binding(session, band_id)
    if binding is None:
        raise BandNotBoundError(f"band {band_id} is worn by nobody: there is no binding to end")
    check_band_desk(session, principal, binding.steward_id, roles=TAKEBACK_DESKS)
    return _end(session, binding, now, RETURNED)


def band_history(session: Session, principal: Principal, band_id: int, *, limit: int,
                 offset: int = 0) -> list[BindingView]:
    """Who wore the band, oldest first: the wearers the caller sees (see `wearers_in_reach`)."""
    _band(session, band_id)
    rows = session.scalars(select(t.BandBinding).where(t.BandBinding.band_id == band_id)
                           .order_by(t.BandBinding.valid_from, t.BandBinding.id)).all()
    seen = wearers_in_reach(session, principal, {b.steward_id for b in rows})
    shown = [b for b in rows if seen is EVERYWHERE or b.steward_id in seen]
    return [_view(session, b) for b in shown[offset:offset + limit]]


def steward_bands(session: Session, principal: Principal, steward_id: int, *, limit: int,
                  offset: int = 0) -> list[BindingView]:
    """The bands a steward wore, oldest first: for the steward and those who see their data."""
    check_steward(session, principal, steward_id)
    rows = session.scalars(select(t.BandBinding).where(t.BandBinding.steward_id == steward_id)
                           .order_by(t.BandBinding.valid_from, t.BandBinding.id).limit(limit).offset(offset))
    return [_view(session, b) for b in rows]


def _bind(session: Session, band: t.Band, steward_id: int, now: datetime) -> BindingView:
    if band.lost_at is not None:
        raise BandLostError(f"band {band.id} was reported lost and is never bound again: bind a new band")
    worn = _open_binding(session, band.id)
    if worn is not None:
        raise BandBoundError(f"band {band.id} is worn by steward {worn.steward_id}: it must be returned first")
    wearing = session.scalar(select(t.BandBinding.band_id).where(t.BandBinding.steward_id == steward_id,
                                                                t.BandBinding.valid_to.is_(None)))
    if wearing is not None:
        raise BandBoundError(f"steward {steward_id} wears band {wearing}: a steward wears one band at a time; "
                             "return it or report it lost first")
    if band.claim_code_sha256 is not None and band.claim_code_used_at is None:
        band.claim_code_used_at = now  # whoever binds it first spends the printed code
    binding = t.BandBinding(band_id=band.id, steward_id=steward_id, valid_from=now, valid_to=None)
    session.add(binding)
    session.flush()
    return _view(session, binding)


def _end(session: Session, binding: t.BandBinding, now: datetime, reason: str) -> BindingView:
    binding.valid_to, binding.ended_reason = max(now, binding.valid_from), reason
    session.flush()
    return _view(session, binding)


def _band(session: Session, band_id: int) -> t.Band:
    band = session.get(t.Band, band_id)
    if band is None:
        raise UnknownBandError(f"no band with id {band_id}: bands are enrolled by an operator (`stewards bands "
                               "enrol`)")
    return band


def _open_binding(session: Session, band_id: int) -> t.BandBinding | None:
    return session.scalar(select(t.BandBinding).where(t.BandBinding.band_id == band_id,
                                                      t.BandBinding.valid_to.is_(None)))


def _count_wrong_code(session: Session, account_id: int, lockout: t.BandClaimLockout | None, now: datetime) -> None:
    if lockout is None:
        lockout = t.BandClaimLockout(account_id=account_id, failures=0, locked_until=None)
        session.add(lockout)
    lockout.failures += 1
    if lockout.failures >= MAX_WRONG_CLAIM_CODES:
        lockout.locked_until, lockout.failures = now + CLAIM_LOCK_OUT, 0
    session.flush()


def _view(session: Session, b: t.BandBinding) -> BindingView:
    subdistrict = session.scalar(select(t.Steward.subdistrict_id).where(t.Steward.id == b.steward_id))
    assert subdistrict is not None  # a foreign key: the steward exists
    return BindingView(b.id, b.band_id, b.steward_id, b.valid_from, b.valid_to, b.ended_reason, subdistrict)
