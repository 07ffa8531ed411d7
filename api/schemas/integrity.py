"""Integrity flags: a steward's flags with their audit trail, an appeal, a chief's decision."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import Field, computed_field

from api.schemas.base import InModel, OutModel, Text
from scoring.integrity.states import FlagState
from scoring.integrity.store import APPEAL_MAX_CHARS


class ActionOut(OutModel):
    at: datetime
    action: str
    actor_kind: str
    actor_id: int | None
    note: str


class FlagOut(OutModel):
    id: int
    steward_id: int
    day: date
    kind: str
    visit_keys: list[str]  # the check-ins "band/boot/seq" it covers
    reason_zh: str
    reason_en: str
    state: FlagState
    withholds: bool  # its check-ins earn no points now
    lapsed: bool
    ruleset_version: str
    created_at: datetime
    decided_at: datetime | None
    decided_by: int | None
    actions: list[ActionOut]

    @computed_field  # type: ignore[prop-decorator]
    @property
    def state_label(self) -> str:
        return self.state.label


class AppealIn(InModel):
    """The flagged steward's appeal, as the signed-in steward."""

    text: Text = Field(min_length=1, max_length=APPEAL_MAX_CHARS)


class DecisionIn(InModel):
    """A chief's decision on an appealed flag, as the signed-in chief."""

    restore: bool = Field(description="true: the check-ins count again; false: the flag is upheld")
    note: Text = ""
