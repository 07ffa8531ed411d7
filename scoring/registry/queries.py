"""Read the registry for the API: lists and details, plain rows, no ORM objects leaking out.

Every list is by id and takes `limit` and `offset` (None: all of it), so a caller pages through it in SQL."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from scoring.errors import UnknownScopeError
from scoring.storage import tables as t


@dataclass(frozen=True, slots=True)
class LaneSummary:
    id: int
    name: str
    kind: str
    subdistrict_id: int
    community_id: int | None
    length_m: int | None
    shops: int | None
    residential_buildings: int | None
    segments: int


@dataclass(frozen=True, slots=True)
class CheckpointRow:
    id: int
    name: str
    position_m: float


@dataclass(frozen=True, slots=True)
class SegmentRow:
    id: int
    name: str
    length_m: int
    checkpoints: tuple[CheckpointRow, ...]
    claimed_by: tuple[int, ...]  # stewards holding a claim now


@dataclass(frozen=True, slots=True)
class LaneDetail:
    lane: LaneSummary
    segments: tuple[SegmentRow, ...]
    chiefs: tuple[tuple[int, str, str], ...]  # (id, name, role)
    team_id: int | None


@dataclass(frozen=True, slots=True)
class StewardRow:
    id: int
    name: str
    subdistrict_id: int
    community_id: int | None
    home_lane_id: int | None
    joined_on: date


@dataclass(frozen=True, slots=True)
class BandRow:
    id: int
    steward_id: int | None
    bound_from: datetime | None
    registered_at: datetime
    key_origin: str  # demo (db seed's derived key) or enrolled
    lost_at: datetime | None


@dataclass(frozen=True, slots=True)
class SubdistrictRow:
    id: int
    key: str  # stable across installations and reloads: the registry data set's key
    name: str


def subdistricts(session: Session) -> list[SubdistrictRow]:
    return [SubdistrictRow(r.id, r.key, r.name)
            for r in session.scalars(select(t.Subdistrict).order_by(t.Subdistrict.key))]


def lane_ids_of(session: Session, subdistrict_id: int) -> frozenset[int]:
    return frozenset(session.scalars(select(t.Lane.id).where(t.Lane.subdistrict_id == subdistrict_id)))


def places(session: Session, *, limit: int | None = None,
           offset: int = 0) -> dict[str, list[tuple[int, str, int | None]]]:
    """Districts, subdistricts and communities as (id, name, parent id); the window applies to each list."""
    return {
        "districts": [(r.id, r.name, None) for r in session.scalars(
            select(t.District).order_by(t.District.id).limit(limit).offset(offset))],
        "subdistricts": [(r.id, r.name, r.district_id) for r in session.scalars(
            select(t.Subdistrict).order_by(t.Subdistrict.id).limit(limit).offset(offset))],
        "communities": [(r.id, r.name, r.subdistrict_id) for r in session.scalars(
            select(t.Community).order_by(t.Community.id).limit(limit).offset(offset))],
    }


def lanes(session: Session, *, subdistrict_id: int | None = None, community_id: int | None = None,
          limit: int | None = None, offset: int = 0) -> list[LaneSummary]:
    segments = (
        select(t.Segment.lane_id, func.count(t.Segment.id).label("n")).group_by(t.Segment.lane_id).subquery()
    )
    query = select(t.Lane, func.coalesce(segments.c.n, 0)).outerjoin(segments, segments.c.lane_id == t.Lane.id)
    if subdistrict_id is not None:
        query = query.where(t.Lane.subdistrict_id == subdistrict_id)
    if community_id is not None:
        query = query.where(t.Lane.community_id == community_id)
    return [_lane_summary(lane, n)
            for lane, n in session.execute(query.order_by(t.Lane.id).limit(limit).offset(offset))]


def lane_detail(session: Session, lane_id: int, now: datetime) -> LaneDetail:
    lane = session.get(t.Lane, lane_id)
    if lane is None:
        raise UnknownScopeError(f"no lane with id {lane_id}: list them under /registry/lanes")
    segs = session.scalars(select(t.Segment).where(t.Segment.lane_id == lane_id).order_by(t.Segment.id)).all()
    seg_ids = [s.id for s in segs]
    cps: dict[int, list[CheckpointRow]] = {}
    for cp in session.scalars(
        select(t.Checkpoint).where(t.Checkpoint.segment_id.in_(seg_ids)).order_by(t.Checkpoint.position_m)
    ):
        cps.setdefault(cp.segment_id, []).append(CheckpointRow(cp.id, cp.name, cp.position_m))
    claimants: dict[int, list[int]] = {}
    for seg_id, steward_id in session.execute(
        select(t.Claim.segment_id, t.Claim.steward_id).where(
            t.Claim.segment_id.in_(seg_ids), t.Claim.valid_from <= now,
            (t.Claim.valid_to.is_(None)) | (t.Claim.valid_to > now),
        ).order_by(t.Claim.steward_id)
    ):
        claimants.setdefault(seg_id, []).append(steward_id)
    chiefs = tuple(
        (c.id, c.name, c.role)
        for c in session.scalars(select(t.Chief).where(t.Chief.lane_id == lane_id).order_by(t.Chief.id))
    )
    team_id = session.scalar(select(t.Team.id).where(t.Team.lane_id == lane_id, t.Team.dissolved_at.is_(None)))
    return LaneDetail(
        _lane_summary(lane, len(segs)),
        tuple(SegmentRow(s.id, s.name, s.length_m, tuple(cps.get(s.id, ())), tuple(claimants.get(s.id, ())))
              for s in segs),
        chiefs,
        team_id,
    )


def stewards(session: Session, *, lane_id: int | None = None, community_id: int | None = None,
             among: Collection[int] | None = None, limit: int | None = None, offset: int = 0) -> list[StewardRow]:
    """`among`: only these stewards (a caller's reach); None: every steward."""
    query = select(t.Steward).order_by(t.Steward.id).limit(limit).offset(offset)
    if among is not None:
        query = query.where(t.Steward.id.in_(sorted(among)))
    if lane_id is not None:
        query = query.where(t.Steward.home_lane_id == lane_id)
    if community_id is not None:
        query = query.where(t.Steward.community_id == community_id)
    return [
        StewardRow(s.id, s.name, s.subdistrict_id, s.community_id, s.home_lane_id, s.joined_on)
        for s in session.scalars(query)
    ]


def bands(session: Session, now: datetime, *, bound_to: Collection[int] | None = None, limit: int | None = None,
          offset: int = 0) -> list[BandRow]:
    """Every band with its steward now; `bound_to`: only the bands bound now to one of these stewards."""
    b = t.BandBinding
    current = select(b.band_id, b.steward_id, b.valid_from).where(
        b.valid_from <= now, (b.valid_to.is_(None)) | (b.valid_to > now)).subquery()
    query = (select(t.Band.id, current.c.steward_id, current.c.valid_from, t.Band.registered_at, t.Band.key_origin,
                    t.Band.lost_at)
             .outerjoin(current, current.c.band_id == t.Band.id).order_by(t.Band.id).limit(limit).offset(offset))
    if bound_to is not None:
        query = query.where(current.c.steward_id.in_(sorted(bound_to)))
    return [BandRow(*row) for row in session.execute(query)]


@dataclass(frozen=True, slots=True)
class TeamRow:
    id: int
    name: str
    lane_id: int
    formed_at: datetime
    dissolved_at: datetime | None
    members: int  # members now: none once dissolved


def teams(session: Session, *, limit: int | None = None, offset: int = 0) -> list[TeamRow]:
    """Every team, standing or dissolved, in order of formation."""
    members = (
        select(t.TeamMembership.team_id, func.count().label("n"))
        .where(t.TeamMembership.valid_to.is_(None)).group_by(t.TeamMembership.team_id).subquery()
    )
    rows = session.execute(
        select(t.Team.id, t.Team.name, t.Team.lane_id, t.Team.formed_at, t.Team.dissolved_at,
               func.coalesce(members.c.n, 0))
        .outerjoin(members, members.c.team_id == t.Team.id).order_by(t.Team.id).limit(limit).offset(offset)
    )
    return [TeamRow(*r) for r in rows]


def _lane_summary(lane: t.Lane, segments: int) -> LaneSummary:
    return LaneSummary(
        lane.id, lane.name, lane.kind, lane.subdistrict_id, lane.community_id,
        lane.length_m, lane.shops, lane.residential_buildings, segments,
    )
