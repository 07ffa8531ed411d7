"""Shared fixtures for the wire protocol tests: the fixed demo key and a few valid records."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

import wire

GOLDEN_SEED = bytes(range(32))
BAND_ID = 1001


@pytest.fixture(scope="session")
def keypair() -> tuple[wire.SigningKey, wire.VerifyKey]:
    return wire.generate_keypair(GOLDEN_SEED)


@pytest.fixture(scope="session")
def signing_key(keypair: tuple[wire.SigningKey, wire.VerifyKey]) -> wire.SigningKey:
    return keypair[0]


@pytest.fixture(scope="session")
def verify_key(keypair: tuple[wire.SigningKey, wire.VerifyKey]) -> wire.VerifyKey:
    return keypair[1]


@pytest.fixture
def checkin() -> wire.Record:
    return wire.Record(
        kind=wire.Kind.PATROL_CHECKIN,
        band_id=BAND_ID,
        boot=3,
        seq=42,
        event_at_ms=wire.epoch_ms(datetime(2017, 6, 1, 8, 30, tzinfo=UTC)),
        checkpoint_id=17,
        beacon_token=bytes.fromhex("b09296a9c0c627c6"),
        rssi_dbm=-67,
        battery_pct=88,
        detail=0,
    )
