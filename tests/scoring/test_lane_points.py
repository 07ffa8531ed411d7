"""A band's 开墙打洞 report earns its finder points only when the lane chief confirms it, more on the
confirmed fix; an inspection's score pays the lane's claimants; running the job again adds nothing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine, select

from scoring.cases.points import CasePoints
from scoring.cases.store import list_cases, transition
from scoring.cases.workflow import Actor, ActorKind, CaseState
from scoring.checkins import CheckInKind, CheckInRow
from scoring.ingest import IngestStore
from scoring.inspections import ItemResult, default_checklist, record_inspection
from scoring.lane_points import score_lane_work
from scoring.rulebook import load_rulebook
from scoring.seed.dataset import Dataset
from scoring.storage import tables as t
from scoring.storage.engine import session_factory
from wire.frames import ProblemCategory

AT = datetime(2017, 9, 5, 1, 0, tzinfo=UTC)  # 09:00 in Beijing


def _ledger(engine: Engine) -> list[tuple[str, int, int]]:
    with session_factory(engine)() as s:
        return sorted(s.execute(select(t.PointsEntry.rule, t.PointsEntry.steward_id, t.PointsEntry.points)).all())


def test_chief_confirmations_and_inspections_reach_the_ledger_once(seeded: Engine, longtan: Dataset) -> None:
    rulebook = load_rulebook()
    zhao = next(x for x in longtan.stewards if x.name == "赵云华")
    band = longtan.band_of(zhao.key).band_id
    with session_factory(seeded)() as s:
        lane = s.scalar(select(t.Lane.id).where(t.Lane.name == "福光路"))
        chief = s.scalar(select(t.Chief.id).where(t.Chief.name == "梁金荣"))
        zhao_id = s.scalar(select(t.Steward.id).where(t.Steward.name == "赵云华"))
        checkpoint = s.scalar(select(t.Checkpoint.id).join(t.Segment).where(t.Segment.lane_id == lane)
                              .order_by(t.Checkpoint.id))
    report = CheckInRow(band, 0, 1, AT, CheckInKind.PROBLEM_REPORT, checkpoint, b"\x01" * 8, -60, 90,
                        ProblemCategory.WALL_OPENING, zhao_id)
    IngestStore(seeded).commit([report], [], received_at=AT + timedelta(minutes=1))

    assert score_lane_work(seeded, rulebook) == 0  # reported, not yet confirmed: no points
    with session_factory(seeded).begin() as s:
        (case,) = list_cases(s, lane_id=lane)
        transition(s, case.id, CaseState.CONFIRMED, Actor(ActorKind.CHIEF, chief), AT + timedelta(hours=2))
    assert score_lane_work(seeded, rulebook) == 1
    with session_factory(seeded).begin() as s:
        transition(s, case.id, CaseState.ENFORCEMENT_REQUESTED, Actor(ActorKind.CHIEF, chief), AT + timedelta(hours=3))
        transition(s, case.id, CaseState.FIXED, Actor(ActorKind.CHIEF, chief), AT + timedelta(days=2))
        transition(s, case.id, CaseState.FIX_CONFIRMED, Actor(ActorKind.CHIEF, chief), AT + timedelta(days=3))
        checklist = default_checklist()
        record_inspection(s, lane_id=lane, chief_id=chief, inspected_at=AT + timedelta(days=3), checklist=checklist,
                          results=[ItemResult(item.code, True) for item in checklist.items])
    added = score_lane_work(seeded, rulebook)
    assert score_lane_work(seeded, rulebook) == 0  # idempotent

    ledger = _ledger(seeded)
    points = CasePoints()
    assert ("case_confirmed", zhao_id, points.confirmed) in ledger
    assert ("case_fix_confirmed", zhao_id, points.fix_confirmed) in ledger
    inspection_entries = [e for e in ledger if e[0].startswith("lane_inspection")]
    assert inspection_entries and added == 1 + len(inspection_entries)
    with session_factory(seeded)() as s:
        versions = set(s.scalars(select(t.PointsEntry.ruleset_version)))
    assert versions == {rulebook.rules_for(AT.date()).version}
