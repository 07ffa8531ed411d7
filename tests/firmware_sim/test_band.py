"""Band firmware without a network: records, signing round-trip, uploads, acks, resends, reboots."""

from __future__ import annotations

import itertools
import logging
from collections.abc import Callable
from datetime import UTC, date, datetime

import pytest

import wire
from firmware_sim import Band, BandProfile, ConfigError, PlannedEvent, PlannedPatrol, parse_windows, plan_day
from firmware_sim.band import BATTERY_DRAIN_PER_RECORD_PCT, BATTERY_FULL_PCT
from firmware_sim.windows import DEFAULT_PATROL_WINDOWS
from wire import HEARTBEAT_DETAIL_MAX

ProfileFactory = Callable[..., BandProfile]
DAY = date(2024, 5, 6)
EVENT_AT_MS = int(datetime(2024, 5, 6, 2, 0, tzinfo=UTC).timestamp() * 1000)


class FakeMonotonic:
    """A monotonic clock the test moves by hand."""

    def __init__(self) -> None:
        self.seconds = 1000.0

    def __call__(self) -> float:
        return self.seconds


def _checkin(at_ms: int = EVENT_AT_MS, checkpoint_id: int = 9) -> PlannedEvent:
    return PlannedEvent(
        at_ms=at_ms,
        kind=wire.Kind.PATROL_CHECKIN,
        checkpoint_id=checkpoint_id,
        segment_id=1,
        beacon_token=bytes(range(8)),
        rssi_dbm=-70,
        detail=0,
    )


def _heartbeat(at_ms: int = EVENT_AT_MS + 3_600_000) -> PlannedEvent:
    return PlannedEvent(at_ms, wire.Kind.HEARTBEAT, 0, 0, bytes(8), 0, 0)


def _verify_key(profile: BandProfile) -> wire.VerifyKey:
    return wire.generate_keypair(profile.signing_seed)[1]


def _ack(band_id: int, outcomes: list[tuple[int, int, wire.AckStatus]]) -> bytes:
    return bytes(wire.Ack.from_outcomes(band_id, outcomes))


def test_live_record_round_trips_through_decode_and_verify(make_profile: ProfileFactory) -> None:
    profile = make_profile(5)
    band = Band(profile, mode="live")
    made = band.make_record(_checkin())
    (upload,) = band.take_uploads()
    assert upload.topic == wire.uplink_topic(5) == "stewards/v1/bands/5/up"
    message = wire.decode_uplink(upload.payload)
    assert isinstance(message, wire.LiveRecord)
    assert message.records == (made,)
    assert wire.verify(message, _verify_key(profile))
    assert not wire.verify(message, _verify_key(make_profile(6)))
    assert made.key == (5, 0, 1)
    assert made.event_at_ms == EVENT_AT_MS
    assert made.checkpoint_id == 9
    assert made.rssi_dbm == -70


def test_segment_mode_holds_a_patrol_until_it_ends_then_uploads_signed_segments(make_profile: ProfileFactory) -> None:
    profile = make_profile(5)
    band = Band(profile, mode="segment", segment_records=3)
    made = [band.make_record(_checkin(EVENT_AT_MS + i * 60_000)) for i in range(7)]
    assert band.take_uploads() == []
    band.end_patrol()
    uploads = band.take_uploads()
    messages = [wire.decode_uplink(upload.payload) for upload in uploads]
    assert all(isinstance(message, wire.LogSegment) for message in messages)
    assert [len(message.records) for message in messages] == [3, 3, 1]
    assert [record for message in messages for record in message.records] == made
    assert all(wire.verify(message, _verify_key(profile)) for message in messages)
    assert band.take_uploads() == []  # in flight now, not due again before the ack timeout


def test_heartbeat_triggers_the_nightly_sync_in_segment_mode(make_profile: ProfileFactory) -> None:
    band = Band(make_profile(5), mode="segment")
    band.make_record(_checkin())
    band.make_record(_heartbeat())
    (upload,) = band.take_uploads()
    assert [record.kind for record in wire.decode_uplink(upload.payload).records] == [
        wire.Kind.PATROL_CHECKIN,
        wire.Kind.HEARTBEAT,
    ]


def test_acks_free_records_and_are_counted_by_status(
    make_profile: ProfileFactory, caplog: pytest.LogCaptureFixture
) -> None:
    band = Band(make_profile(5), mode="live")
    for i in range(4):
        band.make_record(_checkin(EVENT_AT_MS + i * 1000))
    band.take_uploads()
    caplog.set_level(logging.WARNING, logger="firmware_sim.band")
    freed = band.handle_ack_payload(
        _ack(5, [(0, 1, wire.AckStatus.STORED), (0, 2, wire.AckStatus.DUPLICATE), (0, 3, wire.AckStatus.REFUSED)])
    )
    assert freed == 3
    assert [record.seq for record in band.flash] == [4]
    stats = band.stats()
    assert (stats.acked_stored, stats.acked_duplicate, stats.acked_refused) == (1, 1, 1)
    assert "refused record (5, 0, 3)" in caplog.text
    # A second ack for a freed record changes nothing but is counted.
    assert band.handle_ack_payload(_ack(5, [(0, 1, wire.AckStatus.DUPLICATE)])) == 0
    assert band.stats().unmatched_acks == 1
    assert band.stats().acked_duplicate == 1


def test_bad_acks_are_ignored_and_counted(make_profile: ProfileFactory, caplog: pytest.LogCaptureFixture) -> None:
    band = Band(make_profile(5), mode="live")
    band.make_record(_checkin())
    caplog.set_level(logging.WARNING, logger="firmware_sim.band")
    assert band.handle_ack_payload(b"\x01\x03\x00") == 0
    assert band.handle_ack_payload(_ack(6, [(0, 1, wire.AckStatus.STORED)])) == 0
    assert band.stats().bad_acks == 2
    assert len(band.flash) == 1
    assert "malformed ack" in caplog.text
    assert "addressed to band 6" in caplog.text


def test_unacked_records_are_resent_as_segments_after_the_ack_timeout(make_profile: ProfileFactory) -> None:
    profile = make_profile(5)
    monotonic = FakeMonotonic()
    band = Band(profile, mode="live", ack_timeout_seconds=10.0, monotonic=monotonic)
    made = [band.make_record(_checkin(EVENT_AT_MS + i * 1000)) for i in range(3)]
    assert len(band.take_uploads()) == 3
    band.handle_ack_payload(_ack(5, [(0, 2, wire.AckStatus.STORED)]))
    monotonic.seconds += 9.9
    assert band.take_uploads() == []
    assert band.seconds_until_resend() == pytest.approx(0.1)
    monotonic.seconds += 0.1
    (resend,) = band.take_uploads()
    assert resend.resend
    message = wire.decode_uplink(resend.payload)
    assert isinstance(message, wire.LogSegment)
    assert message.records == (made[0], made[2])
    assert wire.verify(message, _verify_key(profile))
    assert band.stats().resent_records == 2


def test_a_failed_publish_is_retried_at_once(make_profile: ProfileFactory) -> None:
    band = Band(make_profile(5), mode="segment", monotonic=FakeMonotonic())
    band.make_record(_heartbeat())
    (upload,) = band.take_uploads()
    band.upload_failed(upload)
    (again,) = band.take_uploads()
    assert again.payload == upload.payload
    assert not again.resend
    band.upload_published(again)
    assert (band.stats().published_messages, band.stats().published_records) == (1, 1)


def test_battery_drains_per_record_and_recharges_overnight(make_profile: ProfileFactory) -> None:
    band = Band(make_profile(5))
    first = band.make_record(_checkin(EVENT_AT_MS))
    second = band.make_record(_checkin(EVENT_AT_MS + 1000))
    heartbeat = band.make_record(_heartbeat())
    next_day = band.make_record(_checkin(EVENT_AT_MS + 86_400_000))
    assert first.battery_pct == BATTERY_FULL_PCT - BATTERY_DRAIN_PER_RECORD_PCT
    assert second.battery_pct == first.battery_pct - BATTERY_DRAIN_PER_RECORD_PCT
    assert heartbeat.battery_pct == second.battery_pct
    assert next_day.battery_pct == BATTERY_FULL_PCT - BATTERY_DRAIN_PER_RECORD_PCT


def test_overflow_is_logged_and_reported_in_the_heartbeat_since_boot(
    make_profile: ProfileFactory, caplog: pytest.LogCaptureFixture
) -> None:
    band = Band(make_profile(5), flash_capacity_records=2)
    caplog.set_level(logging.WARNING, logger="firmware_sim.band")
    for i in range(4):
        band.make_record(_checkin(EVENT_AT_MS + i * 1000))
    assert caplog.text.count("flash full") == 2
    heartbeat = band.make_record(_heartbeat())
    assert heartbeat.detail == 2  # losses before the heartbeat was written; writing it lost a third
    assert band.stats().overflowed == 3
    band.reboot()
    band.make_record(_checkin(EVENT_AT_MS + 7_000_000))
    assert band.make_record(_heartbeat(EVENT_AT_MS + 7_200_000)).detail == 1  # since this boot only


def test_heartbeat_overflow_count_saturates(make_profile: ProfileFactory) -> None:
    band = Band(make_profile(5))
    band.flash.overflowed = HEARTBEAT_DETAIL_MAX + 5000
    assert band.make_record(_heartbeat()).detail == HEARTBEAT_DETAIL_MAX


def test_reboot_restarts_seq_under_a_new_boot_and_keeps_flash(make_profile: ProfileFactory) -> None:
    band = Band(make_profile(5, boot=2), mode="live", monotonic=FakeMonotonic())
    old = [band.make_record(_checkin(EVENT_AT_MS + i * 1000)) for i in range(2)]
    band.take_uploads()
    band.reboot()
    new = band.make_record(_checkin(EVENT_AT_MS + 5000))
    assert [record.key for record in old] == [(5, 2, 1), (5, 2, 2)]
    assert new.key == (5, 3, 1)
    assert list(band.flash) == [*old, new]
    # Upload state was in RAM: the old records go out again at once, with the new one.
    assert sorted(key for upload in band.take_uploads() for key in upload.keys) == [(5, 2, 1), (5, 2, 2), (5, 3, 1)]
    assert {record.key for record in band.records_made()} == {(5, 2, 1), (5, 2, 2), (5, 3, 1)}


def test_a_planned_day_makes_records_with_strictly_increasing_seq(make_profile: ProfileFactory) -> None:
    band = Band(make_profile(5, diligence=1.0))
    windows = parse_windows(DEFAULT_PATROL_WINDOWS)
    for offset in range(3):
        plan = plan_day(band.profile, date(2024, 5, 6 + offset), windows=windows, seed=1)
        for _, item in plan.timeline():
            if isinstance(item, PlannedPatrol):
                band.end_patrol()
            else:
                band.make_record(item)
    made = band.records_made()
    assert [record.seq for record in made] == list(range(1, len(made) + 1))
    assert all(a.event_at_ms < b.event_at_ms for a, b in itertools.pairwise(made))


@pytest.mark.parametrize(
    "kwargs",
    [{"mode": "burst"}, {"segment_records": 0}, {"segment_records": 501}, {"ack_timeout_seconds": 0.0}],
)
def test_bad_band_settings_are_refused(make_profile: ProfileFactory, kwargs: dict[str, object]) -> None:
    with pytest.raises(ConfigError):
        Band(make_profile(5), **kwargs)  # type: ignore[arg-type]
