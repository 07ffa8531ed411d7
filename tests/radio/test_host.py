"""attach and place: radio addresses, and the errors a host is given."""

from __future__ import annotations

import asyncio
import socket

import pytest
from bumble import hci
from bumble.controller import Controller
from bumble.device import Device
from bumble.link import LocalLink

from radio import PlacementError, Radio, RadioAddressError, attach, place
from radio.host import LocalRadioTransport, parse_radio_address


@pytest.mark.parametrize(
    ("address", "host", "port"),
    [
        ("tcp:127.0.0.1:9200", "127.0.0.1", 9200),
        ("tcp:radio.local:1", "radio.local", 1),
        ("tcp:[::1]:65535", "::1", 65535),
    ],
)
def test_radio_addresses_parse(address: str, host: str, port: int) -> None:
    assert parse_radio_address(address) == (host, port)


@pytest.mark.parametrize(
    "address",
    [
        "127.0.0.1:9200",
        "tcp-client:127.0.0.1:9200",
        "tcp:127.0.0.1",
        "tcp::9200",
        "tcp:host:0",
        "tcp:host:70000",
        "tcp:host:x",
    ],
)
def test_bad_radio_addresses_are_refused(address: str) -> None:
    with pytest.raises(RadioAddressError):
        parse_radio_address(address)


def test_attach_to_a_radio_object_gives_a_controller_on_it() -> None:
    async def run() -> bool:
        radio = Radio()
        transport = await attach(radio, "band")
        assert isinstance(transport, LocalRadioTransport)
        on_radio = transport.controller in radio.controllers and transport.source is transport.controller
        await transport.close()
        return on_radio and not radio.controllers

    assert asyncio.run(run())


def test_attach_to_an_address_nobody_serves_says_so() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        free_port = probe.getsockname()[1]

    with pytest.raises(RadioAddressError, match="no radio server"):
        asyncio.run(attach(f"tcp:127.0.0.1:{free_port}", "band"))


def test_place_reports_a_controller_that_is_not_on_an_emulated_radio() -> None:
    async def run() -> None:
        plain = Controller("plain", link=LocalLink())
        device = Device.with_hci("plain", hci.Address("F0:00:00:00:00:09"), plain, plain)
        await device.power_on()
        await place(device, 1.0, 2.0, timeout_seconds=0.5)

    with pytest.raises(PlacementError, match="0xFFF0"):
        asyncio.run(run())


def test_place_moves_the_device_on_its_radio() -> None:
    async def run() -> tuple[float, float]:
        radio = Radio()
        transport = await attach(radio, "band")
        assert isinstance(transport, LocalRadioTransport)
        device = Device.with_hci("band", hci.Address("F0:00:00:00:00:0A"), transport.source, transport.sink)
        await device.power_on()
        await place(device, -3.5, 12.25)
        position = radio.position_of(transport.controller)
        await transport.close()
        return position.x_m, position.y_m

    assert asyncio.run(run()) == (-3.5, 12.25)
