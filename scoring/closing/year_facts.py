"""The year's facts for 年度金牌管家: steward years from the twelve month snapshots, and team years
from the ledger, counting a member's points on the team's lane only while they were a member.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from fractions import Fraction

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from scoring.closing.month import MonthReview
from scoring.closing.policy import CyclePolicy
from scoring.closing.ranking import MembershipSpan, StewardYear, TeamYear, member_months
from scoring.closing.registry_names import Names
from scoring.periods import local_day
from scoring.storage import tables as t


def steward_years(session: Session, reviews: Sequence[MonthReview], policy: CyclePolicy, names: Names) -> list[StewardYear]:
    """Sums of the months' snapshots; a month is active with at least `active_month_min_days` active days."""
    sums: dict[int, list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    places: dict[int, tuple[int, int | None]] = {}
    for review in reviews:
        for r in review.stewards:
            s = sums[r.steward_id]
            s[0] += r.points
            s[1] += 1 if r.active_days >= policy.active_month_min_days else 0
            s[2] += r.patrols_completed
            s[3] += r.cases_confirmed
            places[r.steward_id] = (r.subdistrict_id, r.community_id)
    first_claims = _first_claims(session, list(sums))
    return [
        StewardYear(sid, names.stewards[sid].key, names.stewards[sid].name, *places[sid], *sums[sid],
                    first_claims.get(sid))
        for sid in sorted(sums)
    ]


def _first_claims(session: Session, steward_ids: list[int]) -> dict[int, datetime]:
    if not steward_ids:
        return {}
    c = t.Claim
    return dict(session.execute(
        select(c.steward_id, func.min(c.valid_from)).where(c.steward_id.in_(steward_ids)).group_by(c.steward_id)
    ).all())


@dataclass(frozen=True, slots=True)
class MemberYear:
    steward_id: int
    joined_on: date | None  # None: a member since before the year
    left_on: date | None  # None: still a member at the year's end
    member_months: Fraction
    points: int


@dataclass(frozen=True, slots=True)
class TeamYearDetail:
    team: TeamYear
    lane_id: int
    members: tuple[MemberYear, ...]


def team_years(session: Session, year: int) -> list[TeamYearDetail]:
    first, after = date(year, 1, 1), date(year + 1, 1, 1)
    lanes = dict(session.execute(select(t.Lane.id, t.Lane.subdistrict_id)).all())
    tm, pe = t.TeamMembership, t.PointsEntry
    details = []
    for team in session.scalars(select(t.Team).order_by(t.Team.id)):
        members = []
        for m in session.scalars(select(tm).where(tm.team_id == team.id).order_by(tm.steward_id, tm.valid_from)):
            span = MembershipSpan(m.steward_id, local_day(m.valid_from),
                                  None if m.valid_to is None else local_day(m.valid_to))
            start = max(first, span.first_day)
            end = after if span.end_day is None else min(after, span.end_day)
            if end <= start:
                continue
            points = session.scalar(
                select(func.coalesce(func.sum(pe.points), 0)).where(
                    pe.steward_id == m.steward_id, pe.lane_id == team.lane_id, pe.day >= start, pe.day < end)
            )
            members.append(MemberYear(
                m.steward_id, span.first_day if span.first_day > first else None,
                span.end_day if span.end_day is not None and span.end_day < after else None,
                member_months(span, year), int(points or 0),
            ))
        if members:
            team_year = TeamYear(team.id, team.name, lanes[team.lane_id], sum(m.points for m in members),
                                 sum((m.member_months for m in members), Fraction(0)))
            details.append(TeamYearDetail(team_year, team.lane_id, tuple(members)))
    return details
