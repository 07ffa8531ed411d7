"""积分明细 as a file: every points entry of a period, with its plain explanation, for one steward or for
the stewards of an area the caller reaches.

An area's file holds the entries its board counts (the leaderboard's scope: a lane, a community, a
subdistrict, a team), so a steward's rows add up to their points on that board. Each line's text is the
one `/stewards/{id}/explanation` gives (scoring.ledger.explanations), not a second wording.
"""

from __future__ import annotations

from typing import Final

from sqlalchemy.orm import Session

from scoring.accounts.jurisdiction import check_steward, check_stewards_data, stewards_in_reach
from scoring.accounts.principal import Principal
from scoring.exports.leaderboard import scope_name
from scoring.exports.names import lane_names
from scoring.exports.table import Column, Export, Kind, Row, Table, bounded
from scoring.ledger.explanations import EntryLine, explain_period
from scoring.ledger.leaderboard import Scope, entries_in_scope
from scoring.periods import Period

TABLE: Final = Table("points", "积分明细", (
    Column("name", "姓名", Kind.TEXT, 10),
    Column("steward_id", "管家编号", Kind.INTEGER, 10),
    Column("day", "日期", Kind.DATE, 12),
    Column("lane", "街巷", Kind.TEXT, 16),
    Column("rule", "规则", Kind.TEXT, 18),
    Column("points", "积分", Kind.INTEGER, 8),
    Column("trimmed_points", "封顶扣减", Kind.INTEGER, 10),
    Column("ruleset_version", "规则版本", Kind.TEXT, 12),
    Column("evidence", "依据(打卡记录)", Kind.TEXT, 30),
    Column("text", "说明", Kind.TEXT, 80),
    Column("entry_key", "条目键", Kind.TEXT, 40),
))


def entry_row(name: str, steward_id: int, line: EntryLine, lane: str | None) -> Row:
    return (name, steward_id, line.day, lane, line.rule, line.points, line.trimmed_points, line.ruleset_version,
            " ".join(line.evidence), line.text, line.entry_key)


def points_export(session: Session, principal: Principal, period: Period, scope: Scope, *,
                  steward_id: int | None, max_rows: int) -> Export:
    if steward_id is not None:
        check_steward(session, principal, steward_id)
        stewards: frozenset[int] | None = frozenset({steward_id})
    else:
        check_stewards_data(principal)
        stewards = stewards_in_reach(session, principal)  # a steward's: their own
    places = bounded(entries_in_scope(session, period, scope, steward_ids=stewards, limit=max_rows + 1),
                     max_rows, "points entries")
    keys = {p.entry_key for p in places}
    lanes = lane_names(session, {p.lane_id for p in places})
    rows: list[Row] = []
    for sid in dict.fromkeys(p.steward_id for p in places):  # by steward, as fetched
        explanation = explain_period(session, sid, period)
        rows.extend(entry_row(explanation.name, sid, line, lanes.get(line.lane_id))
                    for line in explanation.entries if line.entry_key in keys)
    name = f"{period.label}-{scope_name(scope)}" + (f"-steward{steward_id}" if steward_id is not None else "")
    return Export(
        TABLE, tuple(rows), name=name,
        filters={"period": period.kind.value, "label": period.label, "scope": scope.kind.value,
                 "scope_id": scope.id, "steward": steward_id},
    )
