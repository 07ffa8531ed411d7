"""A checkpoint's BLE beacon (巡查点信标): broadcasts `wire.ble.BeaconAdvert` with its rotating token.

The beacon advertises non-connectable (ADV_NONCONN_IND): flags, then manufacturer-specific data
under `wire.ble.COMPANY_ID` carrying (checkpoint_id, token, tx power at 1 m). The token is
`beacon_token(secret, window_index(now()))`: it changes every 300-second window. While started,
the beacon rotates itself at each window boundary of the clock it was given; a simulation that
moves a simulated clock calls `rotate()` after moving it. The caller owns the bumble `Device` and
its transport: the beacon only powers it on if needed and drives advertising.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Final

from bumble.core import AdvertisingData, BaseBumbleError
from bumble.device import AdvertisingType, Device

from firmware_sim.errors import ConfigError
from firmware_sim.profile import CheckpointPlan
from wire import TOKEN_WINDOW_SECONDS, beacon_token, ble, window_index

__all__ = ["DEFAULT_BEACON_INTERVAL_MS", "DEFAULT_TX_POWER_DBM", "BleBeacon", "beacon_advertising_data"]

logger = logging.getLogger(__name__)

DEFAULT_TX_POWER_DBM: Final = -59  # a typical coin-cell beacon's calibrated power at 1 m
# Ten adverts a second: a band scanning at a low duty cycle still hears several during a dwell.
DEFAULT_BEACON_INTERVAL_MS: Final = 100.0
MIN_INTERVAL_MS: Final = 20.0  # the Bluetooth Core minimum for legacy advertising
# Wake a little after a boundary so the clock read there is already in the new window.
ROTATION_MARGIN_SECONDS: Final = 0.05
# A simulated clock may stand still just before a boundary: never re-check more often than this.
MIN_ROTATION_CHECK_SECONDS: Final = 1.0
_TX_POWER_RANGE_DBM: Final = range(-127, 21)
_FLAGS: Final = AdvertisingData.LE_GENERAL_DISCOVERABLE_MODE_FLAG | AdvertisingData.BR_EDR_NOT_SUPPORTED_FLAG
_EPOCH: Final = datetime(1970, 1, 1, tzinfo=UTC)
_WINDOW: Final = timedelta(seconds=TOKEN_WINDOW_SECONDS)


def beacon_advertising_data(advert: ble.BeaconAdvert) -> bytes:
    """The 31-byte-or-less legacy advertising payload for `advert`."""
    return bytes(
        AdvertisingData(
            [
                (AdvertisingData.FLAGS, bytes((_FLAGS,))),
                (AdvertisingData.MANUFACTURER_SPECIFIC_DATA, ble.COMPANY_ID.to_bytes(2, "little") + bytes(advert)),
            ]
        )
    )


class BleBeacon:
    """One checkpoint's beacon on one bumble `Device`."""

    def __init__(
        self,
        checkpoint: CheckpointPlan,
        device: Device,
        *,
        now: Callable[[], datetime],
        tx_power_dbm: int = DEFAULT_TX_POWER_DBM,
        advertising_interval_ms: float = DEFAULT_BEACON_INTERVAL_MS,
    ) -> None:
        if tx_power_dbm not in _TX_POWER_RANGE_DBM:
            raise ConfigError(
                f"checkpoint {checkpoint.checkpoint_id}: tx_power_dbm must be -127..20 dBm, got {tx_power_dbm}"
            )
        if advertising_interval_ms < MIN_INTERVAL_MS:
            raise ConfigError(
                f"checkpoint {checkpoint.checkpoint_id}: advertising_interval_ms must be >= {MIN_INTERVAL_MS}, "
                f"got {advertising_interval_ms}"
            )
        self.checkpoint = checkpoint
        self.device = device
        self.tx_power_dbm = tx_power_dbm
        self._now = now
        self._interval_ms = advertising_interval_ms
        self._window: int | None = None
        self._advert: ble.BeaconAdvert | None = None
        self._started = False
        self._lock = asyncio.Lock()
        self._rotator: asyncio.Task[None] | None = None

    @property
    def advert(self) -> ble.BeaconAdvert | None:
        """What the beacon is advertising now; None before the first `start()`."""
        return self._advert

    @property
    def window(self) -> int | None:
        return self._window

    async def start(self) -> None:
        """Power the device on if needed and advertise the current window's token."""
        if self._started:
            return
        if not self.device.powered_on:
            await self.device.power_on()
        async with self._lock:
            self._window = None
            await self._apply(window_index(self._now()))
        self._started = True
        self._rotator = asyncio.get_running_loop().create_task(
            self._rotate_at_boundaries(), name=f"beacon-{self.checkpoint.checkpoint_id}-rotation"
        )
        logger.debug("beacon %d advertising window %s", self.checkpoint.checkpoint_id, self._window)

    async def stop(self) -> None:
        """Stop advertising and the rotation timer; `start()` may be called again."""
        if not self._started:
            return
        # Under the lock the rotator is asleep or waiting for it, never inside an HCI command: a
        # task cancelled while bumble awaits a command's response leaves the host expecting it.
        async with self._lock:
            self._started = False
            if self._rotator is not None:
                self._rotator.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await self._rotator
                self._rotator = None
            await self.device.stop_advertising()

    async def rotate(self) -> bool:
        """Advertise the token of now()'s window if it is not the one on air; True if it changed."""
        async with self._lock:
            if not self._started:
                return False
            window = window_index(self._now())
            if window == self._window:
                return False
            await self._apply(window)
            return True

    async def _apply(self, window: int) -> None:
        checkpoint = self.checkpoint
        token = beacon_token(checkpoint.beacon_secret, window)
        advert = ble.BeaconAdvert(checkpoint.checkpoint_id, token, self.tx_power_dbm)
        await self.device.start_advertising(
            advertising_type=AdvertisingType.UNDIRECTED,
            advertising_data=beacon_advertising_data(advert),
            advertising_interval_min=self._interval_ms,
            advertising_interval_max=self._interval_ms,
        )
        self._window = window
        self._advert = advert

    def _seconds_to_next_window(self) -> float:
        now = self._now()
        boundary = _EPOCH + (window_index(now) + 1) * _WINDOW
        return (boundary - now).total_seconds()

    async def _rotate_at_boundaries(self) -> None:
        rotated = True
        while True:
            delay_seconds = self._seconds_to_next_window() + ROTATION_MARGIN_SECONDS
            if not rotated:
                # The clock did not reach the boundary we slept for: it is simulated, or stepped back.
                delay_seconds = max(delay_seconds, MIN_ROTATION_CHECK_SECONDS)
            await asyncio.sleep(delay_seconds)
            try:
                rotated = await self.rotate()
            except (BaseBumbleError, TimeoutError) as error:
                logger.warning(
                    "beacon %d: could not update its advertisement (%r); bands hear the old token until the "
                    "next boundary: check the beacon's controller",
                    self.checkpoint.checkpoint_id,
                    error,
                )
