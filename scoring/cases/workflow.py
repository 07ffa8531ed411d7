"""The work ledger's pure rules: problem categories, case states and the workflow between them, who
may move a case, and a problem report as given. No database here; scoring.cases.store applies these.

The workflow follows the street office's forms (执法申请单, 任务完成确认申请单)::

    reported              → confirmed | not_responsible | duplicate (of another case) | closed
    confirmed             → enforcement_requested | fixed | closed
    enforcement_requested → fixed | closed
    fixed                 → fix_confirmed | enforcement_requested (the fix was not accepted)

fix_confirmed, not_responsible, duplicate and closed are final. Only a chief of the case's lane moves
a case; `fixed` may also be recorded by the lane's property company (物业) or by the system.
"""

from __future__ import annotations

import enum
import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from types import MappingProxyType
from typing import Final

from scoring.cases.errors import IllegalTransitionError, InvalidCaseInputError
from scoring.errors import NotAuthorisedError

PHOTO_REF_MAX_CHARS: Final = 300


class CaseCategory(enum.StrEnum):
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


class CaseState(enum.StrEnum):
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


class ReportSource(enum.StrEnum):
    BAND = "band"  # the band's problem button, at a checkpoint
    API = "api"


class ActorKind(enum.StrEnum):
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


def check_actor(case_id: int, lane_id: int, to: CaseState, actor: Actor, actor_lane_id: int | None) -> None:
    """Raise NotAuthorisedError unless `actor` may move case `case_id` of lane `lane_id` to `to`.

    `actor_lane_id` is the lane the chief or contractor serves (None if unknown, or for others).
    """
    if actor.kind is ActorKind.CHIEF:
        if actor_lane_id is not None and actor_lane_id == lane_id:
            return
        raise NotAuthorisedError(f"chief {actor.id} is not a chief of lane {lane_id}: ask that lane's 街巷长")
    if to is CaseState.FIXED:
        if actor.kind is ActorKind.SYSTEM:
            return
        if actor.kind is ActorKind.CONTRACTOR:
            if actor_lane_id is not None and actor_lane_id == lane_id:
                return
            raise NotAuthorisedError(f"contractor {actor.id} does not serve lane {lane_id}")
    raise NotAuthorisedError(
        f"{actor} may not move case {case_id} to {to.value}: only a chief of lane {lane_id} may"
        + (" (or its property company, or the system, for fixed)" if to is CaseState.FIXED else "")
    )


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
