"""Checkpoint beacon tokens: the rotating 8-byte value a checkpoint's BLE beacon advertises.

token = HMAC-SHA256(secret, b"lane-stewards/v1/eid" + window:u32)[:8], where
window = floor(unix seconds / TOKEN_WINDOW_SECONDS). The secret is provisioned into the beacon
and known to the server, never to bands: a band can only record a token it actually heard, so a
check-in carries evidence that the band was near the checkpoint during that window.
How the server accepts tokens (which windows, replay rules) is its policy, not part of this module.
"""

from __future__ import annotations

import hashlib
import hmac
import struct
from datetime import UTC, datetime, timedelta
from typing import Final

from wire.errors import KeyFormatError, TimestampError

__all__ = ["BEACON_TOKEN_BYTES", "TOKEN_WINDOW_SECONDS", "beacon_token", "window_index"]

# Five minutes: long enough for a cheap beacon to rotate rarely, short enough that a token
# copied off the lane is useless by the time it could be replayed elsewhere.
TOKEN_WINDOW_SECONDS: Final = 300
BEACON_TOKEN_BYTES: Final = 8
_TOKEN_LABEL: Final = b"lane-stewards/v1/eid"
_WINDOW: Final = struct.Struct(">I")
_WINDOW_MAX: Final = 0xFFFF_FFFF
_EPOCH: Final = datetime(1970, 1, 1, tzinfo=UTC)
_WINDOW_LENGTH: Final = timedelta(seconds=TOKEN_WINDOW_SECONDS)


def window_index(at: datetime) -> int:
    """floor(unix seconds of `at` / 300), computed exactly on an aware datetime."""
    if at.tzinfo is None or at.utcoffset() is None:
        raise TimestampError(f"{at!r} is naive: pass an aware UTC datetime (tzinfo=UTC)")
    window = (at - _EPOCH) // _WINDOW_LENGTH
    if not 0 <= window <= _WINDOW_MAX:
        raise TimestampError(f"{at.isoformat()} has no beacon window: it is before 1970")
    return window


def beacon_token(secret: bytes, window: int) -> bytes:
    """The 8-byte token a beacon with `secret` advertises during `window`."""
    if not isinstance(secret, bytes) or not secret:
        raise KeyFormatError(
            "a beacon secret is a non-empty bytes value: check the checkpoint's registry entry"
        )
    if type(window) is not int or not 0 <= window <= _WINDOW_MAX:
        raise TimestampError(f"window {window!r} is not an int in 0 .. {_WINDOW_MAX}")
    mac = hmac.digest(secret, _TOKEN_LABEL + _WINDOW.pack(window), hashlib.sha256)
    return mac[:BEACON_TOKEN_BYTES]
