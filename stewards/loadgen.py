"""A minimal MQTT 3.1.1 publisher on asyncio streams, for load generation in `stewards bench`.

A library client in a tight loop measures the library, not the broker or the gateway; this one writes
QoS 1 PUBLISH packets straight onto each band's socket, keeps a window of them in flight, and reads
PUBACKs and the gateway's acks (PUBLISH on the band's ack topic) back. Each band logs in with its own
credentials, so the broker's ACL applies exactly as in production.
"""

from __future__ import annotations

import asyncio
import struct
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Final

import wire

WINDOW_MESSAGES: Final = 64  # QoS 1 publishes in flight per connection
KEEPALIVE_SECONDS: Final = 120


def _varint(n: int) -> bytes:
    out = bytearray()
    while True:
        byte, n = n & 0x7F, n >> 7
        out.append(byte | (0x80 if n else 0))
        if not n:
            return bytes(out)


def _str(s: str | bytes) -> bytes:
    b = s.encode() if isinstance(s, str) else s
    return struct.pack(">H", len(b)) + b


def connect_packet(client_id: str, username: str, password: str) -> bytes:
    flags = 0x80 | 0x40 | 0x02  # username, password, clean session: a bench band starts fresh
    body = _str("MQTT") + bytes([4, flags]) + struct.pack(">H", KEEPALIVE_SECONDS)
    body += _str(client_id) + _str(username) + _str(password)
    return b"\x10" + _varint(len(body)) + body


def publish_packet(topic: str, packet_id: int, payload: bytes) -> bytes:
    body = _str(topic) + struct.pack(">H", packet_id) + payload
    return b"\x32" + _varint(len(body)) + body


def subscribe_packet(packet_id: int, topic_filter: str) -> bytes:
    body = struct.pack(">H", packet_id) + _str(topic_filter) + b"\x01"
    return b"\x82" + _varint(len(body)) + body


async def read_packet(reader: asyncio.StreamReader) -> tuple[int, bytes]:
    first = (await reader.readexactly(1))[0]
    length, shift = 0, 0
    while True:
        byte = (await reader.readexactly(1))[0]
        length |= (byte & 0x7F) << shift
        shift += 7
        if not byte & 0x80:
            break
    return first, await reader.readexactly(length)


@dataclass
class BandLoad:
    """What one band connection publishes: (payload, record keys it carries) in order."""

    band_id: int
    password: str
    messages: Sequence[tuple[bytes, tuple[tuple[int, int], ...]]]  # payload, ((boot, seq), ...)


@dataclass
class LoadResult:
    published: int = 0
    first_publish_at: float = 0.0
    last_puback_at: float = 0.0
    ack_latencies_seconds: list[float] = field(default_factory=list)


async def run_band(host: str, port: int, load: BandLoad, result: LoadResult, *,
                   pace: Callable[[], asyncio.Future[None] | None] | None = None,
                   wait_for_acks: bool = False, ack_timeout_seconds: float = 120.0) -> None:
    reader, writer = await asyncio.open_connection(host, port)
    writer.write(connect_packet(f"bench-{load.band_id}", str(load.band_id), load.password))
    kind, body = await read_packet(reader)
    if kind != 0x20 or body[1] != 0:
        raise ConnectionError(f"broker refused band {load.band_id}: CONNACK {body.hex()}")
    if wait_for_acks:
        writer.write(subscribe_packet(1, wire.ack_topic(load.band_id)))
        while (await read_packet(reader))[0] != 0x90:
            pass
    topic = wire.uplink_topic(load.band_id)
    window = asyncio.Semaphore(WINDOW_MESSAGES)
    sent_at: dict[tuple[int, int], float] = {}
    expected_acks = sum(len(keys) for _, keys in load.messages) if wait_for_acks else 0
    acks_done = asyncio.Event()
    if not expected_acks:
        acks_done.set()

    async def read_loop() -> None:
        acked = 0
        while True:
            kind, body = await read_packet(reader)
            if kind >> 4 == 4:  # PUBACK
                window.release()
                result.last_puback_at = time.perf_counter()
            elif kind >> 4 == 3:  # the gateway's ack, QoS 1
                now = time.perf_counter()
                topic_len = struct.unpack_from(">H", body)[0]
                packet_id = body[2 + topic_len: 4 + topic_len]
                writer.write(b"\x40\x02" + packet_id)
                for boot, seq, _status in wire.Ack.from_bytes(body[4 + topic_len:]).outcomes():
                    at = sent_at.pop((boot, seq), None)
                    if at is not None:
                        result.ack_latencies_seconds.append(now - at)
                        acked += 1
                if acked >= expected_acks:
                    acks_done.set()

    reading = asyncio.create_task(read_loop())
    try:
        for packet_id, (payload, keys) in enumerate(load.messages, start=1):
            if pace is not None and (waiting := pace()) is not None:
                await waiting
            await window.acquire()
            now = time.perf_counter()
            if not result.first_publish_at or now < result.first_publish_at:
                result.first_publish_at = now
            for key in keys:
                sent_at[key] = now
            writer.write(publish_packet(topic, packet_id % 65535 + 1, payload))
            result.published += 1
            if packet_id % WINDOW_MESSAGES == 0:
                await writer.drain()
        await writer.drain()
        for _ in range(WINDOW_MESSAGES):  # every PUBACK back
            await window.acquire()
        await asyncio.wait_for(acks_done.wait(), ack_timeout_seconds)
    finally:
        reading.cancel()
        writer.write(b"\xe0\x00")  # DISCONNECT
        writer.close()


async def run_load(host: str, port: int, loads: Sequence[BandLoad], *, rate_per_second: float | None = None,
                   wait_for_acks: bool = False) -> LoadResult:
    """Publish every band's messages at once (or paced to a total rate); returns timings."""
    result = LoadResult()
    pace = _Pacer(rate_per_second).wait if rate_per_second else None
    await asyncio.gather(
        *(run_band(host, port, load, result, pace=pace, wait_for_acks=wait_for_acks) for load in loads)
    )
    return result


class _Pacer:
    """Spreads publishes evenly over time across all connections: a token per 1/rate seconds."""

    def __init__(self, rate_per_second: float) -> None:
        self._interval = 1.0 / rate_per_second
        self._next = time.perf_counter()

    def wait(self) -> asyncio.Future[None] | None:
        now = time.perf_counter()
        slot = max(self._next, now)
        self._next = slot + self._interval
        delay = slot - now
        return asyncio.ensure_future(asyncio.sleep(delay)) if delay > 0.0005 else None
