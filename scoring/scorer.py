"""Turn stored check-ins into points entries under the rulebook: drains the backlog ingest writes.

For each steward with (steward, day) pairs in the backlog, the scorer takes the earliest such day D
and scores every day of that steward with check-ins from D on, in order, carrying the engine's
`History` from the state saved after the last scored day before D (`scoring_state`). So a record
that arrives late, for a day before the steward's last scored day, rescores the days after it too:
streaks and weekly caps run on. Each day:

1. `flag_visits` judges the day's check-ins (teleports, scan storms, patrols faster than walking);
   flags are stored (`integrity_flags`, with an audit row) and their check-ins withheld, except
   those a chief has restored. Flags are judged within one Beijing day.
2. `score_day` scores the rest under the rule set in force that day.

The ledger is append-only. Entries have the engine's deterministic keys; the scorer compares the
day's new entries with the live ones (entries not reversed) by key and content (rule, points,
trimmed points, cap, segment, lane, evidence and rule-set version):
- the same: nothing is written, so scoring again, or twice at once, adds nothing;
- a live entry the rescore no longer yields, or yields differently: a reversal entry is appended,
  key "<key>~void", its points negated, `reverses_id` naming it (unique: an entry is reversed once);
- a new or changed entry: appended, keyed "<key>" the first time and "<key>~<n>" for its n-th version.
Sums over the ledger are therefore always those of the live entries, and the live entries after
any sequence of incremental runs equal those of one full recompute (`live_entries` compares them).
Keys never otherwise contain "~": `base_key()` strips the suffix (the grammar is scoring.ledger.entries).
"""

from __future__ import annotations

import hashlib
import logging
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any, Final

from sqlalchemy import Connection, Engine, Row, Select, delete, func, insert, select, tuple_, update

from scoring.checkins import CheckInKind
from scoring.integrity.states import ACTION_LAPSED, ACTION_RAISED, ACTION_RERAISED, FLAG_OPEN, FLAG_RESTORED
from scoring.ledger.entries import PATROL_RULES, VOID_SUFFIX, base_key, revision_key
from scoring.periods import day_starts_at, local_day
from scoring.registry.claims import claimed_segments
from scoring.rulebook import (
    CheckpointPosition,
    ClaimedSegment,
    DayResult,
    EntryDraft,
    Flag,
    History,
    RuleBook,
    Visit,
    flag_visits,
    group_by_day,
    score_day,
    withheld_keys,
)
from scoring.rulebook_default import default_rulebook
from scoring.storage import tables as t
from scoring.storage.bulk import insert_backlog
from scoring.storage.dialect import insert_skipping_duplicates, lock_rows, skip_locked

log = logging.getLogger(__name__)

BACKLOG_BATCH: Final = 2_000

Clock = Callable[[], datetime]
_AnyRow = Row[*tuple[Any, ...]]


@dataclass(frozen=True, slots=True)
class ScoreReport:
    steward_days: int  # (steward, day) pairs taken from the backlog
    entries_added: int  # entries and reversals appended
    days_scored: int = 0  # days scored, counting those rescored after a late record
    reversals: int = 0
    flags_raised: int = 0


@dataclass(frozen=True, slots=True)
class LedgerEntry:
    """A live ledger entry with its key stripped of its version suffix: what two ledgers are compared on."""

    key: str
    steward_id: int
    day: date
    rule: str
    points: int
    trimmed_points: int
    cap: str
    segment_id: int | None
    lane_id: int
    evidence: tuple[str, ...]
    ruleset_version: str


def score_pending(
    engine: Engine, rulebook: RuleBook | None = None, *, batch: int = BACKLOG_BATCH, clock: Clock | None = None
) -> ScoreReport:
    """Score every steward with (steward, day) pairs in the backlog; returns what was done."""
    book = rulebook if rulebook is not None else default_rulebook()
    now = clock or _utc_now
    totals = _Totals()
    while True:
        with engine.begin() as conn:
            pairs = _take_backlog(conn, batch)
            if not pairs:
                break
            from_day: dict[int, date] = {}
            for steward_id, day in pairs:
                from_day[steward_id] = min(day, from_day.get(steward_id, day))
            _lock_stewards(conn, sorted(from_day))
            _score_stewards(conn, from_day, book, now(), totals)
            totals.steward_days += len(pairs)
    report = totals.report()
    if report.steward_days:
        log.info(
            "scored %d steward-days (%d days with rescoring), %d entries appended of which %d reversals, "
            "%d flags raised",
            report.steward_days, report.days_scored, report.entries_added, report.reversals, report.flags_raised,
        )
    return report


def rescore_all(engine: Engine, rulebook: RuleBook | None = None, *, clock: Clock | None = None) -> ScoreReport:
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
            # Every steward starts again from History(): no saved state before their first day is read.
            conn.execute(delete(t.ScoringState.__table__))
    return score_pending(engine, rulebook, clock=clock)


def live_entries(conn: Connection, steward_ids: Iterable[int] | None = None) -> list[LedgerEntry]:
    """The patrol entries not reversed, by key: the ledger a full recompute would write."""
    pe = t.PointsEntry
    query = _entry_columns().where(pe.rule.in_(PATROL_RULES))
    if steward_ids is not None:
        query = query.where(pe.steward_id.in_(sorted(set(steward_ids))))
    rows = conn.execute(query).all()
    return sorted(
        (_ledger_entry(r) for r in _live(rows)),
        key=lambda e: (e.steward_id, e.day, e.key),
    )


# --- one batch -----------------------------------------------------------------------------------


@dataclass
class _Totals:
    steward_days: int = 0
    entries_added: int = 0
    days_scored: int = 0
    reversals: int = 0
    flags_raised: int = 0

    def report(self) -> ScoreReport:
        return ScoreReport(self.steward_days, self.entries_added, self.days_scored, self.reversals, self.flags_raised)


@dataclass
class _Steward:
    """What one steward's rescore reads: claims, positions, restored check-ins, the state to start from."""

    claims: list[ClaimedSegment] = field(default_factory=list)
    visits: list[Visit] = field(default_factory=list)
    history: History = History()
    vouched: frozenset[str] = frozenset()


def _score_stewards(
    conn: Connection, from_day: Mapping[int, date], book: RuleBook, now: datetime, totals: _Totals
) -> None:
    """Score the batch's stewards in memory, then write their flags, entries and states in a few statements
    for the whole batch: per-steward statements cost more than the scoring itself."""
    stewards = _load(conn, from_day)
    positions, segment_checkpoints = _positions(conn, {v.checkpoint_id for s in stewards.values() for v in s.visits})
    results: dict[int, list[DayResult]] = {}
    flags: dict[int, dict[date, list[Flag]]] = {}
    for steward_id in sorted(stewards):
        ctx = stewards[steward_id]
        history = ctx.history
        days: list[DayResult] = []
        flags_by_day: dict[date, list[Flag]] = {}
        for day, visits in group_by_day(ctx.visits).items():
            rules = book.rules_for(day)
            # Whole segments of the day's checkpoints: a patrol is judged against all of a segment's checkpoints.
            segments = {positions[v.checkpoint_id].segment_id for v in visits if v.checkpoint_id in positions}
            day_positions = {cp: positions[cp] for seg in segments for cp in segment_checkpoints[seg]}
            day_flags = flag_visits(visits, day_positions, rules)
            withheld = withheld_keys(day_flags) - ctx.vouched
            result = score_day(steward_id, day, visits, ctx.claims, rules, history, withheld)
            history = result.history
            days.append(result)
            flags_by_day[day] = day_flags
        totals.days_scored += len(days)
        results[steward_id] = days
        flags[steward_id] = flags_by_day
    totals.flags_raised += _sync_flags(conn, flags, book, now)
    added, reversed_ = _sync_ledger(conn, from_day, results, now)
    totals.entries_added += added
    totals.reversals += reversed_
    _save_states(conn, from_day, results)


def _load(conn: Connection, from_day: Mapping[int, date]) -> dict[int, _Steward]:
    stewards = {steward_id: _Steward() for steward_id in from_day}
    ids = sorted(from_day)
    earliest = min(from_day.values())
    for steward_id, band_id, boot, seq, event_at, checkpoint_id in conn.execute(
        select(t.CheckIn.steward_id, t.CheckIn.band_id, t.CheckIn.boot, t.CheckIn.seq, t.CheckIn.event_at,
               t.CheckIn.checkpoint_id)
        .where(t.CheckIn.steward_id.in_(ids), t.CheckIn.kind == CheckInKind.PATROL_CHECKIN,
               t.CheckIn.event_at >= day_starts_at(earliest))
    ):
        if local_day(event_at) >= from_day[steward_id]:
            stewards[steward_id].visits.append(Visit(f"{band_id}/{boot}/{seq}", event_at, checkpoint_id))
    for steward_id, claims in claimed_segments(conn, ids).items():
        stewards[steward_id].claims = claims
    st = t.ScoringState
    # Each steward starts from their last saved state before their first day to score.
    starts: dict[int, date] = {}
    for first_day, group in _by_first_day(from_day, ids):
        starts.update(conn.execute(
            select(st.steward_id, func.max(st.day)).where(st.steward_id.in_(group), st.day < first_day)
            .group_by(st.steward_id)
        ).all())
    if starts:
        for row in conn.execute(select(st).where(tuple_(st.steward_id, st.day).in_(list(starts.items())))):
            stewards[row.steward_id].history = History(
                last_day=row.day, streak_days=row.streak_days, last_patrol_day=row.last_patrol_day,
                week_of=row.week_of, week_points=row.week_points, cumulative_points=row.cumulative_points,
            )
    vouched: dict[int, set[str]] = defaultdict(set)
    for steward_id, keys in conn.execute(
        select(t.IntegrityFlag.steward_id, t.IntegrityFlag.visit_keys)
        .where(t.IntegrityFlag.steward_id.in_(ids), t.IntegrityFlag.state == FLAG_RESTORED)
    ):
        vouched[steward_id].update(keys)
    for steward_id, restored in vouched.items():
        stewards[steward_id].vouched = frozenset(restored)
    return stewards


def _by_first_day(from_day: Mapping[int, date], steward_ids: Iterable[int]) -> list[tuple[date, list[int]]]:
    """The stewards grouped by the first day they are scored from, days in order: one statement per group
    (a full recompute has one group; incremental scoring a few)."""
    groups: dict[date, list[int]] = defaultdict(list)
    for steward_id in sorted(steward_ids):
        groups[from_day[steward_id]].append(steward_id)
    return sorted(groups.items())


def _positions(
    conn: Connection, checkpoint_ids: set[int]
) -> tuple[dict[int, CheckpointPosition], dict[int, list[int]]]:
    """Where every checkpoint of the segments these checkpoints are on stands, and each segment's checkpoints."""
    positions: dict[int, CheckpointPosition] = {}
    by_segment: dict[int, list[int]] = defaultdict(list)
    if not checkpoint_ids:
        return positions, by_segment
    cp = t.Checkpoint
    segments = select(cp.segment_id).where(cp.id.in_(sorted(checkpoint_ids)))
    for cp_id, seg, pos in conn.execute(
        select(cp.id, cp.segment_id, cp.position_m).where(cp.segment_id.in_(segments)).order_by(cp.id)
    ):
        positions[cp_id] = CheckpointPosition(seg, pos)
        by_segment[seg].append(cp_id)
    return positions, by_segment


# --- flags ---------------------------------------------------------------------------------------


def flag_key(flag: Flag) -> str:
    """The engine's flag key and a digest of every check-in the flag covers."""
    digest = hashlib.sha256("\n".join(flag.visit_keys).encode()).hexdigest()[:12]
    return f"{flag.key}/{digest}"


def _sync_flags(
    conn: Connection, flags: Mapping[int, Mapping[date, list[Flag]]], book: RuleBook, now: datetime
) -> int:
    """Store new flags, lapse those the days no longer raise, raise lapsed ones again; an audit row for each.

    `flags` holds every scored day of every steward, with the flags it raised (often none)."""
    scored_days = {(sid, day) for sid, by_day in flags.items() for day in by_day}
    if not scored_days:
        return 0
    f = t.IntegrityFlag
    stored: dict[int, dict[str, _AnyRow]] = defaultdict(dict)
    for row in conn.execute(
        select(f.id, f.steward_id, f.day, f.flag_key, f.lapsed_at)
        .where(f.steward_id.in_(sorted(flags)), f.day >= min(day for _, day in scored_days))
    ):
        if (row.steward_id, row.day) in scored_days:
            stored[row.steward_id][row.flag_key] = row
    raised = 0
    for steward_id, by_day in sorted(flags.items()):
        mine = stored.get(steward_id, {})
        wanted: set[str] = set()
        for day, day_flags in sorted(by_day.items()):
            version = book.rules_for(day).version
            for flag in day_flags:
                key = flag_key(flag)
                wanted.add(key)
                known = mine.get(key)
                if known is None:
                    flag_id = conn.execute(
                        insert(f).returning(f.id),
                        dict(steward_id=steward_id, day=day, flag_key=key, kind=flag.kind.value,
                             visit_keys=list(flag.visit_keys), reason_zh=flag.reason_zh, reason_en=flag.reason_en,
                             state=FLAG_OPEN, ruleset_version=version, created_at=now, lapsed_at=None,
                             decided_at=None, decided_by=None),
                    ).scalar_one()
                    _audit(conn, flag_id, now, ACTION_RAISED, "")
                    raised += 1
                elif known.lapsed_at is not None:
                    conn.execute(update(f).where(f.id == known.id).values(lapsed_at=None))
                    _audit(conn, known.id, now, ACTION_RERAISED, "")
        for key, row in mine.items():
            if key not in wanted and row.lapsed_at is None:
                conn.execute(update(f).where(f.id == row.id).values(lapsed_at=now))
                _audit(conn, row.id, now, ACTION_LAPSED, "the check-ins as now stored no longer raise this flag")
    return raised


def _audit(conn: Connection, flag_id: int, at: datetime, action: str, note: str) -> None:
    conn.execute(insert(t.IntegrityAction), dict(flag_id=flag_id, at=at, action=action, actor_kind="system",
                                                  actor_id=None, note=note))


# --- the ledger ----------------------------------------------------------------------------------


def _entry_columns() -> Select[*tuple[Any, ...]]:
    pe = t.PointsEntry
    return select(pe.id, pe.entry_key, pe.steward_id, pe.day, pe.rule, pe.points, pe.trimmed_points, pe.cap,
                  pe.segment_id, pe.lane_id, pe.evidence, pe.ruleset_version, pe.reverses_id)


def _live(rows: Sequence[_AnyRow]) -> list[_AnyRow]:
    reversed_ids = {r.reverses_id for r in rows if r.reverses_id is not None}
    return [r for r in rows if r.reverses_id is None and r.id not in reversed_ids]


def _ledger_entry(row: _AnyRow) -> LedgerEntry:
    return LedgerEntry(
        key=base_key(row.entry_key), steward_id=row.steward_id, day=row.day, rule=row.rule, points=row.points,
        trimmed_points=row.trimmed_points, cap=row.cap, segment_id=row.segment_id, lane_id=row.lane_id,
        evidence=tuple(row.evidence), ruleset_version=row.ruleset_version,
    )


def _draft_entry(d: EntryDraft) -> LedgerEntry:
    return LedgerEntry(
        key=d.entry_key, steward_id=d.steward_id, day=d.day, rule=d.rule, points=d.points,
        trimmed_points=d.trimmed_points, cap=d.cap, segment_id=d.segment_id, lane_id=d.lane_id,
        evidence=tuple(d.evidence), ruleset_version=d.ruleset_version,
    )


def _sync_ledger(
    conn: Connection, from_day: Mapping[int, date], results: Mapping[int, Sequence[DayResult]], now: datetime
) -> tuple[int, int]:
    """Append what changed between each steward's live entries from their `from_day` on and the rescore;
    (appended, reversals) over the batch."""
    pe = t.PointsEntry
    rows_of: dict[int, list[_AnyRow]] = defaultdict(list)
    if results:
        for r in conn.execute(
            _entry_columns().where(pe.steward_id.in_(sorted(results)), pe.day >= min(from_day[s] for s in results),
                                   pe.rule.in_(PATROL_RULES))
        ):
            if r.day >= from_day[r.steward_id]:
                rows_of[r.steward_id].append(r)
    new_rows: list[dict[str, Any]] = []
    reversals: list[dict[str, Any]] = []
    for steward_id, days in sorted(results.items()):
        _steward_changes(rows_of.get(steward_id, []), days, now, new_rows, reversals)
    added = _append(conn, reversals) + _append(conn, new_rows)
    return added, len(reversals)


def _steward_changes(rows: Sequence[_AnyRow], results: Sequence[DayResult], now: datetime,
                     new_rows: list[dict[str, Any]], reversals: list[dict[str, Any]]) -> None:
    """One steward's reversals and new entries: stored `rows` (from the rescore's first day on) against `results`."""
    versions: dict[str, int] = defaultdict(int)
    for r in rows:
        if r.reverses_id is None:
            versions[base_key(r.entry_key)] += 1
    live = {base_key(r.entry_key): r for r in _live(rows)}
    wanted = {d.entry_key: d for result in results for d in result.entries}
    for key, row in sorted(live.items()):
        draft = wanted.get(key)
        if draft is not None and _draft_entry(draft) == _ledger_entry(row):
            continue
        reversals.append(dict(
            entry_key=row.entry_key + VOID_SUFFIX, steward_id=row.steward_id, day=row.day, rule=row.rule,
            ruleset_version=row.ruleset_version, points=-row.points, trimmed_points=-row.trimmed_points,
            cap=row.cap, segment_id=row.segment_id, lane_id=row.lane_id, evidence=list(row.evidence),
            created_at=now, reverses_id=row.id,
        ))
    for key, d in wanted.items():
        current = live.get(key)
        if current is not None and _draft_entry(d) == _ledger_entry(current):
            continue
        version = versions[key] + 1
        new_rows.append(dict(
            entry_key=revision_key(key, version), steward_id=d.steward_id, day=d.day,
            rule=d.rule, ruleset_version=d.ruleset_version, points=d.points, trimmed_points=d.trimmed_points,
            cap=d.cap, segment_id=d.segment_id, lane_id=d.lane_id, evidence=list(d.evidence), created_at=now,
            reverses_id=None,
        ))


def _append(conn: Connection, rows: list[dict[str, Any]]) -> int:
    if not rows:
        return 0
    table = t.PointsEntry.__table__
    result = conn.execute(insert_skipping_duplicates(conn, table, ["entry_key"]).returning(table.c.id), rows)
    return len(result.all())


def _save_states(conn: Connection, from_day: Mapping[int, date], results: Mapping[int, Sequence[DayResult]]) -> None:
    """Replace each steward's saved states from their `from_day` on with the rescore's."""
    st = t.ScoringState.__table__
    for first_day, steward_ids in _by_first_day(from_day, results):
        conn.execute(delete(st).where(st.c.steward_id.in_(steward_ids), st.c.day >= first_day))
    rows = [
        dict(steward_id=steward_id, day=r.day, ruleset_version=r.ruleset_version, streak_days=r.history.streak_days,
             last_patrol_day=r.history.last_patrol_day, week_of=r.history.week_of,
             week_points=r.history.week_points, cumulative_points=r.history.cumulative_points,
             paced_out=list(r.paced_out), withheld=list(r.withheld))
        for steward_id, days in sorted(results.items()) for r in days
    ]
    if rows:
        conn.execute(insert(st), rows)


# --- the backlog ---------------------------------------------------------------------------------


def _take_backlog(conn: Connection, batch: int) -> list[tuple[int, date]]:
    """About `batch` (steward, day) pairs, always every queued day of each steward taken: a steward whose
    days were split over two batches would be scored from the first batch's day on, then again.

    The pairs are those this transaction deleted. On SQLite the select runs before the transaction's
    first write, so two scorers can select the same pairs; the second's delete waits for the first to
    commit, then deletes, and so takes, none of them: it looks again, now seeing what is left."""
    table = t.ScoringBacklog.__table__
    query = select(table.c.steward_id, table.c.day).order_by(table.c.steward_id, table.c.day).limit(batch)
    while True:
        # Two scorers on PostgreSQL share the work, never the same rows.
        pairs = [(s, d) for s, d in conn.execute(skip_locked(conn, query))]
        if len(pairs) == batch:
            last_steward, last_day = pairs[-1]
            rest = select(table.c.steward_id, table.c.day).where(
                table.c.steward_id == last_steward, table.c.day > last_day).order_by(table.c.day)
            pairs += [(s, d) for s, d in conn.execute(skip_locked(conn, rest))]
        if not pairs:
            return []
        taken = conn.execute(delete(table).where(tuple_(table.c.steward_id, table.c.day).in_(pairs))
                             .returning(table.c.steward_id, table.c.day)).all()
        if taken:
            return sorted((s, d) for s, d in taken)


def _lock_stewards(conn: Connection, steward_ids: list[int]) -> None:
    """One scorer at a time per steward: two could take different days of the same steward."""
    if not steward_ids:
        return
    locking = lock_rows(conn, select(t.Steward.id).where(t.Steward.id.in_(steward_ids)).order_by(t.Steward.id))
    if locking is not None:
        conn.execute(locking)


def _utc_now() -> datetime:
    return datetime.now(UTC)
