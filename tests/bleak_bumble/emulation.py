"""The emulated radio the backend's tests run on: Bumble controllers on one in-process LocalLink.

Every device gets its own `bumble.controller.Controller`; the link carries advertisements,
connections and ACL data between them. Nothing here is a fake of bleak or of Bumble.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Iterable
from dataclasses import dataclass, field
from typing import Final, TypeVar

from bumble import data_types, gatt
from bumble.controller import Controller
from bumble.core import UUID, AdvertisingData, DataType
from bumble.device import Connection, Device, DeviceConfiguration
from bumble.hci import Address
from bumble.host import Host
from bumble.link import LocalLink
from bumble.profiles.battery_service import BatteryService
from bumble.transport.common import AsyncPipeSink

T = TypeVar("T")

ADVERTISING_INTERVAL_MS: Final = 20.0  # often enough that a scan sees a peripheral at once
EVENT_TIMEOUT_SECONDS: Final = 3.0  # waits for something that should happen in milliseconds
TEST_COMPANY_ID: Final = 0xFFFF  # the SIG's identifier for testing

# A custom 128-bit service with one characteristic a central reads, writes and subscribes to.
ECHO_SERVICE_UUID: Final = "6e6f7465-0000-4b3a-9c4e-6c616e657631"
ECHO_CHAR_UUID: Final = "6e6f7465-0001-4b3a-9c4e-6c616e657631"


async def within(awaitable: Awaitable[T], what: str) -> T:
    """Await something the emulation delivers at once, failing the test (not hanging) if it never comes."""
    try:
        async with asyncio.timeout(EVENT_TIMEOUT_SECONDS):
            return await awaitable
    except TimeoutError:
        raise AssertionError(f"{what} did not happen within {EVENT_TIMEOUT_SECONDS} s") from None


async def powered_device(link: LocalLink, name: str, address: str) -> Device:
    """A device with its own controller on `link`, powered on, using `address` as its random address."""
    controller = Controller(name, link=link)
    config = DeviceConfiguration(name=name, address=Address(address))
    device = Device(config=config, host=Host(controller, AsyncPipeSink(controller)))
    await device.power_on()
    return device


def advertising_data(name: str | None, manufacturer: bytes | None = None,
                     service_uuids: Iterable[str] = ()) -> bytes:
    structures: list[DataType] = []
    if name is not None:
        structures.append(data_types.CompleteLocalName(name))
    if manufacturer is not None:
        structures.append(data_types.ManufacturerSpecificData(TEST_COMPANY_ID, manufacturer))
    uuids = [UUID(u) for u in service_uuids]
    if uuids:
        structures.append(data_types.CompleteListOf128BitServiceUUIDs(uuids))
    return bytes(AdvertisingData(structures))


async def advertise(device: Device, data: bytes) -> None:
    await device.start_advertising(
        advertising_data=data,
        advertising_interval_min=ADVERTISING_INTERVAL_MS,
        advertising_interval_max=ADVERTISING_INTERVAL_MS,
    )


@dataclass
class BatteryPeripheral:
    """A peripheral serving the standard Battery service, its level settable by the test."""

    device: Device
    level_percent: int = 80
    service: BatteryService = field(init=False)

    def __post_init__(self) -> None:
        self.service = BatteryService(lambda _connection: self.level_percent)
        self.device.add_service(self.service)

    async def set_level(self, level_percent: int) -> None:
        self.level_percent = level_percent
        await self.device.notify_subscribers(self.service.battery_level_characteristic)


@dataclass
class EchoPeripheral:
    """A peripheral with a custom 128-bit service: writes are recorded, reads give the last write.

    With `stall_reads` set, a read reaches the peripheral (`read_started` is set) and never gets
    an answer, so a test can drop the link while it is in flight.
    """

    device: Device
    value: bytes = b"hello"
    stall_reads: bool = False
    written: asyncio.Queue[bytes] = field(default_factory=asyncio.Queue)
    read_started: asyncio.Event = field(default_factory=asyncio.Event)
    characteristic: gatt.Characteristic[bytes] = field(init=False)
    description: gatt.Descriptor = field(init=False)

    def __post_init__(self) -> None:
        self.description = gatt.Descriptor(
            gatt.GATT_CHARACTERISTIC_USER_DESCRIPTION_DESCRIPTOR,
            gatt.Descriptor.READABLE | gatt.Descriptor.WRITEABLE,
            b"echo",
        )
        self.characteristic = gatt.Characteristic(
            ECHO_CHAR_UUID,
            gatt.Characteristic.Properties.READ
            | gatt.Characteristic.Properties.WRITE
            | gatt.Characteristic.Properties.WRITE_WITHOUT_RESPONSE
            | gatt.Characteristic.Properties.NOTIFY
            | gatt.Characteristic.Properties.INDICATE,
            gatt.Characteristic.READABLE | gatt.Characteristic.WRITEABLE,
            gatt.CharacteristicValue(read=self._read, write=self._write),
            descriptors=[self.description],
        )
        self.device.add_service(gatt.Service(ECHO_SERVICE_UUID, [self.characteristic]))

    async def _read(self, _connection: Connection) -> bytes:
        self.read_started.set()
        if self.stall_reads:
            await asyncio.Event().wait()  # never answered: the link drops first
        return self.value

    def _write(self, _connection: Connection, value: bytes) -> None:
        self.value = bytes(value)
        self.written.put_nowait(bytes(value))

    async def notify(self, value: bytes) -> None:
        await self.device.notify_subscribers(self.characteristic, value)


def on_connection(device: Device) -> asyncio.Future[Connection]:
    """A future for the next connection `device` accepts."""
    future: asyncio.Future[Connection] = asyncio.get_running_loop().create_future()
    device.once(Device.EVENT_CONNECTION, future.set_result)
    return future

