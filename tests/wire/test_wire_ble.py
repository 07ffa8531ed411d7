"""BLE bytes: advertisements, fragments of log notifications, status and time values."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

import wire
from wire import ble


def test_adverts_round_trip_and_fit_in_a_legacy_advertisement() -> None:
    beacon = ble.BeaconAdvert(checkpoint_id=4242, token=bytes(range(8)), tx_power_dbm=-59)
    band = ble.BandAdvert(band_id=10_017, pending=12, battery_pct=83)
    assert ble.decode_advert(bytes(beacon)) == beacon
    assert ble.decode_advert(bytes(band)) == band
    # flags (3) + manufacturer data header (2) + company id (2) + payload must fit in 31 bytes.
    assert 3 + 2 + 2 + max(len(bytes(beacon)), len(bytes(band))) <= 31


def test_a_band_with_more_than_65535_pending_advertises_the_saturated_count() -> None:
    advert = ble.decode_advert(bytes(ble.BandAdvert(band_id=1, pending=70_000, battery_pct=5)))
    assert advert == ble.BandAdvert(band_id=1, pending=ble.PENDING_MAX, battery_pct=5)


@pytest.mark.parametrize(
    "payload",
    [b"", b"\x01", b"\x03" + bytes(7), bytes(ble.BandAdvert(1, 0, 50)) + b"\x00", b"\x01" + bytes(7),
     b"\x02" + bytes(13)],
    ids=["empty", "type-only", "unknown-type", "band-too-long", "band-id-zero", "checkpoint-zero"],
)
def test_foreign_or_broken_manufacturer_data_is_not_ours(payload: bytes) -> None:
    assert ble.decode_advert(payload) is None


def test_an_advert_field_out_of_range_is_a_frame_error() -> None:
    with pytest.raises(wire.FrameError):
        bytes(ble.BandAdvert(band_id=1, pending=0, battery_pct=300))


@given(frame=st.binary(min_size=1, max_size=wire.MAX_UPLINK_BYTES), mtu=st.integers(min_value=23, max_value=517))
def test_fragments_reassemble_to_the_frame(frame: bytes, mtu: int) -> None:
    parts = list(ble.fragments(frame, mtu))
    assert all(len(p) <= mtu - 3 for p in parts)
    assembler = ble.Reassembler()
    outputs = [assembler.feed(p) for p in parts]
    assert outputs[:-1] == [None] * (len(parts) - 1) and outputs[-1] == frame


def test_a_dropped_link_mid_frame_loses_only_that_frame() -> None:
    first, second = bytes(range(200)) * 3, b"next frame"
    assembler = ble.Reassembler()
    partial = list(ble.fragments(first, 64))[:2]
    for part in partial:
        assert assembler.feed(part) is None
    # The band starts the frame again on the next connection: FIRST resets the buffer.
    assert [assembler.feed(p) for p in ble.fragments(first, 64)][-1] == first
    assert assembler.feed(next(ble.fragments(second, 64))) == second


def test_end_of_sync_is_a_marker_not_a_frame() -> None:
    assembler = ble.Reassembler()
    assert assembler.feed(ble.end_of_sync()) is None and assembler.end_of_sync


@pytest.mark.parametrize(
    ("values", "reason"),
    [
        ([b""], "truncated"),
        ([b"\x00continuation"], "truncated"),
        ([b"\x09flags"], "bad_type"),
        ([b"\x01" + bytes(60), b"\x02" + bytes(60)], "too_long"),
    ],
    ids=["empty", "orphan-continuation", "unknown-flags", "oversized"],
)
def test_fragments_that_cannot_form_a_frame_are_refused(values: list[bytes], reason: str) -> None:
    assembler = ble.Reassembler(max_frame_bytes=100)
    with pytest.raises(wire.FrameError) as raised:
        for value in values:
            assembler.feed(value)
    assert raised.value.reason == reason


def test_status_and_time_round_trip_and_check_their_length() -> None:
    status = ble.BandStatus(band_id=7, boot=3, pending=41)
    assert ble.BandStatus.from_bytes(bytes(status)) == status
    assert ble.decode_time(ble.encode_time(1_500_000_000_123)) == 1_500_000_000_123
    with pytest.raises(wire.FrameError):
        ble.BandStatus.from_bytes(b"\x00" * 9)
    with pytest.raises(wire.FrameError):
        ble.decode_time(b"\x00" * 7)


def test_an_mtu_too_small_for_any_body_is_refused() -> None:
    with pytest.raises(wire.FrameError):
        list(ble.fragments(b"x", 4))


def test_the_largest_ack_a_gatt_write_may_carry_fits_an_attribute_value() -> None:
    outcomes = [(0, seq, wire.AckStatus(seq % 2)) for seq in range(1, 200)]  # one range per record
    acks = wire.acks_from_outcomes(1, outcomes, ble.MAX_ACK_RANGES_PER_WRITE)
    assert all(len(bytes(a)) <= ble.ATT_MAX_VALUE_BYTES for a in acks)
    assert len(bytes(acks[0])) > ble.ATT_MAX_VALUE_BYTES - wire.ACK_RANGE_BYTES  # and no smaller than needed
    assert [o for a in acks for o in a.outcomes()] == outcomes
