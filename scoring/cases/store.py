"""The work ledger in the database: reports that open or join cases, transitions with their audit
rows, dissuasions, and reading them back as views. Every function takes a session; the caller commits.

A report within `join_within_m` metres of an open case of the same category on the same lane joins
that case instead of opening another. Positions are metres along the lane: a checkpoint's position is
its segment's offset (the lane's segments laid end to end in registry order) plus its position on the
segment. Every change is a case_events row (who, when, note) that is never updated.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Collection, Iterable, Sequence
from datetime import datetime
from typing import Final, TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from scoring.cases.errors import InvalidCaseInputError, UnknownCaseError
from scoring.cases.views import (
    CaseDetail,
    CaseView,
    DissuasionView,
    EventView,
    Place,
    ReportOutcome,
    ReportView,
)
from scoring.cases.workflow import (
    OPEN_STATES,
    Actor,
    ActorKind,
    CaseCategory,
    CaseState,
    ProblemReport,
    ReportSource,
    check_actor,
    check_transition,
)
from scoring.periods import Period
from scoring.registry.chiefs import chief_acts_on
from scoring.storage import tables as t

log = logging.getLogger(__name__)

_T = TypeVar("_T")

CASE_JOIN_DISTANCE_METERS: Final = 30.0  # a report this close to an open case of its kind is the same problem
_LOOKUP_CHUNK: Final = 500  # keys per IN (...) list: well inside every driver's parameter limit


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
        raise InvalidCaseInputError(
            f"steward {report.steward_id} is not in the registry: report as a registered steward"
        )
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
            raise InvalidCaseInputError(
                f"lane {report.lane_id} is not in the registry: pick a lane from /registry/lanes"
            )
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
    offsets = segment_offsets(session, {r.lane_id for r in cps})
    return {r.id: Place(r.lane_id, offsets[r.segment_id] + r.position_m) for r in cps}


def segment_offsets(session: Session, lane_ids: Iterable[int]) -> dict[int, float]:
    """Where each segment of these lanes starts, in metres from its lane's start."""
    offsets: dict[int, float] = {}
    running: dict[int, float] = defaultdict(float)
    # The registry keeps no offset for a segment; its segments are taken end to end in id order.
    for seg_id, lane_id, length_m in session.execute(
        select(t.Segment.id, t.Segment.lane_id, t.Segment.length_m)
        .where(t.Segment.lane_id.in_(sorted(set(lane_ids))))
        .order_by(t.Segment.lane_id, t.Segment.id)
    ):
        offsets[seg_id] = running[lane_id]
        running[lane_id] += length_m
    return offsets


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
    check_actor(case.id, case.lane_id, to, actor, _lane_of(session, actor, case.lane_id))
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
                f"case {case_id} can only be a duplicate of another existing case on lane {case.lane_id}, "
                f"not {duplicate_of}"
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


def _lane_of(session: Session, actor: Actor, case_lane: int) -> int | None:
    """The lane a chief or a contractor serves, as far as this case goes: a street's chief serves the case's
    lane if it opens onto his street. None for anyone else or an id not in the registry."""
    if actor.kind is ActorKind.CHIEF:
        if actor.id is not None and chief_acts_on(session, actor.id, case_lane):
            return case_lane
        chief = session.get(t.Chief, actor.id)
        return chief.lane_id if chief is not None else None
    if actor.kind is ActorKind.CONTRACTOR:
        contractor = session.get(t.Contractor, actor.id)
        return contractor.lane_id if contractor is not None else None
    return None


# --- Reading ---------------------------------------------------------------------------------------


def get_case(session: Session, case_id: int) -> CaseDetail:
    case = session.get(t.Case, case_id)
    if case is None:
        raise UnknownCaseError(f"case {case_id} does not exist")
    reports = session.scalars(
        select(t.CaseReport).where(t.CaseReport.case_id == case_id).order_by(t.CaseReport.id)
    ).all()
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
    offset: int = 0,
    lane_ids: Collection[int] | None = None,
    reported_by: int | None = None,
    ids: Collection[int] | None = None,
    categories: Collection[CaseCategory] | None = None,
    states: Collection[CaseState] | None = None,
    reported_since: datetime | None = None,
    reported_before: datetime | None = None,
) -> list[CaseView]:
    """Cases, oldest first, filtered by lane and state (or all open states); `lane_ids` and
    `reported_by` (a steward) narrow them to what the caller may see. `ids`, `categories`, `states`
    and the half-open window [`reported_since`, `reported_before`) narrow further; `offset` pages."""
    query = select(t.Case).order_by(t.Case.id)
    if ids is not None:
        query = query.where(t.Case.id.in_(sorted(ids)))
    if categories is not None:
        query = query.where(t.Case.category.in_(sorted(c.value for c in categories)))
    if states is not None:
        query = query.where(t.Case.state.in_(sorted(s.value for s in states)))
    if reported_since is not None:
        query = query.where(t.Case.reported_at >= reported_since)
    if reported_before is not None:
        query = query.where(t.Case.reported_at < reported_before)
    if lane_id is not None:
        query = query.where(t.Case.lane_id == lane_id)
    if lane_ids is not None:
        query = query.where(t.Case.lane_id.in_(sorted(lane_ids)))
    if reported_by is not None:
        query = query.where(t.Case.id.in_(select(t.CaseReport.case_id).where(t.CaseReport.steward_id == reported_by)))
    if state is not None:
        query = query.where(t.Case.state == state.value)
    if open_only:
        query = query.where(t.Case.state.in_([s.value for s in OPEN_STATES]))
    cases = session.scalars(query.limit(limit).offset(offset)).all()
    counts = _report_counts(session, [c.id for c in cases])
    return [_case_view(c, counts.get(c.id, 0)) for c in cases]


def case_of_report(session: Session, report_id: int) -> int:
    """The case a report opened or joined."""
    case_id = session.scalar(select(t.CaseReport.case_id).where(t.CaseReport.id == report_id))
    if case_id is None:
        raise UnknownCaseError(f"report {report_id} does not exist")
    return case_id


def opening_notes(session: Session, case_ids: Collection[int]) -> dict[int, str]:
    """Each case's description as its finder gave it: the note of the report that opened it."""
    notes: dict[int, str] = {}
    for chunk in chunked(sorted(set(case_ids))):
        for case_id, note in session.execute(
            select(t.CaseReport.case_id, t.CaseReport.note).where(t.CaseReport.case_id.in_(chunk))
            .order_by(t.CaseReport.case_id, t.CaseReport.id)
        ):
            notes.setdefault(case_id, note)
    return notes


def latest_events(session: Session, case_ids: Collection[int]) -> dict[int, EventView]:
    """Each case's latest event: the change that put it in its present state."""
    latest: dict[int, EventView] = {}
    for chunk in chunked(sorted(set(case_ids))):
        for e in session.scalars(
            select(t.CaseEvent).where(t.CaseEvent.case_id.in_(chunk)).order_by(t.CaseEvent.at, t.CaseEvent.id)
        ):
            latest[e.case_id] = _event_view(e)
    return latest


def _report_counts(session: Session, case_ids: list[int]) -> dict[int, int]:
    counts: dict[int, int] = defaultdict(int)
    for chunk in chunked(case_ids):
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


def chunked(items: Sequence[_T]) -> Iterable[Sequence[_T]]:
    for i in range(0, len(items), _LOOKUP_CHUNK):
        yield items[i:i + _LOOKUP_CHUNK]
