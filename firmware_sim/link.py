"""One band's MQTT connection: connect, subscribe to its acks, publish its uploads, reconnect.

Each band is an aiomqtt client on the shared event loop: identifier `band-{id}`, username the band
id, a persistent session (MQTT 3.1.1 clean_session=False; v5 clean_start=False with a session expiry)
so that acks queued while the band was offline are still delivered. Uplinks and the ack
subscription use QoS 1. After any disconnect the link waits a jittered exponential backoff and
connects again; a fleet-wide semaphore bounds how many bands are connecting at once.
paho and aiomqtt types stay inside this module.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
from dataclasses import dataclass
from typing import Final

import aiomqtt
from aiomqtt.exceptions import MqttConnectError
from paho.mqtt import client as mqtt
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties
from paho.mqtt.reasoncodes import ReasonCode

from firmware_sim.backoff import backoff_seconds
from firmware_sim.band import Band
from firmware_sim.errors import ConfigError
from firmware_sim.profile import BrokerAddress
from wire import ACK_QOS, UPLINK_QOS

__all__ = ["BandLink", "LinkSettings"]

logger = logging.getLogger(__name__)

# Long enough that acks queued over a night or a broker maintenance window still reach the band.
SESSION_EXPIRY_SECONDS: Final = 7 * 24 * 3600


@dataclass(frozen=True, slots=True, kw_only=True)
class LinkSettings:
    """Connection tuning shared by every band of a fleet."""

    backoff_base_seconds: float = 0.5
    backoff_cap_seconds: float = 30.0  # a band that lost the broker for long retries about twice a minute
    keepalive_seconds: int = 60
    operation_timeout_seconds: float = 30.0  # CONNACK, SUBACK and PUBACK waits

    def __post_init__(self) -> None:
        for name in ("backoff_base_seconds", "backoff_cap_seconds", "keepalive_seconds", "operation_timeout_seconds"):
            if getattr(self, name) <= 0:
                raise ConfigError(f"LinkSettings.{name} must be > 0, got {getattr(self, name)}")


def _refused(code: int | ReasonCode) -> bool:
    # SUBACK return codes of 0x80 and above are failures, in 3.1.1 and in v5.
    return code.is_failure if isinstance(code, ReasonCode) else code >= 0x80


class BandLink:
    """Carries one `Band`'s uploads and acks over MQTT until `stop()` is called."""

    def __init__(
        self,
        band: Band,
        broker: BrokerAddress,
        *,
        connect_gate: asyncio.Semaphore,
        settings: LinkSettings,
        rng: random.Random,
    ) -> None:
        self.band = band
        self._broker = broker
        self._connect_gate = connect_gate
        self._settings = settings
        self._rng = rng
        self._wake = asyncio.Event()
        self._stopping = asyncio.Event()
        self.first_connected = asyncio.Event()
        self._failed_attempts = 0  # since the last successful connection; drives the backoff
        band.on_upload_ready = self._on_upload_ready

    def _on_upload_ready(self, _band: Band) -> None:
        self._wake.set()

    def stop(self) -> None:
        """Ask the link to disconnect cleanly and return from `run()`."""
        self._stopping.set()

    async def run(self) -> None:
        """Stay connected, reconnecting after every failure, until `stop()`."""
        while not self._stopping.is_set():
            try:
                await self._session()
            except aiomqtt.MqttError as error:
                self.band.connected = False
                self.band.reconnects += 1
                delay_seconds = backoff_seconds(
                    self._failed_attempts,
                    base_seconds=self._settings.backoff_base_seconds,
                    cap_seconds=self._settings.backoff_cap_seconds,
                    rng=self._rng,
                )
                if isinstance(error, MqttConnectError):
                    level = logging.WARNING  # refused by the broker: credentials or ACL, not the network
                elif self._failed_attempts == 0:
                    level = logging.INFO
                else:
                    level = logging.DEBUG  # during an outage every band retries; one line each is enough
                logger.log(
                    level,
                    "band %d: MQTT connection to %s:%d failed or lost (%s); retrying in %.1f s",
                    self.band.band_id,
                    self._broker.host,
                    self._broker.port,
                    error,
                    delay_seconds,
                )
                self._failed_attempts += 1
                with contextlib.suppress(TimeoutError):
                    async with asyncio.timeout(delay_seconds):
                        await self._stopping.wait()
        self.band.connected = False

    def _new_client(self) -> aiomqtt.Client:
        band = self.band
        # MQTT 3.1.1 keeps the session with clean_session=False; v5 with clean_start=False plus an
        # expiry, and paho refuses each version's flag on the other.
        properties: Properties | None = None
        if self._broker.mqtt_version == 5:
            protocol = aiomqtt.ProtocolVersion.V5
            clean_session: bool | None = None
            clean_start: mqtt.CleanStartOption = False
            properties = Properties(PacketTypes.CONNECT)  # type: ignore[no-untyped-call]
            properties.SessionExpiryInterval = SESSION_EXPIRY_SECONDS
        else:
            protocol = aiomqtt.ProtocolVersion.V311
            clean_session = False
            clean_start = mqtt.MQTT_CLEAN_START_FIRST_ONLY
        return aiomqtt.Client(
            self._broker.host,
            self._broker.port,
            username=str(band.band_id),
            password=band.profile.mqtt_password,
            identifier=f"band-{band.band_id}",
            protocol=protocol,
            clean_session=clean_session,
            clean_start=clean_start,
            properties=properties,
            keepalive=self._settings.keepalive_seconds,
            timeout=self._settings.operation_timeout_seconds,
        )

    async def _session(self) -> None:
        """One connection, from CONNECT to its loss (raises MqttError) or to a requested stop."""
        async with contextlib.AsyncExitStack() as stack:
            async with self._connect_gate:
                if self._stopping.is_set():
                    return
                client = await stack.enter_async_context(self._new_client())
                granted = await client.subscribe(self.band.ack_topic, qos=ACK_QOS)
                if any(_refused(code) for code in granted):
                    logger.warning(
                        "band %d: the broker refused the subscription to %s, so no ack could reach the band: "
                        "check the broker's ACL for this band",
                        self.band.band_id,
                        self.band.ack_topic,
                    )
                    raise aiomqtt.MqttError(f"subscription to {self.band.ack_topic} refused")
            self.band.connected = True
            self._failed_attempts = 0
            self.first_connected.set()
            logger.debug("band %d connected", self.band.band_id)
            await self._serve(client)

    async def _serve(self, client: aiomqtt.Client) -> None:
        receiver = asyncio.create_task(self._receive(client), name=f"band-{self.band.band_id}-acks")
        sender = asyncio.create_task(self._send(client), name=f"band-{self.band.band_id}-uplink")
        stopper = asyncio.create_task(self._stopping.wait(), name=f"band-{self.band.band_id}-stop")
        tasks: tuple[asyncio.Task[object], ...] = (receiver, sender, stopper)
        try:
            done, _ = await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
        for finished in (receiver, sender):
            if finished in done and not finished.cancelled():
                finished.result()  # re-raises the MqttError that ended the connection

    async def _receive(self, client: aiomqtt.Client) -> None:
        async for message in client.messages:
            payload = message.payload
            if not isinstance(payload, bytes | bytearray) or not message.topic.matches(self.band.ack_topic):
                self.band.bad_acks += 1
                logger.warning(
                    "band %d: ignoring a message on %s that is not an ack for this band",
                    self.band.band_id,
                    message.topic,
                )
                continue
            self.band.handle_ack_payload(bytes(payload))

    async def _send(self, client: aiomqtt.Client) -> None:
        band = self.band
        while True:
            self._wake.clear()
            uploads = band.take_uploads()
            for index, upload in enumerate(uploads):
                try:
                    await client.publish(upload.topic, upload.payload, qos=UPLINK_QOS)
                except BaseException:
                    # Not (known to be) with the broker: send these again as soon as possible.
                    for unsent in uploads[index:]:
                        band.upload_failed(unsent)
                    raise
                band.upload_published(upload)
            resend_in_seconds = band.seconds_until_resend()
            if resend_in_seconds is None:
                await self._wake.wait()
                continue
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(resend_in_seconds):
                    await self._wake.wait()
