"""A fleet link that carries a band's log over Bluetooth LE instead of MQTT.

The band advertises its pending count and serves its log (`BleBand`); a gateway in range connects
and pulls. Nothing is pushed, so the link has no reconnect loop of its own: it is "connected" as
soon as the band is on the air. Which radio the band's `Device` is attached to is the caller's
business (`open_device`), so the same link runs on an emulated radio or a real controller.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any

from bumble.device import Device

from firmware_sim.band import Band
from firmware_sim.ble_band import BleBand

__all__ = ["BleBandLink", "DeviceOpener"]

# Opens the band's device (powered on or not) and returns it with a coroutine function that closes it.
DeviceOpener = Callable[[Band], Awaitable[tuple[Device, Callable[[], Awaitable[None]]]]]


class BleBandLink:
    def __init__(
        self, band: Band, open_device: DeviceOpener, *, now: Callable[[], datetime], **ble_options: Any
    ) -> None:
        self.band = band
        self.first_connected = asyncio.Event()
        self.ble: BleBand | None = None
        self._open_device = open_device
        self._now = now
        self._options = ble_options
        self._stopping = asyncio.Event()

    def stop(self) -> None:
        self._stopping.set()

    async def run(self) -> None:
        device, close = await self._open_device(self.band)
        self.ble = BleBand(self.band, device, now=self._now, **self._options)
        try:
            await self.ble.start()
            self.band.connected = True
            self.first_connected.set()
            await self._stopping.wait()
        finally:
            self.band.connected = False
            await self.ble.stop()
            await close()
