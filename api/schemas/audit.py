"""The audit log as the offices read it."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from api.schemas.base import OutModel


class AuditOut(OutModel):
    id: int
    at: datetime
    account_id: int | None  # none for a change by someone with no account: a resident signing up online
    role: str
    action: str
    subject: str
    lane_id: int | None
    subdistrict_id: int | None
    before: dict[str, Any] | None
    after: dict[str, Any] | None
