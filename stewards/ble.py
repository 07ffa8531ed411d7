"""Bluetooth LE composition: devices on a radio, the gateway's bleak backend, bands and beacons on the air.

The radio is either an emulated one — a `radio.Radio` in this process, or "tcp:HOST:PORT" for a
radio server shared by several processes (`stewards radio`) — or, in production, none at all: the
gateway then uses bleak's platform backend (BlueZ) and the bands and beacons are real hardware.
Every emulated device gets a static random address derived from what it is, so a band keeps its
address across runs and logs read the same every time.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Final

from bumble import hci
from bumble.device import Device

from bleak_bumble import BumbleBackend
from firmware_sim import Band, CheckpointPlan
from firmware_sim.ble_beacon import BleBeacon
from firmware_sim.ble_link import BleBandLink
from gateway.ble import BleBackend
from radio import Radio, attach, place

RadioSpec = Radio | str  # a radio in this process, or "tcp:HOST:PORT" of a radio server

# Static random addresses have their two top bits set; the next byte says what the device is.
_BAND_PREFIX: Final = 0xC1
_BEACON_PREFIX: Final = 0xC2
_GATEWAY_PREFIX: Final = 0xC3


def static_address(prefix: int, number: int) -> hci.Address:
    if not 0 <= number < 2**32:
        raise ValueError(f"device number {number} does not fit the address scheme (0 .. 2^32-1)")
    octets = [prefix, 0, *number.to_bytes(4, "big")]
    return hci.Address(":".join(f"{o:02X}" for o in octets), hci.Address.RANDOM_DEVICE_ADDRESS)


@dataclass
class OpenDevice:
    device: Device
    close: Callable[[], Awaitable[None]]


async def open_device(radio: RadioSpec, name: str, address: hci.Address,
                      position: tuple[float, float] | None = None) -> OpenDevice:
    """A powered-on bumble Device attached to `radio`, optionally placed at `position` (metres)."""
    transport = await attach(radio, name)
    device = Device.with_hci(name, address, transport.source, transport.sink)
    try:
        await device.power_on()
        if position is not None:
            await place(device, *position)
    except BaseException:
        await transport.close()
        raise

    async def close() -> None:
        with contextlib.suppress(Exception):  # the radio may already be gone at shutdown
            await device.power_off()
        await transport.close()

    return OpenDevice(device, close)


async def open_band_device(radio: RadioSpec, band_id: int, position: tuple[float, float] | None = None) -> OpenDevice:
    """A band's device on the radio, at its own static address."""
    return await open_device(radio, f"band-{band_id}", static_address(_BAND_PREFIX, band_id), position)


@contextlib.asynccontextmanager
async def gateway_backend(radio: RadioSpec | None, number: int = 1, position: tuple[float, float] = (0.0, 0.0),
                          *, bluez_adapter: str = "") -> AsyncIterator[BleBackend]:
    """The gateway's bleak backend: Bumble on the emulated radio, or BlueZ when `radio` is None."""
    if radio is None:
        yield BleBackend(adapter=bluez_adapter)
        return
    opened = await open_device(radio, f"gateway-{number}", static_address(_GATEWAY_PREFIX, number), position)
    try:
        backend = BumbleBackend(opened.device)
        yield BleBackend(scanner=backend.scanner, client=backend.client)
    finally:
        await opened.close()


def band_link_factory(radio: RadioSpec, now: Callable[[], datetime], ble_band_ids: Iterable[int],
                      position: tuple[float, float] = (0.0, 0.0)) -> Callable[[Band], BleBandLink | None]:
    """A Fleet link factory: the listed bands go on the radio (all at `position`), the rest keep MQTT."""
    chosen = frozenset(ble_band_ids)

    async def open_band(band: Band) -> tuple[Device, Callable[[], Awaitable[None]]]:
        opened = await open_band_device(radio, band.band_id, position)
        return opened.device, opened.close

    def factory(band: Band) -> BleBandLink | None:
        if band.band_id not in chosen:
            return None
        # The fleet's planner makes the check-ins, so these bands only advertise and serve their log.
        return BleBandLink(band, open_band, now=now, scan_for_beacons=False)

    return factory


@dataclass
class BeaconOnAir:
    beacon: BleBeacon
    opened: OpenDevice

    async def stop(self) -> None:
        await self.beacon.stop()
        await self.opened.close()


async def start_beacon(radio: RadioSpec, checkpoint: CheckpointPlan, position: tuple[float, float],
                       now: Callable[[], datetime]) -> BeaconOnAir:
    """A checkpoint's beacon advertising its rotating token at `position` on the radio."""
    opened = await open_device(radio, f"beacon-{checkpoint.checkpoint_id}",
                               static_address(_BEACON_PREFIX, checkpoint.checkpoint_id), position)
    beacon = BleBeacon(checkpoint, opened.device, now=now)
    await beacon.start()
    return BeaconOnAir(beacon, opened)
