"""Reconnect backoff: capped exponential with full jitter, pinned as a table with a seeded rng."""

from __future__ import annotations

import math
import random

import pytest

from firmware_sim import backoff_seconds

SEED = 2024
# The first uniform draw of Random(2024) is 0.47009...; full jitter scales it by the capped ceiling.
FIRST_DRAW = 0.47009071843107064


@pytest.mark.parametrize(
    ("attempt", "base_seconds", "cap_seconds", "expected_seconds"),
    [
        (0, 0.5, 30.0, 0.23504535921553532),  # ceiling 0.5
        (1, 0.5, 30.0, 0.47009071843107064),  # ceiling 1
        (2, 0.5, 30.0, 0.9401814368621413),  # ceiling 2
        (3, 0.5, 30.0, 1.8803628737242826),  # ceiling 4
        (5, 0.5, 30.0, 7.52145149489713),  # ceiling 16
        (6, 0.5, 30.0, 14.102721552932119),  # ceiling 32 capped to 30
        (7, 0.5, 30.0, 14.102721552932119),  # capped
        (50, 0.5, 30.0, 14.102721552932119),  # capped
        (10_000, 0.5, 30.0, 14.102721552932119),  # capped, and no float overflow
        (3, 1.0, 4.0, 1.8803628737242826),  # ceiling 8 capped to 4
    ],
)
def test_backoff_table(attempt: int, base_seconds: float, cap_seconds: float, expected_seconds: float) -> None:
    delay = backoff_seconds(attempt, base_seconds=base_seconds, cap_seconds=cap_seconds, rng=random.Random(SEED))
    assert delay == pytest.approx(expected_seconds, rel=1e-12)
    assert delay == pytest.approx(FIRST_DRAW * min(cap_seconds, base_seconds * 2**min(attempt, 64)), rel=1e-12)


def test_successive_attempts_with_one_rng() -> None:
    rng = random.Random(SEED)
    delays = [backoff_seconds(attempt, base_seconds=0.5, cap_seconds=30.0, rng=rng) for attempt in range(8)]
    assert [round(delay, 6) for delay in delays] == [
        0.235045, 0.728264, 0.607503, 3.549193, 3.280709, 11.46583, 7.956634, 7.354999,
    ]


def test_every_delay_lies_between_zero_and_the_capped_ceiling() -> None:
    rng = random.Random(7)
    for attempt in range(200):
        delay = backoff_seconds(attempt, base_seconds=0.25, cap_seconds=20.0, rng=rng)
        assert 0.0 <= delay <= min(20.0, 0.25 * 2**attempt)
        assert math.isfinite(delay)


@pytest.mark.parametrize(
    ("attempt", "base_seconds", "cap_seconds"),
    [(-1, 0.5, 30.0), (0, 0.0, 30.0), (0, 0.5, 0.0), (0, -1.0, 30.0)],
)
def test_refuses_meaningless_arguments(attempt: int, base_seconds: float, cap_seconds: float) -> None:
    with pytest.raises(ValueError, match="must be"):
        backoff_seconds(attempt, base_seconds=base_seconds, cap_seconds=cap_seconds, rng=random.Random(SEED))
