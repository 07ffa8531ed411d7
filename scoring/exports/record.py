"""An export in the audit log: who took which rows out of the system, when, as what file.

An export writes nothing else, but it is how personal data (names, where and when stewards patrolled,
residents' words) leaves the system in bulk, and PIPL (个人信息保护法) asks a handler of personal
information to limit who may handle it and to be able to show who did. So every export is recorded, in
the caller's own area so that their office reads it beside their other work: the one lane it is of, or a
chief's or property company's lane, or a coordinator's or station's subdistrict, or a steward's
subdistrict. A district administrator's or an administrator's export names no lane: it is kept, and read
by the administrators.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from scoring.accounts import audit
from scoring.accounts.jurisdiction import lanes_in_reach
from scoring.accounts.principal import Principal
from scoring.accounts.roles import Role
from scoring.exports.table import Export
from scoring.storage import tables as t


def record_export(session: Session, principal: Principal, now: datetime, export: Export, file_format: str) -> None:
    lane_id, subdistrict_id = _place(session, principal, export)
    audit.record(session, principal, now, f"export.{export.table.key}", f"export:{export.table.key}.{file_format}",
                 lane_id=lane_id, subdistrict_id=subdistrict_id,
                 after={"format": file_format, "rows": len(export.rows), "filters": export.filters})


def _place(session: Session, principal: Principal, export: Export) -> tuple[int | None, int | None]:
    if export.lane_id is not None:
        return export.lane_id, None
    if principal.role in (Role.CHIEF, Role.CONTRACTOR):
        reach = lanes_in_reach(session, principal)
        if reach is not None and len(reach) == 1:
            return next(iter(reach)), None
    if principal.role is Role.STEWARD and principal.steward_id is not None:
        return None, session.scalar(select(t.Steward.subdistrict_id).where(t.Steward.id == principal.steward_id))
    return None, principal.subdistrict_id
