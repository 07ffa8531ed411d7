"""Points for the work a lane chief confirms: cases (工作台账), dissuasions (劝阻) and inspections (周查).

Unlike patrol points, these do not follow from check-ins alone: a case earns its finder points only
once the lane chief confirms it, and more once the fix is confirmed; an inspection earns the lane's
claimants and team points from its score. So this runs beside the scorer: it turns new band reports
into cases (`cases_from_checkins`, idempotent), then books the entries that confirmations and
inspections have earned and the ledger does not hold yet. Their keys are deterministic and a
confirmation is never undone, so a key once booked is done: running the job again adds nothing.

Booking goes through the scorer (`book_lane_work`), because the rulebook's caps bound everything a
steward earns on a day and in a week, whichever path books it: the work is granted what the day's
patrol left, and the week's later days run on from it. Work dated into a closed month (confirmed in
it, booked after it closed) is booked as an adjustment in the first open month (scoring.ledger.closed).
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Final

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from scoring.cases.intake import cases_from_checkins
from scoring.cases.points import CasePoints, case_entry_drafts
from scoring.inspections import InspectionPoints, inspection_entry_drafts
from scoring.ledger.entries import LaneEntryDraft
from scoring.rulebook import RuleBook
from scoring.scorer import book_lane_work
from scoring.storage import tables as t

log = logging.getLogger(__name__)

_EPOCH: Final = datetime(1970, 1, 1, tzinfo=UTC)
# Both are frozen, so one shared default is safe.
_CASE_POINTS: Final = CasePoints()
_INSPECTION_POINTS: Final = InspectionPoints()
_KEYS_PER_QUERY: Final = 500  # well under every store's limit on bound parameters


def score_lane_work(
    engine: Engine,
    rulebook: RuleBook,
    *,
    since: datetime = _EPOCH,
    case_points: CasePoints = _CASE_POINTS,
    inspection_points: InspectionPoints = _INSPECTION_POINTS,
    now: datetime | None = None,
) -> int:
    """Take in band reports received since `since`, then book every earned entry the ledger does not hold;
    returns how many were new."""
    with Session(engine) as session, session.begin():
        intake = cases_from_checkins(session, since)
        drafts = case_entry_drafts(session, case_points) + inspection_entry_drafts(session, inspection_points)
        new = _new_work(session, drafts)
        book_lane_work(session.connection(), new, rulebook, now or datetime.now(UTC))
        added = len(new)
    if intake.opened or intake.joined or intake.dissuasions or added:
        log.info("work ledger: %d cases opened, %d reports joined, %d dissuasions; %d new points entries",
                 intake.opened, intake.joined, intake.dissuasions, added)
    return added


def _new_work(session: Session, drafts: list[LaneEntryDraft]) -> list[LaneEntryDraft]:
    """The drafts whose key the ledger does not hold: an entry's first version is keyed as its draft."""
    pe = t.PointsEntry
    keys = sorted({d.entry_key for d in drafts})
    booked: set[str] = set()
    for i in range(0, len(keys), _KEYS_PER_QUERY):
        booked.update(session.scalars(select(pe.entry_key).where(pe.entry_key.in_(keys[i:i + _KEYS_PER_QUERY]))))
    return [d for d in drafts if d.entry_key not in booked]
