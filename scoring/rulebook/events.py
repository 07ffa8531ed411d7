"""Missed and late patrols (日巡), and the small port that delivers them to the lane chief.

A patrol is expected for each claimed segment in each window the calendar expects that day (the
community's windows; a claim must be valid for the whole window). Once a window's end plus the
rule set's late grace has passed, an expected patrol is
- done:   completed within the window (it earned segment_patrol points), no event;
- late:   completed only after the window ended, within the grace (no patrol points; the chief hears);
- missed: not completed by the end of the grace.
Events are raised only on days whose schedule says so (workdays, 调休 working weekends included, by
default; not on public holidays or ordinary weekends). Check-ins count as for points: claims,
pacing and withheld keys apply.
"""

from __future__ import annotations

import enum
import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Protocol

from scoring.rulebook.model import ClaimedSegment, Visit
from scoring.rulebook.patrol import claimed_segments, completion, count_visits, ordered_visits
from scoring.rulebook.ruleset import PatrolWindow, RuleSet

log = logging.getLogger(__name__)


class PatrolEventKind(enum.StrEnum):
    MISSED = "missed"
    LATE = "late"


@dataclass(frozen=True, slots=True)
class ExpectedPatrol:
    segment: ClaimedSegment
    window: PatrolWindow


@dataclass(frozen=True, slots=True)
class PatrolEvent:
    kind: PatrolEventKind
    steward_id: int
    day: date
    segment_id: int
    lane_id: int
    window: str
    window_label: str
    due_at: datetime  # the window's end, UTC
    completed_at: datetime | None  # for a late patrol, when its last checkpoint was checked in (UTC)
    ruleset_version: str

    @property
    def key(self) -> str:
        """One event per steward, day, segment and window, whatever the number of runs."""
        return f"{self.kind.value}/{self.steward_id}/{self.day.isoformat()}/{self.segment_id}/{self.window}"

    @property
    def message_zh(self) -> str:
        who = f"小巷管家{self.steward_id}在{self.day.isoformat()}{self.window_label}"
        if self.kind is PatrolEventKind.MISSED:
            return f"{who}未完成路段{self.segment_id}的巡查。"
        minutes = int((self.completed_at - self.due_at).total_seconds() // 60) if self.completed_at else 0
        return f"{who}结束后{minutes}分钟才完成路段{self.segment_id}的巡查。"

    @property
    def message_en(self) -> str:
        what = "missed" if self.kind is PatrolEventKind.MISSED else "finished late"
        return f"steward {self.steward_id} {what} the {self.window} patrol of segment {self.segment_id} on {self.day}"


def expected_patrols(day: date, claimed: Sequence[ClaimedSegment], rules: RuleSet) -> list[ExpectedPatrol]:
    """The patrols the calendar expects on `day`, by window start then segment: the denominator of completion rates."""
    expected_names = set(rules.schedule_for(day).expected_windows)
    out = []
    for claims in claimed_segments(claimed).values():
        seg = claims[0]
        for window in rules.windows_for(seg.community_key):
            if window.name not in expected_names:
                continue
            starts, ends = window.starts_at(day), window.ends_at(day)
            if any(c.valid_from <= starts and (c.valid_to is None or c.valid_to >= ends) for c in claims):
                out.append(ExpectedPatrol(seg, window))
    return sorted(out, key=lambda p: (p.window.starts, p.segment.segment_id))


def patrol_events(
    steward_id: int,
    day: date,
    visits: Iterable[Visit],
    claimed: Sequence[ClaimedSegment],
    rules: RuleSet,
    *,
    as_of: datetime | None = None,
    withheld: frozenset[str] = frozenset(),
) -> list[PatrolEvent]:
    """Missed and late patrols of one steward's day, judged as of `as_of` (None: the day is over)."""
    if not rules.schedule_for(day).raise_events:
        return []
    tally = count_visits(ordered_visits(visits, day), claimed, rules, withheld)
    events = []
    for patrol in expected_patrols(day, claimed, rules):
        seg, window = patrol.segment, patrol.window
        starts, ends = window.starts_at(day), window.ends_at(day)
        grace_ends = ends + rules.late_grace
        if as_of is not None and as_of < grace_ends:
            continue  # not yet decided: the steward may still finish within the grace
        mode = rules.completion_for(seg.segment_key)
        if completion(seg, tally.counted, mode, starts, ends) is not None:
            continue
        late = completion(seg, tally.counted, mode, starts, grace_ends)
        kind = PatrolEventKind.MISSED if late is None else PatrolEventKind.LATE
        events.append(
            PatrolEvent(
                kind, steward_id, day, seg.segment_id, seg.lane_id, window.name, window.label,
                ends, late[-1].at.astimezone(UTC) if late else None, rules.version,
            )
        )
    return events


class Notifier(Protocol):
    """Delivers a patrol event to whoever must act on it (the lane chief). Must be safe to call twice."""

    def deliver(self, event: PatrolEvent) -> None: ...


class LoggingNotifier:
    def __init__(self, logger: logging.Logger = log) -> None:
        self._log = logger

    def deliver(self, event: PatrolEvent) -> None:
        self._log.info("patrol %s: %s (lane %d) [%s]", event.kind.value, event.message_zh, event.lane_id, event.key)


@dataclass
class OutboxNotifier:
    """Keeps events in memory, once per key: for tests, and for a caller that stores them itself."""

    events: list[PatrolEvent] = field(default_factory=list)
    _seen: set[str] = field(default_factory=set, repr=False)

    def deliver(self, event: PatrolEvent) -> None:
        if event.key not in self._seen:
            self._seen.add(event.key)
            self.events.append(event)

    def drain(self) -> list[PatrolEvent]:
        """The events delivered since the last drain; a key already delivered stays delivered."""
        taken, self.events = self.events, []
        return taken
