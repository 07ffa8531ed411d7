"""工作台账: a steward's report, a move of a case, and a case with its reports and audit trail."""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime
from typing import Annotated

from pydantic import BeforeValidator, Field, computed_field

from api.schemas.base import InModel, OutModel, StoreId, Text
from scoring.cases.views import CaseDetail, ReportOutcome
from scoring.cases.workflow import PHOTO_REF_MAX_CHARS, CaseCategory, CaseState, ReportSource


class CaseIn(InModel):
    """A steward's report, as the signed-in steward: at a checkpoint, or at position_m metres along a lane."""

    category: CaseCategory
    lane_id: StoreId | None = None
    position_m: float | None = Field(default=None, ge=0, allow_inf_nan=False)
    checkpoint_id: StoreId | None = None
    photo_ref: Annotated[Text, Field(max_length=PHOTO_REF_MAX_CHARS)] = ""
    note: Text = ""


class TransitionIn(InModel):
    """A move of the case, made by the signed-in account (its chief, contractor or steward)."""

    to: CaseState
    note: Text = ""
    duplicate_of: StoreId | None = Field(default=None, description="the case this one repeats; with to=duplicate only")


class CaseOut(OutModel):
    id: int
    lane_id: int
    category: CaseCategory
    state: CaseState
    position_m: float
    checkpoint_id: int | None
    photo_ref: str
    steward_id: int  # the finder
    source: ReportSource
    reported_at: datetime
    state_changed_at: datetime
    duplicate_of: int | None
    report_count: int

    @computed_field  # type: ignore[prop-decorator]
    @property
    def category_label(self) -> str:
        return self.category.label

    @computed_field  # type: ignore[prop-decorator]
    @property
    def state_label(self) -> str:
        return self.state.label


class ReportOut(OutModel):
    id: int
    steward_id: int
    reported_at: datetime
    source: ReportSource
    source_key: str | None  # the band record "band/boot/seq"
    position_m: float
    checkpoint_id: int | None
    photo_ref: str
    note: str


class EventOut(OutModel):
    id: int
    at: datetime
    from_state: CaseState | None
    to_state: CaseState
    actor: Annotated[str, BeforeValidator(str)]  # "chief:<id>", "steward:<id>", "system", ...
    note: str


class CaseDetailOut(CaseOut):
    reports: list[ReportOut]
    events: list[EventOut]

    @classmethod
    def from_detail(cls, d: CaseDetail) -> CaseDetailOut:
        return cls.model_validate({**asdict(d.case), "reports": d.reports, "events": d.events})


class ReportedOut(OutModel):
    opened: bool  # false: the report joined an open case of its kind nearby
    report_id: int
    case: CaseDetailOut

    @classmethod
    def build(cls, outcome: ReportOutcome, detail: CaseDetail) -> ReportedOut:
        return cls(opened=outcome.opened, report_id=outcome.report_id, case=CaseDetailOut.from_detail(detail))
