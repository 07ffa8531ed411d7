"""The band's GATT server: the patrol-log service of `wire.ble`, Battery (0x180F) and Device Information (0x180A).

It maps the characteristics onto the firmware state of one `Band`:
    log      notify  every segment due, as `wire.ble.fragments`, then `end_of_sync()`
    control  write   CONTROL_SYNC: release the held records and send everything due on `log`
    ack      write   `Band.handle_ack_payload`: the band frees exactly the records the ack names
    time     read/write  >q UTC ms: an offset on the host clock, used for the band's new records
    status   read    `BandStatus(band_id, boot, pending)`

A sync runs as a task per connection, after the write response to CONTROL_SYNC has gone out, so a
central's ATT transaction never waits on a whole log. When a connection ends, every record sent
without an ack is due again (`FlashRing.forget_in_flight`): the next gateway gets it at once, and
the server's dedupe absorbs whatever was already stored.

Acks written here are not authenticated: anyone in radio range may connect and write one. The
MQTT path relies on the broker's ACL for the same guarantee; over BLE that protection would need
pairing with gateways (LE Secure Connections) or signed acks, which the wire protocol lacks today.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import datetime
from typing import Final

from bumble import att
from bumble.device import Connection, Device
from bumble.gatt import Characteristic, CharacteristicValue, Service
from bumble.profiles.battery_service import BatteryService
from bumble.profiles.device_information_service import DeviceInformationService

from firmware_sim.band import Band, Upload
from wire import EVENT_AT_END_MS, EVENT_AT_MIN_MS, FrameError, ble, epoch_ms

__all__ = ["BandClock", "BandGattServer"]

logger = logging.getLogger(__name__)

_NO_PERMISSIONS: Final = Characteristic.Permissions(0)
_CONTROL_BYTES: Final = 1


class BandClock:
    """The band's idea of now: the host's clock plus the offset a gateway last wrote to `time`."""

    def __init__(self, now: Callable[[], datetime]) -> None:
        self._now = now
        self.offset_ms = 0

    def host_now(self) -> datetime:
        """The host clock, unadjusted: intervals (dwell, re-arm) are measured on it."""
        return self._now()

    def now_ms(self) -> int:
        return epoch_ms(self._now()) + self.offset_ms

    def set_ms(self, at_ms: int) -> None:
        self.offset_ms = at_ms - epoch_ms(self._now())


def _connection_of(bearer: att.Bearer) -> Connection:
    # An enhanced ATT bearer is an L2CAP channel on the ACL connection that owns the subscription.
    return bearer.connection if att.is_enhanced_bearer(bearer) else bearer


class BandGattServer:
    """The GATT database of one band on one bumble `Device`, and the syncs running over it."""

    def __init__(
        self,
        band: Band,
        device: Device,
        clock: BandClock,
        *,
        manufacturer: str,
        model: str,
        firmware_revision: str,
    ) -> None:
        self._band = band
        self._device = device
        self._clock = clock
        self._installed = False
        self._log_subscribers: set[Connection] = set()
        self._syncs: dict[Connection, asyncio.Task[None]] = {}
        self.syncs_started = 0
        self.syncs_completed = 0
        self.segments_sent = 0
        props = Characteristic.Properties
        self.log_characteristic: Characteristic[bytes] = Characteristic(
            ble.LOG_CHAR_UUID, props.NOTIFY, _NO_PERMISSIONS, b""
        )
        self.log_characteristic.on(Characteristic.EVENT_SUBSCRIPTION, self._on_log_subscription)
        control: Characteristic[bytes] = Characteristic(
            ble.CONTROL_CHAR_UUID, props.WRITE, Characteristic.WRITEABLE, CharacteristicValue(write=self._write_control)
        )
        ack: Characteristic[bytes] = Characteristic(
            ble.ACK_CHAR_UUID, props.WRITE, Characteristic.WRITEABLE, CharacteristicValue(write=self._write_ack)
        )
        time_characteristic: Characteristic[bytes] = Characteristic(
            ble.TIME_CHAR_UUID,
            props.READ | props.WRITE,
            Characteristic.READABLE | Characteristic.WRITEABLE,
            CharacteristicValue(read=self._read_time, write=self._write_time),
        )
        status: Characteristic[bytes] = Characteristic(
            ble.STATUS_CHAR_UUID, props.READ, Characteristic.READABLE, CharacteristicValue(read=self._read_status)
        )
        self._battery = BatteryService(read_battery_level=lambda _connection: self._band.battery_pct)
        self._notified_battery_pct = band.battery_pct
        self._services: tuple[Service, ...] = (
            Service(ble.PATROL_LOG_SERVICE_UUID, [self.log_characteristic, control, ack, time_characteristic, status]),
            self._battery,
            DeviceInformationService(
                manufacturer_name=manufacturer,
                model_number=model,
                serial_number=str(band.band_id),
                firmware_revision=firmware_revision,
            ),
        )

    def install(self) -> None:
        """Add the services to the device's GATT database (once; handles are fixed from then on)."""
        if not self._installed:
            self._device.add_services(self._services)
            self._installed = True

    # -- connections ------------------------------------------------------------------------------

    def connection_lost(self, connection: Connection) -> None:
        """Stop that connection's sync; every record it sent without an ack goes to the next gateway."""
        task = self._syncs.pop(connection, None)
        if task is not None:
            task.cancel()
        self._log_subscribers.discard(connection)
        self._band.flash.forget_in_flight()

    async def close(self) -> None:
        """Cancel every running sync and wait for them to end."""
        tasks = list(self._syncs.values())
        self._syncs.clear()
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    async def notify_battery_if_changed(self) -> None:
        level = self._band.battery_pct
        if level != self._notified_battery_pct:
            self._notified_battery_pct = level
            await self._device.notify_subscribers(self._battery.battery_level_characteristic)

    def _on_log_subscription(self, bearer: att.Bearer, notify_enabled: bool, _indicate_enabled: bool) -> None:
        connection = _connection_of(bearer)
        if notify_enabled:
            self._log_subscribers.add(connection)
        else:
            self._log_subscribers.discard(connection)

    # -- characteristic handlers ------------------------------------------------------------------

    def _write_control(self, connection: Connection, value: bytes) -> None:
        if len(value) != _CONTROL_BYTES:
            raise att.ATT_Error(att.ErrorCode.INVALID_ATTRIBUTE_LENGTH)
        if value[0] != ble.CONTROL_SYNC:
            raise att.ATT_Error(att.ErrorCode.VALUE_NOT_ALLOWED)
        if connection not in self._log_subscribers:
            # Records sent to nobody would sit in flight until the connection ends.
            raise att.ATT_Error(att.ErrorCode.CCCD_IMPROPERLY_CONFIGURED)
        running = self._syncs.get(connection)
        if running is not None and not running.done():
            raise att.ATT_Error(att.ErrorCode.PROCEDURE_ALREADY_IN_PROGRESS)
        self.syncs_started += 1
        task = asyncio.get_running_loop().create_task(
            self._sync(connection), name=f"band-{self._band.band_id}-ble-sync"
        )
        self._syncs[connection] = task
        task.add_done_callback(self._sync_finished)

    def _write_ack(self, _connection: Connection, value: bytes) -> None:
        freed = self._band.handle_ack_payload(bytes(value))
        logger.debug("band %d: a BLE ack freed %d records", self._band.band_id, freed)

    def _read_time(self, _connection: Connection) -> bytes:
        return ble.encode_time(self._clock.now_ms())

    def _write_time(self, _connection: Connection, value: bytes) -> None:
        try:
            at_ms = ble.decode_time(bytes(value))
        except FrameError:
            raise att.ATT_Error(att.ErrorCode.INVALID_ATTRIBUTE_LENGTH) from None
        if not EVENT_AT_MIN_MS <= at_ms < EVENT_AT_END_MS:
            # Records stamped with such a time would all be refused by the server.
            raise att.ATT_Error(att.ErrorCode.OUT_OF_RANGE)
        self._clock.set_ms(at_ms)
        logger.info("band %d: clock set over BLE, offset now %d ms", self._band.band_id, self._clock.offset_ms)

    def _read_status(self, _connection: Connection) -> bytes:
        band = self._band
        return bytes(ble.BandStatus(band.band_id, band.boot, len(band.flash)))

    # -- syncing ----------------------------------------------------------------------------------

    async def _sync(self, connection: Connection) -> None:
        band = self._band
        band.flash.release()
        uploads = band.take_uploads()
        logger.debug("band %d: BLE sync of %d segments", band.band_id, len(uploads))
        for index, upload in enumerate(uploads):
            try:
                await self._send(connection, upload)
            except BaseException:
                for unsent in uploads[index:]:
                    band.upload_failed(unsent)
                raise
            band.upload_published(upload)
            self.segments_sent += 1
        await self._device.notify_subscriber(connection, self.log_characteristic, ble.end_of_sync())
        self.syncs_completed += 1

    async def _send(self, connection: Connection, upload: Upload) -> None:
        # The MTU is read per segment: a central may exchange it while a sync is running.
        for fragment in ble.fragments(upload.payload, connection.att_mtu):
            await self._device.notify_subscriber(connection, self.log_characteristic, fragment)
        # Pace by the controller's buffers, and let acks and disconnections in between segments.
        await connection.drain()

    def _sync_finished(self, task: asyncio.Task[None]) -> None:
        for connection, running in list(self._syncs.items()):
            if running is task:
                del self._syncs[connection]
        if task.cancelled():
            return
        error = task.exception()
        if error is not None:
            logger.error(
                "band %d: BLE sync failed (%r); its records stay in flash for the next sync",
                self._band.band_id,
                error,
                exc_info=error,
            )
