"""`stewards bench`, Bluetooth LE part: log sync over the emulated radio, against direct ingest.

(d) one band with 1,000 pending records syncs to one gateway: records/s from the gateway's first
    scan to the band's last freed record;
(e) 200 bands with pending records drain through one gateway: total records/s and time to drain.
The baseline for both is the same signed segments put through the gateway's pipeline directly
(verify → commit → ack, no radio), into the same kind of store in the same run: the ratio is what the
radio, GATT and the central's scheduling cost. Everything runs in one process on one event loop, as
bands and gateway share the emulated radio; on real hardware the bands' side costs the gateway nothing.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Final

from rich.console import Console
from sqlalchemy import Engine

import wire
from firmware_sim import Band, BandProfile, PlannedEvent
from firmware_sim.ble_band import BleBand
from gateway.ble import BleCentral
from gateway.counters import Counters
from gateway.inbound import NO_REPLY, Inbound
from gateway.pipeline import process_batch
from gateway.verify import Verifier
from radio import Radio
from scoring.ingest import IngestStore
from stewards.ble import gateway_backend, open_band_device

ONE_BAND_RECORDS: Final = 1_000
FLEET_BANDS: Final = 200
FLEET_RECORDS_PER_BAND: Final = 50
DRAIN_TIMEOUT_SECONDS: Final = 600.0
POLL_SECONDS: Final = 0.02


@dataclass(frozen=True)
class BleSizes:
    one_band_records: int
    fleet_bands: int
    records_per_band: int


def ble_sizes(quick: bool) -> BleSizes:
    return BleSizes(200, 20, 20) if quick else BleSizes(ONE_BAND_RECORDS, FLEET_BANDS, FLEET_RECORDS_PER_BAND)


def bench_ble(fresh_engine: Any, profiles: list[BandProfile], sizes: BleSizes, console: Console) -> dict[str, Any]:
    """`fresh_engine(name)` gives an empty registry-loaded store per measurement."""
    if len(profiles) < sizes.fleet_bands:
        raise ValueError(f"the BLE bench needs {sizes.fleet_bands} bands, the data set has {len(profiles)}")
    console.print(f"[bold]BLE (d)[/]: one band, {sizes.one_band_records} records")
    one = _compare(fresh_engine, profiles[:1], sizes.one_band_records, "ble_one")
    console.print(f"[bold]BLE (e)[/]: {sizes.fleet_bands} bands × {sizes.records_per_band} records")
    fleet = _compare(fresh_engine, profiles[: sizes.fleet_bands], sizes.records_per_band, "ble_fleet")
    return {"d_ble_one_band": one, "e_ble_fleet": fleet}


def _compare(fresh_engine: Any, profiles: list[BandProfile], per_band: int, name: str) -> dict[str, Any]:
    total = per_band * len(profiles)
    direct_seconds = _direct(fresh_engine(f"{name}_direct"), profiles, per_band)
    ble_seconds = asyncio.run(_over_the_air(fresh_engine(f"{name}_air"), profiles, per_band))
    return {
        "bands": len(profiles), "records": total,
        "ble_seconds_to_drain": round(ble_seconds, 2),
        "ble_records_per_second": round(total / ble_seconds),
        "baseline_direct_pipeline_records_per_second": round(total / direct_seconds),
        "ratio": round(direct_seconds / ble_seconds, 3),
    }


def _bands(profiles: list[BandProfile], per_band: int) -> list[Band]:
    """Bands holding `per_band` check-ins each, with the tokens their beacons advertised then."""
    first_at = datetime.now(UTC) - timedelta(hours=2)
    bands = []
    for profile in profiles:
        band = Band(profile, mode="segment")
        checkpoints = [cp for route in profile.routes for cp in route.checkpoints]
        for n in range(per_band):
            at = first_at + timedelta(seconds=5 * n)
            cp = checkpoints[n % len(checkpoints)]
            band.make_record(PlannedEvent(
                at_ms=wire.epoch_ms(at), kind=wire.Kind.PATROL_CHECKIN, checkpoint_id=cp.checkpoint_id, segment_id=0,
                beacon_token=wire.beacon_token(cp.beacon_secret, wire.window_index(at)), rssi_dbm=-60, detail=0))
        bands.append(band)
    return bands


def _direct(engine: Engine, profiles: list[BandProfile], per_band: int) -> float:
    """The same segments, signed beforehand, through verify → commit → ack with no radio."""
    inbound: list[Inbound] = []
    for band in _bands(profiles, per_band):
        band.end_patrol()
        inbound.extend(Inbound(band.band_id, upload.payload, NO_REPLY, f"ble:{band.band_id}")
                       for upload in band.take_uploads())
    store = IngestStore(engine, allow_demo_keys=True)  # the seed's registry: demo keys, allowed explicitly
    verifier = Verifier(store.load_directory())
    started = time.perf_counter()
    for segment in inbound:  # one segment per commit, as a sync commits them as they arrive
        process_batch([segment], verifier, store, Counters(), lambda: datetime.now(UTC))
    elapsed = time.perf_counter() - started
    engine.dispose()
    return elapsed


async def _over_the_air(engine: Engine, profiles: list[BandProfile], per_band: int) -> float:
    radio = Radio()
    bands = _bands(profiles, per_band)
    on_air = []
    for band in bands:
        opened = await open_band_device(radio, band.band_id)
        ble = BleBand(band, opened.device, now=lambda: datetime.now(UTC), scan_for_beacons=False)
        await ble.start()
        on_air.append((ble, opened))
    try:
        async with gateway_backend(radio, position=(0.0, 3.0)) as backend:
            store = IngestStore(engine, allow_demo_keys=True)
            central = BleCentral.for_store(store, lambda: datetime.now(UTC), backend=backend)
            stop = asyncio.Event()
            started = time.perf_counter()
            running = asyncio.create_task(central.run(stop))
            deadline = started + DRAIN_TIMEOUT_SECONDS
            while any(len(b.flash) for b in bands):
                if time.perf_counter() > deadline:
                    raise TimeoutError(f"BLE bench: bands not drained after {DRAIN_TIMEOUT_SECONDS:.0f} s")
                await asyncio.sleep(POLL_SECONDS)
            elapsed = time.perf_counter() - started
            stop.set()
            await running
    finally:
        for ble, opened in on_air:
            await ble.stop()
            await opened.close()
        engine.dispose()
    return elapsed
