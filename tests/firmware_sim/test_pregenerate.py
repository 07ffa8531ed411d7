"""Pre-generated uplinks for load generators: right topic, decodable, verifiable, distinct keys."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest

import wire
from firmware_sim import BandProfile, ConfigError, pregenerate

ProfileFactory = Callable[..., BandProfile]


def test_live_mode_gives_one_signed_live_record_per_record(make_profile: ProfileFactory) -> None:
    profile = make_profile(12)
    start_at = datetime(2024, 5, 6, 1, 0, tzinfo=UTC)
    messages = pregenerate(profile, 5, "live", start_at=start_at, interval_seconds=30.0)
    verify_key = wire.generate_keypair(profile.signing_seed)[1]
    assert [topic for topic, _ in messages] == [wire.uplink_topic(12)] * 5
    decoded = [wire.decode_uplink(payload) for _, payload in messages]
    assert all(isinstance(message, wire.LiveRecord) and wire.verify(message, verify_key) for message in decoded)
    records = [message.records[0] for message in decoded]
    assert [record.key for record in records] == [(12, 0, seq) for seq in range(1, 6)]
    assert [record.event_at for record in records] == [start_at + timedelta(seconds=30 * i) for i in range(5)]
    checkpoints = [c.checkpoint_id for route in profile.routes for c in route.checkpoints]
    assert [record.checkpoint_id for record in records] == checkpoints[:5]


def test_segment_mode_packs_records_into_segments(make_profile: ProfileFactory) -> None:
    profile = make_profile(12)
    messages = pregenerate(profile, 120, "segment", segment_records=50, boot=9)
    decoded = [wire.decode_uplink(payload) for _, payload in messages]
    assert [len(message.records) for message in decoded] == [50, 50, 20]
    assert all(isinstance(message, wire.LogSegment) for message in decoded)
    keys = [record.key for message in decoded for record in message.records]
    assert keys == [(12, 9, seq) for seq in range(1, 121)]
    # By default the last record is made about now, so a gateway with a real clock accepts it.
    last_at = decoded[-1].records[-1].event_at
    assert abs(last_at - datetime.now(UTC)) < timedelta(seconds=60)


def test_nothing_to_tap_or_nothing_asked_for() -> None:
    assert pregenerate(BandProfile(1, bytes(32), "pw", ()), 0, "live") == []
    with pytest.raises(ConfigError, match="no checkpoints"):
        pregenerate(BandProfile(1, bytes(32), "pw", ()), 3, "live")
