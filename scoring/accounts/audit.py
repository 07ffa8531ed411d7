"""The audit log (工作留痕): who changed what, when, from which state to which.

Written in the same transaction as the change it records, so a change and its entry stand or fall
together; never updated or deleted (the store's triggers refuse both). Read by the offices of the area
the change was in: a coordinator their subdistrict's, a district administrator their district's.
A change by someone with no account (a resident signing up online) is logged with none, as "public".
Entries name people by id only: a name, a phone or an address is not kept in a log nothing can delete.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from scoring.accounts.jurisdiction import EVERYWHERE, lanes_in_reach, require_role
from scoring.accounts.principal import Principal
from scoring.accounts.roles import Role
from scoring.storage import tables as t


@dataclass(frozen=True, slots=True)
class AuditView:
    id: int
    at: datetime
    account_id: int | None
    role: str
    action: str
    subject: str
    lane_id: int | None
    subdistrict_id: int | None
    before: dict[str, Any] | None
    after: dict[str, Any] | None


PUBLIC: Final = "public"  # the role of an entry made with no account


def record(session: Session, principal: Principal | None, at: datetime, action: str, subject: str, *,
           lane_id: int | None = None, subdistrict_id: int | None = None, before: dict[str, Any] | None = None,
           after: dict[str, Any] | None = None) -> None:
    """Append one entry, placed in its lane's subdistrict (or in `subdistrict_id`, for a change of no lane)."""
    if lane_id is not None:
        subdistrict_id = session.scalar(select(t.Lane.subdistrict_id).where(t.Lane.id == lane_id))
    session.add(t.AuditEntry(at=at, account_id=principal.account_id if principal else None,
                             role=principal.role.value if principal else PUBLIC, action=action,
                             subject=subject, lane_id=lane_id, subdistrict_id=subdistrict_id,
                             before=before, after=after))


def read_log(session: Session, principal: Principal, *, limit: int, offset: int = 0,
             before_id: int | None = None) -> list[AuditView]:
    """The newest entries of the caller's area first; for the offices and the installation's operators."""
    require_role(principal, Role.COORDINATOR, Role.DISTRICT_ADMIN, Role.ADMIN)
    query = select(t.AuditEntry).order_by(t.AuditEntry.id.desc()).limit(limit).offset(offset)
    if before_id is not None:
        query = query.where(t.AuditEntry.id < before_id)
    reach = lanes_in_reach(session, principal)
    if reach is not EVERYWHERE:
        subdistricts = select(t.Lane.subdistrict_id).where(t.Lane.id.in_(sorted(reach)))
        query = query.where(or_(t.AuditEntry.lane_id.in_(sorted(reach)),
                                t.AuditEntry.subdistrict_id.in_(subdistricts)))
    return [AuditView(e.id, e.at, e.account_id, e.role, e.action, e.subject, e.lane_id, e.subdistrict_id,
                      e.before, e.after) for e in session.scalars(query)]
