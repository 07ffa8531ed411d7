"""Check-ins as scoring stores them: their kinds and the rows ingest hands to storage.

`CheckInKind` mirrors the wire protocol's `wire.Kind` value for value (scoring may not import the
wire protocol; tests/test_checkin_kinds.py pins the two together). `CheckInRow` and `RefusalRow` are
what the ingest entry point writes and `storage.bulk` copies; both import them from here, so storage
needs nothing of ingest. The gateway sees these names through `scoring.ingest`, its one door into
scoring.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime
from typing import NamedTuple

RecordKey = tuple[int, int, int]  # (band_id, boot, seq)


class CheckInKind(enum.IntEnum):
    PATROL_CHECKIN = 1
    PROBLEM_REPORT = 2
    DISSUASION = 3
    HEARTBEAT = 4


class RefusalReason(enum.StrEnum):
    MALFORMED = "malformed"
    UNKNOWN_BAND = "unknown_band"
    BAD_SIGNATURE = "bad_signature"
    BAD_KEY = "bad_key"  # the band's registered public key is not a usable Ed25519 key
    DEMO_KEY = "demo_key"  # the band's key is db seed's derived one, and the deployment does not allow demo keys
    TOPIC_MISMATCH = "topic_mismatch"
    BAND_NOT_BOUND = "band_not_bound"
    CLOCK_AHEAD = "clock_ahead"
    TOO_OLD = "too_old"
    UNKNOWN_CHECKPOINT = "unknown_checkpoint"
    REPLAY = "replay"
    TOKEN_STALE = "token_stale"
    WRONG_BEACON = "wrong_beacon"
    BAD_TOKEN = "bad_token"
    DEMO_BEACON = "demo_beacon"  # the token is a demo beacon's (a derived, public secret), not allowed here


class CheckInRow(NamedTuple):
    """A verified record, ready to store. A tuple, in the column order of `checkins` (without
    received_at), because the ingest path builds and copies hundreds of thousands of them a second."""

    band_id: int
    boot: int
    seq: int
    event_at: datetime
    kind: int
    checkpoint_id: int
    beacon_token: bytes
    rssi_dbm: int
    battery_pct: int
    detail: int
    steward_id: int

    @property
    def key(self) -> RecordKey:
        return (self.band_id, self.boot, self.seq)


@dataclass(frozen=True, slots=True)
class RefusalRow:
    reason: RefusalReason
    detail: str
    topic: str
    payload: bytes
    band_id: int | None = None
    boot: int | None = None
    seq: int | None = None
    event_at: datetime | None = None
