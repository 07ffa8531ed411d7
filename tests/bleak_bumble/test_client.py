"""The client backend, through bleak's public BleakScanner/BleakClient, against emulated peripherals."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

import pytest
from bleak import BleakClient, BleakScanner
from bleak.backends.client import BaseBleakClient
from bleak.backends.device import BLEDevice
from bleak.backends.scanner import AdvertisementData, BaseBleakScanner
from bleak.exc import BleakDeviceNotFoundError, BleakError
from bumble.device import Connection
from bumble.hci import Address
from bumble.link import LocalLink

from bleak_bumble import (
    ATT_MTU_REQUEST_BYTES,
    BackendSetupError,
    BumbleBackend,
    BumbleClient,
    ConnectionLostError,
    NotConnectedError,
)
from tests.bleak_bumble.emulation import (
    ECHO_CHAR_UUID,
    ECHO_SERVICE_UUID,
    BatteryPeripheral,
    EchoPeripheral,
    advertise,
    advertising_data,
    on_connection,
    powered_device,
    within,
)

CENTRAL_ADDRESS = "C0:00:00:00:00:01"
BAND_ADDRESS = "D0:00:00:00:00:07"
OTHER_BAND_ADDRESS = "D0:00:00:00:00:09"
SILENT_ADDRESS = "D0:00:00:00:00:0F"  # nothing advertises here
CONNECT_TIMEOUT_SECONDS = 3.0
BATTERY_SERVICE_UUID = "0000180f-0000-1000-8000-00805f9b34fb"
BATTERY_LEVEL_UUID = "00002a19-0000-1000-8000-00805f9b34fb"
CCCD_UUID = "00002902-0000-1000-8000-00805f9b34fb"
USER_DESCRIPTION_UUID = "00002901-0000-1000-8000-00805f9b34fb"
BAND_MARKER = b"\x01"  # first byte of a band's manufacturer data, as in wire.ble's BandAdvert


@dataclass(frozen=True)
class BatteryReport:
    name: str
    level_percent: int
    notified_percent: int
    mtu_bytes: int


async def battery_script(
    scanner_backend: type[BaseBleakScanner],
    client_backend: type[BaseBleakClient],
    change_level: Callable[[], Awaitable[None]],
) -> BatteryReport:
    """Find a band by its manufacturer data, read its battery level, then get told of a change.

    Written against bleak's public API only: the backend classes are all it is given.
    """

    def is_band(_device: BLEDevice, advertisement: AdvertisementData) -> bool:
        return advertisement.manufacturer_data.get(0xFFFF, b"").startswith(BAND_MARKER)

    device = await BleakScanner.find_device_by_filter(
        is_band, timeout=CONNECT_TIMEOUT_SECONDS, backend=scanner_backend
    )
    assert device is not None, "no band was seen advertising"
    notified: asyncio.Queue[int] = asyncio.Queue()
    async with BleakClient(device, timeout=CONNECT_TIMEOUT_SECONDS, backend=client_backend) as client:
        level = await client.read_gatt_char("2a19")
        await client.start_notify("2a19", lambda _characteristic, data: notified.put_nowait(data[0]))
        await change_level()
        changed = await within(notified.get(), "a battery level notification")
        return BatteryReport(client.name, level[0], changed, client.mtu_size)


def test_a_bleak_script_reads_the_battery_level_and_is_notified_when_it_changes() -> None:
    async def scenario() -> BatteryReport:
        link = LocalLink()
        backend = BumbleBackend(await powered_device(link, "gateway", CENTRAL_ADDRESS))
        battery = BatteryPeripheral(await powered_device(link, "band-7", BAND_ADDRESS), level_percent=80)
        await advertise(battery.device, advertising_data("band-7", BAND_MARKER + b"\x00\x00\x03\xe9"))
        return await battery_script(backend.scanner, backend.client, lambda: battery.set_level(64))

    report = asyncio.run(scenario())
    assert (report.name, report.level_percent, report.notified_percent) == ("band-7", 80, 64)
    assert report.mtu_bytes >= 247


async def _air() -> tuple[LocalLink, BumbleBackend]:
    link = LocalLink()
    return link, BumbleBackend(await powered_device(link, "gateway", CENTRAL_ADDRESS))


async def _echo_band(link: LocalLink, address: str = BAND_ADDRESS, name: str = "band-7",
                     *, stall_reads: bool = False) -> EchoPeripheral:
    echo = EchoPeripheral(await powered_device(link, name, address), stall_reads=stall_reads)
    await advertise(echo.device, advertising_data(name, BAND_MARKER, [ECHO_SERVICE_UUID]))
    return echo


async def _find(backend: BumbleBackend, address: str) -> BLEDevice:
    device = await BleakScanner.find_device_by_address(address, timeout=CONNECT_TIMEOUT_SECONDS,
                                                       backend=backend.scanner)
    assert device is not None, f"{address} was not seen advertising"
    return device


def _client(backend: BumbleBackend, device: BLEDevice | str, *, services: list[str] | None = None,
            disconnected_callback: Callable[[BleakClient], None] | None = None) -> BleakClient:
    return BleakClient(device, disconnected_callback, services, timeout=CONNECT_TIMEOUT_SECONDS,
                       backend=backend.client)


def test_services_characteristics_and_descriptors_are_discovered_after_the_mtu_exchange() -> None:
    async def scenario() -> None:
        link, backend = await _air()
        battery = BatteryPeripheral(await powered_device(link, "band-7", BAND_ADDRESS))
        await advertise(battery.device, advertising_data("band-7"))
        async with _client(backend, await _find(backend, BAND_ADDRESS)) as client:
            assert client.mtu_size == ATT_MTU_REQUEST_BYTES  # Bumble's server accepts the largest
            level = client.services.get_characteristic(BATTERY_LEVEL_UUID)
            assert level is not None
            assert level.service_uuid == BATTERY_SERVICE_UUID
            assert level.properties == ["read", "notify"]
            assert [descriptor.uuid for descriptor in level.descriptors] == [CCCD_UUID]
            assert level.max_write_without_response_size == client.mtu_size - 3
            assert client.services.get_service("1800") is not None  # GAP: every Bumble device serves it

    asyncio.run(scenario())


def test_only_the_requested_services_are_resolved() -> None:
    async def scenario() -> None:
        link, backend = await _air()
        await _echo_band(link)
        async with _client(backend, await _find(backend, BAND_ADDRESS), services=[ECHO_SERVICE_UUID]) as client:
            assert [service.uuid for service in client.services] == [ECHO_SERVICE_UUID]
            assert client.name == "band-7"  # the advertised name: GAP was not discovered

    asyncio.run(scenario())


def test_a_write_with_response_has_reached_the_peripheral_when_it_returns() -> None:
    async def scenario() -> None:
        link, backend = await _air()
        echo = await _echo_band(link)
        async with _client(backend, await _find(backend, BAND_ADDRESS)) as client:
            await client.write_gatt_char(ECHO_CHAR_UUID, b"\x02\x00\x00\x00\x2a", response=True)
            assert echo.written.get_nowait() == b"\x02\x00\x00\x00\x2a"
            assert await client.read_gatt_char(ECHO_CHAR_UUID) == bytearray(b"\x02\x00\x00\x00\x2a")

            long_value = bytes(range(256)) + bytes(range(200))  # beyond one ATT PDU: a long write
            await client.write_gatt_char(ECHO_CHAR_UUID, long_value, response=True)
            assert echo.written.get_nowait() == long_value
            assert await client.read_gatt_char(ECHO_CHAR_UUID) == bytearray(long_value)

    asyncio.run(scenario())


def test_a_write_without_response_arrives_and_one_too_long_is_refused() -> None:
    async def scenario() -> None:
        link, backend = await _air()
        echo = await _echo_band(link)
        async with _client(backend, await _find(backend, BAND_ADDRESS)) as client:
            await client.write_gatt_char(ECHO_CHAR_UUID, b"ack", response=False)
            assert await within(echo.written.get(), "the written value") == b"ack"
            with pytest.raises(BleakError, match="write without response"):
                await client.write_gatt_char(ECHO_CHAR_UUID, bytes(client.mtu_size - 2), response=False)

    asyncio.run(scenario())


def test_descriptors_are_read_and_written() -> None:
    async def scenario() -> None:
        link, backend = await _air()
        await _echo_band(link)
        async with _client(backend, await _find(backend, BAND_ADDRESS)) as client:
            echo = client.services.get_characteristic(ECHO_CHAR_UUID)
            assert echo is not None
            description = echo.get_descriptor(USER_DESCRIPTION_UUID)
            assert description is not None
            assert await client.read_gatt_descriptor(description) == bytearray(b"echo")
            await client.write_gatt_descriptor(description, b"log")
            assert await client.read_gatt_descriptor(description.handle) == bytearray(b"log")

    asyncio.run(scenario())


def test_notifications_are_preferred_over_indications_and_stop_on_request() -> None:
    async def scenario() -> None:
        link, backend = await _air()
        echo = await _echo_band(link)
        received: asyncio.Queue[bytes] = asyncio.Queue()
        async with _client(backend, await _find(backend, BAND_ADDRESS)) as client:
            characteristic = client.services.get_characteristic(ECHO_CHAR_UUID)
            assert characteristic is not None and {"notify", "indicate"} <= set(characteristic.properties)
            cccd = characteristic.get_descriptor(CCCD_UUID)
            assert cccd is not None

            await client.start_notify(characteristic, lambda _c, data: received.put_nowait(bytes(data)))
            assert await client.read_gatt_descriptor(cccd) == bytearray(b"\x01\x00")  # notify bit, not indicate
            await echo.notify(b"fragment")
            assert await within(received.get(), "a notification") == b"fragment"

            await client.stop_notify(characteristic)
            assert await client.read_gatt_descriptor(cccd) == bytearray(b"\x00\x00")

    asyncio.run(scenario())


def test_an_unsolicited_disconnect_calls_back_and_later_operations_raise() -> None:
    async def scenario() -> None:
        link, backend = await _air()
        echo = await _echo_band(link)
        band = await _find(backend, BAND_ADDRESS)
        accepted = on_connection(echo.device)
        dropped: asyncio.Future[BleakClient] = asyncio.get_running_loop().create_future()
        async with _client(backend, band, disconnected_callback=dropped.set_result) as client:
            link_at_band: Connection = await within(accepted, "the band accepting the connection")
            await link_at_band.disconnect()
            assert await within(dropped, "the disconnected callback") is client
            assert not client.is_connected
            with pytest.raises(BleakError, match="not connected"):
                await client.read_gatt_char(ECHO_CHAR_UUID)
            with pytest.raises(NotConnectedError):
                await client.write_gatt_char(ECHO_CHAR_UUID, b"late", response=True)
            with pytest.raises(BleakError, match="[Nn]ot connected"):
                await client.start_notify(ECHO_CHAR_UUID, lambda _c, _d: None)
        assert echo.written.empty()

    asyncio.run(scenario())


def test_an_operation_in_flight_when_the_link_drops_raises_connection_lost() -> None:
    async def scenario() -> None:
        link, backend = await _air()
        echo = await _echo_band(link, stall_reads=True)
        accepted = on_connection(echo.device)
        async with _client(backend, await _find(backend, BAND_ADDRESS), services=[ECHO_SERVICE_UUID]) as client:
            link_at_band = await within(accepted, "the band accepting the connection")
            reading = asyncio.create_task(client.read_gatt_char(ECHO_CHAR_UUID))
            await within(echo.read_started.wait(), "the read reaching the band")
            await link_at_band.disconnect()
            with pytest.raises(ConnectionLostError):
                await within(reading, "the read ending")

    asyncio.run(scenario())


def test_disconnect_on_request_does_not_call_the_disconnected_callback() -> None:
    async def scenario() -> list[BleakClient]:
        link, backend = await _air()
        await _echo_band(link)
        calls: list[BleakClient] = []
        client = _client(backend, await _find(backend, BAND_ADDRESS), disconnected_callback=calls.append)
        await client.connect()
        assert client.is_connected
        await client.disconnect()
        assert not client.is_connected
        await client.disconnect()  # a second hang-up is a no-op
        return calls

    assert asyncio.run(scenario()) == []


def test_a_client_connects_again_after_disconnecting_and_concurrent_hang_ups_both_return() -> None:
    async def scenario() -> None:
        link, backend = await _air()
        echo = await _echo_band(link)
        client = _client(backend, await _find(backend, BAND_ADDRESS))
        await client.connect()
        await asyncio.gather(client.disconnect(), client.disconnect())
        assert not client.is_connected

        await advertise(echo.device, advertising_data("band-7", BAND_MARKER))  # it stopped when connected
        await client.connect()
        try:
            await client.write_gatt_char(ECHO_CHAR_UUID, b"again", response=True)
            assert echo.written.get_nowait() == b"again"
        finally:
            await client.disconnect()

    asyncio.run(scenario())


def test_two_clients_on_one_central_talk_to_two_peripherals_at_once() -> None:
    async def scenario() -> None:
        link, backend = await _air()
        first = await _echo_band(link, BAND_ADDRESS, "band-7")
        second = await _echo_band(link, OTHER_BAND_ADDRESS, "band-9")
        first_client = _client(backend, await _find(backend, BAND_ADDRESS))
        second_client = _client(backend, await _find(backend, OTHER_BAND_ADDRESS))
        await asyncio.gather(first_client.connect(), second_client.connect())
        try:
            assert first_client.is_connected and second_client.is_connected
            await asyncio.gather(
                first_client.write_gatt_char(ECHO_CHAR_UUID, b"to 7", response=True),
                second_client.write_gatt_char(ECHO_CHAR_UUID, b"to 9", response=True),
            )
            assert first.written.get_nowait() == b"to 7"
            assert second.written.get_nowait() == b"to 9"
            assert (first_client.name, second_client.name) == ("band-7", "band-9")
        finally:
            await asyncio.gather(first_client.disconnect(), second_client.disconnect())

    asyncio.run(scenario())


def test_connecting_while_scanning_leaves_the_scan_running() -> None:
    async def scenario() -> None:
        link, backend = await _air()
        await _echo_band(link, BAND_ADDRESS, "band-7")
        await _echo_band(link, OTHER_BAND_ADDRESS, "band-9")
        sightings: asyncio.Queue[str] = asyncio.Queue()
        bands: dict[str, BLEDevice] = {}

        def seen(device: BLEDevice, _advertisement: AdvertisementData) -> None:
            bands[device.address] = device
            sightings.put_nowait(device.address)

        async with BleakScanner(seen, backend=backend.scanner):
            while BAND_ADDRESS not in bands:
                await within(sightings.get(), "an advertisement")
            async with _client(backend, bands[BAND_ADDRESS]) as client:
                assert client.is_connected
                assert backend.scanning
                while not sightings.empty():
                    sightings.get_nowait()
                # band-7 stopped advertising when it was connected; band-9 is still heard.
                assert await within(sightings.get(), "an advertisement after connecting") == OTHER_BAND_ADDRESS

    asyncio.run(scenario())


def test_a_bare_address_is_found_by_scanning_first() -> None:
    async def scenario() -> str:
        link, backend = await _air()
        await _echo_band(link)
        async with _client(backend, BAND_ADDRESS) as client:
            return client.name

    assert asyncio.run(scenario()) == "band-7"


def test_a_bare_address_nobody_advertises_is_not_found() -> None:
    async def scenario() -> None:
        _link, backend = await _air()
        client = BleakClient(SILENT_ADDRESS, timeout=0.3, backend=backend.client)
        with pytest.raises(BleakDeviceNotFoundError):
            await client.connect()

    asyncio.run(scenario())


def test_connecting_to_a_silent_peripheral_times_out_and_its_late_link_is_hung_up() -> None:
    async def scenario() -> None:
        link, backend = await _air()
        silent = EchoPeripheral(await powered_device(link, "band-15", SILENT_ADDRESS))
        band = BLEDevice(SILENT_ADDRESS, None, Address(SILENT_ADDRESS, Address.RANDOM_DEVICE_ADDRESS))
        client = BleakClient(band, timeout=0.3, backend=backend.client)
        with pytest.raises(TimeoutError):
            await client.connect()
        assert not client.is_connected

        # Bumble's emulated controller ignores the cancel and connects once the band advertises:
        # that link belongs to nobody and is ended, so the band advertises again and can be synced.
        late = on_connection(silent.device)
        await advertise(silent.device, advertising_data("band-15", BAND_MARKER))
        late_link = await within(late, "the late connection")
        ended: asyncio.Future[int] = asyncio.get_running_loop().create_future()
        late_link.once(Connection.EVENT_DISCONNECTION, ended.set_result)
        await within(ended, "the late connection being hung up")

        await advertise(silent.device, advertising_data("band-15", BAND_MARKER))
        async with _client(backend, await _find(backend, SILENT_ADDRESS)) as again:
            await again.write_gatt_char(ECHO_CHAR_UUID, b"synced", response=True)
        assert silent.written.get_nowait() == b"synced"

    asyncio.run(scenario())


def test_pairing_is_refused_plainly() -> None:
    async def scenario() -> None:
        link, backend = await _air()
        await _echo_band(link)
        async with _client(backend, await _find(backend, BAND_ADDRESS)) as client:
            with pytest.raises(NotImplementedError, match="pairing"):
                await client.pair()
            with pytest.raises(NotImplementedError, match="pairing"):
                await client.unpair()

    asyncio.run(scenario())


def test_the_unbound_client_class_says_how_to_bind_it() -> None:
    with pytest.raises(BackendSetupError, match="BumbleBackend"):
        BleakClient(BAND_ADDRESS, backend=BumbleClient)
