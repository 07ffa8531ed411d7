"""Shared fixtures: the real services the integration tests talk to, and the two stores.

PostgreSQL/TimescaleDB and Mosquitto are started here, on loopback, by the project's own managers
(stewards.services). Nothing is skipped: a service that cannot start fails the tests that need it.
"""

from __future__ import annotations

import contextlib
import shutil
import tempfile
import threading
import uuid
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine

from gateway.batcher import Batcher
from gateway.mqtt import BrokerSettings, MqttLink
from gateway.verify import Limits
from scoring.ingest import IngestStore
from scoring.seed.dataset import Dataset
from scoring.seed.longtan import longtan_dataset
from scoring.storage.engine import make_engine
from stewards.registry import band_mqtt_password, prepare_store
from stewards.services.mosquitto import Mosquitto, MqttCredentials
from stewards.services.postgres import Postgres

FLEET_SECRET = b"lane-stewards test fleet"


@pytest.fixture(autouse=True, scope="session")
def _cheap_argon2() -> Iterator[None]:
    """Accounts in tests hash with argon2id at its cheapest. The production cost (pwdlib's recommended
    64 MiB, 3 passes) is a deployment choice no test checks, and at half a second a hash on these machines it
    made each jurisdiction matrix (a dozen accounts per store) spend most of its time hashing. Subprocesses
    (the CLI tests) keep the real cost."""
    from pwdlib import PasswordHash
    from pwdlib.hashers.argon2 import Argon2Hasher

    from scoring.accounts import passwords

    real = passwords._HASHER
    passwords._HASHER = PasswordHash((Argon2Hasher(time_cost=1, memory_cost=1024, parallelism=1),))  # type: ignore[misc]
    yield
    passwords._HASHER = real  # type: ignore[misc]
GATEWAY = MqttCredentials("gateway", "gateway-test-password")
DEFAULT_LIMITS = Limits()


def service_workdir(name: str) -> Path:
    """A working directory the services' own OS users can reach (pytest's tmp root is 0700)."""
    return Path(tempfile.mkdtemp(prefix=f"stewards-{name}-"))


@pytest.fixture(scope="session")
def postgres() -> Iterator[Postgres]:
    workdir = service_workdir("pg")
    pg = Postgres(workdir)
    pg.start()
    yield pg
    pg.stop()
    shutil.rmtree(workdir, ignore_errors=True)


@pytest.fixture(params=["sqlite", "timescaledb"])
def engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    """An empty database of each kind: a SQLite file, and a fresh database on the TimescaleDB server."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'stewards.db'}"
    else:
        pg: Postgres = request.getfixturevalue("postgres")
        url = pg.create_database(f"t_{uuid.uuid4().hex[:12]}")
    e = make_engine(url)
    yield e
    e.dispose()


@pytest.fixture(scope="session")
def longtan() -> Dataset:
    return longtan_dataset()


@pytest.fixture
def seeded(engine: Engine, longtan: Dataset) -> Engine:
    prepare_store(engine, longtan)
    return engine


def broker_for(workdir: Path, data: Dataset, **extra_bands: str) -> Mosquitto:
    bands = {b.band_id: band_mqtt_password(b.band_id, FLEET_SECRET) for b in data.bands}
    bands.update({int(k): v for k, v in extra_bands.items()})
    return Mosquitto(workdir, gateway=GATEWAY, bands=bands)


@contextlib.contextmanager
def running_gateway(
    engine: Engine, broker: Mosquitto, *, clock: Callable[[], datetime] | None = None, limits: Limits = DEFAULT_LIMITS,
    client_id: str = "gateway-test",
) -> Iterator[Batcher]:
    """The real gateway (paho, MQTT v5, shared subscription) in a thread, stopped on exit."""
    # The seeded registry's keys are the demo's: the tests' gateway allows them, explicitly.
    gw = Batcher(IngestStore(engine, allow_demo_keys=True), limits=limits, **({"clock": clock} if clock else {}))
    link = MqttLink(
        BrokerSettings(broker.host, broker.port, GATEWAY.username, GATEWAY.password, 5, client_id), gw.submit
    )
    stop = threading.Event()
    link.start()
    worker = threading.Thread(target=gw.run, args=(stop,), name="gateway-test")
    worker.start()
    try:
        yield gw
    finally:
        stop.set()
        worker.join(timeout=30)
        link.stop()
        assert not worker.is_alive(), "the gateway did not stop within 30 s"
