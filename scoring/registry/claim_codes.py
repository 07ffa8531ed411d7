"""Claim codes: printed with a band, typed by the steward who takes it, good for one binding.

A code is 16 symbols of Crockford's base32 alphabet (no I, L, O or U), shown in four groups of four:
`7K2Q-MX9D-4HTR-B0ZC`. That is 80 random bits from `secrets`. Typing is forgiving: case, spaces and
dashes do not matter, and O, I and L are read as 0, 1 and 1, the digits they are mistaken for.

The store keeps a code's SHA-256 only. A fast hash is enough here, unlike for passwords: the code is
random with 80 bits of entropy, so there is no dictionary to run against a stolen digest, and
guessing 2^80 codes is out of reach whatever the hash costs; wrong codes are also counted and lock
the account out. A slow hash would only slow the lookup down (a code is found by its digest).
"""

from __future__ import annotations

import hashlib
import secrets
from typing import Final

ALPHABET: Final = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford's base32
GROUPS: Final = 4
GROUP_LENGTH: Final = 4
CODE_LENGTH: Final = GROUPS * GROUP_LENGTH  # 16 symbols x 5 bits = 80 bits
_READ_AS: Final = str.maketrans({"O": "0", "I": "1", "L": "1"})


def new_claim_code() -> str:
    symbols = "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))
    return "-".join(symbols[i:i + GROUP_LENGTH] for i in range(0, CODE_LENGTH, GROUP_LENGTH))


def normalise(typed: str) -> str | None:
    """The 16 symbols a typed code stands for, or None when it cannot be a code at all."""
    symbols = "".join(c for c in typed.upper() if not c.isspace() and c != "-").translate(_READ_AS)
    if len(symbols) != CODE_LENGTH or any(c not in ALPHABET for c in symbols):
        return None
    return symbols


def digest(code: str) -> bytes:
    """What the store keeps of a code (printed or typed: both normalise to the same symbols)."""
    symbols = normalise(code)
    if symbols is None:
        raise ValueError(f"{code!r} is not a claim code")
    return hashlib.sha256(symbols.encode("ascii")).digest()
