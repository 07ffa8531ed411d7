"""The gateway's MQTT edge, on paho-mqtt's v2 callback API.

paho's callbacks only convert a message into an `Inbound` (the topic's band, the bytes, and a reply
that publishes the band's acks and PUBACKs the message) and hand it to the batcher; paho types and
topics never leave this module. The subscription is QoS 1 on a persistent session, so messages published while the
gateway is away wait in the broker. With MQTT v5 the gateway joins a shared subscription, so several
gateway processes split one stream; the embedded broker speaks 3.1.1 and gets a plain subscription.

PUBACKs are sent by hand, after the batch has committed (`manual_ack`): if the gateway dies first, the
broker delivers the message again. The band's application-level ack is separate (see pipeline.py).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Final, Literal

import paho.mqtt.client as paho
from paho.mqtt.enums import CallbackAPIVersion
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties

import wire
from gateway.errors import BrokerUnavailableError
from gateway.inbound import Inbound

log = logging.getLogger(__name__)

KEEPALIVE_SECONDS: Final = 30
SESSION_EXPIRY_SECONDS: Final = 7 * 86_400  # queued uplinks survive a gateway outage of a week
RECEIVE_MAXIMUM: Final = 4_000  # unacked messages in flight to us: bounds memory, feeds large batches
# Our QoS 1 acks awaiting PUBACK: no cap. paho rescans every in-flight message on each PUBACK when a cap
# is set (quadratic under load); mosquitto acknowledges QoS 1 at once, so nothing piles up there.
ACKS_IN_FLIGHT: Final = 0
RECONNECT_MIN_SECONDS: Final = 0.5
RECONNECT_MAX_SECONDS: Final = 10.0


@dataclass(frozen=True, slots=True)
class BrokerSettings:
    host: str
    port: int
    username: str | None = None
    password: str | None = None
    mqtt_version: Literal[3, 5] = 5
    client_id: str = "gateway-1"
    shared_group: str | None = "gateways"  # v5 only


class MqttLink:
    def __init__(self, settings: BrokerSettings, deliver: Callable[[Inbound], None]) -> None:
        """`deliver` takes each uplink as it arrives, on paho's thread: `Batcher.submit`."""
        self._settings = settings
        self._deliver = deliver
        self._session = 0
        self._connected = threading.Event()
        self._stopping = False
        v5 = settings.mqtt_version == 5
        self._client = paho.Client(
            CallbackAPIVersion.VERSION2,
            client_id=settings.client_id,
            protocol=paho.MQTTv5 if v5 else paho.MQTTv311,
            clean_session=None if v5 else False,
            manual_ack=True,
        )
        if settings.username is not None:
            self._client.username_pw_set(settings.username, settings.password)
        self._client.max_inflight_messages_set(ACKS_IN_FLIGHT)
        self._client.max_queued_messages_set(0)  # acks to bands are never dropped while we reconnect
        # paho annotates these as int; its reconnect loop sleeps any number of seconds.
        self._client.reconnect_delay_set(RECONNECT_MIN_SECONDS, RECONNECT_MAX_SECONDS)  # type: ignore[arg-type]
        self._client.on_connect = self._on_connect
        self._client.on_disconnect = self._on_disconnect
        self._client.on_message = self._on_message

    @property
    def uplink_filter(self) -> str:
        if self._settings.mqtt_version == 5 and self._settings.shared_group:
            return wire.shared_uplink_filter(self._settings.shared_group)
        return wire.UPLINK_FILTER

    def start(self, timeout_seconds: float = 15.0) -> None:
        s = self._settings
        try:
            if s.mqtt_version == 5:
                props = Properties(PacketTypes.CONNECT)  # type: ignore[no-untyped-call]  # paho leaves it unannotated
                props.SessionExpiryInterval = SESSION_EXPIRY_SECONDS
                props.ReceiveMaximum = RECEIVE_MAXIMUM
                self._client.connect(s.host, s.port, KEEPALIVE_SECONDS, clean_start=False, properties=props)
            else:
                self._client.connect(s.host, s.port, KEEPALIVE_SECONDS)
        except OSError as exc:
            raise BrokerUnavailableError(
                f"cannot reach the MQTT broker at {s.host}:{s.port} ({exc}); is it running?"
            ) from exc
        self._client.loop_start()
        if not self._connected.wait(timeout_seconds):
            self.stop()
            raise BrokerUnavailableError(
                f"the broker at {s.host}:{s.port} did not accept the gateway within {timeout_seconds:.0f} s; "
                "check the gateway's username and password in the broker's password file"
            )

    def stop(self) -> None:
        self._stopping = True
        self._client.disconnect()
        self._client.loop_stop()

    @property
    def connected(self) -> bool:
        return self._connected.is_set()

    def publish_acks(self, band_id: int, acks: Sequence[wire.Ack]) -> None:
        topic = wire.ack_topic(band_id)
        for ack in acks:
            # QoS 1 and queued by paho while disconnected: an ack outlives a broker restart.
            self._client.publish(topic, bytes(ack), qos=1)

    def puback(self, mid: int, qos: int, session: int) -> None:
        """PUBACK what the broker delivered on the current connection; older ones will be redelivered."""
        if qos > 0 and session == self._session:
            self._client.ack(mid, qos)

    # --- paho callbacks: convert and hand over, nothing more -------------------------------------

    def _on_connect(self, client: paho.Client, _userdata: Any, _flags: Any, reason_code: Any, _props: Any) -> None:
        if reason_code.is_failure:
            log.error("broker refused the gateway: %s", reason_code)
            return
        self._session += 1
        client.subscribe(self.uplink_filter, qos=1)
        self._connected.set()
        log.info("connected to %s:%d, subscribed to %s", self._settings.host, self._settings.port, self.uplink_filter)

    def _on_disconnect(self, _client: paho.Client, _userdata: Any, _flags: Any, reason_code: Any, _props: Any) -> None:
        self._connected.clear()
        if self._stopping:
            log.info("disconnected from the broker")
        else:
            log.warning("disconnected from the broker (%s); reconnecting", reason_code)

    def _on_message(self, _client: paho.Client, _userdata: Any, message: paho.MQTTMessage) -> None:
        topic = message.topic
        band_id = band_of_topic(topic)
        reply = _MqttReply(self, band_id, message.mid, message.qos, self._session)
        self._deliver(Inbound(band_id, bytes(message.payload), reply, topic))  # bytes(): no copy for bytes


def band_of_topic(topic: str) -> int | None:
    """The band an uplink topic names; None for one that names none (refused as malformed, kept)."""
    try:
        return wire.band_id_from_uplink_topic(topic)
    except wire.TopicError:
        return None


@dataclass(frozen=True, slots=True)
class _MqttReply:
    link: MqttLink
    band_id: int | None
    mid: int
    qos: int
    session: int  # which broker connection delivered it: a PUBACK is only valid on that one

    def settle(self, acks: Sequence[wire.Ack]) -> None:
        if acks and self.band_id is not None:
            self.link.publish_acks(self.band_id, acks)
        self.link.puback(self.mid, self.qos, self.session)

    def abandon(self, reason: str) -> None:
        # No PUBACK: the broker delivers the message again on the next connection.
        log.debug("message %d not acknowledged: %s", self.mid, reason)
