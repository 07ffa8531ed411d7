"""Clocks: the simulated clock only moves forward, refuses naive datetimes, and is thread-safe."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta, timezone

import pytest

from firmware_sim import AdvanceableClock, Clock, ClockError, SimClock, SystemClock

START_AT = datetime(2024, 5, 6, 0, 0, tzinfo=UTC)


def test_sim_clock_starts_where_told_and_advances() -> None:
    clock = SimClock(START_AT)
    assert clock.now() == START_AT
    clock.advance_to(START_AT + timedelta(hours=3))
    assert clock.now() == START_AT + timedelta(hours=3)
    clock.advance_to(START_AT + timedelta(hours=3))  # standing still is allowed
    assert clock.now() == START_AT + timedelta(hours=3)


def test_sim_clock_reports_utc_even_when_given_another_offset() -> None:
    beijing = timezone(timedelta(hours=8))
    clock = SimClock(datetime(2024, 5, 6, 8, 0, tzinfo=beijing))
    assert clock.now() == START_AT
    assert clock.now().utcoffset() == timedelta(0)


def test_sim_clock_refuses_to_go_back() -> None:
    clock = SimClock(START_AT)
    with pytest.raises(ClockError, match="back"):
        clock.advance_to(START_AT - timedelta(milliseconds=1))
    assert clock.now() == START_AT


def test_sim_clock_refuses_naive_datetimes() -> None:
    with pytest.raises(ClockError, match="naive"):
        SimClock(datetime(2024, 5, 6))  # noqa: DTZ001 - naive on purpose: the refusal under test
    clock = SimClock(START_AT)
    with pytest.raises(ClockError, match="naive"):
        clock.advance_to(datetime(2024, 5, 7))  # noqa: DTZ001 - naive on purpose


def test_sim_clock_readers_on_other_threads_never_see_time_go_back() -> None:
    clock = SimClock(START_AT)
    steps = 2000
    seen_backwards: list[tuple[datetime, datetime]] = []
    done = threading.Event()

    def reader() -> None:
        previous = clock.now()
        while not done.is_set():
            current = clock.now()
            if current < previous:
                seen_backwards.append((previous, current))
            previous = current

    threads = [threading.Thread(target=reader) for _ in range(3)]
    for thread in threads:
        thread.start()
    for step in range(1, steps + 1):
        clock.advance_to(START_AT + timedelta(seconds=step))
    done.set()
    for thread in threads:
        thread.join()
    assert not seen_backwards
    assert clock.now() == START_AT + timedelta(seconds=steps)


def test_clocks_satisfy_their_protocols() -> None:
    assert isinstance(SimClock(START_AT), AdvanceableClock)
    assert isinstance(SystemClock(), Clock)
    assert not isinstance(SystemClock(), AdvanceableClock)
    now = SystemClock().now()
    assert now.tzinfo is UTC
    assert abs(now - datetime.now(UTC)) < timedelta(seconds=5)
