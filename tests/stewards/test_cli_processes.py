"""The production path as an operator runs it: `stewards db seed`, `stewards gateway` and
`stewards bands simulate` as separate processes, on mosquitto and TimescaleDB, and over the emulated radio."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from pathlib import Path

from sqlalchemy import func, select

from scoring.seed.longtan import longtan_dataset
from scoring.storage import tables as t
from scoring.storage.engine import make_engine, session_factory
from stewards.services.ports import free_port
from tests.conftest import FLEET_SECRET, GATEWAY, broker_for, service_workdir

STEWARDS = str(Path(sys.executable).with_name("stewards"))


def test_seed_gateway_and_bands_as_separate_processes(postgres) -> None:  # type: ignore[no-untyped-def]
    url = postgres.create_database(f"cli_{uuid.uuid4().hex[:8]}")
    with broker_for(service_workdir("mq"), longtan_dataset()) as broker:
        env = {
            **os.environ, "NO_COLOR": "1", "COLUMNS": "200",
            "STEWARDS_DATABASE_URL": url, "STEWARDS_MQTT_HOST": broker.host, "STEWARDS_MQTT_PORT": str(broker.port),
            "STEWARDS_GATEWAY_USERNAME": GATEWAY.username, "STEWARDS_GATEWAY_PASSWORD": GATEWAY.password,
            "STEWARDS_GATEWAY_CLIENT_ID": "gateway-cli-test", "STEWARDS_FLEET_SECRET": FLEET_SECRET.decode(),
            "STEWARDS_ALLOW_DEMO_KEYS": "true",  # `db seed`'s registry: demo keys, allowed explicitly
        }
        seed = subprocess.run([STEWARDS, "db", "seed"], env=env, capture_output=True, text=True, timeout=120)
        assert seed.returncode == 0, seed.stderr
        assert "63 stewards" in seed.stdout
        gateway = subprocess.Popen([STEWARDS, "gateway"], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                   text=True)
        try:
            bands = subprocess.run([STEWARDS, "bands", "simulate", "--days", "2"], env=env, capture_output=True,
                                   text=True, timeout=300)
        finally:
            gateway.terminate()
            out, _ = gateway.communicate(timeout=60)
        assert bands.returncode == 0, bands.stdout + bands.stderr
        assert gateway.returncode == 0, out[-2000:]
    assert _stored_and_refused(url) == (_made(bands.stdout), 0)


def test_radio_gateway_and_bands_over_bluetooth_as_separate_processes(tmp_path: Path) -> None:
    """`stewards radio` is the air; the gateway and the bands are hosts in their own processes on it."""
    url = f"sqlite:///{tmp_path / 'stewards.db'}"
    port = free_port()
    env = {
        **os.environ, "NO_COLOR": "1", "COLUMNS": "200", "STEWARDS_DATABASE_URL": url,
        "STEWARDS_BLE_RADIO": f"tcp:127.0.0.1:{port}", "STEWARDS_ALLOW_DEMO_KEYS": "true",
    }
    seed = subprocess.run([STEWARDS, "db", "seed"], env=env, capture_output=True, text=True, timeout=120)
    assert seed.returncode == 0, seed.stderr
    radio = subprocess.Popen([STEWARDS, "radio", "--port", str(port)], env=env, stdout=subprocess.PIPE,
                             stderr=subprocess.STDOUT, text=True)
    gateway = None
    try:
        assert radio.stdout is not None and "emulated radio on" in radio.stdout.readline()
        gateway = subprocess.Popen([STEWARDS, "gateway", "--no-mqtt", "--ble"], env=env, stdout=subprocess.PIPE,
                                   stderr=subprocess.STDOUT, text=True)
        bands = subprocess.run([STEWARDS, "bands", "simulate", "--ble", "--days", "1"], env=env, capture_output=True,
                               text=True, timeout=300)
    finally:
        for process in (gateway, radio):
            if process is not None:
                process.terminate()
        gateway_out = gateway.communicate(timeout=60)[0] if gateway is not None else ""
        radio.communicate(timeout=60)
    assert bands.returncode == 0, bands.stdout + bands.stderr
    assert gateway is not None and gateway.returncode == 0, gateway_out[-2000:]
    assert _stored_and_refused(url) == (_made(bands.stdout), 0)


def _made(bands_stdout: str) -> int:
    """`stewards bands simulate` prints what the fleet made and what was acked as stored."""
    made = int(bands_stdout.split("made ")[1].split()[0])
    assert made > 0
    return made


def _stored_and_refused(url: str) -> tuple[int, int]:
    engine = make_engine(url)
    with session_factory(engine)() as s:
        stored = s.scalar(select(func.count()).select_from(t.CheckIn))
        refused = s.scalar(select(func.count()).select_from(t.Quarantine).where(t.Quarantine.reason != "replay"))
    engine.dispose()
    return stored or 0, refused or 0
