"""周查: the 十有十无 checklist, a chief's inspection of a lane, and the inspection as recorded."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import AliasChoices, Field, computed_field

from api.schemas.base import InModel, OutModel, StoreId, Text
from scoring.inspections import ItemKind


class ChecklistItemOut(OutModel):
    code: str
    kind: ItemKind
    text: str
    hint: str

    @computed_field  # type: ignore[prop-decorator]
    @property
    def kind_label(self) -> str:
        return self.kind.label


class ChecklistOut(OutModel):
    key: str
    name: str
    version: str
    items: list[ChecklistItemOut]


class ItemResultIn(InModel):
    code: Text
    passed: bool
    note: Text = ""


class InspectionIn(InModel):
    """A 周查 of a lane, by the signed-in chief."""

    lane_id: StoreId
    inspected_at: datetime | None = Field(default=None, description="when the chief walked the lane; default now")
    items: list[ItemResultIn]
    note: Text = ""


class ItemOut(OutModel):
    code: str
    kind: ItemKind
    text: str
    passed: bool
    note: str


class InspectionOut(OutModel):
    id: int
    lane_id: int
    chief_id: int
    inspected_at: datetime
    week: str = Field(validation_alias=AliasChoices("week", "week_label"))  # the view calls it week_label
    week_of: date
    checklist_version: str
    items_total: int
    items_passed: int
    score: float
    note: str
    items: list[ItemOut]
