"""Ed25519 keys as text: base58btc multibase, Multikey and `did:key` identifiers.

An issuer's public key is written as a Multikey `publicKeyMultibase`: "z" (base58btc) + base58 of
the multicodec header 0xed 0x01 (ed25519-pub) and the 32 key bytes, which always starts "z6Mk". Its
`did:key` is "did:key:" + that string, and the verification method a proof names is
"did:key:<mb>#<mb>". A did:key carries the key itself, so resolving it needs no network: verifying a
credential offline is exactly this module's parse plus a lookup in the trusted keys. The private
seed is written the same way with the header 0x80 0x26 (ed25519-priv), as in the W3C test vectors.

Everything parsed here may come from a hostile file, so lengths, alphabets and headers are checked
and every failure is a `MalformedCredentialError`.
"""

from __future__ import annotations

from typing import Final

from nacl.bindings import crypto_core_ed25519_is_valid_point

from scoring.awards.errors import MalformedCredentialError

__all__ = [
    "DID_KEY_PREFIX",
    "KEY_BYTES",
    "b58decode",
    "b58encode",
    "did_key",
    "multibase_decode",
    "public_key_from_multibase",
    "public_key_from_verification_method",
    "public_key_multibase",
    "seed_from_multibase",
    "seed_multibase",
    "verification_method",
]

KEY_BYTES: Final = 32
DID_KEY_PREFIX: Final = "did:key:"
_MULTIBASE_BASE58BTC: Final = "z"
_ED25519_PUB_HEADER: Final = b"\xed\x01"
_ED25519_PRIV_HEADER: Final = b"\x80\x26"
_ALPHABET: Final = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
_INDEX: Final = {ch: i for i, ch in enumerate(_ALPHABET)}
# Longer than any key or signature we read (a 64-byte signature is at most 88 characters); the cap
# keeps a hostile string from costing quadratic big-integer work.
_MAX_BASE58_CHARS: Final = 128


def b58encode(data: bytes) -> str:
    """Base58 with the Bitcoin alphabet: each leading zero byte becomes a leading "1"."""
    zeros = len(data) - len(data.lstrip(b"\0"))
    number = int.from_bytes(data, "big")
    digits = []
    while number:
        number, digit = divmod(number, 58)
        digits.append(_ALPHABET[digit])
    return "1" * zeros + "".join(reversed(digits))


def b58decode(text: str) -> bytes:
    if not isinstance(text, str) or len(text) > _MAX_BASE58_CHARS:
        raise MalformedCredentialError(
            f"a base58 value is a string of at most {_MAX_BASE58_CHARS} characters; got "
            f"{_describe(text)}"
        )
    number = 0
    for ch in text:
        digit = _INDEX.get(ch)
        if digit is None:
            raise MalformedCredentialError(
                f"{ch!r} is not a base58btc character (0, O, I and l are not used); the value was "
                "damaged in transit: ask for the original file"
            )
        number = number * 58 + digit
    zeros = len(text) - len(text.lstrip("1"))
    body = number.to_bytes((number.bit_length() + 7) // 8, "big") if number else b""
    return b"\0" * zeros + body


def multibase_decode(text: str) -> bytes:
    if not isinstance(text, str) or not text.startswith(_MULTIBASE_BASE58BTC):
        raise MalformedCredentialError(
            f"expected a base58btc multibase value starting with 'z'; got {_describe(text)}"
        )
    return b58decode(text[1:])


def public_key_multibase(public_key: bytes) -> str:
    _check_length(public_key, "an Ed25519 public key")
    return _MULTIBASE_BASE58BTC + b58encode(_ED25519_PUB_HEADER + public_key)


def public_key_from_multibase(text: str) -> bytes:
    """The 32 key bytes of a "z6Mk..." Multikey; refuses other key types and invalid points."""
    raw = multibase_decode(text)
    if len(raw) != len(_ED25519_PUB_HEADER) + KEY_BYTES or not raw.startswith(_ED25519_PUB_HEADER):
        raise MalformedCredentialError(
            f"{text[:16]!r}... is not an Ed25519 Multikey (header 0xed01 and 32 bytes); award "
            "credentials are signed with Ed25519 keys only"
        )
    key = raw[len(_ED25519_PUB_HEADER):]
    if not crypto_core_ed25519_is_valid_point(key):
        raise MalformedCredentialError(
            "the Multikey is not a valid Ed25519 public key (not a point of the prime-order "
            "subgroup); the key was damaged or made up: get the issuer's key file again"
        )
    return key


def seed_multibase(seed: bytes) -> str:
    _check_length(seed, "an Ed25519 seed")
    return _MULTIBASE_BASE58BTC + b58encode(_ED25519_PRIV_HEADER + seed)


def seed_from_multibase(text: str) -> bytes:
    raw = multibase_decode(text)
    if len(raw) != len(_ED25519_PRIV_HEADER) + KEY_BYTES or not raw.startswith(_ED25519_PRIV_HEADER):
        raise MalformedCredentialError(
            "the secret key is not an Ed25519 multibase seed (header 0x8026 and 32 bytes)"
        )
    return raw[len(_ED25519_PRIV_HEADER):]


def did_key(public_key: bytes) -> str:
    return DID_KEY_PREFIX + public_key_multibase(public_key)


def verification_method(public_key: bytes) -> str:
    multibase = public_key_multibase(public_key)
    return f"{DID_KEY_PREFIX}{multibase}#{multibase}"


def public_key_from_verification_method(text: str) -> bytes:
    """The key of a "did:key:<mb>#<mb>" verification method; the fragment must repeat the key."""
    if not isinstance(text, str) or not text.startswith(DID_KEY_PREFIX) or text.count("#") != 1:
        raise MalformedCredentialError(
            f"the proof's verificationMethod must be a did:key URL like did:key:z6Mk...#z6Mk...; "
            f"got {_describe(text)}"
        )
    did_part, fragment = text[len(DID_KEY_PREFIX):].split("#")
    if did_part != fragment:
        raise MalformedCredentialError(
            "the proof's did:key verificationMethod names one key in the DID and another in the "
            "fragment; the credential was not made by this programme's issuer"
        )
    return public_key_from_multibase(did_part)


def _check_length(value: bytes, what: str) -> None:
    if not isinstance(value, bytes) or len(value) != KEY_BYTES:
        raise MalformedCredentialError(f"{what} is exactly {KEY_BYTES} bytes; got {_describe(value)}")


def _describe(value: object) -> str:
    if isinstance(value, bytes | bytearray):
        return f"{len(value)} bytes"
    if isinstance(value, str):
        return repr(value if len(value) <= 40 else value[:40] + "...")
    return f"a {type(value).__name__}"
