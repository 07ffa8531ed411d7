"""The real components the project starts itself: Mosquitto and PostgreSQL/TimescaleDB on loopback.

Used by the test suite's session fixtures, by `stewards bench` and by fault drills that restart the
broker or the database in the middle of a run. Nothing here does I/O at import.

When we are root the daemons run as their own OS users (`mosquitto`, `postgres`): a working
directory must be reachable by them, so make it with e.g. `tempfile.mkdtemp(prefix="stewards-")`
directly under /tmp rather than inside a private (0700) directory such as pytest's tmp_path.
"""

from __future__ import annotations

from stewards.services.errors import (
    ConfigError,
    NotInstalledError,
    NotRunningError,
    ServiceError,
    StartError,
    StopError,
    WorkdirError,
)
from stewards.services.mosquitto import Mosquitto, MqttCredentials
from stewards.services.ports import free_port
from stewards.services.postgres import Postgres

__all__ = [
    "ConfigError",
    "Mosquitto",
    "MqttCredentials",
    "NotInstalledError",
    "NotRunningError",
    "Postgres",
    "ServiceError",
    "StartError",
    "StopError",
    "WorkdirError",
    "free_port",
]
