"""Two or three bumble Devices on one in-process Radio: RSSI by distance, range, link loss."""

from __future__ import annotations

import asyncio

import pytest
from bumble import core

from radio import SUPERVISION_TIMEOUT_REASON, Radio
from tests.radio import scenario


@pytest.mark.parametrize("legacy", [False, True], ids=["extended-reports", "legacy-reports"])
def test_advertiser_is_heard_with_the_rssi_of_its_distance(legacy: bool) -> None:
    heard = asyncio.run(scenario.heard_rssi_at(Radio(), (1.0, 10.0, 2.0), legacy=legacy))

    assert heard == [{-59}, {-79}, {-65}]


def test_the_model_parameters_shape_what_is_heard() -> None:
    street = Radio(tx_power_at_1m_dbm=-65.0, n=3.0)

    heard = asyncio.run(scenario.heard_rssi_at(street, (1.0, 10.0)))

    assert heard == [{-65}, {-95}]


def test_an_advertiser_moved_beyond_sensitivity_is_no_longer_heard() -> None:
    heard_far, control_reports = asyncio.run(scenario.moved_out_of_range(Radio(), far_m=100.0))

    assert control_reports == scenario.CONTROL_REPORTS
    assert heard_far == []


def test_an_advertiser_moved_to_the_edge_of_range_is_still_heard() -> None:
    # 63 m gives -94.99 dBm, rounded to -95: not weaker than the sensitivity.
    heard_far, _ = asyncio.run(scenario.moved_out_of_range(Radio(), far_m=63.0))

    assert heard_far


@pytest.mark.parametrize("legacy", [False, True], ids=["extended", "legacy"])
def test_a_connection_is_timed_out_on_both_sides_when_one_end_moves_out_of_range(legacy: bool) -> None:
    outcome = asyncio.run(scenario.connection_dropped_by_distance(Radio(), legacy=legacy))

    assert outcome.connected_services
    assert outcome.still_talking_at_10_m
    assert outcome.central_reason == SUPERVISION_TIMEOUT_REASON == 0x08
    assert outcome.peripheral_reason == SUPERVISION_TIMEOUT_REASON


def test_a_peer_leaving_the_radio_times_out_its_connections() -> None:
    reason = asyncio.run(scenario.peer_vanishes(Radio()))

    assert reason == SUPERVISION_TIMEOUT_REASON


def test_closing_a_transport_takes_its_controller_off_the_radio() -> None:
    async def run() -> tuple[int, int]:
        radio = Radio()
        first = await scenario.station(radio, "one", scenario.SCANNER_ADDRESS)
        second = await scenario.station(radio, "two", scenario.TARGET_ADDRESS)
        on_air = len(radio.controllers)
        await first.transport.close()
        await first.transport.close()  # a second close is harmless
        left = len(radio.controllers)
        await second.transport.close()
        return on_air, left

    assert asyncio.run(run()) == (2, 1)


@pytest.mark.parametrize("legacy", [False, True], ids=["extended-connect", "legacy-connect"])
def test_a_connect_that_times_out_is_cancelled_and_never_completes_later(legacy: bool) -> None:
    """The central gives up on a silent peer; when the peer advertises afterwards nothing connects."""

    async def run() -> tuple[bool, bool]:
        radio = Radio()
        central = await scenario.station(radio, "central", scenario.SCANNER_ADDRESS, legacy=legacy)
        peer = await scenario.station(radio, "peer", scenario.TARGET_ADDRESS)
        try:
            timed_out = False
            try:
                await asyncio.wait_for(central.device.connect(scenario.TARGET_ADDRESS, timeout=0.2),
                                       scenario.STEP_TIMEOUT_SECONDS)
            except core.TimeoutError:
                timed_out = True
            # A pending connection would complete at the peer's first advert; a control scanner hearing
            # several of them proves the central had the chance.
            control = await scenario.station(radio, "control", scenario.CONTROL_ADDRESS)
            await control.device.start_scanning(filter_duplicates=False)
            await peer.advertise(b"late")
            for _ in range(scenario.CONTROL_REPORTS):
                await control.next_report_from(scenario.TARGET_ADDRESS)
            await scenario.close_all(control)
            return timed_out, central.connections.empty() and peer.connections.empty()
        finally:
            await scenario.close_all(central, peer)

    assert asyncio.run(run()) == (True, True)
