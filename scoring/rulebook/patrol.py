"""Which of a day's check-ins count, and whether they complete a segment's patrol.

A check-in counts when it is not withheld by an integrity flag, its checkpoint belongs to a segment
the steward has claimed, a claim on that segment is valid at its instant, and it keeps pace: it is
reachable on foot, at the rule set's walking speed, from the last counted check-in on the same
segment (distance = difference of `position_m`). The earlier of two check-ins too close in time is
the one that counts; pacing runs greedily in time order, so the choice is deterministic.

Completion, over the counted check-ins inside a time range:
- any_order: every checkpoint of the segment; the evidence is each checkpoint's first check-in.
- in_order:  the checkpoints in order of position, from either end; the check-ins that match that
             order form the evidence and other check-ins in between are ignored. Of the two
             directions, the one completed first wins (ascending on a tie).
Both pick the earliest completion.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from scoring.periods import local_day
from scoring.rulebook.errors import RulebookError
from scoring.rulebook.model import ClaimedSegment, Visit
from scoring.rulebook.ruleset import CompletionMode, RuleSet


@dataclass(frozen=True, slots=True)
class Counted:
    """A day's check-ins sorted into those that count (time order) and those set aside."""

    counted: tuple[Visit, ...]
    paced_out: tuple[Visit, ...]
    withheld: tuple[Visit, ...]
    segment_of: dict[int, ClaimedSegment]  # checkpoint id -> claimed segment


def claimed_segments(claimed: Iterable[ClaimedSegment]) -> dict[int, list[ClaimedSegment]]:
    """Claims grouped by segment (a steward may hold the same segment twice: claimed, released, claimed again)."""
    by_segment: dict[int, list[ClaimedSegment]] = {}
    for claim in sorted(claimed, key=lambda c: (c.segment_id, c.valid_from)):
        by_segment.setdefault(claim.segment_id, []).append(claim)
    return by_segment


def ordered_visits(visits: Iterable[Visit], day: date | None = None) -> list[Visit]:
    """Time order, ties by key, each natural key once; with `day`, every visit must fall on that local day."""
    seen: set[str] = set()
    ordered: list[Visit] = []
    for v in sorted(visits, key=lambda v: (v.at, v.key)):
        if v.key in seen:
            continue
        if day is not None and local_day(v.at) != day:
            raise RulebookError(
                f"visit {v.key} at {v.at.isoformat()} is not on {day} in Beijing time; group visits by local day "
                f"(scoring.rulebook.group_by_day) before scoring a day"
            )
        seen.add(v.key)
        ordered.append(v)
    return ordered


def count_visits(
    visits: Sequence[Visit],
    claimed: Iterable[ClaimedSegment],
    rules: RuleSet,
    withheld: frozenset[str] = frozenset(),
) -> Counted:
    """Apply claims, withheld keys and pacing to visits already in `ordered_visits` order."""
    by_segment = claimed_segments(claimed)
    segment_of = {cp: claims[0] for claims in by_segment.values() for cp in claims[0].checkpoint_ids}
    counted: list[Visit] = []
    paced_out: list[Visit] = []
    held: list[Visit] = []
    last_on_segment: dict[int, Visit] = {}
    speed = rules.max_walking_speed_m_per_s
    for v in visits:
        if v.key in withheld:
            held.append(v)
            continue
        seg = segment_of.get(v.checkpoint_id)
        if seg is None or not any(c.covers(v.at) for c in by_segment[seg.segment_id]):
            continue
        last = last_on_segment.get(seg.segment_id)
        if last is not None and last.checkpoint_id != v.checkpoint_id:
            distance_m = abs(seg.position_of(v.checkpoint_id) - seg.position_of(last.checkpoint_id))
            if (v.at - last.at).total_seconds() * speed < distance_m:
                paced_out.append(v)
                continue
        last_on_segment[seg.segment_id] = v
        counted.append(v)
    return Counted(tuple(counted), tuple(paced_out), tuple(held), segment_of)


def completion(
    segment: ClaimedSegment,
    counted: Sequence[Visit],
    mode: CompletionMode,
    starts_at: datetime,
    ends_at: datetime,
) -> tuple[Visit, ...] | None:
    """The check-ins that complete `segment` among `counted` visits in [starts_at, ends_at), in time order."""
    if not segment.checkpoint_ids:
        return None
    cps = segment.checkpoint_ids
    mine = [v for v in counted if v.checkpoint_id in cps and starts_at <= v.at < ends_at]
    if mode is CompletionMode.ANY_ORDER:
        first: dict[int, Visit] = {}
        for v in mine:
            first.setdefault(v.checkpoint_id, v)
        if len(first) < len(segment.checkpoint_ids):
            return None
        return tuple(sorted(first.values(), key=lambda v: (v.at, v.key)))
    route = sorted(segment.checkpoint_ids, key=lambda cp: (segment.position_of(cp), cp))
    candidates = [m for m in (_in_sequence(mine, route), _in_sequence(mine, route[::-1])) if m is not None]
    if not candidates:
        return None
    return min(candidates, key=lambda m: m[-1].at)  # min keeps the first (ascending) on a tie


def _in_sequence(visits: Sequence[Visit], route: Sequence[int]) -> tuple[Visit, ...] | None:
    matched: list[Visit] = []
    for v in visits:
        if v.checkpoint_id == route[len(matched)]:
            matched.append(v)
            if len(matched) == len(route):
                return tuple(matched)
    return None
