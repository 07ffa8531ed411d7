"""What the work ledger earns, drafted as points entries deterministically from the stored events.

Points are not given on report: the finder (the steward whose report opened the case) earns points
when the chief confirms the case and more when the fix is confirmed; a dissuasion (劝阻, check-in kind
3) earns points up to a daily limit. Only drafts are made here; writing them to the ledger is the
lane-work job's (scoring.lane_points).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Final

from sqlalchemy import select
from sqlalchemy.orm import Session

from scoring.cases.errors import InvalidCaseInputError
from scoring.cases.store import chunked, list_dissuasions
from scoring.cases.views import CaseDetail, DissuasionView
from scoring.cases.workflow import CaseState
from scoring.ledger.entries import LaneEntryDraft
from scoring.periods import Period, local_day
from scoring.storage import tables as t

RULE_CASE_CONFIRMED: Final = "case_confirmed"
RULE_CASE_FIX_CONFIRMED: Final = "case_fix_confirmed"
RULE_DISSUASION: Final = "dissuasion"


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


def case_drafts(detail: CaseDetail, points: CasePoints) -> list[LaneEntryDraft]:
    """The finder's entries for one case: on confirmation, and on the fix's confirmation.

    Evidence: "case/<id>", the event "case_event/<id>", and the band record "band/boot/seq" of the
    opening report when it came from a band.
    """
    case = detail.case
    opening = detail.reports[0] if detail.reports else None  # reports are in id order: the first opened the case
    firsts: dict[CaseState, tuple[int, datetime]] = {}
    for e in detail.events:  # in (at, id) order
        firsts.setdefault(e.to_state, (e.id, e.at))
    return _finder_drafts(case.id, case.steward_id, case.lane_id,
                          opening.source_key if opening is not None else None, firsts, points)


def _finder_drafts(case_id: int, steward_id: int, lane_id: int, opening_key: str | None,
                   firsts: Mapping[CaseState, tuple[int, datetime]], points: CasePoints) -> list[LaneEntryDraft]:
    """`firsts`: the first event (id, at) that moved the case to each state."""
    record = (opening_key,) if opening_key is not None else ()
    drafts = []
    for rule, state, value in (
        (RULE_CASE_CONFIRMED, CaseState.CONFIRMED, points.confirmed),
        (RULE_CASE_FIX_CONFIRMED, CaseState.FIX_CONFIRMED, points.fix_confirmed),
    ):
        event = firsts.get(state)
        if event is None or value == 0:
            continue
        event_id, at = event
        drafts.append(LaneEntryDraft(
            entry_key=f"{rule}/{steward_id}/{case_id}",
            steward_id=steward_id,
            day=local_day(at),
            rule=rule,
            points=value,
            lane_id=lane_id,
            evidence=(f"case/{case_id}", f"case_event/{event_id}", *record),
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
    to the day it happened. The cases are read a chunk at a time, three queries a chunk, not case by
    case: the scoring tick drafts a year's confirmed cases every few seconds.
    """
    earning = [CaseState.CONFIRMED.value, CaseState.FIX_CONFIRMED.value]
    query = select(t.CaseEvent.case_id).where(t.CaseEvent.to_state.in_(earning))
    if period is not None:
        query = query.where(t.CaseEvent.at >= period.starts_at(), t.CaseEvent.at < period.ends_at())
    drafts: list[LaneEntryDraft] = []
    for chunk in chunked(sorted(set(session.scalars(query)))):
        cases = session.execute(select(t.Case.id, t.Case.steward_id, t.Case.lane_id).where(t.Case.id.in_(chunk))).all()
        openings: dict[int, str | None] = {}
        for case_id, source_key in session.execute(
            select(t.CaseReport.case_id, t.CaseReport.source_key).where(t.CaseReport.case_id.in_(chunk))
            .order_by(t.CaseReport.id)
        ):
            openings.setdefault(case_id, source_key)  # the first report opened the case
        firsts: dict[int, dict[CaseState, tuple[int, datetime]]] = defaultdict(dict)
        for case_id, event_id, at, to_state in session.execute(
            select(t.CaseEvent.case_id, t.CaseEvent.id, t.CaseEvent.at, t.CaseEvent.to_state)
            .where(t.CaseEvent.case_id.in_(chunk), t.CaseEvent.to_state.in_(earning))
            .order_by(t.CaseEvent.at, t.CaseEvent.id)
        ):
            firsts[case_id].setdefault(CaseState(to_state), (event_id, at))
        for case_id, steward_id, lane_id in sorted(cases):
            for draft in _finder_drafts(case_id, steward_id, lane_id, openings.get(case_id), firsts[case_id], points):
                if period is None or period.first_day <= draft.day <= period.last_day:
                    drafts.append(draft)
    drafts.extend(dissuasion_drafts(list_dissuasions(session, period), points))
    return sorted(drafts, key=lambda d: (d.day, d.steward_id, d.entry_key))
