"""PostgreSQL 15 with TimescaleDB run by the project: one cluster per working directory, on 127.0.0.1.

    data/             the cluster, made by initdb on the first start, owned by the postgres OS user
    data/stewards.conf  the settings below, rewritten on every start and included by postgresql.conf
    run/              the unix socket directory; peer authentication, so only the postgres OS user
    postgres.log      the server's log

Clients connect over TCP to 127.0.0.1 as the superuser `postgres` with trust authentication: the
cluster is a disposable local one for tests, benchmarks and fault drills, never a production server.
"""

from __future__ import annotations

import contextlib
import logging
import os
import re
import signal
import subprocess
import time
from pathlib import Path
from types import TracebackType
from typing import Final, Self

import psycopg
from psycopg import sql

from stewards.services.errors import (
    INSTALL_HINT,
    ConfigError,
    NotInstalledError,
    NotRunningError,
    StartError,
    StopError,
    WorkdirError,
)
from stewards.services.host import (
    ServiceUser,
    find_executable,
    give_to,
    prepare_workdir,
    run_as,
    service_user,
)
from stewards.services.ports import LOOPBACK_HOST, free_port

__all__ = ["STOP_MODES", "SUPERUSER", "Postgres"]

logger = logging.getLogger(__name__)

PG_MAJOR: Final = 15
DEFAULT_BIN_DIR: Final = Path(f"/usr/lib/postgresql/{PG_MAJOR}/bin")
SUPERUSER: Final = "postgres"
STOP_MODES: Final = frozenset({"smart", "fast", "immediate"})

# Enough for the test suite and a benchmark; production sizing is the DBA's job.
SHARED_BUFFERS: Final = "128MB"
MAX_CONNECTIONS: Final = 100

DEFAULT_START_TIMEOUT_SECONDS: Final = 30.0
# A fast shutdown writes a checkpoint; on a slow disk after a benchmark that takes a while.
STOP_TIMEOUT_SECONDS: Final = 60.0
_INITDB_TIMEOUT_SECONDS: Final = 120.0
KILL_TIMEOUT_SECONDS: Final = 30.0
_KILL_POLL_SECONDS: Final = 0.02
_QUICK_COMMAND_TIMEOUT_SECONDS: Final = 30.0
# Connecting to a local server is instant; a longer wait only hides a server that is not there.
CONNECT_TIMEOUT_SECONDS: Final = 5
_LOG_TAIL_LINES: Final = 20

# Unquoted PostgreSQL identifiers, so the name needs no quoting anywhere (URLs, DSNs, shells).
_DATABASE_NAME: Final = re.compile(r"[a-z_][a-z0-9_]{0,62}")
# pg_ctl status: 0 running, 3 not running, 4 no usable data directory.
_PG_CTL_STATUS_RUNNING: Final = 0

_INCLUDE_LINE: Final = "include 'stewards.conf'"
_PG_HBA: Final = """\
# Written by stewards.services.postgres.
# TCP clients on loopback are trusted: this is a disposable local cluster.
# The unix socket lives in the working directory and admits the postgres OS user only.
# TYPE  DATABASE  USER  ADDRESS       METHOD
local   all       all                 peer
host    all       all   127.0.0.1/32  trust
"""


class Postgres:
    """A PostgreSQL 15 cluster with TimescaleDB preloaded, on 127.0.0.1 and a free port."""

    def __init__(
        self,
        workdir: Path,
        *,
        port: int | None = None,
        timescaledb: bool = True,
        bin_dir: Path = DEFAULT_BIN_DIR,
    ) -> None:
        self.host: str = LOOPBACK_HOST
        self.port: int = port if port is not None else free_port()
        self.workdir: Path = workdir.absolute()
        self.timescaledb: bool = timescaledb
        self._bin_dir = bin_dir

    @property
    def data_dir(self) -> Path:
        return self.workdir / "data"

    @property
    def socket_dir(self) -> Path:
        return self.workdir / "run"

    @property
    def log_path(self) -> Path:
        return self.workdir / "postgres.log"

    @property
    def running(self) -> bool:
        if not (self.data_dir / "PG_VERSION").exists():
            return False
        status = self._pg_ctl(["status"], service_user(SUPERUSER), _QUICK_COMMAND_TIMEOUT_SECONDS)
        return status.returncode == _PG_CTL_STATUS_RUNNING

    # --- lifecycle -----------------------------------------------------------------------------

    def start(self, timeout_seconds: float = DEFAULT_START_TIMEOUT_SECONDS) -> None:
        """Initialise the cluster on first use, write its settings, and start it (pg_ctl start -w)."""
        self._check_installed()
        user = service_user(SUPERUSER)
        prepare_workdir(self.workdir, user)
        if self.running:
            raise StartError(f"PostgreSQL in {self.data_dir} is already running; call restart() or stop() first")
        if not (self.data_dir / "PG_VERSION").exists():
            self._initdb(user)
        self.socket_dir.mkdir(exist_ok=True)
        give_to(self.socket_dir, user)
        self.socket_dir.chmod(0o700)
        self._write_settings(user)
        result = self._pg_ctl(
            ["start", "-w", "-t", str(max(1, round(timeout_seconds))), "-l", str(self.log_path)],
            user,
            timeout_seconds + _QUICK_COMMAND_TIMEOUT_SECONDS,
        )
        if result.returncode != 0:
            raise StartError(
                f"PostgreSQL did not start on port {self.port} ({(result.stderr or result.stdout).strip()}). "
                f"{self._diagnostics()}"
            )
        logger.info("PostgreSQL started on %s:%d in %s", self.host, self.port, self.data_dir)

    def stop(self, mode: str = "fast") -> None:
        """Shut the server down: `fast` (roll back sessions, checkpoint), `smart` or `immediate`.

        `immediate` skips the checkpoint like a crash does; the next start replays the WAL.
        Idempotent: stopping a stopped server does nothing.
        """
        if mode not in STOP_MODES:
            raise ConfigError(f"unknown stop mode {mode!r}: use one of {', '.join(sorted(STOP_MODES))}")
        if not self.running:
            return
        result = self._pg_ctl(
            ["stop", "-w", "-m", mode, "-t", str(round(STOP_TIMEOUT_SECONDS))],
            service_user(SUPERUSER),
            STOP_TIMEOUT_SECONDS + _QUICK_COMMAND_TIMEOUT_SECONDS,
        )
        if result.returncode != 0:
            raise StopError(
                f"PostgreSQL did not stop ({mode}): {(result.stderr or result.stdout).strip()}. "
                f"Try stop('immediate'). {self._diagnostics()}"
            )
        logger.info("PostgreSQL on port %d stopped (%s)", self.port, mode)

    def restart(self) -> None:
        """Fast shutdown and start again: same data directory, same port."""
        self.stop("fast")
        self.start()

    def kill(self, timeout_seconds: float = KILL_TIMEOUT_SECONDS) -> None:
        """SIGKILL the postmaster and every server process, as a crash or an OOM kill would; the next
        `start()` recovers from the WAL. For fault drills. Returns once every process is gone.

        Server processes each have their own session, so there is no process group to signal. The
        postmaster is stopped first so it cannot fork while its children are collected, and the children
        are killed before it, so none is left attached to the shared memory the next start checks."""
        postmaster = self._postmaster_pid()
        if postmaster is None:
            return
        try:
            os.kill(postmaster, signal.SIGSTOP)
        except ProcessLookupError:
            return
        victims = [*_children_of(postmaster), postmaster]
        for pid in victims:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        deadline = time.monotonic() + timeout_seconds
        # Until the postmaster is reaped (its parent is init), pg_ctl still takes its pid for a server.
        while alive := [pid for pid in victims if _alive(pid) or (pid == postmaster and _exists(pid))]:
            if time.monotonic() > deadline:
                raise StopError(f"PostgreSQL processes {alive} outlived SIGKILL for {timeout_seconds:.0f} s")
            time.sleep(_KILL_POLL_SECONDS)
        logger.info("PostgreSQL on port %d killed (SIGKILL to %d processes)", self.port, len(victims))

    def _postmaster_pid(self) -> int | None:
        try:
            first = (self.data_dir / "postmaster.pid").read_text(encoding="utf-8").split("\n", 1)[0]
        except FileNotFoundError:
            return None
        return int(first) if first.strip().isdigit() and _alive(int(first)) else None

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    # --- databases -----------------------------------------------------------------------------

    def create_database(self, name: str) -> str:
        """Create database `name` if it is missing, with the timescaledb extension; returns its URL.

        The URL is SQLAlchemy's form for psycopg 3: `postgresql+psycopg://postgres@127.0.0.1:PORT/name`.
        """
        _check_database_name(name)
        with self._connect("postgres") as conn:
            exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone()
            if exists is None:
                try:
                    conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
                except psycopg.errors.DuplicateDatabase:
                    logger.debug("database %s was created concurrently", name)
                else:
                    logger.info("created database %s", name)
        if self.timescaledb:
            with self._connect(name) as conn:
                conn.execute("CREATE EXTENSION IF NOT EXISTS timescaledb")
        return self.url(name)

    def url(self, name: str) -> str:
        """SQLAlchemy URL of database `name` (psycopg 3 driver)."""
        _check_database_name(name)
        return f"postgresql+psycopg://{SUPERUSER}@{self.host}:{self.port}/{name}"

    def dsn(self, name: str) -> str:
        """libpq connection string of database `name`, for psycopg.connect()."""
        _check_database_name(name)
        return f"host={self.host} port={self.port} dbname={name} user={SUPERUSER}"

    def timescaledb_license(self, name: str) -> str | None:
        """`SHOW timescaledb.license` in database `name` ('apache' here), or None without TimescaleDB."""
        with self._connect(name) as conn:
            try:
                row = conn.execute("SHOW timescaledb.license").fetchone()
            except psycopg.errors.UndefinedObject:
                return None
        return None if row is None else str(row[0])

    # --- internals -----------------------------------------------------------------------------

    def _connect(self, name: str) -> psycopg.Connection[tuple[object, ...]]:
        try:
            return psycopg.connect(self.dsn(name), autocommit=True, connect_timeout=CONNECT_TIMEOUT_SECONDS)
        except psycopg.OperationalError as exc:
            raise NotRunningError(
                f"cannot connect to database {name!r} on {self.host}:{self.port}: {str(exc).strip()}. "
                f"Call start() first, or see {self.log_path}"
            ) from exc

    def _check_installed(self) -> None:
        for tool in ("initdb", "pg_ctl", "postgres", "pg_config"):
            find_executable(tool, [self._bin_dir])
        if not self.timescaledb:
            return
        pkglibdir = run_as(
            [self._bin_dir / "pg_config", "--pkglibdir"], None, timeout_seconds=_QUICK_COMMAND_TIMEOUT_SECONDS
        ).stdout.strip()
        if not (Path(pkglibdir) / "timescaledb.so").exists():
            raise NotInstalledError(
                f"TimescaleDB is not installed for PostgreSQL {PG_MAJOR} (no timescaledb.so in "
                f"{pkglibdir or 'pg_config --pkglibdir'}): {INSTALL_HINT}, or pass timescaledb=False"
            )

    def _initdb(self, user: ServiceUser | None) -> None:
        if self.data_dir.exists() and any(self.data_dir.iterdir()):
            raise WorkdirError(
                f"{self.data_dir} is not empty but holds no PostgreSQL cluster (no PG_VERSION): "
                "remove it or choose another workdir"
            )
        result = run_as(
            [
                self._bin_dir / "initdb",
                f"--pgdata={self.data_dir}",
                f"--username={SUPERUSER}",
                "--encoding=UTF8",
                # Collation by code point: stable across machines; the UI sorts Chinese names itself.
                "--locale=C",
                "--auth-local=peer",
                "--auth-host=trust",
            ],
            user,
            timeout_seconds=_INITDB_TIMEOUT_SECONDS,
        )
        if result.returncode != 0:
            raise StartError(f"initdb failed in {self.data_dir}: {(result.stderr or result.stdout).strip()}")
        _write_owned(self.data_dir / "pg_hba.conf", _PG_HBA, user)
        config = self.data_dir / "postgresql.conf"
        _write_owned(config, config.read_text(encoding="utf-8") + f"\n{_INCLUDE_LINE}\n", user)
        logger.info("initialised a PostgreSQL cluster in %s", self.data_dir)

    def _write_settings(self, user: ServiceUser | None) -> None:
        settings: dict[str, str] = {
            "listen_addresses": _quote(self.host),
            "port": str(self.port),
            "unix_socket_directories": _quote(str(self.socket_dir)),
            "max_connections": str(MAX_CONNECTIONS),
            "shared_buffers": _quote(SHARED_BUFFERS),
            # Fault drills kill the server mid-run and count on nothing committed being lost.
            "fsync": "on",
            "synchronous_commit": "on",
            "full_page_writes": "on",
            "timezone": _quote("UTC"),
            "log_timezone": _quote("UTC"),
        }
        if self.timescaledb:
            settings["shared_preload_libraries"] = _quote("timescaledb")
            # No network calls from tests or CI.
            settings["timescaledb.telemetry_level"] = "off"
        text = "# Written by stewards.services.postgres on every start.\n" + "".join(
            f"{key} = {value}\n" for key, value in settings.items()
        )
        _write_owned(self.data_dir / "stewards.conf", text, user)

    def _pg_ctl(
        self, args: list[str], user: ServiceUser | None, timeout_seconds: float
    ) -> subprocess.CompletedProcess[str]:
        return run_as(
            [self._bin_dir / "pg_ctl", "--pgdata", self.data_dir, "--silent", *args],
            user,
            timeout_seconds=timeout_seconds,
        )

    def _diagnostics(self) -> str:
        try:
            lines = self.log_path.read_text(encoding="utf-8", errors="replace").splitlines()
        except FileNotFoundError:
            return f"No server log at {self.log_path}."
        return f"--- {self.log_path} ---\n" + "\n".join(lines[-_LOG_TAIL_LINES:])


def _children_of(parent: int) -> list[int]:
    """Processes whose parent is `parent`, from /proc (Linux)."""
    children = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            stat = _proc_stat(int(entry.name))
            if stat is not None and stat[1] == parent:
                children.append(int(entry.name))
    return children


def _proc_stat(pid: int) -> tuple[str, int] | None:
    """(state, parent pid) of `pid`, or None when it is gone."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text(encoding="utf-8", errors="replace")
    except (FileNotFoundError, ProcessLookupError):
        return None
    # "pid (comm) state ppid ...": comm may hold spaces and parentheses, so split after the last ')'.
    fields = text.rpartition(")")[2].split()
    return fields[0], int(fields[1])


def _exists(pid: int) -> bool:
    return Path(f"/proc/{pid}").exists()


def _alive(pid: int) -> bool:
    stat = _proc_stat(pid)
    return stat is not None and stat[0] != "Z"  # a zombie holds nothing; its parent reaps it


def _check_database_name(name: str) -> None:
    if not _DATABASE_NAME.fullmatch(name):
        raise ConfigError(
            f"database name {name!r} is not usable: use lower-case letters, digits and '_', "
            "starting with a letter or '_', at most 63 characters"
        )


def _quote(value: str) -> str:
    """A postgresql.conf string literal."""
    return "'" + value.replace("'", "''") + "'"


def _write_owned(path: Path, text: str, user: ServiceUser | None) -> None:
    """Write a file inside the data directory so that the server's OS user owns it (mode 0600)."""
    path.write_text(text, encoding="utf-8")
    path.chmod(0o600)
    give_to(path, user)
