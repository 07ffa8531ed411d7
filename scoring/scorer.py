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
3. The day's lane work (cases, dissuasions, 周查: entries the lane-work job booked, or is booking
   through `book_lane_work`) is granted what the patrol left of the day's and the week's caps
   (scoring.ledger.lane_grants). Days with lane work and no check-ins are walked too, and the week's
   points so far, both kinds, are carried from day to day, read from the ledger where the walk starts.

The ledger is append-only (its bookkeeping is scoring.ledger.booking). Entries have deterministic
keys; the scorer compares the day's new entries with the live ones (entries not reversed) by key and
content (rule, points, trimmed points, cap, segment, lane, evidence and rule-set version):
- the same: nothing is written, so scoring again, or twice at once, adds nothing;
- a live entry the rescore no longer yields, or yields differently: a reversal entry is appended,
  key "<key>~void", its points negated, `reverses_id` naming it (unique: an entry is reversed once);
- a new or changed entry: appended, keyed "<key>" the first time and "<key>~<n>" for its n-th version.
Sums over the ledger are therefore always those of the live entries, and the live entries after
any sequence of incremental runs equal those of one full recompute (`live_entries` compares them).
Keys never otherwise contain "~": `base_key()` strips the suffix (the grammar is scoring.ledger.entries).

A closed month's 月评 is frozen, so no entry is dated into it again: what a rescore changes there (a
late record, a flag restored after the month closed, `rescore_all`) is booked as an adjustment on the
first day of the first open month after it (scoring.ledger.closed), and compared as it was dated, so it
is booked once.
"""

from __future__ import annotations

import hashlib
import logging
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from typing import Any, Final

from sqlalchemy import Connection, Engine, Row, delete, func, insert, select, tuple_, update

from scoring.checkins import CheckInKind
from scoring.integrity.states import ACTION_LAPSED, ACTION_RAISED, ACTION_RERAISED, FLAG_OPEN, FLAG_RESTORED
from scoring.ledger import booking
from scoring.ledger.booking import LedgerEntry
from scoring.ledger.closed import closed_months
from scoring.ledger.entries import LaneEntryDraft
from scoring.ledger.lane_grants import grant_lane_work
from scoring.periods import day_starts_at, local_day
from scoring.registry.claims import claimed_segments
from scoring.rulebook import (
    CheckpointPosition,
    ClaimedSegment,
    DayResult,
    EntryDraft,
    Flag,
    Grant,
    History,
    RuleBook,
    Visit,
    flag_visits,
    group_by_day,
    score_day,
    week_of,
    withheld_keys,
)
from scoring.rulebook_default import default_rulebook
from scoring.storage import tables as t
from scoring.storage.bulk import insert_backlog
from scoring.storage.dialect import lock_rows, skip_locked

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
    """The patrol entries not reversed, by key and as dated: the ledger a full recompute would write."""
    return booking.live_entries(conn, steward_ids)


def book_lane_work(conn: Connection, drafts: Sequence[LaneEntryDraft], rulebook: RuleBook, now: datetime) -> int:
    """Book lane work not in the ledger yet (each draft's `points` as earned) under the caps: each steward
    is rescored from the first day of their new work, so the work takes what the day's patrol left and
    the week's later days, patrol and lane work alike, run on from it. Returns the entries appended."""
    work: dict[int, list[LaneEntryDraft]] = defaultdict(list)
    for d in drafts:
        work[d.steward_id].append(d)
    from_day = {steward_id: min(d.day for d in items) for steward_id, items in work.items()}
    if not from_day:
        return 0
    _lock_stewards(conn, sorted(from_day))
    totals = _Totals()
    _score_stewards(conn, from_day, rulebook, now, totals, work)
    return totals.entries_added


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
    conn: Connection, from_day: Mapping[int, date], book: RuleBook, now: datetime, totals: _Totals,
    new_work: Mapping[int, Sequence[LaneEntryDraft]] | None = None,
) -> None:
    """Score the batch's stewards in memory, then write their flags, entries and states in a few statements
    for the whole batch: per-steward statements cost more than the scoring itself.

    Each steward's days from their `from_day` on are walked in order: the days with check-ins, scored by
    the engine, and the days with lane work (booked, or `new_work`), granted what the day's patrol left.
    The week's points so far, both kinds, are carried day to day, so the week cap bounds them together."""
    stewards = _load(conn, from_day)
    positions, segment_checkpoints = _positions(conn, {v.checkpoint_id for s in stewards.values() for v in s.visits})
    booked = booking.load_booked(conn, from_day)
    results: dict[int, list[DayResult]] = {}
    flags: dict[int, dict[date, list[Flag]]] = {}
    wanted: dict[int, list[LedgerEntry]] = {}
    for steward_id in sorted(stewards):
        ctx = stewards[steward_id]
        lane_work = _lane_work(booked[steward_id], (new_work or {}).get(steward_id, ()))
        # The week's points before the first day, as booked: the saved state's count misses later lane work.
        history = replace(ctx.history, week_of=week_of(from_day[steward_id]),
                          week_points=booked[steward_id].week_before)
        visits_by_day = group_by_day(ctx.visits)
        days: list[DayResult] = []
        flags_by_day: dict[date, list[Flag]] = {}
        entries: list[LedgerEntry] = []
        for day in sorted(set(visits_by_day) | set(lane_work)):
            rules = book.rules_for(day)
            patrol = 0
            visits = visits_by_day.get(day)
            if visits is not None:
                # Whole segments of the day's checkpoints: a patrol is judged against all of a segment's checkpoints.
                segments = {positions[v.checkpoint_id].segment_id for v in visits if v.checkpoint_id in positions}
                day_positions = {cp: positions[cp] for seg in segments for cp in segment_checkpoints[seg]}
                day_flags = flag_visits(visits, day_positions, rules)
                withheld = withheld_keys(day_flags) - ctx.vouched
                result = score_day(steward_id, day, visits, ctx.claims, rules, history, withheld)
                history = result.history
                days.append(result)
                flags_by_day[day] = day_flags
                entries.extend(_draft_entry(d) for d in result.entries)
                patrol = result.points
            if day in lane_work:
                granted = grant_lane_work(lane_work[day], rules, day_granted=patrol,
                                          week_granted=history.week_points_before(day))
                entries.extend(_lane_entry(d, g, rules.version) for d, g in granted)
                history = replace(history, week_of=week_of(day),
                                  week_points=history.week_points_before(day) + sum(g.points for _, g in granted))
        totals.days_scored += len(days)
        results[steward_id] = days
        flags[steward_id] = flags_by_day
        wanted[steward_id] = entries
    totals.flags_raised += _sync_flags(conn, flags, book, now)
    added, reversed_ = booking.sync(conn, booked, wanted, closed_months(conn), now)
    totals.entries_added += added
    totals.reversals += reversed_
    _save_states(conn, from_day, results)


def _lane_work(booked: booking.Booked, new: Iterable[LaneEntryDraft]) -> dict[date, list[LaneEntryDraft]]:
    """The steward's lane work by day: what the ledger holds, and the new drafts it does not hold yet (a
    booked entry keeps the points it earned when it was booked: a confirmation is never undone)."""
    by_day = booked.lane_work()
    known = {d.entry_key for items in by_day.values() for d in items}
    for d in new:
        if d.entry_key not in known:
            by_day.setdefault(d.day, []).append(d)
            known.add(d.entry_key)
    return by_day


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


def _draft_entry(d: EntryDraft) -> LedgerEntry:
    return LedgerEntry(
        key=d.entry_key, steward_id=d.steward_id, day=d.day, rule=d.rule, points=d.points,
        trimmed_points=d.trimmed_points, cap=d.cap, segment_id=d.segment_id, lane_id=d.lane_id,
        evidence=tuple(d.evidence), ruleset_version=d.ruleset_version,
    )


def _lane_entry(d: LaneEntryDraft, grant: Grant, version: str) -> LedgerEntry:
    return LedgerEntry(
        key=d.entry_key, steward_id=d.steward_id, day=d.day, rule=d.rule, points=grant.points,
        trimmed_points=grant.trimmed, cap=grant.cap, segment_id=d.segment_id, lane_id=d.lane_id,
        evidence=tuple(d.evidence), ruleset_version=version,
    )


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
