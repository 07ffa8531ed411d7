"""What the work ledger shows: a case with its reports and events, a dissuasion, a report's outcome."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from scoring.cases.workflow import Actor, CaseCategory, CaseState, ReportSource


@dataclass(frozen=True, slots=True)
class ReportOutcome:
    case_id: int
    report_id: int
    opened: bool  # True: this report opened the case; False: it joined an open one


@dataclass(frozen=True, slots=True)
class CaseView:
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


@dataclass(frozen=True, slots=True)
class ReportView:
    id: int
    steward_id: int
    reported_at: datetime
    source: ReportSource
    source_key: str | None
    position_m: float
    checkpoint_id: int | None
    photo_ref: str
    note: str


@dataclass(frozen=True, slots=True)
class EventView:
    id: int
    at: datetime
    from_state: CaseState | None  # None for the report that opened the case
    to_state: CaseState
    actor: Actor
    note: str


@dataclass(frozen=True, slots=True)
class CaseDetail:
    case: CaseView
    reports: tuple[ReportView, ...]
    events: tuple[EventView, ...]


@dataclass(frozen=True, slots=True)
class DissuasionView:
    id: int
    steward_id: int
    lane_id: int
    checkpoint_id: int | None
    at: datetime
    source: ReportSource
    source_key: str | None
    note: str


@dataclass(frozen=True, slots=True)
class Place:
    """Where a checkpoint is: its lane and its position in metres along the lane."""

    lane_id: int
    position_m: float
