"""The grammar of points entries' keys, which rules' entries the patrol scorer owns, and the draft of a
lane's entry (cases, dissuasions, inspections).

An entry's key is the engine's deterministic key the first time it is written ("<key>"), then
"<key>~<n>" for its n-th version; a reversal is keyed "<key>~void" (its points negated, `reverses_id`
naming the entry it reverses). Engine keys never otherwise contain "~", so `base_key()` recovers the
engine's key of any stored entry.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Final

from scoring.rulebook import RULE_CHECKPOINT_VISIT, RULE_SEGMENT_PATROL, RULE_STREAK_BONUS

REVISION_MARK: Final = "~"
VOID_SUFFIX: Final = "~void"

# The engine's rules. Lane work (cases, dissuasions, inspections) has the others: an entry of
# theirs keeps the points it earned, and is revised only for what the day's and week's caps grant it.
PATROL_RULES: Final = (RULE_CHECKPOINT_VISIT, RULE_SEGMENT_PATROL, RULE_STREAK_BONUS)


@dataclass(frozen=True, slots=True)
class LaneEntryDraft:
    """A points entry that belongs to a lane, not to a segment of it: the ledger's fields, segment_id None."""

    entry_key: str
    steward_id: int
    day: date
    rule: str
    points: int
    lane_id: int
    evidence: tuple[str, ...] = field(default=())
    segment_id: int | None = None


def base_key(entry_key: str) -> str:
    """The engine's key of a stored entry, without its version or reversal suffix."""
    return entry_key.split(REVISION_MARK, 1)[0]


def revision_key(key: str, version: int) -> str:
    """The stored key of the `version`-th entry (from 1) with engine key `key`."""
    return key if version == 1 else f"{key}{REVISION_MARK}{version}"
