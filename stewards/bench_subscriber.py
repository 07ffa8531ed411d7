"""The baseline of bench (a): a bare paho subscriber that does nothing with what it receives.

Same broker, same subscription shape and QoS as the gateway (MQTT v5 shared subscription, QoS 1), but
no decoding, no verification, no database: the ceiling a gateway process can hope to approach.
Prints "ready" once subscribed and "done" when it has received the expected count.
"""

from __future__ import annotations

import sys
import threading
from typing import Any

import paho.mqtt.client as paho
from paho.mqtt.enums import CallbackAPIVersion

import wire


def main(host: str, port: int, username: str, password: str, expected: int) -> None:
    done = threading.Event()
    received = 0

    def on_connect(client: paho.Client, *_: Any) -> None:
        client.subscribe(wire.shared_uplink_filter("baseline"), qos=1)

    def on_subscribe(*_: Any) -> None:
        print("ready", flush=True)

    def on_message(*_: Any) -> None:
        nonlocal received
        received += 1
        if received >= expected:
            done.set()

    client = paho.Client(CallbackAPIVersion.VERSION2, client_id="bench-baseline", protocol=paho.MQTTv5)
    client.username_pw_set(username, password)
    client.on_connect, client.on_subscribe, client.on_message = on_connect, on_subscribe, on_message
    client.connect(host, port, clean_start=True)
    client.loop_start()
    done.wait()
    print("done", flush=True)
    client.disconnect()
    client.loop_stop()


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4], int(sys.argv[5]))
