"""The first scoring rules of the daily patrol (日巡), as pure functions.

- checkpoint_visit: +1 for each distinct checkpoint of a claimed segment visited on a day.
- segment_patrol:   +5 for each claimed segment whose every checkpoint is visited within one patrol
                    window (早巡 / 晚巡) of a day.

A visit counts only while the steward's claim on that segment is valid at the visit's instant. Every
entry has a deterministic key, so scoring a day again yields the same entries and the ledger, which
only ever appends, cannot count a visit twice. The full cycle (周查, 月评, 季通报, 金牌管家) builds on this.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, time
from functools import cached_property

from scoring.periods import PROGRAMME_TZ

RULE_CHECKPOINT_VISIT = "checkpoint_visit"
RULE_SEGMENT_PATROL = "segment_patrol"


@dataclass(frozen=True, slots=True)
class PatrolWindow:
    """A daily window, in local (Asia/Shanghai) wall-clock time, [starts, ends)."""

    name: str
    label: str
    starts: time
    ends: time

    def contains(self, at: datetime) -> bool:
        local = at.astimezone(PROGRAMME_TZ).time()
        return self.starts <= local < self.ends


DEFAULT_WINDOWS = (
    PatrolWindow("morning", "早巡", time(6, 0), time(11, 0)),
    PatrolWindow("evening", "晚巡", time(17, 0), time(21, 0)),
)


@dataclass(frozen=True)
class RuleSet:
    windows: tuple[PatrolWindow, ...] = DEFAULT_WINDOWS
    checkpoint_visit_points: int = 1
    segment_patrol_points: int = 5

    @cached_property
    def version(self) -> str:
        """A hash of the rule set's content, recorded on every points entry it produces."""
        content = asdict(self)
        canonical = json.dumps(content, sort_keys=True, default=str, ensure_ascii=False)
        return hashlib.sha256(canonical.encode()).hexdigest()[:12]


@dataclass(frozen=True, slots=True)
class Visit:
    """One patrol check-in, reduced to what the rules read."""

    key: str  # "band/boot/seq": the record's natural key, stable across re-ingest
    at: datetime
    checkpoint_id: int


@dataclass(frozen=True, slots=True)
class ClaimedSegment:
    """A segment the steward has claimed, with the claim's validity and the segment's checkpoints."""

    segment_id: int
    lane_id: int
    checkpoint_ids: frozenset[int]
    valid_from: datetime
    valid_to: datetime | None = None

    def covers(self, at: datetime) -> bool:
        return self.valid_from <= at and (self.valid_to is None or at < self.valid_to)


@dataclass(frozen=True, slots=True)
class EntryDraft:
    entry_key: str
    steward_id: int
    day: date
    rule: str
    points: int
    segment_id: int
    lane_id: int
    evidence: tuple[str, ...] = field(default=())


def score_day(
    steward_id: int,
    day: date,
    visits: Iterable[Visit],
    claimed: Sequence[ClaimedSegment],
    rules: RuleSet,
) -> list[EntryDraft]:
    """Every entry a steward earns for one local day, in a deterministic order."""
    by_checkpoint = {cp: seg for seg in claimed for cp in seg.checkpoint_ids}
    ordered = sorted(visits, key=lambda v: (v.at, v.key))
    counted = [v for v in ordered if (seg := by_checkpoint.get(v.checkpoint_id)) and seg.covers(v.at)]

    entries: list[EntryDraft] = []
    first_visit: dict[int, Visit] = {}
    for v in counted:
        first_visit.setdefault(v.checkpoint_id, v)
    for cp, v in sorted(first_visit.items(), key=lambda kv: (kv[1].at, kv[0])):
        seg = by_checkpoint[cp]
        entries.append(
            EntryDraft(
                entry_key=f"{RULE_CHECKPOINT_VISIT}/{steward_id}/{day.isoformat()}/{cp}",
                steward_id=steward_id,
                day=day,
                rule=RULE_CHECKPOINT_VISIT,
                points=rules.checkpoint_visit_points,
                segment_id=seg.segment_id,
                lane_id=seg.lane_id,
                evidence=(v.key,),
            )
        )

    for seg in sorted(claimed, key=lambda s: s.segment_id):
        for window in rules.windows:
            seen: dict[int, Visit] = {}
            for v in counted:
                if v.checkpoint_id in seg.checkpoint_ids and window.contains(v.at):
                    seen.setdefault(v.checkpoint_id, v)
            if seg.checkpoint_ids and seen.keys() >= seg.checkpoint_ids:
                evidence = tuple(v.key for v in sorted(seen.values(), key=lambda v: (v.at, v.key)))
                entries.append(
                    EntryDraft(
                        entry_key=f"{RULE_SEGMENT_PATROL}/{steward_id}/{day.isoformat()}/{seg.segment_id}/{window.name}",
                        steward_id=steward_id,
                        day=day,
                        rule=RULE_SEGMENT_PATROL,
                        points=rules.segment_patrol_points,
                        segment_id=seg.segment_id,
                        lane_id=seg.lane_id,
                        evidence=evidence,
                    )
                )
    return entries
