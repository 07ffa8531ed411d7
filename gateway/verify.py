"""Decide, for each uplink message, what may be stored, what is refused and why, and what to ack.

Checks, in order: the topic names a band; the bytes decode; the message's band is the topic's band;
the band is known; the signature is valid (Ed25519, through `wire.verify`); then per record: the band
was bound to a steward at the record's event time; the event time is not ahead of our clock past the
allowed skew nor older than the maximum age; the checkpoint exists; the beacon token is the one
that checkpoint's beacon advertised around the event time (`gateway.tokens`). Replays are caught later, by the
database's unique key, inside the commit.

Pure apart from the clock passed in: no broker, no database.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Final

from nacl.signing import VerifyKey

import wire
from gateway.tokens import DEFAULT_TOLERANCE_WINDOWS, TokenChecker
from scoring.errors import StorageUnavailableError
from scoring.ingest import BandEntry, CheckInRow, Directory, RefusalReason, RefusalRow

log = logging.getLogger(__name__)

MAX_FUTURE_SKEW_SECONDS: Final = 300  # a band's clock may run this far ahead of the gateway's
MAX_AGE_SECONDS: Final = 30 * 86_400  # a band offline for a month still uploads; older is suspect
DIRECTORY_REFRESH_MIN_SECONDS: Final = 5.0  # a flood of unknown bands must not become a flood of reloads


@dataclass(frozen=True, slots=True)
class Limits:
    max_future_skew_seconds: float = MAX_FUTURE_SKEW_SECONDS
    max_age_seconds: float = MAX_AGE_SECONDS
    token_tolerance_windows: int = DEFAULT_TOLERANCE_WINDOWS


@dataclass
class Verdict:
    """The outcome of one message: rows to store, refusals to quarantine, records to ack as refused."""

    accepted: list[CheckInRow] = field(default_factory=list)
    records_by_key: dict[tuple[int, int, int], wire.Record] = field(default_factory=dict)  # for replays' bytes
    refusals: list[RefusalRow] = field(default_factory=list)
    refused_keys: list[tuple[int, int, int]] = field(default_factory=list)
    records: int = 0


class Verifier:
    def __init__(self, directory: Directory, *, limits: Limits = Limits(),
                 refresh: Callable[[], Directory] | None = None) -> None:
        self._limits = limits
        self._set_directory(directory)
        self._refresh = refresh
        self._keys: dict[int, VerifyKey] = {}
        self._refreshed_at = time.monotonic()
        self._refresh_lock = threading.Lock()  # check() runs on several threads at once

    def _set_directory(self, directory: Directory) -> None:
        self._directory = directory
        self._tokens = TokenChecker(directory.beacons, tolerance_windows=self._limits.token_tolerance_windows)

    def replace_directory(self, directory: Directory) -> None:
        self._set_directory(directory)
        self._keys.clear()

    def reload(self) -> None:
        """Take a fresh directory (new bindings, checkpoints, beacons); keep this one if the store is down."""
        if self._refresh is None:
            return
        try:
            self.replace_directory(self._refresh())
        except StorageUnavailableError as exc:
            log.warning("could not reload the band directory (%s); keeping the one in hand", exc)

    def check(self, topic: str, payload: bytes, now: datetime) -> Verdict:
        try:
            topic_band = wire.band_id_from_uplink_topic(topic)
        except wire.TopicError as exc:
            return _refuse_message(None, RefusalReason.MALFORMED, f"topic: {exc}", topic, payload)
        try:
            message = wire.decode_uplink(payload)
        except wire.FrameError as exc:
            return _refuse_message(topic_band, RefusalReason.MALFORMED, f"{exc.reason}: {exc}", topic, payload)
        if message.band_id != topic_band:
            # Acking here could free the genuine band's records: refuse without an ack.
            return _refuse_message(
                topic_band, RefusalReason.TOPIC_MISMATCH,
                f"message of band {message.band_id} on the topic of band {topic_band}", topic, payload,
            )
        band = self._band(topic_band)
        if band is None:
            verdict = _refuse_message(topic_band, RefusalReason.UNKNOWN_BAND,
                                      f"band {topic_band} is not registered", topic, payload)
            verdict.refused_keys = [r.key for r in message.records]
            return verdict
        if not wire.verify(message, self._verify_key(topic_band, band)):
            # A forgery says nothing about the genuine band's records: no ack either.
            return _refuse_message(topic_band, RefusalReason.BAD_SIGNATURE,
                                   "signature does not match the band's registered public key", topic, payload)
        verdict = Verdict(records=len(message.records))
        checkpoints = self._directory.beacons
        tokens = self._tokens
        heartbeat = wire.Kind.HEARTBEAT
        # The hot loop compares integer milliseconds; a datetime is built once, for accepted rows.
        now_ms = wire.epoch_ms(now)
        ahead_ms = now_ms + int(self._limits.max_future_skew_seconds * 1000)
        oldest_ms = now_ms - int(self._limits.max_age_seconds * 1000)
        for record in message.records:
            at_ms = record.event_at_ms
            steward_id = band.steward_at_ms(at_ms)
            if steward_id is None:
                reason, detail = RefusalReason.BAND_NOT_BOUND, f"band {topic_band} had no steward at {record.event_at.isoformat()}"
            elif at_ms > ahead_ms:
                reason, detail = RefusalReason.CLOCK_AHEAD, f"event at {record.event_at.isoformat()} is ahead of gateway time {now.isoformat()}"
            elif at_ms < oldest_ms:
                reason, detail = RefusalReason.TOO_OLD, f"event at {record.event_at.isoformat()} is more than {self._limits.max_age_seconds:.0f} s old"
            elif record.kind is not heartbeat and record.checkpoint_id not in checkpoints:
                reason, detail = RefusalReason.UNKNOWN_CHECKPOINT, f"checkpoint {record.checkpoint_id} is not registered"
            elif record.kind is not heartbeat and (
                refusal := tokens.check(record.checkpoint_id, at_ms, record.beacon_token)
            ) is not None:
                reason, detail = refusal.reason, refusal.detail
            else:
                verdict.accepted.append(CheckInRow(
                    record.band_id, record.boot, record.seq, record.event_at, int(record.kind), record.checkpoint_id,
                    record.beacon_token, record.rssi_dbm, record.battery_pct, record.detail, steward_id,
                ))
                verdict.records_by_key[record.key] = record
                continue
            verdict.refusals.append(RefusalRow(reason, detail, topic, bytes(record), *record.key, record.event_at))
            verdict.refused_keys.append(record.key)
        return verdict

    def _band(self, band_id: int) -> BandEntry | None:
        band = self._directory.bands.get(band_id)
        if band is None and self._refresh is not None:
            # A band registered after start-up: look again before refusing it, at most so often.
            with self._refresh_lock:
                if time.monotonic() - self._refreshed_at >= DIRECTORY_REFRESH_MIN_SECONDS:
                    self.replace_directory(self._refresh())
                    self._refreshed_at = time.monotonic()
            band = self._directory.bands.get(band_id)
        return band

    def _verify_key(self, band_id: int, band: BandEntry) -> VerifyKey:
        key = self._keys.get(band_id)
        if key is None:
            key = self._keys[band_id] = wire.verify_key_from_bytes(band.public_key)
        return key


def _refuse_message(band_id: int | None, reason: RefusalReason, detail: str, topic: str, payload: bytes) -> Verdict:
    return Verdict(refusals=[RefusalRow(reason, detail, topic, payload, band_id)])
