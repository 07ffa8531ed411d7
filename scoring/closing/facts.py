"""Read what a period's closing needs from the ledger and the registry: per-steward totals, lane
patrol completion and 周查 scores, confirmed cases, rule-set versions. Queries only; no decisions.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from scoring.cases.workflow import CaseState
from scoring.closing.policy import CyclePolicy
from scoring.closing.ranking import StewardMonth
from scoring.ledger.closed import ADJUSTMENT_PREFIX
from scoring.periods import Period, local_day
from scoring.storage import tables as t


@dataclass(frozen=True, slots=True)
class LaneMonth:
    """A lane's rating for a month: 日巡 due and completed, and the mean of its 周查 scores."""

    lane_id: int
    subdistrict_id: int
    community_id: int | None
    points: int
    patrols_due: int
    patrols_completed: int  # never above patrols_due
    inspections: int
    inspection_score: float | None  # mean score x100, two decimals; None without an inspection


def steward_month_totals(session: Session, period: Period, policy: CyclePolicy) -> list[StewardMonth]:
    """Unranked totals of every steward with points or a confirmed case in the period."""
    pe = t.PointsEntry
    ledger = session.execute(
        select(
            pe.steward_id,
            func.sum(pe.points),
            # An adjustment is booked on its day for a closed month's points: no work was done that day.
            func.count(func.distinct(case((pe.rule.startswith(ADJUSTMENT_PREFIX), None), else_=pe.day))),
            func.sum(case((pe.rule == policy.patrol_rule, 1), else_=0)),
        )
        .where(pe.day >= period.first_day, pe.day <= period.last_day)
        .group_by(pe.steward_id)
    ).all()
    confirmed = cases_confirmed(session, period)
    totals = {sid: (int(p), int(d), int(n)) for sid, p, d, n in ledger}
    ids = sorted(set(totals) | set(confirmed))
    registry = {
        sid: (sub, com)
        for sid, sub, com in session.execute(
            select(t.Steward.id, t.Steward.subdistrict_id, t.Steward.community_id).where(t.Steward.id.in_(ids))
        )
    } if ids else {}
    rows = []
    for sid in ids:
        points, active_days, patrols = totals.get(sid, (0, 0, 0))
        subdistrict_id, community_id = registry[sid]
        rows.append(
            StewardMonth(sid, subdistrict_id, community_id, points, active_days, patrols, confirmed.get(sid, 0))
        )
    return rows


def cases_confirmed(session: Session, period: Period) -> dict[int, int]:
    """Per finder: cases the lane chief confirmed within the period."""
    ev = t.CaseEvent
    rows = session.execute(
        select(t.Case.steward_id, func.count())
        .select_from(ev)
        .join(t.Case, t.Case.id == ev.case_id)
        .where(ev.to_state == CaseState.CONFIRMED.value, ev.at >= period.starts_at(), ev.at < period.ends_at())
        .group_by(t.Case.steward_id)
    ).all()
    return {sid: int(n) for sid, n in rows}


def lane_month_ratings(session: Session, period: Period, policy: CyclePolicy) -> list[LaneMonth]:
    pe = t.PointsEntry
    ledger = {
        lane_id: (int(points), int(patrols))
        for lane_id, points, patrols in session.execute(
            select(pe.lane_id, func.sum(pe.points), func.sum(case((pe.rule == policy.patrol_rule, 1), else_=0)))
            .where(pe.day >= period.first_day, pe.day <= period.last_day)
            .group_by(pe.lane_id)
        )
    }
    due = _patrols_due(session, period, policy)
    ins = t.Inspection
    inspections = {
        lane_id: (int(n), float(mean))
        for lane_id, n, mean in session.execute(
            select(ins.lane_id, func.count(), func.avg(ins.score))
            .where(ins.week_of >= period.first_day, ins.week_of <= period.last_day)
            .group_by(ins.lane_id)
        )
    }
    lane_ids = sorted(set(ledger) | set(due) | set(inspections))
    places = {
        lid: (sub, com)
        for lid, sub, com in session.execute(
            select(t.Lane.id, t.Lane.subdistrict_id, t.Lane.community_id).where(t.Lane.id.in_(lane_ids))
        )
    } if lane_ids else {}
    ratings = []
    for lane_id in lane_ids:
        points, completed = ledger.get(lane_id, (0, 0))
        n, mean = inspections.get(lane_id, (0, None))
        lane_due = due.get(lane_id, 0)
        ratings.append(LaneMonth(
            lane_id, *places[lane_id], points, lane_due, min(completed, lane_due), n,
            None if mean is None else round(mean, 2),
        ))
    return ratings


def _patrols_due(session: Session, period: Period, policy: CyclePolicy) -> dict[int, int]:
    """Claimed segment-days of the period, per lane, times the patrol windows of a day.

    A day counts for a claim from the local day it began, up to (not including) the local day it ended.
    """
    c = t.Claim
    due: dict[int, int] = defaultdict(int)
    rows = session.execute(
        select(t.Segment.lane_id, c.valid_from, c.valid_to)
        .join(t.Segment, t.Segment.id == c.segment_id)
        .where(c.valid_from < period.ends_at(), (c.valid_to.is_(None)) | (c.valid_to > period.starts_at()))
    )
    for lane_id, valid_from, valid_to in rows:
        first: date = max(period.first_day, local_day(valid_from))
        end_excl = period.last_day.toordinal() + 1
        if valid_to is not None:
            end_excl = min(end_excl, local_day(valid_to).toordinal())
        days = end_excl - first.toordinal()
        if days > 0:
            due[lane_id] += days * policy.patrol_windows_per_day
    return dict(due)


def ruleset_versions(session: Session, period: Period) -> tuple[str, ...]:
    pe = t.PointsEntry
    return tuple(sorted(session.scalars(
        select(pe.ruleset_version).where(pe.day >= period.first_day, pe.day <= period.last_day).distinct()
    )))
