"""The registry: places, lanes with their segments and checkpoints, stewards, bands, teams."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.exceptions import RequestValidationError

from api.auth import PrincipalDep
from api.deps import NowDep, SessionDep
from api.errors import error_responses
from api.schemas.base import StoreId
from api.schemas.registry import BandOut, LaneDetailOut, LaneOut, PlacesOut, StewardOut, TeamOut
from scoring.accounts.errors import SignInError
from scoring.accounts.jurisdiction import EVERYWHERE, stewards_in_reach
from scoring.errors import StorageUnavailableError, UnknownScopeError
from scoring.registry import queries as q

router = APIRouter(prefix="/registry", tags=["registry"],
                   responses=error_responses(RequestValidationError, StorageUnavailableError))


@router.get("/places", response_model=PlacesOut)
def get_places(session: SessionDep) -> PlacesOut:
    return PlacesOut.from_rows(q.places(session))


@router.get("/lanes", response_model=list[LaneOut])
def get_lanes(
    session: SessionDep, subdistrict_id: StoreId | None = None, community_id: StoreId | None = None
) -> list[LaneOut]:
    return [LaneOut.model_validate(lane)
            for lane in q.lanes(session, subdistrict_id=subdistrict_id, community_id=community_id)]


@router.get("/lanes/{lane_id}", response_model=LaneDetailOut, responses=error_responses(UnknownScopeError))
def get_lane(lane_id: StoreId, session: SessionDep, now: NowDep) -> LaneDetailOut:
    return LaneDetailOut.from_detail(q.lane_detail(session, lane_id, now))


@router.get("/stewards", response_model=list[StewardOut], responses=error_responses(SignInError))
def get_stewards(
    principal: PrincipalDep, session: SessionDep, lane_id: StoreId | None = None, community_id: StoreId | None = None
) -> list[StewardOut]:
    """The stewards in the caller's area (a steward: themself)."""
    seen = stewards_in_reach(session, principal)
    return [StewardOut.model_validate(s) for s in q.stewards(session, lane_id=lane_id, community_id=community_id)
            if seen is EVERYWHERE or s.id in seen]


@router.get("/bands", response_model=list[BandOut], responses=error_responses(SignInError))
def get_bands(principal: PrincipalDep, session: SessionDep, now: NowDep) -> list[BandOut]:
    """The bands of the stewards in the caller's area; unbound bands only for the installation's operators."""
    seen = stewards_in_reach(session, principal)
    return [BandOut.model_validate(b) for b in q.bands(session, now)
            if seen is EVERYWHERE or (b.steward_id is not None and b.steward_id in seen)]


@router.get("/teams", response_model=list[TeamOut])
def get_teams(session: SessionDep) -> list[TeamOut]:
    """Every 小巷管家团, standing or dissolved, with its members now."""
    return [TeamOut.model_validate(row) for row in q.teams(session)]
