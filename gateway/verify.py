"""Decide, for each uplink message, what may be stored, what is refused and why, and what to ack.

Checks, in order: the transport named a band; the bytes decode; the message's band is the one the
transport named (the MQTT topic's band, or the band a BLE link is open to); the band is known; its key
is not the demo's, unless the deployment allows demo keys; the signature is valid (Ed25519, through
`wire.verify`); then per record: the band was bound to a steward at the record's event time; the event
time is not ahead of our clock past the allowed skew nor older than the maximum age; the checkpoint
exists; the beacon token is the one that checkpoint's beacon advertised around the event time
(`gateway.tokens`), and that beacon's secret is not the demo's where demo keys are not allowed.
Replays are caught later, by the database's unique key, inside the commit.

Pure apart from the clock passed in: no broker, no database, no reload. A directory that is out of
date (a band registered since) is the batching loop's to refresh, before it asks (`gateway.batcher`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Final

from nacl.signing import VerifyKey

import wire
from gateway.inbound import Inbound
from gateway.tokens import DEFAULT_TOLERANCE_WINDOWS, TokenChecker
from scoring.ingest import BandEntry, CheckInRow, Directory, RefusalReason, RefusalRow

MAX_FUTURE_SKEW_SECONDS: Final = 300  # a band's clock may run this far ahead of the gateway's
MAX_AGE_SECONDS: Final = 30 * 86_400  # a band offline for a month still uploads; older is suspect


@dataclass(frozen=True, slots=True)
class Limits:
    max_future_skew_seconds: float = MAX_FUTURE_SKEW_SECONDS
    max_age_seconds: float = MAX_AGE_SECONDS
    token_tolerance_windows: int = DEFAULT_TOLERANCE_WINDOWS


DEFAULT_LIMITS: Final = Limits()


@dataclass
class Verdict:
    """The outcome of one message: rows to store, refusals to quarantine, records to ack as refused."""

    accepted: list[CheckInRow] = field(default_factory=list)
    records_by_key: dict[tuple[int, int, int], wire.Record] = field(default_factory=dict)  # for replays' bytes
    refusals: list[RefusalRow] = field(default_factory=list)
    refused_keys: list[tuple[int, int, int]] = field(default_factory=list)
    records: int = 0


class Verifier:
    def __init__(self, directory: Directory, *, limits: Limits = DEFAULT_LIMITS) -> None:
        self._limits = limits
        self._keys: dict[int, VerifyKey] = {}
        self.replace_directory(directory)

    def replace_directory(self, directory: Directory) -> None:
        self._directory = directory
        self._tokens = TokenChecker(directory.beacons, tolerance_windows=self._limits.token_tolerance_windows,
                                    allow_demo=directory.demo_keys_allowed)
        self._keys = {}  # a re-registered band may have a new key

    def knows(self, band_id: int) -> bool:
        return band_id in self._directory.bands

    def check(self, item: Inbound, now: datetime) -> Verdict:
        source, payload, claimed = item.source, item.payload, item.band_id
        if claimed is None:
            return _refuse_message(None, RefusalReason.MALFORMED, f"{source!r} names no band", source, payload)
        try:
            message = wire.decode_uplink(payload)
        except wire.FrameError as exc:
            return _refuse_message(claimed, RefusalReason.MALFORMED, f"{exc.reason}: {exc}", source, payload)
        if message.band_id != claimed:
            # Acking here could free the genuine band's records: refuse without an ack.
            return _refuse_message(
                claimed, RefusalReason.TOPIC_MISMATCH,
                f"message of band {message.band_id} delivered as band {claimed}'s ({source})", source, payload,
            )
        band = self._directory.bands.get(claimed)
        if band is None:
            # A provisioning fault, not the band's: no ack, so it keeps its records and sends them
            # again, and they are stored once the operator registers it.
            return _refuse_message(claimed, RefusalReason.UNKNOWN_BAND,
                                   f"band {claimed} is not registered", source, payload)
        if band.demo_key and not self._directory.demo_keys_allowed:
            # db seed's key, derived from the band id by public code: anyone could have signed this. A
            # provisioning fault like an unknown band: no ack, so the band keeps its records until it is
            # enrolled with its own key (or the deployment is a demo that allows demo keys).
            return _refuse_message(claimed, RefusalReason.DEMO_KEY,
                                   f"band {claimed} has the demo's derived key, which anyone can compute: enrol it "
                                   "with the key it reports (`stewards bands enrol`)", source, payload)
        try:
            key = self._verify_key(claimed, band)
        except wire.KeyFormatError as exc:
            # The registered key is no key (small-order, wrong length): the operator's fault too, so
            # no ack either. Raising here would stop the batch, and every other band's, for good.
            return _refuse_message(claimed, RefusalReason.BAD_KEY, f"band {claimed}: {exc}", source, payload)
        if not wire.verify(message, key):
            # A forgery says nothing about the genuine band's records: no ack either.
            return _refuse_message(claimed, RefusalReason.BAD_SIGNATURE,
                                   "signature does not match the band's registered public key", source, payload)
        verdict = Verdict(records=len(message.records))
        checkpoints = self._directory.beacons
        tokens = self._tokens
        heartbeat = wire.Kind.HEARTBEAT
        demo_beacon = RefusalReason.DEMO_BEACON
        # The hot loop compares integer milliseconds; a datetime is built once, for accepted rows.
        now_ms = wire.epoch_ms(now)
        ahead_ms = now_ms + int(self._limits.max_future_skew_seconds * 1000)
        oldest_ms = now_ms - int(self._limits.max_age_seconds * 1000)
        for record in message.records:
            at_ms = record.event_at_ms
            steward_id = band.steward_at_ms(at_ms)
            if steward_id is None:
                # Quarantined but not acked: the band keeps the record until its binding is fixed.
                verdict.refusals.append(RefusalRow(
                    RefusalReason.BAND_NOT_BOUND, f"band {claimed} had no steward at {record.event_at.isoformat()}",
                    source, bytes(record), *record.key, record.event_at,
                ))
                continue
            if at_ms > ahead_ms:
                reason = RefusalReason.CLOCK_AHEAD
                detail = f"event at {record.event_at.isoformat()} is ahead of gateway time {now.isoformat()}"
            elif at_ms < oldest_ms:
                reason = RefusalReason.TOO_OLD
                detail = f"event at {record.event_at.isoformat()} is more than {self._limits.max_age_seconds:.0f} s old"
            elif record.kind is not heartbeat and record.checkpoint_id not in checkpoints:
                reason = RefusalReason.UNKNOWN_CHECKPOINT
                detail = f"checkpoint {record.checkpoint_id} is not registered"
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
            verdict.refusals.append(RefusalRow(reason, detail, source, bytes(record), *record.key, record.event_at))
            if reason is not demo_beacon:
                verdict.refused_keys.append(record.key)
            # A demo beacon is the operator's fault, not the band's: no ack, the band keeps the record (until
            # the deployment allows demo keys, or the record is too old and is refused as such).
        return verdict

    def _verify_key(self, band_id: int, band: BandEntry) -> VerifyKey:
        key = self._keys.get(band_id)
        if key is None:
            key = self._keys[band_id] = wire.verify_key_from_bytes(band.public_key)
        return key


def _refuse_message(band_id: int | None, reason: RefusalReason, detail: str, source: str, payload: bytes) -> Verdict:
    return Verdict(refusals=[RefusalRow(reason, detail, source, payload, band_id)])


def refuse_unverifiable(item: Inbound, detail: str) -> Verdict:
    """The verdict on an item whose check raised: malformed, quarantined as received, no ack."""
    return _refuse_message(item.band_id, RefusalReason.MALFORMED, detail, item.source, item.payload)
