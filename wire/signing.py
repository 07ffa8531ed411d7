"""Band keys and message signatures: Ed25519 (RFC 8032, pure, no pre-hash) through libsodium/PyNaCl.

A band holds its 32-byte Ed25519 seed (private key); the server holds only the 32-byte public keys.
Every signature covers a domain-separated message built by `wire.frames` (`SIGNING_CONTEXT` + the
message's own header + its content), so a signature made for this protocol cannot be replayed
as a signature over anything else.

Verification is the gateway's hot path: `verify` accepts a parsed `VerifyKey` or the raw 32 bytes
straight from the key store and goes to `crypto_sign_open` without building intermediate objects.
Nothing is cached globally.
"""

from __future__ import annotations

from typing import Final, Protocol

from nacl.bindings import crypto_core_ed25519_is_valid_point, crypto_sign_open
from nacl.exceptions import BadSignatureError
from nacl.signing import SigningKey, VerifyKey

from wire.errors import KeyFormatError

__all__ = [
    "PUBLIC_KEY_BYTES",
    "SEED_BYTES",
    "SIGNATURE_BYTES",
    "SignedMessage",
    "SigningKey",
    "VerifyKey",
    "generate_keypair",
    "sign_detached",
    "verify",
    "verify_detached",
    "verify_key_from_bytes",
]

SEED_BYTES: Final = 32
PUBLIC_KEY_BYTES: Final = 32
SIGNATURE_BYTES: Final = 64


class SignedMessage(Protocol):
    """What `verify` needs from a frame: the exact bytes that were signed, and the signature."""

    @property
    def signature(self) -> bytes: ...

    def signed_message(self) -> bytes: ...


def generate_keypair(seed: bytes | None = None) -> tuple[SigningKey, VerifyKey]:
    """Return a new Ed25519 key pair; a 32-byte `seed` makes it deterministic (demo data, tests).

    Production bands generate their seed from a hardware RNG at provisioning and never export it.
    """
    if seed is None:
        signing_key = SigningKey.generate()
    else:
        if not isinstance(seed, bytes) or len(seed) != SEED_BYTES:
            raise KeyFormatError(
                f"an Ed25519 seed is exactly {SEED_BYTES} bytes; got "
                f"{_describe(seed)}: pass the band's 32-byte signing seed"
            )
        signing_key = SigningKey(seed)
    return signing_key, signing_key.verify_key


def verify_key_from_bytes(raw: bytes) -> VerifyKey:
    """Parse a band's 32-byte public key; refuse wrong lengths and invalid or small-order points."""
    if not isinstance(raw, bytes) or len(raw) != PUBLIC_KEY_BYTES:
        raise KeyFormatError(
            f"an Ed25519 public key is exactly {PUBLIC_KEY_BYTES} bytes; got {_describe(raw)}: "
            "check the band's registration record"
        )
    if not crypto_core_ed25519_is_valid_point(raw):
        raise KeyFormatError(
            "these 32 bytes are not a valid Ed25519 public key (not a canonical point of the "
            "prime-order subgroup): re-register the band with the key it reports"
        )
    return VerifyKey(raw)


def sign_detached(signing_key: SigningKey, message: bytes) -> bytes:
    """Return the 64-byte Ed25519 signature of `message`."""
    return signing_key.sign(message).signature


def verify_detached(message: bytes, signature: bytes, verify_key: VerifyKey | bytes) -> bool:
    """True when `signature` is a valid Ed25519 signature of `message` under `verify_key`.

    A bad signature is an expected outcome on hostile input, so it returns False rather than
    raising; only a key of the wrong shape (a configuration fault) raises `KeyFormatError`.
    """
    raw_key = _raw_public_key(verify_key)
    if len(signature) != SIGNATURE_BYTES:
        return False
    try:
        crypto_sign_open(signature + message, raw_key)
    except BadSignatureError:
        return False
    return True


def verify(message: SignedMessage, verify_key: VerifyKey | bytes) -> bool:
    """True when a decoded frame's signature is valid under the band's public key."""
    return verify_detached(message.signed_message(), message.signature, verify_key)


def _raw_public_key(verify_key: VerifyKey | bytes) -> bytes:
    if isinstance(verify_key, VerifyKey):
        return bytes(verify_key)
    # The length check matters: libsodium reads exactly 32 bytes from the pointer it is given.
    if isinstance(verify_key, bytes) and len(verify_key) == PUBLIC_KEY_BYTES:
        return verify_key
    raise KeyFormatError(
        f"a verify key is a nacl VerifyKey or exactly {PUBLIC_KEY_BYTES} raw bytes; got "
        f"{_describe(verify_key)}: check what the key store returns"
    )


def _describe(value: object) -> str:
    if isinstance(value, bytes | bytearray | memoryview):
        return f"{len(value)} bytes"
    return type(value).__name__
