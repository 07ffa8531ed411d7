"""名片: the card a steward hands to residents (“递上写有她姓名和电话的‘小巷管家’专属名片”): their name,
their phone, the lanes and segments they hold now, and the teams they belong to."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from scoring.accounts.jurisdiction import check_card
from scoring.accounts.principal import Principal
from scoring.storage import tables as t


@dataclass(frozen=True, slots=True)
class CardSegment:
    id: int
    name: str


@dataclass(frozen=True, slots=True)
class CardLane:
    id: int
    name: str
    segments: tuple[CardSegment, ...]


@dataclass(frozen=True, slots=True)
class CardTeam:
    id: int
    name: str
    lane_id: int


@dataclass(frozen=True, slots=True)
class Card:
    steward_id: int
    name: str
    phone: str | None
    subdistrict: str
    community: str | None
    lanes: tuple[CardLane, ...]  # claimed now, by lane
    teams: tuple[CardTeam, ...]  # standing, with the steward a member now


def steward_card(session: Session, principal: Principal, steward_id: int, *, now: datetime) -> Card:
    check_card(session, principal, steward_id)
    steward = session.get(t.Steward, steward_id)
    assert steward is not None  # the check found it
    subdistrict = session.get(t.Subdistrict, steward.subdistrict_id)
    community = session.get(t.Community, steward.community_id) if steward.community_id is not None else None
    assert subdistrict is not None
    held = session.execute(
        select(t.Lane.id, t.Lane.name, t.Segment.id, t.Segment.name)
        .join(t.Segment, t.Segment.lane_id == t.Lane.id).join(t.Claim, t.Claim.segment_id == t.Segment.id)
        .where(t.Claim.steward_id == steward_id, t.Claim.valid_from <= now,
               or_(t.Claim.valid_to.is_(None), t.Claim.valid_to > now))
        .order_by(t.Lane.id, t.Segment.id)
    ).all()
    lanes: dict[int, tuple[str, list[CardSegment]]] = {}
    for lane_id, lane_name, segment_id, segment_name in held:
        lanes.setdefault(lane_id, (lane_name, []))[1].append(CardSegment(segment_id, segment_name))
    teams = session.execute(
        select(t.Team.id, t.Team.name, t.Team.lane_id).join(t.TeamMembership, t.TeamMembership.team_id == t.Team.id)
        .where(t.TeamMembership.steward_id == steward_id, t.Team.dissolved_at.is_(None),
               t.TeamMembership.valid_from <= now,
               or_(t.TeamMembership.valid_to.is_(None), t.TeamMembership.valid_to > now))
        .order_by(t.Team.id).distinct()
    ).all()
    return Card(steward.id, steward.name, steward.phone, subdistrict.name, community.name if community else None,
                tuple(CardLane(i, name, tuple(segs)) for i, (name, segs) in lanes.items()),
                tuple(CardTeam(*row) for row in teams))
