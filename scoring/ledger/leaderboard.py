"""Read the points ledger: leaderboards by period and scope, and one steward's points with evidence.

Totals are sums over the append-only ledger for the local days of a period; ranks are competition
ranks (equal points share a rank), ties listed by steward id so the order is stable.
"""

from __future__ import annotations

import enum
from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import Select, false, func, or_, select
from sqlalchemy.orm import Session

from scoring.errors import UnknownScopeError
from scoring.periods import Period, PeriodKind, local_day, period_containing
from scoring.storage import tables as t


class ScopeKind(enum.StrEnum):
    ALL = "all"
    SUBDISTRICT = "subdistrict"
    COMMUNITY = "community"
    LANE = "lane"
    TEAM = "team"


@dataclass(frozen=True, slots=True)
class Scope:
    kind: ScopeKind
    id: int | None = None


@dataclass(frozen=True, slots=True)
class Standing:
    rank: int
    steward_id: int
    name: str
    points: int


@dataclass(frozen=True, slots=True)
class EntryView:
    day: date
    rule: str
    points: int
    segment_id: int | None  # None for lane-level entries (cases, inspections)
    lane_id: int
    ruleset_version: str
    evidence: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class StewardPoints:
    steward_id: int
    name: str
    period: Period
    total: int
    entries: tuple[EntryView, ...]
    entry_count: int  # entries in the period, of which `entries` may be a window


def leaderboard(
    session: Session, period: Period, scope: Scope = Scope(ScopeKind.ALL), limit: int | None = 20, offset: int = 0
) -> list[Standing]:
    """Standings by points, then steward id; `offset` skips that many, and each keeps the rank it has on the
    whole board (the database ranks them, so a page starting inside a tie still shows the tie's rank)."""
    pe = t.PointsEntry
    total = func.sum(pe.points).label("total")
    query: Select[*tuple[Any, ...]] = (
        select(pe.steward_id, t.Steward.name, total, func.rank().over(order_by=total.desc()).label("rank"))
        .join(t.Steward, t.Steward.id == pe.steward_id)
        .where(pe.day >= period.first_day, pe.day <= period.last_day)
        .group_by(pe.steward_id, t.Steward.name)
    )
    ranked = _restrict(session, query, scope, period).subquery()
    rows = session.execute(
        select(ranked.c.rank, ranked.c.steward_id, ranked.c.name, ranked.c.total)
        .order_by(ranked.c.total.desc(), ranked.c.steward_id).limit(limit or None).offset(offset)
    ).all()
    return [Standing(int(rank), steward_id, name, int(points)) for rank, steward_id, name, points in rows]


@dataclass(frozen=True, slots=True)
class EntryPlace:
    """Where an entry of a board's scope was earned: whose it is and on which lane."""

    entry_key: str
    steward_id: int
    lane_id: int


def entries_in_scope(session: Session, period: Period, scope: Scope = Scope(ScopeKind.ALL), *,
                     steward_ids: Collection[int] | None = None, limit: int | None = None) -> list[EntryPlace]:
    """The period's entries that the scope's board counts (of `steward_ids` only, if given), by steward and
    as each steward's explanation lists them; `limit` stops after that many."""
    pe = t.PointsEntry
    query: Select[*tuple[Any, ...]] = select(pe.entry_key, pe.steward_id, pe.lane_id).where(
        pe.day >= period.first_day, pe.day <= period.last_day)
    query = _restrict(session, query, scope, period)
    if steward_ids is not None:
        query = query.where(pe.steward_id.in_(sorted(steward_ids)))
    query = query.order_by(pe.steward_id, pe.day, pe.id)
    if limit is not None:
        query = query.limit(limit)
    return [EntryPlace(key, steward_id, lane_id) for key, steward_id, lane_id in session.execute(query)]


def _restrict(
    session: Session, query: Select[*tuple[Any, ...]], scope: Scope, period: Period
) -> Select[*tuple[Any, ...]]:
    pe = t.PointsEntry
    if scope.kind is ScopeKind.ALL:
        return query
    model = {
        ScopeKind.SUBDISTRICT: t.Subdistrict, ScopeKind.COMMUNITY: t.Community,
        ScopeKind.LANE: t.Lane, ScopeKind.TEAM: t.Team,
    }[scope.kind]
    if scope.id is None or session.get(model, scope.id) is None:
        raise UnknownScopeError(f"no {scope.kind.value} with id {scope.id}: list them under /registry")
    match scope.kind:
        case ScopeKind.LANE:
            return query.where(pe.lane_id == scope.id)
        case ScopeKind.COMMUNITY:
            return query.join(t.Lane, t.Lane.id == pe.lane_id).where(t.Lane.community_id == scope.id)
        case ScopeKind.SUBDISTRICT:
            return query.join(t.Lane, t.Lane.id == pe.lane_id).where(t.Lane.subdistrict_id == scope.id)
        case ScopeKind.TEAM:
            # A member's points on the team's lane count for the local days they were a member.
            team = session.get(t.Team, scope.id)
            assert team is not None
            tm = t.TeamMembership
            spans = []
            for steward_id, valid_from, valid_to in session.execute(
                select(tm.steward_id, tm.valid_from, tm.valid_to).where(tm.team_id == scope.id)
            ):
                span = (pe.steward_id == steward_id) & (pe.day >= local_day(valid_from))
                if valid_to is not None:
                    span &= pe.day < local_day(valid_to)
                spans.append(span)
            return query.where(pe.lane_id == team.lane_id, or_(*spans) if spans else false())
    raise AssertionError(scope)  # pragma: no cover


def steward_points(session: Session, steward_id: int, period: Period, *, limit: int | None = None,
                   offset: int = 0) -> StewardPoints:
    """The steward's total for the period and its entries by day, rule and key; `limit` and `offset` window
    the entries (a year of them with their evidence is hundreds of kilobytes), never the total."""
    steward = session.get(t.Steward, steward_id)
    if steward is None:
        raise UnknownScopeError(f"no steward with id {steward_id}: list them under /registry/stewards")
    pe = t.PointsEntry
    in_period = (pe.steward_id == steward_id, pe.day >= period.first_day, pe.day <= period.last_day)
    total, count = session.execute(select(func.coalesce(func.sum(pe.points), 0), func.count()).where(*in_period)).one()
    rows = session.scalars(
        select(pe).where(*in_period).order_by(pe.day, pe.rule, pe.entry_key).limit(limit).offset(offset)
    ).all()
    entries = tuple(
        EntryView(r.day, r.rule, r.points, r.segment_id, r.lane_id, r.ruleset_version, tuple(r.evidence)) for r in rows
    )
    return StewardPoints(steward_id, steward.name, period, int(total), entries, int(count))


def totals_by_period(session: Session, steward_id: int, kind: PeriodKind, year: int) -> list[tuple[str, int]]:
    """A steward's totals per day, week, month, quarter or year within one calendar year."""
    if session.get(t.Steward, steward_id) is None:
        raise UnknownScopeError(f"no steward with id {steward_id}: list them under /registry/stewards")
    pe = t.PointsEntry
    per_day = session.execute(
        select(pe.day, func.sum(pe.points)).where(
            pe.steward_id == steward_id, pe.day >= date(year, 1, 1), pe.day <= date(year, 12, 31)
        ).group_by(pe.day)
    ).all()
    totals: dict[str, int] = defaultdict(int)
    for day, points in per_day:
        totals[period_containing(kind, day).label] += int(points)
    return sorted(totals.items())
