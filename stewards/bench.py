"""`stewards bench`: ingest throughput and latency, each figure a ratio to a baseline of the same run.

(a) one record per MQTT message from ≥ 1,000 bands: mosquitto → one gateway process → TimescaleDB,
    against a bare paho subscriber on the same broker receiving the same load;
(b) log segments of 50 records through the same path, against a raw psycopg COPY of the same rows
    into the same hypertable;
(c) publish-to-ack latency (the ack is sent after commit, so it bounds publish-to-commit from above)
    at half the rate measured in (a);
(d), (e) Bluetooth LE log sync over the emulated radio (see `stewards.bench_ble`);
(f), (g) closing a month and the year-end award, against recomputing the same points from the raw
    check-ins (see `stewards.bench_cycle`);
(h) the fault harness (`stewards chaos`): 50 faults while 200 bands patrol, MQTT and BLE; not a speed
    but a guarantee, 0 lost and 0 stored twice, with the drain time after the last fault.

The machines are shared and noisy: absolute numbers vary, the ratios are what to compare.
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Final

import psycopg
from rich.console import Console
from sqlalchemy.orm import Session

import wire
from scoring.checkins import CheckInRow
from scoring.registry.beacons import beacon_secrets
from scoring.seed.dataset import Dataset
from scoring.seed.synthetic import synthetic_dataset
from scoring.storage.bulk import CHECKIN_COLUMNS, copy_buffer
from scoring.storage.engine import make_engine
from stewards.bench_ble import bench_ble, ble_sizes
from stewards.bench_cycle import run_cycle_bench
from stewards.chaos.report import fault_line
from stewards.chaos.run import ChaosConfig, run_chaos
from stewards.loadgen import BandLoad, connect_packet, publish_packet, read_packet, run_load
from stewards.registry import band_mqtt_password, band_profiles, prepare_store
from stewards.services.mosquitto import Mosquitto, MqttCredentials
from stewards.services.postgres import Postgres

BANDS: Final = 1_000
LIVE_PER_BAND: Final = 60
SEGMENTS_PER_BAND: Final = 4
SEGMENT_RECORDS: Final = 50
LATENCY_SECONDS: Final = 8.0
FLEET_SECRET: Final = b"lane-stewards bench fleet"
GATEWAY: Final = MqttCredentials("gateway", "bench-gateway-password")
CHECKIN_COPY_TYPES: Final = (
    "int8", "int8", "int8", "timestamptz", "int2", "int4", "bytea", "int2", "int2", "int4", "int4", "timestamptz",
)
POLL_SECONDS: Final = 0.05
CHAOS: Final = ChaosConfig(cycles=50, bands=200, ble_bands=20)
QUICK_CHAOS: Final = ChaosConfig(cycles=7, bands=30, ble_bands=4)  # every kind of fault once


@dataclass(frozen=True)
class Sizes:
    bands: int
    live_per_band: int
    segments_per_band: int


def run_all(out: Path, *, quick: bool, console: Console) -> dict[str, Any]:
    sizes = Sizes(200, 10, 1) if quick else Sizes(BANDS, LIVE_PER_BAND, SEGMENTS_PER_BAND)
    out.mkdir(parents=True, exist_ok=True)
    data = synthetic_dataset(sizes.bands - 63)
    with _services(data) as (pg, mq, checkpoints):
        results = {
            "machine": {"cores": os.cpu_count(), "python": sys.version.split()[0]},
            "sizes": sizes.__dict__,
            "a_live_records": _bench_live(pg, mq, data, checkpoints, sizes, console),
        }
        rate = results["a_live_records"]["gateway_records_per_second"]
        results["b_log_segments"] = _bench_segments(pg, mq, data, checkpoints, sizes, console)
        # Half the rate of (a), as asked; a quarter as well, because with every band also receiving its
        # acks half can already saturate a small machine, and then the figure is mostly queueing.
        results["c_latency"] = _bench_latency(pg, mq, data, checkpoints, rate / 2, console, "bench_latency")
        results["c_latency_quarter_rate"] = _bench_latency(pg, mq, data, checkpoints, rate / 4, console,
                                                           "bench_latency_q")
        results.update(_bench_ble(pg, data, quick, console))
    results["cycle"] = run_cycle_bench(quick=quick, console=console)
    results["h_chaos"] = _bench_chaos(quick, console)
    (out / "results.json").write_text(json.dumps(results, indent=2))
    (out / "results.md").write_text(_markdown(results))
    return results


# --- the three measurements ----------------------------------------------------------------------


def _bench_live(pg: Postgres, mq: Mosquitto, data: Dataset, checkpoints: list[tuple[int, bytes]], sizes: Sizes,
                console: Console) -> dict[str, Any]:
    loads, total = _loads(data, checkpoints, boot=1, per_band=sizes.live_per_band, segment_records=1)
    console.print(f"(a) {total} live records from {len(loads)} bands, one per message")
    baseline = _timed_baseline(mq, loads, total)
    url = _fresh_store(pg, data, "bench_live")
    with _gateway(url, mq):
        elapsed = _timed_until_stored(pg, "bench_live", loads, total, mq)
    gateway_rate = total / elapsed
    return {
        "records": total, "bands": len(loads),
        "baseline_bare_subscriber_messages_per_second": round(total / baseline),
        "gateway_records_per_second": round(gateway_rate),
        "ratio_gateway_to_bare_subscriber": round(gateway_rate / (total / baseline), 3),
        "goal_ratio": 0.5,
    }


def _bench_segments(pg: Postgres, mq: Mosquitto, data: Dataset, checkpoints: list[tuple[int, bytes]], sizes: Sizes,
                    console: Console) -> dict[str, Any]:
    loads, total = _loads(data, checkpoints, boot=2, per_band=sizes.segments_per_band * SEGMENT_RECORDS,
                          segment_records=SEGMENT_RECORDS)
    console.print(f"(b) {total} records in log segments of {SEGMENT_RECORDS}")
    url = _fresh_store(pg, data, "bench_segments")
    with _gateway(url, mq):
        elapsed = _timed_until_stored(pg, "bench_segments", loads, total, mq)
    rows = _stored_rows(pg.dsn("bench_segments"))
    copy_seconds = min(_timed_raw_copy(pg.dsn("bench_segments"), rows, packed) for packed in (False, True))
    gateway_rate, copy_rate = total / elapsed, len(rows) / copy_seconds
    return {
        "records": total, "segment_records": SEGMENT_RECORDS,
        "baseline_raw_copy_rows_per_second": round(copy_rate),
        "gateway_records_per_second": round(gateway_rate),
        "ratio_gateway_to_raw_copy": round(gateway_rate / copy_rate, 3),
        "goal_ratio": 0.4,
    }


def _bench_latency(pg: Postgres, mq: Mosquitto, data: Dataset, checkpoints: list[tuple[int, bytes]], rate: float,
                   console: Console, db: str) -> dict[str, Any]:
    per_band = max(1, round(rate * LATENCY_SECONDS / len(data.bands)))
    loads, total = _loads(data, checkpoints, boot=3, per_band=per_band, segment_records=1)
    console.print(f"(c) publish-to-ack latency, {total} live records at {rate:.0f}/s")
    url = _fresh_store(pg, data, db)
    with _gateway(url, mq):
        result = asyncio.run(run_load(mq.host, mq.port, loads, rate_per_second=rate, wait_for_acks=True))
    latencies = sorted(result.ack_latencies_seconds)
    assert len(latencies) == total, f"{total - len(latencies)} records were never acked"
    idle = _idle_round_trip(mq)
    return {
        "records": total, "rate_per_second": round(rate),
        "p50_ms": round(1000 * statistics.median(latencies), 2),
        "p99_ms": round(1000 * latencies[int(0.99 * (len(latencies) - 1))], 2),
        "baseline_broker_round_trip_ms": round(1000 * idle, 3),
    }


def _bench_ble(pg: Postgres, data: Dataset, quick: bool, console: Console) -> dict[str, Any]:
    registry = make_engine(pg.url("bench_registry"))
    profiles = [p for p in band_profiles(registry, data, fleet_secret=FLEET_SECRET, at=datetime.now(UTC))
                if p.routes]
    registry.dispose()
    return bench_ble(lambda name: make_engine(_fresh_store(pg, data, name)), profiles, ble_sizes(quick), console)


def _bench_chaos(quick: bool, console: Console) -> dict[str, Any]:
    """(h): a chaos run on services of its own, with a fresh seed each time (in the results, to replay)."""
    import dataclasses
    import secrets

    config = dataclasses.replace(QUICK_CHAOS if quick else CHAOS, seed=secrets.randbits(32))
    console.print(f"(h) chaos: {config.cycles} faults, {config.bands} bands ({config.ble_bands} BLE), seed "
                  f"{config.seed}")
    report = run_chaos(config, on_fault=lambda fault: console.print("    " + fault_line(fault)))
    tally = report.tally
    return {
        "seed": report.seed, "cycles": report.cycles, "bands": report.bands, "ble_bands": report.ble_bands,
        "gateways": len(report.gateways), "faults_by_kind": report.faults_by_kind,
        "records_made": tally.made, "stored_once": tally.stored_once, "lost": tally.lost,
        "duplicated": tally.duplicated, "altered": tally.altered, "unexpected": tally.unexpected,
        "quarantined": tally.quarantined, "resent_records": report.band_acks["resent_records"],
        "drained": report.drained, "drain_seconds_after_last_fault": report.drain_s, "run_seconds": report.run_s,
        "ok": report.ok,
    }


# --- loads -----------------------------------------------------------------------------------------


def _loads(data: Dataset, checkpoints: list[tuple[int, bytes]], *, boot: int, per_band: int,
           segment_records: int) -> tuple[list[BandLoad], int]:
    """Signed messages for every band, made before the clock starts: signing is the bands' cost."""
    first = datetime.now(UTC) - timedelta(minutes=30)
    loads, total = [], 0
    for i, band in enumerate(data.bands):
        signing, _ = wire.generate_keypair(band.signing_seed)
        records = []
        for seq in range(1, per_band + 1):
            at = first + timedelta(milliseconds=seq * 10 + i)
            checkpoint_id, secret = checkpoints[(i + seq) % len(checkpoints)]
            records.append(wire.Record(
                kind=wire.Kind.PATROL_CHECKIN, band_id=band.band_id, boot=boot, seq=seq, event_at_ms=wire.epoch_ms(at),
                checkpoint_id=checkpoint_id, beacon_token=wire.beacon_token(secret, wire.window_index(at)),
                rssi_dbm=-60, battery_pct=80, detail=0))
        messages = []
        for start in range(0, len(records), segment_records):
            chunk = records[start:start + segment_records]
            message = (wire.LiveRecord.sign(chunk[0], signing) if segment_records == 1
                       else wire.LogSegment.sign(band.band_id, tuple(chunk), signing))
            messages.append((bytes(message), tuple((r.boot, r.seq) for r in chunk)))
        loads.append(BandLoad(band.band_id, band_mqtt_password(band.band_id, FLEET_SECRET), messages))
        total += len(records)
    return loads, total


def _checkpoint_secrets(url: str) -> list[tuple[int, bytes]]:
    """(checkpoint id, its beacon's secret): the load's records carry the tokens a band would hear."""
    engine = make_engine(url)
    with Session(engine) as session:
        pairs = [(b.checkpoint_id, b.secret) for b in beacon_secrets(session, None)]  # the seed's: demo secrets
    engine.dispose()
    return pairs


# --- timing ----------------------------------------------------------------------------------------


def _timed_baseline(mq: Mosquitto, loads: list[BandLoad], total: int) -> float:
    sub = subprocess.Popen(
        [sys.executable, "-m", "stewards.bench_subscriber", mq.host, str(mq.port), GATEWAY.username, GATEWAY.password,
         str(total)],
        stdout=subprocess.PIPE, text=True,
    )
    try:
        assert sub.stdout is not None and sub.stdout.readline().strip() == "ready"
        result = asyncio.run(run_load(mq.host, mq.port, loads))
        assert sub.stdout.readline().strip() == "done"
        return time.perf_counter() - result.first_publish_at
    finally:
        sub.wait(timeout=30)
        if sub.stdout is not None:
            sub.stdout.close()


def _timed_until_stored(pg: Postgres, db: str, loads: list[BandLoad], total: int, mq: Mosquitto) -> float:
    async def publish_and_watch() -> float:
        publishing = asyncio.create_task(run_load(mq.host, mq.port, loads))
        with psycopg.connect(pg.dsn(db), autocommit=True) as conn:
            while True:
                await asyncio.sleep(POLL_SECONDS)
                stored = conn.execute("SELECT count(*) FROM checkins").fetchone()[0]  # type: ignore[index]
                if stored >= total:
                    done_at = time.perf_counter()
                    break
        result = await publishing
        return done_at - result.first_publish_at

    return asyncio.run(publish_and_watch())


def _idle_round_trip(mq: Mosquitto) -> float:
    """One QoS 1 publish → PUBACK on the idle broker: the floor under any latency above."""
    async def ping() -> float:
        reader, writer = await asyncio.open_connection(mq.host, mq.port)
        writer.write(connect_packet("bench-ping", GATEWAY.username, GATEWAY.password))
        await read_packet(reader)
        samples = []
        for i in range(1, 201):
            started = time.perf_counter()
            writer.write(publish_packet("stewards/v1/bands/1/ack", i, b"\x00"))
            await read_packet(reader)
            samples.append(time.perf_counter() - started)
        writer.close()
        return statistics.median(samples)

    return asyncio.run(ping())


# --- services and stores ---------------------------------------------------------------------------


@contextmanager
def _services(data: Dataset) -> Iterator[tuple[Postgres, Mosquitto, list[tuple[int, bytes]]]]:
    root = Path(tempfile.mkdtemp(prefix="stewards-bench-"))
    root.chmod(0o711)  # the daemons run as their own OS users and must pass through
    bands = {b.band_id: band_mqtt_password(b.band_id, FLEET_SECRET) for b in data.bands}
    try:
        with Postgres(root / "pg") as pg, Mosquitto(root / "mq", gateway=GATEWAY, bands=bands) as mq:
            yield pg, mq, _checkpoint_secrets(_fresh_store(pg, data, "bench_registry"))
    finally:
        shutil.rmtree(root, ignore_errors=True)


def _fresh_store(pg: Postgres, data: Dataset, name: str) -> str:
    url = pg.create_database(name)
    engine = make_engine(url)
    prepare_store(engine, data)
    engine.dispose()
    return url


@contextmanager
def _gateway(url: str, mq: Mosquitto) -> Iterator[None]:
    env = {
        **os.environ, "STEWARDS_DATABASE_URL": url, "STEWARDS_MQTT_HOST": mq.host, "STEWARDS_MQTT_PORT": str(mq.port),
        "STEWARDS_MQTT_VERSION": "5", "STEWARDS_GATEWAY_USERNAME": GATEWAY.username,
        # One client id, so one session: a stopped gateway's session would keep a share of the subscription.
        "STEWARDS_GATEWAY_PASSWORD": GATEWAY.password, "STEWARDS_GATEWAY_CLIENT_ID": "bench-gateway",
        # The bench's registry is the seed's, demo keys and all: allowed here, explicitly.
        "STEWARDS_ALLOW_DEMO_KEYS": "true",
        "COLUMNS": "300", "NO_COLOR": "1",
    }
    proc = subprocess.Popen([sys.executable, "-m", "stewards.cli", "gateway", "--verbose"], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    drain: threading.Thread | None = None
    try:
        assert proc.stdout is not None
        seen: list[str] = []
        for line in proc.stdout:
            if "subscribed to" in line:
                break
            seen.append(line)
        else:
            tail = "".join(seen[-15:])
            raise RuntimeError(f"the gateway exited before subscribing (exit {proc.wait()}):\n{tail}")
        # Keep reading its output so a full pipe never stalls the process being measured.
        drain = threading.Thread(target=proc.stdout.read, daemon=True)
        drain.start()
        yield
    finally:
        proc.terminate()
        proc.wait(timeout=60)
        if drain is not None:
            drain.join(timeout=10)
        if proc.stdout is not None:
            proc.stdout.close()


def _stored_rows(dsn: str) -> list[tuple[Any, ...]]:
    with psycopg.connect(dsn) as conn:
        return conn.execute(f"SELECT {', '.join(CHECKIN_COLUMNS)} FROM checkins").fetchall()


def _timed_raw_copy(dsn: str, rows: list[tuple[Any, ...]], packed: bool) -> float:
    """COPY the same rows into the emptied hypertable, either through psycopg's per-row writer or as one
    prebuilt binary buffer; the baseline is whichever is faster, so the ratio is against the floor."""
    with psycopg.connect(dsn) as conn:
        conn.execute("TRUNCATE checkins")
        conn.commit()
        columns = ", ".join(CHECKIN_COLUMNS)
        started = time.perf_counter()
        with conn.cursor() as cur, cur.copy(f"COPY checkins ({columns}) FROM STDIN (FORMAT BINARY)") as copy:
            if packed:
                copy.write(copy_buffer([CheckInRow(*row[:-1]) for row in rows], rows[0][-1]))
            else:
                copy.set_types(CHECKIN_COPY_TYPES)
                for row in rows:
                    copy.write_row(row)
        conn.commit()
        return time.perf_counter() - started


def _markdown(r: dict[str, Any]) -> str:
    a, b = r["a_live_records"], r["b_log_segments"]
    return "\n".join([
        f"| benchmark ({r['machine']['cores']} cores) | measured | same-run baseline | ratio | goal |",
        "|---|---|---|---|---|",
        f"| (a) live records, {a['bands']} bands, {a['records']} msgs "
        f"| {a['gateway_records_per_second']} rec/s committed "
        f"| bare paho subscriber {a['baseline_bare_subscriber_messages_per_second']} msg/s "
        f"| {a['ratio_gateway_to_bare_subscriber']} | ≥ {a['goal_ratio']} |",
        f"| (b) log segments of {b['segment_records']}, {b['records']} records "
        f"| {b['gateway_records_per_second']} rec/s committed "
        f"| raw COPY {b['baseline_raw_copy_rows_per_second']} rows/s "
        f"| {b['ratio_gateway_to_raw_copy']} | ≥ {b['goal_ratio']} |",
        *(
            f"| (c) publish→ack at {c['rate_per_second']}/s | p50 {c['p50_ms']} ms, p99 {c['p99_ms']} ms "
            f"| idle broker round trip {c['baseline_broker_round_trip_ms']} ms "
            f"| p50 {c['p50_ms'] / max(c['baseline_broker_round_trip_ms'], 1e-9):.0f}× | — |"
            for c in (r["c_latency"], r["c_latency_quarter_rate"])
        ),
        *(
            f"| ({label}) BLE sync, {e['bands']} band(s), {e['records']} records "
            f"| {e['ble_records_per_second']} rec/s, "
            f"drained in {e['ble_seconds_to_drain']} s | same segments through the pipeline directly "
            f"{e['baseline_direct_pipeline_records_per_second']} rec/s | {e['ratio']} | — |"
            for label, e in (("d", r["d_ble_one_band"]), ("e", r["e_ble_fleet"]))
        ),
        *(
            f"| ({label}) {name}, {c['synthetic_stewards']} stewards × {c['days']} days ({c['database']}) "
            f"| {c[f'{what}_seconds']:.2f} s | recompute from raw check-ins {c['baseline_recompute_seconds']:.2f} s "
            f"| {c[f'ratio_{what}_to_recompute']} | — |"
            for label, name, what, c in (
                ("f", "month close", "month_close", r["cycle"]["f_month_close"]),
                ("g", "year-end award", "year_award", r["cycle"]["g_year_award"]),
            )
        ),
        _chaos_row(r["h_chaos"]),
        "",
    ])


def _chaos_row(h: dict[str, Any]) -> str:
    faults = ", ".join(f"{kind} {n}" for kind, n in h["faults_by_kind"].items())
    outcome = "" if h["ok"] else " — FAILED"
    return (f"| (h) chaos, {h['cycles']} faults, {h['bands']} bands ({h['ble_bands']} BLE), {h['gateways']} gateways, "
            f"seed {h['seed']} | {h['lost']} lost, {h['duplicated']} duplicated of {h['records_made']} records; "
            f"drained {h['drain_seconds_after_last_fault']} s after the last fault{outcome} | {faults} | — "
            f"| 0 lost, 0 twice |")
