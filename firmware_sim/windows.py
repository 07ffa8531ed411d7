"""Patrol windows (早巡, 晚巡): local times of day, in Asia/Shanghai, when stewards patrol."""

from __future__ import annotations

import functools
import itertools
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Final
from zoneinfo import ZoneInfo

from firmware_sim.errors import ConfigError
from wire import epoch_ms

__all__ = [
    "DEFAULT_PATROL_WINDOWS",
    "PATROL_TIMEZONE_NAME",
    "PatrolWindow",
    "parse_windows",
    "patrol_zone",
]

PATROL_TIMEZONE_NAME: Final = "Asia/Shanghai"
DEFAULT_PATROL_WINDOWS: Final[tuple[tuple[str, str], ...]] = (("06:00", "11:00"), ("17:00", "21:00"))


@functools.cache
def patrol_zone() -> ZoneInfo:
    # Loaded on first use rather than at import: importing must not touch the filesystem.
    return ZoneInfo(PATROL_TIMEZONE_NAME)


@dataclass(frozen=True, slots=True)
class PatrolWindow:
    """A local time span [start, end) on any day."""

    start: time
    end: time

    def __post_init__(self) -> None:
        if self.start.tzinfo is not None or self.end.tzinfo is not None:
            raise ConfigError("patrol window times are local wall-clock times; give them without a tzinfo")
        if not self.start < self.end:
            raise ConfigError(f"patrol window {self.start}-{self.end} must start before it ends, within one day")

    def bounds_ms(self, day: date) -> tuple[int, int]:
        """The window on `day` as [start, end) in ms since the Unix epoch."""
        zone = patrol_zone()
        start_at = datetime.combine(day, self.start, tzinfo=zone)
        end_at = datetime.combine(day, self.end, tzinfo=zone)
        return epoch_ms(start_at), epoch_ms(end_at)


def _parse_time(text: str) -> time:
    try:
        return time.fromisoformat(text)
    except ValueError:
        raise ConfigError(f"patrol window time {text!r} is not HH:MM (24-hour local time)") from None


def parse_windows(windows: Iterable[tuple[str, str]]) -> tuple[PatrolWindow, ...]:
    """Parse ("HH:MM", "HH:MM") pairs into windows, which must be in order and not overlap."""
    parsed = tuple(PatrolWindow(_parse_time(start), _parse_time(end)) for start, end in windows)
    for earlier, later in itertools.pairwise(parsed):
        if later.start < earlier.end:
            raise ConfigError(
                f"patrol windows {earlier.start}-{earlier.end} and {later.start}-{later.end} overlap or are "
                "out of order: list them from morning to evening without overlap"
            )
    return parsed
