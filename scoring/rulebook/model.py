"""What the engine reads and writes: check-ins reduced to visits, claimed segments, points-entry drafts.

Entry keys and evidence are those the ledger has always used; what the rulebook needs beyond the
first two rules (community and segment keys, checkpoint positions, the rule-set version, the points a
cap trimmed) comes after the original fields.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cached_property
from typing import Final

from scoring.rulebook.errors import MissingPositionError

RULE_CHECKPOINT_VISIT: Final = "checkpoint_visit"
RULE_SEGMENT_PATROL: Final = "segment_patrol"
RULE_STREAK_BONUS: Final = "streak_bonus"


@dataclass(frozen=True, slots=True)
class Visit:
    """One patrol check-in, reduced to what the rules read."""

    key: str  # "band/boot/seq": the record's natural key, stable across re-ingest
    at: datetime
    checkpoint_id: int


@dataclass(frozen=True)
class ClaimedSegment:
    """A segment the steward has claimed: the claim's validity, the segment's checkpoints and where they are.

    `positions_m` pairs each checkpoint with its distance along the segment (registry `position_m`);
    pacing and in-order completion read it. `segment_key` and `community_key` are the registry keys
    the rulebook's per-segment and per-community overrides are written against.
    """

    segment_id: int
    lane_id: int
    checkpoint_ids: frozenset[int]
    valid_from: datetime
    valid_to: datetime | None = None
    segment_key: str = ""
    community_key: str = ""
    positions_m: tuple[tuple[int, float], ...] = ()

    @classmethod
    def along(
        cls,
        segment_id: int,
        lane_id: int,
        positions_m: Mapping[int, float],
        valid_from: datetime,
        valid_to: datetime | None = None,
        *,
        segment_key: str = "",
        community_key: str = "",
    ) -> ClaimedSegment:
        """A claimed segment from {checkpoint_id: position_m}, the shape the registry has."""
        return cls(
            segment_id,
            lane_id,
            frozenset(positions_m),
            valid_from,
            valid_to,
            segment_key,
            community_key,
            tuple(sorted((cp, float(pos)) for cp, pos in positions_m.items())),
        )

    def covers(self, at: datetime) -> bool:
        return self.valid_from <= at and (self.valid_to is None or at < self.valid_to)

    @cached_property
    def _positions(self) -> dict[int, float]:
        return dict(self.positions_m)

    def position_of(self, checkpoint_id: int) -> float:
        try:
            return self._positions[checkpoint_id]
        except KeyError:
            raise MissingPositionError(
                f"segment {self.segment_id} ({self.segment_key or 'no key'}) has no position_m for checkpoint "
                f"{checkpoint_id}: build the claim with ClaimedSegment.along() from the registry's checkpoints"
            ) from None


@dataclass(frozen=True, slots=True)
class EntryDraft:
    """A points entry before it is written to the ledger.

    `points` is what the entry is worth after caps; `trimmed_points` is what a cap took away and
    `cap` names that cap ("day" or "week"), so `points + trimmed_points` is what the rule granted.
    """

    entry_key: str
    steward_id: int
    day: date
    rule: str
    points: int
    segment_id: int
    lane_id: int
    evidence: tuple[str, ...] = field(default=())
    ruleset_version: str = ""
    trimmed_points: int = 0
    cap: str = ""

    @property
    def granted_points(self) -> int:
        return self.points + self.trimmed_points
