"""A wristband over BLE: tap detection (pure), taps heard on bumble's radio, and log sync over GATT.

The radio is bumble's in-process emulation (`LocalLink`, one `Controller` per device), where every
advert is heard at -50 dBm: thresholds above and below that put a beacon out of and in range.
The central in the sync tests is bumble's own GATT client (`Peer`).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable, Coroutine
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from bumble import att
from bumble.controller import Controller
from bumble.core import UUID, AdvertisingData
from bumble.device import Advertisement, Connection, Device, Peer
from bumble.gatt_client import CharacteristicProxy
from bumble.hci import Address
from bumble.host import Host
from bumble.link import LocalLink
from bumble.transport.common import AsyncPipeSink

import wire
from firmware_sim import Band, BandProfile, CheckpointPlan, ConfigError, PlannedEvent, SimClock
from firmware_sim.ble_band import BleBand, Tap, TapDetector, band_advertising_data, band_name
from firmware_sim.ble_beacon import BleBeacon
from wire import AckStatus, Kind, beacon_token, ble, epoch_ms, window_index

START_AT = datetime(2024, 5, 6, 9, 2, 0, tzinfo=UTC)  # mid-window: no token rotation during a test
EMULATED_RSSI_DBM = -50
BAND_ADDRESS = "F0:00:00:00:00:0B"
BEACON_ADDRESS = "F0:00:00:00:00:0C"
CENTRAL_ADDRESS = "F0:00:00:00:00:0D"
CHECKPOINT = CheckpointPlan(checkpoint_id=7001, position_m=5.0, beacon_secret=b"checkpoint-7001")
STEP = timedelta(seconds=0.5)
WAIT_SECONDS = 5.0

ProfileFactory = Callable[..., BandProfile]


def run(scenario: Callable[[], Coroutine[Any, Any, None]]) -> None:
    asyncio.run(scenario())


def new_device(link: LocalLink, name: str, address: str) -> Device:
    controller = Controller(name, link=link)
    return Device(name=name, address=Address(address), host=Host(controller, AsyncPipeSink(controller)))


# -- the tap detector ---------------------------------------------------------------------------------

Report = tuple[float, int, int]  # (seconds after START_AT, checkpoint, rssi dBm)


def reports(start: float, stop: float, checkpoint: int = 1, rssi: int = -60) -> list[Report]:
    """A report every 0.5 s from `start` to `stop` inclusive."""
    count = round((stop - start) / 0.5)
    return [(start + 0.5 * index, checkpoint, rssi) for index in range(count + 1)]


def taps_of(observations: list[Report]) -> list[tuple[float, int]]:
    detector = TapDetector(rssi_threshold_dbm=-70, dwell_seconds=2.0, max_gap_seconds=1.5, rearm_seconds=60.0)
    taps: list[tuple[float, int]] = []
    for seconds, checkpoint, rssi in observations:
        tap = detector.observe(checkpoint, b"token-01", rssi, START_AT + timedelta(seconds=seconds))
        if tap is not None:
            taps.append(((tap.at - START_AT).total_seconds(), tap.checkpoint_id))
    return taps


@pytest.mark.parametrize(
    ("observations", "expected"),
    [
        (reports(0, 2), [(2.0, 1)]),
        (reports(0, 1.5), []),
        (reports(0, 1) + reports(2.6, 4.6), [(4.6, 1)]),
        ([(0, 1, -60), (0.5, 1, -80), (1, 1, -80), (1.5, 1, -80), (2, 1, -60)], []),
        ([(0, 1, -60), (0.5, 1, -80), (1, 1, -60), (1.5, 1, -60), (2, 1, -60)], [(2.0, 1)]),
        (reports(0, 1.5, rssi=-70) + [(2, 1, -70)], [(2.0, 1)]),
        (reports(0, 2, rssi=-71), []),
        (reports(0, 30), [(2.0, 1)]),
        (reports(0, 5) + reports(30, 35), [(2.0, 1)]),
        (reports(0, 5) + reports(65.5, 70), [(2.0, 1), (67.5, 1)]),
        (reports(0, 5) + reports(5.5, 70, rssi=-90) + reports(70.5, 75), [(2.0, 1), (72.5, 1)]),
        (sorted(reports(0, 3, checkpoint=1) + reports(1, 3, checkpoint=2)), [(2.0, 1), (3.0, 2)]),
        (reports(0, 1) + reports(0.2, 2.2), [(2.2, 1)]),
    ],
    ids=[
        "dwell-reached",
        "too-short",
        "gap-restarts-dwell",
        "weak-reports-do-not-bridge-a-gap",
        "a-weak-report-inside-the-gap-is-tolerated",
        "at-threshold-counts",
        "just-below-threshold",
        "no-storm-while-standing-there",
        "short-absence-does-not-rearm",
        "long-absence-rearms",
        "below-threshold-counts-as-absence",
        "beacons-are-independent",
        "clock-stepping-back-restarts-dwell",
    ],
)
def test_tap_detection(observations: list[Report], expected: list[tuple[float, int]]) -> None:
    assert taps_of(observations) == expected


def test_a_tap_carries_the_latest_token_and_the_strongest_rssi_of_the_dwell() -> None:
    detector = TapDetector(rssi_threshold_dbm=-70, dwell_seconds=1.0)
    at = START_AT
    assert detector.observe(9, b"old-tokn", -65, at) is None
    assert detector.observe(9, b"old-tokn", -52, at + STEP) is None
    tap = detector.observe(9, b"new-tokn", -61, at + 2 * STEP)
    assert tap == Tap(checkpoint_id=9, token=b"new-tokn", rssi_dbm=-52, at=at + 2 * STEP)


@pytest.mark.parametrize(
    "settings",
    [{"dwell_seconds": -1.0}, {"max_gap_seconds": 0.0}, {"max_gap_seconds": 5.0, "rearm_seconds": 4.0}],
    ids=["negative-dwell", "zero-gap", "rearm-shorter-than-gap"],
)
def test_the_detector_refuses_settings_that_cannot_work(settings: dict[str, float]) -> None:
    with pytest.raises(ConfigError):
        TapDetector(**settings)  # type: ignore[arg-type]


# -- advertising data ---------------------------------------------------------------------------------


def test_the_band_advert_golden_bytes_with_the_name_when_it_fits() -> None:
    advertising, scan_response = band_advertising_data(ble.BandAdvert(7, 3, 90), band_name(7))
    assert advertising == bytes.fromhex(
        "020106" "0bffffff" "01" "00000007" "0003" "5a" "05030f180a18" "0909" + b"LS-00007".hex()
    )
    assert scan_response == bytes.fromhex("0909") + b"LS-00007"


def test_a_long_band_name_moves_to_the_scan_response_only() -> None:
    advertising, scan_response = band_advertising_data(ble.BandAdvert(4_000_000_000, 0, 5), band_name(4_000_000_000))
    assert len(advertising) <= 31 and b"LS-" not in advertising
    assert b"\x0f\x18\x0a\x18" in advertising
    assert scan_response == bytes.fromhex("0e09") + b"LS-4000000000"


def test_a_ble_band_needs_segment_mode(make_profile: ProfileFactory) -> None:
    async def scenario() -> None:
        device = new_device(LocalLink(), "band", BAND_ADDRESS)
        with pytest.raises(ConfigError):
            BleBand(Band(make_profile(7), mode="live"), device, now=lambda: START_AT)

    run(scenario)


# -- taps on the radio ------------------------------------------------------------------------------


async def dwell_beside_beacon(band: BleBand, clock: SimClock, beacon_reports: int) -> None:
    """Let the band hear `beacon_reports` beacon adverts, the clock moving 0.5 s after each.

    This listener is registered after the band's own, so the band sees each report at the time
    before the step: the band's observations are exactly 0.5 s apart.
    """
    heard = 0
    enough = asyncio.Event()

    def on_advertisement(advertisement: Advertisement) -> None:
        nonlocal heard
        if advertisement.address != Address(BEACON_ADDRESS) or enough.is_set():
            return
        heard += 1
        clock.advance_to(clock.now() + STEP)
        if heard == beacon_reports:
            enough.set()

    band.device.on(Device.EVENT_ADVERTISEMENT, on_advertisement)
    try:
        async with asyncio.timeout(WAIT_SECONDS):
            await enough.wait()
    finally:
        band.device.remove_listener(Device.EVENT_ADVERTISEMENT, on_advertisement)


@contextlib.asynccontextmanager
async def band_beside_beacon(profile: BandProfile, clock: SimClock, threshold_dbm: int) -> AsyncIterator[BleBand]:
    """A started band beside a started beacon; both stop however the test ends."""
    link = LocalLink()
    beacon_device = new_device(link, "beacon", BEACON_ADDRESS)
    beacon = BleBeacon(CHECKPOINT, beacon_device, now=clock.now, advertising_interval_ms=20)
    band = BleBand(
        Band(profile, mode="segment"),
        new_device(link, "band", BAND_ADDRESS),
        now=clock.now,
        rssi_threshold_dbm=threshold_dbm,
        dwell_seconds=2.0,
    )
    await band.start()
    await beacon.start()
    try:
        yield band
    finally:
        await beacon.stop()
        await band.stop()


@pytest.mark.parametrize("clock_offset_ms", [0, 60_000], ids=["host-clock", "clock-set-by-a-gateway"])
def test_a_band_beside_a_beacon_for_the_dwell_time_logs_one_checkin(
    make_profile: ProfileFactory, clock_offset_ms: int
) -> None:
    clock = SimClock(START_AT)

    async def scenario() -> None:
        async with band_beside_beacon(make_profile(7), clock, threshold_dbm=EMULATED_RSSI_DBM - 10) as band:
            band.clock.set_ms(epoch_ms(START_AT) + clock_offset_ms)  # what a write to `time` does
            await dwell_beside_beacon(band, clock, beacon_reports=20)  # ten seconds beside it
            assert band.taps == 1
            (record,) = band.band.records_made()
            assert record.kind is Kind.PATROL_CHECKIN
            assert record.checkpoint_id == CHECKPOINT.checkpoint_id
            assert record.beacon_token == beacon_token(CHECKPOINT.beacon_secret, window_index(START_AT))
            assert record.rssi_dbm == EMULATED_RSSI_DBM
            assert record.event_at_ms == epoch_ms(START_AT) + clock_offset_ms + 2000
            assert len(band.band.flash) == 1

    run(scenario)


def test_a_beacon_heard_below_the_threshold_logs_nothing(make_profile: ProfileFactory) -> None:
    clock = SimClock(START_AT)

    async def scenario() -> None:
        async with band_beside_beacon(make_profile(7), clock, threshold_dbm=EMULATED_RSSI_DBM + 10) as band:
            await dwell_beside_beacon(band, clock, beacon_reports=20)
            assert band.taps == 0
            assert band.band.records_made() == ()

    run(scenario)


# -- log sync over GATT -------------------------------------------------------------------------------


class LogCollector:
    """The central's side of the `log` characteristic: reassembled frames, and end-of-sync."""

    def __init__(self) -> None:
        self.reassembler = ble.Reassembler()
        self.frames: list[bytes] = []
        self.got_frame = asyncio.Event()
        self.ended = asyncio.Event()

    def __call__(self, value: bytes) -> None:
        frame = self.reassembler.feed(value)
        if frame is not None:
            self.frames.append(frame)
            self.got_frame.set()
        elif self.reassembler.end_of_sync:
            self.ended.set()

    def keys(self) -> list[tuple[int, int, int]]:
        keys: list[tuple[int, int, int]] = []
        for frame in self.frames:
            segment = wire.decode_uplink(frame)
            assert isinstance(segment, wire.LogSegment)
            keys.extend(record.key for record in segment.records)
        return keys


class Gateway:
    """A bare central on bumble's GATT client: connect, find the band's characteristics, sync."""

    def __init__(self, device: Device) -> None:
        self.device = device
        self.connection: Connection | None = None
        self.peer: Peer | None = None

    async def connect(self) -> Peer:
        # bumble's own connect timeout cancels through the controller, which the emulation never
        # answers; a timeout around the whole call does end it.
        async with asyncio.timeout(WAIT_SECONDS):
            self.connection = await self.device.connect(Address(BAND_ADDRESS))
        self.peer = Peer(self.connection)
        await self.peer.request_mtu(247)
        await self.peer.discover_all()
        return self.peer

    def characteristic(self, uuid: str) -> CharacteristicProxy[bytes]:
        assert self.peer is not None
        (found,) = self.peer.get_characteristics_by_uuid(UUID(uuid))
        return found

    async def read(self, uuid: str) -> bytes:
        assert self.peer is not None
        return bytes(await self.peer.read_value(self.characteristic(uuid)))

    async def write(self, uuid: str, value: bytes) -> None:
        assert self.peer is not None
        await self.peer.write_value(self.characteristic(uuid), value, with_response=True)

    async def sync(self, collector: LogCollector) -> None:
        assert self.peer is not None
        await self.peer.subscribe(self.characteristic(ble.LOG_CHAR_UUID), collector)
        await self.write(ble.CONTROL_CHAR_UUID, bytes((ble.CONTROL_SYNC,)))

    async def disconnect(self) -> None:
        assert self.connection is not None
        await self.connection.disconnect()
        self.connection = self.peer = None

    async def next_band_advert(self) -> ble.BandAdvert:
        """The band's advert, decoded from the next advertisement the central hears from it."""
        heard: asyncio.Future[ble.BandAdvert] = asyncio.get_running_loop().create_future()

        def on_advertisement(advertisement: Advertisement) -> None:
            if advertisement.address != Address(BAND_ADDRESS) or heard.done():
                return
            (data, *_) = advertisement.data.get_all(AdvertisingData.MANUFACTURER_SPECIFIC_DATA, raw=True)
            assert int.from_bytes(data[:2], "little") == ble.COMPANY_ID
            advert = ble.decode_advert(data[2:])
            assert isinstance(advert, ble.BandAdvert)
            assert advertisement.data.get(AdvertisingData.COMPLETE_LOCAL_NAME) == band_name(advert.band_id)
            heard.set_result(advert)

        self.device.on(Device.EVENT_ADVERTISEMENT, on_advertisement)
        await self.device.start_scanning(active=False)
        try:
            async with asyncio.timeout(WAIT_SECONDS):
                return await heard
        finally:
            await self.device.stop_scanning()
            self.device.remove_listener(Device.EVENT_ADVERTISEMENT, on_advertisement)


def patrol_events(count: int) -> list[PlannedEvent]:
    return [
        PlannedEvent(
            at_ms=epoch_ms(START_AT) + 20_000 * number,
            kind=Kind.PATROL_CHECKIN,
            checkpoint_id=CHECKPOINT.checkpoint_id,
            segment_id=0,
            beacon_token=beacon_token(CHECKPOINT.beacon_secret, window_index(START_AT)),
            rssi_dbm=-60,
            detail=0,
        )
        for number in range(count)
    ]


@contextlib.asynccontextmanager
async def band_and_gateway(profile: BandProfile, records: int) -> AsyncIterator[tuple[BleBand, Gateway]]:
    """A started band holding `records` patrol records, and a central beside it; the band stops at the end."""
    clock = SimClock(START_AT)
    link = LocalLink()
    band = Band(profile, mode="segment", segment_records=10)
    for event in patrol_events(records):
        band.make_record(event)
    ble_band = BleBand(band, new_device(link, "band", BAND_ADDRESS), now=clock.now, advertising_interval_ms=20)
    central = new_device(link, "gateway", CENTRAL_ADDRESS)
    await central.power_on()
    await ble_band.start()
    try:
        yield ble_band, Gateway(central)
    finally:
        await ble_band.stop()


def ack_for(band_id: int, keys: list[tuple[int, int, int]]) -> bytes:
    return bytes(wire.Ack.from_outcomes(band_id, [(boot, seq, AckStatus.STORED) for _, boot, seq in keys]))


def test_a_gateway_syncs_the_log_acks_it_and_the_band_frees_every_record(make_profile: ProfileFactory) -> None:
    profile = make_profile(7)

    async def scenario() -> None:
        async with band_and_gateway(profile, records=25) as (ble_band, gateway):
            band = ble_band.band
            assert await gateway.next_band_advert() == ble.BandAdvert(7, 25, band.battery_pct)

            await gateway.connect()
            assert ble_band.connected
            assert ble.BandStatus.from_bytes(await gateway.read(ble.STATUS_CHAR_UUID)) == ble.BandStatus(7, 0, 25)
            assert await gateway.read(ble.BATTERY_LEVEL_CHAR_UUID) == bytes((band.battery_pct,))
            assert await gateway.read(ble.MODEL_NUMBER_CHAR_UUID) == b"LS-Band 1"
            assert await gateway.read(ble.MANUFACTURER_NAME_CHAR_UUID) == b"Lane Stewards"
            assert await gateway.read(ble.FIRMWARE_REVISION_CHAR_UUID) == b"1.0.0"

            collector = LogCollector()
            await gateway.sync(collector)
            async with asyncio.timeout(WAIT_SECONDS):
                await collector.ended.wait()
            made = [record.key for record in band.records_made()]
            assert collector.keys() == made
            assert len(collector.frames) == 3  # 10 + 10 + 5 records
            verify_key = wire.generate_keypair(profile.signing_seed)[1]
            assert all(wire.verify(wire.decode_uplink(frame), verify_key) for frame in collector.frames)

            await gateway.write(ble.ACK_CHAR_UUID, ack_for(7, collector.keys()))
            assert len(band.flash) == 0
            assert ble.BandStatus.from_bytes(await gateway.read(ble.STATUS_CHAR_UUID)).pending == 0

            await gateway.disconnect()
            # Advertising restarts after the disconnect, with nothing pending.
            assert await gateway.next_band_advert() == ble.BandAdvert(7, 0, band.battery_pct)
            assert not ble_band.connected

    run(scenario)


def test_records_sent_to_a_gateway_that_left_without_acking_are_sent_again(make_profile: ProfileFactory) -> None:
    async def scenario() -> None:
        async with band_and_gateway(make_profile(7), records=25) as (ble_band, gateway):
            made = [record.key for record in ble_band.band.records_made()]

            await gateway.connect()
            first = LogCollector()
            await gateway.sync(first)
            async with asyncio.timeout(WAIT_SECONDS):
                await first.got_frame.wait()
            await gateway.disconnect()
            assert first.keys() == made[: len(first.keys())] and first.keys()

            await gateway.connect()
            second = LogCollector()
            await gateway.sync(second)
            async with asyncio.timeout(WAIT_SECONDS):
                await second.ended.wait()
            assert second.keys() == made
            await gateway.write(ble.ACK_CHAR_UUID, ack_for(7, second.keys()))
            assert len(ble_band.band.flash) == 0
            await gateway.disconnect()

    run(scenario)


def test_a_new_record_notifies_the_battery_level_and_changes_the_advert(make_profile: ProfileFactory) -> None:
    async def scenario() -> None:
        async with band_and_gateway(make_profile(7), records=0) as (ble_band, gateway):
            assert await gateway.next_band_advert() == ble.BandAdvert(7, 0, 100)
            peer = await gateway.connect()
            levels: asyncio.Queue[bytes] = asyncio.Queue()
            await peer.subscribe(gateway.characteristic(ble.BATTERY_LEVEL_CHAR_UUID), levels.put_nowait)
            ble_band.band.make_record(patrol_events(1)[0])
            async with asyncio.timeout(WAIT_SECONDS):
                assert await levels.get() == bytes((99,))
            await gateway.disconnect()
            assert await gateway.next_band_advert() == ble.BandAdvert(7, 1, 99)

    run(scenario)


def test_a_gateway_sets_the_band_clock(make_profile: ProfileFactory) -> None:
    async def scenario() -> None:
        async with band_and_gateway(make_profile(7), records=0) as (ble_band, gateway):
            await gateway.connect()
            gateway_at_ms = epoch_ms(START_AT) + 3_600_000
            await gateway.write(ble.TIME_CHAR_UUID, ble.encode_time(gateway_at_ms))
            assert ble.decode_time(await gateway.read(ble.TIME_CHAR_UUID)) == gateway_at_ms
            assert ble_band.clock.offset_ms == 3_600_000
            await gateway.disconnect()

    run(scenario)


@pytest.mark.parametrize(
    ("uuid", "value", "error_code", "subscribe"),
    [
        (ble.TIME_CHAR_UUID, b"\x00" * 5, att.ErrorCode.INVALID_ATTRIBUTE_LENGTH, False),
        (ble.TIME_CHAR_UUID, ble.encode_time(0), att.ErrorCode.OUT_OF_RANGE, False),
        (ble.CONTROL_CHAR_UUID, b"\x07", att.ErrorCode.VALUE_NOT_ALLOWED, True),
        (ble.CONTROL_CHAR_UUID, b"\x01\x01", att.ErrorCode.INVALID_ATTRIBUTE_LENGTH, True),
        (ble.CONTROL_CHAR_UUID, bytes((ble.CONTROL_SYNC,)), att.ErrorCode.CCCD_IMPROPERLY_CONFIGURED, False),
    ],
    ids=["time-length", "time-before-2015", "unknown-opcode", "control-length", "sync-unsubscribed"],
)
def test_the_band_refuses_writes_it_cannot_act_on(
    make_profile: ProfileFactory, uuid: str, value: bytes, error_code: att.ErrorCode, subscribe: bool
) -> None:
    async def scenario() -> None:
        async with band_and_gateway(make_profile(7), records=3) as (ble_band, gateway):
            peer = await gateway.connect()
            if subscribe:
                await peer.subscribe(gateway.characteristic(ble.LOG_CHAR_UUID), LogCollector())
            with pytest.raises(att.ATT_Error) as refused:
                await gateway.write(uuid, value)
            assert refused.value.error_code == error_code
            assert ble_band.clock.offset_ms == 0
            assert ble_band.gatt.syncs_started == 0
            await gateway.disconnect()

    run(scenario)


def test_a_malformed_ack_frees_nothing(make_profile: ProfileFactory) -> None:
    async def scenario() -> None:
        async with band_and_gateway(make_profile(7), records=3) as (ble_band, gateway):
            await gateway.connect()
            await gateway.write(ble.ACK_CHAR_UUID, b"\x01\x03\x00")
            await gateway.write(ble.ACK_CHAR_UUID, ack_for(8, [(8, 0, 1)]))
            assert len(ble_band.band.flash) == 3
            assert ble_band.band.bad_acks == 2
            await gateway.disconnect()

    run(scenario)


# ATT caps an attribute value at 512 bytes; a longer ack must be split by the gateway.
ATT_MAX_VALUE_BYTES = ble.ATT_MAX_VALUE_BYTES
MAX_RANGES_PER_ACK_WRITE = ble.MAX_ACK_RANGES_PER_WRITE


def test_acks_up_to_the_att_limit_arrive_as_long_writes_and_longer_ones_are_refused(
    make_profile: ProfileFactory,
) -> None:
    async def scenario() -> None:
        records = 2 * MAX_RANGES_PER_ACK_WRITE + 1
        async with band_and_gateway(make_profile(7), records=records) as (ble_band, gateway):
            await gateway.connect()
            keys = [record.key for record in ble_band.band.records_made()]
            # Alternating statuses: one range per record, the worst case for an ack's size.
            outcomes = [(boot, seq, AckStatus(seq % 2)) for _, boot, seq in keys]
            too_long = bytes(wire.Ack.from_outcomes(7, outcomes[: MAX_RANGES_PER_ACK_WRITE + 1]))
            assert len(too_long) > ATT_MAX_VALUE_BYTES
            with pytest.raises(att.ATT_Error) as refused:
                await gateway.write(ble.ACK_CHAR_UUID, too_long)
            assert refused.value.error_code == att.ErrorCode.INVALID_ATTRIBUTE_LENGTH
            assert len(ble_band.band.flash) == records

            for ack in wire.acks_from_outcomes(7, outcomes, MAX_RANGES_PER_ACK_WRITE):
                await gateway.write(ble.ACK_CHAR_UUID, bytes(ack))
            assert len(ble_band.band.flash) == 0
            await gateway.disconnect()

    run(scenario)
