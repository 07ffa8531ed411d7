"""Explain a steward's points for a period: which check-ins earned which points under which rule
version, which were set aside and why, and what a rescore reversed.

Read from the ledger (entries, with reversals), the scorer's per-day state (check-ins set aside by
pacing or withheld by a flag) and the flags themselves, so an explanation shows what was recorded,
not a fresh computation. Lines are in Chinese for stewards; `as_dict()` serves the API and `--json`.
An adjustment (points for a closed month, booked in the first open one: scoring.ledger.closed) is
explained as the entry it stands for, under a line head naming the month it adjusts.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from datetime import date
from typing import Any, Final

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from scoring.errors import UnknownScopeError
from scoring.ledger.closed import as_dated
from scoring.ledger.entries import PATROL_RULES, VOID_SUFFIX, base_key
from scoring.periods import Period, PeriodKind, parse_period, period_containing
from scoring.rulebook import RuleBook, explain
from scoring.rulebook.explain import capped_text
from scoring.rulebook_default import default_rulebook
from scoring.storage import tables as t
from scoring.storage.engine import make_engine, session_factory

WITHHELD: Final = "withheld"
PACED_OUT: Final = "paced_out"
# An entry for a closed month's points, booked in the first open month: the month's 月评 stays as frozen.
ADJUSTMENT_TEXT: Final = "补记调整(adjustment for {month},该月月评已冻结)"
_STATE_LABELS: Final = {"open": "待复核,可申诉", "upheld": "经复核维持", "restored": "已恢复"}


@dataclass(frozen=True, slots=True)
class EntryLine:
    entry_key: str
    day: date
    rule: str
    points: int
    trimmed_points: int
    cap: str
    ruleset_version: str
    evidence: tuple[str, ...]
    reverses: str | None  # the key of the entry a reversal cancels
    reversed: bool  # this entry was cancelled by a later reversal
    text: str
    lane_id: int  # where it was earned
    segment_id: int | None  # None for lane-level entries (cases, inspections)


@dataclass(frozen=True, slots=True)
class SetAside:
    checkin_key: str
    day: date
    reason: str  # withheld or paced_out
    flag_id: int | None
    flag_kind: str | None
    flag_state: str | None
    text: str


@dataclass(frozen=True, slots=True)
class PeriodExplanation:
    steward_id: int
    name: str
    period: Period
    total: int
    entries: tuple[EntryLine, ...]
    set_aside: tuple[SetAside, ...]
    entry_count: int = 0  # in the period; `entries` and `set_aside` may be windows of them
    set_aside_count: int = 0

    def lines(self) -> list[str]:
        head = f"{self.name}(编号{self.steward_id}){self.period.label} 合计{self.total}分"
        return [head] + [e.text for e in self.entries] + [s.text for s in self.set_aside]

    def as_dict(self) -> dict[str, Any]:
        body = asdict(self)
        body["period"] = {"kind": self.period.kind.value, "label": self.period.label,
                          "first_day": self.period.first_day.isoformat(), "last_day": self.period.last_day.isoformat()}
        return body


def explain_period(
    session: Session, steward_id: int, period: Period, rulebook: RuleBook | None = None, *,
    limit: int | None = None, offset: int = 0,
) -> PeriodExplanation:
    """Entries by day and id, then the check-ins set aside by day; `limit` and `offset` window each of the two
    lists (the total and the counts are the whole period's)."""
    steward = session.get(t.Steward, steward_id)
    if steward is None:
        raise UnknownScopeError(f"no steward with id {steward_id}: list them under /registry/stewards")
    book = rulebook if rulebook is not None else default_rulebook()
    pe = t.PointsEntry
    in_period = (pe.steward_id == steward_id, pe.day >= period.first_day, pe.day <= period.last_day)
    total, count = session.execute(select(func.coalesce(func.sum(pe.points), 0), func.count()).where(*in_period)).one()
    rows = session.execute(
        select(pe).where(*in_period).order_by(pe.day, pe.id).limit(limit).offset(offset)
    ).scalars().all()
    # A reversal names an entry that may lie outside the window, and so may the one reversing an entry in it.
    reversed_keys = {r.reverses_id for r in rows if r.reverses_id is not None}
    keys_by_id = {r.id: r.entry_key for r in rows} | dict(session.execute(
        select(pe.id, pe.entry_key).where(pe.id.in_(sorted(reversed_keys)))).all())
    reversed_ids = set(session.scalars(
        select(pe.reverses_id).where(*in_period, pe.reverses_id.in_([r.id for r in rows]))))
    entries = tuple(_entry_line(r, book, keys_by_id, r.id in reversed_ids) for r in rows)
    set_aside = _set_aside(session, steward_id, period)
    end = None if limit is None else offset + limit
    return PeriodExplanation(
        steward_id=steward_id, name=steward.name, period=period, total=int(total),
        entries=entries, set_aside=tuple(set_aside[offset:end]), entry_count=int(count),
        set_aside_count=len(set_aside),
    )


def explain_command(database_url: str, steward_id: int, kind: str, label: str, *, as_json: bool = False) -> str:
    """What `stewards explain STEWARD --period month --label 2017-05` prints."""
    engine = make_engine(database_url)
    try:
        with session_factory(engine)() as session:
            explanation = explain_period(session, steward_id, parse_period(kind, label))
    finally:
        engine.dispose()
    if as_json:
        return json.dumps(explanation.as_dict(), ensure_ascii=False, indent=2, default=str)
    return "\n".join(explanation.lines())


@dataclass(frozen=True, slots=True)
class _Keyed:
    """A ledger row as the rulebook's explainer reads it: the engine's key, without a version suffix."""

    entry_key: str
    rule: str
    points: int
    day: date
    segment_id: int
    evidence: tuple[str, ...]
    ruleset_version: str
    trimmed_points: int
    cap: str


def _entry_line(row: t.PointsEntry, book: RuleBook, keys_by_id: dict[int, str], was_reversed: bool) -> EntryLine:
    dated = as_dated(row.rule, row.day, row.evidence)
    reverses = keys_by_id.get(row.reverses_id) if row.reverses_id is not None else None
    if dated.rule in PATROL_RULES:
        keyed = _Keyed(base_key(row.entry_key), dated.rule, abs(row.points), dated.day, row.segment_id or 0,
                       dated.evidence, row.ruleset_version, abs(row.trimmed_points), row.cap)
        text = explain([keyed], book)[0].text
    else:
        capped = capped_text(abs(row.points), abs(row.trimmed_points), row.cap)
        text = (f"{dated.day.isoformat()} 规则{dated.rule} +{abs(row.points)}分{capped}"
                f"(依据:{'、'.join(dated.evidence) or '无'};规则版本{row.ruleset_version})")
    if row.reverses_id is not None or row.entry_key.endswith(VOID_SUFFIX):
        text = f"撤销(重新计分后此项不再成立):{text.replace(f'+{abs(row.points)}分', f'-{abs(row.points)}分', 1)}"
    elif was_reversed:
        text = f"{text}[已被撤销]"
    if dated.adjustment:
        month = period_containing(PeriodKind.MONTH, dated.day).label
        text = f"{row.day.isoformat()} {ADJUSTMENT_TEXT.format(month=month)}:{text}"
    return EntryLine(row.entry_key, row.day, row.rule, row.points, row.trimmed_points, row.cap, row.ruleset_version,
                     tuple(row.evidence), reverses, was_reversed, text, row.lane_id, row.segment_id)


def _set_aside(session: Session, steward_id: int, period: Period) -> list[SetAside]:
    f = t.IntegrityFlag
    flags = session.scalars(
        select(f).where(f.steward_id == steward_id, f.day >= period.first_day, f.day <= period.last_day,
                        f.lapsed_at.is_(None)).order_by(f.day, f.id)
    ).all()
    flag_of = {key: flag for flag in flags for key in flag.visit_keys}
    st = t.ScoringState
    out: list[SetAside] = []
    for state in session.scalars(
        select(st).where(st.steward_id == steward_id, st.day >= period.first_day, st.day <= period.last_day)
        .order_by(st.day)
    ):
        day = state.day.isoformat()
        for key in state.withheld:
            flag = flag_of.get(key)
            if flag is None:
                out.append(SetAside(key, state.day, WITHHELD, None, None, None,
                                    f"{day} 打卡{key}被完整性检查标记,未计分"))
                continue
            out.append(SetAside(
                key, state.day, WITHHELD, flag.id, flag.kind, flag.state,
                f"{day} 打卡{key}未计分:{flag.reason_zh}(标记{flag.id},{_STATE_LABELS.get(flag.state, flag.state)})",
            ))
        for key in state.paced_out:
            out.append(SetAside(key, state.day, PACED_OUT, None, None, None,
                                f"{day} 打卡{key}距上一巡查点过近于步行所需时间,未计分"))
    return out
