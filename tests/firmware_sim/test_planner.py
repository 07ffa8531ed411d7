"""The patrol planner: routes walked in order, inside the window, at walking pace, deterministically."""

from __future__ import annotations

import dataclasses
import itertools
from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

import wire
from firmware_sim import (
    BandProfile,
    CheckpointPlan,
    DayPlan,
    PlannedPatrol,
    SegmentRoute,
    parse_windows,
    plan_day,
)
from firmware_sim.planner import (
    CYCLE_DWELL_MAX_SECONDS,
    CYCLE_DWELL_MIN_SECONDS,
    CYCLE_SPEED_MAX_M_PER_S,
    CYCLE_SPEED_MIN_M_PER_S,
    DWELL_MAX_SECONDS,
    DWELL_MIN_SECONDS,
    PROBLEM_CATEGORY_CODES,
    RSSI_MAX_DBM,
    RSSI_MIN_DBM,
    SEGMENT_TRANSFER_MAX_M,
    SEGMENT_TRANSFER_MIN_M,
    WALK_SPEED_MAX_M_PER_S,
    WALK_SPEED_MIN_M_PER_S,
)
from firmware_sim.windows import DEFAULT_PATROL_WINDOWS

ProfileFactory = Callable[..., BandProfile]
SHANGHAI = ZoneInfo("Asia/Shanghai")
WINDOWS = parse_windows(DEFAULT_PATROL_WINDOWS)
DAYS = [date(2024, 5, 1) + timedelta(days=offset) for offset in range(20)]


def _local(at_ms: int) -> datetime:
    return datetime.fromtimestamp(at_ms / 1000, UTC).astimezone(SHANGHAI)


def _checkins(plan: DayPlan) -> list[list[wire.Kind | int]]:
    return [
        [event.checkpoint_id for event in patrol.events if event.kind is wire.Kind.PATROL_CHECKIN]
        for patrol in plan.patrols
    ]


def test_every_checkpoint_of_every_route_is_visited_in_walking_order(make_profile: ProfileFactory) -> None:
    profile = make_profile(3, routes=3, checkpoints_per_route=4, diligence=1.0)
    walking_order = [checkpoint.checkpoint_id for route in profile.routes for checkpoint in route.checkpoints]
    for day in DAYS:
        plan = plan_day(profile, day, windows=WINDOWS, seed=5)
        assert len(plan.patrols) == len(WINDOWS)
        assert _checkins(plan) == [walking_order] * len(WINDOWS)


def test_every_event_lies_inside_its_window_and_the_heartbeat_after_the_last(make_profile: ProfileFactory) -> None:
    for band_id in range(1, 21):
        profile = make_profile(band_id, diligence=0.7)
        for day in DAYS[:5]:
            plan = plan_day(profile, day, windows=WINDOWS, seed=9)
            for patrol in plan.patrols:
                start_ms, end_ms = patrol.window.bounds_ms(day)
                assert start_ms <= patrol.started_at_ms <= patrol.events[0].at_ms
                assert patrol.events[-1].at_ms <= patrol.ended_at_ms < end_ms
                assert all(start_ms <= event.at_ms < end_ms for event in patrol.events)
                assert patrol.started_at_ms % 60_000 == 0  # starts on a minute
            heartbeat_local = _local(plan.heartbeat.at_ms)
            assert heartbeat_local.date() == day
            assert time(21, 0) <= heartbeat_local.time() <= time(23, 59)
            assert plan.heartbeat.kind is wire.Kind.HEARTBEAT
            assert plan.heartbeat.checkpoint_id == 0


def test_morning_patrol_is_in_local_beijing_time(make_profile: ProfileFactory) -> None:
    plan = plan_day(make_profile(1, diligence=1.0), date(2024, 5, 1), windows=WINDOWS, seed=0)
    morning = plan.patrols[0]
    assert time(6, 0) <= _local(morning.events[0].at_ms).time() < time(11, 0)
    # 06:00-11:00 in Beijing is 22:00-03:00 UTC.
    assert datetime(2024, 4, 30, 22, 0, tzinfo=UTC) <= morning.events[0].at < datetime(2024, 5, 1, 3, 0, tzinfo=UTC)


def test_walking_pace_between_checkpoints_is_respected(make_profile: ProfileFactory) -> None:
    profile = make_profile(8, routes=3, checkpoints_per_route=5, spacing_m=60.0, diligence=1.0)
    where = {
        checkpoint.checkpoint_id: (route.segment_id, checkpoint.position_m)
        for route in profile.routes
        for checkpoint in route.checkpoints
    }
    legs = 0
    for day in DAYS:
        for patrol in plan_day(profile, day, windows=WINDOWS, seed=2).patrols:
            taps = [event for event in patrol.events if event.kind is wire.Kind.PATROL_CHECKIN]
            for previous, current in itertools.pairwise(taps):
                previous_segment, previous_m = where[previous.checkpoint_id]
                segment, position_m = where[current.checkpoint_id]
                if segment == previous_segment:
                    shortest_m = longest_m = abs(position_m - previous_m)
                else:
                    shortest_m = position_m + SEGMENT_TRANSFER_MIN_M
                    longest_m = position_m + SEGMENT_TRANSFER_MAX_M
                elapsed_seconds = (current.at_ms - previous.at_ms) / 1000
                fastest = shortest_m / WALK_SPEED_MAX_M_PER_S + DWELL_MIN_SECONDS
                slowest = longest_m / WALK_SPEED_MIN_M_PER_S + DWELL_MAX_SECONDS
                assert fastest - 0.002 <= elapsed_seconds <= slowest + 0.002
                legs += 1
    assert legs == len(DAYS) * len(WINDOWS) * 14


def _leg_seconds(profile: BandProfile, patrol: PlannedPatrol) -> list[tuple[float, float]]:
    """(metres between two taps on one segment, seconds between them) for each such pair of a patrol."""
    where = {c.checkpoint_id: (r.segment_id, c.position_m) for r in profile.routes for c in r.checkpoints}
    taps = [event for event in patrol.events if event.kind is wire.Kind.PATROL_CHECKIN]
    return [
        (abs(where[b.checkpoint_id][1] - where[a.checkpoint_id][1]), (b.at_ms - a.at_ms) / 1000)
        for a, b in itertools.pairwise(taps) if where[a.checkpoint_id][0] == where[b.checkpoint_id][0]
    ]


def test_a_cycled_patrol_goes_at_bicycle_pace_faster_than_any_walk(make_profile: ProfileFactory) -> None:
    profile = dataclasses.replace(make_profile(8, routes=2, checkpoints_per_route=4, spacing_m=60.0, diligence=1.0),
                                  cycling=1.0)
    legs = [leg for day in DAYS for patrol in plan_day(profile, day, windows=WINDOWS, seed=2).patrols
            for leg in _leg_seconds(profile, patrol)]
    assert len(legs) == len(DAYS) * len(WINDOWS) * 6
    for metres, seconds in legs:
        assert metres / CYCLE_SPEED_MAX_M_PER_S + CYCLE_DWELL_MIN_SECONDS - 0.002 <= seconds
        assert seconds <= metres / CYCLE_SPEED_MIN_M_PER_S + CYCLE_DWELL_MAX_SECONDS + 0.002
        assert seconds < metres / WALK_SPEED_MAX_M_PER_S + DWELL_MIN_SECONDS


def test_cycling_is_the_probability_that_a_patrol_is_ridden(make_profile: ProfileFactory) -> None:
    profile = dataclasses.replace(make_profile(8, routes=1, checkpoints_per_route=3, spacing_m=60.0, diligence=1.0),
                                  cycling=0.3)
    days = [date(2024, 1, 1) + timedelta(days=offset) for offset in range(200)]
    patrols = [patrol for day in days for patrol in plan_day(profile, day, windows=WINDOWS, seed=0).patrols]
    ridden = [p for p in patrols
              if all(seconds < metres / WALK_SPEED_MAX_M_PER_S + DWELL_MIN_SECONDS
                     for metres, seconds in _leg_seconds(profile, p))]
    assert len(patrols) == 400 and 0.2 * 400 <= len(ridden) <= 0.4 * 400


def test_event_times_strictly_increase_within_a_day(make_profile: ProfileFactory) -> None:
    for band_id in range(1, 11):
        for day in DAYS[:5]:
            plan = plan_day(make_profile(band_id, diligence=1.0), day, windows=WINDOWS, seed=4)
            times = [at_ms for at_ms, _ in plan.timeline()]
            assert times == sorted(times)
            event_times = [event.at_ms for event in plan.events]
            assert all(a < b for a, b in itertools.pairwise(event_times))


def test_plans_are_deterministic_for_a_seed_and_differ_across_seeds_bands_and_days(
    make_profile: ProfileFactory,
) -> None:
    profile = make_profile(4)
    day = date(2024, 5, 1)
    assert plan_day(profile, day, windows=WINDOWS, seed=1) == plan_day(profile, day, windows=WINDOWS, seed=1)
    assert plan_day(profile, day, windows=WINDOWS, seed=1) != plan_day(profile, day, windows=WINDOWS, seed=2)
    assert plan_day(profile, day, windows=WINDOWS, seed=1).events != plan_day(
        make_profile(5), day, windows=WINDOWS, seed=1
    ).events
    assert plan_day(profile, day, windows=WINDOWS, seed=1).events != plan_day(
        profile, day + timedelta(days=1), windows=WINDOWS, seed=1
    ).events


def test_diligence_is_the_probability_of_patrolling_a_window(make_profile: ProfileFactory) -> None:
    days = [date(2024, 1, 1) + timedelta(days=offset) for offset in range(200)]
    never = make_profile(1, diligence=0.0)
    assert all(plan_day(never, day, windows=WINDOWS, seed=0).patrols == () for day in days)
    always = make_profile(1, diligence=1.0)
    assert all(len(plan_day(always, day, windows=WINDOWS, seed=0).patrols) == 2 for day in days)
    half = make_profile(1, diligence=0.5)
    patrolled = sum(len(plan_day(half, day, windows=WINDOWS, seed=0).patrols) for day in days)
    assert 0.4 * 400 <= patrolled <= 0.6 * 400


def test_tokens_rssi_and_extra_reports_follow_the_protocol(make_profile: ProfileFactory) -> None:
    profile = make_profile(6, routes=2, checkpoints_per_route=6, diligence=1.0)
    secrets = {c.checkpoint_id: c.beacon_secret for route in profile.routes for c in route.checkpoints}
    kinds: set[wire.Kind] = set()
    days = [date(2024, 1, 1) + timedelta(days=offset) for offset in range(120)]
    for day in days:
        plan = plan_day(profile, day, windows=WINDOWS, seed=3)
        for patrol in plan.patrols:
            tapped: set[int] = set()
            for event in patrol.events:
                kinds.add(event.kind)
                assert event.beacon_token == wire.beacon_token(
                    secrets[event.checkpoint_id], wire.window_index(event.at)
                )
                assert RSSI_MIN_DBM <= event.rssi_dbm <= RSSI_MAX_DBM
                if event.kind is wire.Kind.PATROL_CHECKIN:
                    assert event.detail == 0
                    tapped.add(event.checkpoint_id)
                else:
                    # Reports are made at a checkpoint the steward has just tapped.
                    assert event.checkpoint_id in tapped
                    if event.kind is wire.Kind.PROBLEM_REPORT:
                        assert event.detail in PROBLEM_CATEGORY_CODES
                    else:
                        assert event.kind is wire.Kind.DISSUASION
                        assert event.detail == 0
    assert kinds == {wire.Kind.PATROL_CHECKIN, wire.Kind.PROBLEM_REPORT, wire.Kind.DISSUASION}


def test_a_route_too_long_for_its_window_is_cut_off_when_the_window_closes() -> None:
    far_apart = tuple(CheckpointPlan(i, i * 2000.0, b"secret") for i in range(1, 21))  # 40 km
    profile = BandProfile(1, bytes(32), "pw", (SegmentRoute(1, far_apart),), diligence=1.0)
    short_window = parse_windows([("06:00", "06:30")])
    plan = plan_day(profile, date(2024, 5, 1), windows=short_window, seed=0)
    (patrol,) = plan.patrols
    start_ms, end_ms = short_window[0].bounds_ms(date(2024, 5, 1))
    assert patrol.started_at_ms == start_ms
    assert 0 < len(patrol.events) < 20
    assert all(event.at_ms < end_ms for event in patrol.events)
    assert [event.checkpoint_id for event in patrol.events if event.kind is wire.Kind.PATROL_CHECKIN] == list(
        range(1, len([e for e in patrol.events if e.kind is wire.Kind.PATROL_CHECKIN]) + 1)
    )


@pytest.mark.parametrize("routes", [(), (SegmentRoute(1, ()), SegmentRoute(2, ()))])
def test_a_band_with_nothing_to_tap_only_sends_its_heartbeat(routes: tuple[SegmentRoute, ...]) -> None:
    profile = BandProfile(1, bytes(32), "pw", routes, diligence=1.0)
    plan = plan_day(profile, date(2024, 5, 1), windows=WINDOWS, seed=0)
    assert plan.patrols == ()
    assert [event.kind for event in plan.events] == [wire.Kind.HEARTBEAT]


def test_segments_without_checkpoints_are_walked_past(make_profile: ProfileFactory) -> None:
    profile = make_profile(3, routes=2, checkpoints_per_route=3, diligence=1.0)
    empty = SegmentRoute(999, ())
    with_gap = BandProfile(3, profile.signing_seed, "pw", (profile.routes[0], empty, profile.routes[1]), diligence=1.0)
    plan = plan_day(with_gap, date(2024, 5, 1), windows=WINDOWS, seed=0)
    walking_order = [checkpoint.checkpoint_id for route in profile.routes for checkpoint in route.checkpoints]
    assert _checkins(plan) == [walking_order] * len(WINDOWS)


@pytest.mark.parametrize("seed", [0, 1, 2**40])
def test_timeline_marks_each_patrol_end_after_its_events(make_profile: ProfileFactory, seed: int) -> None:
    plan = plan_day(make_profile(2, diligence=1.0), date(2024, 5, 1), windows=WINDOWS, seed=seed)
    items = [item for _, item in plan.timeline()]
    assert items[-1] is plan.heartbeat
    ends = [index for index, item in enumerate(items) if item in plan.patrols]
    assert len(ends) == 2
    assert items[ends[0] - 1] is plan.patrols[0].events[-1]
