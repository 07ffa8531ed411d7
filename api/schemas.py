"""Response schemas: the API's contract, kept apart from the tables."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel


class PeriodOut(BaseModel):
    kind: str
    label: str
    first_day: date
    last_day: date


class ScopeOut(BaseModel):
    kind: str
    id: int | None


class StandingOut(BaseModel):
    rank: int
    steward_id: int
    name: str
    points: int


class LeaderboardOut(BaseModel):
    period: PeriodOut
    scope: ScopeOut
    standings: list[StandingOut]


class EntryOut(BaseModel):
    day: date
    rule: str
    points: int
    segment_id: int | None  # None for lane-level entries (cases, inspections)
    lane_id: int
    ruleset_version: str
    evidence: list[str]  # check-in keys "band/boot/seq"


class StewardPointsOut(BaseModel):
    steward_id: int
    name: str
    period: PeriodOut
    total: int
    entries: list[EntryOut]


class PeriodTotalOut(BaseModel):
    label: str
    points: int


class PlaceOut(BaseModel):
    id: int
    name: str
    parent_id: int | None


class PlacesOut(BaseModel):
    districts: list[PlaceOut]
    subdistricts: list[PlaceOut]
    communities: list[PlaceOut]


class LaneOut(BaseModel):
    id: int
    name: str
    kind: str
    subdistrict_id: int
    community_id: int | None
    length_m: int | None
    shops: int | None
    residential_buildings: int | None
    segments: int


class CheckpointOut(BaseModel):
    id: int
    name: str
    position_m: float


class SegmentOut(BaseModel):
    id: int
    name: str
    length_m: int
    checkpoints: list[CheckpointOut]
    claimed_by: list[int]


class ChiefOut(BaseModel):
    id: int
    name: str
    role: str


class LaneDetailOut(LaneOut):
    segments_detail: list[SegmentOut]
    chiefs: list[ChiefOut]
    team_id: int | None


class StewardOut(BaseModel):
    id: int
    name: str
    subdistrict_id: int
    community_id: int | None
    home_lane_id: int | None
    joined_on: date


class BandOut(BaseModel):
    id: int
    steward_id: int | None
    bound_from: datetime | None
    registered_at: datetime


class TeamOut(BaseModel):
    id: int
    name: str
    lane_id: int
    formed_at: datetime
    members: int


class HealthOut(BaseModel):
    status: str
    database: str
    timescaledb: bool
    checkins: int
    quarantined: int
    last_event_at: datetime | None


class JobOut(BaseModel):
    name: str
    ok: bool
    runs: int
    failures: int
    last_success_at: datetime | None
    last_failure_at: datetime | None
    failing_since: datetime | None
    last_error: str | None


class ReadyOut(BaseModel):
    ready: bool  # false while a background job (scoring, closing) is failing, e.g. the database is down
    jobs: list[JobOut]


class ActivityPointOut(BaseModel):
    starts_at: datetime
    checkins: int
    stewards: int


class ActivityOut(BaseModel):
    period: PeriodOut
    bucket: str
    points: list[ActivityPointOut]
