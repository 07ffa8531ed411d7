"""500 simulated bands patrol a simulated week: mosquitto → gateway → TimescaleDB → points → API."""

from __future__ import annotations

import asyncio
import uuid
from datetime import date

from sqlalchemy import func, select

from firmware_sim import BrokerAddress, Fleet, SimClock
from scoring.periods import day_starts_at
from scoring.rulebook import RuleBook, RuleSet
from scoring.scorer import score_pending
from scoring.seed.synthetic import synthetic_dataset
from scoring.storage import tables as t
from scoring.storage.engine import make_engine, session_factory
from stewards.registry import band_profiles, prepare_store
from tests.api.signin import api
from tests.conftest import FLEET_SECRET, broker_for, running_gateway, service_workdir
from tests.integration.recount import recount

WEEK_START = date(2017, 9, 4)  # a Monday, after every steward of the data set has joined


def test_500_bands_patrol_a_week_into_timescaledb(postgres) -> None:  # type: ignore[no-untyped-def]
    data = synthetic_dataset(500 - 63)
    assert len(data.bands) == 500
    engine = make_engine(postgres.create_database(f"e2e_{uuid.uuid4().hex[:8]}"))
    prepare_store(engine, data)
    clock = SimClock(day_starts_at(WEEK_START))
    profiles = band_profiles(engine, data, fleet_secret=FLEET_SECRET, at=clock.now())

    with broker_for(service_workdir("mq"), data) as broker, running_gateway(engine, broker, clock=clock.now) as gw:
        async def patrol() -> Fleet:
            async with Fleet(profiles, BrokerAddress(broker.host, broker.port, 5), clock) as fleet:
                await fleet.run_days(WEEK_START, 7)
                await fleet.drain(180)
            return fleet

        fleet = asyncio.run(patrol())
        counters = gw.counters.snapshot()

    made = list(fleet.records_made())
    assert len(made) > 10_000  # a real week's load, not a trickle
    with session_factory(engine)() as s:
        stored = s.execute(select(t.CheckIn.band_id, t.CheckIn.boot, t.CheckIn.seq)).all()
        refused = s.scalars(select(t.Quarantine.reason).where(t.Quarantine.reason != "replay")).all()
    # Exactly once: every record made is stored, none twice, nothing else.
    assert sorted(tuple(r) for r in stored) == sorted(r.key for r in made)
    assert counters.committed == len(made) and refused == []
    assert fleet.stats().pending == 0 and fleet.stats().acked_refused == 0

    # The recount knows the first two rules only: no streaks, no caps.
    score_pending(engine, RuleBook.of(RuleSet(streak_bonuses=(), max_points_per_day=None, max_points_per_week=None)))
    expected = recount(made, data, engine)
    with session_factory(engine)() as s:
        names = dict(s.execute(select(t.Steward.id, t.Steward.key)).all())
        assert s.scalar(select(func.count()).select_from(t.PointsEntry)) > 0
    got = {}
    for offset in (0, 500):  # the board in its pages of at most 500
        board = api(engine).get(
            "/leaderboard", params={"period": "week", "label": "2017-W36", "limit": 500, "offset": offset}
        )
        assert board.status_code == 200
        got |= {names[s["steward_id"]]: s["points"] for s in board.json()["standings"]}
    assert got == expected
    engine.dispose()
