"""One batch through verify → commit → ack, on both stores, without a broker."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine, select

import wire
from gateway.counters import Counters
from gateway.inbound import NO_REPLY, Inbound
from gateway.pipeline import process_batch
from gateway.verify import Verdict, Verifier
from scoring.accounts.principal import Principal
from scoring.accounts.roles import Role
from scoring.accounts.store import NewAccount, create_account
from scoring.ingest import IngestStore
from scoring.registry.beacons import beacon_secrets
from scoring.registry.bindings import bind_band, return_band
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


def _record_at(data: Dataset, engine: Engine, seq: int, at: datetime) -> Inbound:
    band = data.bands[0]
    with session_factory(engine)() as s:
        beacon = beacon_secrets(s, None)[0]
    record = wire.Record(kind=wire.Kind.PATROL_CHECKIN, band_id=band.band_id, boot=0, seq=seq,
                         event_at_ms=wire.epoch_ms(at), checkpoint_id=beacon.checkpoint_id,
                         beacon_token=wire.beacon_token(beacon.secret, wire.window_index(at)), rssi_dbm=-60,
                         battery_pct=70, detail=0)
    signing, _ = wire.generate_keypair(band.signing_seed)
    return Inbound(band.band_id, bytes(wire.LiveRecord.sign(record, signing)), NO_REPLY,
                   wire.uplink_topic(band.band_id))


def _station(engine: Engine, band_id: int) -> tuple[Principal, int, int]:
    """The station of the band's wearer, the wearer, and another steward of theirs who wears no band."""
    with session_factory(engine).begin() as s:
        wearer = s.scalars(select(t.BandBinding.steward_id).where(t.BandBinding.band_id == band_id)).one()
        subdistrict = s.scalars(select(t.Steward.subdistrict_id).where(t.Steward.id == wearer)).one()
        other = s.scalars(select(t.Steward.id).where(t.Steward.subdistrict_id == subdistrict, t.Steward.id != wearer)
                          .order_by(t.Steward.id.desc())).first()
        assert other is not None
        for worn in s.scalars(select(t.BandBinding).where(t.BandBinding.steward_id == other)):
            worn.valid_to, worn.ended_reason = NOW - timedelta(days=30), "returned"
        station = create_account(s, NewAccount("station", "x" * 12, Role.STATION_STAFF, subdistrict_id=subdistrict),
                                 now=NOW, password_hash="-")
    return station, wearer, other


def test_a_band_handed_back_is_not_bound_at_the_next_reload_and_keeps_its_records(seeded: Engine,
                                                                                 longtan: Dataset) -> None:
    band_id = longtan.bands[0].band_id
    store, counters = IngestStore(seeded, allow_demo_keys=True), Counters()
    verifier = Verifier(store.load_directory())
    station, wearer, other = _station(seeded, band_id)
    worn = _record_at(longtan, seeded, 1, NOW - timedelta(minutes=50))
    assert list(process_batch([worn], verifier, store, counters, lambda: NOW)) == [band_id]

    with session_factory(seeded).begin() as s:
        return_band(s, station, band_id, now=NOW - timedelta(minutes=40))
    verifier.replace_directory(store.load_directory())  # what the gateway's loop does every minute
    after = _record_at(longtan, seeded, 2, NOW - timedelta(minutes=30))
    acks = process_batch([after], verifier, store, counters, lambda: NOW)
    assert acks == {}  # no ack at all, not even REFUSED: the band keeps the record (docs/protocol.md §8)
    with session_factory(seeded)() as s:
        kept = s.execute(select(t.Quarantine.reason, t.Quarantine.seq)).all()
    assert kept == [("band_not_bound", 2)]

    with session_factory(seeded).begin() as s:
        bind_band(s, station, band_id, other, now=NOW - timedelta(minutes=20))
    verifier.replace_directory(store.load_directory())
    handed_on = _record_at(longtan, seeded, 3, NOW - timedelta(minutes=10))
    acks = process_batch([after, handed_on], verifier, store, counters, lambda: NOW)
    (ack,) = acks[band_id]
    assert list(ack.outcomes()) == [(0, 3, wire.AckStatus.STORED)]  # the record of the gap is still nobody's
    with session_factory(seeded)() as s:
        owners = dict(s.execute(select(t.CheckIn.seq, t.CheckIn.steward_id)).all())
    assert owners == {1: wearer, 3: other}


def test_a_deployment_refuses_the_seeds_demo_keys_and_the_band_keeps_its_records(seeded: Engine,
                                                                                longtan: Dataset) -> None:
    store, counters = IngestStore(seeded), Counters()  # no allowance: a deployment, not a demo
    verifier = Verifier(store.load_directory())
    acks = process_batch([_live(longtan, seeded, 1)], verifier, store, counters, lambda: NOW)
    assert acks == {} and counters.snapshot().refused == {"demo_key": 1}
    with session_factory(seeded)() as s:
        assert s.scalars(select(t.Quarantine.reason)).all() == ["demo_key"]
