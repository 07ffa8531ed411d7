"""The band's flash log: records kept, in the order they were made, until the gateway acks them.

Each slot also remembers RAM-side upload state: whether the record may be uploaded yet (segment mode
holds a patrol's records until the patrol ends) and when it was last sent (monotonic seconds), so
that records not acked within the ack timeout are sent again. When the ring is full the oldest
unacked record is dropped and counted: the band reports the count in its heartbeat.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from firmware_sim.errors import ConfigError
from wire import Record

__all__ = ["FlashRing", "RecordKey"]

RecordKey = tuple[int, int, int]  # (band_id, boot, seq)


@dataclass(slots=True)
class _Slot:
    record: Record
    ready: bool
    sent_at: float | None = None  # monotonic seconds of the last upload; None if not in flight


class FlashRing:
    """Unacked records in creation order, at most `capacity_records` of them."""

    __slots__ = ("_slots", "capacity_records", "overflowed")

    def __init__(self, capacity_records: int) -> None:
        if capacity_records < 1:
            raise ConfigError(f"flash capacity must be at least 1 record, got {capacity_records}")
        self.capacity_records = capacity_records
        self.overflowed = 0
        self._slots: OrderedDict[RecordKey, _Slot] = OrderedDict()

    def __len__(self) -> int:
        return len(self._slots)

    def __contains__(self, key: object) -> bool:
        return key in self._slots

    def __iter__(self) -> Iterator[Record]:
        return (slot.record for slot in self._slots.values())

    def pending(self) -> tuple[Record, ...]:
        """Every record still waiting for an ack, oldest first."""
        return tuple(self)

    def append(self, record: Record, *, ready: bool = True) -> Record | None:
        """Store `record`; return the oldest unacked record if it had to be dropped to make room."""
        if record.key in self._slots:
            raise ConfigError(f"record key {record.key} is already in flash: (band, boot, seq) must never be reused")
        dropped: Record | None = None
        if len(self._slots) >= self.capacity_records:
            _, oldest = self._slots.popitem(last=False)
            dropped = oldest.record
            self.overflowed += 1
        self._slots[record.key] = _Slot(record, ready)
        return dropped

    def ack(self, key: RecordKey) -> bool:
        """Free the record with `key`; False if it was not here (already freed, or dropped)."""
        return self._slots.pop(key, None) is not None

    def release(self) -> int:
        """Make every held record eligible for upload; return how many were held."""
        released = 0
        for slot in self._slots.values():
            if not slot.ready:
                slot.ready = True
                released += 1
        return released

    def due(self, now: float, ack_timeout_seconds: float) -> list[tuple[Record, bool]]:
        """Records to upload now, oldest first, each with whether it is a resend.

        Due are records never sent and records sent but unacked for `ack_timeout_seconds`.
        """
        due: list[tuple[Record, bool]] = []
        resend_before = now - ack_timeout_seconds
        for slot in self._slots.values():
            if not slot.ready:
                continue
            if slot.sent_at is None:
                due.append((slot.record, False))
            elif slot.sent_at <= resend_before:
                due.append((slot.record, True))
        return due

    def mark_sent(self, keys: Iterable[RecordKey], at: float) -> None:
        """Note that these records were handed to the broker at monotonic time `at`."""
        for key in keys:
            slot = self._slots.get(key)
            if slot is not None:
                slot.sent_at = at

    def mark_unsent(self, keys: Iterable[RecordKey]) -> None:
        """Forget an upload that did not reach the broker, so the records go out at the next chance."""
        for key in keys:
            slot = self._slots.get(key)
            if slot is not None:
                slot.sent_at = None

    def forget_in_flight(self) -> None:
        """After a reboot: upload state lived in RAM, so every record in flash is due again."""
        for slot in self._slots.values():
            slot.ready = True
            slot.sent_at = None

    def next_resend_at(self, ack_timeout_seconds: float) -> float | None:
        """Monotonic time when the earliest in-flight record becomes due for resend, if any."""
        earliest: float | None = None
        for slot in self._slots.values():
            if slot.sent_at is not None and (earliest is None or slot.sent_at < earliest):
                earliest = slot.sent_at
        return None if earliest is None else earliest + ack_timeout_seconds
