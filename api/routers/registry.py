"""The registry: places, lanes with their segments and checkpoints, stewards, bands, teams."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.exceptions import RequestValidationError

from api.auth import PrincipalDep
from api.deps import NowDep, PageDep, SessionDep
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
def get_places(session: SessionDep, page: PageDep) -> PlacesOut:
    """Order: each list by id; the page applies to each of the three lists."""
    return PlacesOut.from_rows(q.places(session, limit=page.limit, offset=page.offset))


@router.get("/lanes", response_model=list[LaneOut])
def get_lanes(
    session: SessionDep, page: PageDep, subdistrict_id: StoreId | None = None, community_id: StoreId | None = None
) -> list[LaneOut]:
    """Order: by id."""
    return [LaneOut.model_validate(lane)
            for lane in q.lanes(session, subdistrict_id=subdistrict_id, community_id=community_id,
                                limit=page.limit, offset=page.offset)]


@router.get("/lanes/{lane_id}", response_model=LaneDetailOut, responses=error_responses(UnknownScopeError))
def get_lane(lane_id: StoreId, session: SessionDep, now: NowDep) -> LaneDetailOut:
    return LaneDetailOut.from_detail(q.lane_detail(session, lane_id, now))


@router.get("/stewards", response_model=list[StewardOut], responses=error_responses(SignInError))
def get_stewards(
    principal: PrincipalDep, session: SessionDep, page: PageDep, lane_id: StoreId | None = None,
    community_id: StoreId | None = None,
) -> list[StewardOut]:
    """The stewards in the caller's area (a steward: themself).

    Order: by id."""
    seen = stewards_in_reach(session, principal)
    return [StewardOut.model_validate(s) for s in q.stewards(
        session, lane_id=lane_id, community_id=community_id, among=None if seen is EVERYWHERE else seen,
        limit=page.limit, offset=page.offset)]


@router.get("/bands", response_model=list[BandOut], responses=error_responses(SignInError))
def get_bands(principal: PrincipalDep, session: SessionDep, now: NowDep, page: PageDep) -> list[BandOut]:
    """The bands of the stewards in the caller's area; unbound bands only for the installation's operators.

    Order: by id."""
    seen = stewards_in_reach(session, principal)
    return [BandOut.model_validate(b) for b in q.bands(
        session, now, bound_to=None if seen is EVERYWHERE else seen, limit=page.limit, offset=page.offset)]


@router.get("/teams", response_model=list[TeamOut])
def get_teams(session: SessionDep, page: PageDep) -> list[TeamOut]:
    """Every 小巷管家团, standing or dissolved, with its members now.

    Order: by id."""
    return [TeamOut.model_validate(row) for row in q.teams(session, limit=page.limit, offset=page.offset)]
