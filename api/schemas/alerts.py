"""日巡 alerts: what a lane chief sees of a missed or late patrol, and its acknowledgement."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import computed_field

from api.schemas.base import OutModel
from scoring.patrol_alerts import KIND_LABELS


class AlertOut(OutModel):
    id: int
    key: str
    kind: str  # "missed" or "late"
    steward_id: int
    steward_name: str
    lane_id: int
    segment_id: int
    segment_name: str
    day: date
    window: str
    window_label: str
    due_at: datetime
    completed_at: datetime | None
    message_zh: str
    chief_ids: list[int]  # the lane's chiefs when the alert was raised
    ruleset_version: str
    created_at: datetime
    acknowledged_at: datetime | None
    acknowledged_by: int | None

    @computed_field  # type: ignore[prop-decorator]
    @property
    def kind_label(self) -> str:
        return KIND_LABELS.get(self.kind, self.kind)


