"""The gateway's Bluetooth LE edge: a central that syncs bands' patrol logs, on bleak's public API only.

It scans for bands advertising pending records (`wire.ble.BandAdvert`), connects to a few at a time,
sets each band's clock, asks it for everything pending (CONTROL_SYNC), and puts every reassembled log
segment through the same verify → dedupe → commit path as MQTT (`gateway.pipeline`). Acks are written
back to the band only after the commit, so a band frees a record only once it is stored.

What radios do is expected, not exceptional: a link that drops mid-sync leaves the band's unacked
records pending, and the band sends them again on the next connection; records already committed
come back as duplicates and are acked as such. Two gateways in range of one band (a service station
and a lane chief's phone) may both sync it: the database's unique key stores each record once.

Which Bluetooth stack carries this is the caller's choice (`BleBackend`): the platform default
(BlueZ on Linux), or any bleak backend class, such as the Bumble one used over the emulated radio.
"""

from __future__ import annotations

import asyncio
import logging
import random
import threading
import time
from collections.abc import Callable
from concurrent.futures import Executor
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Final

from bleak import BleakClient, BleakScanner
from bleak.backends.client import BaseBleakClient
from bleak.backends.device import BLEDevice
from bleak.backends.scanner import AdvertisementData, BaseBleakScanner
from bleak.exc import BleakError

import wire
from gateway.counters import Counters
from gateway.pipeline import Inbound, Outbound, process_until_stored
from gateway.service import DIRECTORY_REFRESH_SECONDS
from gateway.verify import Limits, Verifier
from scoring.ingest import IngestStore
from wire import ble

log = logging.getLogger(__name__)

MAX_LINKS: Final = 4  # concurrent connections; a cheap adapter manages a handful reliably
CONNECT_TIMEOUT_SECONDS: Final = 10.0
FRAME_IDLE_TIMEOUT_SECONDS: Final = 15.0  # a band that goes quiet mid-sync is dropped and retried later
RETRY_AFTER_FAILURE_SECONDS: Final = 2.0  # a band whose sync failed waits this long before the next try
MAX_BATCH_MESSAGES: Final = 500


@dataclass(frozen=True, slots=True)
class BleBackend:
    """The bleak backend classes to use; None means the platform's own (BlueZ on Linux)."""

    scanner: type[BaseBleakScanner] | None = None
    client: type[BaseBleakClient] | None = None
    bluez: dict[str, Any] = field(default_factory=dict)  # e.g. {"adapter": "hci1"}; BlueZ only


@dataclass
class BleStats:
    syncs_started: int = 0
    syncs_completed: int = 0
    links_lost: int = 0  # connections that failed or dropped before the band said end-of-sync
    segments: int = 0
    broken_frames: int = 0  # notifications that could not be reassembled; their records come again


class Committer:
    """Batches segments from every open link into one commit, like the MQTT loop does with messages."""

    def __init__(self, verifier: Verifier, store: IngestStore, counters: Counters, clock: Callable[[], datetime],
                 pool: Executor | None = None, max_batch_messages: int = MAX_BATCH_MESSAGES) -> None:
        self._verifier, self._store, self._counters, self._clock, self._pool = verifier, store, counters, clock, pool
        self._max_batch = max_batch_messages
        self.counters = counters
        self._queue: asyncio.Queue[tuple[Inbound, asyncio.Future[list[Outbound]]]] = asyncio.Queue()
        self._stopping = threading.Event()
        self._rng = random.Random()
        self._directory_loaded = time.monotonic()

    def _reload_directory(self) -> None:
        self._verifier.reload()
        self._directory_loaded = time.monotonic()

    async def submit(self, band_id: int, segment: bytes) -> list[Outbound]:
        """Commit one segment of `band_id`; return the acks for that band once they are safe to send."""
        future: asyncio.Future[list[Outbound]] = asyncio.get_running_loop().create_future()
        await self._queue.put((Inbound(wire.uplink_topic(band_id), segment), future))
        return await future

    async def run(self) -> None:
        try:
            while True:
                batch = [await self._queue.get()]
                while len(batch) < self._max_batch and not self._queue.empty():
                    batch.append(self._queue.get_nowait())
                if time.monotonic() - self._directory_loaded > DIRECTORY_REFRESH_SECONDS:
                    await asyncio.to_thread(self._reload_directory)
                messages = [inbound for inbound, _ in batch]
                try:
                    acks = await asyncio.to_thread(
                        process_until_stored, messages, self._verifier, self._store, self._counters, self._clock,
                        self._pool, wait=self._stopping.wait, rng=self._rng)
                except Exception as exc:
                    # A fault in one batch must not leave every open sync waiting for ever: their
                    # bands keep the records, and the error is in the log for the operator.
                    log.exception("committing %d BLE segments failed; their bands will send them again", len(batch))
                    for _, future in batch:
                        if not future.done():
                            future.set_exception(BleakError(f"commit failed: {exc}"))
                    continue
                _settle(batch, acks)
        finally:
            self._stopping.set()
            while not self._queue.empty():
                _, future = self._queue.get_nowait()
                future.cancel()


def _settle(batch: list[tuple[Inbound, asyncio.Future[list[Outbound]]]], acks: list[Outbound] | None) -> None:
    if acks is None:
        for _, future in batch:
            future.cancel()
        return
    by_topic: dict[str, list[Outbound]] = {}
    for ack in acks:
        by_topic.setdefault(ack.topic, []).append(ack)
    for inbound, future in batch:
        # A band's acks go to the first of its segments in the batch; they cover every one of them.
        band_acks = by_topic.pop(wire.ack_topic(wire.band_id_from_uplink_topic(inbound.topic)), [])
        if not future.done():
            future.set_result(band_acks)


class BleCentral:
    """Scans, picks bands with pending records, syncs a few at a time through one `Committer`."""

    @classmethod
    def for_store(cls, store: IngestStore, clock: Callable[[], datetime], *, backend: BleBackend = BleBackend(),
                  limits: Limits = Limits(), max_links: int = MAX_LINKS) -> BleCentral:
        verifier = Verifier(store.load_directory(), limits=limits, refresh=store.load_directory)
        return cls(Committer(verifier, store, Counters(), clock), clock, backend=backend, max_links=max_links)

    def __init__(self, committer: Committer, clock: Callable[[], datetime], *, backend: BleBackend = BleBackend(),
                 max_links: int = MAX_LINKS, frame_idle_timeout_seconds: float = FRAME_IDLE_TIMEOUT_SECONDS) -> None:
        self._committer = committer
        self._clock = clock
        self._backend = backend
        self._links = asyncio.Semaphore(max_links)
        self._idle_timeout = frame_idle_timeout_seconds
        self._syncing: set[int] = set()
        self._not_before: dict[int, float] = {}  # band id → monotonic time of its next allowed try
        self._wanted: dict[int, BLEDevice] = {}
        self._woken = asyncio.Event()
        self._tasks: set[asyncio.Task[None]] = set()
        self.stats = BleStats()
        self.counters = committer.counters

    async def run(self, stop: asyncio.Event) -> None:
        """Scan and sync until `stop` is set; open syncs are cancelled then (their bands keep their records)."""
        committing = asyncio.create_task(self._committer.run(), name="ble-commit")
        scanner = BleakScanner(self._seen, backend=self._backend.scanner, bluez=self._backend.bluez)
        await scanner.start()
        stopping = asyncio.create_task(stop.wait())
        try:
            while not stop.is_set():
                woken = asyncio.create_task(self._woken.wait())
                await asyncio.wait({woken, stopping}, return_when=asyncio.FIRST_COMPLETED)
                woken.cancel()
                self._woken.clear()
                for band_id, device in list(self._wanted.items()):
                    del self._wanted[band_id]
                    self._syncing.add(band_id)
                    task = asyncio.create_task(self._sync_guarded(band_id, device), name=f"ble-sync-{band_id}")
                    self._tasks.add(task)
                    task.add_done_callback(self._tasks.discard)
        finally:
            stopping.cancel()
            await scanner.stop()
            for task in list(self._tasks):
                task.cancel()
            await asyncio.gather(*self._tasks, return_exceptions=True)
            committing.cancel()
            await asyncio.gather(committing, return_exceptions=True)

    def _seen(self, device: BLEDevice, advertisement: AdvertisementData) -> None:
        payload = advertisement.manufacturer_data.get(ble.COMPANY_ID)
        advert = ble.decode_advert(payload) if payload is not None else None
        if not isinstance(advert, ble.BandAdvert) or advert.pending == 0:
            return
        band_id = advert.band_id
        if band_id in self._syncing or time.monotonic() < self._not_before.get(band_id, 0.0):
            return
        self._wanted[band_id] = device  # the latest address wins: bands may rotate theirs
        self._woken.set()

    async def _sync_guarded(self, band_id: int, device: BLEDevice) -> None:
        try:
            async with self._links:
                completed = await self.sync(band_id, device)
        except (BleakError, TimeoutError, EOFError, OSError) as exc:
            log.info("band %d: sync interrupted (%s); its records stay pending on the band", band_id, exc)
            completed = False
        finally:
            self._syncing.discard(band_id)
        if not completed:
            self.stats.links_lost += 1
            self._not_before[band_id] = time.monotonic() + RETRY_AFTER_FAILURE_SECONDS

    async def sync(self, band_id: int, device: BLEDevice | str) -> bool:
        """One connection: set the clock, take every pending segment, commit, ack. True if the band
        reached end-of-sync with every segment acked."""
        self.stats.syncs_started += 1
        frames: asyncio.Queue[bytes | None] = asyncio.Queue()
        assembler = ble.Reassembler()
        dropped = asyncio.Event()

        def on_log(_characteristic: object, value: bytearray) -> None:
            try:
                frame = assembler.feed(value)
            except wire.FrameError as exc:
                self.stats.broken_frames += 1
                log.warning("band %d: dropping a broken log fragment (%s)", band_id, exc)
                return
            if frame is not None:
                frames.put_nowait(frame)
            elif assembler.end_of_sync:
                frames.put_nowait(None)

        client = BleakClient(device, lambda _c: dropped.set(), timeout=CONNECT_TIMEOUT_SECONDS,
                             backend=self._backend.client, bluez=self._backend.bluez)
        async with client:
            await client.start_notify(ble.LOG_CHAR_UUID, on_log)
            await client.write_gatt_char(ble.TIME_CHAR_UUID, ble.encode_time(wire.epoch_ms(self._clock())), response=True)
            await client.write_gatt_char(ble.CONTROL_CHAR_UUID, bytes((ble.CONTROL_SYNC,)), response=True)
            acking: list[asyncio.Task[None]] = []
            try:
                while True:
                    frame = await self._next_frame(frames, dropped)
                    if frame is None:
                        break
                    self.stats.segments += 1
                    acking.append(asyncio.create_task(self._commit_and_ack(client, band_id, frame)))
                # Ack writes complete before we hang up, so the band frees its records now.
                await asyncio.gather(*acking)
            finally:
                for task in acking:
                    task.cancel()
        self.stats.syncs_completed += 1
        return True

    async def _next_frame(self, frames: asyncio.Queue[bytes | None], dropped: asyncio.Event) -> bytes | None:
        getting = asyncio.create_task(frames.get())
        lost = asyncio.create_task(dropped.wait())
        try:
            done, _ = await asyncio.wait({getting, lost}, timeout=self._idle_timeout,
                                         return_when=asyncio.FIRST_COMPLETED)
        finally:
            lost.cancel()
            if not getting.done():
                getting.cancel()
        if getting in done:
            return getting.result()
        raise BleakError("link lost" if lost in done else f"no log data for {self._idle_timeout:.0f} s")

    async def _commit_and_ack(self, client: BleakClient, band_id: int, frame: bytes) -> None:
        for outbound in await self._committer.submit(band_id, frame):
            # The pipeline's acks are sized for MQTT; one GATT write carries at most 512 bytes.
            outcomes = wire.Ack.from_bytes(outbound.payload).outcomes()
            for ack in wire.acks_from_outcomes(band_id, outcomes, ble.MAX_ACK_RANGES_PER_WRITE):
                await client.write_gatt_char(ble.ACK_CHAR_UUID, bytes(ack), response=True)
