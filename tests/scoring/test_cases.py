"""工作台账: the case workflow, joining nearby reports, band reports and dissuasions, and points drafts."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from scoring.cases.errors import IllegalTransitionError, InvalidCaseInputError, UnknownCaseError
from scoring.cases.intake import cases_from_checkins
from scoring.cases.points import (
    RULE_CASE_CONFIRMED,
    RULE_CASE_FIX_CONFIRMED,
    RULE_DISSUASION,
    CasePoints,
    case_entry_drafts,
    dissuasion_drafts,
)
from scoring.cases.store import checkpoint_places, get_case, list_cases, report_case, transition
from scoring.cases.views import DissuasionView
from scoring.cases.workflow import (
    OPEN_STATES,
    TRANSITIONS,
    Actor,
    ActorKind,
    CaseCategory,
    CaseState,
    ProblemReport,
    ReportSource,
    check_transition,
)
from scoring.checkins import CheckInKind, CheckInRow
from scoring.errors import NotAuthorisedError
from scoring.ingest import IngestStore
from scoring.periods import PeriodKind, parse_period
from scoring.seed.dataset import Dataset
from scoring.storage import tables as t
from scoring.storage.engine import session_factory
from wire.frames import ProblemCategory

BJ = timezone(timedelta(hours=8))
AT = datetime(2017, 9, 5, 7, 30, tzinfo=BJ)
S = CaseState

# The workflow as the street office's forms describe it: every legal step, nothing else.
LEGAL = {
    (S.REPORTED, S.CONFIRMED), (S.REPORTED, S.NOT_RESPONSIBLE), (S.REPORTED, S.DUPLICATE), (S.REPORTED, S.CLOSED),
    (S.CONFIRMED, S.ENFORCEMENT_REQUESTED), (S.CONFIRMED, S.FIXED), (S.CONFIRMED, S.CLOSED),
    (S.ENFORCEMENT_REQUESTED, S.FIXED), (S.ENFORCEMENT_REQUESTED, S.CLOSED),
    (S.FIXED, S.FIX_CONFIRMED), (S.FIXED, S.ENFORCEMENT_REQUESTED),
}


@pytest.mark.parametrize(("current", "to"), list(itertools.product(CaseState, CaseState)))
def test_the_workflow_allows_exactly_the_legal_steps(current: CaseState, to: CaseState) -> None:
    if (current, to) in LEGAL:
        check_transition(1, current, to)
    else:
        with pytest.raises(IllegalTransitionError, match=f"case 1 is {current.value}"):
            check_transition(1, current, to)


def test_final_states_are_the_ones_with_no_way_out() -> None:
    assert {s for s in CaseState if not TRANSITIONS[s]} == {S.FIX_CONFIRMED, S.NOT_RESPONSIBLE, S.DUPLICATE, S.CLOSED}
    assert OPEN_STATES == {S.REPORTED, S.CONFIRMED, S.ENFORCEMENT_REQUESTED, S.FIXED}


def test_categories_match_the_wire_protocol() -> None:
    assert [(c.name, c.code) for c in CaseCategory] == [(p.name, p.value) for p in ProblemCategory]
    assert [c.label for c in CaseCategory] == [
        "开墙打洞", "违法建设", "地桩地锁", "群租房屋", "堆物堆料", "占道经营", "其他",
    ]
    assert CaseCategory.from_code(4) is CaseCategory.GROUP_RENTAL
    with pytest.raises(InvalidCaseInputError, match="update the band"):
        CaseCategory.from_code(0)


@pytest.mark.parametrize(
    ("text", "expected"),
    [("chief:12", Actor(ActorKind.CHIEF, 12)), ("steward:3", Actor(ActorKind.STEWARD, 3)),
     ("contractor:4", Actor(ActorKind.CONTRACTOR, 4)), ("system", Actor(ActorKind.SYSTEM))],
)
def test_actors_parse_and_print(text: str, expected: Actor) -> None:
    assert Actor.parse(text) == expected and str(expected) == text


@pytest.mark.parametrize("text", ["chief", "chief:x", "mayor:1", "system:1", "chief:0", ""])
def test_bad_actors_are_refused(text: str) -> None:
    with pytest.raises(InvalidCaseInputError):
        Actor.parse(text)


# --- On both stores ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Fuguang:
    """福光路 (340 m, two segments of 180 and 160 m), its chief 梁金荣 and steward 赵云华; 韩险峰 lives nearby."""

    lane: int
    chief: int
    contractor: int
    zhao: int
    han: int
    checkpoints: tuple[int, ...]  # in lane order
    other_lane: int
    other_chief: int


@pytest.fixture
def fg(seeded: Engine) -> Fuguang:
    with session_factory(seeded).begin() as s:
        lane = s.scalar(select(t.Lane.id).where(t.Lane.name == "福光路"))
        # The seed gives property companies to 西长安街's lanes only; 福光路 gets one for these tests.
        contractor = t.Contractor(key="test/fuguang-lu/contractor", name="福光路准物业", lane_id=lane)
        s.add(contractor)
        s.flush()
        other = s.scalar(select(t.Lane.id).where(t.Lane.name == "幸福北里"))
        cps = s.scalars(select(t.Checkpoint.id).join(t.Segment).where(t.Segment.lane_id == lane)
                        .order_by(t.Segment.id, t.Checkpoint.position_m)).all()
        return Fuguang(
            lane=lane,
            chief=s.scalar(select(t.Chief.id).where(t.Chief.name == "梁金荣")),
            contractor=contractor.id,
            zhao=s.scalar(select(t.Steward.id).where(t.Steward.name == "赵云华")),
            han=s.scalar(select(t.Steward.id).where(t.Steward.name == "韩险峰")),
            checkpoints=tuple(cps),
            other_lane=other,
            other_chief=s.scalar(select(t.Chief.id).where(t.Chief.lane_id == other)),
        )


def _report(steward: int, lane: int, position_m: float, category: CaseCategory = CaseCategory.WALL_OPENING,
            at: datetime = AT) -> ProblemReport:
    return ProblemReport(steward, category, at, lane_id=lane, position_m=position_m, photo_ref="photos/fg-1.jpg")


def test_checkpoints_are_placed_along_their_lane(seeded: Engine, fg: Fuguang) -> None:
    with Session(seeded) as s:
        places = checkpoint_places(s, fg.checkpoints)
    # seed: s1 (180 m) has checkpoints at 35.5 and 127.0; s2 starts at 180 m, checkpoints at 33.7 and 114.5
    assert [round(places[cp].position_m, 1) for cp in fg.checkpoints] == [35.5, 127.0, 213.7, 294.5]
    assert {p.lane_id for p in places.values()} == {fg.lane}


def test_a_case_walks_the_whole_workflow_and_keeps_its_audit_trail(seeded: Engine, fg: Fuguang) -> None:
    chief = Actor(ActorKind.CHIEF, fg.chief)
    with session_factory(seeded).begin() as s:
        outcome = report_case(s, _report(fg.zhao, fg.lane, 120.0))
        assert outcome.opened
        steps = [(S.CONFIRMED, chief, "核实属实"), (S.ENFORCEMENT_REQUESTED, chief, "填写执法申请单"),
                 (S.FIXED, Actor(ActorKind.SYSTEM), "城管执法队已封堵"), (S.ENFORCEMENT_REQUESTED, chief, "封堵不彻底"),
                 (S.FIXED, Actor(ActorKind.CONTRACTOR, fg.contractor), "物业补砌"),
                 (S.FIX_CONFIRMED, chief, "任务完成确认")]
        for i, (to, actor, note) in enumerate(steps, start=1):
            transition(s, outcome.case_id, to, actor, AT + timedelta(days=i), note=note)
    with Session(seeded) as s:
        detail = get_case(s, outcome.case_id)
    assert detail.case.state is S.FIX_CONFIRMED and detail.case.state_changed_at == AT + timedelta(days=6)
    assert [(e.from_state, e.to_state, str(e.actor), e.note) for e in detail.events] == [
        (None, S.REPORTED, f"steward:{fg.zhao}", ""),
        *[(prev, to, str(actor), note) for prev, (to, actor, note) in zip(
            [S.REPORTED, S.CONFIRMED, S.ENFORCEMENT_REQUESTED, S.FIXED, S.ENFORCEMENT_REQUESTED, S.FIXED], steps,
            strict=True)],
    ]
    assert [e.at for e in detail.events] == [AT + timedelta(days=i) for i in range(7)]
    assert detail.case.photo_ref == "photos/fg-1.jpg" and detail.case.category is CaseCategory.WALL_OPENING


ILLEGAL_AFTER = [
    ([], S.FIXED), ([], S.FIX_CONFIRMED), ([S.CONFIRMED], S.REPORTED), ([S.CONFIRMED], S.DUPLICATE),
    ([S.CONFIRMED, S.FIXED], S.CLOSED), ([S.NOT_RESPONSIBLE], S.CONFIRMED), ([S.CLOSED], S.REPORTED),
]


def test_an_illegal_transition_is_refused_and_records_nothing(seeded: Engine, fg: Fuguang) -> None:
    chief = Actor(ActorKind.CHIEF, fg.chief)
    for n, (path, to) in enumerate(ILLEGAL_AFTER):
        with session_factory(seeded).begin() as s:  # 45 m apart: each report opens its own case
            case_id = report_case(s, _report(fg.zhao, fg.lane, 20.0 + 45 * n)).case_id
            for i, step in enumerate(path, start=1):
                transition(s, case_id, step, chief, AT + timedelta(hours=i))
        with session_factory(seeded)() as s:
            with pytest.raises(IllegalTransitionError, match=f"not {to.value}|cannot become {to.value}"):
                transition(s, case_id, to, chief, AT + timedelta(days=1))
            s.rollback()
            detail = get_case(s, case_id)
        assert (detail.case.state, len(detail.events)) == ((path or [S.REPORTED])[-1], len(path) + 1)


def test_only_the_lanes_chief_moves_a_case(seeded: Engine, fg: Fuguang) -> None:
    with session_factory(seeded).begin() as s:
        case_id = report_case(s, _report(fg.zhao, fg.lane, 50.0)).case_id
    refused = [
        (S.CONFIRMED, Actor(ActorKind.STEWARD, fg.zhao), "only a chief of lane"),
        (S.CONFIRMED, Actor(ActorKind.CHIEF, fg.other_chief), "is not a chief of lane"),
        (S.CONFIRMED, Actor(ActorKind.CONTRACTOR, fg.contractor), "only a chief of lane"),
        (S.CONFIRMED, Actor(ActorKind.SYSTEM), "only a chief of lane"),
    ]
    with session_factory(seeded)() as s:
        for to, actor, message in refused:
            with pytest.raises(NotAuthorisedError, match=message):
                transition(s, case_id, to, actor, AT + timedelta(hours=1))
        transition(s, case_id, S.CONFIRMED, Actor(ActorKind.CHIEF, fg.chief), AT + timedelta(hours=1))
        with pytest.raises(NotAuthorisedError, match="does not serve lane"):
            transition(s, case_id, S.FIXED, Actor(ActorKind.CONTRACTOR, 999_999), AT + timedelta(hours=2))
        with pytest.raises(NotAuthorisedError, match="or the system, for fixed"):
            transition(s, case_id, S.FIXED, Actor(ActorKind.STEWARD, fg.zhao), AT + timedelta(hours=2))


def test_transitions_check_time_duplicates_and_existence(seeded: Engine, fg: Fuguang) -> None:
    chief = Actor(ActorKind.CHIEF, fg.chief)
    with session_factory(seeded).begin() as s:
        first = report_case(s, _report(fg.zhao, fg.lane, 50.0)).case_id
        second = report_case(s, _report(fg.han, fg.lane, 300.0)).case_id
    with session_factory(seeded)() as s:
        with pytest.raises(InvalidCaseInputError, match="would precede it"):
            transition(s, first, S.CONFIRMED, chief, AT - timedelta(minutes=1))
        with pytest.raises(InvalidCaseInputError, match="goes with to=duplicate only"):
            transition(s, first, S.DUPLICATE, chief, AT + timedelta(hours=1))
        with pytest.raises(InvalidCaseInputError, match="goes with to=duplicate only"):
            transition(s, first, S.CONFIRMED, chief, AT + timedelta(hours=1), duplicate_of=second)
        with pytest.raises(InvalidCaseInputError, match="another existing case"):
            transition(s, second, S.DUPLICATE, chief, AT + timedelta(hours=1), duplicate_of=second)
        with pytest.raises(UnknownCaseError):
            transition(s, 999_999, S.CONFIRMED, chief, AT)
        transition(s, second, S.DUPLICATE, chief, AT + timedelta(hours=1), duplicate_of=first, note="同一处")
        s.commit()
        assert get_case(s, second).case.duplicate_of == first


def test_a_report_near_an_open_case_of_its_kind_joins_it(seeded: Engine, fg: Fuguang) -> None:
    with session_factory(seeded).begin() as s:
        a = report_case(s, _report(fg.zhao, fg.lane, 100.0))
        joined = report_case(s, _report(fg.han, fg.lane, 125.0, at=AT + timedelta(hours=1)))  # 25 m away
        b = report_case(s, _report(fg.han, fg.lane, 160.0))  # 60 m: another problem
        nearest = report_case(s, _report(fg.zhao, fg.lane, 145.0))  # 45 m from a, 15 m from b
        other_kind = report_case(s, _report(fg.zhao, fg.lane, 100.0, CaseCategory.PILED_MATERIALS))
        other_lane = report_case(s, _report(fg.zhao, fg.other_lane, 100.0))
        tight = report_case(s, _report(fg.zhao, fg.lane, 120.0), join_within_m=10.0)
    assert a.opened and not joined.opened and joined.case_id == a.case_id
    assert b.opened and b.case_id != a.case_id
    assert not nearest.opened and nearest.case_id == b.case_id
    assert other_kind.opened and other_lane.opened and tight.opened
    with session_factory(seeded)() as s:
        detail = get_case(s, a.case_id)
        assert detail.case.steward_id == fg.zhao and detail.case.report_count == 2
        assert [(r.steward_id, r.position_m) for r in detail.reports] == [(fg.zhao, 100.0), (fg.han, 125.0)]
        assert len(detail.events) == 1  # joining is a report, not a change of state
        assert [c.id for c in list_cases(s, lane_id=fg.lane, state=S.REPORTED)] == sorted(
            {a.case_id, b.case_id, other_kind.case_id, tight.case_id})


def test_a_closed_case_is_not_joined(seeded: Engine, fg: Fuguang) -> None:
    with session_factory(seeded).begin() as s:
        first = report_case(s, _report(fg.zhao, fg.lane, 100.0))
        transition(s, first.case_id, S.NOT_RESPONSIBLE, Actor(ActorKind.CHIEF, fg.chief), AT, note="属房管所职责")
        again = report_case(s, _report(fg.han, fg.lane, 100.0))
    assert again.opened and again.case_id != first.case_id
    with session_factory(seeded)() as s:
        assert [c.id for c in list_cases(s, open_only=True)] == [again.case_id]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [(dict(lane_id=None, position_m=None), "say where"), (dict(position_m=-1.0), "finite number"),
     (dict(position_m=float("nan")), "finite number"), (dict(photo_ref="x" * 301), "store a reference"),
     (dict(source=ReportSource.BAND), "record key")],
)
def test_bad_reports_are_refused(kwargs: dict, message: str) -> None:
    base = dict(steward_id=1, category=CaseCategory.OTHER, reported_at=AT, lane_id=1, position_m=1.0)
    with pytest.raises(InvalidCaseInputError, match=message):
        ProblemReport(**{**base, **kwargs})


def test_reports_must_name_registry_places(seeded: Engine, fg: Fuguang) -> None:
    with session_factory(seeded)() as s:
        for report, message in [
            (_report(fg.zhao, 999_999, 1.0), "lane 999999 is not in the registry"),
            (_report(fg.zhao, fg.lane, 341.0), "past the end of lane"),
            (_report(999_999, fg.lane, 1.0), "steward 999999"),
            (ProblemReport(fg.zhao, CaseCategory.OTHER, AT, checkpoint_id=999_999), "checkpoint 999999"),
            (ProblemReport(fg.zhao, CaseCategory.OTHER, AT, lane_id=fg.other_lane, checkpoint_id=fg.checkpoints[0]),
             f"lies on lane {fg.lane}"),
        ]:
            with pytest.raises(InvalidCaseInputError, match=message):
                report_case(s, report)


# --- Band reports --------------------------------------------------------------------------------


def _band_rows(seeded: Engine, longtan: Dataset, fg: Fuguang) -> list[CheckInRow]:
    """赵云华 presses 开墙打洞 at 福光路's second checkpoint, 韩险峰 the same at the first (91.5 m off) and at
    the second; 赵云华 dissuades twice; one record carries a category the server does not know."""
    zhao = longtan.band_of(next(x for x in longtan.stewards if x.name == "赵云华").key).band_id
    han = longtan.band_of(next(x for x in longtan.stewards if x.name == "韩险峰").key).band_id
    cp1, cp2 = fg.checkpoints[:2]
    wall = ProblemCategory.WALL_OPENING

    def row(band: int, steward: int, seq: int, minutes: int, kind: CheckInKind, cp: int, detail: int) -> CheckInRow:
        return CheckInRow(band, 0, seq, AT + timedelta(minutes=minutes), kind, cp, b"\x01" * 8, -60, 90, detail,
                          steward)

    return [
        row(zhao, fg.zhao, 1, 0, CheckInKind.PROBLEM_REPORT, cp2, wall),
        row(han, fg.han, 1, 5, CheckInKind.PROBLEM_REPORT, cp1, wall),
        row(han, fg.han, 2, 6, CheckInKind.PROBLEM_REPORT, cp2, wall),
        row(zhao, fg.zhao, 2, 10, CheckInKind.DISSUASION, cp1, 0),
        row(zhao, fg.zhao, 3, 11, CheckInKind.DISSUASION, cp2, 0),
        row(zhao, fg.zhao, 4, 12, CheckInKind.PATROL_CHECKIN, cp2, 0),
        row(zhao, fg.zhao, 5, 13, CheckInKind.PROBLEM_REPORT, cp2, 99),
    ]


def test_band_reports_become_cases_once_however_often_the_intake_runs(
    seeded: Engine, longtan: Dataset, fg: Fuguang
) -> None:
    rows = _band_rows(seeded, longtan, fg)
    IngestStore(seeded).commit(rows, [], received_at=AT + timedelta(hours=1))
    since = AT
    with session_factory(seeded).begin() as s:
        first = cases_from_checkins(s, since)
    with session_factory(seeded).begin() as s:
        again = cases_from_checkins(s, since)
        later = cases_from_checkins(s, AT + timedelta(hours=2))  # nothing received since
    assert (first.opened, first.joined, first.dissuasions, first.unreadable, first.already_recorded) == (2, 1, 2, 1, 0)
    assert (again.opened, again.joined, again.dissuasions, again.already_recorded) == (0, 0, 0, 5)
    assert later.already_recorded == 0 and later.opened == 0
    with session_factory(seeded)() as s:
        assert s.scalar(select(func.count()).select_from(t.Case)) == 2
        assert s.scalar(select(func.count()).select_from(t.CaseReport)) == 3
        assert s.scalar(select(func.count()).select_from(t.Dissuasion)) == 2
        cases = list_cases(s)
        assert [(c.steward_id, c.source, c.checkpoint_id, c.report_count) for c in cases] == [
            (fg.zhao, ReportSource.BAND, fg.checkpoints[1], 2), (fg.han, ReportSource.BAND, fg.checkpoints[0], 1)]
        keys = [r.source_key for r in get_case(s, cases[0].id).reports]
    zhao_band = rows[0].band_id
    assert keys == [f"{zhao_band}/0/1", f"{rows[2].band_id}/0/2"]


# --- Points drafts -------------------------------------------------------------------------------


def test_points_come_on_confirmation_and_on_the_fix_not_on_report(
    seeded: Engine, longtan: Dataset, fg: Fuguang
) -> None:
    rows = _band_rows(seeded, longtan, fg)
    IngestStore(seeded).commit(rows, [], received_at=AT + timedelta(hours=1))
    points = CasePoints(confirmed=3, fix_confirmed=5, dissuasion=1, dissuasions_per_day_max=3)
    chief = Actor(ActorKind.CHIEF, fg.chief)
    with session_factory(seeded).begin() as s:
        cases_from_checkins(s, AT)
        case_id = list_cases(s)[0].id
        reported = [d.rule for d in case_entry_drafts(s, points)]
        confirmed_event = transition(s, case_id, S.CONFIRMED, chief, datetime(2017, 9, 6, 9, 0, tzinfo=BJ))
        after_confirm = case_entry_drafts(s, points)
        transition(s, case_id, S.FIXED, chief, datetime(2017, 9, 8, 9, 0, tzinfo=BJ))
        fix_event = transition(s, case_id, S.FIX_CONFIRMED, chief, datetime(2017, 9, 11, 0, 30, tzinfo=BJ))
        after_fix = case_entry_drafts(s, points)
        in_week = case_entry_drafts(s, points, parse_period(PeriodKind.WEEK, "2017-W37"))
        assert case_entry_drafts(s, points) == after_fix  # deterministic
    assert reported == [RULE_DISSUASION, RULE_DISSUASION]
    case_rules = [(d.rule, d.steward_id, d.day, d.points) for d in after_fix if d.rule != RULE_DISSUASION]
    assert case_rules == [
        (RULE_CASE_CONFIRMED, fg.zhao, date(2017, 9, 6), 3),
        (RULE_CASE_FIX_CONFIRMED, fg.zhao, date(2017, 9, 11), 5),  # 00:30 Beijing: the 11th, not the 10th
    ]
    assert ([d for d in after_confirm if d.rule != RULE_DISSUASION]
            == [d for d in after_fix if d.rule == RULE_CASE_CONFIRMED])
    confirmed = next(d for d in after_fix if d.rule == RULE_CASE_CONFIRMED)
    assert confirmed.entry_key == f"case_confirmed/{fg.zhao}/{case_id}" and confirmed.segment_id is None
    assert confirmed.evidence == (f"case/{case_id}", f"case_event/{confirmed_event.id}", f"{rows[0].band_id}/0/1")
    assert [d.rule for d in in_week] == [RULE_CASE_FIX_CONFIRMED]
    assert in_week[0].evidence[1] == f"case_event/{fix_event.id}"
    assert all(d.lane_id == fg.lane for d in after_fix)


def test_lane_entries_fit_the_ledger_without_a_segment(seeded: Engine, fg: Fuguang) -> None:
    with session_factory(seeded).begin() as s:
        case_id = report_case(s, _report(fg.zhao, fg.lane, 10.0)).case_id
        transition(s, case_id, S.CONFIRMED, Actor(ActorKind.CHIEF, fg.chief), AT + timedelta(hours=1))
        (draft,) = case_entry_drafts(s, CasePoints())
        s.add(t.PointsEntry(entry_key=draft.entry_key, steward_id=draft.steward_id, day=draft.day, rule=draft.rule,
                            ruleset_version="test", points=draft.points, segment_id=draft.segment_id,
                            lane_id=draft.lane_id, evidence=list(draft.evidence), created_at=AT))
    with Session(seeded) as s:
        stored = s.scalars(select(t.PointsEntry)).one()
    assert (stored.segment_id, stored.lane_id, stored.rule, stored.points) == (None, fg.lane, RULE_CASE_CONFIRMED, 3)


def _dissuasion(i: int, steward: int, at: datetime) -> DissuasionView:
    return DissuasionView(i, steward, 7, 70, at, ReportSource.BAND, f"9/0/{i}", "")


def test_dissuasions_earn_up_to_the_daily_limit_whatever_order_they_arrive_in() -> None:
    day = datetime(2017, 9, 5, 8, 0, tzinfo=BJ)
    items = [_dissuasion(i, 1, day + timedelta(minutes=10 * i)) for i in range(1, 6)]
    items += [_dissuasion(10, 2, day), _dissuasion(11, 1, day + timedelta(days=1))]
    points = CasePoints(dissuasion=2, dissuasions_per_day_max=3)
    drafts = dissuasion_drafts(items, points)
    assert [(d.steward_id, d.day.day, d.entry_key.rsplit("/", 1)[1], d.points) for d in drafts] == [
        (1, 5, "1", 2), (1, 5, "2", 2), (1, 5, "3", 2), (1, 6, "1", 2), (2, 5, "1", 2)]
    assert drafts[0].evidence == ("dissuasion/1", "9/0/1")
    assert dissuasion_drafts(reversed(items), points) == drafts
    assert dissuasion_drafts(items, CasePoints(dissuasion=0)) == []
    with pytest.raises(InvalidCaseInputError):
        CasePoints(confirmed=-1)
