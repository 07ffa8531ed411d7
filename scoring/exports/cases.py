"""工作台账 as a file: the cases the caller may see (`scoring.accounts.jurisdiction.cases_in_reach`), as
`GET /cases` lists them, each with the words of the report that opened it."""

from __future__ import annotations

from collections.abc import Collection
from typing import Final

from sqlalchemy import select
from sqlalchemy.orm import Session

from scoring.accounts.jurisdiction import cases_in_reach
from scoring.accounts.principal import Principal
from scoring.cases.store import chunked, list_cases
from scoring.cases.views import CaseView
from scoring.cases.workflow import CaseState, ReportSource
from scoring.exports.names import lane_names
from scoring.exports.table import Column, Export, Kind, Row, Table, bounded
from scoring.storage import tables as t

SOURCE_LABELS: Final = {ReportSource.BAND: "手环", ReportSource.API: "线上"}

TABLE: Final = Table("cases", "工作台账", (
    Column("id", "案件编号", Kind.INTEGER, 10),
    Column("lane", "街巷", Kind.TEXT, 16),
    Column("category", "类别", Kind.TEXT, 10),
    Column("state", "状态", Kind.TEXT, 12),
    Column("note", "情况描述", Kind.TEXT, 40),
    Column("position_m", "位置(米)", Kind.DECIMAL, 10),
    Column("checkpoint_id", "巡查点编号", Kind.INTEGER, 10),
    Column("steward_id", "发现人编号", Kind.INTEGER, 10),
    Column("source", "来源", Kind.TEXT, 6),
    Column("reported_at", "上报时间", Kind.TIME, 20),
    Column("state_changed_at", "状态更新时间", Kind.TIME, 20),
    Column("report_count", "上报次数", Kind.INTEGER, 8),
    Column("duplicate_of", "重复于案件", Kind.INTEGER, 10),
    Column("photo_ref", "照片", Kind.TEXT, 24),
))


def case_row(case: CaseView, lane: str | None, note: str) -> Row:
    return (case.id, lane, case.category.label, case.state.label, note, case.position_m, case.checkpoint_id,
            case.steward_id, SOURCE_LABELS.get(case.source, case.source.value), case.reported_at,
            case.state_changed_at, case.report_count, case.duplicate_of, case.photo_ref)


def cases_export(session: Session, principal: Principal, *, lane_id: int | None, state: CaseState | None,
                 open_only: bool, max_rows: int) -> Export:
    reach = cases_in_reach(session, principal, lane_id)
    found = bounded(list_cases(session, lane_id=lane_id, state=state, open_only=open_only, limit=max_rows + 1,
                               lane_ids=reach.lane_ids, reported_by=reach.reported_by), max_rows, "cases")
    lanes = lane_names(session, {c.lane_id for c in found})
    notes = opening_notes(session, [c.id for c in found])
    parts = [f"lane{lane_id}" if lane_id is not None else "", state.value if state else "", "open" if open_only else ""]
    return Export(
        TABLE, tuple(case_row(c, lanes.get(c.lane_id), notes.get(c.id, "")) for c in found),
        name="-".join(p for p in parts if p),
        filters={"lane": lane_id, "state": state.value if state else None, "open_only": open_only},
        lane_id=lane_id,
    )


def opening_notes(session: Session, case_ids: Collection[int]) -> dict[int, str]:
    """Each case's description: the note of its first report (the finder's)."""
    out: dict[int, str] = {}
    r = t.CaseReport
    for chunk in chunked(sorted(case_ids)):
        for case_id, note in session.execute(
            select(r.case_id, r.note).where(r.case_id.in_(chunk)).order_by(r.case_id, r.id)
        ):
            out.setdefault(case_id, note)
    return out
