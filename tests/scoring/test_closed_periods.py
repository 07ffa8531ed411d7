"""A closed month stays closed: once January's 月评 is frozen, nothing dated into January changes its totals.

A backdated 周查 is refused; points that still follow from January (work confirmed in it but booked
after it closed, a flag restored after it closed, late records and full rescores) are booked as
adjustments on the first day of the first open month, and explained as such. After each attack the
frozen review equals what the live ledger gives for the month, on both stores."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from api.errors import answer_for
from scoring.cases.points import RULE_CASE_CONFIRMED
from scoring.cases.store import report_case, transition
from scoring.cases.workflow import Actor, ActorKind, CaseCategory, CaseState, ProblemReport
from scoring.closing import CyclePolicy, close_month, load_month_review
from scoring.closing.facts import lane_month_ratings, steward_month_totals
from scoring.closing.ranking import rank_month
from scoring.errors import PeriodClosedError
from scoring.ingest import IngestStore
from scoring.inspections import ItemResult, default_checklist, record_inspection
from scoring.integrity.store import decide, list_flags
from scoring.lane_points import score_lane_work
from scoring.ledger.closed import ADJUSTMENT_FOR, ADJUSTMENT_PREFIX
from scoring.ledger.explanations import explain_period
from scoring.periods import PeriodKind, parse_period
from scoring.rulebook import RULE_CHECKPOINT_VISIT, load_rulebook
from scoring.scorer import rescore_all, score_pending
from scoring.seed.dataset import Dataset
from scoring.storage import tables as t
from scoring.storage.engine import session_factory
from tests.scoring.checkins import Patroller, Recorder, at, patroller

RULEBOOK = load_rulebook()
JANUARY = "2018-01"
FEBRUARY_1 = date(2018, 2, 1)
MARCH_1 = date(2018, 3, 1)
STORM_DAY = date(2018, 1, 10)


def _closing_clock(day: date) -> datetime:
    return datetime.combine(day, datetime.min.time(), UTC) + timedelta(hours=2)


class January:
    """赵云华's January on 福光路: patrols scored, a case confirmed, a 周查, and a scan storm held back by a flag;
    then the month is closed."""

    def __init__(self, engine: Engine, data: Dataset) -> None:
        self.engine = engine
        self.zhao: Patroller = patroller(engine, data, "赵云华")
        with session_factory(engine)() as s:
            self.lane = s.scalar(select(t.Lane.id).where(t.Lane.name == "福光路"))
            self.chief = s.scalar(select(t.Chief.id).where(t.Chief.name == "梁金荣"))
            self.subdistrict_chief = s.scalar(
                select(t.Chief.id).join(t.Subdistrict).where(t.Subdistrict.name == "龙潭街道").order_by(t.Chief.id)
                .limit(1))
        self.rec = Recorder()

    def walk(self, day: date, hour: int = 7) -> None:
        rows = self.rec.walk(self.zhao, at(day, hour), 0) + self.rec.walk(self.zhao, at(day, hour, 10), 1)
        IngestStore(self.engine).commit(rows, [], received_at=at(day, 22))

    def storm(self, day: date) -> None:
        """Twelve check-ins at one checkpoint in 24 s: flagged, and withheld until a chief restores them."""
        cp = self.zhao.segments[1][-1]
        rows = [self.rec.row(self.zhao, at(day, 19) + timedelta(seconds=2 * i), cp) for i in range(12)]
        IngestStore(self.engine).commit(rows, [], received_at=at(day, 22))

    def confirmed_case(self, day: date, position_m: float) -> None:
        with session_factory(self.engine).begin() as s:
            case_id = report_case(s, ProblemReport(self.zhao.steward_id, CaseCategory.WALL_OPENING, at(day, 12),
                                                   lane_id=self.lane, position_m=position_m)).case_id
            transition(s, case_id, CaseState.CONFIRMED, Actor(ActorKind.CHIEF, self.chief), at(day, 14))

    def inspect(self, when: datetime) -> None:
        checklist = default_checklist()
        with session_factory(self.engine).begin() as s:
            assert self.lane is not None and self.chief is not None
            record_inspection(s, lane_id=self.lane, chief_id=self.chief, inspected_at=when, checklist=checklist,
                              results=[ItemResult(i.code, True) for i in checklist.items])

    def build(self, before_closing: Callable[[January], None] = lambda _: None) -> January:
        for day in (date(2018, 1, 8), date(2018, 1, 9), date(2018, 1, 16)):
            self.walk(day)
        self.storm(STORM_DAY)
        score_pending(self.engine, RULEBOOK)
        self.confirmed_case(date(2018, 1, 11), 20.0)
        self.inspect(at(date(2018, 1, 12), 15))
        score_lane_work(self.engine, RULEBOOK)
        before_closing(self)
        close_month(self.engine, JANUARY, clock=lambda: _closing_clock(FEBRUARY_1))
        self.frozen = self.month_total(JANUARY)
        assert self.frozen > 0
        return self

    def month_total(self, label: str) -> int:
        period = parse_period("month", label)
        pe = t.PointsEntry
        with self.engine.connect() as conn:
            return int(conn.scalar(select(func.coalesce(func.sum(pe.points), 0)).where(
                pe.steward_id == self.zhao.steward_id, pe.day >= period.first_day, pe.day <= period.last_day)) or 0)

    def day_rows(self, day: date) -> list[t.PointsEntry]:
        with Session(self.engine) as s:
            return list(s.scalars(select(t.PointsEntry).where(t.PointsEntry.steward_id == self.zhao.steward_id,
                                                              t.PointsEntry.day == day).order_by(t.PointsEntry.id)))

    def entries(self) -> int:
        with self.engine.connect() as conn:
            return int(conn.scalar(select(func.count()).select_from(t.PointsEntry)) or 0)


def assert_frozen_equals_ledger(engine: Engine, label: str) -> None:
    """The stored 月评 is what the ledger gives for the month now: every steward's totals and every lane's."""
    review = load_month_review(engine, label)
    assert review is not None
    period = parse_period("month", label)
    policy = CyclePolicy()
    with Session(engine) as s:
        live = rank_month(steward_month_totals(s, period, policy), policy)
        lanes = lane_month_ratings(s, period, policy)
        pe = t.PointsEntry
        sums = {sid: int(p) for sid, p in s.execute(
            select(pe.steward_id, func.sum(pe.points)).where(pe.day >= period.first_day, pe.day <= period.last_day)
            .group_by(pe.steward_id))}
    assert sorted(review.stewards, key=lambda r: r.steward_id) == sorted(live, key=lambda r: r.steward_id)
    assert {r.steward_id: r.points for r in review.stewards if r.points or r.steward_id in sums} == sums
    assert review.lanes == tuple(lanes)


@pytest.fixture
def january(seeded: Engine, longtan: Dataset) -> January:
    return January(seeded, longtan).build()


def test_a_backdated_inspection_into_a_closed_month_is_refused_and_answers_409(january: January) -> None:
    assert_frozen_equals_ledger(january.engine, JANUARY)
    count = january.entries()
    with pytest.raises(PeriodClosedError, match="2018-01 is closed") as refused:
        january.inspect(at(date(2018, 1, 24), 15))
    assert "2018-02-01" in str(refused.value)  # what to do: date it in an open month
    with Session(january.engine) as s:
        assert s.scalar(select(func.count()).select_from(t.Inspection)) == 1  # January's own only
    score_lane_work(january.engine, RULEBOOK)
    assert january.entries() == count and january.month_total(JANUARY) == january.frozen
    assert_frozen_equals_ledger(january.engine, JANUARY)
    answer = answer_for(PeriodClosedError)
    assert (answer.status, answer.code) == (409, "period_closed")

    january.inspect(at(FEBRUARY_1 + timedelta(days=1), 15))  # the same chief, in the open month: recorded
    assert score_lane_work(january.engine, RULEBOOK) > 0


def test_work_confirmed_in_a_closed_month_but_booked_after_is_an_adjustment_in_the_open_month(
    seeded: Engine, longtan: Dataset,
) -> None:
    """January 31st's confirmation reached the lane-work job only once January had closed."""
    january = January(seeded, longtan).build(
        before_closing=lambda m: m.confirmed_case(date(2018, 1, 31), 300.0))  # far from the open case: its own
    assert score_lane_work(january.engine, RULEBOOK) == 1

    assert january.month_total(JANUARY) == january.frozen
    assert_frozen_equals_ledger(january.engine, JANUARY)
    (adjustment,) = january.day_rows(FEBRUARY_1)
    assert adjustment.rule == ADJUSTMENT_PREFIX + RULE_CASE_CONFIRMED and adjustment.points == 3
    assert adjustment.evidence[-1] == ADJUSTMENT_FOR + "2018-01-31"
    with Session(january.engine) as s:
        explained = explain_period(s, january.zhao.steward_id, parse_period(PeriodKind.MONTH, "2018-02"), RULEBOOK)
    assert explained.total == 3
    assert "adjustment for 2018-01" in explained.entries[0].text and "2018-01-31" in explained.entries[0].text

    count = january.entries()
    assert score_lane_work(january.engine, RULEBOOK) == 0
    assert rescore_all(january.engine, RULEBOOK).entries_added == 0
    assert january.entries() == count
    assert_frozen_equals_ledger(january.engine, JANUARY)


def test_a_flag_restored_after_its_month_closed_pays_in_the_open_month(january: January) -> None:
    with session_factory(january.engine)() as s:
        (flag,) = list_flags(s, january.zhao.steward_id)
        assert flag.day == STORM_DAY and flag.withholds
        assert january.subdistrict_chief is not None
        decide(s, flag.id, january.subdistrict_chief, True, "核实属实", now=_closing_clock(date(2018, 2, 3)))
        s.commit()
    report = score_pending(january.engine, RULEBOOK)
    assert report.entries_added == 1

    assert january.month_total(JANUARY) == january.frozen
    assert_frozen_equals_ledger(january.engine, JANUARY)
    (adjustment,) = january.day_rows(FEBRUARY_1)
    assert adjustment.rule == ADJUSTMENT_PREFIX + RULE_CHECKPOINT_VISIT and adjustment.points == 1
    assert adjustment.evidence[-1] == ADJUSTMENT_FOR + STORM_DAY.isoformat()
    assert adjustment.entry_key.split("/")[2] == STORM_DAY.isoformat()  # the key of the entry it stands for

    count = january.entries()
    assert score_pending(january.engine, RULEBOOK).entries_added == 0
    assert rescore_all(january.engine, RULEBOOK).entries_added == 0
    assert january.entries() == count
    assert_frozen_equals_ledger(january.engine, JANUARY)


def test_rescoring_a_closed_month_books_only_adjustments_and_a_later_closed_month_keeps_its_own(
    january: January,
) -> None:
    """A late record for January: its points go to February while it is open, to March once it is closed."""
    january.walk(date(2018, 1, 22))  # received only now
    assert score_pending(january.engine, RULEBOOK).entries_added > 0
    assert january.month_total(JANUARY) == january.frozen
    assert_frozen_equals_ledger(january.engine, JANUARY)
    february = january.day_rows(FEBRUARY_1)
    assert february and all(r.rule.startswith(ADJUSTMENT_PREFIX) for r in february)
    assert {r.evidence[-1] for r in february} == {ADJUSTMENT_FOR + "2018-01-22"}
    assert rescore_all(january.engine, RULEBOOK).entries_added == 0

    close_month(january.engine, "2018-02", clock=lambda: _closing_clock(MARCH_1))
    february_frozen = january.month_total("2018-02")
    january.walk(date(2018, 1, 23))
    assert score_pending(january.engine, RULEBOOK).entries_added > 0
    assert january.month_total(JANUARY) == january.frozen
    assert january.month_total("2018-02") == february_frozen
    assert january.day_rows(MARCH_1) and january.month_total("2018-03") > 0
    for label in (JANUARY, "2018-02"):
        assert_frozen_equals_ledger(january.engine, label)

    count = january.entries()
    assert rescore_all(january.engine, RULEBOOK).entries_added == 0  # a full recompute finds nothing to adjust
    assert january.entries() == count
