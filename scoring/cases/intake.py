"""From band check-ins to the work ledger: PROBLEM_REPORT records become reports (opening or joining
cases), DISSUASION records become dissuasions, each once however often the intake runs."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from scoring.cases.errors import InvalidCaseInputError
from scoring.cases.store import CASE_JOIN_DISTANCE_METERS, checkpoint_places, chunked, record_dissuasion, report_case
from scoring.cases.workflow import CaseCategory, ProblemReport, ReportSource
from scoring.checkins import CheckInKind
from scoring.storage import tables as t

log = logging.getLogger(__name__)


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
            log.warning("check-in %s names checkpoint %d, which is not in the registry: not recorded",
                        key, r.checkpoint_id)
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
    for chunk in chunked(keys):
        found.update(session.scalars(select(t.CaseReport.source_key).where(t.CaseReport.source_key.in_(chunk))))
        found.update(session.scalars(select(t.Dissuasion.source_key).where(t.Dissuasion.source_key.in_(chunk))))
    return found
