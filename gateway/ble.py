"""The gateway's Bluetooth LE edge: a central that syncs bands' patrol logs, on bleak's public API only.

It scans for bands advertising pending records (`wire.ble.BandAdvert`), connects to a few at a time,
sets each band's clock, asks it for everything pending (CONTROL_SYNC), and hands every reassembled log
segment to the same batcher as MQTT (`gateway.batcher`), with a reply that wakes the sync waiting for
it. Acks are written back to the band only after the commit, so a band frees a record only once it is
stored.

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
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Final

from bleak import BleakClient, BleakScanner
from bleak.args.bluez import BlueZClientArgs, BlueZScannerArgs
from bleak.backends.client import BaseBleakClient
from bleak.backends.device import BLEDevice
from bleak.backends.scanner import AdvertisementData, BaseBleakScanner
from bleak.exc import BleakError

import wire
from gateway.batcher import Batcher
from gateway.counters import Counters
from gateway.errors import RadioUnavailableError
from gateway.inbound import Inbound
from gateway.verify import DEFAULT_LIMITS, Limits
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
    adapter: str = ""  # e.g. "hci1"; BlueZ only, "" for its default adapter

    def scanner_args(self) -> BlueZScannerArgs:
        return BlueZScannerArgs(adapter=self.adapter) if self.adapter else BlueZScannerArgs()

    def client_args(self) -> BlueZClientArgs:
        return BlueZClientArgs(adapter=self.adapter) if self.adapter else BlueZClientArgs()


DEFAULT_BACKEND: Final = BleBackend()


@dataclass
class BleStats:
    syncs_started: int = 0
    syncs_completed: int = 0
    links_lost: int = 0  # connections that failed or dropped before the band said end-of-sync
    segments: int = 0
    broken_frames: int = 0  # notifications that could not be reassembled; their records come again


class _SyncReply:
    """Wakes the sync that waits for a segment's acks, from the batcher's thread."""

    __slots__ = ("_future", "_loop")

    def __init__(self, loop: asyncio.AbstractEventLoop, future: asyncio.Future[list[wire.Ack]]) -> None:
        self._loop, self._future = loop, future

    def settle(self, acks: Sequence[wire.Ack]) -> None:
        self._call(_resolve, self._future, list(acks))

    def abandon(self, reason: str) -> None:
        self._call(_fail, self._future, BleakError(reason))

    def _call(self, callback: Callable[..., None], *args: object) -> None:
        try:
            self._loop.call_soon_threadsafe(callback, *args)
        except RuntimeError:  # the central's loop has closed: nobody waits any more
            pass


def _resolve(future: asyncio.Future[list[wire.Ack]], acks: list[wire.Ack]) -> None:
    if not future.done():
        future.set_result(acks)


def _fail(future: asyncio.Future[list[wire.Ack]], error: BleakError) -> None:
    if not future.done():
        future.set_exception(error)


class BleCentral:
    """Scans, picks bands with pending records, syncs a few at a time, each segment through the batcher.

    The batcher may be shared with the MQTT edge (whoever runs it owns it), or the central's own
    (`for_store`), run on a thread for as long as the central runs.
    """

    @classmethod
    def for_store(cls, store: IngestStore, clock: Callable[[], datetime], *, backend: BleBackend = DEFAULT_BACKEND,
                  limits: Limits = DEFAULT_LIMITS, max_links: int = MAX_LINKS) -> BleCentral:
        batcher = Batcher(store, clock=clock, limits=limits, max_batch_messages=MAX_BATCH_MESSAGES)
        return cls(batcher, clock, backend=backend, max_links=max_links, runs_batcher=True)

    def __init__(self, batcher: Batcher, clock: Callable[[], datetime], *, backend: BleBackend = DEFAULT_BACKEND,
                 max_links: int = MAX_LINKS, frame_idle_timeout_seconds: float = FRAME_IDLE_TIMEOUT_SECONDS,
                 runs_batcher: bool = False) -> None:
        self._batcher = batcher
        self._runs_batcher = runs_batcher
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
        self.counters: Counters = batcher.counters

    async def run(self, stop: asyncio.Event) -> None:
        """Scan and sync until `stop` is set; open syncs are cancelled then (their bands keep their records).

        Raises `RadioUnavailableError` if there is no radio to scan on."""
        scanner = BleakScanner(self._seen, backend=self._backend.scanner, bluez=self._backend.scanner_args())
        try:
            await scanner.start()
        except (BleakError, OSError) as exc:
            raise RadioUnavailableError(
                f"Bluetooth LE: cannot scan ({exc}); set STEWARDS_BLE_RADIO to an emulated radio, "
                "or check the adapter and that bluetoothd is running"
            ) from exc
        batcher_stop = threading.Event()
        batching = asyncio.create_task(asyncio.to_thread(self._batcher.run, batcher_stop), name="ble-batcher") \
            if self._runs_batcher else None
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
            if batching is not None:
                batcher_stop.set()
                await batching

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
                             backend=self._backend.client, bluez=self._backend.client_args())
        async with client:
            await client.start_notify(ble.LOG_CHAR_UUID, on_log)
            clock_now = ble.encode_time(wire.epoch_ms(self._clock()))
            await client.write_gatt_char(ble.TIME_CHAR_UUID, clock_now, response=True)
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

    async def _commit(self, band_id: int, segment: bytes) -> list[wire.Ack]:
        """Commit one segment of `band_id`; the acks for that band once they are safe to send."""
        loop = asyncio.get_running_loop()
        future: asyncio.Future[list[wire.Ack]] = loop.create_future()
        self._batcher.submit(Inbound(band_id, segment, _SyncReply(loop, future), f"ble:{band_id}"))
        return await future

    async def _commit_and_ack(self, client: BleakClient, band_id: int, frame: bytes) -> None:
        for pipeline_ack in await self._commit(band_id, frame):
            # The pipeline's acks are sized for MQTT; one GATT write carries at most 512 bytes.
            outcomes = pipeline_ack.outcomes()
            for ack in wire.acks_from_outcomes(band_id, outcomes, ble.MAX_ACK_RANGES_PER_WRITE):
                await client.write_gatt_char(ble.ACK_CHAR_UUID, bytes(ack), response=True)
