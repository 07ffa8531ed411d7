"""Property tests: hostile bytes never escape as anything but FrameError, and never verify.

Decoders face whatever reaches the broker. Whatever the input, `decode_uplink` and
`Ack.from_bytes` either return a frame that re-encodes to exactly the input (one encoding per
frame) or raise FrameError; a single changed byte in a signed uplink never verifies.
"""

from __future__ import annotations

import dataclasses
import struct

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import wire

SEED = bytes(range(32))
SIGNING_KEY, VERIFY_KEY = wire.generate_keypair(SEED)
U32_MAX = 2**32 - 1
MIN_MS = 1_420_070_400_000
END_MS = 4_102_444_800_000

SETTINGS = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@st.composite
def records(draw: st.DrawFn, band_id: int | None = None) -> wire.Record:
    kind = draw(st.sampled_from(wire.Kind))
    heartbeat = kind is wire.Kind.HEARTBEAT
    if heartbeat:
        detail = draw(st.integers(0, 65535))
    elif kind is wire.Kind.PROBLEM_REPORT:
        detail = draw(st.sampled_from(wire.ProblemCategory)).value
    else:
        detail = 0
    return wire.Record(
        kind=kind,
        band_id=draw(st.integers(1, U32_MAX)) if band_id is None else band_id,
        boot=draw(st.integers(0, U32_MAX)),
        seq=draw(st.integers(1, U32_MAX)),
        event_at_ms=draw(st.integers(MIN_MS, END_MS - 1)),
        checkpoint_id=0 if heartbeat else draw(st.integers(1, U32_MAX)),
        beacon_token=bytes(8) if heartbeat else draw(st.binary(min_size=8, max_size=8)),
        rssi_dbm=draw(st.integers(-127, 20)),
        battery_pct=draw(st.integers(0, 100)),
        detail=detail,
    )


@st.composite
def segments(draw: st.DrawFn) -> wire.LogSegment:
    band_id = draw(st.integers(1, U32_MAX))
    keys = sorted(
        draw(st.sets(st.tuples(st.integers(0, 3), st.integers(1, 50)), min_size=1, max_size=12))
    )
    chosen = [draw(records(band_id)) for _ in keys]
    ordered = [
        dataclasses.replace(r, boot=b, seq=s) for r, (b, s) in zip(chosen, keys, strict=True)
    ]
    return wire.LogSegment.sign(band_id, ordered, SIGNING_KEY)


live_records = records().map(lambda r: wire.LiveRecord.sign(r, SIGNING_KEY))
uplinks = st.one_of(live_records, segments())

outcomes = st.lists(
    st.tuples(st.integers(0, 3), st.integers(1, 40), st.sampled_from(wire.AckStatus)),
    min_size=1,
    max_size=60,
)
acks = st.builds(wire.Ack.from_outcomes, st.integers(1, U32_MAX), outcomes)


def decode_or_frame_error(payload: bytes) -> wire.LiveRecord | wire.LogSegment | None:
    try:
        message = wire.decode_uplink(payload)
    except wire.FrameError as error:
        assert error.reason in wire.FRAME_ERROR_REASONS
        return None
    assert bytes(message) == payload  # one encoding per frame: nothing ignored, nothing lost
    return message


def ack_or_frame_error(payload: bytes) -> wire.Ack | None:
    try:
        ack = wire.Ack.from_bytes(payload)
    except wire.FrameError as error:
        assert error.reason in wire.FRAME_ERROR_REASONS
        return None
    assert bytes(ack) == payload
    return ack


@SETTINGS
@given(st.binary(max_size=300))
def test_arbitrary_bytes_only_raise_frame_error(payload: bytes) -> None:
    decode_or_frame_error(payload)
    ack_or_frame_error(payload)


@SETTINGS
@given(
    st.sampled_from([b"\x01\x01", b"\x01\x02", b"\x01\x03"]),
    st.binary(max_size=400),
)
def test_bytes_behind_a_valid_header_only_raise_frame_error(header: bytes, rest: bytes) -> None:
    decode_or_frame_error(header + rest)
    ack_or_frame_error(header + rest)


@SETTINGS
@given(
    band_id=st.integers(0, U32_MAX),
    body=st.lists(st.binary(min_size=37, max_size=37), min_size=1, max_size=6),
    signature=st.binary(min_size=64, max_size=64),
)
def test_random_records_in_a_well_formed_segment(
    band_id: int, body: list[bytes], signature: bytes
) -> None:
    # Lengths right, contents random: reaches the per-record range and order checks.
    payload = struct.pack(">BBIH", 1, 2, band_id, len(body)) + b"".join(body) + signature
    message = decode_or_frame_error(payload)
    if message is not None:
        assert not wire.verify(message, VERIFY_KEY)


@SETTINGS
@given(
    band_id=st.integers(0, U32_MAX),
    body=st.lists(st.binary(min_size=13, max_size=13), min_size=1, max_size=8),
)
def test_random_ranges_in_a_well_formed_ack(band_id: int, body: list[bytes]) -> None:
    ack_or_frame_error(struct.pack(">BBIH", 1, 3, band_id, len(body)) + b"".join(body))


@SETTINGS
@given(uplinks)
def test_uplink_roundtrip_and_verify(message: wire.LiveRecord | wire.LogSegment) -> None:
    decoded = wire.decode_uplink(bytes(message))
    assert decoded == message
    assert decoded.records == message.records
    assert wire.verify(decoded, VERIFY_KEY)


@SETTINGS
@given(acks)
def test_ack_roundtrip(ack: wire.Ack) -> None:
    assert wire.Ack.from_bytes(bytes(ack)) == ack


@SETTINGS
@given(uplinks, st.data())
def test_truncated_uplinks_are_refused(
    message: wire.LiveRecord | wire.LogSegment, data: st.DataObject
) -> None:
    payload = bytes(message)
    cut = data.draw(st.integers(0, len(payload) - 1))
    try:
        wire.decode_uplink(payload[:cut])
    except wire.FrameError as error:
        assert error.reason == "truncated"
    else:
        raise AssertionError(f"a {cut}-byte prefix of a {len(payload)}-byte uplink decoded")


@SETTINGS
@given(acks, st.data())
def test_truncated_acks_are_refused(ack: wire.Ack, data: st.DataObject) -> None:
    payload = bytes(ack)
    cut = data.draw(st.integers(0, len(payload) - 1))
    try:
        wire.Ack.from_bytes(payload[:cut])
    except wire.FrameError as error:
        assert error.reason == "truncated"
    else:
        raise AssertionError(f"a {cut}-byte prefix of a {len(payload)}-byte ack decoded")


@SETTINGS
@given(uplinks, st.data())
def test_a_single_changed_byte_never_verifies(
    message: wire.LiveRecord | wire.LogSegment, data: st.DataObject
) -> None:
    payload = bytearray(bytes(message))
    index = data.draw(st.integers(0, len(payload) - 1), label="index")
    payload[index] ^= data.draw(st.integers(1, 255), label="xor")
    mutated = decode_or_frame_error(bytes(payload))
    if mutated is not None:
        assert not wire.verify(mutated, VERIFY_KEY)


@SETTINGS
@given(acks, st.data())
def test_a_changed_ack_byte_decodes_canonically_or_raises(
    ack: wire.Ack, data: st.DataObject
) -> None:
    payload = bytearray(bytes(ack))
    index = data.draw(st.integers(0, len(payload) - 1), label="index")
    payload[index] ^= data.draw(st.integers(1, 255), label="xor")
    mutated = ack_or_frame_error(bytes(payload))
    assert mutated != ack


@SETTINGS
@given(st.integers(1, U32_MAX), outcomes)
def test_from_outcomes_is_minimal_and_complete(
    band_id: int, items: list[tuple[int, int, wire.AckStatus]]
) -> None:
    ack = wire.Ack.from_outcomes(band_id, items)
    best: dict[tuple[int, int], wire.AckStatus] = {}
    for boot, seq, status in items:
        best[(boot, seq)] = min(status, best.get((boot, seq), status))
    assert list(ack.outcomes()) == [(b, s, st_) for (b, s), st_ in sorted(best.items())]
    for before, after in zip(ack.ranges, ack.ranges[1:], strict=False):
        # Two neighbouring ranges that could have been one would waste ack bytes.
        assert not (
            before.boot == after.boot
            and before.last_seq + 1 == after.first_seq
            and before.status == after.status
        )
