"""What the gateway has seen: received / committed / duplicate / refused by reason."""

from __future__ import annotations

import threading
from collections import Counter
from dataclasses import dataclass, field


@dataclass(frozen=True)
class CounterSnapshot:
    messages: int
    records: int
    committed: int
    duplicate: int
    refused: dict[str, int] = field(default_factory=dict)
    store_retries: int = 0  # commits retried because the database was unavailable

    @property
    def refused_total(self) -> int:
        return sum(self.refused.values())

    def plus(self, other: CounterSnapshot) -> CounterSnapshot:
        """Totals of two ingest edges (MQTT and BLE) of one gateway."""
        refused = Counter(self.refused)
        refused.update(other.refused)
        return CounterSnapshot(
            self.messages + other.messages, self.records + other.records, self.committed + other.committed,
            self.duplicate + other.duplicate, dict(refused), self.store_retries + other.store_retries,
        )


class Counters:
    """Thread-safe totals; the ingest loop writes, status reporters read snapshots."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._messages = self._records = self._committed = self._duplicate = self._store_retries = 0
        self._refused: Counter[str] = Counter()

    def add(self, *, messages: int = 0, records: int = 0, committed: int = 0, duplicate: int = 0,
            refused: Counter[str] | None = None, store_retries: int = 0) -> None:
        with self._lock:
            self._store_retries += store_retries
            self._messages += messages
            self._records += records
            self._committed += committed
            self._duplicate += duplicate
            if refused:
                self._refused.update(refused)

    def snapshot(self) -> CounterSnapshot:
        with self._lock:
            return CounterSnapshot(self._messages, self._records, self._committed, self._duplicate,
                                   dict(self._refused), self._store_retries)
