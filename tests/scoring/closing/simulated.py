"""A simulated year of 幸福社区 for the closing tests: points entries, 周查 inspections and cases.

The year is calendar 2018, the first full year after 幸福社区's fifteen stewards joined (May 2017), so
every month of the award year has them claiming their segments. Everything is drawn from a seeded
random generator: the same call gives the same ledger.
"""

from __future__ import annotations

import random
from collections import defaultdict
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import Engine, insert, select
from sqlalchemy.orm import Session

from scoring.periods import PROGRAMME_TZ
from scoring.storage import tables as t

YEAR = 2018
XINGFU = "longtan/xingfu"
RULESET = "sim000000001"
# Takes a break in January to March: active in 9 months, below the 10 that gold needs.
RESTING_STEWARD = "longtan/steward-015"


def at(day: date, hour: int) -> datetime:
    return datetime.combine(day, time(hour), PROGRAMME_TZ).astimezone(UTC)


def year_days(year: int = YEAR) -> list[date]:
    first = date(year, 1, 1)
    return [first + timedelta(days=i) for i in range((date(year + 1, 1, 1) - first).days)]


def xingfu_stewards(session: Session) -> list[t.Steward]:
    community = session.scalar(select(t.Community).where(t.Community.key == XINGFU))
    assert community is not None
    return list(session.scalars(select(t.Steward).where(t.Steward.community_id == community.id).order_by(t.Steward.id)))


def simulate_year(engine: Engine, year: int = YEAR) -> None:
    with Session(engine) as session, session.begin():
        stewards = xingfu_stewards(session)
        segments: dict[int, list[tuple[int, int]]] = defaultdict(list)
        for steward_id, segment_id, lane_id in session.execute(
            select(t.Claim.steward_id, t.Claim.segment_id, t.Segment.lane_id)
            .join(t.Segment, t.Segment.id == t.Claim.segment_id).order_by(t.Claim.id)
        ):
            segments[steward_id].append((segment_id, lane_id))
        created = at(date(year + 1, 1, 1), 1)
        rows = []
        for s in stewards:
            rng = random.Random(f"closing-sim/{s.key}")
            diligence = 0.55 + 0.4 * rng.random()
            for day in year_days(year):
                if s.key == RESTING_STEWARD and day.month <= 3:
                    continue
                if rng.random() > diligence:
                    continue
                for segment_id, lane_id in segments[s.id]:
                    rows.append(_entry(s.id, day, "checkpoint_visit", 3, segment_id, lane_id, created))
                    if rng.random() < 0.7:
                        rows.append(_entry(s.id, day, "segment_patrol", 5, segment_id, lane_id, created))
        session.execute(insert(t.PointsEntry), rows)
        _inspections(session, stewards, year)
        _cases(session, stewards, year)


def simulate_first_quarter(engine: Engine, year: int = YEAR) -> None:
    """A small ledger: patrols in January to March only, a few hundred entries, for tests that need a closed
    cycle fast. 赵云华 patrols most; 幸福北里's stewards more than the others, so its team earns the most."""
    with Session(engine) as session, session.begin():
        lanes = dict(session.execute(select(t.Lane.id, t.Lane.key)).all())
        first_claims: dict[int, tuple[int, int]] = {}
        for steward_id, segment_id, lane_id in session.execute(
            select(t.Claim.steward_id, t.Claim.segment_id, t.Segment.lane_id)
            .join(t.Segment, t.Segment.id == t.Claim.segment_id).order_by(t.Claim.id)
        ):
            first_claims.setdefault(steward_id, (segment_id, lane_id))
        created = at(date(year, 4, 1), 1)
        rows = []
        for order, steward in enumerate(xingfu_stewards(session)):
            segment_id, lane_id = first_claims[steward.id]
            on_team_lane = lanes[lane_id].endswith("/xingfu-beili")
            days = 20 if steward.name == "赵云华" else (12 if on_team_lane else 8) - order % 3
            rows += [_entry(steward.id, date(year, month, d), "segment_patrol", 5, segment_id, lane_id, created)
                     for month in (1, 2, 3) for d in range(1, days + 1)]
        session.execute(insert(t.PointsEntry), rows)


def _entry(steward_id: int, day: date, rule: str, points: int, segment_id: int, lane_id: int,
           created: datetime) -> dict[str, object]:
    return {
        "entry_key": f"sim/{steward_id}/{day}/{segment_id}/{rule}", "steward_id": steward_id, "day": day,
        "rule": rule, "ruleset_version": RULESET, "points": points, "segment_id": segment_id,
        "lane_id": lane_id, "evidence": [f"sim/{day}"], "created_at": created,
    }


def _inspections(session: Session, stewards: list[t.Steward], year: int) -> None:
    lanes = sorted({s.home_lane_id for s in stewards if s.home_lane_id is not None})
    chief = session.scalar(select(t.Chief.id).order_by(t.Chief.id))
    assert chief is not None
    monday = date(year, 1, 1) + timedelta(days=(7 - date(year, 1, 1).weekday()) % 7)
    rng = random.Random("closing-sim/inspections")
    while monday.year == year:
        for lane_id in lanes:
            passed = rng.randint(14, 20)
            session.add(t.Inspection(
                lane_id=lane_id, chief_id=chief, inspected_at=at(monday, 10), week_of=monday,
                checklist_version="sim", items_total=20, items_passed=passed, score=passed * 5.0,
            ))
        monday += timedelta(days=14)


def _cases(session: Session, stewards: list[t.Steward], year: int) -> None:
    """A 开墙打洞 or 堆物堆料 found each month by a different steward; most are fixed a month later."""
    categories = ("wall_opening", "piled_materials", "parking_lock", "street_vending")
    for month in range(1, 13):
        finder = stewards[month % len(stewards)]
        reported = at(date(year, month, 3), 9)
        case = t.Case(
            lane_id=finder.home_lane_id, category=categories[month % len(categories)], state="reported",
            position_m=10.0 * month, steward_id=finder.id, source="api", reported_at=reported,
            state_changed_at=reported,
        )
        session.add(case)
        session.flush()
        events = [(None, "reported", reported), ("reported", "confirmed", reported + timedelta(days=2))]
        if month < 11:
            fixed = reported + timedelta(days=30)
            events += [("confirmed", "fixed", fixed), ("fixed", "fix_confirmed", fixed + timedelta(days=1))]
        for from_state, to_state, when in events:
            session.add(t.CaseEvent(case_id=case.id, at=when, from_state=from_state, to_state=to_state,
                                    actor_kind="system", actor_id=None))
        case.state = events[-1][1]
        case.state_changed_at = events[-1][2]
