"""The registry: places, lanes with their segments and checkpoints, stewards, bands, teams."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.exceptions import RequestValidationError

from api.deps import NowDep, SessionDep
from api.errors import error_responses
from api.schemas.base import StoreId
from api.schemas.registry import BandOut, LaneDetailOut, LaneOut, PlacesOut, StewardOut, TeamOut
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


@router.get("/stewards", response_model=list[StewardOut])
def get_stewards(
    session: SessionDep, lane_id: StoreId | None = None, community_id: StoreId | None = None
) -> list[StewardOut]:
    return [StewardOut.model_validate(s) for s in q.stewards(session, lane_id=lane_id, community_id=community_id)]


@router.get("/bands", response_model=list[BandOut])
def get_bands(session: SessionDep, now: NowDep) -> list[BandOut]:
    return [BandOut.model_validate(b) for b in q.bands(session, now)]


@router.get("/teams", response_model=list[TeamOut])
def get_teams(session: SessionDep) -> list[TeamOut]:
    return [TeamOut.from_row(row) for row in q.teams(session)]
