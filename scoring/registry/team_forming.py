"""小巷管家团 as claims change: the lane's team is brought in line with its claimants at the instant of
the change, by `scoring.teams.team_change`. Past memberships and teams are never rewritten: a
membership ends, a team is dissolved, both with the instant's date."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from scoring.storage import tables as t
from scoring.teams import TeamChange, team_change, team_name


@dataclass(frozen=True, slots=True)
class TeamReform:
    """What a claim change did to its lane's team; `change.nothing` when it did nothing."""

    lane_id: int
    team_id: int | None  # the team changed (formed, joined, left or dissolved)
    change: TeamChange
    members_before: tuple[int, ...]
    members_after: tuple[int, ...]


def reform_team(session: Session, lane_id: int, now: datetime) -> TeamReform:
    """Apply the team rule to the lane as its claims stand now (the caller has locked the lane)."""
    claimants = set(session.scalars(
        select(t.Claim.steward_id).join(t.Segment, t.Segment.id == t.Claim.segment_id)
        .where(t.Segment.lane_id == lane_id, t.Claim.valid_to.is_(None))
    ))
    team = session.scalar(select(t.Team).where(t.Team.lane_id == lane_id, t.Team.dissolved_at.is_(None)))
    open_memberships = {} if team is None else {
        m.steward_id: m for m in session.scalars(
            select(t.TeamMembership).where(t.TeamMembership.team_id == team.id, t.TeamMembership.valid_to.is_(None)))
    }
    before = tuple(sorted(open_memberships))
    change = team_change(claimants, team is not None, set(open_memberships))
    if change.nothing:
        return TeamReform(lane_id, None, change, before, before)
    if change.form:
        lane = session.get(t.Lane, lane_id)
        assert lane is not None  # the caller's claim is on it
        team = t.Team(lane_id=lane_id, name=team_name(lane.name), formed_at=now)
        session.add(team)
        session.flush()
    assert team is not None
    for steward_id in change.leave:
        open_memberships[steward_id].valid_to = now
    for steward_id in sorted(change.join):
        session.add(t.TeamMembership(team_id=team.id, steward_id=steward_id, valid_from=now, valid_to=None))
    if change.dissolve:
        team.dissolved_at = now
    session.flush()
    after = tuple(sorted((set(before) - change.leave) | change.join))
    return TeamReform(lane_id, team.id, change, before, after)
