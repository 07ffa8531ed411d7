"""The same advertise, scan and connect scenarios with every device attached over TCP."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Awaitable, Callable
from typing import TypeVar

import pytest

from radio import SUPERVISION_TIMEOUT_REASON, Radio, RadioError, RadioServer, serve_radio
from tests.radio import scenario

T = TypeVar("T")
LOOPBACK = "127.0.0.1"


def over_tcp(run_scenario: Callable[[str], Awaitable[T]]) -> T:
    async def run() -> T:
        async with RadioServer(Radio(), LOOPBACK, 0) as server:
            return await run_scenario(f"tcp:{LOOPBACK}:{server.port}")

    return asyncio.run(run())


def test_rssi_by_distance_over_tcp() -> None:
    heard = over_tcp(lambda target: scenario.heard_rssi_at(target, (1.0, 10.0)))

    assert heard == [{-59}, {-79}]


def test_out_of_range_over_tcp() -> None:
    heard_far, control_reports = over_tcp(lambda target: scenario.moved_out_of_range(target, far_m=100.0))

    assert control_reports == scenario.CONTROL_REPORTS
    assert heard_far == []


def test_connection_timeout_over_tcp() -> None:
    outcome = over_tcp(scenario.connection_dropped_by_distance)

    assert outcome.connected_services
    assert outcome.still_talking_at_10_m
    assert outcome.central_reason == SUPERVISION_TIMEOUT_REASON
    assert outcome.peripheral_reason == SUPERVISION_TIMEOUT_REASON


def test_a_client_that_hangs_up_times_out_its_peers() -> None:
    assert over_tcp(scenario.peer_vanishes) == SUPERVISION_TIMEOUT_REASON


def test_closing_the_server_takes_every_client_off_the_radio() -> None:
    async def run() -> tuple[int, int]:
        radio = Radio()
        server = RadioServer(radio, LOOPBACK, 0)
        await server.start()
        target = f"tcp:{LOOPBACK}:{server.port}"
        stations = [
            await scenario.station(target, "one", scenario.SCANNER_ADDRESS),
            await scenario.station(target, "two", scenario.TARGET_ADDRESS),
        ]
        on_air = len(radio.controllers)
        await server.close()
        left = len(radio.controllers)
        await scenario.close_all(*stations)
        return on_air, left

    assert asyncio.run(run()) == (2, 0)


def test_a_bad_h4_frame_closes_that_connection() -> None:
    async def run() -> tuple[bytes, int]:
        radio = Radio()
        async with RadioServer(radio, LOOPBACK, 0) as server:
            reader, writer = await asyncio.open_connection(LOOPBACK, server.port)
            writer.write(b"\x09not an hci packet")
            tail = await asyncio.wait_for(reader.read(), scenario.STEP_TIMEOUT_SECONDS)
            writer.close()
            await writer.wait_closed()
            return tail, len(radio.controllers)

    assert asyncio.run(run()) == (b"", 0)


def test_the_server_reports_its_bound_port_and_refuses_a_second_start() -> None:
    async def run() -> int:
        async with RadioServer(Radio(), LOOPBACK, 0) as server:
            with pytest.raises(RadioError, match="already started"):
                await server.start()
            return server.port

    assert asyncio.run(run()) > 0


def test_a_busy_port_is_reported() -> None:
    async def run() -> None:
        async with RadioServer(Radio(), LOOPBACK, 0) as first:
            await RadioServer(Radio(), LOOPBACK, first.port).start()

    with pytest.raises(RadioError, match="cannot listen"):
        asyncio.run(run())


def test_serve_radio_returns_when_stopped_and_frees_its_port() -> None:
    with socket.socket() as probe:
        probe.bind((LOOPBACK, 0))
        port = probe.getsockname()[1]

    async def run() -> None:
        stop = asyncio.Event()
        stop.set()
        await asyncio.wait_for(serve_radio(LOOPBACK, port, stop), scenario.STEP_TIMEOUT_SECONDS)

    asyncio.run(run())
    with socket.socket() as again:
        again.bind((LOOPBACK, port))
