"""The year's facts for 年度金牌管家: steward years from the twelve month snapshots; and team facts for
any period (the award's year, a bulletin's quarter) from the ledger, counting a member's points on the
team's lane only on the days they were a member.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from fractions import Fraction

from sqlalchemy import ColumnElement, Subquery, and_, func, or_, select
from sqlalchemy.orm import Session

from scoring.closing.month import MonthReview
from scoring.closing.policy import CyclePolicy
from scoring.closing.ranking import MembershipSpan, StewardYear, TeamYear, member_months_between
from scoring.closing.registry_names import Names
from scoring.periods import day_starts_at, local_day
from scoring.storage import tables as t


def steward_years(
    session: Session, reviews: Sequence[MonthReview], policy: CyclePolicy, names: Names
) -> list[StewardYear]:
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
    years: list[StewardYear] = []
    for sid in sorted(sums):
        subdistrict_id, community_id = places[sid]
        points, active_months, patrols_completed, cases_confirmed = sums[sid]
        years.append(StewardYear(sid, names.stewards[sid].key, names.stewards[sid].name, subdistrict_id, community_id,
                                 points, active_months, patrols_completed, cases_confirmed, first_claims.get(sid)))
    return years


def _first_claims(session: Session, steward_ids: list[int]) -> dict[int, datetime]:
    if not steward_ids:
        return {}
    c = t.Claim
    return dict(session.execute(
        select(c.steward_id, func.min(c.valid_from)).where(c.steward_id.in_(steward_ids)).group_by(c.steward_id)
    ).all())


@dataclass(frozen=True, slots=True)
class MemberPeriod:
    """One membership's part in a team's period; a steward who left and rejoined has one per membership."""

    steward_id: int
    joined_on: date | None  # None: a member since before the period
    left_on: date | None  # None: still a member at the period's end
    member_months: Fraction
    points: int


@dataclass(frozen=True, slots=True)
class TeamPeriodDetail:
    team: TeamYear
    lane_id: int
    members: tuple[MemberPeriod, ...]  # by steward id, then the membership's start


def team_years(session: Session, year: int) -> list[TeamPeriodDetail]:
    return team_period_facts(session, date(year, 1, 1), date(year + 1, 1, 1))


@dataclass(frozen=True, slots=True)
class _Membership:
    team_id: int
    lane_id: int
    span: MembershipSpan
    start: date  # the span clipped to the period: [start, end)
    end: date

    def covers(self, first_day: date, after_day: date) -> bool:
        return self.start == first_day and self.end == after_day


def team_period_facts(session: Session, first_day: date, after_day: date) -> list[TeamPeriodDetail]:
    """Every team with a member in the local days [first_day, after_day), teams by id.

    A member's points are those earned on the team's lane on the days of their membership: from the
    day they joined, up to but not including the day they left.
    """
    memberships = _memberships(session, first_day, after_day)
    whole, by_day = _member_points(session, first_day, after_day)
    members: dict[int, list[MemberPeriod]] = defaultdict(list)
    for m in memberships:
        key = (m.span.steward_id, m.lane_id)
        if m.covers(first_day, after_day):
            points = whole.get(key, 0)
        else:
            points = sum(p for day, p in by_day.get(key, ()) if m.start <= day < m.end)
        members[m.team_id].append(MemberPeriod(
            m.span.steward_id, m.span.first_day if m.span.first_day > first_day else None,
            m.span.end_day if m.span.end_day is not None and m.span.end_day < after_day else None,
            member_months_between(m.span, first_day, after_day), points,
        ))
    lanes = dict(session.execute(select(t.Lane.id, t.Lane.subdistrict_id)).all())
    details = []
    for team in session.scalars(select(t.Team).order_by(t.Team.id)):
        team_members = tuple(members.get(team.id, ()))
        if not team_members:
            continue
        team_year = TeamYear(team.id, team.name, lanes[team.lane_id], sum(m.points for m in team_members),
                             sum((m.member_months for m in team_members), Fraction(0)))
        details.append(TeamPeriodDetail(team_year, team.lane_id, team_members))
    return details


def _overlaps(first_day: date, after_day: date) -> ColumnElement[bool]:
    """Memberships that may hold a day of the period; `_memberships` clips them exactly by local day."""
    tm = t.TeamMembership
    return and_(tm.valid_from < day_starts_at(after_day),
                or_(tm.valid_to.is_(None), tm.valid_to >= day_starts_at(first_day + timedelta(days=1))))


def _memberships(session: Session, first_day: date, after_day: date) -> list[_Membership]:
    tm = t.TeamMembership
    found = []
    for team_id, lane_id, steward_id, valid_from, valid_to in session.execute(
        select(tm.team_id, t.Team.lane_id, tm.steward_id, tm.valid_from, tm.valid_to)
        .join(t.Team, t.Team.id == tm.team_id).where(_overlaps(first_day, after_day))
        .order_by(tm.team_id, tm.steward_id, tm.valid_from, tm.id)
    ):
        span = MembershipSpan(steward_id, local_day(valid_from), None if valid_to is None else local_day(valid_to))
        start = max(first_day, span.first_day)
        end = after_day if span.end_day is None else min(after_day, span.end_day)
        if end > start:
            found.append(_Membership(team_id, lane_id, span, start, end))
    return found


def _member_points(session: Session, first_day: date, after_day: date
                   ) -> tuple[dict[tuple[int, int], int], dict[tuple[int, int], list[tuple[date, int]]]]:
    """Members' points on their teams' lanes: per (steward, lane) for the whole period, and per day for
    the pairs with a membership that starts or ends inside it.

    Two queries whatever the number of teams: a membership covering the whole period needs only its
    total, and the daily rows, which a clip needs, stay few because only joiners and leavers need them.
    """
    tm, pe = t.TeamMembership, t.PointsEntry
    in_period = and_(pe.day >= first_day, pe.day < after_day)
    everyone = _pairs(_overlaps(first_day, after_day))
    whole = {
        (steward_id, lane_id): int(points)
        for steward_id, lane_id, points in session.execute(
            select(pe.steward_id, pe.lane_id, func.sum(pe.points))
            .join(everyone, and_(everyone.c.steward_id == pe.steward_id, everyone.c.lane_id == pe.lane_id))
            .where(in_period).group_by(pe.steward_id, pe.lane_id)
        )
    }
    # A membership is clipped when it began after the period's first day or ended before its last.
    clipped = _pairs(and_(_overlaps(first_day, after_day), or_(
        tm.valid_from >= day_starts_at(first_day + timedelta(days=1)),
        and_(tm.valid_to.is_not(None), tm.valid_to < day_starts_at(after_day)),
    )))
    by_day: dict[tuple[int, int], list[tuple[date, int]]] = defaultdict(list)
    for steward_id, lane_id, day, points in session.execute(
        select(pe.steward_id, pe.lane_id, pe.day, func.sum(pe.points))
        .join(clipped, and_(clipped.c.steward_id == pe.steward_id, clipped.c.lane_id == pe.lane_id))
        .where(in_period).group_by(pe.steward_id, pe.lane_id, pe.day)
    ):
        by_day[(steward_id, lane_id)].append((day, int(points)))
    return whole, by_day


def _pairs(condition: ColumnElement[bool]) -> Subquery:
    """The distinct (steward, team lane) pairs of the memberships matching `condition`."""
    tm = t.TeamMembership
    return (select(tm.steward_id, t.Team.lane_id).join(t.Team, t.Team.id == tm.team_id)
            .where(condition).distinct().subquery())
