"""Unit tests of what the Mosquitto manager writes, and of the production files in deploy/mosquitto.

No broker runs here, except `mosquitto_passwd` for hashing."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Final

import pytest

from stewards.services import ConfigError, Mosquitto, MqttCredentials, NotInstalledError
from stewards.services import mosquitto as manager
from stewards.services.host import find_executable

DEPLOY_DIR: Final = Path(__file__).resolve().parents[2] / "deploy" / "mosquitto"
GATEWAY: Final = MqttCredentials("gateway", "gateway-secret")


def directives(text: str) -> list[tuple[str, str]]:
    """(keyword, value) for each non-comment line of a mosquitto config or ACL file."""
    pairs = []
    for line in text.splitlines():
        stripped = line.strip()
        if stripped and not stripped.startswith("#"):
            keyword, _, value = stripped.partition(" ")
            pairs.append((keyword, value.strip()))
    return pairs


# --- mosquitto.conf ------------------------------------------------------------------------------


def test_config_listens_on_loopback_only_with_no_anonymous_access() -> None:
    config = dict(directives(manager.render_config(Path("/srv/b"), 18_830)))
    assert config["listener"] == "18830 127.0.0.1"
    assert config["allow_anonymous"] == "false"
    assert config["password_file"] == "/srv/b/passwd"  # noqa: S105 - a path, not a secret
    assert config["acl_file"] == "/srv/b/acl"
    assert config["log_dest"] == "file /srv/b/mosquitto.log"


def test_config_persists_sessions_into_the_workdir() -> None:
    config = dict(directives(manager.render_config(Path("/srv/b"), 1)))
    assert config["persistence"] == "true"
    assert config["persistence_location"] == "/srv/b/"  # mosquitto appends the file name verbatim
    assert config["persistence_file"] == "mosquitto.db"
    assert config["autosave_interval"] == "5"
    assert config["persistent_client_expiration"] == "1d"
    assert config["max_queued_messages"] == "100000"
    assert config["max_inflight_messages"] == "1000"
    assert config["max_packet_size"] == "65536"


def test_config_without_persistence_says_so() -> None:
    config = dict(directives(manager.render_config(Path("/srv/b"), 1, persistence=False, allow_anonymous=True)))
    assert config["persistence"] == "false"
    assert "persistence_location" not in config
    assert config["allow_anonymous"] == "true"


def test_production_config_keeps_the_limits_of_the_test_broker() -> None:
    production = dict(directives((DEPLOY_DIR / "mosquitto.conf").read_text()))
    rendered = dict(directives(manager.render_config(Path("/srv/b"), 1)))
    for keyword in (
        "per_listener_settings",
        "allow_anonymous",
        "persistence",
        "persistence_file",
        "autosave_interval",
        "autosave_on_changes",
        "persistent_client_expiration",
        "max_queued_messages",
        "max_inflight_messages",
        "max_packet_size",
        "set_tcp_nodelay",
        "connection_messages",
    ):
        assert production[keyword] == rendered[keyword], keyword


def test_production_config_listens_on_all_interfaces_with_tls_left_to_fill_in() -> None:
    text = (DEPLOY_DIR / "mosquitto.conf").read_text()
    config = dict(directives(text))
    assert config["listener"] == "8883"
    assert config["user"] == "mosquitto"
    for placeholder in ("certfile", "keyfile", "cafile"):
        assert placeholder not in config
        assert f"#{placeholder} /etc/mosquitto/certs/" in text


# --- acl ----------------------------------------------------------------------------------------


def test_acl_gives_the_gateway_uplinks_and_acks_and_each_band_its_own_topics() -> None:
    assert directives(manager.render_acl("gw-1")) == [
        ("user", "gw-1"),
        ("topic", "read stewards/v1/bands/+/up"),
        ("topic", "write stewards/v1/bands/+/ack"),
        ("pattern", "write stewards/v1/bands/%u/up"),
        ("pattern", "read stewards/v1/bands/%u/ack"),
    ]


def test_acl_for_an_anonymous_test_broker_opens_the_protocol_tree_to_anonymous_clients_only() -> None:
    rules = directives(manager.render_acl("gw", allow_anonymous=True))
    # Rules before the first `user` line are the anonymous clients' rules.
    assert rules[0] == ("topic", "readwrite stewards/v1/#")
    assert rules[1] == ("user", "gw")


def test_production_acl_has_the_rules_the_test_broker_runs_with() -> None:
    assert directives((DEPLOY_DIR / "acl").read_text()) == directives(manager.render_acl("gateway"))


def test_acl_filters_match_the_protocol_topics() -> None:
    assert manager.UPLINK_FILTER.replace("+", "42") == "stewards/v1/bands/42/up"
    assert manager.ACK_FILTER.replace("+", "42") == "stewards/v1/bands/42/ack"
    assert manager.BAND_UPLINK_PATTERN.replace("%u", "42") == "stewards/v1/bands/42/up"
    assert manager.BAND_ACK_PATTERN.replace("%u", "42") == "stewards/v1/bands/42/ack"


# --- credentials ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("username", "password"),
    [
        ("", "pw"),
        ("a:b", "pw"),
        ("a b", "pw"),
        ("a\tb", "pw"),
        ("a\x00", "pw"),
        ("gw", ""),
        ("gw", "two\nlines"),
        ("gw", "cr\r"),
    ],
)
def test_credentials_that_cannot_go_into_a_password_file_are_refused(username: str, password: str) -> None:
    with pytest.raises(ConfigError):
        MqttCredentials(username, password)


def test_credentials_do_not_show_the_password() -> None:
    assert "s3cret" not in repr(MqttCredentials("gateway", "s3cret"))


@pytest.mark.parametrize("band_id", [0, -1, 2**32, True, "7", 1.0])
def test_band_ids_out_of_range_are_refused(band_id: object) -> None:
    with pytest.raises(ConfigError, match="band id"):
        Mosquitto(Path("/tmp/unused"), gateway=GATEWAY, bands={band_id: "pw"})  # type: ignore[dict-item]


def test_band_ids_at_the_limits_are_accepted() -> None:
    broker = Mosquitto(Path("/tmp/unused"), port=1, gateway=GATEWAY, bands={1: "a", 2**32 - 1: "b"})
    assert dict(broker.bands) == {1: "a", 2**32 - 1: "b"}
    assert broker.port == 1
    assert broker.host == "127.0.0.1"
    assert not broker.running


def test_a_gateway_username_that_looks_like_a_band_id_is_refused() -> None:
    with pytest.raises(ConfigError, match="band id"):
        Mosquitto(Path("/tmp/unused"), gateway=MqttCredentials("12", "pw"))


def test_a_workdir_with_spaces_is_refused() -> None:
    with pytest.raises(ConfigError, match="spaces"):
        Mosquitto(Path("/tmp/with space"), gateway=GATEWAY)


# --- hashing ---------------------------------------------------------------------------------------


@pytest.fixture
def scratch_dir() -> Iterator[Path]:
    with tempfile.TemporaryDirectory(prefix="stewards-test-hash-") as name:
        yield Path(name)


def test_hash_passwords_gives_pbkdf2_sha512_entries_and_leaves_no_plain_text(scratch_dir: Path) -> None:
    hashed = manager.hash_passwords({"gateway": "gw-secret", "7": "band-seven"}, scratch_dir=scratch_dir)
    assert hashed.keys() == {"gateway", "7"}
    for entry in hashed.values():
        algorithm, iterations, salt, digest = entry.split("$")[1:]
        assert (algorithm, iterations) == ("7", "101")
        assert salt and digest
    assert hashed["gateway"] != hashed["7"]
    assert list(scratch_dir.iterdir()) == []


def test_hash_passwords_of_nothing_runs_nothing(scratch_dir: Path) -> None:
    assert manager.hash_passwords({}, scratch_dir=scratch_dir, mosquitto_passwd=Path("/nonexistent")) == {}


def test_a_missing_executable_says_how_to_install_it() -> None:
    with pytest.raises(NotInstalledError, match=r"scripts/install-services\.sh"):
        find_executable("mosquitto", [Path("/nonexistent/bin")])
    with pytest.raises(NotInstalledError, match=r"scripts/install-services\.sh"):
        find_executable("mosquitto-that-does-not-exist")
