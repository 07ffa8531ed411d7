"""The production path as an operator runs it: `stewards db seed`, `stewards gateway` and
`stewards bands` as three processes, on mosquitto and TimescaleDB."""

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
        }
        seed = subprocess.run([STEWARDS, "db", "seed"], env=env, capture_output=True, text=True, timeout=120)
        assert seed.returncode == 0, seed.stderr
        assert "63 stewards" in seed.stdout
        gateway = subprocess.Popen([STEWARDS, "gateway"], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        try:
            bands = subprocess.run([STEWARDS, "bands", "--days", "2"], env=env, capture_output=True, text=True, timeout=300)
        finally:
            gateway.terminate()
            out, _ = gateway.communicate(timeout=60)
        assert bands.returncode == 0, bands.stdout + bands.stderr
        assert gateway.returncode == 0, out[-2000:]
    engine = make_engine(url)
    with session_factory(engine)() as s:
        stored = s.scalar(select(func.count()).select_from(t.CheckIn))
        refused = s.scalar(select(func.count()).select_from(t.Quarantine).where(t.Quarantine.reason != "replay"))
    engine.dispose()
    # `stewards bands` prints what the fleet made and what was acked as stored.
    made = int(bands.stdout.split("made ")[1].split()[0])
    assert stored == made > 0 and refused == 0
