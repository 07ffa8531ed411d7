"""Keys and signatures: deterministic seeds, strict key parsing, no exceptions for forgeries."""

from __future__ import annotations

import pytest
from nacl.signing import VerifyKey

import wire

SEED = bytes(range(32))


def test_seeded_keypair_is_deterministic_and_fresh_ones_are_not() -> None:
    a_sign, a_verify = wire.generate_keypair(SEED)
    b_sign, b_verify = wire.generate_keypair(SEED)
    assert bytes(a_sign) == bytes(b_sign) == SEED
    assert bytes(a_verify) == bytes(b_verify)
    assert bytes(wire.generate_keypair()[1]) != bytes(wire.generate_keypair()[1])


@pytest.mark.parametrize("seed", [b"", bytes(31), bytes(33), "0" * 32, bytearray(32)])
def test_keypair_refuses_bad_seeds(seed: object) -> None:
    with pytest.raises(wire.KeyFormatError):
        wire.generate_keypair(seed)  # type: ignore[arg-type]


def test_verify_key_from_bytes_roundtrips() -> None:
    _, verify_key = wire.generate_keypair(SEED)
    parsed = wire.verify_key_from_bytes(bytes(verify_key))
    assert isinstance(parsed, VerifyKey)
    assert bytes(parsed) == bytes(verify_key)


@pytest.mark.parametrize(
    "raw",
    [
        bytes(31),
        bytes(33),
        b"",
        bytes(32),  # all zeros decodes to a point of order 4
        bytes([1]) + bytes(31),  # the identity point: small order
        b"\xff" * 32,  # not a canonical field element
        "03a107bff3ce10be1d70dd18e74bc09967e4d6309ba50d5f1ddc8664125531b8",
    ],
)
def test_verify_key_from_bytes_refuses_bad_keys(raw: object) -> None:
    with pytest.raises(wire.KeyFormatError):
        wire.verify_key_from_bytes(raw)  # type: ignore[arg-type]


def test_verify_detached_accepts_key_objects_and_raw_bytes() -> None:
    signing_key, verify_key = wire.generate_keypair(SEED)
    signature = wire.sign_detached(signing_key, b"message")
    assert len(signature) == wire.SIGNATURE_BYTES
    assert wire.verify_detached(b"message", signature, verify_key)
    assert wire.verify_detached(b"message", signature, bytes(verify_key))
    assert not wire.verify_detached(b"messagf", signature, verify_key)
    assert not wire.verify_detached(b"message", signature[:-1], verify_key)
    assert not wire.verify_detached(b"message", bytes(64), verify_key)


def test_verify_returns_false_under_a_small_order_raw_key() -> None:
    signing_key, _ = wire.generate_keypair(SEED)
    signature = wire.sign_detached(signing_key, b"message")
    assert not wire.verify_detached(b"message", signature, bytes([1]) + bytes(31))


@pytest.mark.parametrize("key", [bytes(31), bytes(33), b"", "key", None])
def test_verify_refuses_keys_of_the_wrong_shape(key: object) -> None:
    # libsodium reads 32 bytes from whatever it is given: a short key must never reach it.
    signing_key, _ = wire.generate_keypair(SEED)
    signature = wire.sign_detached(signing_key, b"message")
    with pytest.raises(wire.KeyFormatError):
        wire.verify_detached(b"message", signature, key)  # type: ignore[arg-type]
