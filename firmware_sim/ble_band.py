"""A wristband's Bluetooth LE side: hearing checkpoint beacons, advertising, and serving its log.

`TapDetector` decides, from (checkpoint, token, rssi, time) observations alone, when the steward
has tapped a checkpoint: its beacon heard at or above an RSSI threshold, continuously (no silence
longer than `max_gap_seconds`), for `dwell_seconds`. After a tap that beacon is ignored until it
has gone unheard (or below the threshold) for `rearm_seconds`, so a steward standing beside a
checkpoint logs it once, not once a second.

`BleBand` puts one segment-mode `Band` on a bumble `Device`: it scans passively for beacon
adverts and turns each tap into a PATROL_CHECKIN record; it advertises connectably with
`wire.ble.BandAdvert` (band id, pending records, battery), refreshed whenever the pending count
changes and whenever a connection ends; it serves `firmware_sim.ble_gatt.BandGattServer`. The
caller owns the `Device` and its transport; the band powers it on if needed.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Final

from bumble import hci
from bumble.core import AdvertisingData, BaseBumbleError, PhysicalTransport
from bumble.device import Advertisement, AdvertisingType, Connection, Device

from firmware_sim.band import Band
from firmware_sim.ble_gatt import BandClock, BandGattServer
from firmware_sim.errors import ConfigError, SimulatorError
from firmware_sim.planner import PlannedEvent
from wire import RSSI_MAX_DBM, RSSI_MIN_DBM, Kind, WireError, ble, epoch_ms

__all__ = [
    "DEFAULT_BAND_INTERVAL_MS",
    "DEFAULT_IDLE_INTERVAL_MS",
    "DEFAULT_DWELL_SECONDS",
    "DEFAULT_MAX_GAP_SECONDS",
    "DEFAULT_REARM_SECONDS",
    "DEFAULT_RSSI_THRESHOLD_DBM",
    "BleBand",
    "Tap",
    "TapDetector",
    "band_advertising_data",
    "band_name",
]

logger = logging.getLogger(__name__)

# About an arm's length from a beacon calibrated at -59 dBm at 1 m: passing on the far side of
# the lane stays below it.
DEFAULT_RSSI_THRESHOLD_DBM: Final = -70
DEFAULT_DWELL_SECONDS: Final = 2.0  # the planner's stewards linger at least 5 s at a checkpoint
# Beacons advertise every 0.1-1 s and a band scans at a low duty cycle, so single reports go
# missing; a silence longer than this means the steward walked away.
DEFAULT_MAX_GAP_SECONDS: Final = 1.5
DEFAULT_REARM_SECONDS: Final = 60.0
# With records to sync the band advertises fast: a gateway connects at the band's next advert, so
# the interval is most of what a sync waits for. With nothing pending it saves its battery.
DEFAULT_BAND_INTERVAL_MS: Final = 100.0
DEFAULT_IDLE_INTERVAL_MS: Final = 1_000.0
MIN_INTERVAL_MS: Final = 20.0  # the Bluetooth Core minimum for connectable legacy advertising
# Hostile or busy surroundings may show many beacons; beyond this, the longest-silent are forgotten.
MAX_TRACKED_BEACONS: Final = 256
LEGACY_ADVERTISING_BYTES: Final = 31
BAND_NAME_PREFIX: Final = "LS-"
_RSSI_NOT_AVAILABLE_DBM: Final = 127  # what HCI reports carry when the controller has no RSSI
_COMPANY_ID_BYTES: Final = 2
_FLAGS: Final = AdvertisingData.LE_GENERAL_DISCOVERABLE_MODE_FLAG | AdvertisingData.BR_EDR_NOT_SUPPORTED_FLAG
# The SIG services the band serves besides its own, as they appear in an advert (little-endian).
_ADVERTISED_SERVICE_UUIDS: Final = b"\x0f\x18\x0a\x18"  # 0x180F Battery, 0x180A Device Information


# -- taps -------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Tap:
    """A checkpoint tapped at `at` (host time): the token heard last and the strongest RSSI of the dwell."""

    checkpoint_id: int
    token: bytes
    rssi_dbm: int
    at: datetime


@dataclass(slots=True)
class _Presence:
    started_at: datetime  # the start of the current unbroken run of reports
    last_at: datetime
    token: bytes
    strongest_dbm: int
    tapped: bool


class TapDetector:
    """Turns beacon reports into taps; pure: no clock, no I/O, time comes with each observation."""

    def __init__(
        self,
        *,
        rssi_threshold_dbm: int = DEFAULT_RSSI_THRESHOLD_DBM,
        dwell_seconds: float = DEFAULT_DWELL_SECONDS,
        max_gap_seconds: float = DEFAULT_MAX_GAP_SECONDS,
        rearm_seconds: float = DEFAULT_REARM_SECONDS,
    ) -> None:
        if dwell_seconds < 0:
            raise ConfigError(f"dwell_seconds must be >= 0, got {dwell_seconds}")
        if max_gap_seconds <= 0:
            raise ConfigError(f"max_gap_seconds must be > 0, got {max_gap_seconds}")
        if rearm_seconds < max_gap_seconds:
            raise ConfigError(
                f"rearm_seconds ({rearm_seconds}) must be >= max_gap_seconds ({max_gap_seconds}): a beacon "
                "cannot count as gone before a silence counts as a break"
            )
        self.rssi_threshold_dbm = rssi_threshold_dbm
        self._dwell = timedelta(seconds=dwell_seconds)
        self._max_gap = timedelta(seconds=max_gap_seconds)
        self._rearm = timedelta(seconds=rearm_seconds)
        # Least recently heard first, so forgetting stale beacons stops at the first fresh one.
        self._present: OrderedDict[int, _Presence] = OrderedDict()

    def observe(self, checkpoint_id: int, token: bytes, rssi_dbm: int, at: datetime) -> Tap | None:
        """Feed one report of a checkpoint's beacon; return a Tap when this report completes one."""
        if rssi_dbm < self.rssi_threshold_dbm:
            return None  # too far: it neither extends a run nor breaks one; only silence does
        self._forget_stale(at)
        presence = self._present.get(checkpoint_id)
        if presence is None:
            presence = _Presence(started_at=at, last_at=at, token=token, strongest_dbm=rssi_dbm, tapped=False)
            self._present[checkpoint_id] = presence
        else:
            silence = at - presence.last_at
            if silence < timedelta(0) or silence > self._max_gap:
                # The run broke (or the clock stepped back): dwell starts again from this report.
                presence.started_at = at
                presence.strongest_dbm = rssi_dbm
                presence.tapped = presence.tapped and not silence >= self._rearm
            else:
                presence.strongest_dbm = max(presence.strongest_dbm, rssi_dbm)
            presence.last_at = at
            presence.token = token
            self._present.move_to_end(checkpoint_id)
        if presence.tapped or at - presence.started_at < self._dwell:
            return None
        presence.tapped = True
        return Tap(checkpoint_id, presence.token, presence.strongest_dbm, at)

    def _forget_stale(self, at: datetime) -> None:
        # A beacon silent for longer than the re-arm time is re-armed anyway: dropping it is the same.
        while self._present:
            checkpoint_id, oldest = next(iter(self._present.items()))
            if len(self._present) < MAX_TRACKED_BEACONS and at - oldest.last_at <= self._rearm:
                return
            del self._present[checkpoint_id]


# -- advertising ------------------------------------------------------------------------------------


def band_name(band_id: int) -> str:
    return f"{BAND_NAME_PREFIX}{band_id:05d}"


def band_advertising_data(advert: ble.BandAdvert, name: str) -> tuple[bytes, bytes]:
    """(advertising data, scan response data) for `advert`, each within a legacy 31-byte PDU.

    The name goes in the scan response, and also in the advert when it fits: passive scanners
    never see a scan response.
    """
    manufacturer_data = ble.COMPANY_ID.to_bytes(_COMPANY_ID_BYTES, "little") + bytes(advert)
    structures: list[tuple[int, bytes]] = [
        (AdvertisingData.FLAGS, bytes((_FLAGS,))),
        (AdvertisingData.MANUFACTURER_SPECIFIC_DATA, manufacturer_data),
    ]
    name_bytes = name.encode()
    for ad_type, value in (
        (AdvertisingData.COMPLETE_LIST_OF_16_BIT_SERVICE_CLASS_UUIDS, _ADVERTISED_SERVICE_UUIDS),
        (AdvertisingData.COMPLETE_LOCAL_NAME, name_bytes),
    ):
        if len(bytes(AdvertisingData([*structures, (ad_type, value)]))) <= LEGACY_ADVERTISING_BYTES:
            structures.append((ad_type, value))
    scan_response = bytes(AdvertisingData([(AdvertisingData.COMPLETE_LOCAL_NAME, name_bytes)]))
    return bytes(AdvertisingData(structures)), scan_response


def _beacon_advert(advertisement: Advertisement) -> ble.BeaconAdvert | None:
    # Several manufacturer structures may be present (a scan response appended to the advert).
    for data in advertisement.data.get_all(AdvertisingData.MANUFACTURER_SPECIFIC_DATA, raw=True):
        if len(data) < _COMPANY_ID_BYTES or int.from_bytes(data[:_COMPANY_ID_BYTES], "little") != ble.COMPANY_ID:
            continue
        advert = ble.decode_advert(data[_COMPANY_ID_BYTES:])
        if isinstance(advert, ble.BeaconAdvert):
            return advert
    return None


# -- the band ---------------------------------------------------------------------------------------


def _noop(_band: Band) -> None:
    return None


class BleBand:
    """One segment-mode `Band` on one bumble `Device`: scanner, advertiser and GATT server."""

    def __init__(
        self,
        band: Band,
        device: Device,
        *,
        now: Callable[[], datetime],
        rssi_threshold_dbm: int = DEFAULT_RSSI_THRESHOLD_DBM,
        dwell_seconds: float = DEFAULT_DWELL_SECONDS,
        max_gap_seconds: float = DEFAULT_MAX_GAP_SECONDS,
        rearm_seconds: float = DEFAULT_REARM_SECONDS,
        advertising_interval_ms: float = DEFAULT_BAND_INTERVAL_MS,
        idle_advertising_interval_ms: float = DEFAULT_IDLE_INTERVAL_MS,
        scan_for_beacons: bool = True,
        manufacturer: str = "Lane Stewards",
        model: str = "LS-Band 1",
        firmware_revision: str = "1.0.0",
    ) -> None:
        if band.mode != "segment":
            raise ConfigError(
                f"band {band.band_id}: a BLE band uploads log segments; build it with Band(profile, mode='segment')"
            )
        if min(advertising_interval_ms, idle_advertising_interval_ms) < MIN_INTERVAL_MS:
            raise ConfigError(
                f"band {band.band_id}: advertising intervals must be >= {MIN_INTERVAL_MS} ms, "
                f"got {advertising_interval_ms} and {idle_advertising_interval_ms} (idle)"
            )
        self.band = band
        self.device = device
        self.name = band_name(band.band_id)
        self.clock = BandClock(now)
        self.detector = TapDetector(
            rssi_threshold_dbm=rssi_threshold_dbm,
            dwell_seconds=dwell_seconds,
            max_gap_seconds=max_gap_seconds,
            rearm_seconds=rearm_seconds,
        )
        self.gatt = BandGattServer(
            band, device, self.clock, manufacturer=manufacturer, model=model, firmware_revision=firmware_revision
        )
        self.taps = 0
        self._interval_ms = advertising_interval_ms
        self._idle_interval_ms = idle_advertising_interval_ms
        # A fleet replaying planned patrols makes its check-ins itself; its bands need not listen.
        self._scanning = scan_for_beacons
        self._connections: set[Connection] = set()
        self._refresh = asyncio.Event()
        self._refresher: asyncio.Task[None] | None = None
        # Held around every sequence of HCI commands: a task cancelled while bumble awaits a
        # command's response leaves the host expecting it, so stop() cancels only between them.
        self._radio = asyncio.Lock()
        self._advertised: tuple[bytes, bytes] | None = None
        self._chained_pending_hook: Callable[[Band], None] = _noop
        self._started = False

    @property
    def connected(self) -> bool:
        """Whether a central (a gateway) is connected to the band now."""
        return bool(self._connections)

    def advert(self) -> ble.BandAdvert:
        """What the band advertises in its current state."""
        return ble.BandAdvert(self.band.band_id, len(self.band.flash), self.band.battery_pct)

    async def start(self) -> None:
        """Power the device on if needed, install the GATT services, advertise and scan."""
        if self._started:
            return
        device = self.device
        if not device.powered_on:
            await device.power_on()
        self.gatt.install()
        self._chained_pending_hook = self.band.on_pending_changed
        self.band.on_pending_changed = self._on_pending_changed
        device.on(Device.EVENT_ADVERTISEMENT, self._on_advertisement)
        device.on(Device.EVENT_CONNECTION, self._on_connection)
        self._started = True
        self._advertised = None
        async with self._radio:
            await self._apply_advertising()
            if self._scanning:
                # Passive: beacons are not scannable, and a band's battery should not pay for scan requests.
                await device.start_scanning(active=False, filter_duplicates=False)
        self._refresher = asyncio.get_running_loop().create_task(
            self._refresh_loop(), name=f"band-{self.band.band_id}-ble-advertising"
        )
        logger.debug("band %d: BLE started as %s", self.band.band_id, self.name)

    async def stop(self) -> None:
        """Stop scanning and advertising and drop any connection; `start()` may be called again."""
        if not self._started:
            return
        self._started = False
        device = self.device
        device.remove_listener(Device.EVENT_ADVERTISEMENT, self._on_advertisement)
        device.remove_listener(Device.EVENT_CONNECTION, self._on_connection)
        self.band.on_pending_changed = self._chained_pending_hook
        await self.gatt.close()
        async with self._radio:
            if self._refresher is not None:
                self._refresher.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await self._refresher
                self._refresher = None
            if self._scanning:
                await device.stop_scanning()
            await device.stop_advertising()
            for connection in list(self._connections):
                with contextlib.suppress(BaseBumbleError):
                    await connection.disconnect()

    # -- scanning ---------------------------------------------------------------------------------

    def _on_advertisement(self, advertisement: Advertisement) -> None:
        if advertisement.rssi == _RSSI_NOT_AVAILABLE_DBM:
            return
        beacon = _beacon_advert(advertisement)
        if beacon is None:
            return
        tap = self.detector.observe(beacon.checkpoint_id, beacon.token, advertisement.rssi, self.clock.host_now())
        if tap is not None:
            self._log_tap(tap)

    def _log_tap(self, tap: Tap) -> None:
        event = PlannedEvent(
            at_ms=epoch_ms(tap.at) + self.clock.offset_ms,
            kind=Kind.PATROL_CHECKIN,
            checkpoint_id=tap.checkpoint_id,
            segment_id=0,
            beacon_token=tap.token,
            rssi_dbm=min(max(tap.rssi_dbm, RSSI_MIN_DBM), RSSI_MAX_DBM),
            detail=0,
        )
        try:
            record = self.band.make_record(event)
        except (SimulatorError, WireError) as error:
            logger.error(
                "band %d: could not log a tap at checkpoint %d (%s): check the band's clock and boot counter",
                self.band.band_id,
                tap.checkpoint_id,
                error,
            )
            return
        self.taps += 1
        logger.debug("band %d: tapped checkpoint %d as record %s", self.band.band_id, tap.checkpoint_id, record.key)

    # -- connections and advertising ------------------------------------------------------------

    def _on_pending_changed(self, band: Band) -> None:
        self._chained_pending_hook(band)
        self._refresh.set()

    def _on_connection(self, connection: Connection) -> None:
        if connection.transport != PhysicalTransport.LE or connection.role != hci.Role.PERIPHERAL:
            return
        self._connections.add(connection)
        connection.on(Connection.EVENT_DISCONNECTION, lambda reason: self._on_disconnection(connection, reason))
        logger.debug("band %d: central %s connected", self.band.band_id, connection.peer_address)
        self._refresh.set()

    def _on_disconnection(self, connection: Connection, reason: int) -> None:
        self._connections.discard(connection)
        self.gatt.connection_lost(connection)
        logger.debug(
            "band %d: central %s disconnected (HCI reason 0x%02x)", self.band.band_id, connection.peer_address, reason
        )
        self._refresh.set()

    async def _refresh_loop(self) -> None:
        while True:
            await self._refresh.wait()
            self._refresh.clear()
            try:
                async with self._radio:
                    await self._apply_advertising()
                    await self.gatt.notify_battery_if_changed()
            except (BaseBumbleError, TimeoutError) as error:
                logger.warning(
                    "band %d: could not update its advertisement (%r); gateways see stale data until the "
                    "next change: check the band's controller",
                    self.band.band_id,
                    error,
                )

    async def _apply_advertising(self) -> None:
        device = self.device
        if self._connections:
            # One central at a time: the controller stopped advertising when this one connected.
            if device.is_advertising:
                await device.stop_advertising()
            self._advertised = None
            return
        advert = self.advert()
        data = band_advertising_data(advert, self.name)
        if data == self._advertised and device.is_advertising:
            return
        advertising_data, scan_response_data = data
        interval_ms = self._interval_ms if advert.pending else self._idle_interval_ms
        await device.start_advertising(
            advertising_type=AdvertisingType.UNDIRECTED_CONNECTABLE_SCANNABLE,
            advertising_data=advertising_data,
            scan_response_data=scan_response_data,
            advertising_interval_min=interval_ms,
            advertising_interval_max=interval_ms,
        )
        self._advertised = data
