"""One batch through the gateway: verify every item, commit once, then say what to ack to which band.

The order is the point: records are acked to their band only after the transaction that stores them
has committed, so an ack always means "stored". A PUBACK from the broker means nothing of the kind.
Nothing here knows a transport: items come in as `Inbound`, acks go out by band id.
"""

from __future__ import annotations

import logging
import random
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from concurrent.futures import Executor
from datetime import datetime
from typing import Final

import wire
from gateway.backoff import backoff_seconds
from gateway.counters import Counters
from gateway.inbound import Inbound
from gateway.verify import Verdict, Verifier, refuse_unverifiable
from scoring.ingest import CommitResult, IngestStore, StorageUnavailableError

log = logging.getLogger(__name__)

AcksByBand = dict[int, tuple[wire.Ack, ...]]  # what to send each band once its batch has committed

RETRY_BASE_SECONDS: Final = 0.2
RETRY_CAP_SECONDS: Final = 5.0
PARALLEL_MIN_MESSAGES: Final = 16  # below this, handing work to threads costs more than it saves


def _verify_all(batch: Sequence[Inbound], verifier: Verifier, at: datetime, pool: Executor | None) -> list[Verdict]:
    """Verdicts in batch order. libsodium releases the GIL while it checks a signature, so chunks of a
    large batch verified on a small pool of threads use more than one core."""
    if pool is None or len(batch) < PARALLEL_MIN_MESSAGES:
        return [_verify_one(verifier, m, at) for m in batch]
    chunks = [batch[i:i + PARALLEL_MIN_MESSAGES] for i in range(0, len(batch), PARALLEL_MIN_MESSAGES)]
    return [v for part in pool.map(lambda c: [_verify_one(verifier, m, at) for m in c], chunks) for v in part]


def _verify_one(verifier: Verifier, item: Inbound, at: datetime) -> Verdict:
    try:
        return verifier.check(item, at)
    except Exception as exc:
        # Whatever in a message or a directory entry makes verification raise, it is that item's
        # problem: refused, kept, not acked (its band sends it again), and the rest of the batch goes on.
        log.exception("verifying a message of band %s raised; refusing it", item.band_id)
        return refuse_unverifiable(item, f"verification failed: {type(exc).__name__}: {exc}")


def process_batch(
    batch: Sequence[Inbound],
    verifier: Verifier,
    store: IngestStore,
    counters: Counters,
    now: Callable[[], datetime],
    pool: Executor | None = None,
) -> AcksByBand:
    """Verify, commit and return the acks to send, by band. Raises the store's error if the commit fails;
    nothing has been acked then, so the caller may retry the same batch."""
    at = now()
    verdicts = _verify_all(batch, verifier, at, pool)
    accepted = [row for v in verdicts for row in v.accepted]
    refusals = [r for v in verdicts for r in v.refusals]
    sources: dict[tuple[int, int, int], tuple[str, wire.Record]] = {}

    def raw_of(key: tuple[int, int, int]) -> tuple[str, bytes]:
        # Only replays need their bytes back; index the batch on the first one, not for every batch.
        if not sources:
            sources.update(
                (k, (m.source, record))
                for m, v in zip(batch, verdicts, strict=True)  # one verdict per item
                for k, record in v.records_by_key.items()
            )
        source, record = sources[key]
        return source, bytes(record)

    result: CommitResult = store.commit(accepted, refusals, received_at=at, raw_of=raw_of)

    outcomes: dict[int, list[tuple[int, int, wire.AckStatus]]] = defaultdict(list)
    replayed, stored_status, duplicate_status = result.replayed, wire.AckStatus.STORED, wire.AckStatus.DUPLICATE
    for row in accepted:
        status = duplicate_status if (row.band_id, row.boot, row.seq) in replayed else stored_status
        outcomes[row.band_id].append((row.boot, row.seq, status))
    for v in verdicts:
        for band_id, boot, seq in v.refused_keys:
            outcomes[band_id].append((boot, seq, wire.AckStatus.REFUSED))

    refused = Counter(r.reason.value for r in refusals)
    counters.add(
        messages=len(batch), records=sum(v.records for v in verdicts), committed=result.stored,
        duplicate=result.duplicates, refused=refused,
    )
    if refusals:
        log.info("refused %s", dict(refused))
    # Split past the per-ack range limit of MQTT; an edge with a smaller one re-splits.
    return {band_id: wire.acks_from_outcomes(band_id, items) for band_id, items in sorted(outcomes.items())}


def process_until_stored(
    batch: Sequence[Inbound],
    verifier: Verifier,
    store: IngestStore,
    counters: Counters,
    now: Callable[[], datetime],
    pool: Executor | None,
    *,
    wait: Callable[[float], bool],
    rng: random.Random,
) -> AcksByBand | None:
    """`process_batch`, retried with backoff while the database is unavailable, the batch kept in hand.

    `wait(seconds)` sleeps between attempts and returns True if the gateway is stopping: then the
    result is None and nothing was acked, so the bands (and the broker) will send the batch again.
    """
    attempt = 0
    while True:
        try:
            return process_batch(batch, verifier, store, counters, now, pool)
        except StorageUnavailableError as exc:
            delay = backoff_seconds(attempt, base_seconds=RETRY_BASE_SECONDS, cap_seconds=RETRY_CAP_SECONDS, rng=rng)
            log.warning("%s; retrying %d messages in %.1f s", exc, len(batch), delay)
            attempt += 1
            counters.add(store_retries=1)
            if wait(delay):
                log.warning("stopping with %d messages uncommitted: the bands will send them again", len(batch))
                return None
