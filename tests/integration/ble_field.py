"""A lane on the emulated radio: beacons at checkpoints, a steward's band, gateways, and a clock.

Everything is real apart from the air: bumble host stacks on every device, `radio.Radio` between
them, the gateway's BLE central on bleak's public API with the Bumble backend, and the database.
"""

from __future__ import annotations

import asyncio
import contextlib
import io
import time
from collections.abc import AsyncIterator, Callable, Coroutine
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

from sqlalchemy import Engine

import wire
from firmware_sim import Band, BandProfile, CheckpointPlan, PlannedEvent
from firmware_sim.ble_band import BleBand
from gateway.ble import BleCentral
from radio import Radio, place
from scoring.ingest import IngestStore
from scoring.seed.dataset import Dataset
from stewards.ble import BeaconOnAir, OpenDevice, gateway_backend, open_band_device, start_beacon
from stewards.registry import band_profiles

T = TypeVar("T")
FAR_AWAY = (1_000.0, 0.0)  # beyond the radio's range from anything on the lane
STATION = (500.0, 0.0)  # the community service station, where the gateway is
TEST_FLEET_SECRET = b"ble field"


def utc_now() -> datetime:
    return datetime.now(UTC)


def profile_of(engine: Engine, data: Dataset, steward_name: str) -> BandProfile:
    steward = next(s for s in data.stewards if s.name == steward_name)
    band_id = data.band_of(steward.key).band_id
    profiles = band_profiles(engine, data, fleet_secret=TEST_FLEET_SECRET, at=utc_now())
    return next(p for p in profiles if p.band_id == band_id)


SCENARIO_TIMEOUT_SECONDS = 180.0


def run_scenario(
    scenario: Callable[[], Coroutine[Any, Any, T]], timeout_seconds: float = SCENARIO_TIMEOUT_SECONDS
) -> T:
    """Run one scenario; if it hangs, fail with the stack of every task still waiting, not a stuck suite."""

    async def guarded() -> T:
        task = asyncio.create_task(scenario())
        done, _ = await asyncio.wait({task}, timeout=timeout_seconds)
        if task in done:
            return task.result()
        stacks = io.StringIO()
        for other in asyncio.all_tasks():
            if other is not asyncio.current_task():
                other.print_stack(limit=12, file=stacks)
        task.cancel()
        raise AssertionError(f"scenario still running after {timeout_seconds} s; waiting tasks:\n{stacks.getvalue()}")

    return asyncio.run(guarded())


async def wait_until(condition: Callable[[], bool], timeout_seconds: float, what: str) -> None:
    deadline = time.monotonic() + timeout_seconds
    while not condition():
        assert time.monotonic() < deadline, f"timed out after {timeout_seconds} s waiting for {what}"
        await asyncio.sleep(0.05)


@dataclass
class BandOnAir:
    band: Band
    ble: BleBand
    opened: OpenDevice

    async def move_to(self, x_m: float, y_m: float = 0.0) -> None:
        await place(self.opened.device, x_m, y_m)

    @property
    def pending(self) -> int:
        return len(self.band.flash)


@dataclass
class Field:
    radio: Radio = field(default_factory=Radio)
    beacons: list[BeaconOnAir] = field(default_factory=list)

    async def beacon(
        self, checkpoint: CheckpointPlan, x_m: float, now: Callable[[], datetime] = utc_now
    ) -> BeaconOnAir:
        on_air = await start_beacon(self.radio, checkpoint, (x_m, 2.0), now)
        self.beacons.append(on_air)
        return on_air

    @contextlib.asynccontextmanager
    async def band(self, profile: BandProfile, at: tuple[float, float] = FAR_AWAY,
                   **ble_options: float) -> AsyncIterator[BandOnAir]:
        band = Band(profile, mode="segment")
        opened = await open_band_device(self.radio, profile.band_id, at)
        ble = BleBand(band, opened.device, now=utc_now, **ble_options)
        await ble.start()
        try:
            yield BandOnAir(band, ble, opened)
        finally:
            await ble.stop()
            await opened.close()

    @contextlib.asynccontextmanager
    async def gateway(self, engine: Engine, number: int = 1, at: tuple[float, float] = STATION,
                      **options: float) -> AsyncIterator[BleCentral]:
        async with gateway_backend(self.radio, number, at) as backend:
            store = IngestStore(engine, allow_demo_keys=True)  # the seeded registry's keys are the demo's
            central = BleCentral.for_store(store, utc_now, backend=backend, **options)
            stop = asyncio.Event()
            running = asyncio.create_task(central.run(stop), name=f"gateway-{number}")
            try:
                yield central
            finally:
                stop.set()
                await running

    async def close(self) -> None:
        for beacon in self.beacons:
            await beacon.stop()


def patrol_records(band: Band, checkpoints: tuple[CheckpointPlan, ...], count: int, first_at: datetime) -> None:
    """Log `count` check-ins with the tokens the beacons advertised then, as if patrols had happened."""
    for n in range(count):
        at = first_at + timedelta(seconds=20 * n)
        checkpoint = checkpoints[n % len(checkpoints)]
        band.make_record(PlannedEvent(
            at_ms=wire.epoch_ms(at), kind=wire.Kind.PATROL_CHECKIN, checkpoint_id=checkpoint.checkpoint_id,
            segment_id=0, beacon_token=wire.beacon_token(checkpoint.beacon_secret, wire.window_index(at)),
            rssi_dbm=-60, detail=0,
        ))
