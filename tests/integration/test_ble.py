"""Bluetooth LE end to end on the emulated radio: taps, tokens, syncs that break, two gateways.

Bands, beacons and gateways are bumble host stacks on `radio.Radio`; the gateway's central speaks
bleak's public API through the Bumble backend; records land in SQLite and in TimescaleDB.
"""

from __future__ import annotations

import dataclasses
from datetime import timedelta

from bleak import BleakClient, BleakScanner
from bleak.backends.device import BLEDevice
from bleak.backends.scanner import AdvertisementData
from sqlalchemy import Engine, func, select

from scoring.accounts.principal import Principal
from scoring.accounts.roles import Role
from scoring.registry.claiming import claim_segment
from scoring.seed.dataset import Dataset
from scoring.storage import tables as t
from scoring.storage.engine import session_factory
from stewards.ble import gateway_backend
from tests.integration.ble_field import STATION, Field, patrol_records, profile_of, run_scenario, utc_now, wait_until
from wire import ble

STEWARD = "韩险峰"  # 17号楼北侧路's steward
WALKER = "黄秋"
BEACON_SPACING_M = 8.0
SYNC_TIMEOUT_SECONDS = 60.0


def _stored(engine: Engine) -> list[tuple[int, int, int, int]]:
    with session_factory(engine)() as s:
        return sorted(
            s.execute(select(t.CheckIn.band_id, t.CheckIn.boot, t.CheckIn.seq, t.CheckIn.checkpoint_id)).all()
        )


def _quarantined(engine: Engine) -> list[str]:
    with session_factory(engine)() as s:
        return sorted(s.scalars(select(t.Quarantine.reason)))


def test_a_steward_walks_past_three_beacons_and_syncs_at_the_station(seeded: Engine, longtan: Dataset) -> None:
    # 黄秋 claims a free segment with three checkpoints (the data set's claimed ones have two) and walks it.
    walker = next(s for s in longtan.stewards if s.name == WALKER)
    with session_factory(seeded).begin() as s:
        steward = s.scalars(select(t.Steward).where(t.Steward.key == walker.key)).one()
        held = select(t.Claim.segment_id).where(t.Claim.valid_to.is_(None))
        three = (select(t.Checkpoint.segment_id).group_by(t.Checkpoint.segment_id)
                 .having(func.count() == 3))
        segment = s.scalars(select(t.Segment.id).join(t.Lane, t.Segment.lane_id == t.Lane.id).where(
            t.Lane.subdistrict_id == steward.subdistrict_id, t.Segment.id.in_(three), t.Segment.id.not_in(held))
            .order_by(t.Segment.id)).first()
        assert segment is not None, "the walk needs a free segment with three checkpoints"
        claim_segment(s, Principal(0, "huangqiu", Role.STEWARD, steward_id=steward.id), segment,
                      now=utc_now() - timedelta(days=1))
    profile = profile_of(seeded, longtan, WALKER)
    checkpoints = next(route.checkpoints for route in profile.routes if route.segment_id == segment)

    async def scenario() -> tuple[int, int]:
        lane = Field()
        try:
            for n, checkpoint in enumerate(checkpoints):
                await lane.beacon(checkpoint, n * BEACON_SPACING_M)
            async with lane.band(profile, at=(-6.0, 0.0), dwell_seconds=1.0) as band:
                # Walk the lane: stop a moment at each checkpoint, as stewards do, then move on.
                for n in range(len(checkpoints)):
                    await band.move_to(n * BEACON_SPACING_M - 1.0)
                    await wait_until(lambda n=n: band.ble.taps == n + 1, 10.0, f"tap {n + 1}")
                await band.move_to(*STATION)
                async with lane.gateway(seeded, at=(STATION[0], 3.0)) as gateway:
                    await wait_until(lambda: band.pending == 0, SYNC_TIMEOUT_SECONDS, "the sync at the station")
                    return band.ble.taps, gateway.counters.snapshot().committed
        finally:
            await lane.close()

    taps, committed = run_scenario(scenario)
    assert taps == committed == 3
    assert [row[3] for row in _stored(seeded)] == [cp.checkpoint_id for cp in checkpoints]
    assert _quarantined(seeded) == []


def test_copied_and_foreign_tokens_are_refused_with_their_reasons(seeded: Engine, longtan: Dataset) -> None:
    profile = profile_of(seeded, longtan, STEWARD)
    genuine, other = profile.routes[0].checkpoints[:2]
    # A clone that replays what the genuine beacon advertised an hour ago, and a clone of the genuine
    # beacon moved to the other checkpoint, announcing that checkpoint's id.
    replaying_clone = genuine
    impostor = dataclasses.replace(other, beacon_secret=genuine.beacon_secret)

    async def scenario() -> int:
        lane = Field()
        try:
            await lane.beacon(replaying_clone, 0.0, now=lambda: utc_now() - timedelta(hours=1))
            await lane.beacon(impostor, 100.0)
            async with lane.band(profile, at=(0.0, 0.0), dwell_seconds=1.0) as band:
                await wait_until(lambda: band.ble.taps == 1, 10.0, "the tap at the clone")
                await band.move_to(100.0, 0.0)
                await wait_until(lambda: band.ble.taps == 2, 10.0, "the tap at the impostor")
                await band.move_to(*STATION)
                async with lane.gateway(seeded):
                    # Refused records are acked REFUSED, so the band frees them: nothing is retried for ever.
                    await wait_until(lambda: band.pending == 0, SYNC_TIMEOUT_SECONDS, "the sync")
                return band.ble.taps
        finally:
            await lane.close()

    assert run_scenario(scenario) == 2
    assert _stored(seeded) == []
    assert _quarantined(seeded) == ["token_stale", "wrong_beacon"]


def test_a_link_lost_mid_sync_loses_nothing_and_stores_nothing_twice(seeded: Engine, longtan: Dataset) -> None:
    profile = profile_of(seeded, longtan, STEWARD)
    records = 1_000

    async def scenario() -> tuple[int, int]:
        lane = Field()
        async with lane.band(profile, at=STATION) as band, lane.gateway(seeded, at=(STATION[0], 3.0)) as gateway:
            patrol_records(band.band, profile.routes[0].checkpoints, records, utc_now() - timedelta(hours=6))
            await wait_until(lambda: gateway.stats.segments >= 2, SYNC_TIMEOUT_SECONDS, "the first segments")
            await band.move_to(5_000.0, 0.0)  # the steward walks off: the link drops mid-sync
            await wait_until(lambda: gateway.stats.links_lost >= 1, 10.0, "the gateway to notice the lost link")
            assert band.pending > 0
            await band.move_to(*STATION)
            await wait_until(lambda: band.pending == 0, SYNC_TIMEOUT_SECONDS, "the resumed sync")
            return gateway.stats.links_lost, gateway.counters.snapshot().committed

    links_lost, committed = run_scenario(scenario)
    stored = _stored(seeded)
    assert links_lost >= 1
    assert committed == len(stored) == len(set(stored)) == records
    assert set(_quarantined(seeded)) <= {"replay"}  # resent records that had been stored before the drop


def test_two_gateways_covering_one_lane_store_each_record_once(seeded: Engine, longtan: Dataset) -> None:
    profile = profile_of(seeded, longtan, STEWARD)
    records = 300

    async def scenario() -> tuple[int, int]:
        lane = Field()
        async with lane.band(profile, at=STATION) as band, \
                lane.gateway(seeded, 1, at=(STATION[0] - 3.0, 0.0)) as station, \
                lane.gateway(seeded, 2, at=(STATION[0] + 3.0, 0.0)) as chiefs_phone:
            patrol_records(band.band, profile.routes[0].checkpoints, records, utc_now() - timedelta(hours=3))
            await wait_until(lambda: band.pending == 0, SYNC_TIMEOUT_SECONDS, "the sync")
            return (station.counters.snapshot().committed, chiefs_phone.counters.snapshot().committed)

    first, second = run_scenario(scenario)
    stored = _stored(seeded)
    assert first + second == len(stored) == len(set(stored)) == records


def test_a_script_on_bleaks_public_api_reads_a_simulated_bands_battery(seeded: Engine, longtan: Dataset) -> None:
    """What an operator's own tool would do: scan, connect, read the standard battery level."""
    profile = profile_of(seeded, longtan, STEWARD)

    async def script(scanner_backend: type, client_backend: type) -> tuple[str | None, int, int]:
        def is_the_band(_device: BLEDevice, advertisement: AdvertisementData) -> bool:
            payload = advertisement.manufacturer_data.get(ble.COMPANY_ID, b"")
            advert = ble.decode_advert(payload)
            return isinstance(advert, ble.BandAdvert) and advert.band_id == profile.band_id

        device = await BleakScanner.find_device_by_filter(is_the_band, timeout=10.0, backend=scanner_backend)
        assert device is not None, "the band was not found by scanning"
        async with BleakClient(device, backend=client_backend) as client:
            battery = await client.read_gatt_char(ble.BATTERY_LEVEL_CHAR_UUID)
            model = await client.read_gatt_char(ble.MODEL_NUMBER_CHAR_UUID)
            return device.name, battery[0], len(model)

    async def scenario() -> tuple[tuple[str | None, int, int], int]:
        lane = Field()
        async with lane.band(profile, at=STATION) as band, gateway_backend(lane.radio, 9, STATION) as backend:
            band.band.battery_pct = 64
            assert backend.scanner is not None and backend.client is not None
            return await script(backend.scanner, backend.client), band.band.battery_pct

    (name, battery, model_length), expected_battery = run_scenario(scenario)
    assert name == f"LS-{profile.band_id:05d}"
    assert battery == expected_battery == 64
    assert model_length > 0
