"""Advertise, scan and connect scenarios over a radio, shared by the in-process and TCP tests.

Each scenario takes an attach target (a `Radio`, or "tcp:HOST:PORT" of a radio server) and drives
bumble Devices through their own APIs. Absence ("not heard") is never judged by waiting: reports
reach a scanner's host in the order the radio delivered the PDUs, so a control advertiser heard
several times after a given instant proves a silent one would have been heard by then too.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Final

from bumble import hci
from bumble.core import UUID, AdvertisingData
from bumble.device import Advertisement, Connection, Device, Peer
from bumble.transport.common import Transport

from radio import Radio, attach, place
from radio.host import LocalRadioTransport

# A guard against a hung scenario, not a timing assertion: every step takes milliseconds.
STEP_TIMEOUT_SECONDS: Final = 3.0
ADVERTISING_INTERVAL_MS: Final = 20
# How many control reports, after an instant, stand in for "long enough to have heard the other".
CONTROL_REPORTS: Final = 3
GENERIC_ACCESS_SERVICE: Final = UUID.from_16_bits(0x1800)

SCANNER_ADDRESS: Final = hci.Address("F0:00:00:00:00:01")
TARGET_ADDRESS: Final = hci.Address("F0:00:00:00:00:02")
CONTROL_ADDRESS: Final = hci.Address("F0:00:00:00:00:03")


@dataclass
class Station:
    """A bumble Device on the radio, with every advertisement it hears queued in order."""

    device: Device
    transport: Transport
    reports: asyncio.Queue[Advertisement] = field(default_factory=asyncio.Queue)
    connections: asyncio.Queue[Connection] = field(default_factory=asyncio.Queue)

    async def next_report_from(self, address: hci.Address) -> Advertisement:
        while True:
            report = await asyncio.wait_for(self.reports.get(), STEP_TIMEOUT_SECONDS)
            if report.address == address:
                return report

    async def advertise(self, payload: bytes) -> None:
        """Advertise connectably, with `payload` as manufacturer data to tell generations apart."""
        data = AdvertisingData([(AdvertisingData.MANUFACTURER_SPECIFIC_DATA, b"\xff\xff" + payload)])
        await self.device.start_advertising(
            advertising_data=bytes(data),
            advertising_interval_min=ADVERTISING_INTERVAL_MS,
            advertising_interval_max=ADVERTISING_INTERVAL_MS,
        )


def payload_of(report: Advertisement) -> bytes:
    manufacturer = report.data.get(AdvertisingData.MANUFACTURER_SPECIFIC_DATA, raw=True)
    assert isinstance(manufacturer, bytes)
    return manufacturer[2:]


async def station(target: Radio | str, name: str, address: hci.Address, *, legacy: bool = False) -> Station:
    """Attach, build and power on a Device; `legacy` hides extended advertising from its host."""
    transport = await attach(target, name)
    if legacy:
        assert isinstance(transport, LocalRadioTransport)
        transport.controller.le_features &= ~hci.LeFeatureMask.LE_EXTENDED_ADVERTISING
    device = Device.with_hci(name, address, transport.source, transport.sink)
    made = Station(device, transport)
    device.on(Device.EVENT_ADVERTISEMENT, made.reports.put_nowait)
    device.on(Device.EVENT_CONNECTION, made.connections.put_nowait)
    await device.power_on()
    return made


async def close_all(*stations: Station) -> None:
    for each in stations:
        await each.transport.close()


async def heard_rssi_at(
    target: Radio | str, distances_m: tuple[float, ...], *, legacy: bool = False
) -> list[set[int]]:
    """For each distance in turn, the RSSI values a scanner at the origin reports for an
    advertiser placed there. After each move the advertiser restarts with a new payload, so
    reports measured at the previous spot are told apart and skipped."""
    scanner = await station(target, "scanner", SCANNER_ADDRESS, legacy=legacy)
    advertiser = await station(target, "beacon", TARGET_ADDRESS, legacy=legacy)
    heard: list[set[int]] = []
    try:
        await scanner.device.start_scanning(filter_duplicates=False)
        for generation, distance_m in enumerate(distances_m):
            await place(advertiser.device, distance_m, 0.0)
            payload = b"gen%d" % generation
            await advertiser.advertise(payload)
            values: set[int] = set()
            seen = 0
            while seen < CONTROL_REPORTS:
                report = await scanner.next_report_from(TARGET_ADDRESS)
                if payload_of(report) == payload:
                    assert report.is_legacy is legacy
                    values.add(report.rssi)
                    seen += 1
            heard.append(values)
    finally:
        await close_all(scanner, advertiser)
    return heard


async def moved_out_of_range(target: Radio | str, far_m: float) -> tuple[list[bytes], int]:
    """Move the beacon from 1 m to `far_m`; return the beacon payloads heard from the far spot,
    and how many control reports (10 m away, started after the move) were heard meanwhile."""
    scanner = await station(target, "scanner", SCANNER_ADDRESS)
    beacon = await station(target, "beacon", TARGET_ADDRESS)
    control = await station(target, "control", CONTROL_ADDRESS)
    try:
        await place(control.device, 0.0, 10.0)
        await place(beacon.device, 1.0, 0.0)
        await beacon.advertise(b"near")
        await scanner.device.start_scanning(filter_duplicates=False)
        assert payload_of(await scanner.next_report_from(TARGET_ADDRESS)) == b"near"

        await place(beacon.device, far_m, 0.0)
        await beacon.advertise(b"far")
        # The control starts after the far beacon, at the same interval: by its third report the
        # beacon has sent at least two "far" PDUs, which the scanner's ordered reports would show.
        await control.advertise(b"after")
        heard_far: list[bytes] = []
        control_after = 0
        while control_after < CONTROL_REPORTS:
            report = await asyncio.wait_for(scanner.reports.get(), STEP_TIMEOUT_SECONDS)
            if report.address == CONTROL_ADDRESS:
                control_after += 1
            elif payload_of(report) == b"far":
                heard_far.append(payload_of(report))
    finally:
        await close_all(scanner, beacon, control)
    return heard_far, control_after


@dataclass
class DropOutcome:
    connected_services: bool
    still_talking_at_10_m: bool
    central_reason: int
    peripheral_reason: int


async def connection_dropped_by_distance(target: Radio | str, *, legacy: bool = False) -> DropOutcome:
    """Connect at 1 m, talk GATT at 10 m, then move the peripheral 200 m away."""
    central = await station(target, "gateway", SCANNER_ADDRESS, legacy=legacy)
    peripheral = await station(target, "band", TARGET_ADDRESS, legacy=legacy)
    try:
        await place(peripheral.device, 1.0, 0.0)
        await peripheral.advertise(b"band")
        central_side = await asyncio.wait_for(central.device.connect(TARGET_ADDRESS), STEP_TIMEOUT_SECONDS)
        peripheral_side = await asyncio.wait_for(peripheral.connections.get(), STEP_TIMEOUT_SECONDS)
        connected_services = await has_generic_access(central_side)

        await place(peripheral.device, 10.0, 0.0)
        still_talking = await has_generic_access(central_side)

        central_lost = disconnection_reason(central_side)
        peripheral_lost = disconnection_reason(peripheral_side)
        await place(peripheral.device, 200.0, 0.0)
        reasons = await asyncio.wait_for(
            asyncio.gather(central_lost, peripheral_lost), STEP_TIMEOUT_SECONDS
        )
    finally:
        await close_all(central, peripheral)
    return DropOutcome(connected_services, still_talking, reasons[0], reasons[1])


async def peer_vanishes(target: Radio | str) -> int:
    """Connect, then close the peripheral's transport; the reason the central is given."""
    central = await station(target, "gateway", SCANNER_ADDRESS)
    peripheral = await station(target, "band", TARGET_ADDRESS)
    try:
        await peripheral.advertise(b"band")
        central_side = await asyncio.wait_for(central.device.connect(TARGET_ADDRESS), STEP_TIMEOUT_SECONDS)
        lost = disconnection_reason(central_side)
        await peripheral.transport.close()
        reason = await asyncio.wait_for(lost, STEP_TIMEOUT_SECONDS)
    finally:
        await close_all(central, peripheral)
    return reason


async def has_generic_access(connection: Connection) -> bool:
    """A GATT service discovery over the link: ACL data both ways."""
    peer = Peer(connection)
    await asyncio.wait_for(peer.discover_services(), STEP_TIMEOUT_SECONDS)
    return any(service.uuid == GENERIC_ACCESS_SERVICE for service in peer.services)


def disconnection_reason(connection: Connection) -> asyncio.Future[int]:
    lost: asyncio.Future[int] = asyncio.get_running_loop().create_future()
    connection.once(Connection.EVENT_DISCONNECTION, lost.set_result)
    return lost
