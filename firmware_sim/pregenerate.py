"""Ready-made uplink messages for load generators, so a benchmark does not pay for signing while timed."""

from __future__ import annotations

import itertools
import random
from datetime import UTC, datetime, timedelta
from typing import Final

from firmware_sim.band import DEFAULT_SEGMENT_RECORDS, Band, UplinkMode
from firmware_sim.clock import require_aware_utc
from firmware_sim.errors import ConfigError
from firmware_sim.planner import RSSI_MAX_DBM, RSSI_MIN_DBM, PlannedEvent
from firmware_sim.profile import BandProfile, CheckpointPlan
from wire import Kind, beacon_token, epoch_ms, window_index

__all__ = ["DEFAULT_PREGENERATE_INTERVAL_SECONDS", "pregenerate"]

DEFAULT_PREGENERATE_INTERVAL_SECONDS: Final = 1.0


def pregenerate(
    profile: BandProfile,
    n: int,
    mode: UplinkMode,
    *,
    segment_records: int = DEFAULT_SEGMENT_RECORDS,
    start_at: datetime | None = None,
    interval_seconds: float = DEFAULT_PREGENERATE_INTERVAL_SECONDS,
    boot: int | None = None,
    seed: int = 0,
) -> list[tuple[str, bytes]]:
    """`n` check-in records of `profile`'s band, encoded and signed as (uplink topic, payload) pairs.

    Live mode gives `n` LiveRecords; segment mode gives ceil(n / segment_records) LogSegments. The
    band taps its checkpoints round-robin every `interval_seconds`, starting at `start_at` (default:
    so that the last record is made now, which a gateway with a real clock accepts). Keys are
    (band, `boot` or the profile's boot, 1..n).
    """
    if n < 0:
        raise ConfigError(f"n must be >= 0 records, got {n}")
    if interval_seconds <= 0:
        raise ConfigError(f"interval_seconds must be > 0, got {interval_seconds}")
    checkpoints: list[tuple[int, CheckpointPlan]] = [
        (route.segment_id, checkpoint) for route in profile.routes for checkpoint in route.checkpoints
    ]
    if n == 0:
        return []
    if not checkpoints:
        raise ConfigError(f"band {profile.band_id} has no checkpoints to tap: give its profile a route")
    interval = timedelta(seconds=interval_seconds)
    if start_at is None:
        start_at = datetime.now(UTC) - interval * (n - 1)
    start_at = require_aware_utc(start_at, "start_at")
    if boot is not None:
        profile = BandProfile(
            profile.band_id, profile.signing_seed, profile.mqtt_password, profile.routes, boot, profile.diligence
        )
    rng = random.Random(f"lane-stewards/pregenerate/{seed}/{profile.band_id}")
    band = Band(profile, mode=mode, segment_records=segment_records, flash_capacity_records=n)
    for number, (segment_id, checkpoint) in zip(range(n), itertools.cycle(checkpoints), strict=False):
        at = start_at + interval * number
        band.make_record(
            PlannedEvent(
                at_ms=epoch_ms(at),
                kind=Kind.PATROL_CHECKIN,
                checkpoint_id=checkpoint.checkpoint_id,
                segment_id=segment_id,
                beacon_token=beacon_token(checkpoint.beacon_secret, window_index(at)),
                rssi_dbm=rng.randint(RSSI_MIN_DBM, RSSI_MAX_DBM),
                detail=0,
            )
        )
    band.end_patrol()
    return [(upload.topic, upload.payload) for upload in band.take_uploads()]
