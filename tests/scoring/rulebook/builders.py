"""Small builders shared by the rulebook tests: Beijing times, visits, claimed segments, plain rules."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from datetime import date, datetime, timedelta, timezone
from typing import Any

from scoring.rulebook import ClaimedSegment, EntryDraft, RuleSet, Visit

BJ = timezone(timedelta(hours=8))
STEWARD = 7
CLAIM_FROM = datetime(2017, 4, 10, tzinfo=BJ)

# Segment 10 (lane 1): checkpoints 101, 102, 103 at 0, 50 and 100 m. Segment 20 (lane 2): 201, 202 at 0 and 40 m.
SEG10 = ClaimedSegment.along(10, 1, {101: 0.0, 102: 50.0, 103: 100.0}, CLAIM_FROM, segment_key="lane-1/s1",
                             community_key="c-1")
SEG20 = ClaimedSegment.along(20, 2, {201: 0.0, 202: 40.0}, CLAIM_FROM, segment_key="lane-2/s1", community_key="c-2")

# Rules with nothing but the two base rules, so each test turns on only what it tests.
PLAIN = RuleSet(streak_bonuses=(), max_points_per_day=None, max_points_per_week=None)


def at(day: date, hms: str) -> datetime:
    parts = [int(p) for p in hms.split(":")] + [0]
    return datetime(day.year, day.month, day.day, parts[0], parts[1], parts[2], tzinfo=BJ)


def visit(day: date, hms: str, cp: int, band: int = 1001) -> Visit:
    stamp = hms.replace(":", "")
    return Visit(f"{band}/{day.toordinal()}/{stamp}{cp}", at(day, hms), cp)


def walk(day: date, start: str, segment: ClaimedSegment, step_seconds: int = 120, reverse: bool = False) -> list[Visit]:
    """One honest pass over a segment's checkpoints in position order, `step_seconds` apart."""
    route = sorted(segment.checkpoint_ids, key=segment.position_of, reverse=reverse)
    first = at(day, start)
    out = []
    for i, cp in enumerate(route):
        t = first + timedelta(seconds=i * step_seconds)
        out.append(visit(day, t.strftime("%H:%M:%S"), cp))
    return out


def summary(entries: Iterable[EntryDraft]) -> list[tuple[str, int, int]]:
    return [(e.rule, e.segment_id, e.points) for e in entries]


def with_rules(**changes: Any) -> RuleSet:
    return replace(PLAIN, **changes)
