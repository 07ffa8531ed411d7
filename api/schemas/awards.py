"""The year's winners: 金牌管家 and 金牌小巷管家团, and one holder's awards."""

from __future__ import annotations

from api.schemas.base import OutModel


class GoldStewardOut(OutModel):
    steward_id: int
    name: str
    community: str | None
    scope: str  # the group it was chosen in: a community, or the subdistrict for its share
    rank: int  # within that group
    points: int
    credential_id: str


class GoldTeamOut(OutModel):
    team_id: int
    name: str
    lane: str
    rank: int
    points: int
    credential_id: str


class HeldAwardOut(OutModel):
    year: int
    kind: str  # steward (年度金牌管家) or team (金牌小巷管家团)
    subdistrict_id: int
    scope: str
    rank: int
    points: int
    credential_id: str
