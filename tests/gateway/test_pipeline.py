"""One batch through verify → commit → ack, on both stores, without a broker."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine, select

import wire
from gateway.counters import Counters
from gateway.inbound import NO_REPLY, Inbound
from gateway.pipeline import process_batch
from gateway.verify import Verdict, Verifier
from scoring.ingest import IngestStore
from scoring.registry.beacons import beacon_secrets
from scoring.seed.dataset import Dataset
from scoring.storage import tables as t
from scoring.storage.engine import session_factory

NOW = datetime(2017, 9, 5, 1, 0, tzinfo=UTC)


def _live(data: Dataset, engine: Engine, seq: int) -> Inbound:
    band = data.bands[0]
    with session_factory(engine)() as s:
        beacon = beacon_secrets(s, None)[0]
    checkpoint, secret = beacon.checkpoint_id, beacon.secret
    at = NOW - timedelta(minutes=seq)
    record = wire.Record(kind=wire.Kind.PATROL_CHECKIN, band_id=band.band_id, boot=0, seq=seq,
                         event_at_ms=wire.epoch_ms(at), checkpoint_id=checkpoint,
                         beacon_token=wire.beacon_token(secret, wire.window_index(at)), rssi_dbm=-60, battery_pct=70,
                         detail=0)
    signing, _ = wire.generate_keypair(band.signing_seed)
    return Inbound(band.band_id, bytes(wire.LiveRecord.sign(record, signing)), NO_REPLY,
                   wire.uplink_topic(band.band_id))


def test_acks_follow_the_commit_and_say_what_happened(seeded: Engine, longtan: Dataset) -> None:
    store, counters = IngestStore(seeded, allow_demo_keys=True), Counters()
    verifier = Verifier(store.load_directory())
    first, second = _live(longtan, seeded, 1), _live(longtan, seeded, 2)

    # The same record twice in one batch: stored once, acked STORED, the copy kept as a replay.
    acks = process_batch([first, first, second], verifier, store, counters, lambda: NOW)
    (ack,) = [a for band_acks in acks.values() for a in band_acks]
    assert list(ack.outcomes()) == [(0, 1, wire.AckStatus.STORED), (0, 2, wire.AckStatus.STORED)]
    # Sent again in a later batch (a lost ack, a restart): acked DUPLICATE.
    acks = process_batch([first], verifier, store, counters, lambda: NOW)
    (ack,) = [a for band_acks in acks.values() for a in band_acks]
    assert list(ack.outcomes()) == [(0, 1, wire.AckStatus.DUPLICATE)]

    snapshot = counters.snapshot()
    assert (snapshot.messages, snapshot.committed, snapshot.duplicate, snapshot.refused) == (4, 2, 2, {})
    with session_factory(seeded)() as s:
        assert s.scalars(select(t.Quarantine.reason)).all() == ["replay", "replay"]
        assert s.scalars(select(t.Quarantine.payload)).all()[0] == bytes(wire.decode_uplink(first.payload).records[0])


class RaisesFor(Verifier):
    """A verifier with a fault for one band, as an unforeseen directory entry or message would cause."""

    def __init__(self, store: IngestStore, band_id: int) -> None:
        super().__init__(store.load_directory())
        self._band_id = band_id

    def check(self, item: Inbound, now: datetime) -> Verdict:
        if item.band_id == self._band_id:
            raise ValueError("a fault in verification")
        return super().check(item, now)


def test_a_message_whose_check_raises_is_refused_and_the_batch_goes_on(seeded: Engine, longtan: Dataset) -> None:
    store, counters = IngestStore(seeded, allow_demo_keys=True), Counters()
    good = _live(longtan, seeded, 1)
    other = longtan.bands[1].band_id
    poison = Inbound(other, b"whatever it holds", NO_REPLY, wire.uplink_topic(other))
    acks = process_batch([poison, good], RaisesFor(store, other), store, counters, lambda: NOW)
    assert list(acks) == [good.band_id]  # the poisoned band is not acked at all
    assert counters.snapshot().committed == 1
    with session_factory(seeded)() as s:
        kept = s.execute(select(t.Quarantine.reason, t.Quarantine.band_id, t.Quarantine.detail)).all()
    assert kept == [("malformed", other, "verification failed: ValueError: a fault in verification")]
