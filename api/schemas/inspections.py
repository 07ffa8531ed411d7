"""周查: the 十有十无 checklist, a chief's inspection of a lane, and the inspection as recorded."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Final

from pydantic import AliasChoices, Field, computed_field

from api.schemas.base import InModel, Instant, OutModel, StoreId, Text
from scoring.inspections import ItemKind

ITEM_CODE_MAX_CHARS: Final = 32  # the checklist's codes are short (Y01, W10)
ITEMS_MAX: Final = 100  # 十有十无 has twenty; an office's own list may be longer, not a hundred


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
    code: Annotated[Text, Field(max_length=ITEM_CODE_MAX_CHARS)]
    passed: bool
    note: Text = ""


class InspectionIn(InModel):
    """A 周查 of a lane, by the signed-in chief."""

    lane_id: StoreId
    inspected_at: Instant | None = Field(default=None, description="when the chief walked the lane; default now")
    items: list[ItemResultIn] = Field(max_length=ITEMS_MAX)
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
