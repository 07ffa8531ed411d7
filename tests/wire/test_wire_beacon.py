"""Beacon token derivation: window arithmetic and the HMAC, as tables."""

from __future__ import annotations

import hashlib
import hmac
from datetime import UTC, datetime, timedelta, timezone

import pytest

import wire

SECRET = bytes(range(16))


@pytest.mark.parametrize(
    ("at", "window"),
    [
        (datetime(1970, 1, 1, tzinfo=UTC), 0),
        (datetime(1970, 1, 1, 0, 4, 59, 999_999, tzinfo=UTC), 0),
        (datetime(1970, 1, 1, 0, 5, tzinfo=UTC), 1),
        (datetime(2017, 6, 1, 8, 30, tzinfo=UTC), 4_987_686),
        (datetime(2017, 6, 1, 8, 34, 59, tzinfo=UTC), 4_987_686),
        (datetime(2017, 6, 1, 8, 35, tzinfo=UTC), 4_987_687),
        # Beijing time is the same instant: the window depends on the instant only
        (datetime(2017, 6, 1, 16, 30, tzinfo=timezone(timedelta(hours=8))), 4_987_686),
    ],
)
def test_window_index(at: datetime, window: int) -> None:
    assert wire.TOKEN_WINDOW_SECONDS == 300
    assert wire.window_index(at) == window


def test_window_index_refuses_naive_and_pre_epoch_times() -> None:
    with pytest.raises(wire.TimestampError):
        wire.window_index(datetime(2017, 6, 1, 8, 30))  # noqa: DTZ001 - naive on purpose: the refusal under test
    with pytest.raises(wire.TimestampError):
        wire.window_index(datetime(1969, 12, 31, 23, 59, tzinfo=UTC))


@pytest.mark.parametrize("window", [0, 1, 4_987_686, 2**32 - 1])
def test_beacon_token_is_truncated_hmac_sha256(window: int) -> None:
    expected = hmac.new(
        SECRET, b"lane-stewards/v1/eid" + window.to_bytes(4, "big"), hashlib.sha256
    ).digest()[:8]
    token = wire.beacon_token(SECRET, window)
    assert token == expected
    assert len(token) == wire.BEACON_TOKEN_BYTES == 8


def test_beacon_token_changes_with_window_and_secret() -> None:
    assert wire.beacon_token(SECRET, 1) != wire.beacon_token(SECRET, 2)
    assert wire.beacon_token(SECRET, 1) != wire.beacon_token(bytes(16), 1)


@pytest.mark.parametrize("window", [-1, 2**32, 1.0, True])
def test_beacon_token_refuses_windows_out_of_range(window: object) -> None:
    with pytest.raises(wire.TimestampError):
        wire.beacon_token(SECRET, window)  # type: ignore[arg-type]


@pytest.mark.parametrize("secret", [b"", "secret", bytearray(16), None])
def test_beacon_token_refuses_bad_secrets(secret: object) -> None:
    with pytest.raises(wire.KeyFormatError):
        wire.beacon_token(secret, 1)  # type: ignore[arg-type]
