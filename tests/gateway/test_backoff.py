import random

import pytest

from gateway.backoff import backoff_seconds


@pytest.mark.parametrize(
    ("attempt", "ceiling"),
    [(0, 0.2), (1, 0.4), (2, 0.8), (4, 3.2), (5, 5.0), (40, 5.0)],
)
def test_delay_stays_under_the_exponential_ceiling(attempt: int, ceiling: float) -> None:
    rng = random.Random(7)
    delays = [backoff_seconds(attempt, base_seconds=0.2, cap_seconds=5.0, rng=rng) for _ in range(200)]
    assert all(0 <= d <= ceiling for d in delays)
    assert max(delays) > ceiling * 0.8  # full jitter spreads over the whole range


def test_negative_attempt_is_an_error() -> None:
    with pytest.raises(ValueError):
        backoff_seconds(-1, base_seconds=1, cap_seconds=2, rng=random.Random(0))
