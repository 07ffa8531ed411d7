"""The registry: places, lanes with their segments and checkpoints, stewards, bands, teams."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException

from api.deps import NowDep, SessionDep
from api.schemas import (
    BandOut, CheckpointOut, ChiefOut, LaneDetailOut, LaneOut, PlaceOut, PlacesOut, SegmentOut, StewardOut, TeamOut,
)
from scoring.errors import UnknownScopeError
from scoring.registry import queries as q

router = APIRouter(prefix="/registry", tags=["registry"])


@router.get("/places", response_model=PlacesOut)
def get_places(session: SessionDep) -> PlacesOut:
    found = q.places(session)
    return PlacesOut(**{k: [PlaceOut(id=i, name=n, parent_id=p) for i, n, p in rows] for k, rows in found.items()})


@router.get("/lanes", response_model=list[LaneOut])
def get_lanes(session: SessionDep, subdistrict_id: int | None = None, community_id: int | None = None) -> list[LaneOut]:
    return [LaneOut.model_validate(lane, from_attributes=True)
            for lane in q.lanes(session, subdistrict_id=subdistrict_id, community_id=community_id)]


@router.get("/lanes/{lane_id}", response_model=LaneDetailOut)
def get_lane(lane_id: int, session: SessionDep, now: NowDep) -> LaneDetailOut:
    try:
        d = q.lane_detail(session, lane_id, now)
    except UnknownScopeError as exc:
        raise HTTPException(404, str(exc)) from exc
    return LaneDetailOut(
        **LaneOut.model_validate(d.lane, from_attributes=True).model_dump(),
        segments_detail=[
            SegmentOut(id=s.id, name=s.name, length_m=s.length_m, claimed_by=list(s.claimed_by),
                       checkpoints=[CheckpointOut(id=c.id, name=c.name, position_m=c.position_m) for c in s.checkpoints])
            for s in d.segments
        ],
        chiefs=[ChiefOut(id=i, name=n, role=r) for i, n, r in d.chiefs],
        team_id=d.team_id,
    )


@router.get("/stewards", response_model=list[StewardOut])
def get_stewards(session: SessionDep, lane_id: int | None = None, community_id: int | None = None) -> list[StewardOut]:
    return [StewardOut.model_validate(s, from_attributes=True)
            for s in q.stewards(session, lane_id=lane_id, community_id=community_id)]


@router.get("/bands", response_model=list[BandOut])
def get_bands(session: SessionDep, now: NowDep) -> list[BandOut]:
    return [BandOut.model_validate(b, from_attributes=True) for b in q.bands(session, now)]


@router.get("/teams", response_model=list[TeamOut])
def get_teams(session: SessionDep) -> list[TeamOut]:
    return [TeamOut(id=i, name=n, lane_id=lane, formed_at=at, members=m) for i, n, lane, at, m in q.teams(session)]
