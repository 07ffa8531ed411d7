"""日巡提醒 as a file: the missed and late patrols of the caller's lanes (or of one of them), of a day, of a
period, or, with neither, those not yet acknowledged, as `GET /lanes/{id}/alerts` lists them."""

from __future__ import annotations

from datetime import date
from typing import Final

from sqlalchemy.orm import Session

from scoring.accounts.jurisdiction import check_lane, check_lane_oversight, lanes_in_reach
from scoring.accounts.principal import Principal
from scoring.exports.errors import InvalidExportError
from scoring.exports.names import lane_names
from scoring.exports.table import Column, Export, Kind, Row, Table, bounded
from scoring.patrol_alerts import KIND_LABELS, AlertView, alerts_in
from scoring.periods import Period

TABLE: Final = Table("alerts", "日巡提醒", (
    Column("id", "提醒编号", Kind.INTEGER, 10),
    Column("day", "日期", Kind.DATE, 12),
    Column("window", "时段", Kind.TEXT, 8),
    Column("kind", "类型", Kind.TEXT, 6),
    Column("steward_name", "姓名", Kind.TEXT, 10),
    Column("steward_id", "管家编号", Kind.INTEGER, 10),
    Column("lane", "街巷", Kind.TEXT, 16),
    Column("segment", "路段", Kind.TEXT, 20),
    Column("due_at", "应巡时间", Kind.TIME, 20),
    Column("completed_at", "完成时间", Kind.TIME, 20),
    Column("message", "提醒内容", Kind.TEXT, 60),
    Column("acknowledged_at", "确认时间", Kind.TIME, 20),
    Column("acknowledged_by", "确认人编号", Kind.INTEGER, 10),
))


def alert_row(alert: AlertView, lane: str | None) -> Row:
    return (alert.id, alert.day, alert.window_label, KIND_LABELS.get(alert.kind, alert.kind), alert.steward_name,
            alert.steward_id, lane, alert.segment_name, alert.due_at, alert.completed_at, alert.message_zh,
            alert.acknowledged_at, alert.acknowledged_by)


def alerts_export(session: Session, principal: Principal, *, lane_id: int | None, day: date | None,
                  period: Period | None, max_rows: int) -> Export:
    check_lane_oversight(principal, "the lanes' patrol alerts")
    if day is not None and period is not None:
        raise InvalidExportError("give a day or a period (with its label), not both")
    if lane_id is not None:
        check_lane(session, principal, lane_id)
    lane_ids = frozenset({lane_id}) if lane_id is not None else lanes_in_reach(session, principal)
    found = bounded(alerts_in(session, lane_ids=lane_ids, day=day, period=period, limit=max_rows + 1),
                    max_rows, "patrol alerts")
    lanes = lane_names(session, {a.lane_id for a in found})
    when = day.isoformat() if day else period.label if period else "open"
    return Export(
        TABLE, tuple(alert_row(a, lanes.get(a.lane_id)) for a in found),
        name="-".join(p for p in (f"lane{lane_id}" if lane_id is not None else "", when) if p),
        filters={"lane": lane_id, "day": day.isoformat() if day else None,
                 "period": period.kind.value if period else None, "label": period.label if period else None},
        lane_id=lane_id,
    )
