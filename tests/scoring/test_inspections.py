"""周查: the 十有十无 checklist, recording inspections, the lane score and its points for claimants and team."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from scoring.errors import NotAuthorisedError
from scoring.inspections import (
    RULE_LANE_INSPECTION,
    RULE_LANE_INSPECTION_TEAM,
    ChecklistError,
    InspectionExistsError,
    InspectionPoints,
    InspectionView,
    InvalidInspectionError,
    ItemKind,
    ItemResult,
    LaneTeam,
    UnknownLaneError,
    check_results,
    default_checklist,
    inspection_drafts,
    inspection_entry_drafts,
    lane_score,
    list_inspections,
    load_checklist,
    parse_checklist,
    points_for_score,
    record_inspection,
)
from scoring.periods import PeriodKind, parse_period
from scoring.storage import tables as t
from scoring.storage.engine import session_factory

BJ = timezone(timedelta(hours=8))
AT = datetime(2017, 9, 8, 15, 0, tzinfo=BJ)  # a Friday afternoon, week 2017-W36


def test_the_default_checklist_has_ten_haves_and_ten_have_nots() -> None:
    checklist = default_checklist()
    assert (checklist.key, checklist.name) == ("shiyou-shiwu", "十有十无")
    you = [i for i in checklist.items if i.kind is ItemKind.YOU]
    wu = [i for i in checklist.items if i.kind is ItemKind.WU]
    assert len(you) == len(wu) == 10
    assert all(i.text.startswith("有") for i in you) and all(i.text.startswith("无") for i in wu)
    assert "无开墙打洞" in {i.text for i in wu} and "有责任公示牌" in {i.text for i in you}
    assert len({i.code for i in checklist.items}) == 20
    assert len(checklist.version) == 12


def test_the_version_follows_content_not_comments(tmp_path: Path) -> None:
    base = 'key = "k"\nname = "十有十无"\n[[you]]\ncode = "Y1"\ntext = "有门牌"\n[[wu]]\ncode = "W1"\ntext = "无乱堆"\n'
    a = parse_checklist(base)
    assert parse_checklist("# 街道修订\n" + base).version == a.version
    assert parse_checklist(base.replace("有门牌", "有门牌标识")).version != a.version
    path = tmp_path / "edited.toml"
    path.write_text(base, encoding="utf-8")
    assert load_checklist(path) == a
    with pytest.raises(ChecklistError, match="cannot read"):
        load_checklist(tmp_path / "missing.toml")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("key = ", "not valid TOML"),
        ('name = "x"\n[[you]]\ncode="Y1"\ntext="有"\n[[wu]]\ncode="W1"\ntext="无"\n', "a `key` and a `name`"),
        ('key="k"\nname="x"\n[[you]]\ncode="Y1"\ntext="有"\n', r"at least one \[\[wu\]\]"),
        ('key="k"\nname="x"\n[[you]]\ncode="Y1"\ntext="无门牌"\n[[wu]]\ncode="W1"\ntext="无"\n', "starts with 有"),
        ('key="k"\nname="x"\n[[you]]\ncode="X"\ntext="有"\n[[wu]]\ncode="X"\ntext="无"\n', "X appear more than once"),
        ('key="k"\nname="x"\n[[you]]\ntext="有"\n[[wu]]\ncode="W1"\ntext="无"\n', "needs a code"),
        ('key="k"\nname="x"\n[[you]]\ncode="Y1"\ntext="有"\nhint=3\n[[wu]]\ncode="W1"\ntext="无"\n',
         "hint must be text"),
    ],
)
def test_a_broken_checklist_says_what_to_fix(text: str, message: str) -> None:
    with pytest.raises(ChecklistError, match=message):
        parse_checklist(text)


@pytest.mark.parametrize(
    ("passed", "total", "score"), [(20, 20, 100.0), (17, 20, 85.0), (0, 20, 0.0), (1, 3, 33.33), (2, 3, 66.67)]
)
def test_the_lane_score_is_the_share_passed(passed: int, total: int, score: float) -> None:
    assert lane_score([ItemResult(str(i), i < passed) for i in range(total)]) == score


def test_an_inspection_covers_every_item_once() -> None:
    checklist = default_checklist()
    good = [ItemResult(i.code, True) for i in checklist.items]
    check_results(checklist, good)
    with pytest.raises(InvalidInspectionError, match="missing items W10"):
        check_results(checklist, good[:-1])
    with pytest.raises(InvalidInspectionError, match="unknown items Z9"):
        check_results(checklist, [*good, ItemResult("Z9", True)])
    with pytest.raises(InvalidInspectionError, match="given twice Y01"):
        check_results(checklist, [*good, good[0]])


@pytest.mark.parametrize(("score", "points"), [(100.0, 6), (90.0, 6), (89.99, 4), (75.0, 4), (60.0, 2), (59.0, 0)])
def test_points_follow_the_score_bands(score: float, points: int) -> None:
    assert points_for_score(score, InspectionPoints().steward) == points


def test_score_bands_must_be_ordered() -> None:
    with pytest.raises(InvalidInspectionError, match="highest first"):
        InspectionPoints(steward=((60.0, 2), (90.0, 6)))
    with pytest.raises(InvalidInspectionError, match=">= 0"):
        InspectionPoints(team=((90.0, -1),))


def _view(score: float, *, inspection_id: int = 5, at: datetime = AT) -> InspectionView:
    return InspectionView(inspection_id, 3, 9, at, date(2017, 9, 4), "v", 20, int(score / 5), score, "", ())


def test_drafts_for_claimants_and_team_members_once_each() -> None:
    drafts = inspection_drafts(_view(95.0), [12, 11, 12], LaneTeam(40, (11, 13)), InspectionPoints())
    assert [(d.rule, d.steward_id, d.points, d.day) for d in drafts] == [
        (RULE_LANE_INSPECTION, 11, 6, date(2017, 9, 8)), (RULE_LANE_INSPECTION, 12, 6, date(2017, 9, 8)),
        (RULE_LANE_INSPECTION_TEAM, 11, 3, date(2017, 9, 8)), (RULE_LANE_INSPECTION_TEAM, 13, 3, date(2017, 9, 8)),
    ]
    assert drafts[0].entry_key == "lane_inspection/11/3/2017-W36" and drafts[0].segment_id is None
    assert drafts[0].evidence == ("inspection/5",) and drafts[2].evidence == ("inspection/5", "team/40")
    assert [d.rule for d in inspection_drafts(_view(80.0), [11], LaneTeam(40, (11,)), InspectionPoints())] == [
        RULE_LANE_INSPECTION, RULE_LANE_INSPECTION_TEAM]
    assert inspection_drafts(_view(50.0), [11], LaneTeam(40, (11,)), InspectionPoints()) == []
    assert [d.rule for d in inspection_drafts(_view(95.0), [11], None, InspectionPoints())] == [RULE_LANE_INSPECTION]


# --- On both stores ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Beili:
    """幸福北里: four stewards, one on each segment (17号楼北侧路, 南侧路, ...), a team; and 福光路 for contrast."""

    lane: int
    chief: int
    stewards: tuple[int, ...]
    team: int
    fuguang: int
    fuguang_chief: int
    zhao: int


@pytest.fixture
def beili(seeded: Engine) -> Beili:
    with Session(seeded) as s:
        lane = s.scalar(select(t.Lane.id).where(t.Lane.name == "幸福北里"))
        fuguang = s.scalar(select(t.Lane.id).where(t.Lane.name == "福光路"))
        stewards = s.scalars(select(t.Claim.steward_id).join(t.Segment).where(t.Segment.lane_id == lane)).all()
        return Beili(
            lane=lane,
            chief=s.scalar(select(t.Chief.id).where(t.Chief.lane_id == lane)),
            stewards=tuple(sorted(stewards)),
            team=s.scalar(select(t.Team.id).where(t.Team.lane_id == lane)),
            fuguang=fuguang,
            fuguang_chief=s.scalar(select(t.Chief.id).where(t.Chief.lane_id == fuguang)),
            zhao=s.scalar(select(t.Steward.id).where(t.Steward.name == "赵云华")),
        )


def _results(failed: Collection[str] = ()) -> list[ItemResult]:
    return [ItemResult(i.code, i.code not in failed, "需整改" if i.code in failed else "")
            for i in default_checklist().items]


def test_an_inspection_is_recorded_with_its_items_and_score(seeded: Engine, beili: Beili) -> None:
    with session_factory(seeded).begin() as s:
        recorded = record_inspection(s, lane_id=beili.lane, chief_id=beili.chief, inspected_at=AT,
                                     results=_results({"W02", "W10", "Y07"}), checklist=default_checklist(),
                                     note="17号楼北侧堆物")
    with Session(seeded) as s:
        (stored,) = list_inspections(s, beili.lane)
    assert stored == recorded
    assert (stored.score, stored.items_passed, stored.items_total) == (85.0, 17, 20)
    assert stored.week_of == date(2017, 9, 4) and stored.week_label == "2017-W36"
    assert stored.checklist_version == default_checklist().version
    assert [i.code for i in stored.items if not i.passed] == ["Y07", "W02", "W10"]
    assert next(i for i in stored.items if i.code == "W02").text == "无开墙打洞"
    assert next(i for i in stored.items if i.code == "W02").note == "需整改"


def test_one_inspection_per_lane_per_week_by_its_own_chief(seeded: Engine, beili: Beili) -> None:
    record = dict(lane_id=beili.lane, chief_id=beili.chief, results=_results(), checklist=default_checklist())
    with session_factory(seeded).begin() as s:
        record_inspection(s, inspected_at=AT, **record)
    with session_factory(seeded)() as s:
        with pytest.raises(InspectionExistsError, match="one 周查 per lane per week"):
            record_inspection(s, inspected_at=datetime(2017, 9, 10, 23, 30, tzinfo=BJ), **record)  # Sunday night
        record_inspection(s, inspected_at=datetime(2017, 9, 11, 0, 30, tzinfo=BJ), **record)  # Monday: a new week
        with pytest.raises(NotAuthorisedError, match="is not a chief of lane"):
            record_inspection(s, **{**record, "chief_id": beili.fuguang_chief}, inspected_at=AT + timedelta(days=14))
        with pytest.raises(InvalidInspectionError, match="missing items"):
            record_inspection(s, **{**record, "results": _results()[1:]}, inspected_at=AT + timedelta(days=14))
        with pytest.raises(InvalidInspectionError, match="lane 999999"):
            record_inspection(s, **{**record, "lane_id": 999_999}, inspected_at=AT + timedelta(days=14))
        with pytest.raises(InvalidInspectionError, match="chief 999999"):
            record_inspection(s, **{**record, "chief_id": 999_999}, inspected_at=AT + timedelta(days=14))
        s.commit()
        assert [i.week_label for i in list_inspections(s, beili.lane)] == ["2017-W36", "2017-W37"]
        with pytest.raises(UnknownLaneError):
            list_inspections(s, 999_999)


def test_the_score_gives_points_to_the_lanes_claimants_and_its_team(seeded: Engine, beili: Beili) -> None:
    assert len(beili.stewards) == 4 and beili.team is not None
    leaver, left_team_only, *_ = beili.stewards
    with session_factory(seeded).begin() as s:
        # One steward gave up the claim before the inspection; another stays a claimant but left the team.
        for claim in s.scalars(select(t.Claim).where(t.Claim.steward_id == leaver)):
            claim.valid_to = AT - timedelta(days=1)
        for m in s.scalars(select(t.TeamMembership).where(t.TeamMembership.steward_id.in_([leaver, left_team_only]))):
            m.valid_to = AT - timedelta(days=1)
        record_inspection(s, lane_id=beili.lane, chief_id=beili.chief, inspected_at=AT, results=_results({"W10"}),
                          checklist=default_checklist())  # 95
        record_inspection(s, lane_id=beili.fuguang, chief_id=beili.fuguang_chief, inspected_at=AT,
                          results=_results({f"W0{i}" for i in range(1, 6)}), checklist=default_checklist())  # 75
    with Session(seeded) as s:
        drafts = inspection_entry_drafts(s, InspectionPoints())
        assert inspection_entry_drafts(s, InspectionPoints()) == drafts
        assert inspection_entry_drafts(s, InspectionPoints(), parse_period(PeriodKind.WEEK, "2017-W37")) == []
        assert inspection_entry_drafts(s, InspectionPoints(), parse_period(PeriodKind.DAY, "2017-09-08")) == drafts
    remaining = [x for x in beili.stewards if x != leaver]
    team_members = [x for x in beili.stewards if x not in (leaver, left_team_only)]
    got = sorted((d.rule, d.lane_id, d.steward_id, d.points) for d in drafts)
    assert got == sorted(
        [(RULE_LANE_INSPECTION, beili.lane, x, 6) for x in remaining]
        + [(RULE_LANE_INSPECTION_TEAM, beili.lane, x, 3) for x in team_members]
        + [(RULE_LANE_INSPECTION, beili.fuguang, beili.zhao, 4)]  # 福光路 has one steward and no team
    )
    assert all(d.day == date(2017, 9, 8) and d.segment_id is None for d in drafts)
