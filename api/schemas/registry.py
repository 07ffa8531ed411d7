"""The registry: places, lanes with their segments, checkpoints and chiefs, stewards, bands, teams."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import Field

from api.schemas.base import OutModel
from scoring.registry.queries import LaneDetail


class PlaceOut(OutModel):
    id: int
    name: str
    parent_id: int | None


class PlacesOut(OutModel):
    districts: list[PlaceOut]
    subdistricts: list[PlaceOut]
    communities: list[PlaceOut]

    @classmethod
    def from_rows(cls, found: dict[str, list[tuple[int, str, int | None]]]) -> PlacesOut:
        """From the registry's (id, name, parent id) rows by kind."""
        return cls.model_validate(
            {kind: [{"id": i, "name": n, "parent_id": p} for i, n, p in rows] for kind, rows in found.items()}
        )


class LaneOut(OutModel):
    id: int
    name: str
    kind: str
    subdistrict_id: int
    community_id: int | None
    length_m: int | None
    shops: int | None
    residential_buildings: int | None
    segments: int


class CheckpointOut(OutModel):
    id: int
    name: str
    position_m: float


class SegmentOut(OutModel):
    id: int
    name: str
    length_m: int
    checkpoints: list[CheckpointOut]
    claimed_by: list[int]


class ChiefOut(OutModel):
    id: int
    name: str
    role: str


class LaneDetailOut(LaneOut):
    segments_detail: list[SegmentOut]
    chiefs: list[ChiefOut]
    team_id: int | None

    @classmethod
    def from_detail(cls, d: LaneDetail) -> LaneDetailOut:
        return cls.model_validate({
            **LaneOut.model_validate(d.lane).model_dump(),
            "segments_detail": d.segments,
            "chiefs": [{"id": i, "name": n, "role": r} for i, n, r in d.chiefs],
            "team_id": d.team_id,
        })


class StewardOut(OutModel):
    id: int
    name: str
    subdistrict_id: int
    community_id: int | None
    home_lane_id: int | None
    joined_on: date


class BandOut(OutModel):
    id: int
    steward_id: int | None
    bound_from: datetime | None
    registered_at: datetime
    key_origin: str
    lost_at: datetime | None


class TeamOut(OutModel):
    id: int
    name: str
    lane_id: int
    formed_at: datetime
    dissolved_at: datetime | None = Field(description="set once fewer than three stewards were left on the lane")
    members: int
