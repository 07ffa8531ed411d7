"""`stewards bands enrol|credentials` and `stewards beacons install|replace`: what they print once, what they
store, and each mistake as one line with exit code 2."""

from __future__ import annotations

import base64
import os
import queue
import shutil
import signal
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import paho.mqtt.client as mqtt
import pytest
from nacl.signing import SigningKey
from paho.mqtt.enums import CallbackAPIVersion
from sqlalchemy import select
from typer.testing import CliRunner

from scoring.registry import claim_codes
from scoring.registry.beacons import beacon_secrets
from scoring.seed.longtan import longtan_dataset
from scoring.storage import tables as t
from scoring.storage.engine import make_engine, session_factory
from stewards.cli import app
from stewards.registry import prepare_store
from stewards.services.mosquitto import (
    BAND_ACK_PATTERN,
    BAND_UPLINK_PATTERN,
    Mosquitto,
    MqttCredentials,
    issue_band_credentials,
)
from tests.conftest import service_workdir

runner = CliRunner()
BEACON_KEY = bytes(range(7, 39))


def key(n: int) -> str:
    return bytes(SigningKey(bytes([n]) * 32).verify_key).hex()


@pytest.fixture(autouse=True)
def _no_settings_from_outside(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in [n for n in os.environ if n.startswith("STEWARDS_")]:
        monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    url = f"sqlite:///{tmp_path / 'stewards.db'}"
    engine = make_engine(url)
    prepare_store(engine, longtan_dataset())
    engine.dispose()
    return {"STEWARDS_DATABASE_URL": url, "STEWARDS_BEACON_KEY": base64.b64encode(BEACON_KEY).decode()}


def _mistake(args: list[str], env: dict[str, str], *expected: str) -> None:
    result = runner.invoke(app, args, env=env)
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert result.exit_code == 2 and len(lines) == 1, result.output
    assert lines[0].startswith("stewards: ") and "Traceback" not in result.output
    for word in expected:
        assert word in lines[0], lines[0]


def _stored(env: dict[str, str]) -> dict[int, tuple[bytes, str, bytes | None]]:
    engine = make_engine(env["STEWARDS_DATABASE_URL"])
    with session_factory(engine)() as s:
        rows = {i: (bytes(k), o, c) for i, k, o, c in s.execute(
            select(t.Band.id, t.Band.public_key, t.Band.key_origin, t.Band.claim_code_sha256)
            .where(t.Band.id >= 90_000))}
    engine.dispose()
    return rows


def test_one_band_is_enrolled_and_its_claim_code_printed_once(env: dict[str, str]) -> None:
    result = runner.invoke(app, ["bands", "enrol", "--band-id", "90001", "--public-key", key(1)], env=env)
    assert result.exit_code == 0, result.output
    header, line = result.stdout.splitlines()
    assert header == "band_id,claim_code" and line.startswith("90001,")
    code = line.split(",")[1]
    assert _stored(env) == {90_001: (bytes.fromhex(key(1)), "enrolled", claim_codes.digest(code))}
    assert "shown this once" in result.stderr


def test_a_factory_file_is_enrolled_whole_and_its_codes_written_privately(env: dict[str, str], tmp_path: Path) -> None:
    factory = tmp_path / "factory.csv"
    factory.write_text("band_id,public_key\n90001," + key(1) + "\n90002," +
                       base64.b64encode(bytes.fromhex(key(2))).decode() + "\n", encoding="utf-8")
    out = tmp_path / "codes.csv"
    result = runner.invoke(app, ["bands", "enrol", "--csv", str(factory), "--out", str(out)], env=env)
    assert result.exit_code == 0, result.output
    assert out.stat().st_mode & 0o777 == 0o600 and result.stdout == ""
    codes = dict(line.split(",") for line in out.read_text().splitlines()[1:])
    assert sorted(codes) == ["90001", "90002"] and {i: c for i, (_, _, c) in _stored(env).items()} == {
        int(i): claim_codes.digest(c) for i, c in codes.items()}


def test_enrolment_mistakes_are_one_line(env: dict[str, str], tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text(f"band_id,public_key\n90001,{key(1)}\n90002,{(bytes([1]) + bytes(31)).hex()}\n", encoding="utf-8")
    _mistake(["bands", "enrol", "--csv", str(bad)], env, "line 3", "small order")
    assert _stored(env) == {}  # all or nothing
    _mistake(["bands", "enrol", "--csv", str(tmp_path / "missing.csv")], env, "cannot read")
    _mistake(["bands", "enrol", "--band-id", "1001", "--public-key", key(1)], env, "enrolled already")
    _mistake(["bands", "enrol", "--band-id", "90001", "--public-key", "abc"], env, "hex key is 64 digits")
    _mistake(["bands", "enrol", "--band-id", "90001"], env, "--public-key")
    _mistake(["bands", "enrol", "--csv", str(bad), "--band-id", "1"], env, "not both")


def test_a_beacon_is_replaced_and_its_secret_printed_once_and_stored_sealed(env: dict[str, str]) -> None:
    result = runner.invoke(app, ["beacons", "replace", "1"], env=env)
    assert result.exit_code == 0, result.output
    secret = bytes.fromhex(result.stdout.splitlines()[1].removeprefix("secret "))
    assert "stopped counting" in result.stdout and "shown this once" in result.stderr
    engine = make_engine(env["STEWARDS_DATABASE_URL"])
    with session_factory(engine)() as s:
        assert [b.secret for b in beacon_secrets(s, BEACON_KEY, active_only=True) if b.checkpoint_id == 1] == [secret]
        assert all(secret not in bytes(sealed) for sealed in s.scalars(select(t.Beacon.sealed_secret)))
    engine.dispose()


def test_beacon_mistakes_are_one_line(env: dict[str, str]) -> None:
    _mistake(["beacons", "install", "1"], env, "active beacon", "stewards beacons replace")
    _mistake(["beacons", "replace", "999999"], env, "no checkpoint with id 999999")
    no_key = {k: v for k, v in env.items() if k != "STEWARDS_BEACON_KEY"}
    _mistake(["beacons", "replace", "1"], no_key, "STEWARDS_BEACON_KEY", "openssl rand -base64 32")
    _mistake(["beacons", "replace", "1"], {**env, "STEWARDS_BEACON_KEY": "c2hvcnQ="}, "STEWARDS_BEACON_KEY", "5 bytes")


def test_a_gateway_without_the_beacon_key_or_demo_keys_does_not_start(env: dict[str, str]) -> None:
    no_key = {k: v for k, v in env.items() if k != "STEWARDS_BEACON_KEY"}
    _mistake(["gateway", "--no-mqtt", "--ble"], no_key, "STEWARDS_BEACON_KEY", "demo keys")


@pytest.fixture
def broker() -> Iterator[Mosquitto]:
    workdir = service_workdir("mq-creds")
    with Mosquitto(workdir, gateway=MqttCredentials("gateway", "gateway-test-password")) as mq:
        yield mq
    shutil.rmtree(workdir, ignore_errors=True)


def _connack(mq: Mosquitto, username: str, password: str) -> bool:
    answers: queue.Queue[bool] = queue.Queue()
    client = mqtt.Client(CallbackAPIVersion.VERSION2, client_id=f"creds-test-{username}", protocol=mqtt.MQTTv311)
    client.username_pw_set(username, password)
    client.on_connect = lambda _c, _u, _f, reason, _p: answers.put(not reason.is_failure)
    client.connect(mq.host, mq.port)
    client.loop_start()
    try:
        return answers.get(timeout=10)
    finally:
        client.disconnect()
        client.loop_stop()


def test_a_band_gets_its_broker_login_once_and_the_broker_takes_it(env: dict[str, str], broker: Mosquitto) -> None:
    runner.invoke(app, ["bands", "enrol", "--band-id", "90001", "--public-key", key(1)], env=env)
    args = ["bands", "credentials", "90001", "--passwd", str(broker.password_path), "--acl", str(broker.acl_path)]
    result = runner.invoke(app, args, env=env)
    assert result.exit_code == 0, result.output
    password = result.stdout.split("password ")[1].split()[0]
    assert password not in broker.password_path.read_text()  # hashed, as mosquitto keeps it
    assert broker.pid is not None
    os.kill(broker.pid, signal.SIGHUP)  # `systemctl reload mosquitto`
    assert _wait_until(lambda: _connack(broker, "90001", password))
    assert not _connack(broker, "90001", "not-the-password")
    assert _connack(broker, "gateway", "gateway-test-password")  # the other lines stay
    _mistake(["bands", "credentials", "90009", "--passwd", str(broker.password_path), "--acl",
              str(broker.acl_path)], env, "not enrolled")


def _wait_until(check: Callable[[], bool], timeout_seconds: float = 10.0) -> bool:
    deadline = time.monotonic() + timeout_seconds
    while time.monotonic() < deadline:  # the broker re-reads its files a moment after SIGHUP
        if check():
            return True
        time.sleep(0.05)
    return False


def test_an_acl_without_the_band_patterns_gets_them(tmp_path: Path) -> None:
    acl = tmp_path / "acl"
    acl.write_text("user gateway\ntopic read stewards/v1/bands/+/up\n", encoding="utf-8")
    passwd = tmp_path / "passwd"
    passwd.write_text("gateway:$7$keep-this-line\n90001:$7$old\n", encoding="utf-8")
    issue_band_credentials(90_001, "a-new-password", password_file=passwd, acl_file=acl, gateway_username="gateway")
    lines = passwd.read_text().splitlines()
    assert lines[0] == "gateway:$7$keep-this-line" and len(lines) == 2 and lines[1].startswith("90001:$7$")
    assert lines[1] != "90001:$7$old"
    text = acl.read_text()
    assert text.startswith("user gateway\n") and f"pattern write {BAND_UPLINK_PATTERN}" in text
    assert f"pattern read {BAND_ACK_PATTERN}" in text
    issue_band_credentials(90_001, "another-password", password_file=passwd, acl_file=acl, gateway_username="gateway")
    assert acl.read_text() == text  # patterns are added once
    fresh = tmp_path / "new-acl"
    issue_band_credentials(90_002, "pw-90002", password_file=passwd, acl_file=fresh, gateway_username="gateway")
    assert fresh.stat().st_mode & 0o777 == 0o600 and "user gateway" in fresh.read_text()
