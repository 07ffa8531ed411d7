"""小巷管家团: a team forms on a lane once three or more stewards hold claims on its segments.

Pure planning from claim history: who was a member when. A member's membership runs while they hold at
least one claim on the lane; the team exists from the instant the third concurrent claimant arrived.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Final

TEAM_MIN_STEWARDS: Final = 3


@dataclass(frozen=True, slots=True)
class LaneClaim:
    steward_id: int
    lane_id: int
    valid_from: datetime
    valid_to: datetime | None


@dataclass(frozen=True, slots=True)
class MembershipPlan:
    steward_id: int
    valid_from: datetime
    valid_to: datetime | None


@dataclass(frozen=True, slots=True)
class TeamPlan:
    lane_id: int
    formed_at: datetime
    members: tuple[MembershipPlan, ...]


def plan_teams(claims: Iterable[LaneClaim]) -> list[TeamPlan]:
    by_lane: dict[int, dict[int, list[LaneClaim]]] = defaultdict(lambda: defaultdict(list))
    for c in claims:
        by_lane[c.lane_id][c.steward_id].append(c)

    plans = []
    for lane_id, by_steward in sorted(by_lane.items()):
        spans = {s: _merge(cs) for s, cs in by_steward.items()}
        formed_at = _first_instant_with(spans, TEAM_MIN_STEWARDS)
        if formed_at is None:
            continue
        members = tuple(
            MembershipPlan(steward, max(start, formed_at), end)
            for steward, steward_spans in sorted(spans.items())
            for start, end in steward_spans
            if end is None or end > formed_at
        )
        plans.append(TeamPlan(lane_id, formed_at, members))
    return plans


def _merge(claims: list[LaneClaim]) -> list[tuple[datetime, datetime | None]]:
    """Overlapping claims of one steward on one lane, merged into disjoint spans."""
    spans: list[tuple[datetime, datetime | None]] = []
    for c in sorted(claims, key=lambda c: c.valid_from):
        if spans and (spans[-1][1] is None or c.valid_from <= spans[-1][1]):
            start, end = spans[-1]
            spans[-1] = (start, None if end is None or c.valid_to is None else max(end, c.valid_to))
        else:
            spans.append((c.valid_from, c.valid_to))
    return spans


def _first_instant_with(spans: dict[int, list[tuple[datetime, datetime | None]]], n: int) -> datetime | None:
    events: list[tuple[datetime, int]] = []
    for steward_spans in spans.values():
        for start, end in steward_spans:
            events.append((start, 1))
            if end is not None:
                events.append((end, -1))
    count = 0
    for at, delta in sorted(events, key=lambda e: (e[0], e[1])):  # ends before starts at one instant
        count += delta
        if count >= n:
            return at
    return None
