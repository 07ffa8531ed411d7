"""The flash ring: creation order, acks free, overflow drops the oldest and counts it, upload state."""

from __future__ import annotations

import pytest

from firmware_sim import ConfigError, FlashRing
from wire import Kind, Record

BAND_ID = 42
EVENT_AT_MS = 1_715_000_000_000


def _record(seq: int, boot: int = 0) -> Record:
    return Record(
        kind=Kind.PATROL_CHECKIN,
        band_id=BAND_ID,
        boot=boot,
        seq=seq,
        event_at_ms=EVENT_AT_MS + seq * 1000,
        checkpoint_id=7,
        beacon_token=bytes(range(8)),
        rssi_dbm=-60,
        battery_pct=90,
        detail=0,
    )


def _seqs(records: object) -> list[int]:
    return [record.seq for record in records]  # type: ignore[attr-defined]


def test_keeps_records_in_creation_order() -> None:
    flash = FlashRing(10)
    for seq in (1, 2, 3):
        assert flash.append(_record(seq)) is None
    assert _seqs(flash.pending()) == [1, 2, 3]
    assert len(flash) == 3
    assert (BAND_ID, 0, 2) in flash


def test_ack_frees_exactly_that_record_once() -> None:
    flash = FlashRing(10)
    for seq in (1, 2, 3):
        flash.append(_record(seq))
    assert flash.ack((BAND_ID, 0, 2)) is True
    assert flash.ack((BAND_ID, 0, 2)) is False
    assert flash.ack((BAND_ID, 1, 1)) is False  # same seq, other boot: a different record
    assert _seqs(flash.pending()) == [1, 3]


def test_overflow_drops_the_oldest_unacked_and_counts_it() -> None:
    flash = FlashRing(3)
    for seq in (1, 2, 3):
        flash.append(_record(seq))
    flash.ack((BAND_ID, 0, 1))
    assert flash.append(_record(4)) is None  # the ack made room
    dropped = flash.append(_record(5))
    assert dropped is not None
    assert dropped.seq == 2
    dropped = flash.append(_record(6))
    assert dropped is not None
    assert dropped.seq == 3
    assert _seqs(flash.pending()) == [4, 5, 6]
    assert flash.overflowed == 2
    assert len(flash) == flash.capacity_records == 3


def test_a_key_is_never_stored_twice() -> None:
    flash = FlashRing(3)
    flash.append(_record(1))
    with pytest.raises(ConfigError, match="never be reused"):
        flash.append(_record(1))


def test_capacity_must_be_positive() -> None:
    with pytest.raises(ConfigError):
        FlashRing(0)


def test_held_records_are_not_due_until_released() -> None:
    flash = FlashRing(10)
    flash.append(_record(1), ready=False)
    flash.append(_record(2), ready=False)
    assert flash.due(now=100.0, ack_timeout_seconds=10.0) == []
    assert flash.release() == 2
    assert flash.release() == 0
    assert [(record.seq, resend) for record, resend in flash.due(100.0, 10.0)] == [(1, False), (2, False)]


def test_sent_records_are_due_again_only_after_the_ack_timeout() -> None:
    flash = FlashRing(10)
    for seq in (1, 2, 3):
        flash.append(_record(seq))
    flash.mark_sent([(BAND_ID, 0, 1), (BAND_ID, 0, 2)], at=100.0)
    assert [(r.seq, resend) for r, resend in flash.due(105.0, 10.0)] == [(3, False)]
    assert flash.next_resend_at(10.0) == 110.0
    assert [(r.seq, resend) for r, resend in flash.due(110.0, 10.0)] == [(1, True), (2, True), (3, False)]
    flash.mark_unsent([(BAND_ID, 0, 2)])
    assert [(r.seq, resend) for r, resend in flash.due(105.0, 10.0)] == [(2, False), (3, False)]


def test_nothing_in_flight_means_no_resend_deadline() -> None:
    flash = FlashRing(10)
    flash.append(_record(1))
    assert flash.next_resend_at(10.0) is None
    flash.mark_sent([(BAND_ID, 0, 1)], at=5.0)
    flash.ack((BAND_ID, 0, 1))
    assert flash.next_resend_at(10.0) is None


def test_reboot_keeps_pending_records_and_makes_them_due_again() -> None:
    flash = FlashRing(10)
    flash.append(_record(1))
    flash.append(_record(2), ready=False)
    flash.mark_sent([(BAND_ID, 0, 1)], at=100.0)
    flash.forget_in_flight()
    assert [(r.key, resend) for r, resend in flash.due(100.0, 10.0)] == [
        ((BAND_ID, 0, 1), False),
        ((BAND_ID, 0, 2), False),
    ]
    flash.append(_record(1, boot=1))  # the new boot's seq 1 is a different key
    assert [record.key for record in flash] == [(BAND_ID, 0, 1), (BAND_ID, 0, 2), (BAND_ID, 1, 1)]
