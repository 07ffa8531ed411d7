"""Explanations: which check-ins earned which points under which rule version, in Chinese."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, time

from scoring.rulebook import (
    PatrolWindow,
    RuleBook,
    StreakBonus,
    explain,
    explain_day,
    score_day,
)
from tests.scoring.rulebook.builders import SEG20, STEWARD, visit, walk, with_rules

DAY = date(2017, 5, 3)


def test_each_entry_is_explained_with_its_evidence_and_version() -> None:
    rules = with_rules(max_points_per_day=6)
    visits = walk(DAY, "07:00", SEG20)
    result = score_day(STEWARD, DAY, visits, [SEG20], rules)
    lines = [str(x) for x in explain(result.entries)]
    assert lines == [
        f"2017-05-03 路段20巡查点201打卡 +1分(依据打卡:{visits[0].key};规则版本{rules.version})",
        (f"2017-05-03 路段20巡查点202打卡 +0分,应得1分,因每日积分上限扣减1分"
         f"(依据打卡:{visits[1].key};规则版本{rules.version})"),
        (f"2017-05-03 早巡走完路段20全部2个巡查点 +5分"
         f"(依据打卡:{visits[0].key}、{visits[1].key};规则版本{rules.version})"),
    ]


def test_window_labels_come_from_the_rule_set_that_made_the_entry() -> None:
    rules = with_rules(windows=(PatrolWindow("morning", "晨巡", time(6), time(11)),
                                PatrolWindow("evening", "晚巡", time(17), time(21))),
                       streak_bonuses=(StreakBonus(1, 2),))
    result = score_day(STEWARD, DAY, walk(DAY, "07:00", SEG20), [SEG20], rules)
    texts = [x.text for x in explain(result.entries, RuleBook.of(rules))]
    assert "晨巡走完路段20" in texts[2]
    assert "连续巡查满1天奖励 +2分" in texts[3]
    assert "早巡走完路段20" in explain(result.entries)[2].text  # without the rulebook: the built-in label


@dataclass
class LedgerRow:
    """The shape of a row read back from points_entries."""

    entry_key: str
    rule: str
    points: int
    day: date
    segment_id: int
    evidence: list[str]
    ruleset_version: str


def test_rows_read_back_from_the_ledger_explain_too() -> None:
    row = LedgerRow("segment_patrol/7/2017-05-03/20/evening", "segment_patrol", 5, DAY, 20, ["1/0/1", "1/0/2"], "abc")
    (x,) = explain([row])
    assert x.text == "2017-05-03 晚巡走完路段20全部2个巡查点 +5分(依据打卡:1/0/1、1/0/2;规则版本abc)"
    assert (x.points, x.ruleset_version, x.evidence) == (5, "abc", ("1/0/1", "1/0/2"))


def test_a_day_explains_what_did_not_count() -> None:
    fast = [visit(DAY, "07:00:00", 201), visit(DAY, "07:00:05", 202), visit(DAY, "08:00:00", 201)]
    result = score_day(STEWARD, DAY, fast, [SEG20], with_rules(), withheld=frozenset({fast[2].key}))
    lines = explain_day(result)
    assert any("未计分" in line and fast[1].key in line for line in lines)
    assert any("完整性检查" in line and fast[2].key in line for line in lines)
    assert lines[-1] == "2017-05-03 合计1分,连续巡查0天,等级:见习管家"
