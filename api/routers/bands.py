"""Bands over HTTP: operators enrol them, stewards claim them with the printed code, the community
service station hands them over and takes them back, anyone concerned reports one lost; and the
history of who wore which. A checkpoint's beacons are listed here too, never with their secrets."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, Request
from fastapi.exceptions import RequestValidationError
from sqlalchemy.orm import Session

from api.auth import PrincipalDep
from api.deps import NowDep, PageDep, SessionDep, transaction
from api.errors import error_responses
from api.schemas.bands import BandId, BeaconOut, BindIn, BindingOut, ClaimIn, EnrolIn, EnrolledOut, LostOut
from api.schemas.base import StoreId
from scoring.accounts import audit
from scoring.accounts.errors import AccountLockedError, SignInError
from scoring.accounts.jurisdiction import check_band_stock, check_beacons
from scoring.accounts.principal import Principal
from scoring.errors import NotAuthorisedError, StorageUnavailableError, UnknownScopeError
from scoring.registry.bands import enrol_band
from scoring.registry.beacons import beacon_history, checkpoint_lane
from scoring.registry.bindings import (
    BindingView,
    band_history,
    bind_band,
    claim_band,
    report_lost,
    return_band,
    steward_bands,
)
from scoring.registry.errors import (
    BandBoundError,
    BandExistsError,
    BandLostError,
    BandNotBoundError,
    ClaimCodeUsedError,
    InvalidBandError,
    InvalidBandKeyError,
    UnknownBandError,
    UnknownCheckpointError,
    WrongClaimCodeError,
)

router = APIRouter(tags=["bands"],
                   responses=error_responses(RequestValidationError, StorageUnavailableError, SignInError,
                                             NotAuthorisedError))


@router.post("/bands", response_model=EnrolledOut, status_code=201,
             responses=error_responses(InvalidBandKeyError, InvalidBandError, BandExistsError))
def post_band(body: EnrolIn, principal: PrincipalDep, session: SessionDep, now: NowDep) -> EnrolledOut:
    """An operator enrols a band with the public key it reports; the answer's claim code is shown this once."""
    check_band_stock(principal)
    enrolled = enrol_band(session, body.band_id, body.public_key, now=now)
    audit.record(session, principal, now, "band.enrol", f"band:{enrolled.band_id}",
                 after={"key_origin": enrolled.key_origin})
    return EnrolledOut.model_validate(enrolled)


@router.post("/bands/claim", response_model=BindingOut, status_code=201,
             responses=error_responses(WrongClaimCodeError, ClaimCodeUsedError, BandLostError, BandBoundError,
                                       AccountLockedError))
def post_claim(body: ClaimIn, principal: PrincipalDep, request: Request, now: NowDep) -> BindingOut:
    """The signed-in steward binds the band whose printed claim code they type; wrong codes lock out after a few."""
    with transaction(request) as session:
        try:
            binding = claim_band(session, principal, body.claim_code, now=now)
        except WrongClaimCodeError:
            session.commit()  # the wrong attempt counts, though the request is refused
            raise
        _audit(session, principal, now, "band.claim", binding)
    return BindingOut.model_validate(binding)


@router.post("/bands/{band_id}/binding", response_model=BindingOut, status_code=201,
             responses=error_responses(UnknownBandError, UnknownScopeError, BandLostError, BandBoundError))
def post_binding(band_id: BandId, body: BindIn, principal: PrincipalDep, session: SessionDep,
                 now: NowDep) -> BindingOut:
    """Station staff hand the band to a steward of their area."""
    binding = bind_band(session, principal, band_id, body.steward_id, now=now)
    _audit(session, principal, now, "band.bind", binding)
    return BindingOut.model_validate(binding)


@router.post("/bands/{band_id}/lost", response_model=LostOut,
             responses=error_responses(UnknownBandError, BandLostError))
def post_lost(band_id: BandId, principal: PrincipalDep, session: SessionDep, now: NowDep) -> LostOut:
    """The band is lost: its binding ends now and it is never bound again. By its wearer, their station or
    street office; a band nobody wears, by an operator."""
    lost = report_lost(session, principal, band_id, now=now)
    audit.record(session, principal, now, "band.lost", f"band:{band_id}",
                 subdistrict_id=lost.ended.subdistrict_id if lost.ended is not None else None,
                 before={"steward_id": lost.ended.steward_id} if lost.ended is not None else None,
                 after={"lost_at": lost.lost_at.isoformat()})
    return LostOut.model_validate(lost)


@router.post("/bands/{band_id}/return", response_model=BindingOut,
             responses=error_responses(UnknownBandError, BandNotBoundError))
def post_return(band_id: BandId, principal: PrincipalDep, session: SessionDep, now: NowDep) -> BindingOut:
    """The band is handed back at the station: its binding ends now and the band goes back to stock."""
    ended = return_band(session, principal, band_id, now=now)
    _audit(session, principal, now, "band.return", ended)
    return BindingOut.model_validate(ended)


@router.get("/bands/{band_id}/bindings", response_model=list[BindingOut], responses=error_responses(UnknownBandError))
def get_band_bindings(band_id: BandId, principal: PrincipalDep, session: SessionDep, page: PageDep) -> list[BindingOut]:
    """Who wore the band and when: the wearers the caller sees.

    Order: oldest binding first."""
    return [BindingOut.model_validate(b)
            for b in band_history(session, principal, band_id, limit=page.limit, offset=page.offset)]


@router.get("/stewards/{steward_id}/bands", response_model=list[BindingOut],
            responses=error_responses(UnknownScopeError))
def get_steward_bands(steward_id: StoreId, principal: PrincipalDep, session: SessionDep,
                      page: PageDep) -> list[BindingOut]:
    """The bands the steward wore and when.

    Order: oldest binding first."""
    return [BindingOut.model_validate(b)
            for b in steward_bands(session, principal, steward_id, limit=page.limit, offset=page.offset)]


@router.get("/registry/checkpoints/{checkpoint_id}/beacons", response_model=list[BeaconOut],
            responses=error_responses(UnknownCheckpointError))
def get_beacons(checkpoint_id: StoreId, principal: PrincipalDep, session: SessionDep,
                page: PageDep) -> list[BeaconOut]:
    """The checkpoint's beacons, for the operators of its area; never their secrets.

    Order: oldest installed first."""
    check_beacons(session, principal, checkpoint_lane(session, checkpoint_id))
    return [BeaconOut.model_validate(b)
            for b in beacon_history(session, checkpoint_id, limit=page.limit, offset=page.offset)]


def _audit(session: Session, principal: Principal, now: datetime, action: str, b: BindingView) -> None:
    audit.record(session, principal, now, action, f"band:{b.band_id}", subdistrict_id=b.subdistrict_id,
                 after={"steward_id": b.steward_id, "valid_from": b.valid_from.isoformat(),
                        "valid_to": b.valid_to.isoformat() if b.valid_to is not None else None})
