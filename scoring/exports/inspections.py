"""周查 as a file: the inspections of the caller's lanes (or of one of them), of a period or of all time,
one row each, its failed items spelt out."""

from __future__ import annotations

from typing import Final

from sqlalchemy.orm import Session

from scoring.accounts.jurisdiction import check_lane, check_lane_oversight, lanes_in_reach
from scoring.accounts.principal import Principal
from scoring.exports.names import chief_names, lane_names
from scoring.exports.table import Column, Export, Kind, Row, Table, bounded
from scoring.inspections import InspectionView, inspections_in
from scoring.periods import Period

TABLE: Final = Table("inspections", "周查", (
    Column("id", "检查编号", Kind.INTEGER, 10),
    Column("lane", "街巷", Kind.TEXT, 16),
    Column("week", "周", Kind.TEXT, 10),
    Column("inspected_at", "检查时间", Kind.TIME, 20),
    Column("chief", "街巷长", Kind.TEXT, 10),
    Column("score", "得分", Kind.DECIMAL, 8),
    Column("items_passed", "达标项数", Kind.INTEGER, 10),
    Column("items_total", "检查项数", Kind.INTEGER, 10),
    Column("failed", "未达标项", Kind.TEXT, 50),
    Column("note", "备注", Kind.TEXT, 30),
    Column("checklist_version", "检查表版本", Kind.TEXT, 14),
))

ITEM_SEPARATOR: Final = "; "


def inspection_row(inspection: InspectionView, lane: str | None, chief: str | None) -> Row:
    failed = ITEM_SEPARATOR.join(
        f"{i.code} {i.text}" + (f"({i.note})" if i.note else "") for i in inspection.items if not i.passed
    )
    return (inspection.id, lane, inspection.week_label, inspection.inspected_at, chief, inspection.score,
            inspection.items_passed, inspection.items_total, failed, inspection.note, inspection.checklist_version)


def inspections_export(session: Session, principal: Principal, *, lane_id: int | None, period: Period | None,
                       max_rows: int) -> Export:
    check_lane_oversight(principal, "the lanes' 周查")
    if lane_id is not None:
        check_lane(session, principal, lane_id)
    lane_ids = frozenset({lane_id}) if lane_id is not None else lanes_in_reach(session, principal)
    found = bounded(inspections_in(session, period, lane_ids=lane_ids, limit=max_rows + 1), max_rows, "inspections")
    lanes = lane_names(session, {v.lane_id for v in found})
    chiefs = chief_names(session, {v.chief_id for v in found})
    parts = [f"lane{lane_id}" if lane_id is not None else "", period.label if period else ""]
    return Export(
        TABLE, tuple(inspection_row(v, lanes.get(v.lane_id), chiefs.get(v.chief_id)) for v in found),
        name="-".join(p for p in parts if p),
        filters={"lane": lane_id, "period": period.kind.value if period else None,
                 "label": period.label if period else None},
        lane_id=lane_id,
    )
