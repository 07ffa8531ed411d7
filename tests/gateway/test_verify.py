"""The gateway's verdict on each kind of message, good and bad, without broker or database."""

import dataclasses
from datetime import UTC, datetime, timedelta

import pytest

import wire
from gateway.inbound import NO_REPLY, Inbound
from gateway.mqtt import band_of_topic
from gateway.verify import Limits, Verifier
from scoring.ingest import BandEntry, BeaconEntry, Binding, Directory, RefusalReason

NOW = datetime(2017, 5, 10, 2, 0, tzinfo=UTC)
BOUND_FROM = datetime(2017, 5, 1, tzinfo=UTC)
SIGNING, VERIFY = wire.generate_keypair(bytes(range(32)))
OTHER_SIGNING, _ = wire.generate_keypair(bytes(range(1, 33)))
SECRETS = {11: b"beacon-eleven-16", 12: b"beacon-twelve-16"}
REPLACED_AT = NOW - timedelta(hours=6)
POISON_SIGNING, _ = wire.generate_keypair(bytes(range(9, 41)))
SMALL_ORDER_POINT = bytes([1]) + bytes(31)  # the identity: registered by mistake, it verifies nothing
DIRECTORY = Directory(
    bands={1001: BandEntry(bytes(VERIFY), (Binding(7, BOUND_FROM, None),)),
           1003: BandEntry(SMALL_ORDER_POINT, (Binding(9, BOUND_FROM, None),))},
    beacons={
        11: (BeaconEntry(SECRETS[11], wire.epoch_ms(BOUND_FROM)),),
        # Checkpoint 12's beacon was replaced this morning: the old one's tokens stop counting then.
        12: (BeaconEntry(b"old-beacon-12-16", wire.epoch_ms(BOUND_FROM), wire.epoch_ms(REPLACED_AT)),
             BeaconEntry(SECRETS[12], wire.epoch_ms(REPLACED_AT))),
    },
    loaded_at=NOW,
)


def token(checkpoint: int, at: datetime, secret: bytes | None = None) -> bytes:
    return wire.beacon_token(secret or SECRETS[checkpoint], wire.window_index(at))


def record(seq: int = 1, *, at: datetime = NOW - timedelta(minutes=5), checkpoint: int = 11, band: int = 1001,
           kind: wire.Kind = wire.Kind.PATROL_CHECKIN, beacon_token: bytes | None = None) -> wire.Record:
    heartbeat = kind is wire.Kind.HEARTBEAT
    if beacon_token is None:
        beacon_token = bytes(8) if heartbeat else token(checkpoint, at) if checkpoint in SECRETS else b"\x01" * 8
    return wire.Record(
        kind=kind, band_id=band, boot=0, seq=seq, event_at_ms=wire.epoch_ms(at),
        checkpoint_id=0 if heartbeat else checkpoint, beacon_token=beacon_token,
        rssi_dbm=-60, battery_pct=90, detail=0,
    )


def live(rec: wire.Record, key=SIGNING) -> bytes:
    return bytes(wire.LiveRecord.sign(rec, key))


def uplink(payload: bytes, topic: str = wire.uplink_topic(1001)) -> Inbound:
    """What the MQTT edge hands the gateway for `payload` on `topic`."""
    return Inbound(band_of_topic(topic), payload, NO_REPLY, topic)


def check(payload: bytes, topic: str = wire.uplink_topic(1001)):
    return Verifier(DIRECTORY, limits=Limits(max_future_skew_seconds=300, max_age_seconds=86_400)).check(
        uplink(payload, topic), NOW)


def test_a_good_live_record_is_accepted_with_its_steward() -> None:
    verdict = check(live(record()))
    assert [(r.key, r.steward_id) for r in verdict.accepted] == [((1001, 0, 1), 7)]
    assert verdict.refusals == [] and verdict.refused_keys == []


def test_a_good_segment_is_accepted_whole() -> None:
    records = tuple(record(i, at=NOW - timedelta(minutes=60 - i)) for i in range(1, 51))
    seg = wire.LogSegment.sign(1001, records, SIGNING)
    verdict = check(bytes(seg))
    assert len(verdict.accepted) == 50 and verdict.records == 50


def test_a_heartbeat_needs_no_checkpoint() -> None:
    assert len(check(live(record(kind=wire.Kind.HEARTBEAT))).accepted) == 1


@pytest.mark.parametrize(
    ("payload", "topic", "reason", "acked_refused"),
    [
        (b"\x01\x01garbage", wire.uplink_topic(1001), RefusalReason.MALFORMED, 0),
        (live(record()), "stewards/v1/bands/01001/up", RefusalReason.MALFORMED, 0),
        (live(record(), OTHER_SIGNING), wire.uplink_topic(1001), RefusalReason.BAD_SIGNATURE, 0),
        (live(record(band=1002)), wire.uplink_topic(1001), RefusalReason.TOPIC_MISMATCH, 0),
        (live(record(band=1002)), wire.uplink_topic(1002), RefusalReason.UNKNOWN_BAND, 0),
        (live(record(band=1003), POISON_SIGNING), wire.uplink_topic(1003), RefusalReason.BAD_KEY, 0),
    ],
    ids=["garbage", "bad-topic", "forged", "topic-mismatch", "unknown-band", "registered-key-is-no-key"],
)
def test_message_level_refusals(payload: bytes, topic: str, reason: RefusalReason, acked_refused: int) -> None:
    """None of these is acked: a band frees nothing for a fault that is not its own."""
    verdict = check(payload, topic)
    assert verdict.accepted == []
    assert [r.reason for r in verdict.refusals] == [reason]
    assert verdict.refusals[0].payload == payload  # the bytes as received are kept
    assert len(verdict.refused_keys) == acked_refused  # forgeries are never acked


@pytest.mark.parametrize(
    ("rec", "reason"),
    [
        (record(at=NOW + timedelta(minutes=6)), RefusalReason.CLOCK_AHEAD),
        (record(at=NOW - timedelta(days=2)), RefusalReason.TOO_OLD),
        (record(checkpoint=99), RefusalReason.UNKNOWN_CHECKPOINT),
        (record(beacon_token=token(11, NOW - timedelta(hours=3))), RefusalReason.TOKEN_STALE),
        (record(beacon_token=token(12, NOW - timedelta(minutes=5))), RefusalReason.WRONG_BEACON),
        (record(beacon_token=b"\x01" * 8), RefusalReason.BAD_TOKEN),
        (record(checkpoint=12, beacon_token=token(12, NOW - timedelta(minutes=5), b"old-beacon-12-16")),
         RefusalReason.BAD_TOKEN),
    ],
    ids=["clock-ahead", "too-old", "unknown-checkpoint", "stale-token", "another-beacons-token",
         "made-up-token", "replaced-beacons-token"],
)
def test_record_level_refusals_are_acked_as_refused(rec: wire.Record, reason: RefusalReason) -> None:
    verdict = check(live(rec))
    assert verdict.accepted == []
    assert [(r.reason, r.seq, r.payload) for r in verdict.refusals] == [(reason, 1, bytes(rec))]
    assert verdict.refused_keys == [rec.key]


def test_a_record_from_before_the_binding_is_kept_but_not_acked() -> None:
    """A binding that starts too late is the operator's to fix: the band keeps the record meanwhile."""
    rec = record(at=BOUND_FROM - timedelta(hours=1))
    verdict = check(live(rec))
    assert verdict.accepted == []
    assert [(r.reason, r.seq, r.payload) for r in verdict.refusals] == [(RefusalReason.BAND_NOT_BOUND, 1, bytes(rec))]
    assert verdict.refused_keys == []


@pytest.mark.parametrize("drift", [timedelta(minutes=-4), timedelta(minutes=4), timedelta(0)])
def test_a_token_from_a_neighbouring_window_is_accepted(drift: timedelta) -> None:
    """The band's clock and the beacon's drift apart a little: one window either side still counts."""
    heard_at = NOW - timedelta(minutes=30)
    verdict = check(live(record(at=heard_at + drift, beacon_token=token(11, heard_at))))
    assert len(verdict.accepted) == 1 and verdict.refusals == []


def test_a_token_two_windows_away_is_stale_and_says_how_old() -> None:
    at = NOW - timedelta(minutes=30)
    verdict = check(live(record(at=at, beacon_token=token(11, at - timedelta(minutes=10)))))
    assert [r.reason for r in verdict.refusals] == [RefusalReason.TOKEN_STALE]
    assert "10 minutes" in verdict.refusals[0].detail


def test_the_replaced_beacon_still_counts_for_records_before_its_replacement() -> None:
    at = REPLACED_AT - timedelta(hours=2)
    rec = record(at=at, checkpoint=12, beacon_token=token(12, at, b"old-beacon-12-16"))
    assert len(check(live(rec)).accepted) == 1


def test_clock_within_skew_is_accepted() -> None:
    assert len(check(live(record(at=NOW + timedelta(minutes=4)))).accepted) == 1


def test_one_bad_record_does_not_sink_its_segment() -> None:
    seg = wire.LogSegment.sign(1001, (record(1), record(2, checkpoint=99), record(3)), SIGNING)
    verdict = check(bytes(seg))
    assert [r.seq for r in verdict.accepted] == [1, 3]
    assert [r.reason for r in verdict.refusals] == [RefusalReason.UNKNOWN_CHECKPOINT]


# --- db seed's derived keys: refused unless the deployment allows demo keys --------------------------

DEMO_DIRECTORY = dataclasses.replace(
    DIRECTORY,
    bands={**DIRECTORY.bands, 1001: dataclasses.replace(DIRECTORY.bands[1001], demo_key=True)},
)
DEMO_BEACONS = dataclasses.replace(
    DIRECTORY, beacons={**DIRECTORY.beacons, 11: (dataclasses.replace(DIRECTORY.beacons[11][0], demo=True),)},
)


def _verify(directory: Directory, payload: bytes):  # type: ignore[no-untyped-def]
    return Verifier(directory, limits=Limits(max_future_skew_seconds=300, max_age_seconds=86_400)).check(
        uplink(payload), NOW)


def test_a_band_with_the_demos_key_is_refused_and_keeps_its_records() -> None:
    verdict = _verify(DEMO_DIRECTORY, live(record()))
    assert [(r.reason, r.band_id) for r in verdict.refusals] == [(RefusalReason.DEMO_KEY, 1001)]
    assert "stewards bands enrol" in verdict.refusals[0].detail
    assert verdict.accepted == [] and verdict.refused_keys == []  # no ack: a provisioning fault, like unknown_band
    # A forgery under a demo key is refused the same way: nothing signed with a public key is trusted.
    assert [r.reason for r in _verify(DEMO_DIRECTORY, live(record(), OTHER_SIGNING)).refusals] == [
        RefusalReason.DEMO_KEY]


def test_a_demo_that_allows_demo_keys_takes_them() -> None:
    allowed = dataclasses.replace(DEMO_DIRECTORY, demo_keys_allowed=True)
    assert len(_verify(allowed, live(record())).accepted) == 1
    assert [r.reason for r in _verify(allowed, live(record(), OTHER_SIGNING)).refusals] == [
        RefusalReason.BAD_SIGNATURE]


def test_a_token_of_a_demo_beacon_is_refused_and_kept_by_the_band() -> None:
    rec = record()
    verdict = _verify(DEMO_BEACONS, live(rec))
    assert [(r.reason, r.seq) for r in verdict.refusals] == [(RefusalReason.DEMO_BEACON, 1)]
    assert "stewards beacons replace" in verdict.refusals[0].detail
    assert verdict.refused_keys == []  # the operator's fault: no REFUSED ack
    assert len(_verify(dataclasses.replace(DEMO_BEACONS, demo_keys_allowed=True), live(rec)).accepted) == 1
    # Checkpoint 12's beacon is not the demo's: its records go through as ever.
    assert len(_verify(DEMO_BEACONS, live(record(checkpoint=12))).accepted) == 1
