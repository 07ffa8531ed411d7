"""The pure parts of provisioning: a band's reported key, claim codes, sealed beacon secrets."""

from __future__ import annotations

import base64
import hashlib
import re

import pytest
from nacl.signing import SigningKey

from scoring.registry import claim_codes
from scoring.registry.band_keys import parse_public_key
from scoring.registry.beacon_secrets import DEMO_BEACON_KEY, open_secret, parse_beacon_key, seal_secret
from scoring.registry.errors import BeaconKeyError, InvalidBandKeyError
from scoring.registry.key_origin import KeyOrigin

PUBLIC = bytes(SigningKey(bytes(range(32))).verify_key)
IDENTITY = bytes([1]) + bytes(31)  # a point of small order: it would accept forgeries
DEPLOYMENT_KEY = bytes(range(100, 132))


@pytest.mark.parametrize("text", [
    PUBLIC.hex(), PUBLIC.hex().upper(), " ".join(PUBLIC.hex()[i:i + 8] for i in range(0, 64, 8)),
    base64.b64encode(PUBLIC).decode(), base64.urlsafe_b64encode(PUBLIC).decode().rstrip("="),
])
def test_a_key_is_taken_in_hex_or_base64(text: str) -> None:
    assert parse_public_key(text) == PUBLIC


@pytest.mark.parametrize(("text", "reason"), [
    ("", "no public key"),
    (PUBLIC.hex()[:-2], "a hex key is 64 digits; this one is 62"),
    ("key:" + PUBLIC.hex(), "neither hex"),
    ("zz" * 32, "this one is 48"),  # base64 after all, of 48 bytes
    (base64.b64encode(PUBLIC + b"\x00").decode(), "this one is 33"),
    (IDENTITY.hex(), "small order"),
    ((b"\xff" * 32).hex(), "not a valid Ed25519 public key"),  # not canonical: no point at all
])
def test_a_key_that_is_no_usable_key_is_refused_with_the_reason(text: str, reason: str) -> None:
    with pytest.raises(InvalidBandKeyError, match=reason):
        parse_public_key(text)


def test_claim_codes_are_four_groups_of_four_from_an_unambiguous_alphabet() -> None:
    codes = {claim_codes.new_claim_code() for _ in range(2_000)}
    assert len(codes) == 2_000
    assert all(re.fullmatch(r"([0-9A-HJKMNP-TV-Z]{4}-){3}[0-9A-HJKMNP-TV-Z]{4}", c) for c in codes)
    assert claim_codes.CODE_LENGTH * 5 == 80  # bits: why a fast hash of the code is enough


def test_a_typed_code_is_read_forgivingly_and_hashed_as_printed() -> None:
    printed = "7K2Q-MX9D-4HTR-B0ZC"
    typed = " 7k2q mx9d 4htr bozc "  # lower case, spaces, the letter O for zero
    assert claim_codes.normalise(typed) == "7K2QMX9D4HTRB0ZC"
    assert claim_codes.digest(typed) == claim_codes.digest(printed) == hashlib.sha256(b"7K2QMX9D4HTRB0ZC").digest()
    assert claim_codes.normalise("7K2Q-MX9D-4HTR") is None and claim_codes.normalise("7K2Q-MX9D-4HTR-B0Z#") is None
    assert claim_codes.normalise("UUUU-UUUU-UUUU-UUUU") is None  # U is not in Crockford's alphabet


def test_a_sealed_secret_opens_only_with_its_key_and_at_its_checkpoint() -> None:
    secret = bytes(range(16))
    sealed = seal_secret(secret, 7, KeyOrigin.INSTALLED, DEPLOYMENT_KEY)
    assert secret not in sealed and sealed != seal_secret(secret, 7, KeyOrigin.INSTALLED, DEPLOYMENT_KEY)
    assert open_secret(sealed, 7, "installed", DEPLOYMENT_KEY) == secret
    with pytest.raises(BeaconKeyError, match="does not open with this STEWARDS_BEACON_KEY"):
        open_secret(sealed, 7, "installed", bytes(32))
    with pytest.raises(BeaconKeyError, match="checkpoint 8"):
        open_secret(sealed, 8, "installed", DEPLOYMENT_KEY)  # copied onto another checkpoint's row
    with pytest.raises(BeaconKeyError, match="set STEWARDS_BEACON_KEY"):
        open_secret(sealed, 7, "installed", None)
    with pytest.raises(BeaconKeyError):
        open_secret(sealed, 7, "demo", DEPLOYMENT_KEY)  # a row relabelled demo does not open with the demo's key


def test_demo_secrets_open_with_the_demos_public_key_and_no_deployment_key() -> None:
    sealed = seal_secret(b"d" * 16, 3, KeyOrigin.DEMO, None)
    assert open_secret(sealed, 3, "demo", None) == open_secret(sealed, 3, "demo", DEPLOYMENT_KEY) == b"d" * 16


@pytest.mark.parametrize(("text", "reason"), [
    ("not base64!", "not base64"), (base64.b64encode(bytes(16)).decode(), "16 bytes, not 32"),
    (base64.b64encode(DEMO_BEACON_KEY).decode(), "the demo's public key"),
])
def test_a_deployment_key_is_32_random_bytes_in_base64(text: str, reason: str) -> None:
    assert parse_beacon_key(base64.b64encode(DEPLOYMENT_KEY).decode()) == DEPLOYMENT_KEY
    with pytest.raises(ValueError, match=reason):
        parse_beacon_key(text)
