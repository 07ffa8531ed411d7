"""A band's Ed25519 public key as the band reports it at provisioning: text in, 32 checked bytes out.

The factory's tool prints the key in hex (64 digits) or base64 (44 characters, standard or URL-safe
alphabet). A key is accepted only when it decodes to exactly 32 bytes that libsodium accepts as a
point of the prime-order subgroup (`crypto_core_ed25519_is_valid_point`: canonical, on the curve, not
of small order). A small-order key would accept forged signatures of many messages; an invalid one
none: either way the band's records could never be trusted, so enrolment refuses it with the reason.

The gateway checks the same thing again when it parses a key (`wire.verify_key_from_bytes`, the same
libsodium call): it may import nothing of scoring but the ingest port, and the wire protocol module is
where a key's shape belongs for the band as much as for the server.
"""

from __future__ import annotations

import base64
import binascii
import string
from typing import Final

from nacl.bindings import crypto_core_ed25519_is_valid_point

from scoring.registry.errors import InvalidBandKeyError

PUBLIC_KEY_BYTES: Final = 32
_HEX_DIGITS: Final = frozenset(string.hexdigits)


def parse_public_key(text: str) -> bytes:
    """The 32 bytes of a band's public key given as hex or base64; InvalidBandKeyError saying why not."""
    cleaned = "".join(text.split())
    if not cleaned:
        raise InvalidBandKeyError("no public key given: enrol the Ed25519 key the band reports, in hex or base64")
    raw = _decode(cleaned)
    check_public_key(raw)
    return raw


def check_public_key(raw: bytes) -> None:
    """Refuse 32 bytes that are not a usable Ed25519 public key."""
    if len(raw) != PUBLIC_KEY_BYTES:
        raise InvalidBandKeyError(f"an Ed25519 public key is {PUBLIC_KEY_BYTES} bytes; this one is {len(raw)}: "
                                  "enrol the key exactly as the band reports it")
    if not crypto_core_ed25519_is_valid_point(raw):
        raise InvalidBandKeyError(
            "these 32 bytes are not a valid Ed25519 public key (not a canonical point of the prime-order "
            "subgroup, or one of small order, which would accept forgeries): read the key from the band again")


def _decode(text: str) -> bytes:
    if set(text) <= _HEX_DIGITS:
        # Base64 of 32 bytes ends in "=" or is 43 symbols long: all hex digits means hex, a digit short or over.
        if len(text) == 2 * PUBLIC_KEY_BYTES:
            return bytes.fromhex(text)
        if len(text) != 43:
            raise InvalidBandKeyError(f"a hex key is {2 * PUBLIC_KEY_BYTES} digits; this one is {len(text)}: "
                                      "enrol the key exactly as the band reports it")
    try:
        padded = text + "=" * (-len(text) % 4)
        alphabet = b"-_" if ("-" in text or "_" in text) else b"+/"
        return base64.b64decode(padded, altchars=alphabet, validate=True)
    except (binascii.Error, ValueError):
        raise InvalidBandKeyError(
            f"the public key {text[:16]!r}… is neither hex (64 digits) nor base64 (44 characters): "
            "enrol the key exactly as the band reports it") from None
