"""The scanner backend, through bleak's public BleakScanner only, on the emulated radio."""

from __future__ import annotations

import asyncio

import pytest
from bleak import BleakScanner
from bleak.backends.device import BLEDevice
from bleak.backends.scanner import AdvertisementData
from bumble.controller import Controller
from bumble.device import Device
from bumble.hci import Address
from bumble.host import Host
from bumble.link import LocalLink
from bumble.transport.common import AsyncPipeSink

from bleak_bumble import BackendSetupError, BumbleBackend, BumbleScanner
from tests.bleak_bumble.emulation import (
    ECHO_SERVICE_UUID,
    EVENT_TIMEOUT_SECONDS,
    TEST_COMPANY_ID,
    advertise,
    advertising_data,
    powered_device,
    within,
)

CENTRAL_ADDRESS = "C0:00:00:00:00:01"
BAND_ADDRESS = "D0:00:00:00:00:07"
BEACON_ADDRESS = "D0:00:00:00:00:08"


def test_detection_callback_reports_name_manufacturer_data_and_uuids() -> None:
    async def scenario() -> tuple[BLEDevice, AdvertisementData]:
        link = LocalLink()
        backend = BumbleBackend(await powered_device(link, "central", CENTRAL_ADDRESS))
        band = await powered_device(link, "band", BAND_ADDRESS)
        await advertise(band, advertising_data("band-7", b"\x01\x00\x00\x03\xe9", [ECHO_SERVICE_UUID]))
        found: asyncio.Future[tuple[BLEDevice, AdvertisementData]] = asyncio.get_running_loop().create_future()

        def seen(device: BLEDevice, advertisement: AdvertisementData) -> None:
            if advertisement.local_name is not None and not found.done():
                found.set_result((device, advertisement))

        async with BleakScanner(seen, backend=backend.scanner):
            return await within(found, "an advertisement with a name")

    device, advertisement = asyncio.run(scenario())
    assert device.address == BAND_ADDRESS
    assert device.name == "band-7"
    assert device.details == Address(BAND_ADDRESS, Address.RANDOM_DEVICE_ADDRESS)
    assert advertisement.local_name == "band-7"
    assert advertisement.manufacturer_data == {TEST_COMPANY_ID: b"\x01\x00\x00\x03\xe9"}
    assert advertisement.service_uuids == [ECHO_SERVICE_UUID]
    assert advertisement.tx_power is None
    assert isinstance(advertisement.rssi, int)


def test_discover_returns_every_advertiser_with_its_advertisement() -> None:
    async def scenario() -> dict[str, tuple[BLEDevice, AdvertisementData]]:
        link = LocalLink()
        backend = BumbleBackend(await powered_device(link, "central", CENTRAL_ADDRESS))
        await advertise(await powered_device(link, "band", BAND_ADDRESS), advertising_data("band-7", b"\x01"))
        await advertise(await powered_device(link, "beacon", BEACON_ADDRESS), advertising_data(None, b"\x02"))
        return await BleakScanner.discover(timeout=0.3, return_adv=True, backend=backend.scanner)

    found = asyncio.run(scenario())
    assert set(found) == {BAND_ADDRESS, BEACON_ADDRESS}
    assert found[BAND_ADDRESS][1].manufacturer_data == {TEST_COMPANY_ID: b"\x01"}
    assert found[BEACON_ADDRESS][1].manufacturer_data == {TEST_COMPANY_ID: b"\x02"}
    assert found[BEACON_ADDRESS][0].name is None


def test_find_device_by_filter_picks_the_matching_advertiser() -> None:
    async def scenario() -> BLEDevice | None:
        link = LocalLink()
        backend = BumbleBackend(await powered_device(link, "central", CENTRAL_ADDRESS))
        await advertise(await powered_device(link, "band", BAND_ADDRESS), advertising_data("band-7", b"\x01"))
        await advertise(await powered_device(link, "beacon", BEACON_ADDRESS), advertising_data(None, b"\x02"))
        return await BleakScanner.find_device_by_filter(
            lambda _d, ad: ad.manufacturer_data.get(TEST_COMPANY_ID, b"")[:1] == b"\x02",
            timeout=EVENT_TIMEOUT_SECONDS,
            backend=backend.scanner,
        )

    device = asyncio.run(scenario())
    assert device is not None
    assert device.address == BEACON_ADDRESS


def test_a_service_uuid_filter_keeps_only_advertisers_of_that_service() -> None:
    async def scenario() -> set[str]:
        link = LocalLink()
        backend = BumbleBackend(await powered_device(link, "central", CENTRAL_ADDRESS))
        await advertise(await powered_device(link, "band", BAND_ADDRESS),
                        advertising_data("band-7", b"\x01", [ECHO_SERVICE_UUID]))
        await advertise(await powered_device(link, "beacon", BEACON_ADDRESS), advertising_data(None, b"\x02"))
        devices = await BleakScanner.discover(timeout=0.3, service_uuids=[ECHO_SERVICE_UUID.upper()],
                                              backend=backend.scanner)
        return {device.address for device in devices}

    assert asyncio.run(scenario()) == {BAND_ADDRESS}


def test_several_scanners_share_one_scan_that_stops_with_the_last() -> None:
    async def scenario() -> None:
        link = LocalLink()
        central = await powered_device(link, "central", CENTRAL_ADDRESS)
        backend = BumbleBackend(central)
        await advertise(await powered_device(link, "band", BAND_ADDRESS), advertising_data("band-7", b"\x01"))
        first_seen: asyncio.Queue[str] = asyncio.Queue()
        second_seen: asyncio.Queue[str] = asyncio.Queue()
        first = BleakScanner(lambda d, _ad: first_seen.put_nowait(d.address), backend=backend.scanner)
        second = BleakScanner(lambda d, _ad: second_seen.put_nowait(d.address), backend=backend.scanner,
                              scanning_mode="passive")

        await first.start()
        await second.start()
        assert await within(first_seen.get(), "an advertisement for the first scanner") == BAND_ADDRESS
        assert await within(second_seen.get(), "an advertisement for the second scanner") == BAND_ADDRESS

        await first.stop()
        assert backend.scanning and central.is_scanning
        while not first_seen.empty():
            first_seen.get_nowait()
        for _ in range(3):  # the second scanner goes on hearing the band...
            await within(second_seen.get(), "an advertisement after the first scanner stopped")
        assert first_seen.empty()  # ...and the stopped one hears nothing more

        await second.stop()
        assert not backend.scanning and not central.is_scanning
        assert [d.address for d in first.discovered_devices] == [BAND_ADDRESS]

    asyncio.run(scenario())


def test_an_advertisement_stream_yields_through_bleaks_async_iterator() -> None:
    async def scenario() -> tuple[BLEDevice, AdvertisementData]:
        link = LocalLink()
        backend = BumbleBackend(await powered_device(link, "central", CENTRAL_ADDRESS))
        await advertise(await powered_device(link, "band", BAND_ADDRESS), advertising_data("band-7", b"\x01"))
        async with BleakScanner(backend=backend.scanner) as scanner:
            stream = scanner.advertisement_data()
            try:
                return await within(anext(stream), "an advertisement from the async iterator")
            finally:
                await stream.aclose()

    device, advertisement = asyncio.run(scenario())
    assert device.address == BAND_ADDRESS
    assert advertisement.manufacturer_data == {TEST_COMPANY_ID: b"\x01"}


def test_a_raising_detection_callback_does_not_starve_the_others() -> None:
    async def scenario() -> str:
        link = LocalLink()
        backend = BumbleBackend(await powered_device(link, "central", CENTRAL_ADDRESS))
        await advertise(await powered_device(link, "band", BAND_ADDRESS), advertising_data("band-7", b"\x01"))
        seen: asyncio.Queue[str] = asyncio.Queue()

        def broken(_device: BLEDevice, _advertisement: AdvertisementData) -> None:
            raise RuntimeError("callback bug")

        async with BleakScanner(broken, backend=backend.scanner), \
                BleakScanner(lambda d, _ad: seen.put_nowait(d.address), backend=backend.scanner):
            return await within(seen.get(), "an advertisement despite the broken callback")

    assert asyncio.run(scenario()) == BAND_ADDRESS


def test_the_backend_needs_a_powered_device_and_the_unbound_scanner_says_so() -> None:
    async def scenario() -> None:
        controller = Controller("cold", link=LocalLink())
        cold = Device(host=Host(controller, AsyncPipeSink(controller)))
        with pytest.raises(BackendSetupError, match="power_on"):
            BumbleBackend(cold)

    asyncio.run(scenario())
    with pytest.raises(BackendSetupError, match="BumbleBackend"):
        BleakScanner(backend=BumbleScanner)
