"""Faults while bands publish: the broker restarts, the database restarts — 0 lost, 0 duplicated."""

from __future__ import annotations

import asyncio
import uuid
from datetime import date

from sqlalchemy import func, select

from firmware_sim import BrokerAddress, Fleet, FleetStats, LinkSettings, SimClock
from scoring.periods import day_starts_at
from scoring.seed.synthetic import synthetic_dataset
from scoring.storage import tables as t
from scoring.storage.engine import make_engine, session_factory
from stewards.registry import band_profiles, prepare_store
from tests.conftest import FLEET_SECRET, broker_for, running_gateway, service_workdir

START = date(2017, 9, 4)
DAYS = 4


def test_broker_and_database_restarts_lose_and_duplicate_nothing(postgres) -> None:  # type: ignore[no-untyped-def]
    data = synthetic_dataset(100 - 63)
    engine = make_engine(postgres.create_database(f"faults_{uuid.uuid4().hex[:8]}"))
    prepare_store(engine, data)
    clock = SimClock(day_starts_at(START))
    profiles = band_profiles(engine, data, fleet_secret=FLEET_SECRET, at=clock.now())
    drills: list[str] = []

    with broker_for(service_workdir("mq"), data) as broker, running_gateway(engine, broker, clock=clock.now) as gw:
        async def patrol() -> Fleet:
            background: list[asyncio.Task[None]] = []

            def on_day(day: date, _stats: FleetStats) -> None:
                # Faults strike while the next day's records are being made and published.
                if day == START:
                    drills.append("broker")
                    background.append(asyncio.get_running_loop().create_task(asyncio.to_thread(broker.restart)))
                elif day == START.replace(day=START.day + 1):
                    drills.append("database")
                    background.append(asyncio.get_running_loop().create_task(asyncio.to_thread(postgres.restart)))

            fleet = Fleet(profiles, BrokerAddress(broker.host, broker.port, 5), clock, mode="live",
                          ack_timeout_seconds=3.0, day_timeout_seconds=20.0,
                          link_settings=LinkSettings(backoff_base_seconds=0.1, backoff_cap_seconds=1.0))
            async with fleet:
                await fleet.run_days(START, DAYS, on_day=on_day)
                await asyncio.gather(*background)
                await fleet.drain(240)
            return fleet

        fleet = asyncio.run(patrol())
        counters = gw.counters.snapshot()

    assert drills == ["broker", "database"]
    assert counters.store_retries >= 1  # the gateway met the database down, and held its batch
    made = sorted(r.key for r in fleet.records_made())
    with session_factory(engine)() as s:
        stored = sorted(tuple(r) for r in s.execute(select(t.CheckIn.band_id, t.CheckIn.boot, t.CheckIn.seq)).all())
        others = s.scalar(select(func.count()).select_from(t.Quarantine).where(t.Quarantine.reason != "replay"))
    assert len(made) > 1_000
    assert stored == made  # nothing lost; the primary key forbids a second copy, and the count agrees
    assert counters.committed == len(made)
    assert others == 0
    assert fleet.stats().pending == 0 and fleet.stats().reconnects >= len(profiles)  # every band lived through it
    engine.dispose()
