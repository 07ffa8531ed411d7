"""The embedded MQTT broker for `make demo`: amqtt in this process's event loop, MQTT 3.1.1, loopback only.

Anonymous access is allowed because it listens on 127.0.0.1 alone and lives only as long as the demo;
the production broker is Mosquitto with per-band credentials (deploy/mosquitto/).
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator

from amqtt.broker import Broker

LOOPBACK = "127.0.0.1"


@contextlib.asynccontextmanager
async def embedded_broker(port: int) -> AsyncIterator[Broker]:
    broker = Broker(
        {
            "listeners": {"default": {"type": "tcp", "bind": f"{LOOPBACK}:{port}", "max_connections": -1}},
            "plugins": {"amqtt.plugins.authentication.AnonymousAuthPlugin": {"allow_anonymous": True}},
        }
    )
    await broker.start()
    try:
        yield broker
    finally:
        await broker.shutdown()
