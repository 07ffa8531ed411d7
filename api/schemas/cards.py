"""名片: a steward's name, phone, lanes and teams."""

from __future__ import annotations

from api.schemas.base import OutModel


class CardSegmentOut(OutModel):
    id: int
    name: str


class CardLaneOut(OutModel):
    id: int
    name: str
    segments: list[CardSegmentOut]


class CardTeamOut(OutModel):
    id: int
    name: str
    lane_id: int


class CardOut(OutModel):
    steward_id: int
    title: str = "小巷管家"
    name: str
    phone: str | None
    subdistrict: str
    community: str | None
    lanes: list[CardLaneOut]
    teams: list[CardTeamOut]
