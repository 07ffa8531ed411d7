"""Integration tests of the Mosquitto manager against the real broker: authentication, the ACL,
persistence across restarts, reloading passwords, and the production config in deploy/mosquitto."""

from __future__ import annotations

import os
import queue
import shutil
import socket
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final

import paho.mqtt.client as mqtt
import pytest
from paho.mqtt.enums import CallbackAPIVersion, MQTTProtocolVersion
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties
from paho.mqtt.reasoncodes import ReasonCode

from stewards.services import Mosquitto, MqttCredentials, StartError, WorkdirError
from stewards.services.mosquitto import render_config

pytestmark = pytest.mark.integration

WAIT_SECONDS: Final = 5.0
GATEWAY: Final = MqttCredentials("gateway", "gateway-secret")
BANDS: Final = {1: "band-1-secret", 2: "band-2-secret", 4_294_967_295: "band-max-secret"}
# The protocol's topic strings, written out as the wire protocol defines them.
UPLINK_FILTER: Final = "stewards/v1/bands/+/up"
SHARED_UPLINK_FILTER: Final = "$share/gateways/stewards/v1/bands/+/up"
NOT_AUTHORIZED: Final = 0x87
SESSION_EXPIRY_SECONDS: Final = 3600
DEPLOY_DIR: Final = Path(__file__).resolve().parents[2] / "deploy" / "mosquitto"


def uplink(band_id: int) -> str:
    return f"stewards/v1/bands/{band_id}/up"


def ack(band_id: int) -> str:
    return f"stewards/v1/bands/{band_id}/ack"


@dataclass
class Session:
    """A paho client whose callbacks only hand what they get to queues read by the test."""

    client: mqtt.Client
    connacks: queue.Queue[tuple[bool, ReasonCode]] = field(default_factory=queue.Queue)
    messages: queue.Queue[mqtt.MQTTMessage] = field(default_factory=queue.Queue)
    pubacks: queue.Queue[tuple[int, ReasonCode]] = field(default_factory=queue.Queue)
    subacks: queue.Queue[list[ReasonCode]] = field(default_factory=queue.Queue)

    def connack(self) -> tuple[bool, ReasonCode]:
        return self.connacks.get(timeout=WAIT_SECONDS)

    def subscribe(self, topic_filter: str) -> None:
        self.client.subscribe(topic_filter, qos=1)
        granted = self.subacks.get(timeout=WAIT_SECONDS)
        assert [rc.is_failure for rc in granted] == [False]

    def publish(self, topic: str, payload: bytes) -> ReasonCode:
        """Publish at QoS 1 and return the reason code of the broker's PUBACK."""
        info = self.client.publish(topic, payload, qos=1)
        mid, reason = self.pubacks.get(timeout=WAIT_SECONDS)
        assert mid == info.mid
        return reason

    def next_message(self) -> mqtt.MQTTMessage:
        return self.messages.get(timeout=WAIT_SECONDS)


OpenSession = Callable[..., Session]


@pytest.fixture
def open_session() -> Iterator[OpenSession]:
    """Connects paho clients (v2 callback API) and disconnects them all after the test."""
    opened: list[mqtt.Client] = []

    def _open(
        broker: Mosquitto,
        username: str | None,
        password: str | None,
        *,
        protocol: MQTTProtocolVersion = mqtt.MQTTv5,
        client_id: str = "",
        persistent: bool = False,
    ) -> Session:
        # A refused or dropped client must not reconnect behind the test's back.
        client = mqtt.Client(
            callback_api_version=CallbackAPIVersion.VERSION2,
            client_id=client_id,
            protocol=protocol,
            clean_session=None if protocol == mqtt.MQTTv5 else not persistent,
            reconnect_on_failure=False,
        )
        session = Session(client)
        client.on_connect = lambda _c, _u, flags, rc, _p: session.connacks.put((flags.session_present, rc))
        client.on_message = lambda _c, _u, message: session.messages.put(message)
        client.on_publish = lambda _c, _u, mid, rc, _p: session.pubacks.put((mid, rc))
        client.on_subscribe = lambda _c, _u, _mid, rcs, _p: session.subacks.put(list(rcs))
        if username is not None:
            client.username_pw_set(username, password)
        if protocol == mqtt.MQTTv5:
            properties = Properties(PacketTypes.CONNECT)  # type: ignore[no-untyped-call]
            properties.SessionExpiryInterval = SESSION_EXPIRY_SECONDS if persistent else 0
            client.connect(broker.host, broker.port, clean_start=not persistent, properties=properties)
        else:
            client.connect(broker.host, broker.port)
        opened.append(client)
        client.loop_start()
        return session

    yield _open
    for client in opened:
        client.disconnect()
        client.loop_stop()


def connected(session: Session) -> Session:
    _, reason = session.connack()
    assert not reason.is_failure, f"broker refused the connection: {reason}"
    return session


def close(session: Session) -> None:
    session.client.disconnect()
    session.client.loop_stop()


@pytest.fixture(scope="module")
def base_dir() -> Iterator[Path]:
    """A directory the broker's OS user can enter; pytest's tmp_path sits under a 0700 directory."""
    path = Path(tempfile.mkdtemp(prefix="stewards-test-mqtt-"))
    path.chmod(0o711)
    yield path
    shutil.rmtree(path)


@pytest.fixture(scope="module")
def broker(base_dir: Path) -> Iterator[Mosquitto]:
    with Mosquitto(base_dir / "shared", gateway=GATEWAY, bands=BANDS) as running:
        yield running


@pytest.fixture
def fresh_broker(base_dir: Path, request: pytest.FixtureRequest) -> Iterator[Mosquitto]:
    """A broker of the test's own, for tests that restart it."""
    with Mosquitto(base_dir / request.node.name.replace("[", "-").rstrip("]"), gateway=GATEWAY, bands=BANDS) as running:
        yield running


# --- authentication --------------------------------------------------------------------------


@pytest.mark.parametrize("protocol", [mqtt.MQTTv5, mqtt.MQTTv311])
def test_refuses_anonymous_clients(broker: Mosquitto, open_session: OpenSession, protocol: MQTTProtocolVersion) -> None:
    session = open_session(broker, None, None, protocol=protocol)
    _, reason = session.connack()
    assert reason.is_failure
    assert reason.value in (0x05, NOT_AUTHORIZED)  # 3.1.1 "not authorized" / v5 "Not authorized"


@pytest.mark.parametrize(("username", "password"), [("1", "band-2-secret"), ("3", "band-1-secret"), ("gateway", "x")])
def test_refuses_wrong_password_or_unknown_user(
    broker: Mosquitto, open_session: OpenSession, username: str, password: str
) -> None:
    _, reason = open_session(broker, username, password).connack()
    assert reason.is_failure


@pytest.mark.parametrize("band_id", sorted(BANDS))
def test_accepts_a_band_with_its_password(broker: Mosquitto, open_session: OpenSession, band_id: int) -> None:
    session = connected(open_session(broker, str(band_id), BANDS[band_id]))
    assert session.publish(uplink(band_id), b"hello").is_failure is False


def test_password_file_holds_hashes_only(broker: Mosquitto) -> None:
    text = broker.password_path.read_text()
    assert "secret" not in text
    lines = text.splitlines()
    assert sorted(line.split(":", 1)[0] for line in lines) == sorted(["gateway", *map(str, BANDS)])
    assert all(line.split(":", 1)[1].startswith("$7$") for line in lines)
    assert broker.password_path.stat().st_mode & 0o077 == 0


# --- ACL -------------------------------------------------------------------------------------


def test_band_publishing_on_another_bands_topic_gets_not_authorized_v5(
    broker: Mosquitto, open_session: OpenSession
) -> None:
    gateway = connected(open_session(broker, GATEWAY.username, GATEWAY.password))
    gateway.subscribe(UPLINK_FILTER)
    band = connected(open_session(broker, "1", BANDS[1]))

    assert band.publish(uplink(2), b"forged").value == NOT_AUTHORIZED
    assert band.publish(uplink(1), b"genuine").is_failure is False

    # One connection's messages are delivered in order: had the forged one gone through, it would
    # have arrived first.
    message = gateway.next_message()
    assert (message.topic, message.payload) == (uplink(1), b"genuine")
    assert gateway.messages.empty()


def test_band_publishing_on_another_bands_topic_is_dropped_v311(broker: Mosquitto, open_session: OpenSession) -> None:
    gateway = connected(open_session(broker, GATEWAY.username, GATEWAY.password, protocol=mqtt.MQTTv311))
    gateway.subscribe(UPLINK_FILTER)
    band = connected(open_session(broker, "1", BANDS[1], protocol=mqtt.MQTTv311))

    # MQTT 3.1.1 has no way to say "refused": the broker acknowledges and drops the message.
    assert not band.publish(uplink(2), b"forged").is_failure
    assert not band.publish(uplink(1), b"genuine").is_failure

    message = gateway.next_message()
    assert (message.topic, message.payload) == (uplink(1), b"genuine")
    assert gateway.messages.empty()


def test_band_receives_only_its_own_acks(broker: Mosquitto, open_session: OpenSession) -> None:
    band = connected(open_session(broker, "1", BANDS[1]))
    band.subscribe("stewards/v1/bands/+/ack")
    gateway = connected(open_session(broker, GATEWAY.username, GATEWAY.password))

    assert gateway.publish(ack(2), b"for band 2").is_failure is False
    assert gateway.publish(ack(1), b"for band 1").is_failure is False

    message = band.next_message()
    assert (message.topic, message.payload) == (ack(1), b"for band 1")
    assert band.messages.empty()


def test_band_cannot_publish_acks(broker: Mosquitto, open_session: OpenSession) -> None:
    band = connected(open_session(broker, "1", BANDS[1]))
    assert band.publish(ack(1), b"fake ack").value == NOT_AUTHORIZED


def test_gateway_cannot_publish_uplinks(broker: Mosquitto, open_session: OpenSession) -> None:
    gateway = connected(open_session(broker, GATEWAY.username, GATEWAY.password))
    assert gateway.publish(uplink(1), b"spoofed").value == NOT_AUTHORIZED


def test_gateway_shared_subscription_receives_uplinks(broker: Mosquitto, open_session: OpenSession) -> None:
    gateway = connected(open_session(broker, GATEWAY.username, GATEWAY.password))
    gateway.subscribe(SHARED_UPLINK_FILTER)
    band = connected(open_session(broker, "2", BANDS[2]))

    assert band.publish(uplink(2), b"via shared subscription").is_failure is False

    message = gateway.next_message()
    assert (message.topic, message.payload) == (uplink(2), b"via shared subscription")


# --- reload, restart, persistence --------------------------------------------------------------


def test_add_bands_admits_new_bands_without_restart(broker: Mosquitto, open_session: OpenSession) -> None:
    pid = broker.pid
    _, refused = open_session(broker, "77", "band-77-secret").connack()
    assert refused.is_failure

    broker.add_bands({77: "band-77-secret", 78: "band-78-secret"})

    assert broker.pid == pid
    for band_id in (77, 78):
        session = connected(open_session(broker, str(band_id), f"band-{band_id}-secret"))
        assert session.publish(uplink(band_id), b"new band").is_failure is False
    connected(open_session(broker, "1", BANDS[1]))


@pytest.mark.parametrize("protocol", [mqtt.MQTTv5, mqtt.MQTTv311], ids=["v5", "v311"])
def test_queued_qos1_message_is_delivered_after_restart(
    fresh_broker: Mosquitto, open_session: OpenSession, protocol: MQTTProtocolVersion
) -> None:
    client_id = f"gateway-durable-{protocol}"

    def durable_gateway() -> Session:
        return open_session(
            fresh_broker, GATEWAY.username, GATEWAY.password, protocol=protocol, client_id=client_id, persistent=True
        )

    gateway = connected(durable_gateway())
    gateway.subscribe(UPLINK_FILTER)
    close(gateway)

    band = connected(open_session(fresh_broker, "1", BANDS[1], protocol=protocol))
    assert not band.publish(uplink(1), b"queued while the gateway was away").is_failure
    close(band)

    port = fresh_broker.port
    fresh_broker.restart()
    assert fresh_broker.port == port
    assert fresh_broker.persistence_path.exists()

    back = durable_gateway()
    session_present, reason = back.connack()
    assert not reason.is_failure
    assert session_present
    message = back.next_message()
    assert (message.topic, message.payload, message.qos) == (uplink(1), b"queued while the gateway was away", 1)


def test_kill_is_a_crash_and_start_brings_the_broker_back_on_its_port(
    fresh_broker: Mosquitto, open_session: OpenSession
) -> None:
    port, pid = fresh_broker.port, fresh_broker.pid
    fresh_broker.kill()
    assert not fresh_broker.running and pid is not None
    with pytest.raises(OSError):
        socket.create_connection((fresh_broker.host, fresh_broker.port), timeout=WAIT_SECONDS).close()
    fresh_broker.kill()  # idempotent
    fresh_broker.start()
    assert fresh_broker.port == port and fresh_broker.pid != pid
    connected(open_session(fresh_broker, "2", BANDS[2]))


def test_stop_is_idempotent_and_start_after_stop_works(fresh_broker: Mosquitto, open_session: OpenSession) -> None:
    fresh_broker.stop()
    fresh_broker.stop()
    assert not fresh_broker.running
    with pytest.raises(OSError):
        socket.create_connection((fresh_broker.host, fresh_broker.port), timeout=WAIT_SECONDS).close()

    fresh_broker.start()
    assert fresh_broker.running
    connected(open_session(fresh_broker, "2", BANDS[2]))


# --- failures are reported, not hidden ------------------------------------------------------


def test_start_reports_a_taken_port(base_dir: Path) -> None:
    with socket.socket() as squatter:
        squatter.bind(("127.0.0.1", 0))
        squatter.listen()
        taken = squatter.getsockname()[1]
        broker = Mosquitto(base_dir / "taken-port", port=taken, gateway=GATEWAY)
        with pytest.raises(StartError, match="exited"):
            broker.start(timeout_seconds=WAIT_SECONDS)
    assert not broker.running


def test_start_reports_a_workdir_the_broker_cannot_reach(tmp_path: Path) -> None:
    # pytest's tmp_path lies under a 0700 directory of root's.
    broker = Mosquitto(tmp_path / "unreachable", gateway=GATEWAY)
    if os.geteuid() == 0:
        with pytest.raises(WorkdirError, match="chmod o\\+x"):
            broker.start()
    else:
        broker.start()
        assert broker.running
        broker.stop()


# --- the production config ------------------------------------------------------------------


class ProductionConfigBroker(Mosquitto):
    """Runs deploy/mosquitto's config and ACL, with its paths moved into the workdir."""

    def write_config(self) -> Path:
        path = super().write_config()
        text = (DEPLOY_DIR / "mosquitto.conf").read_text()
        listener = "listener 8883\n"
        assert text.count(listener) == 1
        text = text.replace(listener, f"listener {self.port} 127.0.0.1\n")
        text = text.replace("/etc/mosquitto/stewards/", f"{self.workdir}/")
        text = text.replace("/var/lib/mosquitto/", f"{self.workdir}/")
        text = text.replace("/var/log/mosquitto/", f"{self.workdir}/")
        path.write_text(text)
        self.acl_path.write_text((DEPLOY_DIR / "acl").read_text())
        return path


def test_production_config_runs_on_this_mosquitto(base_dir: Path, open_session: OpenSession) -> None:
    gateway_credentials = MqttCredentials("gateway", "gw")
    with ProductionConfigBroker(base_dir / "production", gateway=gateway_credentials, bands={5: "five"}) as broker:
        assert broker.config_path.read_text() != render_config(broker.workdir, broker.port)
        gateway = connected(open_session(broker, "gateway", "gw"))
        gateway.subscribe(SHARED_UPLINK_FILTER)
        band = connected(open_session(broker, "5", "five"))
        assert band.publish(uplink(6), b"forged").value == NOT_AUTHORIZED
        assert band.publish(uplink(5), b"genuine").is_failure is False
        assert gateway.next_message().payload == b"genuine"
        _, reason = open_session(broker, None, None).connack()
        assert reason.is_failure


def test_bands_added_while_stopped_are_admitted_at_the_next_start(
    fresh_broker: Mosquitto, open_session: OpenSession
) -> None:
    fresh_broker.stop()
    fresh_broker.add_bands({90: "band-90-secret"})
    fresh_broker.start()
    session = connected(open_session(fresh_broker, "90", "band-90-secret"))
    assert session.publish(uplink(90), b"late band").is_failure is False
