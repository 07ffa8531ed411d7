"""Clocks: the `Clock` port, the real-time clock and the manually advanced simulated clock.

A `SimClock` is shared between the fleet driver and an in-process gateway so that the gateway's
clock-skew check sees the same simulated time as the bands that made the records.
"""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from typing import Final, Protocol, runtime_checkable

from firmware_sim.errors import ClockError

__all__ = ["AdvanceableClock", "Clock", "SimClock", "SystemClock", "require_aware_utc", "utc_from_ms"]

_EPOCH_AT: Final = datetime(1970, 1, 1, tzinfo=UTC)


@runtime_checkable
class Clock(Protocol):
    """Tells the current instant as an aware UTC datetime."""

    def now(self) -> datetime: ...


@runtime_checkable
class AdvanceableClock(Clock, Protocol):
    """A clock that a simulation moves forward itself."""

    def advance_to(self, at: datetime) -> None: ...


def require_aware_utc(at: datetime, what: str = "instant") -> datetime:
    """Return `at` converted to UTC; refuse naive datetimes, which have no defined instant."""
    if at.tzinfo is None or at.utcoffset() is None:
        raise ClockError(f"{what} {at.isoformat()} is naive: pass an aware datetime (e.g. tzinfo=UTC)")
    return at.astimezone(UTC)


def utc_from_ms(at_ms: int) -> datetime:
    """The aware UTC instant `at_ms` milliseconds after the Unix epoch, exactly (no float rounding)."""
    return _EPOCH_AT + timedelta(milliseconds=at_ms)


class SystemClock:
    """The machine's wall clock, in UTC."""

    def now(self) -> datetime:
        return datetime.now(UTC)


class SimClock:
    """A clock that only moves when told to, never backwards; safe to read from other threads."""

    __slots__ = ("_lock", "_now_at")

    def __init__(self, start_at: datetime) -> None:
        self._lock = threading.Lock()
        self._now_at = require_aware_utc(start_at, "clock start")

    def now(self) -> datetime:
        with self._lock:
            return self._now_at

    def advance_to(self, at: datetime) -> None:
        """Move the clock to `at`; the same instant is allowed, an earlier one is refused."""
        target_at = require_aware_utc(at, "clock target")
        with self._lock:
            if target_at < self._now_at:
                raise ClockError(
                    f"cannot move the simulated clock back from {self._now_at.isoformat()} to "
                    f"{target_at.isoformat()}: start the simulation at or after the clock's current time"
                )
            self._now_at = target_at

    def __repr__(self) -> str:
        return f"SimClock({self.now().isoformat()})"
