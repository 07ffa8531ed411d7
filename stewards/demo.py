"""`stewards demo`: 龙潭街道's stewards patrol for a simulated year on the embedded default.

SQLite file + in-process amqtt broker + the real gateway (paho, MQTT 3.1.1) + simulated wristbands, all
on one simulated clock. A few bands carry their logs over Bluetooth LE instead: they advertise on an
in-process emulated radio and the gateway's BLE central syncs them, through the same verify → commit →
ack path. All of it runs that the bands advance day by day as fast as their uploads are acked. A few
stewards now and then ride their round on a bicycle, which the scorer flags. Every simulated week the
lane chiefs work their lanes' cases, record their 周查 and decide the stewards' appeals, each through
the API with their own account (stewards.demo_chiefs), before any month is closed. Ends with the
year's leaderboard; the API then serves the result until Ctrl-C.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import logging
import random
import threading
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any, Final, cast

from sqlalchemy import Engine, select

from firmware_sim import BandProfile, BrokerAddress, Fleet, FleetStats, SimClock
from gateway.batcher import Batcher
from gateway.ble import BleCentral
from gateway.mqtt import BrokerSettings, MqttLink
from radio import Radio
from scoring.closing import CyclePolicy, close_due, issuer_seeds, load_quarter_summary, load_year_summary
from scoring.ingest import IngestStore
from scoring.integrity.store import upheld_flags_of
from scoring.ledger.leaderboard import Scope, ScopeKind, leaderboard
from scoring.periods import day_starts_at, local_day, span
from scoring.rulebook import OutboxNotifier, load_rulebook
from scoring.runner import score_tick
from scoring.seed.dataset import Dataset
from scoring.seed.longtan import longtan_dataset
from scoring.status import store_status
from scoring.storage import tables as t
from scoring.storage.engine import make_engine, session_factory
from stewards.ble import band_link_factory, gateway_backend
from stewards.demo_accounts import DEMO_PASSWORD, create_demo_accounts
from stewards.demo_api import DemoApi
from stewards.demo_chiefs import ChiefsAtWork
from stewards.embedded_broker import LOOPBACK, embedded_broker
from stewards.registry import band_profiles, prepare_store
from stewards.services.ports import free_port

log = logging.getLogger(__name__)

# The first full calendar year of 幸福社区's stewards, who took office in the spring of 2017: the
# year-end award (年度金牌管家) is per calendar year and asks for 10 active months of 12.
DEMO_START: Final = date(2018, 1, 1)
DEMO_FLEET_SECRET: Final = b"lane-stewards demo fleet"
SCORE_EVERY_DAYS: Final = 7  # keep the live leaderboard fresh while the year runs
REPORTS_OVERLAP: Final = timedelta(days=SCORE_EVERY_DAYS)  # see _ReportsMark
DRAIN_TIMEOUT_SECONDS: Final = 120.0
DEMO_BLE_BANDS: Final = 3
# The demo's street offices sign their award credentials with keys derived from this: a demo, not a secret.
DEMO_ISSUER_SECRET: Final = b"lane-stewards demo issuer"
DEMO_CYCLISTS: Final = 4  # stewards who now and then ride their round on a bicycle
DEMO_CYCLING: Final = 0.025  # the chance that one of their patrols is ridden: about one in forty
# A ride is flagged when the stretch is long enough that walking it could not be that quick.
CYCLED_SEGMENT_MIN_M: Final = 50.0


@dataclass(frozen=True)
class DemoOptions:
    days: int = 365
    start: date = DEMO_START
    workdir: Path = Path("var/demo")
    top: int = 10
    ble_bands: int = DEMO_BLE_BANDS  # the first bands of the registry sync over the emulated radio


@dataclass
class DemoSummary:
    start: str
    end: str
    days: int
    bands: int
    records_made: int
    messages: int
    committed: int
    duplicate: int
    refused: dict[str, int]
    quarantined: int
    points_entries: int
    database: str
    ble: dict[str, Any] = field(default_factory=dict)
    cycle: dict[str, Any] = field(default_factory=dict)
    patrol_alerts: int = 0  # missed and late patrols raised to lane chiefs
    chiefs: dict[str, Any] = field(default_factory=dict)  # what the lane chiefs did through the API, and its points
    accounts: int = 0  # sign-ins for 龙潭's people and offices (stewards.demo_accounts)
    gold_stewards: list[dict[str, Any]] = field(default_factory=list)
    leaderboard: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


async def run_demo(
    opts: DemoOptions, on_day: Callable[[date, FleetStats], None] | None = None
) -> tuple[DemoSummary, str]:
    """Run the simulated year; returns the summary and the database URL."""
    opts.workdir.mkdir(parents=True, exist_ok=True)
    db_path = (opts.workdir / "stewards.db").resolve()
    for stale in (db_path, db_path.with_suffix(".db-wal"), db_path.with_suffix(".db-shm")):
        stale.unlink(missing_ok=True)
    url = f"sqlite:///{db_path}"
    engine = make_engine(url)
    data = longtan_dataset()
    prepare_store(engine, data)
    accounts = create_demo_accounts(engine, day_starts_at(opts.start))
    rulebook = load_rulebook()

    start_at = day_starts_at(opts.start)
    clock = SimClock(start_at)
    api = DemoApi(engine, DEMO_PASSWORD)
    chiefs = ChiefsAtWork(engine, api, opts.start)
    profiles = _with_cyclists(
        band_profiles(engine, data, fleet_secret=DEMO_FLEET_SECRET, at=start_at + timedelta(days=opts.days)),
        among=_bands_of(engine, data, chiefs.stewards))
    port = free_port()
    stop = threading.Event()
    async with api:  # one client and its tokens for the whole year
        await chiefs.sign_in(opts.start)  # on the first morning, before the bands start
        async with embedded_broker(port):
            # The demo's bands and beacons have the seed's derived keys: a demo allows them, and says so.
            gateway = Batcher(IngestStore(engine, allow_demo_keys=True), clock=clock.now)
            link = MqttLink(BrokerSettings(LOOPBACK, port, mqtt_version=3, client_id="gateway-demo"), gateway.submit)
            await asyncio.to_thread(link.start)  # blocks until CONNACK, which this loop's broker must send
            worker = threading.Thread(target=gateway.run, args=(stop,), name="gateway", daemon=True)
            worker.start()

            # Missed and late patrols go to the lane chiefs' inbox (`patrol_alerts`, /lanes/{id}/alerts); the
            # demo keeps its notifier quiet and counts them instead of logging 60-odd stewards' every miss.
            alerts = OutboxNotifier()

            reports = _ReportsMark()

            def tick(alert_days: list[date]) -> None:
                since, reports.since = reports.since, clock.now() - REPORTS_OVERLAP
                score_tick(engine, rulebook, alert_days, reports_since=since, notifier=alerts)

            radio = Radio()
            ble_ids = [p.band_id for p in profiles[: opts.ble_bands]]
            links = band_link_factory(radio, clock.now, ble_ids)
            try:
                async with gateway_backend(radio) as backend:
                    # Its own batcher, so the summary can say what came over the air.
                    central = BleCentral.for_store(IngestStore(engine, allow_demo_keys=True), clock.now,
                                                   backend=backend)
                    stop_ble = asyncio.Event()
                    ble_gateway = asyncio.create_task(central.run(stop_ble), name="gateway-ble")
                    broker = BrokerAddress(LOOPBACK, port, mqtt_version=3)
                    async with Fleet(profiles, broker, clock, links=links) as fleet:
                        chiefs_week: asyncio.Task[None] | None = None
                        try:
                            for first, days in _weeks(opts.start, opts.days):
                                await fleet.run_days(first, days, on_day=on_day)
                                if chiefs_week is not None:
                                    await chiefs_week  # last week's work, which this tick books
                                    chiefs_week = None
                                if days == SCORE_EVERY_DAYS:  # keeps the live leaderboard fresh
                                    last = first + timedelta(days=days - 1)
                                    tick(_days_back(last, SCORE_EVERY_DAYS))
                                    # The week's reports are cases now and its flags raised: the chiefs
                                    # work them while the bands go on with the next week.
                                    chiefs_week = asyncio.create_task(chiefs.work_until(last), name="demo-chiefs")
                            if chiefs_week is not None:
                                await chiefs_week
                                chiefs_week = None
                            await fleet.drain(DRAIN_TIMEOUT_SECONDS)
                            fleet_stats = fleet.stats()
                        finally:
                            if chiefs_week is not None:  # the run failed: the chiefs stop with it
                                chiefs_week.cancel()
                                with contextlib.suppress(asyncio.CancelledError):
                                    await chiefs_week
                            # The central hangs up first, so no band is left disconnecting a link it no longer has.
                            stop_ble.set()
                            await ble_gateway
            finally:
                stop.set()
                await asyncio.to_thread(worker.join)
                link.stop()

        last_day = opts.start + timedelta(days=max(opts.days - 1, 0))
        tick(_days_back(last_day, (last_day - opts.start).days % SCORE_EVERY_DAYS + 1))
        await chiefs.work_until(last_day)  # the days since the last weekly visit, if the run ended mid-week
    tick([])  # books what the last visits earned, before any month closes
    chiefs.count_points()
    counters = gateway.counters.snapshot().plus(central.counters.snapshot())
    end = opts.start + timedelta(days=max(opts.days - 1, 0))
    cycle, gold = _close_the_cycle(engine, end, opts.workdir.resolve() / "cycle")
    period = span(opts.start, end)
    with session_factory(engine)() as session:
        status = store_status(session)
        standings = leaderboard(session, period, Scope(ScopeKind.ALL), opts.top)
    summary = DemoSummary(
        start=opts.start.isoformat(), end=end.isoformat(), days=opts.days, bands=len(profiles),
        records_made=fleet_stats.made, messages=counters.messages, committed=counters.committed,
        duplicate=counters.duplicate, refused=counters.refused, quarantined=status.quarantined,
        points_entries=status.points_entries, database=str(db_path),
        ble={"bands": ble_ids, "syncs": central.stats.syncs_completed, "links_lost": central.stats.links_lost,
             "committed": central.counters.snapshot().committed},
        cycle=cycle, gold_stewards=gold, patrol_alerts=len(alerts.drain()), accounts=accounts,
        chiefs=chiefs.work.as_dict(),
        leaderboard={
            "period": {"label": period.label, "first_day": period.first_day.isoformat(),
                       "last_day": period.last_day.isoformat()},
            "standings": [asdict(s) for s in standings],
        },
    )
    engine.dispose()
    return summary, url


def _with_cyclists(profiles: list[BandProfile], among: set[int]) -> list[BandProfile]:
    """A few stewards, drawn once from the bands `among`, now and then ride their round: those whose
    stretches are long enough that the ride is too quick for walking, so the scorer flags it and they
    have something to appeal to a lane chief who acts in the demo."""
    def long_enough(p: BandProfile) -> bool:
        return any(len(r.checkpoints) > 1 and r.checkpoints[-1].position_m - r.checkpoints[0].position_m
                   >= CYCLED_SEGMENT_MIN_M for r in p.routes)

    eligible = sorted(p.band_id for p in profiles if p.band_id in among and long_enough(p))
    riders = set(random.Random("lane-stewards/demo/cyclists").sample(eligible, min(DEMO_CYCLISTS, len(eligible))))
    return [dataclasses.replace(p, cycling=DEMO_CYCLING) if p.band_id in riders else p for p in profiles]


@dataclass
class _ReportsMark:
    """Where the next tick's intake of band reports starts, so a tick does not read the whole year's:
    a simulated week before the last tick, which also takes in a record whose ack was lost and that
    was committed late. The intake is idempotent, so the overlap costs a few rows, nothing twice."""

    since: datetime = datetime(1970, 1, 1, tzinfo=UTC)


def _bands_of(engine: Engine, data: Dataset, steward_ids: frozenset[int]) -> set[int]:
    """The bands of these stewards."""
    with session_factory(engine)() as session:
        ids = dict(session.execute(select(t.Steward.key, t.Steward.id)).all())
    return {band.band_id for band in data.bands if ids.get(band.steward_key) in steward_ids}


def _weeks(start: date, days: int) -> list[tuple[date, int]]:
    """The run cut into the scorer's weeks from `start`: (first day, days), the last one maybe short."""
    return [(start + timedelta(days=first), min(SCORE_EVERY_DAYS, days - first))
            for first in range(0, days, SCORE_EVERY_DAYS)]


def _days_back(last: date, days: int) -> list[date]:
    """`days` days ending with `last`: the patrol days a tick every few simulated days judges."""
    return [last - timedelta(days=back) for back in range(days)]


def _close_the_cycle(engine: Engine, end: date, out_dir: Path) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """Close every month, quarter and year the simulation finished, as the scheduler would the day after."""
    due = close_due(engine, end + timedelta(days=1), out_dir, CyclePolicy.from_default_rulebook(),
                    issuer_seeds(engine, DEMO_ISSUER_SECRET), upheld_flags=upheld_flags_of(engine))
    bulletins = [
        {"quarter": q, "subdistrict": b.subdistrict, "html": str(b.html), "pdf": str(b.pdf)}
        for q in due.quarters for b in load_quarter_summary(engine, q, out_dir).bulletins
    ]
    years = [load_year_summary(engine, int(y), out_dir).as_json() for y in due.years]
    gold = [
        {"year": y["year"], "subdistrict": s["subdistrict"], **w}
        for y in years for s in cast(list[dict[str, Any]], y["subdistricts"]) for w in s["gold_stewards"]
    ]
    cycle = {"out_dir": str(out_dir), "months_closed": list(due.months), "quarters_closed": list(due.quarters),
             "years_closed": list(due.years), "bulletins": bulletins, "awards": years}
    return cycle, gold


def demo_clock(end: date) -> Callable[[], datetime]:
    """The API's notion of "now" after the demo: the end of its last simulated day."""
    at = day_starts_at(end + timedelta(days=1)) - timedelta(seconds=1)
    assert local_day(at) == end
    return lambda: at
