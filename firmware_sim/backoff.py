"""Reconnect delays: capped exponential backoff with full jitter.

Full jitter (a uniform draw between zero and the capped exponential) spreads the reconnects of
thousands of bands that lost the broker at the same moment, instead of having them return in waves.
"""

from __future__ import annotations

import random
from typing import Final

__all__ = ["backoff_seconds"]

# 2**64 times any sane base is far past any cap; bounding the exponent keeps the float finite.
_MAX_EXPONENT: Final = 64


def backoff_seconds(attempt: int, *, base_seconds: float, cap_seconds: float, rng: random.Random) -> float:
    """Delay before reconnect attempt number `attempt` (0 for the first retry after a failure).

    Uniform in [0, min(cap_seconds, base_seconds * 2**attempt)].
    """
    if attempt < 0:
        raise ValueError(f"attempt must be >= 0, got {attempt}")
    if base_seconds <= 0 or cap_seconds <= 0:
        raise ValueError(f"base_seconds and cap_seconds must be > 0, got {base_seconds} and {cap_seconds}")
    ceiling_seconds = min(cap_seconds, base_seconds * 2.0 ** min(attempt, _MAX_EXPONENT))
    return rng.uniform(0.0, ceiling_seconds)
