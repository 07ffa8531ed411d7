"""The `stewards` command line: the only place that prints. Each command is a composition root."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import signal
import threading
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from stewards.accounts_cli import app as accounts_app
from stewards.bands_cli import app as bands_app
from stewards.beacons_cli import app as beacons_app
from stewards.cli_errors import OneLineErrors, day_option
from stewards.cycle_cli import app as cycle_app
from stewards.logs import LogFormat

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from gateway.batcher import Batcher
    from gateway.counters import CounterSnapshot
    from scoring.closing import Scheduler
    from stewards.settings import Settings

app = typer.Typer(help="Lane Stewards (街巷管家): wristbands, gateway, scoring and API.", no_args_is_help=True,
                  cls=OneLineErrors)
db_app = typer.Typer(help="Database schema and registry data.", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(cycle_app, name="cycle")
app.add_typer(accounts_app, name="accounts")
app.add_typer(bands_app, name="bands")
app.add_typer(beacons_app, name="beacons")

log = logging.getLogger("stewards")

def _logging(verbose: bool, console: Console) -> None:
    from rich.logging import RichHandler

    logging.basicConfig(
        level=logging.INFO if verbose else logging.WARNING,
        format="%(name)s: %(message)s",
        handlers=[RichHandler(console=console, show_path=False)],
    )


def _leaderboard_table(title: str, standings: list[dict[str, Any]]) -> Table:
    table = Table(title=title)
    table.add_column("名次", justify="right")
    table.add_column("小巷管家")
    table.add_column("积分", justify="right")
    for s in standings:
        table.add_row(str(s["rank"]), s["name"], str(s["points"]))
    return table


def _chiefs_line(work: dict[str, Any]) -> str:
    """What the lane chiefs did through the API in the demo, and the points it led to, in two lines."""
    from scoring.cases.points import RULE_CASE_CONFIRMED, RULE_CASE_FIX_CONFIRMED
    from scoring.inspections import RULE_LANE_INSPECTION, RULE_LANE_INSPECTION_TEAM

    points = work["points"]
    cases = sum(points[r]["points"] for r in (RULE_CASE_CONFIRMED, RULE_CASE_FIX_CONFIRMED))
    inspected = sum(points[r]["points"] for r in (RULE_LANE_INSPECTION, RULE_LANE_INSPECTION_TEAM))
    earned = cases + inspected
    return (f"街巷长 {work['chiefs']} 人 · 确认问题 {work['cases_confirmed']} · "
            f"执法申请单 {work['enforcement_requests']} · 任务完成确认 {work['fixes_confirmed']} · "
            f"周查 {work['inspections']} · "
            f"申诉裁定 {work['appeals_decided']}/{work['appeals_filed']} (恢复 {work['restored']})\n"
            f"由此积分 {earned} 分: 问题确认与整改 {cases} · 周查 {inspected}")


@app.command()
def demo(
    days: Annotated[int, typer.Option(min=1, max=3660, help="Simulated days of patrol.")] = 365,
    start: Annotated[str, typer.Option(help="First simulated day (Beijing time).")] = "2018-01-01",
    once: Annotated[bool, typer.Option("--once", help="Exit after printing instead of serving the API.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print a machine-readable summary on stdout.")] = False,
    workdir: Annotated[Path, typer.Option(help="Where the demo's SQLite file goes.")] = Path("var/demo"),
    port: Annotated[int, typer.Option(help="API port when serving.")] = 8000,
    ble_bands: Annotated[int, typer.Option(min=0, help="Bands that sync over the emulated Bluetooth LE radio.")] = 3,
    verbose: Annotated[bool, typer.Option("--verbose", "-v")] = False,
) -> None:
    """龙潭街道's stewards patrol for a simulated year through the embedded broker and the gateway."""
    from firmware_sim import FleetStats
    from stewards.demo import DemoOptions, demo_clock, run_demo

    console = Console(stderr=as_json)
    _logging(verbose, console)
    opts = DemoOptions(days=days, start=day_option(start, "--start"), workdir=workdir, ble_bands=ble_bands)
    with Progress(
        TextColumn("[bold]巡查模拟[/] {task.description}"), BarColumn(), MofNCompleteColumn(),
        TextColumn("{task.fields[records]} records"), TimeElapsedColumn(), console=console, transient=as_json,
    ) as progress:
        task = progress.add_task(opts.start.isoformat(), total=days, records=0)

        def on_day(day: date, stats: FleetStats) -> None:
            progress.update(task, advance=1, description=day.isoformat(), records=stats.made)

        summary, url = asyncio.run(run_demo(opts, on_day))
    if as_json:
        typer.echo(json.dumps(summary.as_dict(), ensure_ascii=False, indent=2))
    else:
        console.print(
            f"{summary.bands} bands · {summary.records_made} records made · {summary.committed} committed · "
            f"{summary.duplicate} duplicates · refused {summary.refused or 0} · {summary.points_entries} points entries"
        )
        if summary.chiefs:
            console.print(_chiefs_line(summary.chiefs))
        board = summary.leaderboard
        console.print(_leaderboard_table(f"小巷管家积分榜 {board['period']['label']}", board["standings"]))
        for gold in summary.gold_stewards:
            console.print(f"{gold['year']}年度金牌管家 · {gold['name']} · {gold['scope']} · {gold['points']} 分")
        if summary.cycle.get("months_closed"):
            console.print(f"月评 {len(summary.cycle['months_closed'])} · 季通报 {len(summary.cycle['bulletins'])} · "
                          f"files in {summary.cycle['out_dir']}")
    if once:
        return
    _serve(url, "127.0.0.1", port, clock=demo_clock(date.fromisoformat(summary.end)), console=console, score=False,
           cycle_dir=Path(summary.cycle["out_dir"]))


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="Default: STEWARDS_API_HOST.")] = None,
    port: Annotated[int | None, typer.Option(help="Default: STEWARDS_API_PORT.")] = None,
    log_format: Annotated[LogFormat, typer.Option(
        help="json: one JSON object a line, for a log collector; text: for a person at a terminal.")] = LogFormat.JSON,
    verbose: Annotated[bool, typer.Option("--verbose", "-v")] = False,
) -> None:
    """Serve the API from STEWARDS_DATABASE_URL; score new check-ins every few seconds, close ended periods hourly."""
    from stewards.logs import configure_serve_logging
    from stewards.settings import Settings

    settings = Settings(mqtt_anonymous=True)  # the API never talks to the broker
    console = Console(stderr=True)
    configure_serve_logging(log_format, verbose=verbose)
    _serve(settings.database_url, host or settings.api_host, port or settings.api_port, console=console,
           score=True, score_every_seconds=settings.score_every_seconds, settings=settings,
           auth_secret=_auth_secret(settings), cycle_dir=Path(settings.cycle_dir))


def _auth_secret(settings: Settings) -> bytes:
    from api.auth import MIN_SECRET_BYTES

    secret = settings.auth_secret.get_secret_value().encode()
    if len(secret) < MIN_SECRET_BYTES:
        raise typer.BadParameter(f"set STEWARDS_AUTH_SECRET to at least {MIN_SECRET_BYTES} random bytes "
                                 "(e.g. `openssl rand -base64 48`): it signs the API's access tokens")
    return secret


def _serve(url: str, host: str, port: int, *, console: Console, score: bool,
           clock: Callable[[], datetime] | None = None, score_every_seconds: float = 5.0,
           settings: Settings | None = None, auth_secret: bytes | None = None, cycle_dir: Path | None = None) -> None:
    """`auth_secret` None: a random one for this run only (the demo), so its tokens die with it. `cycle_dir`: the
    closing jobs' folder, whose documents the API serves."""
    import secrets

    import uvicorn

    from api.app import create_app
    from api.auth import TokenService
    from scoring.runner import Runner, scoring_runner
    from scoring.status import JobBoard
    from scoring.storage.engine import make_engine

    engine = make_engine(url)
    jobs = JobBoard()
    runners: list[Runner | Scheduler] = []
    if score:
        runners.append(scoring_runner(engine, every_seconds=score_every_seconds))
    scheduler = _closing_scheduler(engine, settings, console) if settings is not None else None
    if scheduler is not None:
        runners.append(scheduler)
    for runner in runners:
        jobs.add(runner.status)
        runner.start()
    tokens = TokenService(auth_secret if auth_secret is not None else secrets.token_bytes(32))
    options: dict[str, Any] = {}
    if settings is not None:
        options.update(export_max_rows=settings.export_max_rows, rate_limits=settings.api_rate_limits(),
                       max_body_bytes=settings.max_body_bytes)
    app_ = create_app(engine, tokens=tokens, jobs=jobs, clock=clock or _utc_now, cycle_dir=cycle_dir, **options)
    console.print(f"API on http://{host}:{port}/ (leaderboard page) · /docs · /openapi.json — Ctrl-C to stop")
    try:
        # The app writes its own access lines (api.request_log); uvicorn's loggers go to ours, not its config.
        uvicorn.run(app_, host=host, port=port, log_level="warning", access_log=False, log_config=None)
    finally:
        for runner in runners:
            runner.stop()


def _closing_scheduler(engine: Engine, settings: Settings, console: Console) -> Scheduler:
    """Close ended months, quarters and years hourly, inside the service; the CLI does past ones by hand.

    月评 and 季通报 need no key, so they close whether or not STEWARDS_ISSUER_SECRET is set; without it an
    ended year waits (its awards are signed as it closes), and /ready and the log say so.
    """
    from scoring.closing import CyclePolicy, Scheduler, issuer_seeds
    from scoring.integrity.store import upheld_flags_of

    secret = settings.issuer_secret.get_secret_value()
    if not secret:
        console.print("closing jobs on for 月评 and 季通报; year-end 金牌管家 awards wait until STEWARDS_ISSUER_SECRET "
                      "is set, to be signed")
    seeds = issuer_seeds(engine, secret.encode()) if secret else None
    return Scheduler(engine, Path(settings.cycle_dir), CyclePolicy.from_default_rulebook(), seeds,
                     upheld_flags_of(engine))


@app.command()
def explain(
    steward_id: Annotated[int, typer.Argument(help="The steward's id (see /registry/stewards).")],
    period: Annotated[str, typer.Option(help="day, week, month, quarter, year or range.")] = "month",
    label: Annotated[str, typer.Option(help="e.g. 2017-05 for a month, 2017-W36 for a week.")] = "",
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Which check-ins earned which points under which rule version, and which were withheld and why."""
    from scoring.ledger.explanations import explain_command
    from stewards.settings import Settings

    if not label:
        raise typer.BadParameter("give --label, e.g. --period month --label 2018-05")
    typer.echo(explain_command(Settings(mqtt_anonymous=True).database_url, steward_id, period, label, as_json=as_json))


@app.command()
def gateway(
    mqtt: Annotated[
        bool, typer.Option("--mqtt/--no-mqtt", help="Take uplinks from the broker in STEWARDS_MQTT_*.")
    ] = True,
    ble: Annotated[bool, typer.Option("--ble", help="Also sync bands over Bluetooth LE (STEWARDS_BLE_*).")] = False,
    allow_demo_keys: Annotated[bool, typer.Option(
        "--allow-demo-keys", help="Trust `db seed`'s derived band keys and beacon secrets (a demo only); "
                                  "also STEWARDS_ALLOW_DEMO_KEYS.")] = False,
    shared_group: Annotated[str | None, typer.Option(
        help="MQTT v5 share group gateways split the stream in; \"\" for a plain subscription. "
             "Default: STEWARDS_GATEWAY_SHARED_GROUP.")] = None,
    client_id: Annotated[str | None, typer.Option(
        help="This gateway's MQTT client id, one per process. Default: STEWARDS_GATEWAY_CLIENT_ID.")] = None,
    verbose: Annotated[bool, typer.Option("--verbose", "-v")] = False,
) -> None:
    """Verify and store what bands upload, over MQTT and/or Bluetooth LE, until Ctrl-C."""
    from gateway.batcher import Batcher
    from gateway.faults import parse_fault
    from gateway.mqtt import BrokerSettings, MqttLink
    from gateway.verify import Limits
    from scoring.ingest import IngestStore
    from scoring.storage.engine import make_engine
    from stewards.settings import Settings

    if not (mqtt or ble):
        raise typer.BadParameter("nothing to do: give --ble, or leave MQTT on")
    settings = Settings(mqtt_anonymous=True) if not mqtt else Settings()
    group = (settings.gateway_shared_group if shared_group is None else shared_group) or None
    _check_share_group(group, settings.mqtt_version, given=shared_group is not None)
    console = Console()
    _logging(verbose, console)
    demo_keys = allow_demo_keys or settings.allow_demo_keys
    beacon_key = settings.beacon_key_bytes()
    if beacon_key is None and not demo_keys:
        raise typer.BadParameter("set STEWARDS_BEACON_KEY (the key the beacons were installed with): without it "
                                 "no installed beacon's token can be checked; a demo allows demo keys instead")
    engine = make_engine(settings.database_url)
    limits = Limits(settings.max_future_skew_seconds, settings.max_age_seconds)
    if demo_keys:
        console.print("demo keys allowed: `db seed`'s derived band keys and beacon secrets are trusted")
    after_commit = parse_fault(settings.fault)
    if after_commit is not None:
        log.warning("STEWARDS_FAULT=%s: a test hook is armed; this gateway will kill itself", settings.fault)
    store = IngestStore(engine, beacon_key=beacon_key, allow_demo_keys=demo_keys)
    batcher = Batcher(store, limits=limits, after_commit=after_commit)  # one loop for both edges
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    reporters: list[Callable[[], str]] = [lambda: _counter_line(batcher.counters.snapshot())]
    link = None
    if mqtt:
        link = MqttLink(
            BrokerSettings(
                settings.mqtt_host, settings.mqtt_port,
                None if settings.mqtt_anonymous else settings.gateway_username,
                None if settings.mqtt_anonymous else settings.gateway_password.get_secret_value(),
                settings.mqtt_version,
                settings.gateway_client_id if client_id is None else client_id,
                group,
            ),
            batcher.submit,
        )
        link.start()
    workers = _Workers(stop)
    workers.start("gateway", lambda: batcher.run(stop))
    if ble:
        workers.start("gateway-ble", lambda: _run_ble_central(settings, batcher, stop, reporters))
    try:
        while not stop.wait(10):
            for report in reporters:
                console.print(report())
    except KeyboardInterrupt:
        stop.set()
    workers.join()
    if link is not None:
        link.stop()
    for report in reporters:  # what this process did, to its end
        console.print(report())
    workers.raise_first_failure()


def _check_share_group(group: str | None, mqtt_version: int, *, given: bool) -> None:
    """A share group the broker will take, refused here rather than in paho's callback at connect."""
    import wire

    if group is None:
        return
    if given and mqtt_version != 5:
        raise typer.BadParameter("--shared-group needs MQTT v5 (STEWARDS_MQTT_VERSION=5): 3.1.1 has no shared "
                                 "subscriptions")
    try:
        wire.shared_uplink_filter(group)
    except wire.TopicError as exc:
        raise typer.BadParameter(str(exc)) from None


class _Workers:
    """The gateway's threads. One that fails stops the others, and its error ends the command: an edge
    that died must not leave the rest printing counters that no longer move."""

    def __init__(self, stop: threading.Event) -> None:
        self._stop = stop
        self._threads: list[threading.Thread] = []
        self._failures: list[Exception] = []

    def start(self, name: str, target: Callable[[], None]) -> None:
        def guarded() -> None:
            try:
                target()
            except Exception as exc:
                if self._stop.is_set():
                    # Already stopping: an edge torn down under it (the radio gone first) is not a failure.
                    logging.getLogger(__name__).warning("%s: %s while stopping", name, exc, exc_info=True)
                    return
                self._failures.append(exc)
                self._stop.set()

        thread = threading.Thread(target=guarded, name=name)
        thread.start()
        self._threads.append(thread)

    def join(self) -> None:
        for thread in self._threads:
            thread.join()

    def raise_first_failure(self) -> None:
        if self._failures:
            raise self._failures[0]


def _counter_line(c: CounterSnapshot) -> str:
    return f"received {c.records} · committed {c.committed} · duplicate {c.duplicate} · refused {c.refused}"


def _run_ble_central(settings: Settings, batcher: Batcher, stop: threading.Event,
                     reporters: list[Callable[[], str]]) -> None:
    """The BLE central on its own event loop, until `stop` is set; its segments go to `batcher`."""
    from gateway.ble import BleCentral
    from stewards.ble import gateway_backend

    async def run() -> None:
        stopping = asyncio.Event()
        loop = asyncio.get_running_loop()

        def relay_stop() -> None:
            stop.wait()
            with contextlib.suppress(RuntimeError):  # the loop has already ended (the central failed)
                loop.call_soon_threadsafe(stopping.set)

        threading.Thread(target=relay_stop, daemon=True).start()
        async with gateway_backend(settings.ble_radio or None, bluez_adapter=settings.ble_adapter) as backend:
            central = BleCentral(batcher, _utc_now, backend=backend, max_links=settings.ble_max_links)
            reporters.append(lambda: f"ble: {central.stats.syncs_completed} syncs · "
                                     f"{central.stats.links_lost} links lost")
            await central.run(stopping)

    asyncio.run(run())


def _utc_now() -> datetime:
    return datetime.now(UTC)


@bands_app.command("simulate")
def simulate(
    days: Annotated[int, typer.Option(min=1, max=30, help="Days to simulate, ending yesterday (Beijing time).")] = 1,
    mode: Annotated[str, typer.Option(help="segment (log segments) or live (one record per message).")] = "segment",
    stewards_: Annotated[
        int, typer.Option("--synthetic", help="Extra synthetic stewards loaded with `db seed --synthetic`.")
    ] = 0,
    ble: Annotated[
        bool, typer.Option("--ble", help="Bands on the emulated radio in STEWARDS_BLE_RADIO instead of MQTT.")
    ] = False,
    fleet_secret: Annotated[
        str, typer.Option(envvar="STEWARDS_FLEET_SECRET", help="Derives each band's broker password.")
    ] = "",
    verbose: Annotated[bool, typer.Option("--verbose", "-v")] = False,
) -> None:
    """Run the registry's simulated wristbands against the broker in STEWARDS_MQTT_* (or a radio, with --ble)."""
    from firmware_sim import BrokerAddress, Fleet, SimClock
    from scoring.periods import PROGRAMME_TZ, day_starts_at
    from scoring.seed.synthetic import synthetic_dataset
    from scoring.storage.engine import make_engine
    from stewards.ble import band_link_factory
    from stewards.registry import band_profiles
    from stewards.settings import Settings

    settings = Settings(mqtt_anonymous=True)
    console = Console()
    _logging(verbose, console)
    if ble and not settings.ble_radio:
        raise typer.BadParameter("set STEWARDS_BLE_RADIO to the emulated radio (tcp:HOST:PORT, see `stewards radio`)")
    if not ble and not fleet_secret:
        raise typer.BadParameter("set STEWARDS_FLEET_SECRET (or --fleet-secret): it derives the bands' broker "
                                 "passwords")
    data = synthetic_dataset(stewards_)
    today = datetime.now(PROGRAMME_TZ).date()
    start = today - timedelta(days=days)
    clock = SimClock(day_starts_at(start))
    engine = make_engine(settings.database_url)
    profiles = band_profiles(engine, data, fleet_secret=fleet_secret.encode(), at=datetime.now(UTC),
                             beacon_key=settings.beacon_key_bytes())
    broker = None if ble else BrokerAddress(settings.mqtt_host, settings.mqtt_port, settings.mqtt_version)
    links = band_link_factory(settings.ble_radio, clock.now, (p.band_id for p in profiles)) if ble else None

    async def run() -> None:
        async with Fleet(profiles, broker, clock, mode=mode, links=links) as fleet:  # type: ignore[arg-type]
            with Progress(TextColumn("[bold]手环[/] {task.description}"), BarColumn(), MofNCompleteColumn(),
                          TextColumn("{task.fields[records]} records"), console=console, transient=True) as progress:
                task = progress.add_task(start.isoformat(), total=days, records=0)
                stats = await fleet.run_days(start, days, on_day=lambda day, s: progress.update(
                    task, advance=1, description=day.isoformat(), records=s.made))
            await fleet.drain(120)
            console.print(f"{len(profiles)} bands · made {stats.made} · acked {fleet.stats().acked_stored} stored")

    asyncio.run(run())


@app.command()
def radio(
    host: Annotated[str | None, typer.Option(help="Default: STEWARDS_RADIO_HOST.")] = None,
    port: Annotated[int | None, typer.Option(help="Default: STEWARDS_RADIO_PORT.")] = None,
    verbose: Annotated[bool, typer.Option("--verbose", "-v")] = False,
) -> None:
    """Serve one emulated Bluetooth LE radio that bands, beacons and gateways in other processes share."""
    from radio import serve_radio
    from stewards.settings import Settings

    settings = Settings(mqtt_anonymous=True)
    console = Console()
    _logging(verbose, console)
    host, port = host or settings.radio_host, port or settings.radio_port

    async def run() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        loop.add_signal_handler(signal.SIGTERM, stop.set)
        loop.add_signal_handler(signal.SIGINT, stop.set)
        console.print(f"emulated radio on tcp:{host}:{port} (STEWARDS_BLE_RADIO=tcp:{host}:{port})")
        await serve_radio(host, port, stop)

    asyncio.run(run())


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Bring STEWARDS_DATABASE_URL to the current schema (Alembic)."""
    from scoring.storage.engine import make_engine
    from scoring.storage.migrate import current_revision, upgrade
    from stewards.settings import Settings

    engine = make_engine(Settings(mqtt_anonymous=True).database_url)
    upgrade(engine)
    Console().print(f"schema at revision {current_revision(engine)}")


@db_app.command("seed")
def db_seed(
    synthetic: Annotated[int, typer.Option(help="Extra synthetic stewards beside 龙潭街道's own.")] = 0,
) -> None:
    """Migrate and load the registry data set (龙潭街道 and the report's other subdistricts)."""
    from scoring.seed.synthetic import synthetic_dataset
    from scoring.storage.engine import make_engine
    from stewards.registry import prepare_store
    from stewards.settings import Settings

    data = synthetic_dataset(synthetic)
    prepare_store(make_engine(Settings(mqtt_anonymous=True).database_url), data)
    console = Console()
    console.print(f"loaded {len(data.lanes)} lanes, {len(data.stewards)} stewards, {len(data.bands)} bands")
    console.print("their band keys and beacon secrets are the demo's, derived by public code: a gateway takes "
                  "them only with STEWARDS_ALLOW_DEMO_KEYS=true (`stewards bands enrol`, `stewards beacons replace` "
                  "for real ones)")


@app.command()
def bench(
    out: Annotated[Path, typer.Option(help="Where results.json and results.md go.")] = Path("bench"),
    quick: Annotated[bool, typer.Option("--quick", help="Smaller loads, for a smoke run.")] = False,
) -> None:
    """Measure ingest throughput and latency against same-run baselines, and run the fault harness; writes
    bench/results.{json,md}. Exit 1 if the fault harness lost or duplicated a record."""
    from stewards.bench import run_all

    console = Console()
    _logging(False, console)
    logging.getLogger("bumble").setLevel(logging.ERROR)  # the chaos section's dropped links, narrated
    results = run_all(out, quick=quick, console=console)
    console.print((out / "results.md").read_text())
    if not results["h_chaos"]["ok"]:
        raise typer.Exit(1)  # records lost or stored twice under faults: the one figure that must not move


@app.command()
def chaos(
    cycles: Annotated[int, typer.Option(min=1, help="Faults to inject, one per cycle.")] = 50,
    bands: Annotated[int, typer.Option(min=1, help="Bands patrolling, MQTT and BLE together.")] = 200,
    ble_bands: Annotated[int, typer.Option(min=0, help="How many of them sync over the emulated radio.")] = 20,
    seed: Annotated[int | None, typer.Option(help="Fixes the faults' order and parameters. Default: random, "
                                                  "printed.")] = None,
    gateways: Annotated[int, typer.Option(min=1, max=4, help="Gateway processes sharing the stream.")] = 2,
    mode: Annotated[str, typer.Option(help="The MQTT bands' uplinks: segment or live.")] = "segment",
    as_json: Annotated[bool, typer.Option("--json", help="The report as JSON on stdout.")] = False,
    verbose: Annotated[bool, typer.Option("--verbose", "-v")] = False,
) -> None:
    """Kill gateways, broker and database (kill -9), cut them off from each other and drop BLE links while
    bands patrol; then count every record the bands made in the database. Exit 1 if any was lost or stored
    twice. Starts its own PostgreSQL, mosquitto, radio and `stewards gateway` processes on loopback."""
    import secrets

    from stewards.chaos.report import fault_line
    from stewards.chaos.run import ChaosConfig, run_chaos

    if mode not in ("segment", "live"):
        raise typer.BadParameter(f"--mode {mode!r}: give segment or live")
    if ble_bands > bands:
        raise typer.BadParameter(f"--ble-bands {ble_bands} is more than --bands {bands}")
    seed = secrets.randbits(32) if seed is None else seed
    progress = Console(stderr=True, soft_wrap=True)
    _logging(verbose, progress)
    if not verbose:
        # The emulated controllers and the bands narrate every dropped link; the report says what counts.
        for noisy in ("bumble", "firmware_sim", "gateway", "radio", "stewards.services"):
            logging.getLogger(noisy).setLevel(logging.ERROR)
    progress.print(f"stewards chaos: seed {seed} (run again with --seed {seed})")
    config = ChaosConfig(cycles=cycles, bands=bands, ble_bands=ble_bands, seed=seed, gateways=gateways,
                         mode="live" if mode == "live" else "segment")
    report = run_chaos(config, on_fault=lambda fault: progress.print(fault_line(fault)))
    if as_json:
        typer.echo(json.dumps(report.as_dict(), ensure_ascii=False, indent=2))
    else:
        for line in report.summary():
            typer.echo(line)
    if not report.ok:
        raise typer.Exit(1)


if __name__ == "__main__":  # pragma: no cover
    app()
