"""Band profiles, broker addresses and patrol windows refuse values the simulator cannot use."""

from __future__ import annotations

from datetime import time

import pytest

from firmware_sim import (
    DEFAULT_PATROL_WINDOWS,
    BandProfile,
    BrokerAddress,
    CheckpointPlan,
    ConfigError,
    SegmentRoute,
    parse_windows,
)

CHECKPOINT = CheckpointPlan(1, 10.0, b"secret")
ROUTE = SegmentRoute(1, (CHECKPOINT,))


@pytest.mark.parametrize(
    "build",
    [
        lambda: CheckpointPlan(0, 1.0, b"s"),
        lambda: CheckpointPlan(2**32, 1.0, b"s"),
        lambda: CheckpointPlan(1, -1.0, b"s"),
        lambda: CheckpointPlan(1, float("nan"), b"s"),
        lambda: CheckpointPlan(1, 1.0, b""),
        lambda: SegmentRoute(0, (CHECKPOINT,)),
        lambda: BandProfile(0, bytes(32), "pw", (ROUTE,)),
        lambda: BandProfile(2**32, bytes(32), "pw", (ROUTE,)),
        lambda: BandProfile(1, bytes(31), "pw", (ROUTE,)),
        lambda: BandProfile(1, bytes(32), "pw", (ROUTE,), boot=-1),
        lambda: BandProfile(1, bytes(32), "pw", (ROUTE,), diligence=1.5),
        lambda: BandProfile(1, bytes(32), "pw", (ROUTE,), cycling=-0.1),
        lambda: BrokerAddress("", 1883),
        lambda: BrokerAddress("localhost", 0),
        lambda: BrokerAddress("localhost", 65536),
        lambda: BrokerAddress("localhost", 1883, mqtt_version=4),  # type: ignore[arg-type]
    ],
)
def test_invalid_values_are_refused(build: object) -> None:
    assert callable(build)
    with pytest.raises(ConfigError):
        build()


def test_valid_values_are_kept() -> None:
    profile = BandProfile(2**32 - 1, bytes(32), "pw", (ROUTE,), boot=3, diligence=0.0)
    assert profile.band_id == 2**32 - 1
    assert profile.boot == 3
    assert BrokerAddress("127.0.0.1", 1883).mqtt_version == 5
    assert SegmentRoute(2, ()).checkpoints == ()  # beacons not installed yet: nothing to tap


def test_default_windows_are_the_morning_and_evening_patrols() -> None:
    morning, evening = parse_windows(DEFAULT_PATROL_WINDOWS)
    assert (morning.start, morning.end) == (time(6), time(11))
    assert (evening.start, evening.end) == (time(17), time(21))


@pytest.mark.parametrize(
    "windows",
    [
        (("11:00", "06:00"),),  # ends before it starts
        (("06:00", "06:00"),),  # empty
        (("06:00", "11:00"), ("10:00", "12:00")),  # overlap
        (("17:00", "21:00"), ("06:00", "11:00")),  # out of order
        (("6am", "11:00"),),  # not HH:MM
    ],
)
def test_bad_windows_are_refused(windows: tuple[tuple[str, str], ...]) -> None:
    with pytest.raises(ConfigError):
        parse_windows(windows)
