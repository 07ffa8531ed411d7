"""The gateway's ingest loop: take what the broker delivered, in batches, through the pipeline.

Batches are adaptive: the loop blocks for the first message, then takes whatever else is already
waiting (up to `max_batch_messages`). At low load a record is committed on its own, at once; under load
batches grow by themselves and the per-transaction cost is shared.

A failed commit (database restarting, connection lost) is retried with backoff, the batch kept in
hand: nothing is acked, to the band or to the broker, until it is stored.
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
from datetime import datetime, timezone
from typing import Final

from gateway.counters import Counters
from gateway.mqtt import MqttLink
from gateway.pipeline import Inbound, process_until_stored
from gateway.verify import Limits, Verifier
from scoring.ingest import IngestStore

log = logging.getLogger(__name__)

MAX_BATCH_MESSAGES: Final = 2_000
VERIFY_THREADS: Final = min(4, os.cpu_count() or 1)  # signature checks run in parallel, the rest does not
IDLE_WAKE_SECONDS: Final = 0.5  # how soon a stop request is noticed when no traffic comes
DIRECTORY_REFRESH_SECONDS: Final = 60.0  # new bindings and checkpoints are picked up this often


def utc_now() -> datetime:
    return datetime.now(timezone.utc)


class Gateway:
    def __init__(
        self,
        store: IngestStore,
        inbox: queue.SimpleQueue[Inbound],
        link: MqttLink | None,
        *,
        clock: Callable[[], datetime] = utc_now,
        limits: Limits = Limits(),
        max_batch_messages: int = MAX_BATCH_MESSAGES,
        verify_threads: int = VERIFY_THREADS,
    ) -> None:
        self.store = store
        self.inbox = inbox
        self.link = link
        self.counters = Counters()
        self._clock = clock
        self._max_batch = max_batch_messages
        self.verifier = Verifier(store.load_directory(), limits=limits, refresh=store.load_directory)
        self._rng = random.Random()
        self._pool = ThreadPoolExecutor(verify_threads, thread_name_prefix="verify") if verify_threads > 1 else None
        self._directory_loaded = time.monotonic()

    def run(self, stop: threading.Event) -> None:
        """Process until `stop` is set; then finish the batch in hand and return."""
        try:
            while not stop.is_set():
                batch = self._next_batch()
                if batch:
                    self._commit_with_retry(batch, stop)
                if time.monotonic() - self._directory_loaded > DIRECTORY_REFRESH_SECONDS:
                    self._reload_directory()
        finally:
            if self._pool is not None:
                self._pool.shutdown()

    def _next_batch(self) -> list[Inbound]:
        try:
            first = self.inbox.get(timeout=IDLE_WAKE_SECONDS)
        except queue.Empty:
            return []
        return self._take_waiting([first])

    def _take_waiting(self, batch: list[Inbound]) -> list[Inbound]:
        while len(batch) < self._max_batch:
            try:
                batch.append(self.inbox.get_nowait())
            except queue.Empty:
                break
        return batch

    def _commit_with_retry(self, batch: list[Inbound], stop: threading.Event) -> None:
        acks = process_until_stored(batch, self.verifier, self.store, self.counters, self._clock, self._pool,
                                    wait=stop.wait, rng=self._rng)
        if acks is not None and self.link is not None:
            self.link.publish(acks)
            self.link.acknowledge(batch)

    def _reload_directory(self) -> None:
        self.verifier.reload()
        self._directory_loaded = time.monotonic()
