"""One wristband's firmware state, without any I/O: sequence numbers, battery, flash, uploads, acks.

`Band` turns planned events into records, decides what to upload and when (live
records as they are made, or log segments at the end of a patrol; anything unacked after the ack
timeout again, as segments), and frees records when the gateway's application-level ack says so.
The MQTT connection that carries its uploads lives in `firmware_sim.link`.
"""

from __future__ import annotations

import logging
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import Final, Literal

from firmware_sim.errors import ConfigError, SimulatorError
from firmware_sim.flash import FlashRing, RecordKey
from firmware_sim.planner import PlannedEvent
from firmware_sim.profile import BandProfile
from firmware_sim.stats import BandStats
from wire import (
    HEARTBEAT_DETAIL_MAX,
    MAX_SEGMENT_RECORDS,
    Ack,
    AckStatus,
    FrameError,
    Kind,
    LiveRecord,
    LogSegment,
    Record,
    SigningKey,
    ack_topic,
    generate_keypair,
    uplink_topic,
)

__all__ = [
    "BATTERY_DRAIN_PER_RECORD_PCT",
    "DEFAULT_ACK_TIMEOUT_SECONDS",
    "DEFAULT_FLASH_CAPACITY_RECORDS",
    "DEFAULT_SEGMENT_RECORDS",
    "Band",
    "UplinkMode",
    "Upload",
]

logger = logging.getLogger(__name__)

UplinkMode = Literal["live", "segment"]
UPLINK_MODES: Final[frozenset[str]] = frozenset({"live", "segment"})
DEFAULT_SEGMENT_RECORDS: Final = 50
DEFAULT_FLASH_CAPACITY_RECORDS: Final = 2048  # about three weeks of a busy steward's records
DEFAULT_ACK_TIMEOUT_SECONDS: Final = 10.0
BATTERY_FULL_PCT: Final = 100
BATTERY_DRAIN_PER_RECORD_PCT: Final = 1  # radio burst + flash write per tap dominates the budget
BATTERY_FLOOR_PCT: Final = 5  # the band keeps logging in low-power mode rather than dying mid-patrol
_SEQ_MAX: Final = 2**32 - 1
_BOOT_MAX: Final = 2**32 - 1


@dataclass(frozen=True, slots=True)
class Upload:
    """One MQTT message ready to publish, and the flash keys it carries."""

    topic: str
    payload: bytes
    keys: tuple[RecordKey, ...]
    resend: bool


def _noop(_band: Band) -> None:
    return None


class Band:
    """The firmware of one band; every method is synchronous and does no I/O."""

    def __init__(
        self,
        profile: BandProfile,
        *,
        mode: UplinkMode = "segment",
        segment_records: int = DEFAULT_SEGMENT_RECORDS,
        flash_capacity_records: int = DEFAULT_FLASH_CAPACITY_RECORDS,
        ack_timeout_seconds: float = DEFAULT_ACK_TIMEOUT_SECONDS,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        if mode not in UPLINK_MODES:
            raise ConfigError(f"uplink mode must be 'live' or 'segment', got {mode!r}")
        if not 1 <= segment_records <= MAX_SEGMENT_RECORDS:
            raise ConfigError(f"segment_records must be 1..{MAX_SEGMENT_RECORDS}, got {segment_records}")
        if ack_timeout_seconds <= 0:
            raise ConfigError(f"ack_timeout_seconds must be > 0, got {ack_timeout_seconds}")
        self.profile = profile
        self.band_id = profile.band_id
        self.mode: UplinkMode = mode
        self.segment_records = segment_records
        self.ack_timeout_seconds = ack_timeout_seconds
        self.flash = FlashRing(flash_capacity_records)
        self.boot = profile.boot
        self.battery_pct = BATTERY_FULL_PCT
        self.uplink_topic = uplink_topic(profile.band_id)
        self.ack_topic = ack_topic(profile.band_id)
        self._signing_key: SigningKey = generate_keypair(profile.signing_seed)[0]
        self._monotonic = monotonic
        self._next_seq = 1
        self._overflowed_at_boot = 0
        self._made: list[Record] = []
        self._acked: Counter[AckStatus] = Counter()
        self.published_messages = 0
        self.published_records = 0
        self.resent_records = 0
        self.unmatched_acks = 0
        self.bad_acks = 0
        self.reconnects = 0
        self.connected = False
        # Hooks for the link (wake the sender) and the fleet (track pending records).
        self.on_upload_ready: Callable[[Band], None] = _noop
        self.on_pending_changed: Callable[[Band], None] = _noop

    # -- making records ------------------------------------------------------------------------

    def make_record(self, event: PlannedEvent) -> Record:
        """Log `event` to flash with this band's next key; in live mode it is due for upload at once."""
        if self._next_seq > _SEQ_MAX:
            raise SimulatorError(f"band {self.band_id}: sequence numbers exhausted in boot {self.boot}; reboot it")
        if event.kind is Kind.HEARTBEAT:
            battery_pct = self.battery_pct
            detail = min(self.flash.overflowed - self._overflowed_at_boot, HEARTBEAT_DETAIL_MAX)
        else:
            self.battery_pct = max(BATTERY_FLOOR_PCT, self.battery_pct - BATTERY_DRAIN_PER_RECORD_PCT)
            battery_pct = self.battery_pct
            detail = event.detail
        record = Record(
            kind=event.kind,
            band_id=self.band_id,
            boot=self.boot,
            seq=self._next_seq,
            event_at_ms=event.at_ms,
            checkpoint_id=event.checkpoint_id,
            beacon_token=event.beacon_token,
            rssi_dbm=event.rssi_dbm,
            battery_pct=battery_pct,
            detail=detail,
        )
        self._next_seq += 1
        # Heartbeats are written on the charger, where the band syncs whatever it holds.
        ready = self.mode == "live" or event.kind is Kind.HEARTBEAT
        dropped = self.flash.append(record, ready=ready)
        if dropped is not None:
            logger.warning(
                "band %d: flash full (%d records), dropped unacked record %s (%d lost since boot %d): "
                "check that the gateway is running and acking this band",
                self.band_id,
                self.flash.capacity_records,
                dropped.key,
                self.flash.overflowed - self._overflowed_at_boot,
                self.boot,
            )
        self._made.append(record)
        if event.kind is Kind.HEARTBEAT:
            self.battery_pct = BATTERY_FULL_PCT  # charged overnight
            self.flash.release()
        self.on_pending_changed(self)
        if ready:
            self.on_upload_ready(self)
        return record

    def end_patrol(self) -> None:
        """The patrol is over: in segment mode, its records become due for upload."""
        if self.flash.release():
            self.on_upload_ready(self)

    def reboot(self) -> None:
        """Restart the firmware: new boot number, seq from 1; flash survives, RAM upload state does not."""
        if self.boot >= _BOOT_MAX:
            raise SimulatorError(f"band {self.band_id}: boot counter exhausted; re-provision the band")
        self.boot += 1
        self._next_seq = 1
        self._overflowed_at_boot = self.flash.overflowed
        self.flash.forget_in_flight()
        logger.info("band %d rebooted into boot %d with %d records pending", self.band_id, self.boot, len(self.flash))
        if len(self.flash):
            self.on_upload_ready(self)

    def records_made(self) -> tuple[Record, ...]:
        """Every record this band ever made, acked or not, in the order made (for recounts in tests)."""
        return tuple(self._made)

    # -- uploading -------------------------------------------------------------------------------

    def take_uploads(self) -> list[Upload]:
        """Build the messages due now and mark their records as sent."""
        due = self.flash.due(self._monotonic(), self.ack_timeout_seconds)
        if not due:
            return []
        uploads: list[Upload] = []
        if self.mode == "live":
            # First sends go out one by one as made; anything overdue is batched as segments.
            uploads.extend(self._segments([entry for entry in due if entry[1]]))
            uploads.extend(
                Upload(self.uplink_topic, bytes(LiveRecord.sign(record, self._signing_key)), (record.key,), False)
                for record, resend in due
                if not resend
            )
        else:
            # Flash order keeps every segment's keys strictly increasing, as the protocol demands.
            uploads.extend(self._segments(due))
        now = self._monotonic()
        for upload in uploads:
            self.flash.mark_sent(upload.keys, now)
        return uploads

    def _segments(self, due: list[tuple[Record, bool]]) -> list[Upload]:
        uploads: list[Upload] = []
        for start in range(0, len(due), self.segment_records):
            chunk = due[start : start + self.segment_records]
            resent = sum(resend for _, resend in chunk)
            self.resent_records += resent
            records = [record for record, _ in chunk]
            segment = LogSegment.sign(self.band_id, records, self._signing_key)
            uploads.append(Upload(self.uplink_topic, bytes(segment), tuple(r.key for r in records), resent > 0))
        return uploads

    def upload_published(self, upload: Upload) -> None:
        """The broker accepted the message (PUBACK); storage is confirmed only by the gateway's ack."""
        self.published_messages += 1
        self.published_records += len(upload.keys)

    def upload_failed(self, upload: Upload) -> None:
        """The message did not reach the broker: send its records again at the next chance."""
        self.flash.mark_unsent(upload.keys)

    def seconds_until_resend(self) -> float | None:
        """How long until the oldest in-flight record is due again; None if nothing is in flight."""
        resend_at = self.flash.next_resend_at(self.ack_timeout_seconds)
        return None if resend_at is None else max(0.0, resend_at - self._monotonic())

    # -- acks ----------------------------------------------------------------------------------------

    def handle_ack_payload(self, payload: bytes) -> int:
        """Apply one ack message from the gateway; return how many records it freed."""
        try:
            ack = Ack.from_bytes(payload)
        except FrameError as error:
            self.bad_acks += 1
            logger.warning("band %d: ignoring a malformed ack (%s); the records stay in flash", self.band_id, error)
            return 0
        if ack.band_id != self.band_id:
            self.bad_acks += 1
            logger.warning(
                "band %d: ignoring an ack addressed to band %d: check the gateway's ack topic routing",
                self.band_id,
                ack.band_id,
            )
            return 0
        freed = 0
        for boot, seq, status in ack.outcomes():
            if not self.flash.ack((self.band_id, boot, seq)):
                self.unmatched_acks += 1  # a late ack for a record already freed: harmless
                continue
            freed += 1
            self._acked[status] += 1
            if status is AckStatus.REFUSED:
                logger.warning(
                    "band %d: gateway refused record (%d, %d, %d); it is in the server's quarantine",
                    self.band_id,
                    self.band_id,
                    boot,
                    seq,
                )
        if freed:
            self.on_pending_changed(self)
        return freed

    # -- reporting -----------------------------------------------------------------------------------

    def stats(self) -> BandStats:
        return BandStats(
            band_id=self.band_id,
            boot=self.boot,
            made=len(self._made),
            published_messages=self.published_messages,
            published_records=self.published_records,
            resent_records=self.resent_records,
            acked_stored=self._acked[AckStatus.STORED],
            acked_duplicate=self._acked[AckStatus.DUPLICATE],
            acked_refused=self._acked[AckStatus.REFUSED],
            unmatched_acks=self.unmatched_acks,
            bad_acks=self.bad_acks,
            overflowed=self.flash.overflowed,
            reconnects=self.reconnects,
            pending=len(self.flash),
            connected=self.connected,
        )
