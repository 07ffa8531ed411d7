"""Table tests for frames: every field range, every structural check, and the ack's run merging."""

from __future__ import annotations

import dataclasses
import pickle
import struct
from datetime import UTC, datetime, timedelta, timezone

import pytest

import wire

# Layouts written out from the spec, independent of wire's own Struct objects.
RECORD_LAYOUT = struct.Struct(">BIIIqI8sbBH")
U32_MAX = 2**32 - 1
MIN_MS = 1_420_070_400_000  # 2015-01-01T00:00Z
END_MS = 4_102_444_800_000  # 2100-01-01T00:00Z
TOKEN = bytes.fromhex("0102030405060708")


def base(kind: wire.Kind) -> dict[str, object]:
    """Valid field values for a record of `kind`, as a dict to vary one field at a time."""
    fields: dict[str, object] = {
        "kind": kind,
        "band_id": 1001,
        "boot": 0,
        "seq": 1,
        "event_at_ms": MIN_MS + 86_400_000,
        "checkpoint_id": 5,
        "beacon_token": TOKEN,
        "rssi_dbm": -60,
        "battery_pct": 50,
        "detail": 0,
    }
    if kind is wire.Kind.HEARTBEAT:
        fields.update(checkpoint_id=0, beacon_token=bytes(8))
    if kind is wire.Kind.PROBLEM_REPORT:
        fields["detail"] = 3
    return fields


def raw_record(**fields: object) -> bytes:
    """Encode fields with the spec's layout, bypassing Record's checks, to feed the decoder."""
    order = (
        "kind",
        "band_id",
        "boot",
        "seq",
        "event_at_ms",
        "checkpoint_id",
        "beacon_token",
        "rssi_dbm",
        "battery_pct",
        "detail",
    )
    return RECORD_LAYOUT.pack(*(fields[name] for name in order))


def make(kind: wire.Kind = wire.Kind.PATROL_CHECKIN, /, **changes: object) -> wire.Record:
    """A valid record of `kind` with some fields changed (and checked by the constructor)."""
    return wire.Record(**(base(kind) | changes))  # type: ignore[arg-type]


VALID_CASES = [
    # (kind, field, value): each an edge that must be accepted
    (wire.Kind.PATROL_CHECKIN, "band_id", 1),
    (wire.Kind.PATROL_CHECKIN, "band_id", U32_MAX),
    (wire.Kind.PATROL_CHECKIN, "boot", 0),
    (wire.Kind.PATROL_CHECKIN, "boot", U32_MAX),
    (wire.Kind.PATROL_CHECKIN, "seq", 1),
    (wire.Kind.PATROL_CHECKIN, "seq", U32_MAX),
    (wire.Kind.PATROL_CHECKIN, "event_at_ms", MIN_MS),
    (wire.Kind.PATROL_CHECKIN, "event_at_ms", END_MS - 1),
    (wire.Kind.PATROL_CHECKIN, "checkpoint_id", 1),
    (wire.Kind.PATROL_CHECKIN, "checkpoint_id", U32_MAX),
    (wire.Kind.PATROL_CHECKIN, "beacon_token", bytes(8)),
    (wire.Kind.PATROL_CHECKIN, "beacon_token", b"\xff" * 8),
    (wire.Kind.PATROL_CHECKIN, "rssi_dbm", -127),
    (wire.Kind.PATROL_CHECKIN, "rssi_dbm", 20),
    (wire.Kind.PATROL_CHECKIN, "battery_pct", 0),
    (wire.Kind.PATROL_CHECKIN, "battery_pct", 100),
    (wire.Kind.DISSUASION, "detail", 0),
    (wire.Kind.PROBLEM_REPORT, "detail", 1),
    (wire.Kind.PROBLEM_REPORT, "detail", 7),
    (wire.Kind.PROBLEM_REPORT, "detail", wire.ProblemCategory.STREET_VENDING),
    (wire.Kind.HEARTBEAT, "detail", 0),
    (wire.Kind.HEARTBEAT, "detail", 65535),
    (wire.Kind.HEARTBEAT, "rssi_dbm", -127),
]

INVALID_CASES = [
    # (kind, field, value): each outside its range; the decoder must refuse the same bytes
    (wire.Kind.PATROL_CHECKIN, "kind", 0),
    (wire.Kind.PATROL_CHECKIN, "kind", 5),
    (wire.Kind.PATROL_CHECKIN, "kind", 255),
    (wire.Kind.PATROL_CHECKIN, "band_id", 0),
    (wire.Kind.PATROL_CHECKIN, "seq", 0),
    (wire.Kind.PATROL_CHECKIN, "event_at_ms", MIN_MS - 1),
    (wire.Kind.PATROL_CHECKIN, "event_at_ms", END_MS),
    (wire.Kind.PATROL_CHECKIN, "event_at_ms", 0),
    (wire.Kind.PATROL_CHECKIN, "event_at_ms", -1),
    (wire.Kind.PATROL_CHECKIN, "event_at_ms", 2**63 - 1),
    (wire.Kind.PATROL_CHECKIN, "checkpoint_id", 0),
    (wire.Kind.DISSUASION, "checkpoint_id", 0),
    (wire.Kind.PROBLEM_REPORT, "checkpoint_id", 0),
    (wire.Kind.PATROL_CHECKIN, "rssi_dbm", -128),
    (wire.Kind.PATROL_CHECKIN, "rssi_dbm", 21),
    (wire.Kind.PATROL_CHECKIN, "rssi_dbm", 127),
    (wire.Kind.PATROL_CHECKIN, "battery_pct", 101),
    (wire.Kind.PATROL_CHECKIN, "battery_pct", 255),
    (wire.Kind.PATROL_CHECKIN, "detail", 1),
    (wire.Kind.DISSUASION, "detail", 1),
    (wire.Kind.PROBLEM_REPORT, "detail", 0),
    (wire.Kind.PROBLEM_REPORT, "detail", 8),
    (wire.Kind.PROBLEM_REPORT, "detail", 65535),
    (wire.Kind.HEARTBEAT, "checkpoint_id", 1),
    (wire.Kind.HEARTBEAT, "beacon_token", TOKEN),
    (wire.Kind.HEARTBEAT, "beacon_token", b"\x00" * 7 + b"\x01"),
]


@pytest.mark.parametrize(("kind", "name", "value"), VALID_CASES)
def test_record_accepts_edges(kind: wire.Kind, name: str, value: object) -> None:
    fields = base(kind) | {name: value}
    record = wire.Record(**fields)  # type: ignore[arg-type]
    encoded = bytes(record)
    assert len(encoded) == 37
    assert encoded == raw_record(**fields)
    assert wire.Record.from_bytes(encoded) == record


@pytest.mark.parametrize(("kind", "name", "value"), INVALID_CASES)
def test_record_refuses_out_of_range_in_constructor(
    kind: wire.Kind, name: str, value: object
) -> None:
    with pytest.raises(wire.FrameError) as caught:
        make(kind, **{name: value})
    assert caught.value.reason == "field_range"


@pytest.mark.parametrize(("kind", "name", "value"), INVALID_CASES)
def test_record_refuses_out_of_range_when_decoding(
    kind: wire.Kind, name: str, value: object
) -> None:
    with pytest.raises(wire.FrameError) as caught:
        wire.Record.from_bytes(raw_record(**(base(kind) | {name: value})))
    assert caught.value.reason == "field_range"


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("band_id", 1.0),
        ("seq", True),
        ("boot", "3"),
        ("event_at_ms", None),
        ("kind", 1.0),
        ("kind", False),
        ("beacon_token", bytearray(8)),
        ("beacon_token", bytes(9)),
        ("beacon_token", bytes(7)),
    ],
)
def test_record_refuses_wrong_types_and_token_sizes(name: str, value: object) -> None:
    with pytest.raises(wire.FrameError) as caught:
        make(**{name: value})
    assert caught.value.reason == "field_range"


def test_error_message_names_the_field() -> None:
    with pytest.raises(wire.FrameError, match="rssi_dbm 21"):
        make(rssi_dbm=21)
    with pytest.raises(wire.FrameError, match="band's clock"):
        make(event_at_ms=0)


def test_record_normalises_kind_and_intenum_fields() -> None:
    fields = base(wire.Kind.PROBLEM_REPORT) | {"kind": 2, "detail": wire.ProblemCategory.OTHER}
    record = wire.Record(**fields)  # type: ignore[arg-type]
    assert record.kind is wire.Kind.PROBLEM_REPORT
    assert type(record.detail) is int and record.detail == 7
    decoded = wire.Record.from_bytes(bytes(record))
    assert decoded.kind is wire.Kind.PROBLEM_REPORT
    assert decoded == record and hash(decoded) == hash(record)


def test_record_key_and_event_at() -> None:
    record = make(event_at_ms=1_496_305_800_123)
    assert record.key == (1001, 0, 1)
    assert record.event_at == datetime(2017, 6, 1, 8, 30, 0, 123_000, tzinfo=UTC)
    assert record.event_at.tzinfo is not None


def test_record_is_frozen_and_replace_rechecks() -> None:
    record = make()
    with pytest.raises(dataclasses.FrozenInstanceError):
        record.seq = 2  # type: ignore[misc]
    assert dataclasses.replace(record, seq=2).seq == 2
    with pytest.raises(wire.FrameError):
        dataclasses.replace(record, seq=0)


def test_record_pickles() -> None:
    record = make(wire.Kind.HEARTBEAT)
    assert pickle.loads(pickle.dumps(record)) == record


@pytest.mark.parametrize("size", [0, 1, 36])
def test_record_from_short_bytes_is_truncated(size: int) -> None:
    with pytest.raises(wire.FrameError) as caught:
        wire.Record.from_bytes(bytes(size))
    assert caught.value.reason == "truncated"


def test_record_from_long_bytes_is_bad_length() -> None:
    with pytest.raises(wire.FrameError) as caught:
        wire.Record.from_bytes(bytes(make()) + b"\x00")
    assert caught.value.reason == "bad_length"


def test_epoch_ms_is_exact_and_needs_an_aware_datetime() -> None:
    assert wire.epoch_ms(datetime(2015, 1, 1, tzinfo=UTC)) == MIN_MS
    beijing = timezone(timedelta(hours=8))
    assert (
        wire.epoch_ms(datetime(2017, 6, 1, 16, 30, 0, 999_999, tzinfo=beijing)) == 1_496_305_800_999
    )
    with pytest.raises(wire.TimestampError):
        wire.epoch_ms(datetime(2017, 6, 1))  # noqa: DTZ001 - naive on purpose: the refusal under test


def test_constants_match_the_layout() -> None:
    assert wire.RECORD_BYTES == RECORD_LAYOUT.size == 37
    assert wire.LIVE_RECORD_BYTES == 103
    assert wire.MAX_UPLINK_BYTES == 2 + 4 + 2 + 500 * 37 + 64
    assert wire.MAX_ACK_BYTES == 8 + 2000 * 13


# ---------------------------------------------------------------------------- live records


def test_live_record_needs_a_64_byte_signature(checkin: wire.Record) -> None:
    for signature in (bytes(63), bytes(65), bytearray(64)):
        with pytest.raises(wire.FrameError):
            wire.LiveRecord(checkin, signature)  # type: ignore[arg-type]


def test_live_record_refuses_a_non_record() -> None:
    with pytest.raises(wire.FrameError):
        wire.LiveRecord(b"\x00" * 37, bytes(64))  # type: ignore[arg-type]


def test_live_record_roundtrip_and_verify(
    checkin: wire.Record, signing_key: wire.SigningKey, verify_key: wire.VerifyKey
) -> None:
    live = wire.LiveRecord.sign(checkin, signing_key)
    decoded = wire.decode_uplink(bytes(live))
    assert decoded == live
    assert wire.verify(decoded, verify_key)
    other_key = wire.generate_keypair(b"\x01" * 32)[1]
    assert not wire.verify(decoded, other_key)


@pytest.mark.parametrize(
    ("extra", "reason"), [(-1, "truncated"), (-66, "truncated"), (1, "bad_length")]
)
def test_live_record_length_must_be_exact(
    checkin: wire.Record, signing_key: wire.SigningKey, extra: int, reason: str
) -> None:
    payload = bytes(wire.LiveRecord.sign(checkin, signing_key))
    payload = payload[:extra] if extra < 0 else payload + bytes(extra)
    with pytest.raises(wire.FrameError) as caught:
        wire.decode_uplink(payload)
    assert caught.value.reason == reason


def test_typed_from_bytes_refuses_the_other_uplink(
    checkin: wire.Record, signing_key: wire.SigningKey
) -> None:
    live = bytes(wire.LiveRecord.sign(checkin, signing_key))
    segment = bytes(wire.LogSegment.sign(checkin.band_id, [checkin], signing_key))
    with pytest.raises(wire.FrameError) as caught:
        wire.LogSegment.from_bytes(live)
    assert caught.value.reason == "bad_type"
    with pytest.raises(wire.FrameError) as caught:
        wire.LiveRecord.from_bytes(segment)
    assert caught.value.reason == "bad_type"


# ---------------------------------------------------------------------------- decode_uplink


@pytest.mark.parametrize(
    ("payload", "reason"),
    [
        (b"", "truncated"),
        (b"\x01", "truncated"),
        (b"\x00\x01" + bytes(101), "bad_version"),
        (b"\x02\x01" + bytes(101), "bad_version"),
        (b"\xff\x02" + bytes(101), "bad_version"),
        (b"\x01\x00" + bytes(101), "bad_type"),
        (b"\x01\x03" + bytes(101), "bad_type"),  # an ack is not an uplink
        (b"\x01\x04", "bad_type"),
        (bytes(18_573), "too_long"),
        (b"\x01\x01" + bytes(18_571), "too_long"),
    ],
)
def test_decode_uplink_refuses_headers(payload: bytes, reason: str) -> None:
    with pytest.raises(wire.FrameError) as caught:
        wire.decode_uplink(payload)
    assert caught.value.reason == reason
    assert caught.value.reason in wire.FRAME_ERROR_REASONS


def test_decode_uplink_accepts_bytearray_and_memoryview(
    checkin: wire.Record, signing_key: wire.SigningKey
) -> None:
    payload = bytes(wire.LiveRecord.sign(checkin, signing_key))
    assert wire.decode_uplink(bytearray(payload)) == wire.decode_uplink(memoryview(payload))  # type: ignore[arg-type]


def test_decode_uplink_refuses_text() -> None:
    with pytest.raises(TypeError):
        wire.decode_uplink("0101")  # type: ignore[arg-type]


# ---------------------------------------------------------------------------- log segments


def records(count: int, *, band_id: int = 1001, boot: int = 1) -> list[wire.Record]:
    return [make(band_id=band_id, boot=boot, seq=s) for s in range(1, count + 1)]


def segment_payload(band_id: int, count: int, body: bytes, signature: bytes = bytes(64)) -> bytes:
    return struct.pack(">BBIH", 1, 2, band_id, count) + body + signature


def test_segment_of_max_records_roundtrips(
    signing_key: wire.SigningKey, verify_key: wire.VerifyKey
) -> None:
    segment = wire.LogSegment.sign(1001, records(wire.MAX_SEGMENT_RECORDS), signing_key)
    payload = bytes(segment)
    assert len(payload) == wire.MAX_UPLINK_BYTES
    decoded = wire.decode_uplink(payload)
    assert decoded == segment
    assert wire.verify(decoded, verify_key)


def test_segment_over_max_records_is_refused(signing_key: wire.SigningKey) -> None:
    with pytest.raises(wire.FrameError) as caught:
        wire.LogSegment.sign(1001, records(501), signing_key)
    assert caught.value.reason == "bad_length"
    body = b"".join(bytes(r) for r in records(2))
    with pytest.raises(wire.FrameError) as caught:
        wire.decode_uplink(segment_payload(1001, 501, body))
    assert caught.value.reason == "bad_length"


def test_empty_segment_is_refused(signing_key: wire.SigningKey) -> None:
    with pytest.raises(wire.FrameError) as caught:
        wire.LogSegment.sign(1001, [], signing_key)
    assert caught.value.reason == "bad_length"
    with pytest.raises(wire.FrameError) as caught:
        wire.decode_uplink(segment_payload(1001, 0, b""))
    assert caught.value.reason == "bad_length"


def test_segment_accepts_gaps_and_a_boot_change(signing_key: wire.SigningKey) -> None:
    mixed = [records(5, boot=1)[0], records(5, boot=1)[3], records(2, boot=2)[0]]
    segment = wire.LogSegment.sign(1001, mixed, signing_key)
    assert [r.key for r in segment.records] == [(1001, 1, 1), (1001, 1, 4), (1001, 2, 1)]


@pytest.mark.parametrize(
    "keys",
    [
        [(1, 2), (1, 1)],  # seq going back
        [(1, 1), (1, 1)],  # repeat
        [(2, 1), (1, 9)],  # boot going back
        [(1, 1), (1, 3), (1, 2)],
    ],
)
def test_segment_keys_must_strictly_increase(
    signing_key: wire.SigningKey, keys: list[tuple[int, int]]
) -> None:
    bad = [make(boot=boot, seq=seq) for boot, seq in keys]
    with pytest.raises(wire.FrameError) as caught:
        wire.LogSegment.sign(1001, bad, signing_key)
    assert caught.value.reason == "not_increasing"
    body = b"".join(bytes(r) for r in bad)
    with pytest.raises(wire.FrameError) as caught:
        wire.decode_uplink(segment_payload(1001, len(bad), body))
    assert caught.value.reason == "not_increasing"


def test_segment_records_must_belong_to_the_header_band(signing_key: wire.SigningKey) -> None:
    mixed = [
        *records(1, band_id=1001),
        make(band_id=1002, seq=2),
    ]
    with pytest.raises(wire.FrameError) as caught:
        wire.LogSegment.sign(1001, mixed, signing_key)
    assert caught.value.reason == "band_mismatch"
    body = b"".join(bytes(r) for r in mixed)
    with pytest.raises(wire.FrameError) as caught:
        wire.decode_uplink(segment_payload(1001, 2, body))
    assert caught.value.reason == "band_mismatch"
    assert "record 1" in str(caught.value)


def test_segment_header_band_zero_is_refused() -> None:
    body = bytes(records(1)[0])
    with pytest.raises(wire.FrameError) as caught:
        wire.decode_uplink(segment_payload(0, 1, body))
    assert caught.value.reason == "field_range"


def test_segment_with_a_bad_record_names_it() -> None:
    good = records(2)
    bad = raw_record(**(base(wire.Kind.PATROL_CHECKIN) | {"seq": 3, "battery_pct": 101}))
    with pytest.raises(wire.FrameError, match="record 2: battery_pct 101") as caught:
        wire.decode_uplink(segment_payload(1001, 3, bytes(good[0]) + bytes(good[1]) + bad))
    assert caught.value.reason == "field_range"


@pytest.mark.parametrize(
    ("delta", "reason"),
    [
        (-1, "truncated"),
        (-64, "truncated"),
        (-70, "truncated"),
        (1, "bad_length"),
        (37, "bad_length"),
    ],
)
def test_segment_length_must_match_its_count(
    signing_key: wire.SigningKey, delta: int, reason: str
) -> None:
    payload = bytes(wire.LogSegment.sign(1001, records(3), signing_key))
    payload = payload[:delta] if delta < 0 else payload + bytes(delta)
    with pytest.raises(wire.FrameError) as caught:
        wire.decode_uplink(payload)
    assert caught.value.reason == reason


@pytest.mark.parametrize("size", range(2, 8))
def test_segment_header_cut_short_is_truncated(size: int) -> None:
    with pytest.raises(wire.FrameError) as caught:
        wire.decode_uplink(segment_payload(1001, 1, b"", b"")[:size])
    assert caught.value.reason == "truncated"


def test_segment_equality_ignores_nothing_but_the_cache(signing_key: wire.SigningKey) -> None:
    a = wire.LogSegment.sign(1001, records(3), signing_key)
    b = wire.LogSegment(1001, records(3), a.signature)  # type: ignore[arg-type]
    assert a == b and hash(a) == hash(b)
    assert b.records == tuple(records(3))  # a list becomes a tuple
    assert a.chain_head() == b.chain_head()
    assert wire.LogSegment(1001, tuple(records(2)), a.signature).chain_head() != a.chain_head()


def test_chain_link_checks_sizes() -> None:
    with pytest.raises(wire.FrameError):
        wire.chain_link(bytes(31), records(1)[0])
    with pytest.raises(wire.FrameError):
        wire.chain_link(bytes(32), bytes(36))
    with pytest.raises(wire.FrameError):
        wire.chain_origin(0)


def test_segment_signature_binds_the_band_id(
    signing_key: wire.SigningKey, verify_key: wire.VerifyKey
) -> None:
    # The same records under another band's chain origin give another head, so another message.
    segment = wire.LogSegment.sign(1001, records(2), signing_key)
    other = wire.LogSegment(1002, records(2, band_id=1002), segment.signature)  # type: ignore[arg-type]
    assert not wire.verify(other, verify_key)


# ---------------------------------------------------------------------------- acks


S, D, R = wire.AckStatus.STORED, wire.AckStatus.DUPLICATE, wire.AckStatus.REFUSED


@pytest.mark.parametrize(
    ("outcomes", "ranges"),
    [
        ([(1, 1, S)], [(1, 1, 1, S)]),
        ([(1, 3, S), (1, 1, S), (1, 2, S)], [(1, 1, 3, S)]),
        ([(1, 1, S), (1, 3, S)], [(1, 1, 1, S), (1, 3, 3, S)]),  # a gap splits a run
        ([(1, 1, S), (1, 2, D), (1, 3, S)], [(1, 1, 1, S), (1, 2, 2, D), (1, 3, 3, S)]),
        ([(2, 1, S), (1, 2, S), (1, 1, S)], [(1, 1, 2, S), (2, 1, 1, S)]),  # boots never merge
        ([(1, 1, R), (1, 1, S), (1, 1, D)], [(1, 1, 1, S)]),  # a key given twice: lowest wins
        ([(1, 1, R), (1, 1, R)], [(1, 1, 1, R)]),
        ([(0, U32_MAX, D), (0, U32_MAX - 1, D)], [(0, U32_MAX - 1, U32_MAX, D)]),
        ([(5, 10, 2)], [(5, 10, 10, R)]),  # plain ints are statuses too
    ],
)
def test_ack_from_outcomes_merges_runs(
    outcomes: list[tuple[int, int, wire.AckStatus]],
    ranges: list[tuple[int, int, int, wire.AckStatus]],
) -> None:
    ack = wire.Ack.from_outcomes(7, outcomes)
    assert [(r.boot, r.first_seq, r.last_seq, r.status) for r in ack.ranges] == ranges
    assert all(type(r.status) is wire.AckStatus for r in ack.ranges)
    assert wire.Ack.from_bytes(bytes(ack)) == ack
    expected = sorted({(boot, seq) for boot, seq, _ in outcomes})
    assert [(boot, seq) for boot, seq, _ in ack.outcomes()] == expected


@pytest.mark.parametrize(
    "outcome", [(1, 1, 3), (1, 1, -1), (1, 1, True), (1, 1, "STORED"), (-1, 1, 0), (1, 0, 0)]
)
def test_ack_from_outcomes_refuses_bad_outcomes(outcome: tuple[int, int, int]) -> None:
    with pytest.raises(wire.FrameError) as caught:
        wire.Ack.from_outcomes(7, [(1, 5, S), outcome])  # type: ignore[list-item]
    assert caught.value.reason == "field_range"


def test_ack_needs_at_least_one_outcome() -> None:
    with pytest.raises(wire.FrameError) as caught:
        wire.Ack.from_outcomes(7, [])
    assert caught.value.reason == "bad_length"
    assert wire.acks_from_outcomes(7, []) == ()


def test_ack_over_max_ranges_is_too_long_and_can_be_split() -> None:
    alternating = [(1, seq, S if seq % 2 else D) for seq in range(1, 2 * wire.MAX_ACK_RANGES + 4)]
    with pytest.raises(wire.FrameError) as caught:
        wire.Ack.from_outcomes(7, alternating)
    assert caught.value.reason == "too_long"
    acks = wire.acks_from_outcomes(7, alternating)
    assert [len(a.ranges) for a in acks] == [2000, 2000, 3]
    assert [o for a in acks for o in a.outcomes()] == alternating
    assert len(bytes(acks[0])) == wire.MAX_ACK_BYTES


@pytest.mark.parametrize(
    ("boot", "first", "last", "status"),
    [
        (-1, 1, 1, 0),
        (U32_MAX + 1, 1, 1, 0),
        (0, 0, 1, 0),
        (0, 2, 1, 0),
        (0, 1, U32_MAX + 1, 0),
        (0, 1, 1, 3),
        (0, 1, 1, -1),
        (0, 1, 1, True),
        (0, 1.0, 1, 0),
    ],
)
def test_ack_range_field_ranges(boot: int, first: int, last: int, status: int) -> None:
    with pytest.raises(wire.FrameError) as caught:
        wire.AckRange(boot, first, last, status)  # type: ignore[arg-type]
    assert caught.value.reason == "field_range"


def test_ack_range_length() -> None:
    assert len(wire.AckRange(0, 5, 9, S)) == 5


def ack_payload(
    band_id: int, ranges: list[tuple[int, int, int, int]], count: int | None = None
) -> bytes:
    header = struct.pack(">BBIH", 1, 3, band_id, len(ranges) if count is None else count)
    return header + b"".join(struct.pack(">IIIB", *r) for r in ranges)


@pytest.mark.parametrize(
    ("payload", "reason"),
    [
        (b"", "truncated"),
        (b"\x01\x03\x00\x00\x03", "truncated"),
        (ack_payload(7, [(1, 1, 1, 0)])[:-1], "truncated"),
        (ack_payload(7, [(1, 1, 1, 0)], count=2), "truncated"),
        (ack_payload(7, [(1, 1, 1, 0)]) + b"\x00", "bad_length"),
        (ack_payload(7, []), "bad_length"),
        (ack_payload(7, [(1, 1, 1, 0)] * 2, count=1), "bad_length"),
        (ack_payload(7, [(1, 1, 1, 0)], count=2001), "bad_length"),
        (bytes(wire.MAX_ACK_BYTES + 1), "too_long"),
        (b"\x02" + ack_payload(7, [(1, 1, 1, 0)])[1:], "bad_version"),
        (b"\x01\x01" + ack_payload(7, [(1, 1, 1, 0)])[2:], "bad_type"),
        (ack_payload(0, [(1, 1, 1, 0)]), "field_range"),
        (ack_payload(7, [(1, 0, 1, 0)]), "field_range"),
        (ack_payload(7, [(1, 2, 1, 0)]), "field_range"),
        (ack_payload(7, [(1, 1, 1, 3)]), "field_range"),
        (ack_payload(7, [(1, 1, 5, 0), (1, 5, 6, 1)]), "not_increasing"),  # overlap
        (ack_payload(7, [(1, 7, 8, 0), (1, 1, 2, 0)]), "not_increasing"),
        (ack_payload(7, [(2, 1, 1, 0), (1, 9, 9, 0)]), "not_increasing"),
    ],
)
def test_ack_from_bytes_refuses(payload: bytes, reason: str) -> None:
    with pytest.raises(wire.FrameError) as caught:
        wire.Ack.from_bytes(payload)
    assert caught.value.reason == reason


def test_ack_accepts_adjacent_ranges_of_different_status() -> None:
    payload = ack_payload(7, [(1, 1, 4, 0), (1, 5, 5, 2), (2, 1, 1, 1)])
    ack = wire.Ack.from_bytes(payload)
    assert bytes(ack) == payload
    assert list(ack.outcomes())[3:] == [(1, 4, S), (1, 5, R), (2, 1, D)]


def test_ack_constructor_checks_order() -> None:
    with pytest.raises(wire.FrameError) as caught:
        wire.Ack(7, (wire.AckRange(1, 3, 4, S), wire.AckRange(1, 1, 2, S)))
    assert caught.value.reason == "not_increasing"
    with pytest.raises(wire.FrameError):
        wire.Ack(7, ((1, 1, 1, S),))  # type: ignore[arg-type]


# ---------------------------------------------------------------------------- errors


def test_frame_error_is_a_value_error_and_pickles() -> None:
    error = wire.FrameError("truncated", "a record is 37 bytes, got 3")
    assert isinstance(error, ValueError) and isinstance(error, wire.WireError)
    assert str(error) == "a record is 37 bytes, got 3"
    copy = pickle.loads(pickle.dumps(error))
    assert (copy.reason, copy.message) == ("truncated", "a record is 37 bytes, got 3")


def test_public_api_is_complete() -> None:
    for name in wire.__all__:
        assert getattr(wire, name) is not None, name
