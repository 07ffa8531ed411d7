"""Base58btc, Multikey and did:key: published vectors, round trips, and hostile strings."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from scoring.awards.errors import MalformedCredentialError
from scoring.awards.multikey import (
    b58decode,
    b58encode,
    did_key,
    public_key_from_multibase,
    public_key_from_verification_method,
    public_key_multibase,
    seed_from_multibase,
    seed_multibase,
    verification_method,
)

# The W3C vc-di-eddsa test key pair (TestVectors/keyPair.json).
W3C_PUBLIC_MULTIBASE = "z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2"
W3C_SECRET_MULTIBASE = "z3u2en7t5LR2WtQH5PfFqMqwVHBeXouLzo6haApm8XHqvjxq"


@pytest.mark.parametrize(
    ("raw", "text"),
    [
        # draft-msporny-base58 examples
        (b"Hello World!", "2NEpo7TZRRrLZSi2U"),
        (bytes.fromhex("0000287fb4cd"), "11233QC4"),
        (b"", ""),
        (b"\0", "1"),
    ],
)
def test_base58_vectors(raw: bytes, text: str) -> None:
    assert b58encode(raw) == text
    assert b58decode(text) == raw


@given(st.binary(max_size=64))
def test_base58_round_trip(raw: bytes) -> None:
    assert b58decode(b58encode(raw)) == raw


def test_w3c_key_pair_seed_gives_its_public_multikey() -> None:
    from nacl.signing import SigningKey

    seed = seed_from_multibase(W3C_SECRET_MULTIBASE)
    public = bytes(SigningKey(seed).verify_key)
    assert public_key_multibase(public) == W3C_PUBLIC_MULTIBASE
    assert seed_multibase(seed) == W3C_SECRET_MULTIBASE
    assert public_key_from_multibase(W3C_PUBLIC_MULTIBASE) == public


def test_did_key_and_verification_method() -> None:
    public = public_key_from_multibase(W3C_PUBLIC_MULTIBASE)
    assert did_key(public) == f"did:key:{W3C_PUBLIC_MULTIBASE}"
    method = verification_method(public)
    assert method == f"did:key:{W3C_PUBLIC_MULTIBASE}#{W3C_PUBLIC_MULTIBASE}"
    assert public_key_from_verification_method(method) == public


@pytest.mark.parametrize(
    "text",
    [
        "6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2",  # no multibase prefix
        "z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ",  # one character short
        "z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2a",  # one too many
        "z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ0",  # 0 is not base58
        W3C_SECRET_MULTIBASE,  # a secret key header, not ed25519-pub
        "z" + b58encode(b"\xed\x01" + bytes(32)),  # the identity point: small order
        "z" + "2" * 200,  # hostile length
        "",
    ],
)
def test_bad_public_multikeys_are_refused(text: str) -> None:
    with pytest.raises(MalformedCredentialError):
        public_key_from_multibase(text)


@pytest.mark.parametrize(
    "method",
    [
        W3C_PUBLIC_MULTIBASE,
        f"did:key:{W3C_PUBLIC_MULTIBASE}",  # no fragment
        f"did:web:example.org#{W3C_PUBLIC_MULTIBASE}",
        f"did:key:{W3C_PUBLIC_MULTIBASE}#z6MkehRgf7yJbgaGfYsdoAsKdBPE3dj2CYhowQdcjqSJgvVd",  # two keys
        f"did:key:{W3C_PUBLIC_MULTIBASE}#{W3C_PUBLIC_MULTIBASE}#x",
        "https://vc.example/issuers/5678#" + W3C_PUBLIC_MULTIBASE,
    ],
)
def test_only_self_consistent_did_key_methods_are_accepted(method: str) -> None:
    with pytest.raises(MalformedCredentialError):
        public_key_from_verification_method(method)
