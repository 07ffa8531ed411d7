"""Password hashing: argon2id with pwdlib's recommended parameters."""

from __future__ import annotations

from typing import Final

from pwdlib import PasswordHash

MIN_PASSWORD_LENGTH: Final = 10

_HASHER: Final = PasswordHash.recommended()
# Verified against when the username is unknown, so a wrong name costs as long as a wrong password.
_DUMMY_HASH: Final = _HASHER.hash("not the password of any account")


def hash_password(password: str) -> str:
    return _HASHER.hash(password)


def verify_password(password: str, password_hash: str | None) -> bool:
    if password_hash is None:
        _HASHER.verify(password, _DUMMY_HASH)
        return False
    return _HASHER.verify(password, password_hash)
