"""Each kind of bad record is refused with its reason, kept in quarantine, never scored."""

from __future__ import annotations

import time
from datetime import datetime, timedelta, timezone

import paho.mqtt.client as paho
from paho.mqtt.enums import CallbackAPIVersion
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties
from sqlalchemy import Engine, func, select

import wire
from scoring.registry.beacons import beacon_secrets
from scoring.rulebook import load_rulebook
from scoring.scorer import score_pending
from scoring.seed.dataset import Dataset
from scoring.storage import tables as t
from scoring.storage.engine import session_factory
from stewards.registry import band_mqtt_password
from tests.conftest import FLEET_SECRET, broker_for, running_gateway, service_workdir
from tests.integration.bandclient import BandClient

BEIJING = timezone(timedelta(hours=8))
NOW = datetime(2017, 9, 4, 10, 0, tzinfo=BEIJING)
UNREGISTERED_BAND = 990_001
NOT_AUTHORIZED = 135  # MQTT v5 reason code 0x87


def _record(band_id: int, seq: int, at: datetime, checkpoint: tuple[int, bytes]) -> wire.Record:
    checkpoint_id, secret = checkpoint
    return wire.Record(kind=wire.Kind.PATROL_CHECKIN, band_id=band_id, boot=0, seq=seq, event_at_ms=wire.epoch_ms(at),
                       checkpoint_id=checkpoint_id, beacon_token=wire.beacon_token(secret, wire.window_index(at)),
                       rssi_dbm=-55, battery_pct=77, detail=0)


def _wait_for_messages(gw, n: int, timeout: float = 15.0) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while gw.counters.snapshot().messages < n:
        assert time.monotonic() < deadline, f"the gateway saw {gw.counters.snapshot().messages} of {n} messages"
        time.sleep(0.05)


def test_bad_records_are_refused_with_their_reason(seeded: Engine, longtan: Dataset) -> None:
    han = next(s for s in longtan.stewards if s.name == "韩险峰")
    band = longtan.band_of(han.key)
    signing, _ = wire.generate_keypair(band.signing_seed)
    forger, _ = wire.generate_keypair(bytes(32))
    with session_factory(seeded)() as s:
        first = s.scalars(select(t.Checkpoint.id).join(t.Segment).where(
            t.Segment.key == longtan.claims_of(han.key)[0].segment_key).order_by(t.Checkpoint.position_m)).first()
        checkpoint = next((b.checkpoint_id, b.secret) for b in beacon_secrets(s, None) if b.checkpoint_id == first)
    good = bytes(wire.LiveRecord.sign(_record(band.band_id, 1, NOW - timedelta(minutes=10), checkpoint), signing))
    stranger_signing, _ = wire.generate_keypair(b"\x05" * 32)

    workdir = service_workdir("mq")
    with broker_for(workdir, longtan, **{str(UNREGISTERED_BAND): "stranger-pw"}) as broker, \
            running_gateway(seeded, broker, clock=lambda: NOW) as gw:
        han_band = BandClient(broker.host, broker.port, band.band_id, band_mqtt_password(band.band_id, FLEET_SECRET))
        stranger = BandClient(broker.host, broker.port, UNREGISTERED_BAND, "stranger-pw")
        try:
            han_band.publish(good)
            assert list(han_band.next_ack().outcomes()) == [(0, 1, wire.AckStatus.STORED)]
            han_band.publish(good)  # replayed
            assert list(han_band.next_ack().outcomes()) == [(0, 1, wire.AckStatus.DUPLICATE)]
            # From before the band was issued (a binding fault: not acked, the band keeps it), then from
            # the future (the band's fault: REFUSED, it frees it). The only ack is the second's.
            for seq, at in ((2, datetime(2017, 4, 1, 8, 0, tzinfo=BEIJING)), (3, NOW + timedelta(days=1))):
                han_band.publish(bytes(wire.LiveRecord.sign(_record(band.band_id, seq, at, checkpoint), signing)))
            assert list(han_band.next_ack().outcomes()) == [(0, 3, wire.AckStatus.REFUSED)]
            han_band.publish(bytes(wire.LiveRecord.sign(_record(band.band_id, 4, NOW, checkpoint), forger)))
            stranger.publish(
                bytes(wire.LiveRecord.sign(_record(UNREGISTERED_BAND, 1, NOW, checkpoint), stranger_signing))
            )
            # A band publishing on another band's topic is stopped by the broker's ACL.
            other = longtan.bands[-1].band_id
            reason = han_band.publish(good, topic=wire.uplink_topic(other))
            _wait_for_messages(gw, 6)
            counters = gw.counters.snapshot()
            # An unregistered band is the operator's to fix: it gets no ack, so it keeps its record.
            assert stranger.acks.empty() and han_band.acks.empty()
        finally:
            han_band.close()
            stranger.close()

    assert reason == NOT_AUTHORIZED
    assert counters.messages == 6 and counters.committed == 1 and counters.duplicate == 1
    assert counters.refused == {"band_not_bound": 1, "clock_ahead": 1, "bad_signature": 1, "unknown_band": 1}
    with session_factory(seeded)() as s:
        quarantined = sorted(s.execute(select(t.Quarantine.reason, t.Quarantine.band_id, t.Quarantine.seq)).all())
        assert s.scalar(select(func.count()).select_from(t.CheckIn)) == 1
    assert quarantined == sorted([
        ("replay", band.band_id, 1), ("band_not_bound", band.band_id, 2), ("clock_ahead", band.band_id, 3),
        ("bad_signature", band.band_id, None), ("unknown_band", UNREGISTERED_BAND, None),
    ])
    score_pending(seeded, load_rulebook())
    with session_factory(seeded)() as s:
        entries = s.execute(select(t.PointsEntry.rule, t.PointsEntry.points, t.PointsEntry.evidence)).all()
    assert [tuple(e) for e in entries] == [("checkpoint_visit", 1, [f"{band.band_id}/0/1"])]


def test_anonymous_clients_are_refused_by_the_broker(longtan: Dataset) -> None:
    with broker_for(service_workdir("mq"), longtan) as broker:
        client = paho.Client(CallbackAPIVersion.VERSION2, protocol=paho.MQTTv5)
        codes: list[int] = []
        client.on_connect = lambda _c, _u, _f, rc, _p: codes.append(rc.value)
        client.connect(broker.host, broker.port, properties=Properties(PacketTypes.CONNECT))
        deadline = time.monotonic() + 10
        while not codes and time.monotonic() < deadline:
            client.loop(0.1)
        client.disconnect()
    assert codes and codes[0] != 0  # not authorized / bad credentials
