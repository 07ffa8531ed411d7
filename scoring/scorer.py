"""Turn stored check-ins into points entries: drains the backlog the ingest transaction writes.

Each (steward, local day) in the backlog is scored again from its raw check-ins and the claims in
force; entries are inserted by their deterministic key, so running it again, or twice at once, adds
nothing. The ledger is append-only: nothing here updates or deletes an entry.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from typing import Final

from sqlalchemy import Connection, Engine, delete, select, tuple_
from sqlalchemy.dialects import postgresql, sqlite

from scoring.ingest import CheckInKind
from scoring.periods import day_starts_at, local_day
from scoring.rules import ClaimedSegment, EntryDraft, RuleSet, Visit, score_day
from scoring.storage import tables as t
from scoring.storage.bulk import insert_backlog

log = logging.getLogger(__name__)

BACKLOG_BATCH: Final = 500


@dataclass(frozen=True, slots=True)
class ScoreReport:
    steward_days: int
    entries_added: int


def score_pending(engine: Engine, rules: RuleSet, *, batch: int = BACKLOG_BATCH) -> ScoreReport:
    """Score every (steward, day) waiting in the backlog; returns what was done."""
    steward_days = entries_added = 0
    while True:
        with engine.begin() as conn:
            pairs = _take_backlog(conn, batch)
            if not pairs:
                break
            drafts = score_steward_days(conn, pairs, rules)
            entries_added += _append_entries(conn, drafts, rules.version)
            steward_days += len(pairs)
    if steward_days:
        log.info("scored %d steward-days, %d new points entries", steward_days, entries_added)
    return ScoreReport(steward_days, entries_added)


def score_steward_days(conn: Connection, pairs: Iterable[tuple[int, date]], rules: RuleSet) -> list[EntryDraft]:
    """The entries each (steward, day) earns, recomputed from raw check-ins and claims."""
    pairs = sorted(set(pairs))
    stewards = sorted({s for s, _ in pairs})
    first_day, last_day = min(d for _, d in pairs), max(d for _, d in pairs)
    claims = _claims(conn, stewards)
    visits: dict[tuple[int, date], list[Visit]] = defaultdict(list)
    wanted = set(pairs)
    rows = conn.execute(
        select(t.CheckIn.steward_id, t.CheckIn.band_id, t.CheckIn.boot, t.CheckIn.seq,
               t.CheckIn.event_at, t.CheckIn.checkpoint_id)
        .where(
            t.CheckIn.steward_id.in_(stewards),
            t.CheckIn.kind == CheckInKind.PATROL_CHECKIN,
            t.CheckIn.event_at >= day_starts_at(first_day),
            t.CheckIn.event_at < day_starts_at(last_day + timedelta(days=1)),
        )
    )
    for steward_id, band_id, boot, seq, event_at, checkpoint_id in rows:
        key = (steward_id, local_day(event_at))
        if key in wanted:
            visits[key].append(Visit(f"{band_id}/{boot}/{seq}", event_at, checkpoint_id))
    drafts: list[EntryDraft] = []
    for steward_id, day in pairs:
        drafts.extend(score_day(steward_id, day, visits.get((steward_id, day), ()), claims.get(steward_id, ()), rules))
    return drafts


def rescore_all(engine: Engine, rules: RuleSet) -> ScoreReport:
    """Queue every (steward, day) that has check-ins, then score: a full recompute, safe to repeat."""
    with engine.begin() as conn:
        seen = {
            (steward_id, local_day(at))
            for steward_id, at in conn.execute(
                select(t.CheckIn.steward_id, t.CheckIn.event_at).where(t.CheckIn.kind == CheckInKind.PATROL_CHECKIN)
            )
        }
        if seen:
            insert_backlog(conn, seen)
    return score_pending(engine, rules)


def _take_backlog(conn: Connection, batch: int) -> list[tuple[int, date]]:
    table = t.ScoringBacklog.__table__
    query = select(table.c.steward_id, table.c.day).order_by(table.c.steward_id, table.c.day).limit(batch)
    if conn.dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)  # two scorers share the work, never the same rows
    pairs = [(s, d) for s, d in conn.execute(query)]
    if pairs:
        conn.execute(delete(table).where(tuple_(table.c.steward_id, table.c.day).in_(pairs)))
    return pairs


def _claims(conn: Connection, stewards: list[int]) -> dict[int, list[ClaimedSegment]]:
    checkpoints: dict[int, set[int]] = defaultdict(set)
    rows = conn.execute(
        select(t.Claim.steward_id, t.Claim.segment_id, t.Segment.lane_id, t.Claim.valid_from, t.Claim.valid_to)
        .join(t.Segment, t.Segment.id == t.Claim.segment_id)
        .where(t.Claim.steward_id.in_(stewards))
    ).all()
    segment_ids = sorted({r.segment_id for r in rows})
    for cp_id, seg_id in conn.execute(
        select(t.Checkpoint.id, t.Checkpoint.segment_id).where(t.Checkpoint.segment_id.in_(segment_ids))
    ):
        checkpoints[seg_id].add(cp_id)
    claims: dict[int, list[ClaimedSegment]] = defaultdict(list)
    for r in rows:
        claims[r.steward_id].append(
            ClaimedSegment(r.segment_id, r.lane_id, frozenset(checkpoints[r.segment_id]), r.valid_from, r.valid_to)
        )
    return claims


def _append_entries(conn: Connection, drafts: list[EntryDraft], ruleset_version: str) -> int:
    if not drafts:
        return 0
    table = t.PointsEntry.__table__
    dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
    now = datetime.now(timezone.utc)
    result = conn.execute(
        dialect.insert(table).on_conflict_do_nothing(index_elements=["entry_key"]).returning(table.c.id),
        [
            dict(
                entry_key=d.entry_key, steward_id=d.steward_id, day=d.day, rule=d.rule,
                ruleset_version=ruleset_version, points=d.points, segment_id=d.segment_id,
                lane_id=d.lane_id, evidence=list(d.evidence), created_at=now,
            )
            for d in drafts
        ],
    )
    return len(result.all())
