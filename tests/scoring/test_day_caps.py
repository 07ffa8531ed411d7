"""The rulebook's day and week caps bound everything a steward earns, whichever path books it: patrol points
from the scorer and chief-confirmed work (cases) from the lane-work job alike, in either order, on both stores.
What a cap took is recorded on the entry and shown in the explanation; running either job again changes nothing."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import Engine, func, select

from scoring.cases.points import RULE_CASE_CONFIRMED, RULE_CASE_FIX_CONFIRMED, CasePoints
from scoring.cases.store import report_case, transition
from scoring.cases.workflow import Actor, ActorKind, CaseCategory, CaseState, ProblemReport
from scoring.ingest import IngestStore
from scoring.lane_points import score_lane_work
from scoring.ledger.explanations import explain_period
from scoring.periods import PeriodKind, period_containing
from scoring.rulebook import CAP_DAY, CAP_WEEK, RULE_SEGMENT_PATROL, load_rulebook
from scoring.scorer import rescore_all, score_pending
from scoring.seed.dataset import Dataset
from scoring.storage import tables as t
from scoring.storage.engine import session_factory
from tests.scoring.checkins import Patroller, Recorder, at, patroller

RULEBOOK = load_rulebook()
MONDAY = date(2017, 9, 4)
DAY = MONDAY + timedelta(days=1)
RECEIVED_AT = datetime(2017, 9, 20, 1, 0, tzinfo=UTC)
DAY_CAP = RULEBOOK.rules_for(DAY).max_points_per_day
WEEK_CAP = RULEBOOK.rules_for(DAY).max_points_per_week
CASE_ROUND = CasePoints().confirmed + CasePoints().fix_confirmed  # 8: what one round earns before caps


@dataclass(frozen=True)
class Fuguang:
    """赵云华 claims segments of 福光路, whose chief is 梁金荣."""

    zhao: Patroller
    lane: int
    chief: int


def _fuguang(engine: Engine, data: Dataset) -> Fuguang:
    zhao = patroller(engine, data, "赵云华")
    with session_factory(engine)() as s:
        lane = s.scalar(select(t.Lane.id).where(t.Lane.name == "福光路"))
        chief = s.scalar(select(t.Chief.id).where(t.Chief.name == "梁金荣"))
    assert lane is not None and chief is not None
    return Fuguang(zhao, lane, chief)


def _rounds(engine: Engine, fg: Fuguang, day: date, rounds: int) -> None:
    """The attack: report → confirm → fixed → fix confirmed, `rounds` times on one day."""
    chief = Actor(ActorKind.CHIEF, fg.chief)
    with session_factory(engine).begin() as s:
        for i in range(rounds):
            start = at(day, 12) + timedelta(minutes=10 * i)
            report = ProblemReport(fg.zhao.steward_id, CaseCategory.WALL_OPENING, start, lane_id=fg.lane,
                                   position_m=100.0)
            case_id = report_case(s, report).case_id
            for k, to in enumerate((CaseState.CONFIRMED, CaseState.FIXED, CaseState.FIX_CONFIRMED), start=1):
                transition(s, case_id, to, chief, start + timedelta(minutes=k))


def _patrol(engine: Engine, fg: Fuguang, rec: Recorder, day: date, hour: int) -> None:
    """Both claimed segments walked in one window: 4 checkpoint visits and 2 patrols, 14 points."""
    rows = rec.walk(fg.zhao, at(day, hour), 0) + rec.walk(fg.zhao, at(day, hour, 10), 1)
    IngestStore(engine).commit(rows, [], received_at=RECEIVED_AT)


def _day_total(engine: Engine, steward_id: int, day: date) -> int:
    with engine.connect() as conn:
        pe = t.PointsEntry
        return int(conn.scalar(select(func.coalesce(func.sum(pe.points), 0))
                               .where(pe.steward_id == steward_id, pe.day == day)) or 0)


def _live(engine: Engine, steward_id: int, day: date) -> list[tuple[str, int, int, str]]:
    """(rule, points, trimmed, cap) of the day's live entries."""
    with engine.connect() as conn:
        pe = t.PointsEntry
        rows = conn.execute(select(pe.id, pe.rule, pe.points, pe.trimmed_points, pe.cap, pe.reverses_id)
                            .where(pe.steward_id == steward_id, pe.day == day)).all()
    reversed_ids = {r.reverses_id for r in rows}
    return sorted((r.rule, r.points, r.trimmed_points, r.cap) for r in rows
                  if r.reverses_id is None and r.id not in reversed_ids)


def _count(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(conn.scalar(select(func.count()).select_from(t.PointsEntry)) or 0)


def test_six_rounds_of_confirmed_work_in_a_day_end_at_the_day_cap(seeded: Engine, longtan: Dataset) -> None:
    fg = _fuguang(seeded, longtan)
    _rounds(seeded, fg, DAY, 6)
    assert score_lane_work(seeded, RULEBOOK) == 12

    steward = fg.zhao.steward_id
    assert DAY_CAP is not None and 6 * CASE_ROUND > DAY_CAP
    assert _day_total(seeded, steward, DAY) == DAY_CAP
    entries = _live(seeded, steward, DAY)
    assert len(entries) == 12 and {r for r, *_ in entries} == {RULE_CASE_CONFIRMED, RULE_CASE_FIX_CONFIRMED}
    assert sum(p + trimmed for _, p, trimmed, _ in entries) == 6 * CASE_ROUND  # nothing earned is lost from view
    assert {cap for _, _, trimmed, cap in entries if trimmed} == {CAP_DAY}

    with session_factory(seeded)() as s:
        explanation = explain_period(s, steward, period_containing(PeriodKind.DAY, DAY), RULEBOOK)
    assert explanation.total == DAY_CAP
    assert sum(e.trimmed_points for e in explanation.entries) == 6 * CASE_ROUND - DAY_CAP
    assert any("因每日积分上限扣减" in e.text for e in explanation.entries)

    count = _count(seeded)
    assert score_lane_work(seeded, RULEBOOK) == 0
    assert score_pending(seeded, RULEBOOK).entries_added == 0
    assert rescore_all(seeded, RULEBOOK).entries_added == 0
    assert _count(seeded) == count and _day_total(seeded, steward, DAY) == DAY_CAP


def test_work_takes_what_the_patrol_left_and_a_late_patrol_record_keeps_the_day_at_its_cap(
    seeded: Engine, longtan: Dataset
) -> None:
    fg = _fuguang(seeded, longtan)
    steward = fg.zhao.steward_id
    rec = Recorder()
    _patrol(seeded, fg, rec, DAY, 7)
    score_pending(seeded, RULEBOOK)
    assert _day_total(seeded, steward, DAY) == 14

    _rounds(seeded, fg, DAY, 6)
    score_lane_work(seeded, RULEBOOK)
    assert _day_total(seeded, steward, DAY) == DAY_CAP
    patrol = [e for e in _live(seeded, steward, DAY) if e[0] not in (RULE_CASE_CONFIRMED, RULE_CASE_FIX_CONFIRMED)]
    assert sum(p for _, p, _, _ in patrol) == 14 and not any(trimmed for _, _, trimmed, _ in patrol)

    # The evening's patrol arrives late: it is granted first, and the work gives way to it.
    _patrol(seeded, fg, rec, DAY, 18)
    report = score_pending(seeded, RULEBOOK)
    assert report.reversals > 0
    assert _day_total(seeded, steward, DAY) == DAY_CAP
    entries = _live(seeded, steward, DAY)
    work = [e for e in entries if e[0] in (RULE_CASE_CONFIRMED, RULE_CASE_FIX_CONFIRMED)]
    patrol = [e for e in entries if e not in work]
    assert sum(p for _, p, _, _ in patrol) == 24  # the evening's visits are the morning's checkpoints: 2 patrols more
    assert sum(p for _, p, _, _ in work) == DAY_CAP - 24
    assert sum(p + trimmed for _, p, trimmed, _ in work) == 6 * CASE_ROUND

    count = _count(seeded)
    assert score_lane_work(seeded, RULEBOOK) == 0
    assert rescore_all(seeded, RULEBOOK).entries_added == 0
    assert _count(seeded) == count


def test_the_week_cap_counts_the_work_of_the_days_before_whichever_job_ran_first(
    seeded: Engine, longtan: Dataset
) -> None:
    """Saturday's patrol is scored before the week's work is booked; once it is, the week ends at its cap."""
    fg = _fuguang(seeded, longtan)
    steward = fg.zhao.steward_id
    saturday = MONDAY + timedelta(days=5)
    _patrol(seeded, fg, Recorder(), saturday, 7)
    score_pending(seeded, RULEBOOK)
    assert _day_total(seeded, steward, saturday) == 14

    for n in range(5):  # Monday to Friday, each day's work past the day cap
        _rounds(seeded, fg, MONDAY + timedelta(days=n), 4)
    score_lane_work(seeded, RULEBOOK)

    assert DAY_CAP is not None and WEEK_CAP is not None and 5 * DAY_CAP == WEEK_CAP
    week = [_day_total(seeded, steward, MONDAY + timedelta(days=n)) for n in range(7)]
    assert week == [DAY_CAP] * 5 + [0, 0]
    saturday_entries = _live(seeded, steward, saturday)
    assert saturday_entries and all(p == 0 and cap == CAP_WEEK for _, p, _, cap in saturday_entries)
    assert any(rule == RULE_SEGMENT_PATROL for rule, *_ in saturday_entries)

    count = _count(seeded)
    assert score_lane_work(seeded, RULEBOOK) == 0
    assert rescore_all(seeded, RULEBOOK).entries_added == 0
    assert _count(seeded) == count
