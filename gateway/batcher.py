"""The gateway's one ingest loop: whatever the edges deliver, in batches, through the pipeline.

Every edge (the MQTT link, the BLE central, both at once) hands its items to one `Batcher`, from any
thread. Batches are adaptive: the loop blocks for the first item, then takes whatever else is already
waiting (up to `max_batch_messages`). At low load a record is committed on its own, at once; under load
batches grow by themselves and the per-transaction cost is shared.

A failed commit (database restarting, connection lost) is retried with backoff, the batch kept in
hand: nothing is acked, to the band or to the broker, until it is stored. The band directory is this
loop's to keep fresh (every minute, and sooner when a band it does not know speaks), so verification
stays pure and a reload never runs on a verifying thread.
"""

from __future__ import annotations

import logging
import os
import queue
import random
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from typing import Final

from gateway.counters import Counters
from gateway.errors import StoreUnavailableError
from gateway.inbound import Inbound
from gateway.pipeline import AcksByBand, process_until_stored
from gateway.verify import DEFAULT_LIMITS, Limits, Verifier
from scoring.ingest import BeaconKeyError, IngestStore, StorageUnavailableError

log = logging.getLogger(__name__)

MAX_BATCH_MESSAGES: Final = 2_000
VERIFY_THREADS: Final = min(4, os.cpu_count() or 1)  # signature checks run in parallel, the rest does not
IDLE_WAKE_SECONDS: Final = 0.5  # how soon a stop request is noticed when no traffic comes
DIRECTORY_REFRESH_SECONDS: Final = 60.0  # new bindings and checkpoints are picked up this often
DIRECTORY_REFRESH_MIN_SECONDS: Final = 5.0  # a flood of unknown bands must not become a flood of reloads


def utc_now() -> datetime:
    return datetime.now(UTC)


class Batcher:
    def __init__(
        self,
        store: IngestStore,
        *,
        clock: Callable[[], datetime] = utc_now,
        limits: Limits = DEFAULT_LIMITS,
        max_batch_messages: int = MAX_BATCH_MESSAGES,
        verify_threads: int = VERIFY_THREADS,
        after_commit: Callable[[], None] | None = None,
    ) -> None:
        """`after_commit` runs after every commit and before its replies are settled: a test hook
        (`gateway.faults`), None in production."""
        self.store = store
        self.counters = Counters()
        self._inbox: queue.SimpleQueue[Inbound] = queue.SimpleQueue()
        self._clock = clock
        self._max_batch = max_batch_messages
        try:
            directory = store.load_directory()
        except StorageUnavailableError as exc:
            raise StoreUnavailableError(f"the gateway cannot load the band directory: {exc}") from exc
        self.verifier = Verifier(directory, limits=limits)
        self._directory_loaded = time.monotonic()
        self._rng = random.Random()
        self._pool = ThreadPoolExecutor(verify_threads, thread_name_prefix="verify") if verify_threads > 1 else None
        self._after_commit = after_commit

    def submit(self, item: Inbound) -> None:
        """Queue an item for the next batch; safe from any thread (paho's, an event loop's)."""
        self._inbox.put(item)

    def run(self, stop: threading.Event) -> None:
        """Process until `stop` is set; then finish the batch in hand, abandon what is still queued
        (nothing of it was acked, so it comes again) and return."""
        try:
            while not stop.is_set():
                batch = self._next_batch()
                if batch:
                    self._refresh_for_unknown_bands(batch)
                    self._commit(batch, stop)
                if time.monotonic() - self._directory_loaded > DIRECTORY_REFRESH_SECONDS:
                    self.reload_directory()
        finally:
            if self._pool is not None:
                self._pool.shutdown()
            while waiting := self._take_waiting([]):
                self._abandon(waiting, "the gateway is stopping")

    def reload_directory(self) -> None:
        """Take a fresh directory (new bindings, checkpoints, beacons); keep this one if the store is down."""
        self._directory_loaded = time.monotonic()
        try:
            self.verifier.replace_directory(self.store.load_directory())
        except StorageUnavailableError as exc:
            log.warning("could not reload the band directory (%s); keeping the one in hand", exc)
        except BeaconKeyError as exc:
            # A beacon installed since with another key than ours: the operator's to fix, not a reason to stop.
            log.error("could not reload the band directory (%s); keeping the one in hand", exc)

    def _refresh_for_unknown_bands(self, batch: list[Inbound]) -> None:
        # A band registered after the last reload: look again before refusing it, at most so often.
        if time.monotonic() - self._directory_loaded < DIRECTORY_REFRESH_MIN_SECONDS:
            return
        if any(item.band_id is not None and not self.verifier.knows(item.band_id) for item in batch):
            self.reload_directory()

    def _next_batch(self) -> list[Inbound]:
        try:
            first = self._inbox.get(timeout=IDLE_WAKE_SECONDS)
        except queue.Empty:
            return []
        return self._take_waiting([first])

    def _take_waiting(self, batch: list[Inbound]) -> list[Inbound]:
        while len(batch) < self._max_batch:
            try:
                batch.append(self._inbox.get_nowait())
            except queue.Empty:
                break
        return batch

    def _commit(self, batch: list[Inbound], stop: threading.Event) -> None:
        try:
            acks = process_until_stored(batch, self.verifier, self.store, self.counters, self._clock, self._pool,
                                        wait=stop.wait, rng=self._rng)
        except Exception as exc:
            # Not an outage (those are retried inside): a fault in this batch. The loop must outlive it,
            # and no edge may wait for ever: every item is abandoned, so its band keeps its records.
            log.exception("committing %d messages failed; their bands will send them again", len(batch))
            self._abandon(batch, f"commit failed: {exc}")
            return
        if acks is None:
            self._abandon(batch, "the gateway stopped before the batch was stored")
            return
        if self._after_commit is not None:
            self._after_commit()
        _settle(batch, acks)

    @staticmethod
    def _abandon(batch: list[Inbound], reason: str) -> None:
        for item in batch:
            item.reply.abandon(reason)


def _settle(batch: list[Inbound], acks: AcksByBand) -> None:
    for item in batch:
        # A band's acks go with the first of its items in the batch; they cover every one of them.
        item.reply.settle(acks.pop(item.band_id, ()) if item.band_id is not None else ())
