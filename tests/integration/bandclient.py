"""A bare MQTT band for tests: publishes crafted bytes with a band's credentials and collects acks."""

from __future__ import annotations

import queue
import threading
from typing import Any

import paho.mqtt.client as paho
from paho.mqtt.enums import CallbackAPIVersion

import wire


class BandClient:
    def __init__(self, host: str, port: int, band_id: int, password: str) -> None:
        self.band_id = band_id
        self.acks: queue.SimpleQueue[wire.Ack] = queue.SimpleQueue()
        self._connected = threading.Event()
        self._puback_reasons: dict[int, int] = {}
        self._client = paho.Client(CallbackAPIVersion.VERSION2, client_id=f"test-band-{band_id}", protocol=paho.MQTTv5)
        self._client.username_pw_set(str(band_id), password)
        self._client.on_connect = lambda c, *_: (c.subscribe(wire.ack_topic(band_id), qos=1), self._connected.set())
        self._client.on_message = self._on_message
        self._client.on_publish = self._on_publish
        self._client.connect(host, port)
        self._client.loop_start()
        assert self._connected.wait(10), f"band {band_id} could not connect"

    def _on_message(self, _c: Any, _u: Any, message: paho.MQTTMessage) -> None:
        self.acks.put(wire.Ack.from_bytes(message.payload))

    def _on_publish(self, _c: Any, _u: Any, mid: int, reason_code: Any, _props: Any) -> None:
        self._puback_reasons[mid] = reason_code.value

    def publish(self, payload: bytes, *, topic: str | None = None) -> int:
        """Publish at QoS 1 and wait for the broker's PUBACK; returns its reason code (0 = accepted)."""
        info = self._client.publish(topic or wire.uplink_topic(self.band_id), payload, qos=1)
        info.wait_for_publish(10)
        return self._puback_reasons.pop(info.mid)

    def next_ack(self, timeout: float = 10.0) -> wire.Ack:
        return self.acks.get(timeout=timeout)

    def close(self) -> None:
        self._client.disconnect()
        self._client.loop_stop()
