"""The ledger as a rescore reads and writes it: each steward's entries from a day on, and the appending of
what changed (reversals, new versions), booked where the closed months allow (scoring.ledger.closed).

A rescore of a steward from day D reads every entry dated D or later (an adjustment counts on the day
it is for: `as_dated`), the points already granted in D's week before D (the week cap runs on from
them), and the lane work those entries earned. It then hands back, per steward, every entry it wants
live from D on; `sync` compares them with the live ones by key and content and appends the difference,
so a rescore that changes nothing writes nothing.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import Connection, Row, Select, select

from scoring.ledger.closed import ClosedMonths, Dated, as_dated
from scoring.ledger.entries import PATROL_RULES, VOID_SUFFIX, LaneEntryDraft, base_key, revision_key
from scoring.rulebook import week_of
from scoring.storage import tables as t
from scoring.storage.dialect import insert_skipping_duplicates

_AnyRow = Row[*tuple[Any, ...]]


@dataclass(frozen=True, slots=True)
class LedgerEntry:
    """A live ledger entry as dated, its key stripped of its version suffix: what two ledgers are compared on."""

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


@dataclass
class Booked:
    """One steward's ledger from the day a rescore starts: `rows` dated that day or later (reversals
    included, each with its `Dated` view), and the points dated in that day's week before it."""

    rows: list[tuple[_AnyRow, Dated]] = field(default_factory=list)
    week_before: int = 0

    def lane_work(self) -> dict[date, list[LaneEntryDraft]]:
        """The live lane entries by day, each with the points it earned before any cap."""
        by_day: dict[date, list[LaneEntryDraft]] = defaultdict(list)
        for row, dated in live(self.rows):
            if dated.rule not in PATROL_RULES:
                by_day[dated.day].append(LaneEntryDraft(
                    entry_key=base_key(row.entry_key), steward_id=row.steward_id, day=dated.day, rule=dated.rule,
                    points=row.points + row.trimmed_points, lane_id=row.lane_id, evidence=dated.evidence,
                    segment_id=row.segment_id,
                ))
        return by_day


def entry_columns() -> Select[*tuple[Any, ...]]:
    pe = t.PointsEntry
    return select(pe.id, pe.entry_key, pe.steward_id, pe.day, pe.rule, pe.points, pe.trimmed_points, pe.cap,
                  pe.segment_id, pe.lane_id, pe.evidence, pe.ruleset_version, pe.reverses_id)


def load_booked(conn: Connection, from_day: Mapping[int, date]) -> dict[int, Booked]:
    """Each steward's `Booked` from their `from_day` on, in one statement for the batch."""
    booked = {steward_id: Booked() for steward_id in from_day}
    if not from_day:
        return booked
    pe = t.PointsEntry
    # An entry is booked on the day it is for or later, so reading from the earliest week's Monday finds them all.
    earliest = week_of(min(from_day.values()))
    for row in conn.execute(entry_columns().where(pe.steward_id.in_(sorted(from_day)), pe.day >= earliest)):
        dated = as_dated(row.rule, row.day, row.evidence)
        first = from_day[row.steward_id]
        if dated.day >= first:
            booked[row.steward_id].rows.append((row, dated))
        elif dated.day >= week_of(first):
            booked[row.steward_id].week_before += row.points
    return booked


def live(rows: Sequence[tuple[_AnyRow, Dated]]) -> list[tuple[_AnyRow, Dated]]:
    """The rows neither a reversal nor reversed."""
    reversed_ids = {r.reverses_id for r, _ in rows if r.reverses_id is not None}
    return [(r, d) for r, d in rows if r.reverses_id is None and r.id not in reversed_ids]


def entry_of(row: _AnyRow, dated: Dated) -> LedgerEntry:
    return LedgerEntry(
        key=base_key(row.entry_key), steward_id=row.steward_id, day=dated.day, rule=dated.rule, points=row.points,
        trimmed_points=row.trimmed_points, cap=row.cap, segment_id=row.segment_id, lane_id=row.lane_id,
        evidence=dated.evidence, ruleset_version=row.ruleset_version,
    )


def live_entries(conn: Connection, steward_ids: Iterable[int] | None = None,
                 rules: Iterable[str] = PATROL_RULES) -> list[LedgerEntry]:
    """The live entries of `rules`, as dated, by steward, day and key."""
    wanted_rules = set(rules)
    query = entry_columns()
    if steward_ids is not None:
        query = query.where(t.PointsEntry.steward_id.in_(sorted(set(steward_ids))))
    rows = [(r, as_dated(r.rule, r.day, r.evidence)) for r in conn.execute(query)]
    return sorted(
        (entry_of(r, d) for r, d in live(rows) if d.rule in wanted_rules),
        key=lambda e: (e.steward_id, e.day, e.key),
    )


def sync(conn: Connection, booked: Mapping[int, Booked], wanted: Mapping[int, Sequence[LedgerEntry]],
         closed: ClosedMonths, now: datetime) -> tuple[int, int]:
    """Append what differs between each steward's live entries in `booked` and the `wanted` ones, an entry
    dated into a closed month booked as an adjustment; (appended, reversals) over the batch."""
    new_rows: list[dict[str, Any]] = []
    reversals: list[dict[str, Any]] = []
    for steward_id, entries in sorted(wanted.items()):
        _changes(booked[steward_id].rows, entries, now, new_rows, reversals)
    added = _append(conn, [closed.book(r) for r in reversals]) + _append(conn, [closed.book(r) for r in new_rows])
    return added, len(reversals)


def _changes(rows: Sequence[tuple[_AnyRow, Dated]], entries: Sequence[LedgerEntry], now: datetime,
             new_rows: list[dict[str, Any]], reversals: list[dict[str, Any]]) -> None:
    """One steward's reversals and new entries, dated as they would be in an open month."""
    versions: dict[str, int] = defaultdict(int)
    for r, _ in rows:
        if r.reverses_id is None:
            versions[base_key(r.entry_key)] += 1
    current = {base_key(r.entry_key): (r, d) for r, d in live(rows)}
    wanted = {e.key: e for e in entries}
    for key, (row, dated) in sorted(current.items()):
        entry = wanted.get(key)
        if entry is not None and entry == entry_of(row, dated):
            continue
        reversals.append(dict(
            entry_key=row.entry_key + VOID_SUFFIX, steward_id=row.steward_id, day=dated.day, rule=dated.rule,
            ruleset_version=row.ruleset_version, points=-row.points, trimmed_points=-row.trimmed_points,
            cap=row.cap, segment_id=row.segment_id, lane_id=row.lane_id, evidence=list(dated.evidence),
            created_at=now, reverses_id=row.id,
        ))
    for key, e in wanted.items():
        known = current.get(key)
        if known is not None and e == entry_of(*known):
            continue
        new_rows.append(dict(
            entry_key=revision_key(key, versions[key] + 1), steward_id=e.steward_id, day=e.day, rule=e.rule,
            ruleset_version=e.ruleset_version, points=e.points, trimmed_points=e.trimmed_points, cap=e.cap,
            segment_id=e.segment_id, lane_id=e.lane_id, evidence=list(e.evidence), created_at=now, reverses_id=None,
        ))


def _append(conn: Connection, rows: list[dict[str, Any]]) -> int:
    if not rows:
        return 0
    table = t.PointsEntry.__table__
    result = conn.execute(insert_skipping_duplicates(conn, table, ["entry_key"]).returning(table.c.id), rows)
    return len(result.all())
