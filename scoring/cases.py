"""工作台账: problem cases on the lanes, their workflow and audit trail, dissuasions, and their points.

A steward reports a problem (开墙打洞, 违法建设, ...) with the band's problem button at a checkpoint — a
PROBLEM_REPORT check-in whose `detail` is the category — or through the API. A report within
`join_within_m` metres of an open case of the same category on the same lane joins that case instead of
opening another. Positions are metres along the lane: a checkpoint's position is its segment's offset
(the lane's segments laid end to end in registry order) plus its position on the segment.

The workflow follows the street office's forms (执法申请单, 任务完成确认申请单)::

    reported              → confirmed | not_responsible | duplicate (of another case) | closed
    confirmed             → enforcement_requested | fixed | closed
    enforcement_requested → fixed | closed
    fixed                 → fix_confirmed | enforcement_requested (the fix was not accepted)

fix_confirmed, not_responsible, duplicate and closed are final. Every change is a case_events row
(who, when, note) that is never updated. Only a chief of the case's lane moves a case; `fixed` may also
be recorded by the lane's property company (物业) or by the system.

Points are not given on report: the finder (the steward whose report opened the case) earns points
when the chief confirms the case and more when the fix is confirmed; a dissuasion (劝阻, check-in kind
3) earns points up to a daily limit. This module only drafts those entries, deterministically, from
the stored events; writing them to the ledger is the scorer's job.

Errors::

    CaseError (ScoringError)
    ├── UnknownCaseError          no case with that id
    ├── InvalidCaseInputError     a report or request that cannot be recorded as given
    ├── IllegalTransitionError    the workflow does not allow that change from the case's state
    └── NotAuthorisedError        the actor may not make that change on that lane
"""

from __future__ import annotations

import enum
import logging
import math
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from types import MappingProxyType
from typing import Final, TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from scoring.errors import ScoringError
from scoring.ingest import CheckInKind
from scoring.periods import Period, local_day
from scoring.storage import tables as t

log = logging.getLogger(__name__)

_T = TypeVar("_T")

CASE_JOIN_DISTANCE_METERS: Final = 30.0  # a report this close to an open case of its kind is the same problem
PHOTO_REF_MAX_CHARS: Final = 300
_LOOKUP_CHUNK: Final = 500  # keys per IN (...) list: well inside every driver's parameter limit

RULE_CASE_CONFIRMED: Final = "case_confirmed"
RULE_CASE_FIX_CONFIRMED: Final = "case_fix_confirmed"
RULE_DISSUASION: Final = "dissuasion"


# --- Errors ----------------------------------------------------------------------------------------


class CaseError(ScoringError):
    """Base of the work ledger's errors."""


class UnknownCaseError(CaseError, LookupError):
    pass


class InvalidCaseInputError(CaseError, ValueError):
    pass


class IllegalTransitionError(CaseError):
    pass


class NotAuthorisedError(CaseError):
    pass


# --- Vocabulary ------------------------------------------------------------------------------------


class CaseCategory(str, enum.Enum):
    """Problem categories; `code` is the wire protocol's ProblemCategory (a PROBLEM_REPORT's detail)."""

    WALL_OPENING = "wall_opening"
    ILLEGAL_CONSTRUCTION = "illegal_construction"
    PARKING_LOCK = "parking_lock"
    GROUP_RENTAL = "group_rental"
    PILED_MATERIALS = "piled_materials"
    STREET_VENDING = "street_vending"
    OTHER = "other"

    @property
    def code(self) -> int:
        return _CATEGORY_CODES[self]

    @property
    def label(self) -> str:
        return _CATEGORY_LABELS[self]

    @classmethod
    def from_code(cls, code: int) -> CaseCategory:
        try:
            return _CATEGORY_BY_CODE[code]
        except KeyError:
            raise InvalidCaseInputError(
                f"problem category code {code!r} is not one of 1..{len(_CATEGORY_BY_CODE)}: "
                "the band's firmware and the server disagree on the categories; update the band"
            ) from None


_CATEGORY_CODES: Final = MappingProxyType({
    CaseCategory.WALL_OPENING: 1,
    CaseCategory.ILLEGAL_CONSTRUCTION: 2,
    CaseCategory.PARKING_LOCK: 3,
    CaseCategory.GROUP_RENTAL: 4,
    CaseCategory.PILED_MATERIALS: 5,
    CaseCategory.STREET_VENDING: 6,
    CaseCategory.OTHER: 7,
})
_CATEGORY_BY_CODE: Final = MappingProxyType({code: c for c, code in _CATEGORY_CODES.items()})
_CATEGORY_LABELS: Final = MappingProxyType({
    CaseCategory.WALL_OPENING: "开墙打洞",
    CaseCategory.ILLEGAL_CONSTRUCTION: "违法建设",
    CaseCategory.PARKING_LOCK: "地桩地锁",
    CaseCategory.GROUP_RENTAL: "群租房屋",
    CaseCategory.PILED_MATERIALS: "堆物堆料",
    CaseCategory.STREET_VENDING: "占道经营",
    CaseCategory.OTHER: "其他",
})


class CaseState(str, enum.Enum):
    REPORTED = "reported"
    CONFIRMED = "confirmed"
    ENFORCEMENT_REQUESTED = "enforcement_requested"
    FIXED = "fixed"
    FIX_CONFIRMED = "fix_confirmed"
    NOT_RESPONSIBLE = "not_responsible"
    DUPLICATE = "duplicate"
    CLOSED = "closed"

    @property
    def label(self) -> str:
        return _STATE_LABELS[self]

    @property
    def is_open(self) -> bool:
        return bool(TRANSITIONS[self])


_STATE_LABELS: Final = MappingProxyType({
    CaseState.REPORTED: "已上报",
    CaseState.CONFIRMED: "已确认",
    CaseState.ENFORCEMENT_REQUESTED: "已申请执法",
    CaseState.FIXED: "已整改",
    CaseState.FIX_CONFIRMED: "已确认完成",
    CaseState.NOT_RESPONSIBLE: "不属职责范围",
    CaseState.DUPLICATE: "重复上报",
    CaseState.CLOSED: "已关闭",
})

_S = CaseState
TRANSITIONS: Final[Mapping[CaseState, frozenset[CaseState]]] = MappingProxyType({
    _S.REPORTED: frozenset({_S.CONFIRMED, _S.NOT_RESPONSIBLE, _S.DUPLICATE, _S.CLOSED}),
    _S.CONFIRMED: frozenset({_S.ENFORCEMENT_REQUESTED, _S.FIXED, _S.CLOSED}),
    _S.ENFORCEMENT_REQUESTED: frozenset({_S.FIXED, _S.CLOSED}),
    _S.FIXED: frozenset({_S.FIX_CONFIRMED, _S.ENFORCEMENT_REQUESTED}),
    _S.FIX_CONFIRMED: frozenset(),
    _S.NOT_RESPONSIBLE: frozenset(),
    _S.DUPLICATE: frozenset(),
    _S.CLOSED: frozenset(),
})
OPEN_STATES: Final = frozenset(s for s in CaseState if s.is_open)


class ReportSource(str, enum.Enum):
    BAND = "band"  # the band's problem button, at a checkpoint
    API = "api"


class ActorKind(str, enum.Enum):
    STEWARD = "steward"
    CHIEF = "chief"
    CONTRACTOR = "contractor"
    SYSTEM = "system"


@dataclass(frozen=True, slots=True)
class Actor:
    """Who made a change: a registry person ("chief:12") or the system ("system")."""

    kind: ActorKind
    id: int | None = None

    def __post_init__(self) -> None:
        if (self.kind is ActorKind.SYSTEM) != (self.id is None):
            raise InvalidCaseInputError(
                f"actor {self.kind.value} {self.id!r}: the system has no id; a steward, chief or contractor needs one"
            )
        if self.id is not None and self.id < 1:
            raise InvalidCaseInputError(f"actor id {self.id!r} must be a positive registry id")

    @classmethod
    def parse(cls, text: str) -> Actor:
        """"chief:12", "steward:3", "contractor:4" or "system"."""
        kind, sep, ident = text.strip().partition(":")
        try:
            actor_kind = ActorKind(kind)
            return cls(actor_kind, int(ident) if sep else None)
        except ValueError:
            raise InvalidCaseInputError(
                f"actor {text!r}: write it as chief:<id>, steward:<id>, contractor:<id> or system"
            ) from None

    def __str__(self) -> str:
        return self.kind.value if self.id is None else f"{self.kind.value}:{self.id}"


# --- Pure workflow ---------------------------------------------------------------------------------


def check_transition(case_id: int, current: CaseState, to: CaseState) -> None:
    """Raise IllegalTransitionError unless the workflow allows `current` → `to`."""
    allowed = TRANSITIONS[current]
    if to in allowed:
        return
    if not allowed:
        raise IllegalTransitionError(
            f"case {case_id} is {current.value} ({current.label}), a final state: it cannot become {to.value}; "
            "if the problem is back, report it again to open a new case"
        )
    raise IllegalTransitionError(
        f"case {case_id} is {current.value} ({current.label}): it can become "
        f"{', '.join(sorted(s.value for s in allowed))}, not {to.value}"
    )


# --- Inputs and views ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ProblemReport:
    """A steward's report of a problem: at a checkpoint, or at `position_m` metres along a lane."""

    steward_id: int
    category: CaseCategory
    reported_at: datetime
    lane_id: int | None = None
    position_m: float | None = None
    checkpoint_id: int | None = None
    photo_ref: str = ""
    note: str = ""
    source: ReportSource = ReportSource.API
    source_key: str | None = None  # the band record's "band/boot/seq"; None for the API

    def __post_init__(self) -> None:
        if self.reported_at.tzinfo is None:
            raise InvalidCaseInputError("reported_at must be an aware instant")
        if self.checkpoint_id is None and (self.lane_id is None or self.position_m is None):
            raise InvalidCaseInputError("say where the problem is: a checkpoint_id, or a lane_id with position_m")
        if self.position_m is not None and not (math.isfinite(self.position_m) and self.position_m >= 0):
            raise InvalidCaseInputError(f"position_m {self.position_m!r} must be a finite number of metres >= 0")
        if len(self.photo_ref) > PHOTO_REF_MAX_CHARS:
            raise InvalidCaseInputError(
                f"photo_ref is longer than {PHOTO_REF_MAX_CHARS} characters: store a reference, not the photo"
            )
        if (self.source is ReportSource.BAND) != (self.source_key is not None):
            raise InvalidCaseInputError("a band report carries its record key (band/boot/seq); an API report none")


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


# --- Reports ---------------------------------------------------------------------------------------


def report_case(
    session: Session, report: ProblemReport, *, join_within_m: float = CASE_JOIN_DISTANCE_METERS
) -> ReportOutcome:
    """Record a report: it joins the nearest open case of its category on its lane, or opens a case.

    A band report already recorded (same source_key) is not recorded again: its outcome is returned.
    The caller commits.
    """
    if report.source_key is not None:
        known = session.scalar(select(t.CaseReport).where(t.CaseReport.source_key == report.source_key))
        if known is not None:
            first = session.scalar(
                select(t.CaseReport.id).where(t.CaseReport.case_id == known.case_id).order_by(t.CaseReport.id).limit(1)
            )
            return ReportOutcome(known.case_id, known.id, opened=first == known.id)
    if session.get(t.Steward, report.steward_id) is None:
        raise InvalidCaseInputError(f"steward {report.steward_id} is not in the registry: report as a registered steward")
    lane_id, position_m = _place_of(session, report)

    nearest = _nearest_open_case(session, lane_id, report.category, position_m, join_within_m)
    if nearest is None:
        case = t.Case(
            lane_id=lane_id, category=report.category.value, state=CaseState.REPORTED.value, position_m=position_m,
            checkpoint_id=report.checkpoint_id, photo_ref=report.photo_ref, steward_id=report.steward_id,
            source=report.source.value, reported_at=report.reported_at, state_changed_at=report.reported_at,
            duplicate_of_id=None,
        )
        session.add(case)
        session.flush()
        session.add(t.CaseEvent(
            case_id=case.id, at=report.reported_at, from_state=None, to_state=CaseState.REPORTED.value,
            actor_kind=ActorKind.STEWARD.value, actor_id=report.steward_id, note=report.note,
        ))
        case_id, opened = case.id, True
    else:
        case_id, opened = nearest, False
    row = t.CaseReport(
        case_id=case_id, steward_id=report.steward_id, reported_at=report.reported_at, source=report.source.value,
        source_key=report.source_key, position_m=position_m, checkpoint_id=report.checkpoint_id,
        photo_ref=report.photo_ref, note=report.note,
    )
    session.add(row)
    session.flush()
    log.info("%s report by steward %d %s case %d (%s on lane %d at %.0f m)", report.source.value, report.steward_id,
             "opened" if opened else "joined", case_id, report.category.value, lane_id, position_m)
    return ReportOutcome(case_id, row.id, opened)


def _place_of(session: Session, report: ProblemReport) -> tuple[int, float]:
    if report.checkpoint_id is None:
        assert report.lane_id is not None and report.position_m is not None  # checked by ProblemReport
        lane = session.get(t.Lane, report.lane_id)
        if lane is None:
            raise InvalidCaseInputError(f"lane {report.lane_id} is not in the registry: pick a lane from /registry/lanes")
        if lane.length_m is not None and report.position_m > lane.length_m:
            raise InvalidCaseInputError(
                f"position_m {report.position_m} is past the end of lane {lane.id} ({lane.name}, {lane.length_m} m)"
            )
        return lane.id, report.position_m
    place = checkpoint_places(session, [report.checkpoint_id]).get(report.checkpoint_id)
    if place is None:
        raise InvalidCaseInputError(f"checkpoint {report.checkpoint_id} is not in the registry")
    if report.lane_id is not None and report.lane_id != place.lane_id:
        raise InvalidCaseInputError(
            f"checkpoint {report.checkpoint_id} lies on lane {place.lane_id}, not lane {report.lane_id}"
        )
    return place.lane_id, report.position_m if report.position_m is not None else place.position_m


def _nearest_open_case(
    session: Session, lane_id: int, category: CaseCategory, position_m: float, within_m: float
) -> int | None:
    rows = session.execute(
        select(t.Case.id, t.Case.position_m).where(
            t.Case.lane_id == lane_id,
            t.Case.category == category.value,
            t.Case.state.in_([s.value for s in OPEN_STATES]),
        )
    ).all()
    near = sorted((abs(pos - position_m), case_id) for case_id, pos in rows if abs(pos - position_m) <= within_m)
    return near[0][1] if near else None


def checkpoint_places(session: Session, checkpoint_ids: Iterable[int]) -> dict[int, Place]:
    """Each known checkpoint's lane and position along it; unknown ids are left out."""
    wanted = sorted(set(checkpoint_ids))
    if not wanted:
        return {}
    cps = session.execute(
        select(t.Checkpoint.id, t.Checkpoint.segment_id, t.Checkpoint.position_m, t.Segment.lane_id)
        .join(t.Segment, t.Segment.id == t.Checkpoint.segment_id)
        .where(t.Checkpoint.id.in_(wanted))
    ).all()
    lanes = sorted({r.lane_id for r in cps})
    offsets: dict[int, float] = {}
    running: dict[int, float] = defaultdict(float)
    # The registry keeps no offset for a segment; its segments are taken end to end in id order.
    for seg_id, lane_id, length_m in session.execute(
        select(t.Segment.id, t.Segment.lane_id, t.Segment.length_m)
        .where(t.Segment.lane_id.in_(lanes))
        .order_by(t.Segment.lane_id, t.Segment.id)
    ):
        offsets[seg_id] = running[lane_id]
        running[lane_id] += length_m
    return {r.id: Place(r.lane_id, offsets[r.segment_id] + r.position_m) for r in cps}


# --- Workflow --------------------------------------------------------------------------------------


def transition(
    session: Session,
    case_id: int,
    to: CaseState,
    actor: Actor,
    at: datetime,
    *,
    note: str = "",
    duplicate_of: int | None = None,
) -> EventView:
    """Move a case to `to`, recording who, when and why. The caller commits."""
    case = session.get(t.Case, case_id, with_for_update=True)  # two chiefs at once: one waits
    if case is None:
        raise UnknownCaseError(f"case {case_id} does not exist")
    current = CaseState(case.state)
    check_transition(case_id, current, to)
    _authorise(session, case, to, actor)
    if at.tzinfo is None:
        raise InvalidCaseInputError("a transition's time must be an aware instant")
    if at < case.state_changed_at:
        raise InvalidCaseInputError(
            f"case {case_id} last changed at {case.state_changed_at.isoformat()}; a change at {at.isoformat()} "
            "would precede it: check the clock"
        )
    if (to is CaseState.DUPLICATE) != (duplicate_of is not None):
        raise InvalidCaseInputError("duplicate_of names the case this one repeats, and goes with to=duplicate only")
    if duplicate_of is not None:
        original = session.get(t.Case, duplicate_of)
        if original is None or original.id == case.id or original.lane_id != case.lane_id:
            raise InvalidCaseInputError(
                f"case {case_id} can only be a duplicate of another existing case on lane {case.lane_id}, not {duplicate_of}"
            )
    event = t.CaseEvent(
        case_id=case.id, at=at, from_state=current.value, to_state=to.value,
        actor_kind=actor.kind.value, actor_id=actor.id, note=note,
    )
    session.add(event)
    case.state = to.value
    case.state_changed_at = at
    case.duplicate_of_id = duplicate_of
    session.flush()
    log.info("case %d: %s -> %s by %s", case.id, current.value, to.value, actor)
    return _event_view(event)


def _authorise(session: Session, case: t.Case, to: CaseState, actor: Actor) -> None:
    lane_id = case.lane_id
    if actor.kind is ActorKind.CHIEF:
        chief = session.get(t.Chief, actor.id)
        if chief is not None and chief.lane_id == lane_id:
            return
        raise NotAuthorisedError(f"chief {actor.id} is not a chief of lane {lane_id}: ask that lane's 街巷长")
    if to is CaseState.FIXED:
        if actor.kind is ActorKind.SYSTEM:
            return
        if actor.kind is ActorKind.CONTRACTOR:
            contractor = session.get(t.Contractor, actor.id)
            if contractor is not None and contractor.lane_id == lane_id:
                return
            raise NotAuthorisedError(f"contractor {actor.id} does not serve lane {lane_id}")
    raise NotAuthorisedError(
        f"{actor} may not move case {case.id} to {to.value}: only a chief of lane {lane_id} may"
        + (" (or its property company, or the system, for fixed)" if to is CaseState.FIXED else "")
    )


# --- Reading ---------------------------------------------------------------------------------------


def get_case(session: Session, case_id: int) -> CaseDetail:
    case = session.get(t.Case, case_id)
    if case is None:
        raise UnknownCaseError(f"case {case_id} does not exist")
    reports = session.scalars(select(t.CaseReport).where(t.CaseReport.case_id == case_id).order_by(t.CaseReport.id)).all()
    events = session.scalars(
        select(t.CaseEvent).where(t.CaseEvent.case_id == case_id).order_by(t.CaseEvent.at, t.CaseEvent.id)
    ).all()
    return CaseDetail(
        _case_view(case, len(reports)),
        tuple(_report_view(r) for r in reports),
        tuple(_event_view(e) for e in events),
    )


def list_cases(
    session: Session,
    *,
    lane_id: int | None = None,
    state: CaseState | None = None,
    open_only: bool = False,
    limit: int | None = None,
) -> list[CaseView]:
    """Cases, oldest first, filtered by lane and state (or all open states)."""
    query = select(t.Case).order_by(t.Case.id)
    if lane_id is not None:
        query = query.where(t.Case.lane_id == lane_id)
    if state is not None:
        query = query.where(t.Case.state == state.value)
    if open_only:
        query = query.where(t.Case.state.in_([s.value for s in OPEN_STATES]))
    if limit is not None:
        query = query.limit(limit)
    cases = session.scalars(query).all()
    counts = _report_counts(session, [c.id for c in cases])
    return [_case_view(c, counts.get(c.id, 0)) for c in cases]


def _report_counts(session: Session, case_ids: list[int]) -> dict[int, int]:
    counts: dict[int, int] = defaultdict(int)
    for chunk in _chunks(case_ids):
        for case_id in session.scalars(select(t.CaseReport.case_id).where(t.CaseReport.case_id.in_(chunk))):
            counts[case_id] += 1
    return counts


def _case_view(c: t.Case, report_count: int) -> CaseView:
    return CaseView(
        id=c.id, lane_id=c.lane_id, category=CaseCategory(c.category), state=CaseState(c.state),
        position_m=c.position_m, checkpoint_id=c.checkpoint_id, photo_ref=c.photo_ref, steward_id=c.steward_id,
        source=ReportSource(c.source), reported_at=c.reported_at, state_changed_at=c.state_changed_at,
        duplicate_of=c.duplicate_of_id, report_count=report_count,
    )


def _report_view(r: t.CaseReport) -> ReportView:
    return ReportView(
        id=r.id, steward_id=r.steward_id, reported_at=r.reported_at, source=ReportSource(r.source),
        source_key=r.source_key, position_m=r.position_m, checkpoint_id=r.checkpoint_id, photo_ref=r.photo_ref,
        note=r.note,
    )


def _event_view(e: t.CaseEvent) -> EventView:
    return EventView(
        id=e.id, at=e.at, from_state=CaseState(e.from_state) if e.from_state is not None else None,
        to_state=CaseState(e.to_state), actor=Actor(ActorKind(e.actor_kind), e.actor_id), note=e.note,
    )


# --- Dissuasions -----------------------------------------------------------------------------------


def record_dissuasion(
    session: Session,
    steward_id: int,
    checkpoint_id: int,
    at: datetime,
    *,
    source: ReportSource = ReportSource.BAND,
    source_key: str | None = None,
    note: str = "",
) -> DissuasionView:
    """Record a 劝阻 at a checkpoint; a band record already recorded is returned, not recorded again."""
    if source_key is not None:
        known = session.scalar(select(t.Dissuasion).where(t.Dissuasion.source_key == source_key))
        if known is not None:
            return _dissuasion_view(known)
    place = checkpoint_places(session, [checkpoint_id]).get(checkpoint_id)
    if place is None:
        raise InvalidCaseInputError(f"checkpoint {checkpoint_id} is not in the registry")
    row = t.Dissuasion(
        steward_id=steward_id, lane_id=place.lane_id, checkpoint_id=checkpoint_id, at=at, source=source.value,
        source_key=source_key, note=note,
    )
    session.add(row)
    session.flush()
    return _dissuasion_view(row)


def list_dissuasions(session: Session, period: Period | None = None) -> list[DissuasionView]:
    query = select(t.Dissuasion).order_by(t.Dissuasion.at, t.Dissuasion.id)
    if period is not None:
        query = query.where(t.Dissuasion.at >= period.starts_at(), t.Dissuasion.at < period.ends_at())
    return [_dissuasion_view(d) for d in session.scalars(query)]


def _dissuasion_view(d: t.Dissuasion) -> DissuasionView:
    return DissuasionView(
        id=d.id, steward_id=d.steward_id, lane_id=d.lane_id, checkpoint_id=d.checkpoint_id, at=d.at,
        source=ReportSource(d.source), source_key=d.source_key, note=d.note,
    )


# --- From band check-ins ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class IntakeReport:
    opened: int = 0  # new cases
    joined: int = 0  # reports that joined an open case
    dissuasions: int = 0
    already_recorded: int = 0  # records an earlier run turned into a report or dissuasion
    unreadable: int = 0  # unknown category or checkpoint: logged, left in the check-ins


def cases_from_checkins(
    session: Session, since: datetime, *, join_within_m: float = CASE_JOIN_DISTANCE_METERS
) -> IntakeReport:
    """Turn band problem reports and dissuasions received since `since` into reports and dissuasions.

    Idempotent: a record is keyed by "band/boot/seq", so running it again, or over an overlapping
    window, records nothing twice. Records are taken in event order, so which report opens a case
    and which join it does not depend on upload order within one run. The caller commits.
    """
    rows = session.execute(
        select(t.CheckIn.band_id, t.CheckIn.boot, t.CheckIn.seq, t.CheckIn.event_at, t.CheckIn.kind,
               t.CheckIn.checkpoint_id, t.CheckIn.detail, t.CheckIn.steward_id)
        .where(t.CheckIn.received_at >= since,
               t.CheckIn.kind.in_([CheckInKind.PROBLEM_REPORT, CheckInKind.DISSUASION]))
        .order_by(t.CheckIn.event_at, t.CheckIn.band_id, t.CheckIn.boot, t.CheckIn.seq)
    ).all()
    keyed = [(f"{r.band_id}/{r.boot}/{r.seq}", r) for r in rows]
    done = _recorded_keys(session, [k for k, _ in keyed])
    places = checkpoint_places(session, {r.checkpoint_id for _, r in keyed})
    counts = dict(opened=0, joined=0, dissuasions=0, already_recorded=0, unreadable=0)
    for key, r in keyed:
        if key in done:
            counts["already_recorded"] += 1
            continue
        if r.checkpoint_id not in places:
            log.warning("check-in %s names checkpoint %d, which is not in the registry: not recorded", key, r.checkpoint_id)
            counts["unreadable"] += 1
            continue
        if r.kind == CheckInKind.DISSUASION:
            record_dissuasion(session, r.steward_id, r.checkpoint_id, r.event_at, source_key=key)
            counts["dissuasions"] += 1
            continue
        try:
            category = CaseCategory.from_code(r.detail)
        except InvalidCaseInputError as exc:
            log.warning("check-in %s: %s; not recorded", key, exc)
            counts["unreadable"] += 1
            continue
        outcome = report_case(
            session,
            ProblemReport(r.steward_id, category, r.event_at, checkpoint_id=r.checkpoint_id,
                          source=ReportSource.BAND, source_key=key),
            join_within_m=join_within_m,
        )
        counts["opened" if outcome.opened else "joined"] += 1
    report = IntakeReport(**counts)
    if rows:
        log.info("band reports since %s: %s", since.isoformat(), report)
    return report


def _recorded_keys(session: Session, keys: list[str]) -> set[str]:
    found: set[str] = set()
    for chunk in _chunks(keys):
        found.update(session.scalars(select(t.CaseReport.source_key).where(t.CaseReport.source_key.in_(chunk))))
        found.update(session.scalars(select(t.Dissuasion.source_key).where(t.Dissuasion.source_key.in_(chunk))))
    return found


def _chunks(items: Sequence[_T]) -> Iterable[Sequence[_T]]:
    for i in range(0, len(items), _LOOKUP_CHUNK):
        yield items[i:i + _LOOKUP_CHUNK]


# --- Points drafts ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CasePoints:
    """What the work ledger is worth; the rulebook sets these."""

    confirmed: int = 3  # the finder, when the chief confirms the case
    fix_confirmed: int = 5  # the finder, when the chief confirms the fix (任务完成确认)
    dissuasion: int = 1
    dissuasions_per_day_max: int = 3  # a button press costs nothing: more in a day earn nothing more

    def __post_init__(self) -> None:
        for name in ("confirmed", "fix_confirmed", "dissuasion", "dissuasions_per_day_max"):
            if getattr(self, name) < 0:
                raise InvalidCaseInputError(f"CasePoints.{name} must be >= 0")


@dataclass(frozen=True, slots=True)
class LaneEntryDraft:
    """A points entry that belongs to a lane, not to a segment of it: the ledger's fields, segment_id None."""

    entry_key: str
    steward_id: int
    day: date
    rule: str
    points: int
    lane_id: int
    evidence: tuple[str, ...] = field(default=())
    segment_id: int | None = None


def case_drafts(detail: CaseDetail, points: CasePoints) -> list[LaneEntryDraft]:
    """The finder's entries for one case: on confirmation, and on the fix's confirmation.

    Evidence: "case/<id>", the event "case_event/<id>", and the band record "band/boot/seq" of the
    opening report when it came from a band.
    """
    case = detail.case
    opening = detail.reports[0] if detail.reports else None  # reports are in id order: the first opened the case
    record = (opening.source_key,) if opening is not None and opening.source_key is not None else ()
    drafts = []
    for rule, state, value in (
        (RULE_CASE_CONFIRMED, CaseState.CONFIRMED, points.confirmed),
        (RULE_CASE_FIX_CONFIRMED, CaseState.FIX_CONFIRMED, points.fix_confirmed),
    ):
        event = next((e for e in detail.events if e.to_state is state), None)
        if event is None or value == 0:
            continue
        drafts.append(LaneEntryDraft(
            entry_key=f"{rule}/{case.steward_id}/{case.id}",
            steward_id=case.steward_id,
            day=local_day(event.at),
            rule=rule,
            points=value,
            lane_id=case.lane_id,
            evidence=(f"case/{case.id}", f"case_event/{event.id}", *record),
        ))
    return drafts


def dissuasion_drafts(dissuasions: Iterable[DissuasionView], points: CasePoints) -> list[LaneEntryDraft]:
    """One entry per dissuasion, at most `dissuasions_per_day_max` a steward a local day.

    Keys number the day's slots rather than name the dissuasion, so however late a record arrives the
    ledger never holds more than the limit for a day.
    """
    if points.dissuasion == 0:
        return []
    by_day: dict[tuple[int, date], list[DissuasionView]] = defaultdict(list)
    for d in dissuasions:
        by_day[(d.steward_id, local_day(d.at))].append(d)
    drafts = []
    for (steward_id, day), items in sorted(by_day.items()):
        for slot, d in enumerate(sorted(items, key=lambda d: (d.at, d.id))[: points.dissuasions_per_day_max], start=1):
            drafts.append(LaneEntryDraft(
                entry_key=f"{RULE_DISSUASION}/{steward_id}/{day.isoformat()}/{slot}",
                steward_id=steward_id,
                day=day,
                rule=RULE_DISSUASION,
                points=points.dissuasion,
                lane_id=d.lane_id,
                evidence=(f"dissuasion/{d.id}", *((d.source_key,) if d.source_key is not None else ())),
            ))
    return drafts


def case_entry_drafts(session: Session, points: CasePoints, period: Period | None = None) -> list[LaneEntryDraft]:
    """Every work-ledger entry earned in `period` (all time if None), in a deterministic order.

    A confirmation or fix confirmation belongs to the local day the chief recorded it; a dissuasion
    to the day it happened.
    """
    query = select(t.CaseEvent.case_id).where(
        t.CaseEvent.to_state.in_([CaseState.CONFIRMED.value, CaseState.FIX_CONFIRMED.value])
    )
    if period is not None:
        query = query.where(t.CaseEvent.at >= period.starts_at(), t.CaseEvent.at < period.ends_at())
    drafts: list[LaneEntryDraft] = []
    for case_id in sorted(set(session.scalars(query))):
        for draft in case_drafts(get_case(session, case_id), points):
            if period is None or period.first_day <= draft.day <= period.last_day:
                drafts.append(draft)
    drafts.extend(dissuasion_drafts(list_dissuasions(session, period), points))
    return sorted(drafts, key=lambda d: (d.day, d.steward_id, d.entry_key))
