"""Pure detection of implausible check-ins; flagged check-ins are withheld from points, never deleted.

Three kinds of flag, each with the check-ins it covers and a reason in Chinese and English that a
steward can read:
- teleport:        two consecutive check-ins further apart than anyone covers in the time between
                   them (the rule set's teleport speed, well above walking, so a brisk walk is merely
                   not counted by pacing while a copied beacon is flagged). Both check-ins are flagged:
                   nothing tells which of the two was genuine.
- scan_storm:      more check-ins within the storm window (a minute by default) than the rule set allows;
                   every check-in of the burst is flagged.
- patrol_too_fast: every checkpoint of a segment checked in faster than walking its length allows.

Distances: two checkpoints of one segment are |Δposition_m| apart; checkpoints of different segments
are measured by the caller's `distance_m(a, b)`, and are not judged without one. Two beacons can be
heard from the spot between them, so twice the beacon range is taken off every distance first.
Appeals and decisions live elsewhere: the caller passes `withheld_keys(upheld flags)` to score_day.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from itertools import pairwise
from typing import NamedTuple

from scoring.periods import PROGRAMME_TZ
from scoring.rulebook.model import Visit
from scoring.rulebook.patrol import ordered_visits
from scoring.rulebook.ruleset import RuleSet


class FlagKind(enum.StrEnum):
    TELEPORT = "teleport"
    SCAN_STORM = "scan_storm"
    PATROL_TOO_FAST = "patrol_too_fast"


class CheckpointPosition(NamedTuple):
    segment_id: int
    position_m: float


@dataclass(frozen=True, slots=True)
class Flag:
    kind: FlagKind
    visit_keys: tuple[str, ...]
    reason_zh: str
    reason_en: str

    @property
    def key(self) -> str:
        """Stable across re-runs: the kind and the first check-in it covers."""
        return f"{self.kind.value}/{self.visit_keys[0]}"


DistanceFn = Callable[[int, int], float]
_KIND_ORDER = {kind: i for i, kind in enumerate(FlagKind)}
_HELD = (
    "这些打卡暂不计分,可向巷长申诉。",
    "These check-ins earn no points until reviewed; you may appeal to your lane chief.",
)


def flag_visits(
    visits: Iterable[Visit],
    positions: Mapping[int, CheckpointPosition | tuple[int, float]],
    rules: RuleSet,
    distance_m: DistanceFn | None = None,
) -> list[Flag]:
    """Every flag a steward's check-ins raise, ordered by their first check-in's time, then kind."""
    ordered = ordered_visits(visits)
    spots = {cp: CheckpointPosition(*p) for cp, p in positions.items()}
    slack_m = 2 * rules.integrity.beacon_range_m
    flags = _teleports(ordered, spots, rules, distance_m, slack_m)
    flags += _storms(ordered, rules)
    flags += _fast_patrols(ordered, spots, rules, slack_m)
    at = {v.key: v.at for v in ordered}
    return sorted(flags, key=lambda f: (at[f.visit_keys[0]], _KIND_ORDER[f.kind], f.visit_keys))


def withheld_keys(flags: Iterable[Flag]) -> frozenset[str]:
    return frozenset(key for flag in flags for key in flag.visit_keys)


def _distance(a: int, b: int, spots: Mapping[int, CheckpointPosition], distance_m: DistanceFn | None) -> float | None:
    pa, pb = spots.get(a), spots.get(b)
    if pa is not None and pb is not None and pa.segment_id == pb.segment_id:
        return abs(pa.position_m - pb.position_m)
    return distance_m(a, b) if distance_m is not None else None


def _teleports(
    ordered: list[Visit], spots: Mapping[int, CheckpointPosition], rules: RuleSet,
    distance_m: DistanceFn | None, slack_m: float,
) -> list[Flag]:
    speed = rules.integrity.teleport_speed_m_per_s
    flags = []
    for a, b in pairwise(ordered):
        if a.checkpoint_id == b.checkpoint_id:
            continue
        d = _distance(a.checkpoint_id, b.checkpoint_id, spots, distance_m)
        if d is None or d - slack_m <= 0:
            continue
        seconds = (b.at - a.at).total_seconds()
        if d - slack_m > speed * seconds:
            flags.append(
                Flag(
                    FlagKind.TELEPORT,
                    (a.key, b.key),
                    f"{_hm(a)}从巡查点{a.checkpoint_id}到巡查点{b.checkpoint_id}相距约{d:.0f}米,只隔{seconds:.0f}秒,"
                    f"超过每秒{speed:g}米的可能速度。{_HELD[0]}",
                    f"At {_hm(a)}, checkpoints {a.checkpoint_id} and {b.checkpoint_id} are about {d:.0f} m apart but "
                    f"were checked in {seconds:.0f} s apart, faster than {speed:g} m/s. {_HELD[1]}",
                )
            )
    return flags


def _storms(ordered: list[Visit], rules: RuleSet) -> list[Flag]:
    limit = rules.integrity.scan_storm_max_checkins
    window_s = rules.integrity.scan_storm_window_seconds
    marked = [False] * len(ordered)
    end = 0
    for start, first in enumerate(ordered):
        end = max(end, start)
        while end + 1 < len(ordered) and (ordered[end + 1].at - first.at).total_seconds() < window_s:
            end += 1
        if end - start + 1 > limit:
            for i in range(start, end + 1):
                marked[i] = True
    flags = []
    i = 0
    while i < len(ordered):
        if not marked[i]:
            i += 1
            continue
        j = i
        while j + 1 < len(ordered) and marked[j + 1]:
            j += 1
        burst = ordered[i : j + 1]
        flags.append(
            Flag(
                FlagKind.SCAN_STORM,
                tuple(v.key for v in burst),
                f"{_hm(burst[0])}起打卡{len(burst)}次,{window_s}秒内超过{limit}次的上限。{_HELD[0]}",
                f"{len(burst)} check-ins from {_hm(burst[0])}, more than {limit} within {window_s} s. {_HELD[1]}",
            )
        )
        i = j + 1
    return flags


def _fast_patrols(
    ordered: list[Visit], spots: Mapping[int, CheckpointPosition], rules: RuleSet, slack_m: float
) -> list[Flag]:
    speed = rules.max_walking_speed_m_per_s
    checkpoints_of: dict[int, set[int]] = {}
    for cp, spot in spots.items():
        checkpoints_of.setdefault(spot.segment_id, set()).add(cp)
    flags = []
    for segment_id in sorted(checkpoints_of):
        cps = checkpoints_of[segment_id]
        span_m = max(spots[cp].position_m for cp in cps) - min(spots[cp].position_m for cp in cps)
        if span_m - slack_m <= 0:
            continue
        mine = [v for v in ordered if v.checkpoint_id in cps]
        runs: list[tuple[int, int]] = []  # index ranges of too-fast complete passes, merged when they overlap
        for lo, hi in _covering_windows(mine, cps):
            seconds = (mine[hi].at - mine[lo].at).total_seconds()
            if span_m - slack_m > speed * seconds:
                if runs and lo <= runs[-1][1]:
                    runs[-1] = (runs[-1][0], max(hi, runs[-1][1]))
                else:
                    runs.append((lo, hi))
        for lo, hi in runs:
            passed = mine[lo : hi + 1]
            seconds = (passed[-1].at - passed[0].at).total_seconds()
            flags.append(
                Flag(
                    FlagKind.PATROL_TOO_FAST,
                    tuple(v.key for v in passed),
                    f"{_hm(passed[0])}起{seconds:.0f}秒走完路段{segment_id}全部{len(cps)}个巡查点(约{span_m:.0f}米),"
                    f"快于步行(每秒最多{speed:g}米)。{_HELD[0]}",
                    f"From {_hm(passed[0])}, all {len(cps)} checkpoints of segment {segment_id} (about {span_m:.0f} m) "
                    f"in {seconds:.0f} s, faster than walking ({speed:g} m/s at most). {_HELD[1]}",
                )
            )
    return flags


def _covering_windows(visits: list[Visit], cps: set[int]) -> list[tuple[int, int]]:
    """For each end index, the shortest run of visits ending there that covers every checkpoint."""
    windows = []
    count: dict[int, int] = {}
    lo = 0
    for hi, v in enumerate(visits):
        count[v.checkpoint_id] = count.get(v.checkpoint_id, 0) + 1
        if len(count) < len(cps):
            continue
        while count[visits[lo].checkpoint_id] > 1:
            count[visits[lo].checkpoint_id] -= 1
            lo += 1
        windows.append((lo, hi))
    return windows


def _hm(v: Visit) -> str:
    return v.at.astimezone(PROGRAMME_TZ).strftime("%H:%M:%S")
