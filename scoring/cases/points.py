"""What the work ledger earns, drafted as points entries deterministically from the stored events.

Points are not given on report: the finder (the steward whose report opened the case) earns points
when the chief confirms the case and more when the fix is confirmed; a dissuasion (劝阻, check-in kind
3) earns points up to a daily limit. Only drafts are made here; writing them to the ledger is the
lane-work job's (scoring.lane_points).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Final

from sqlalchemy import select
from sqlalchemy.orm import Session

from scoring.cases.errors import InvalidCaseInputError
from scoring.cases.store import get_case, list_dissuasions
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
