"""Points for the work a lane chief confirms: cases (工作台账), dissuasions (劝阻) and inspections (周查).

Unlike patrol points, these do not follow from check-ins alone: a case earns its finder points only
once the lane chief confirms it, and more once the fix is confirmed; an inspection earns the lane's
claimants and team points from its score. So this runs beside the scorer: it turns new band reports
into cases (`cases_from_checkins`, idempotent), then appends the entries every confirmation and
inspection so far has earned. Their keys are deterministic and a confirmation is never undone, so
appending with "do nothing on a known key" is all the bookkeeping needed: running it again adds nothing.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Final

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from scoring.cases.intake import cases_from_checkins
from scoring.cases.points import CasePoints, case_entry_drafts
from scoring.inspections import InspectionPoints, inspection_entry_drafts
from scoring.ledger.entries import LaneEntryDraft
from scoring.rulebook import RuleBook
from scoring.storage import tables as t
from scoring.storage.dialect import insert_skipping_duplicates

log = logging.getLogger(__name__)

_EPOCH: Final = datetime(1970, 1, 1, tzinfo=UTC)
# Both are frozen, so one shared default is safe.
_CASE_POINTS: Final = CasePoints()
_INSPECTION_POINTS: Final = InspectionPoints()


def score_lane_work(
    engine: Engine,
    rulebook: RuleBook,
    *,
    since: datetime = _EPOCH,
    case_points: CasePoints = _CASE_POINTS,
    inspection_points: InspectionPoints = _INSPECTION_POINTS,
    now: datetime | None = None,
) -> int:
    """Take in band reports received since `since`, then append every earned entry; returns how many were new."""
    with Session(engine) as session, session.begin():
        intake = cases_from_checkins(session, since)
        drafts = case_entry_drafts(session, case_points) + inspection_entry_drafts(session, inspection_points)
        added = _append(session, drafts, rulebook, now or datetime.now(UTC))
    if intake.opened or intake.joined or intake.dissuasions or added:
        log.info("work ledger: %d cases opened, %d reports joined, %d dissuasions; %d new points entries",
                 intake.opened, intake.joined, intake.dissuasions, added)
    return added


def _append(session: Session, drafts: list[LaneEntryDraft], rulebook: RuleBook, now: datetime) -> int:
    if not drafts:
        return 0
    table = t.PointsEntry.__table__
    rows = [
        dict(entry_key=d.entry_key, steward_id=d.steward_id, day=d.day, rule=d.rule,
             ruleset_version=rulebook.rules_for(d.day).version, points=d.points, segment_id=d.segment_id,
             lane_id=d.lane_id, evidence=list(d.evidence), created_at=now)
        for d in drafts
    ]
    result = session.execute(insert_skipping_duplicates(session, table, ["entry_key"]).returning(table.c.id), rows)
    return len(result.all())
