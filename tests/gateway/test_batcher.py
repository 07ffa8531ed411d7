"""The gateway's one ingest loop, on both stores and without a broker: it keeps the band directory
fresh, settles every item after its commit, and outlives a batch that fails."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine, select

import wire
from gateway.batcher import DIRECTORY_REFRESH_SECONDS, Batcher
from gateway.errors import StoreUnavailableError
from gateway.inbound import Inbound
from scoring.ingest import Directory, IngestStore, StorageUnavailableError
from scoring.seed.dataset import Dataset
from scoring.storage import tables as t
from scoring.storage.engine import session_factory

NOW = datetime(2017, 9, 5, 1, 0, tzinfo=UTC)
NEW_BAND = 9_001
NEW_SIGNING, NEW_VERIFY = wire.generate_keypair(bytes(range(5, 37)))
SETTLE_TIMEOUT_SECONDS = 30.0


class Recorded:
    """A reply that remembers how the loop answered it."""

    def __init__(self) -> None:
        self.acks: list[wire.Ack] | None = None
        self.abandoned: str | None = None
        self.answered = threading.Event()

    def settle(self, acks: Sequence[wire.Ack]) -> None:
        self.acks = list(acks)
        self.answered.set()

    def abandon(self, reason: str) -> None:
        self.abandoned = reason
        self.answered.set()

    def wait(self) -> None:
        assert self.answered.wait(SETTLE_TIMEOUT_SECONDS), "the loop never answered the item"


def heartbeat(band_id: int, signing: wire.SigningKey, seq: int = 1) -> tuple[Inbound, Recorded]:
    record = wire.Record(kind=wire.Kind.HEARTBEAT, band_id=band_id, boot=0, seq=seq,
                         event_at_ms=wire.epoch_ms(NOW - timedelta(minutes=seq)), checkpoint_id=0,
                         beacon_token=bytes(8), rssi_dbm=-60, battery_pct=70, detail=0)
    reply = Recorded()
    payload = bytes(wire.LiveRecord.sign(record, signing))
    return Inbound(band_id, payload, reply, wire.uplink_topic(band_id)), reply


def first_band(data: Dataset) -> tuple[int, wire.SigningKey]:
    band = data.bands[0]
    return band.band_id, wire.generate_keypair(band.signing_seed)[0]


@contextmanager
def running(batcher: Batcher) -> Iterator[threading.Event]:
    stop = threading.Event()
    worker = threading.Thread(target=batcher.run, args=(stop,), name="batcher-test")
    worker.start()
    try:
        yield stop
    finally:
        stop.set()
        worker.join()


def register_new_band(engine: Engine, band_id: int = NEW_BAND, public_key: bytes = bytes(NEW_VERIFY)) -> None:
    """A new band for the last steward, who hands back the band they wore: a steward wears one at a time."""
    with session_factory(engine).begin() as s:
        steward_id = s.scalars(select(t.Steward.id).order_by(t.Steward.id.desc())).first()
        for worn in s.scalars(select(t.BandBinding).where(t.BandBinding.steward_id == steward_id,
                                                          t.BandBinding.valid_to.is_(None))):
            worn.valid_to, worn.ended_reason = NOW - timedelta(days=1), "returned"
        s.flush()
        s.add(t.Band(id=band_id, public_key=public_key, registered_at=NOW - timedelta(days=2)))
        s.flush()
        s.add(t.BandBinding(band_id=band_id, steward_id=steward_id, valid_from=NOW - timedelta(days=1)))


def test_a_band_registered_after_start_up_is_looked_up_before_it_is_refused(seeded: Engine) -> None:
    batcher = Batcher(IngestStore(seeded, allow_demo_keys=True), clock=lambda: NOW, verify_threads=1)
    register_new_band(seeded)
    item, reply = heartbeat(NEW_BAND, NEW_SIGNING)
    batcher._directory_loaded -= 10  # the last reload was long enough ago to look again
    with running(batcher):
        batcher.submit(item)
        reply.wait()
    assert reply.acks is not None
    assert [list(a.outcomes()) for a in reply.acks] == [[(0, 1, wire.AckStatus.STORED)]]
    assert batcher.counters.snapshot().committed == 1


def test_an_unknown_band_right_after_a_reload_is_refused_without_another(seeded: Engine) -> None:
    batcher = Batcher(IngestStore(seeded, allow_demo_keys=True), clock=lambda: NOW, verify_threads=1)
    register_new_band(seeded)  # too soon after start-up: the loop does not reload for it yet
    item, reply = heartbeat(NEW_BAND, NEW_SIGNING)
    with running(batcher):
        batcher.submit(item)
        reply.wait()
    assert reply.acks == []  # not REFUSED: the band keeps its record until it is registered
    assert batcher.counters.snapshot().refused == {"unknown_band": 1}


class FlakyStore(IngestStore):
    """The real store, with outages and faults on demand."""

    def __init__(self, engine: Engine) -> None:
        super().__init__(engine, allow_demo_keys=True)  # the seeded registry's keys are the demo's
        self.directory_outages = 0
        self.commit_faults = 0

    def load_directory(self) -> Directory:
        if self.directory_outages:
            self.directory_outages -= 1
            raise StorageUnavailableError("database restarting")
        return super().load_directory()

    def commit(self, *args, **kwargs):  # type: ignore[no-untyped-def]  # passes everything through
        if self.commit_faults:
            self.commit_faults -= 1
            raise RuntimeError("a fault in this batch")
        return super().commit(*args, **kwargs)


def test_a_reload_while_the_store_is_down_keeps_the_directory_in_hand(seeded: Engine, longtan: Dataset) -> None:
    store = FlakyStore(seeded)
    batcher = Batcher(store, clock=lambda: NOW, verify_threads=1)
    band_id, _ = first_band(longtan)
    register_new_band(seeded)
    store.directory_outages = 1
    batcher.reload_directory()  # the store is down: the old directory stays
    assert batcher.verifier.knows(band_id) and not batcher.verifier.knows(NEW_BAND)
    batcher.reload_directory()
    assert batcher.verifier.knows(NEW_BAND)


def test_a_store_down_at_start_up_is_the_gateways_own_error(seeded: Engine) -> None:
    store = FlakyStore(seeded)
    store.directory_outages = 1
    with pytest.raises(StoreUnavailableError, match="band directory: database restarting"):
        Batcher(store, verify_threads=1)


def test_a_batch_that_fails_is_abandoned_and_the_loop_goes_on(seeded: Engine, longtan: Dataset) -> None:
    store = FlakyStore(seeded)
    batcher = Batcher(store, clock=lambda: NOW, verify_threads=1)
    band_id, signing = first_band(longtan)
    store.commit_faults = 1
    first, first_reply = heartbeat(band_id, signing, seq=1)
    second, second_reply = heartbeat(band_id, signing, seq=2)
    with running(batcher):
        batcher.submit(first)
        first_reply.wait()
        batcher.submit(second)
        second_reply.wait()
    assert first_reply.acks is None and first_reply.abandoned == "commit failed: a fault in this batch"
    assert second_reply.acks is not None
    assert [list(a.outcomes()) for a in second_reply.acks] == [[(0, 2, wire.AckStatus.STORED)]]


def test_what_is_still_queued_at_stop_is_abandoned_not_acked(seeded: Engine, longtan: Dataset) -> None:
    batcher = Batcher(IngestStore(seeded, allow_demo_keys=True), clock=lambda: NOW, verify_threads=1)
    band_id, signing = first_band(longtan)
    item, reply = heartbeat(band_id, signing)
    batcher.submit(item)
    stop = threading.Event()
    stop.set()  # stopped before the loop took anything
    batcher.run(stop)
    assert reply.acks is None and reply.abandoned == "the gateway is stopping"


def test_a_band_registered_with_a_key_that_is_no_key_stops_nobody_else(seeded: Engine, longtan: Dataset) -> None:
    poisoned = NEW_BAND + 1
    register_new_band(seeded, poisoned, bytes([1]) + bytes(31))  # the identity point: small order
    batcher = Batcher(IngestStore(seeded, allow_demo_keys=True), clock=lambda: NOW, verify_threads=1)
    band_id, signing = first_band(longtan)
    poison, poison_reply = heartbeat(poisoned, NEW_SIGNING)
    good, good_reply = heartbeat(band_id, signing)
    with running(batcher):
        batcher.submit(poison)
        batcher.submit(good)
        poison_reply.wait()
        good_reply.wait()
    assert poison_reply.acks == []  # the operator's fault: the band keeps its record
    assert good_reply.acks is not None
    assert [list(a.outcomes()) for a in good_reply.acks] == [[(0, 1, wire.AckStatus.STORED)]]
    with session_factory(seeded)() as s:
        assert s.execute(select(t.Quarantine.reason, t.Quarantine.band_id)).all() == [("bad_key", poisoned)]


def test_a_band_handed_back_is_seen_at_the_loops_next_reload(seeded: Engine, longtan: Dataset) -> None:
    batcher = Batcher(IngestStore(seeded, allow_demo_keys=True), clock=lambda: NOW, verify_threads=1)
    band_id, signing = first_band(longtan)
    with session_factory(seeded).begin() as s:  # returned at the station ten minutes ago
        worn = s.scalars(select(t.BandBinding).where(t.BandBinding.band_id == band_id)).one()
        worn.valid_to, worn.ended_reason = NOW - timedelta(minutes=10), "returned"
    batcher._directory_loaded -= DIRECTORY_REFRESH_SECONDS + 1  # a minute has passed since the last reload
    stale = batcher._directory_loaded
    item, reply = heartbeat(band_id, signing)  # a minute ago, after the binding ended
    with running(batcher):
        deadline = time.monotonic() + SETTLE_TIMEOUT_SECONDS
        while batcher._directory_loaded == stale:  # the idle loop reloads on its own
            assert time.monotonic() < deadline, "the loop never reloaded its directory"
            time.sleep(0.05)
        batcher.submit(item)
        reply.wait()
    assert reply.acks == []  # band_not_bound: not acked, the band keeps the record
    assert batcher.counters.snapshot().refused == {"band_not_bound": 1}


def test_the_after_commit_hook_runs_once_the_batch_is_stored_and_before_any_reply(
        seeded: Engine, longtan: Dataset) -> None:
    seen: list[tuple[int, bool]] = []
    item, reply = heartbeat(*first_band(longtan))

    def after_commit() -> None:
        with session_factory(seeded)() as s:  # what another connection sees: committed, not in flight
            seen.append((len(s.scalars(select(t.CheckIn.seq)).all()), reply.answered.is_set()))

    batcher = Batcher(IngestStore(seeded, allow_demo_keys=True), clock=lambda: NOW, verify_threads=1,
                      after_commit=after_commit)
    with running(batcher):
        batcher.submit(item)
        reply.wait()
    assert seen == [(1, False)]
