"""A command-line mistake is one line on stderr and exit code 2; a bug keeps its traceback."""

from __future__ import annotations

from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from scoring.seed.longtan import longtan_dataset
from scoring.storage.engine import make_engine
from stewards.cli import app
from stewards.cli_errors import OneLineErrors, one_line
from stewards.registry import prepare_store
from stewards.services.ports import free_port

runner = CliRunner()
PASSWORD = "gateway-test-password"


@pytest.fixture(autouse=True)
def _no_settings_from_outside(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Only what a test sets: no STEWARDS_* of the caller, no .env file in the working directory."""
    import os

    for name in [n for n in os.environ if n.startswith("STEWARDS_")]:
        monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)


def _mistake(args: list[str], env: dict[str, str], *expected: str) -> str:
    result = runner.invoke(app, args, env=env)
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert result.exit_code == 2, result.output
    assert len(lines) == 1, result.stderr
    (line,) = lines
    assert line.startswith("stewards: ") and "Traceback" not in result.output
    for word in expected:
        assert word in line, line
    return line


@pytest.fixture(scope="module")
def seeded_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = f"sqlite:///{tmp_path_factory.mktemp('cli') / 'stewards.db'}"
    engine = make_engine(url)
    prepare_store(engine, longtan_dataset())
    engine.dispose()
    return url


def test_a_malformed_database_url() -> None:
    _mistake(["db", "upgrade"], {"STEWARDS_DATABASE_URL": "not a url"}, "STEWARDS_DATABASE_URL", "not a database URL")


def test_a_database_url_of_no_known_kind() -> None:
    _mistake(["db", "upgrade"], {"STEWARDS_DATABASE_URL": "mongodb://localhost/stewards"}, "not a database URL")


def test_a_database_with_no_schema(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'empty.db'}"
    _mistake(["explain", "1", "--label", "2018-05"], {"STEWARDS_DATABASE_URL": url}, "no such table",
             "stewards db upgrade")


def test_a_missing_database_file(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'no' / 'such' / 'dir' / 'stewards.db'}"
    _mistake(["db", "upgrade"], {"STEWARDS_DATABASE_URL": url}, "database unavailable", "STEWARDS_DATABASE_URL")


def test_an_unreachable_postgresql() -> None:
    url = f"postgresql+psycopg://stewards@127.0.0.1:{free_port()}/stewards"
    _mistake(["explain", "1", "--label", "2018-05"], {"STEWARDS_DATABASE_URL": url}, "database unavailable",
             "is running")


def test_an_unknown_steward(seeded_url: str) -> None:
    _mistake(["explain", "99999", "--label", "2018-05"], {"STEWARDS_DATABASE_URL": seeded_url},
             "no steward with id 99999")


def test_a_bad_period_label(seeded_url: str) -> None:
    _mistake(["explain", "1", "--label", "2018-13"], {"STEWARDS_DATABASE_URL": seeded_url}, "2018-13")


def test_a_bad_period_kind(seeded_url: str) -> None:
    _mistake(["explain", "1", "--period", "fortnight", "--label", "2018-05"], {"STEWARDS_DATABASE_URL": seeded_url},
             "fortnight")


def test_a_bad_date(tmp_path: Path) -> None:
    _mistake(["demo", "--start", "2018-02-30", "--once", "--workdir", str(tmp_path)], {}, "--start", "YYYY-MM-DD")
    _mistake(["cycle", "close", "due", "--today", "soon", "--issuer-secret", "s"], {}, "--today", "YYYY-MM-DD")


def test_a_missing_gateway_password() -> None:
    _mistake(["gateway"], {}, "STEWARDS_GATEWAY_PASSWORD")


def test_an_mqtt_version_that_does_not_exist() -> None:
    _mistake(["gateway"], {"STEWARDS_GATEWAY_PASSWORD": PASSWORD, "STEWARDS_MQTT_VERSION": "4"},
             "STEWARDS_MQTT_VERSION", "3 or 5")


def test_a_fault_hook_that_does_not_parse() -> None:
    _mistake(["gateway"], {"STEWARDS_GATEWAY_PASSWORD": PASSWORD, "STEWARDS_FAULT": "kill-after-commit:zero"},
             "STEWARDS_FAULT", "kill-after-commit:<n>")


def test_a_share_group_the_broker_would_refuse() -> None:
    _mistake(["gateway", "--shared-group", "a/b"], {"STEWARDS_GATEWAY_PASSWORD": PASSWORD}, "share group", "'/'")


def test_a_share_group_on_mqtt_3() -> None:
    _mistake(["gateway", "--shared-group", "gateways"], {"STEWARDS_GATEWAY_PASSWORD": PASSWORD,
                                                         "STEWARDS_MQTT_VERSION": "3"}, "--shared-group", "v5")


def test_chaos_with_more_radio_bands_than_bands() -> None:
    _mistake(["chaos", "--bands", "5", "--ble-bands", "6"], {}, "--ble-bands 6")


def test_a_broker_that_is_down(seeded_url: str) -> None:
    env = {"STEWARDS_GATEWAY_PASSWORD": PASSWORD, "STEWARDS_MQTT_PORT": str(free_port()),
           "STEWARDS_DATABASE_URL": seeded_url, "STEWARDS_ALLOW_DEMO_KEYS": "true"}
    _mistake(["gateway"], env, "MQTT broker", "is it running")


def test_bluetooth_with_no_radio_ends_the_gateway(seeded_url: str) -> None:
    # No emulated radio and no BlueZ here: the BLE edge cannot scan, and the command says so and stops
    # instead of carrying on with an edge that died.
    _mistake(["gateway", "--no-mqtt", "--ble", "--allow-demo-keys"], {"STEWARDS_DATABASE_URL": seeded_url},
             "Bluetooth LE: cannot scan",
             "STEWARDS_BLE_RADIO")


def test_a_gateway_whose_database_is_missing(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'missing' / 'stewards.db'}"
    _mistake(["gateway", "--no-mqtt", "--ble", "--allow-demo-keys"], {"STEWARDS_DATABASE_URL": url},
             "database unavailable")


def test_serve_without_a_token_secret(seeded_url: str) -> None:
    _mistake(["serve"], {"STEWARDS_DATABASE_URL": seeded_url}, "STEWARDS_AUTH_SECRET", "32")


def test_the_first_administrator_and_a_name_taken_twice(seeded_url: str) -> None:
    env = {"STEWARDS_DATABASE_URL": seeded_url}
    made = runner.invoke(app, ["accounts", "create-admin", "root", "--password-stdin"], env=env,
                         input="a long enough password\n")
    assert made.exit_code == 0 and "account root (admin) created" in made.stdout, made.output
    result = runner.invoke(app, ["accounts", "create-admin", "root", "--password-stdin"], env=env,
                           input="a long enough password\n")
    assert result.exit_code == 2 and result.stderr.strip() == "stewards: username 'root' is taken"


def test_an_account_of_a_role_that_does_not_exist(seeded_url: str) -> None:
    _mistake(["accounts", "add", "x", "--role", "mayor", "--password-stdin"], {"STEWARDS_DATABASE_URL": seeded_url},
             "--role 'mayor'", "chief")


def test_a_bug_keeps_its_traceback() -> None:
    bugged = typer.Typer(cls=OneLineErrors)

    @bugged.command()
    def broken() -> None:
        raise KeyError("a bug")

    @bugged.command()
    def other() -> None:  # two commands, so `broken` is a subcommand as in the real app
        pass

    result = runner.invoke(bugged, ["broken"])
    assert isinstance(result.exception, KeyError) and result.exit_code == 1
    assert one_line(KeyError("a bug")) is None and one_line(RuntimeError("a bug")) is None
