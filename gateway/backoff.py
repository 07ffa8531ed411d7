"""Retry delays for the database and the broker: exponential with full jitter, capped."""

from __future__ import annotations

import random


def backoff_seconds(attempt: int, *, base_seconds: float, cap_seconds: float, rng: random.Random) -> float:
    """The delay before retry number `attempt` (0-based): uniform in [0, min(cap, base * 2**attempt)]."""
    if attempt < 0:
        raise ValueError("attempt counts from 0")
    ceiling = min(cap_seconds, base_seconds * (2 ** min(attempt, 32)))
    return rng.uniform(0, ceiling)
