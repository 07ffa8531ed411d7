"""A checkpoint beacon on bumble's in-process radio: what it advertises, and when its token rotates."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable, Coroutine
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from bumble.controller import Controller
from bumble.core import AdvertisingData
from bumble.device import Advertisement, Device
from bumble.hci import Address
from bumble.host import Host
from bumble.link import LocalLink
from bumble.transport.common import AsyncPipeSink

from firmware_sim import CheckpointPlan, ConfigError, SimClock
from firmware_sim.ble_beacon import BleBeacon, beacon_advertising_data
from wire import TOKEN_WINDOW_SECONDS, beacon_token, ble, window_index

CHECKPOINT = CheckpointPlan(checkpoint_id=4242, position_m=12.0, beacon_secret=b"beacon-4242-secret")
BEACON_ADDRESS = "F0:00:00:00:42:42"
SCANNER_ADDRESS = "F0:00:00:00:00:01"
# Ten seconds before a window boundary (09:05:00 UTC is a multiple of 300 s since the epoch).
BEFORE_BOUNDARY_AT = datetime(2024, 5, 6, 9, 4, 50, tzinfo=UTC)
HEAR_TIMEOUT_SECONDS = 5.0


def run(scenario: Callable[[], Coroutine[Any, Any, None]]) -> None:
    asyncio.run(scenario())


def new_device(link: LocalLink, name: str, address: str) -> Device:
    controller = Controller(name, link=link)
    return Device(name=name, address=Address(address), host=Host(controller, AsyncPipeSink(controller)))


class Listener:
    """A scanner on the same radio that queues every beacon advert it hears."""

    def __init__(self, device: Device, advertiser: Address) -> None:
        self.heard: asyncio.Queue[ble.BeaconAdvert] = asyncio.Queue()
        self._advertiser = advertiser
        device.on(Device.EVENT_ADVERTISEMENT, self._on_advertisement)

    def _on_advertisement(self, advertisement: Advertisement) -> None:
        if advertisement.address != self._advertiser:
            return
        for data in advertisement.data.get_all(AdvertisingData.MANUFACTURER_SPECIFIC_DATA, raw=True):
            assert int.from_bytes(data[:2], "little") == ble.COMPANY_ID
            advert = ble.decode_advert(data[2:])
            assert isinstance(advert, ble.BeaconAdvert)
            self.heard.put_nowait(advert)

    async def until(self, token: bytes) -> ble.BeaconAdvert:
        async with asyncio.timeout(HEAR_TIMEOUT_SECONDS):
            while (advert := await self.heard.get()).token != token:
                pass
        return advert


@contextlib.asynccontextmanager
async def on_air(now: Callable[[], datetime]) -> AsyncIterator[tuple[BleBeacon, Listener]]:
    """A started beacon and a scanner beside it; the beacon is stopped however the test ends."""
    link = LocalLink()
    beacon = BleBeacon(CHECKPOINT, new_device(link, "beacon", BEACON_ADDRESS), now=now, advertising_interval_ms=20)
    scanner = new_device(link, "scanner", SCANNER_ADDRESS)
    await scanner.power_on()
    listener = Listener(scanner, Address(BEACON_ADDRESS))
    await scanner.start_scanning(active=False)
    await beacon.start()
    try:
        yield beacon, listener
    finally:
        await beacon.stop()


def token_at(at: datetime) -> bytes:
    return beacon_token(CHECKPOINT.beacon_secret, window_index(at))


def test_the_advert_is_flags_and_the_beacon_payload_under_our_company_id() -> None:
    advert = ble.BeaconAdvert(4242, bytes.fromhex("0011223344556677"), -59)
    assert beacon_advertising_data(advert) == bytes.fromhex("020106") + bytes.fromhex(
        "11ffffff" "02" "00001092" "0011223344556677" "c5"
    )


def test_a_beacon_advertises_its_current_token_non_connectably() -> None:
    clock = SimClock(BEFORE_BOUNDARY_AT)

    async def scenario() -> None:
        async with on_air(clock.now) as (beacon, listener):
            heard = await listener.until(token_at(clock.now()))
            assert heard == ble.BeaconAdvert(CHECKPOINT.checkpoint_id, token_at(clock.now()), -59)
            assert beacon.advert == heard
            advertising_set = beacon.device.legacy_advertising_set
            assert advertising_set is not None
            assert not advertising_set.advertising_parameters.advertising_event_properties.is_connectable

    run(scenario)


def test_rotate_changes_the_token_only_when_the_clock_crosses_a_window() -> None:
    clock = SimClock(BEFORE_BOUNDARY_AT)

    async def scenario() -> None:
        async with on_air(clock.now) as (beacon, listener):
            old_token = token_at(clock.now())
            await listener.until(old_token)
            clock.advance_to(BEFORE_BOUNDARY_AT + timedelta(seconds=9))
            assert await beacon.rotate() is False
            assert beacon.advert is not None and beacon.advert.token == old_token

            clock.advance_to(BEFORE_BOUNDARY_AT + timedelta(seconds=11))
            assert await beacon.rotate() is True
            new_token = token_at(clock.now())
            assert new_token != old_token
            assert beacon.window == window_index(BEFORE_BOUNDARY_AT) + 1
            assert (await listener.until(new_token)).token == new_token

    run(scenario)


def test_a_started_beacon_rotates_by_itself_at_a_real_window_boundary() -> None:
    # A clock running in real time, shifted to 0.2 s before a boundary.
    shift = BEFORE_BOUNDARY_AT + timedelta(seconds=9.8) - datetime.now(UTC)

    def now() -> datetime:
        return datetime.now(UTC) + shift

    async def scenario() -> None:
        started_at = now()
        async with on_air(now) as (beacon, listener):
            next_token = beacon_token(CHECKPOINT.beacon_secret, window_index(started_at) + 1)
            assert (await listener.until(next_token)).token == next_token
            assert beacon.window == window_index(started_at) + 1

    run(scenario)


def test_a_stopped_beacon_falls_silent_and_does_not_rotate() -> None:
    clock = SimClock(BEFORE_BOUNDARY_AT)

    async def scenario() -> None:
        async with on_air(clock.now) as (beacon, listener):
            await listener.until(token_at(clock.now()))
            await beacon.stop()
            assert not beacon.device.is_advertising
            clock.advance_to(BEFORE_BOUNDARY_AT + timedelta(seconds=TOKEN_WINDOW_SECONDS))
            assert await beacon.rotate() is False
            assert beacon.advert is not None and beacon.advert.token == token_at(BEFORE_BOUNDARY_AT)

    run(scenario)


@pytest.mark.parametrize(
    ("tx_power_dbm", "interval_ms"), [(-128, 100.0), (21, 100.0), (-59, 10.0)], ids=["tx-low", "tx-high", "interval"]
)
def test_a_beacon_refuses_settings_it_cannot_advertise(tx_power_dbm: int, interval_ms: float) -> None:
    async def scenario() -> None:
        device = new_device(LocalLink(), "beacon", BEACON_ADDRESS)
        with pytest.raises(ConfigError):
            BleBeacon(CHECKPOINT, device, now=lambda: BEFORE_BOUNDARY_AT, tx_power_dbm=tx_power_dbm,
                      advertising_interval_ms=interval_ms)

    run(scenario)
