"""The patrol planner: what one band does on one day, as a pure function of (seed, band, day).

On each patrol window, with probability `diligence`, the steward starts at a random minute and walks
the claimed segments in order, tapping every checkpoint: walking 1.0-1.4 m/s between checkpoints
(plus a few metres from one segment to the next), dwelling a few seconds at each. Now and then a tap
comes with a problem report (上报问题) or a dissuasion (劝阻). A steward whose profile says so now and
then rides the round on a bicycle instead: 4-6 m/s, stopping only a moment at each checkpoint. At
night the band, on its charger, writes one heartbeat. The planner makes no records: the band turns
planned events into records, adding its own state (boot, sequence number, battery, overflow count).
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Final

from firmware_sim.clock import utc_from_ms
from firmware_sim.profile import BandProfile, CheckpointPlan
from firmware_sim.windows import PatrolWindow, patrol_zone
from wire import Kind, beacon_token, epoch_ms, window_index

__all__ = [
    "CYCLE_DWELL_MAX_SECONDS",
    "CYCLE_DWELL_MIN_SECONDS",
    "CYCLE_SPEED_MAX_M_PER_S",
    "CYCLE_SPEED_MIN_M_PER_S",
    "PROBLEM_CATEGORY_CODES",
    "WALK_SPEED_MAX_M_PER_S",
    "WALK_SPEED_MIN_M_PER_S",
    "DayPlan",
    "PlannedEvent",
    "PlannedPatrol",
    "max_patrol_duration_ms",
    "plan_day",
    "planner_rng",
]

WALK_SPEED_MIN_M_PER_S: Final = 1.0
WALK_SPEED_MAX_M_PER_S: Final = 1.4
SEGMENT_TRANSFER_MIN_M: Final = 3.0  # crossing from one claimed segment to the next
SEGMENT_TRANSFER_MAX_M: Final = 15.0
DWELL_MIN_SECONDS: Final = 5.0  # long enough for the band to hear the beacon and log the tap
DWELL_MAX_SECONDS: Final = 25.0
CYCLE_SPEED_MIN_M_PER_S: Final = 4.0  # a bicycle in a hutong: faster than any walk, far slower than a car
CYCLE_SPEED_MAX_M_PER_S: Final = 6.0
CYCLE_DWELL_MIN_SECONDS: Final = 1.0  # one foot down by the beacon
CYCLE_DWELL_MAX_SECONDS: Final = 3.0
PROBLEM_REPORT_PROBABILITY: Final = 0.02  # per checkpoint visit
DISSUASION_PROBABILITY: Final = 0.01
PROBLEM_CATEGORY_CODES: Final = range(1, 8)  # 1 开墙打洞 … 7 其他, see the wire protocol
RSSI_MIN_DBM: Final = -85
RSSI_MAX_DBM: Final = -45
HEARTBEAT_DELAY_MIN_SECONDS: Final = 10 * 60  # after the last window: the band goes on its charger
HEARTBEAT_DELAY_MAX_SECONDS: Final = 50 * 60
_LATEST_HEARTBEAT: Final = time(23, 59)
_NO_TOKEN: Final = bytes(8)
_MS_PER_SECOND: Final = 1000
_MS_PER_MINUTE: Final = 60_000


@dataclass(frozen=True, slots=True)
class PlannedEvent:
    """Something the band will log at `at_ms`; heartbeats carry checkpoint 0 and a zero token."""

    at_ms: int
    kind: Kind
    checkpoint_id: int
    segment_id: int
    beacon_token: bytes
    rssi_dbm: int
    detail: int

    @property
    def at(self) -> datetime:
        return utc_from_ms(self.at_ms)


@dataclass(frozen=True, slots=True)
class PlannedPatrol:
    """One walk in one window; `ended_at_ms` is when the band uploads in segment mode."""

    window: PatrolWindow
    started_at_ms: int
    ended_at_ms: int
    events: tuple[PlannedEvent, ...]


@dataclass(frozen=True, slots=True)
class DayPlan:
    """Everything one band does on one local day, in time order."""

    band_id: int
    day: date
    patrols: tuple[PlannedPatrol, ...]
    heartbeat: PlannedEvent

    def timeline(self) -> Iterator[tuple[int, PlannedEvent | PlannedPatrol]]:
        """(at_ms, item) in time order; a `PlannedPatrol` item marks that patrol's end."""
        for patrol in self.patrols:
            for event in patrol.events:
                yield event.at_ms, event
            yield patrol.ended_at_ms, patrol
        yield self.heartbeat.at_ms, self.heartbeat

    @property
    def events(self) -> tuple[PlannedEvent, ...]:
        return (*(event for patrol in self.patrols for event in patrol.events), self.heartbeat)

    @property
    def ended_at_ms(self) -> int:
        return self.heartbeat.at_ms


def planner_rng(seed: int, band_id: int, day: date) -> random.Random:
    """The random stream of one band on one day: independent of every other band and day."""
    return random.Random(f"lane-stewards/patrol/{seed}/{band_id}/{day.isoformat()}")


def _leg_distances_m(profile: BandProfile) -> list[tuple[float, bool, CheckpointPlan, int]]:
    """(distance walked to reach it, whether a segment transfer precedes it, checkpoint, segment)."""
    legs: list[tuple[float, bool, CheckpointPlan, int]] = []
    previous: CheckpointPlan | None = None
    for route in profile.routes:
        for index, checkpoint in enumerate(route.checkpoints):
            if previous is None:
                legs.append((0.0, False, checkpoint, route.segment_id))
            elif index == 0:
                # From the last checkpoint of one segment to the start of the next, then along it.
                legs.append((checkpoint.position_m, True, checkpoint, route.segment_id))
            else:
                legs.append((abs(checkpoint.position_m - previous.position_m), False, checkpoint, route.segment_id))
            previous = checkpoint
    return legs


def max_patrol_duration_ms(profile: BandProfile) -> int:
    """The longest a full patrol of `profile`'s routes can take at the slowest pace."""
    total_seconds = 0.0
    for distance_m, transfer, _, _ in _leg_distances_m(profile):
        walked_m = distance_m + (SEGMENT_TRANSFER_MAX_M if transfer else 0.0)
        total_seconds += walked_m / WALK_SPEED_MIN_M_PER_S + DWELL_MAX_SECONDS
    return int(total_seconds * _MS_PER_SECOND) + 1


def _token(secret: bytes, at_ms: int) -> bytes:
    return beacon_token(secret, window_index(utc_from_ms(at_ms)))


def _plan_patrol(
    profile: BandProfile, window: PatrolWindow, day: date, rng: random.Random
) -> PlannedPatrol | None:
    window_start_ms, window_end_ms = window.bounds_ms(day)
    legs = _leg_distances_m(profile)
    if not legs:
        return None
    slack_minutes = (window_end_ms - window_start_ms - max_patrol_duration_ms(profile)) // _MS_PER_MINUTE
    # A route too long for its window starts at the opening and is cut off when the window closes.
    started_at_ms = window_start_ms + rng.randint(0, max(0, slack_minutes)) * _MS_PER_MINUTE
    # Drawn only for a steward who ever cycles, so every walking steward's plans stay as they were.
    by_bicycle = profile.cycling > 0.0 and rng.random() < profile.cycling
    speeds = (CYCLE_SPEED_MIN_M_PER_S, CYCLE_SPEED_MAX_M_PER_S) if by_bicycle else (
        WALK_SPEED_MIN_M_PER_S, WALK_SPEED_MAX_M_PER_S)
    dwells = (CYCLE_DWELL_MIN_SECONDS, CYCLE_DWELL_MAX_SECONDS) if by_bicycle else (
        DWELL_MIN_SECONDS, DWELL_MAX_SECONDS)
    events: list[PlannedEvent] = []
    arrived_at_ms = float(started_at_ms)
    last_departure_ms = started_at_ms
    for distance_m, transfer, checkpoint, segment_id in legs:
        walked_m = distance_m + (rng.uniform(SEGMENT_TRANSFER_MIN_M, SEGMENT_TRANSFER_MAX_M) if transfer else 0.0)
        speed_m_per_s = rng.uniform(*speeds)
        if events:
            arrived_at_ms = last_departure_ms + walked_m / speed_m_per_s * _MS_PER_SECOND
        dwell_ms = rng.uniform(*dwells) * _MS_PER_SECOND
        extras: list[tuple[Kind, int]] = []
        if rng.random() < PROBLEM_REPORT_PROBABILITY:
            extras.append((Kind.PROBLEM_REPORT, rng.choice(PROBLEM_CATEGORY_CODES)))
        if rng.random() < DISSUASION_PROBABILITY:
            extras.append((Kind.DISSUASION, 0))
        visit = [(int(arrived_at_ms), Kind.PATROL_CHECKIN, 0)]
        visit += [
            (int(arrived_at_ms + dwell_ms * number / (len(extras) + 1)), kind, detail)
            for number, (kind, detail) in enumerate(extras, start=1)
        ]
        if visit[-1][0] >= window_end_ms:
            break
        rssi_dbm = rng.randint(RSSI_MIN_DBM, RSSI_MAX_DBM)
        for at_ms, kind, detail in visit:
            events.append(
                PlannedEvent(
                    at_ms=at_ms,
                    kind=kind,
                    checkpoint_id=checkpoint.checkpoint_id,
                    segment_id=segment_id,
                    beacon_token=_token(checkpoint.beacon_secret, at_ms),
                    rssi_dbm=rssi_dbm,
                    detail=detail,
                )
            )
        last_departure_ms = int(arrived_at_ms + dwell_ms)
    if not events:
        return None
    ended_at_ms = max(events[-1].at_ms, min(last_departure_ms, window_end_ms - 1))
    return PlannedPatrol(window, started_at_ms, ended_at_ms, tuple(events))


def _heartbeat_at_ms(day: date, windows: tuple[PatrolWindow, ...], rng: random.Random) -> int:
    zone = patrol_zone()
    after = max((window.end for window in windows), default=time(21, 0))
    earliest_ms = epoch_ms(datetime.combine(day, after, tzinfo=zone))
    latest_ms = epoch_ms(datetime.combine(day, _LATEST_HEARTBEAT, tzinfo=zone))
    delay_ms = int(rng.uniform(HEARTBEAT_DELAY_MIN_SECONDS, HEARTBEAT_DELAY_MAX_SECONDS) * _MS_PER_SECOND)
    return max(earliest_ms, min(earliest_ms + delay_ms, latest_ms))


def plan_day(profile: BandProfile, day: date, *, windows: tuple[PatrolWindow, ...], seed: int) -> DayPlan:
    """What `profile`'s band does on local day `day`; the same inputs always give the same plan."""
    rng = planner_rng(seed, profile.band_id, day)
    patrols: list[PlannedPatrol] = []
    for window in windows:
        # Draw the diligence coin for every window so that one window's outcome never shifts another's.
        patrols_today = rng.random() < profile.diligence
        window_rng = random.Random(rng.getrandbits(64))
        if patrols_today:
            patrol = _plan_patrol(profile, window, day, window_rng)
            if patrol is not None:
                patrols.append(patrol)
    heartbeat = PlannedEvent(
        at_ms=_heartbeat_at_ms(day, windows, rng),
        kind=Kind.HEARTBEAT,
        checkpoint_id=0,
        segment_id=0,
        beacon_token=_NO_TOKEN,
        rssi_dbm=0,
        detail=0,
    )
    return DayPlan(profile.band_id, day, tuple(patrols), heartbeat)
