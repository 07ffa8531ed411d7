"""The fleet driver's guards, without a broker: what it refuses and how it fails to connect."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Callable
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import pytest

from firmware_sim import (
    BandProfile,
    BrokerAddress,
    BrokerUnreachableError,
    ConfigError,
    Fleet,
    LinkSettings,
    SimClock,
    SimulatorError,
)

ProfileFactory = Callable[..., BandProfile]
SHANGHAI = ZoneInfo("Asia/Shanghai")
DAY = date(2024, 5, 6)


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])  # nothing listens once the probe is closed


def _fleet(profiles: list[BandProfile], clock_time: time = time(0, 0), **kwargs: object) -> Fleet:
    clock = SimClock(datetime.combine(DAY, clock_time, tzinfo=SHANGHAI))
    return Fleet(profiles, BrokerAddress("127.0.0.1", _closed_port()), clock, **kwargs)  # type: ignore[arg-type]


def test_a_band_id_may_appear_only_once(make_profile: ProfileFactory) -> None:
    with pytest.raises(ConfigError, match="twice"):
        _fleet([make_profile(1), make_profile(2), make_profile(1)])


def test_run_days_needs_a_connected_fleet(make_profile: ProfileFactory) -> None:
    fleet = _fleet([make_profile(1)])
    with pytest.raises(SimulatorError, match="async with fleet"):
        asyncio.run(fleet.run_days(DAY, 1))


def test_run_days_refuses_a_day_the_clock_has_already_passed(make_profile: ProfileFactory) -> None:
    fleet = _fleet([make_profile(1)], clock_time=time(7, 0))  # the morning window opened at 06:00
    with pytest.raises(ConfigError, match="already past"):
        asyncio.run(fleet.run_days(DAY, 1))
    with pytest.raises(ConfigError, match="days"):
        asyncio.run(fleet.run_days(date(2024, 5, 7), -1))


def test_unreachable_broker_fails_the_connect_and_leaves_nothing_running(make_profile: ProfileFactory) -> None:
    fleet = _fleet(
        [make_profile(band_id) for band_id in range(1, 4)],
        connect_timeout_seconds=0.5,
        link_settings=LinkSettings(backoff_base_seconds=0.05, backoff_cap_seconds=0.1),
    )

    async def scenario() -> set[asyncio.Task[object]]:
        with pytest.raises(BrokerUnreachableError, match="3 of 3 bands could not connect"):
            async with fleet:
                pytest.fail("the fleet must not report itself connected")
        return {task for task in asyncio.all_tasks() if task is not asyncio.current_task()}

    assert asyncio.run(scenario()) == set()
    stats = fleet.stats()
    assert stats.connected == 0
    assert stats.reconnects >= 3  # every band kept trying, with backoff


def test_an_empty_fleet_has_nothing_to_drain(make_profile: ProfileFactory) -> None:
    fleet = _fleet([])
    asyncio.run(fleet.drain(timeout_seconds=0.1))
    assert fleet.stats().made == 0
    assert list(fleet.records_made()) == []
