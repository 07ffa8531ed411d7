"""Integration tests of the PostgreSQL manager against a real PostgreSQL 15 + TimescaleDB cluster."""

from __future__ import annotations

import os
import pwd
import shutil
import tempfile
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import psycopg
import pytest

from stewards.services import ConfigError, NotRunningError, Postgres, StartError, WorkdirError, free_port

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def base_dir() -> Iterator[Path]:
    """A directory the postgres OS user can enter; pytest's tmp_path sits under a 0700 directory."""
    path = Path(tempfile.mkdtemp(prefix="stewards-test-pg-"))
    path.chmod(0o711)
    yield path
    shutil.rmtree(path)


@pytest.fixture(scope="module")
def server(base_dir: Path) -> Iterator[Postgres]:
    with Postgres(base_dir / "cluster") as running:
        yield running


def scalar(server: Postgres, database: str, query: str) -> object:
    with psycopg.connect(server.dsn(database)) as conn:
        row = conn.execute(query).fetchone()
    assert row is not None
    return row[0]


def test_create_database_returns_its_sqlalchemy_url(server: Postgres) -> None:
    url = server.create_database("stewards_url")
    assert url == f"postgresql+psycopg://postgres@127.0.0.1:{server.port}/stewards_url"
    assert server.dsn("stewards_url") == f"host=127.0.0.1 port={server.port} dbname=stewards_url user=postgres"
    assert scalar(server, "stewards_url", "SELECT current_database()") == "stewards_url"


def test_created_database_has_timescaledb_apache_edition(server: Postgres) -> None:
    server.create_database("stewards_ext")
    with psycopg.connect(server.dsn("stewards_ext")) as conn:
        extensions = {name for (name,) in conn.execute("SELECT extname FROM pg_extension")}
    assert "timescaledb" in extensions
    assert server.timescaledb_license("stewards_ext") == "apache"


def test_create_database_is_idempotent(server: Postgres) -> None:
    first = server.create_database("stewards_twice")
    with psycopg.connect(server.dsn("stewards_twice")) as conn:
        conn.execute("CREATE TABLE kept (id int)")
    assert server.create_database("stewards_twice") == first
    assert scalar(server, "stewards_twice", "SELECT count(*) FROM kept") == 0


def test_hypertable_and_time_bucket_work(server: Postgres) -> None:
    server.create_database("stewards_ts")
    with psycopg.connect(server.dsn("stewards_ts")) as conn:
        conn.execute(
            "CREATE TABLE checkins (at timestamptz NOT NULL, band_id bigint NOT NULL, checkpoint_id int NOT NULL)"
        )
        created = conn.execute("SELECT * FROM create_hypertable('checkins', by_range('at'))").fetchone()
        assert created is not None and created[1] is True
        with conn.cursor() as cur:
            cur.executemany(
                "INSERT INTO checkins VALUES (%s, %s, %s)",
                [
                    (datetime(2025, 3, 1, 8, minute, tzinfo=UTC), band_id, 1)
                    for band_id in (1, 2)
                    for minute in (5, 20, 50)
                ],
            )
        buckets = conn.execute(
            "SELECT time_bucket('30 minutes', at) AS bucket, count(*) FROM checkins GROUP BY bucket ORDER BY bucket"
        ).fetchall()
        hypertables = conn.execute("SELECT hypertable_name FROM timescaledb_information.hypertables").fetchall()
    assert buckets == [(datetime(2025, 3, 1, 8, 0, tzinfo=UTC), 4), (datetime(2025, 3, 1, 8, 30, tzinfo=UTC), 2)]
    assert hypertables == [("checkins",)]


def test_server_settings(server: Postgres) -> None:
    server.create_database("stewards_settings")
    expected = {
        "listen_addresses": "127.0.0.1",
        "fsync": "on",
        "synchronous_commit": "on",
        "max_connections": "100",
        "shared_buffers": "128MB",
        "shared_preload_libraries": "timescaledb",
        "TimeZone": "UTC",
        "unix_socket_directories": str(server.socket_dir),
        "port": str(server.port),
    }
    for setting, value in expected.items():
        assert scalar(server, "stewards_settings", f"SHOW {setting}") == value, setting


def test_committed_data_survives_restart_and_crash(server: Postgres) -> None:
    server.create_database("stewards_durable")
    with psycopg.connect(server.dsn("stewards_durable")) as conn:
        conn.execute("CREATE TABLE points (steward text, points int)")
        conn.execute("INSERT INTO points VALUES ('王阿姨', 5)")
    port = server.port

    server.restart()
    assert server.port == port
    assert scalar(server, "stewards_durable", "SELECT sum(points) FROM points") == 5

    with psycopg.connect(server.dsn("stewards_durable")) as conn:
        conn.execute("INSERT INTO points VALUES ('李大爷', 3)")
    # An immediate shutdown skips the checkpoint, as a crash would; the next start replays the WAL.
    server.stop("immediate")
    assert not server.running
    with pytest.raises(NotRunningError, match="start"):
        server.create_database("stewards_durable")
    server.start()
    assert server.running
    assert scalar(server, "stewards_durable", "SELECT sum(points) FROM points") == 8


def test_kill_is_a_crash_that_loses_nothing_committed(server: Postgres) -> None:
    server.create_database("stewards_killed")
    with psycopg.connect(server.dsn("stewards_killed")) as conn:
        conn.execute("CREATE TABLE points (steward text, points int)")
        conn.execute("INSERT INTO points VALUES ('王阿姨', 5)")
    port = server.port
    open_session = psycopg.connect(server.dsn("stewards_killed"))  # a backend that must go too
    server.kill()
    assert not server.running
    with pytest.raises(psycopg.OperationalError):
        open_session.execute("SELECT 1")
    open_session.close()
    server.start()
    assert server.port == port
    assert scalar(server, "stewards_killed", "SELECT sum(points) FROM points") == 5
    assert "was interrupted" in server.log_path.read_text(encoding="utf-8")  # it recovered, as after a crash
    server.kill()
    server.kill()  # idempotent: nothing left to kill
    server.start()


def test_start_twice_is_refused(server: Postgres) -> None:
    with pytest.raises(StartError, match="already running"):
        server.start()


def test_data_directory_belongs_to_the_postgres_user(server: Postgres) -> None:
    info = server.data_dir.stat()
    if os.geteuid() == 0:
        assert pwd.getpwuid(info.st_uid).pw_name == "postgres"
    assert info.st_mode & 0o077 == 0


def test_cluster_without_timescaledb(base_dir: Path) -> None:
    with Postgres(base_dir / "plain", timescaledb=False) as plain:
        plain.create_database("plain_db")
        assert plain.timescaledb_license("plain_db") is None
        assert scalar(plain, "plain_db", "SELECT count(*) FROM pg_extension WHERE extname = 'timescaledb'") == 0
    assert not plain.running
    plain.stop()  # idempotent


# --- failures are reported, not hidden ------------------------------------------------------


@pytest.mark.parametrize("name", ["", "Stewards", "1db", "db-name", "db;drop", "a" * 64, "名字"])
def test_unusable_database_names_are_refused(name: str) -> None:
    with pytest.raises(ConfigError, match="database name"):
        Postgres(Path("/tmp/unused"), port=1).dsn(name)
    with pytest.raises(ConfigError, match="database name"):
        Postgres(Path("/tmp/unused"), port=1).create_database(name)


def test_unknown_stop_mode_is_refused() -> None:
    with pytest.raises(ConfigError, match="fast"):
        Postgres(Path("/tmp/unused"), port=1).stop("graceful")


def test_talking_to_a_server_that_is_not_there_says_to_start_it() -> None:
    with pytest.raises(NotRunningError, match="start"):
        Postgres(Path("/tmp/unused"), port=free_port()).create_database("nothing_here")


def test_a_workdir_the_server_cannot_reach_is_reported(tmp_path: Path) -> None:
    # pytest's tmp_path lies under a 0700 directory of root's.
    cluster = Postgres(tmp_path / "unreachable")
    if os.geteuid() == 0:
        with pytest.raises(WorkdirError, match="chmod o\\+x"):
            cluster.start()
    else:
        cluster.start()
        assert cluster.running
        cluster.stop()


def test_a_data_directory_that_is_not_a_cluster_is_not_overwritten(base_dir: Path) -> None:
    workdir = base_dir / "not-a-cluster"
    (workdir / "data").mkdir(parents=True)
    (workdir / "data" / "precious.txt").write_text("keep me")
    with pytest.raises(WorkdirError, match="PG_VERSION"):
        Postgres(workdir).start()
    assert (workdir / "data" / "precious.txt").read_text() == "keep me"
