"""Explanations in Chinese: which check-ins earned which points, under which rule version.

Works on the engine's `EntryDraft`s and on rows read back from the ledger alike (anything with the
entry's key, rule, points, day, segment, evidence and `ruleset_version`); the entry key carries the
checkpoint, window or streak length. Given the rulebook, window names become their labels (早巡).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Final, Protocol

from scoring.rulebook.caps import CAP_DAY, CAP_WEEK
from scoring.rulebook.engine import DayResult
from scoring.rulebook.loader import RuleBook
from scoring.rulebook.model import RULE_CHECKPOINT_VISIT, RULE_SEGMENT_PATROL, RULE_STREAK_BONUS

_WINDOW_LABELS: Final = {"morning": "早巡", "evening": "晚巡"}
_CAP_LABELS: Final = {CAP_DAY: "每日积分上限", CAP_WEEK: "每周积分上限"}


class ExplainableEntry(Protocol):
    @property
    def entry_key(self) -> str: ...
    @property
    def rule(self) -> str: ...
    @property
    def points(self) -> int: ...
    @property
    def day(self) -> date: ...
    @property
    def segment_id(self) -> int: ...
    @property
    def evidence(self) -> Sequence[str]: ...
    @property
    def ruleset_version(self) -> str: ...


@dataclass(frozen=True, slots=True)
class Explanation:
    entry_key: str
    day: date
    rule: str
    points: int
    ruleset_version: str
    evidence: tuple[str, ...]
    text: str  # one line of Chinese a steward can read

    def __str__(self) -> str:
        return self.text


def explain(entries: Iterable[ExplainableEntry], rulebook: RuleBook | None = None) -> list[Explanation]:
    """One explanation per entry, in the order given."""
    return [_explain(e, rulebook) for e in entries]


def explain_day(result: DayResult, rulebook: RuleBook | None = None) -> list[str]:
    """A day's entries, then the check-ins that did not count and why."""
    lines = [str(x) for x in explain(result.entries, rulebook)]
    lines += [f"{result.day.isoformat()} 打卡{key}距上一巡查点过近于步行所需时间,未计分" for key in result.paced_out]
    lines += [f"{result.day.isoformat()} 打卡{key}被完整性检查标记,暂不计分(可申诉)" for key in result.withheld]
    lines.append(
        f"{result.day.isoformat()} 合计{result.points}分,连续巡查{result.streak_days}天,等级:{result.level.name}"
    )
    return lines


def _explain(entry: ExplainableEntry, rulebook: RuleBook | None) -> Explanation:
    parts = entry.entry_key.split("/")
    detail = parts[3:]
    evidence = tuple(entry.evidence)
    day = entry.day.isoformat()
    if entry.rule == RULE_CHECKPOINT_VISIT and detail:
        what = f"路段{entry.segment_id}巡查点{detail[0]}打卡"
    elif entry.rule == RULE_SEGMENT_PATROL and len(detail) >= 2:
        label = _window_label(detail[1], entry.ruleset_version, rulebook)
        what = f"{label}走完路段{entry.segment_id}全部{len(evidence)}个巡查点"
    elif entry.rule == RULE_STREAK_BONUS and detail:
        what = f"连续巡查满{detail[0]}天奖励"
    else:
        what = f"规则{entry.rule}"
    capped = capped_text(entry.points, getattr(entry, "trimmed_points", 0), getattr(entry, "cap", ""))
    text = f"{day} {what} +{entry.points}分{capped}(依据打卡:{'、'.join(evidence)};规则版本{entry.ruleset_version})"
    return Explanation(entry.entry_key, entry.day, entry.rule, entry.points, entry.ruleset_version, evidence, text)


def capped_text(points: int, trimmed: int, cap: str) -> str:
    """What a cap took from an entry, in the words of its explanation line; "" when it took nothing."""
    return f",应得{points + trimmed}分,因{_CAP_LABELS.get(cap, cap)}扣减{trimmed}分" if trimmed else ""


def _window_label(name: str, version: str, rulebook: RuleBook | None) -> str:
    # An entry made by rules since removed from the rulebook still explains, with the built-in label.
    rules = rulebook.find(version) if rulebook is not None else None
    if rules is not None:
        for window in rules.windows + tuple(w for _, ws in rules.community_windows for w in ws):
            if window.name == name:
                return window.label
    return _WINDOW_LABELS.get(name, name)
