"""Activation codes: how a steward signed up on paper sets the password of the account approval made.

A code is 12 characters drawn by `secrets` from 31 that cannot be misread on paper (no 0/O, 1/I/L),
about 59 bits, printed in groups of four ("7KQM-3WXH-PD9R"). It is shown once, in the approval's
answer, and stored as its SHA-256 only: a code this random needs no slow hash, as a refresh token
does not. It works once, for its own account's username, until it expires; issuing a new one spends
the ones before it. Nothing here says which part of a refused activation was wrong.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Final

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from scoring.accounts.errors import ActivationError, AlreadyActivatedError
from scoring.accounts.passwords import hash_password
from scoring.accounts.principal import Principal
from scoring.accounts.store import check_password, principal_of
from scoring.storage import tables as t

ACTIVATION_CODE_LIFETIME: Final = timedelta(days=14)  # the station hands the code over within two weeks
CODE_ALPHABET: Final = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_CHARS: Final = 12
CODE_GROUP: Final = 4
CODE_INPUT_MAX: Final = 40  # characters a typed code may take, separators and spaces included

_REFUSED: Final = "this activation code is not valid for this username (used, expired or unknown): " \
    "ask your coordinator for a new one"


@dataclass(frozen=True, slots=True)
class IssuedCode:
    code: str  # shown once: the store keeps only its digest
    expires_at: datetime


def issue_code(session: Session, account_id: int, *, now: datetime) -> IssuedCode:
    """A new code for an account with no password yet; the account's earlier codes stop working."""
    account = session.get(t.Account, account_id)
    if account is None:
        raise ActivationError(f"no account with id {account_id}")
    if account.password_hash is not None:
        raise AlreadyActivatedError(f"account {account.username!r} has its password already: its holder signs in "
                                    "with it, or asks for a reset")
    session.execute(update(t.ActivationCode).where(t.ActivationCode.account_id == account_id,
                                                   t.ActivationCode.used_at.is_(None)).values(used_at=now))
    raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_CHARS))
    expires_at = now + ACTIVATION_CODE_LIFETIME
    session.add(t.ActivationCode(code_sha256=_digest(raw), account_id=account_id, issued_at=now,
                                 expires_at=expires_at))
    session.flush()
    return IssuedCode("-".join(raw[i:i + CODE_GROUP] for i in range(0, CODE_CHARS, CODE_GROUP)), expires_at)


def activate(session: Session, username: str, code: str, password: str, *, now: datetime) -> Principal:
    """Set the password of the account the code was issued for; the code is spent. ActivationError for a
    code that is not this username's live code; InvalidAccountError for a password too short (the code
    is then not spent)."""
    row = session.scalar(select(t.ActivationCode).where(t.ActivationCode.code_sha256 == _digest(normalise(code))))
    account = session.get(t.Account, row.account_id) if row is not None else None
    if (row is None or account is None or row.used_at is not None or row.expires_at <= now
            or account.username != username.strip() or account.disabled):
        raise ActivationError(_REFUSED)
    if account.password_hash is not None:
        raise AlreadyActivatedError("this account has its password already: sign in with it")
    check_password(password)
    account.password_hash = hash_password(password)
    row.used_at = now
    session.flush()
    return principal_of(account)


def normalise(code: str) -> str:
    """A code as typed, in capitals without its separators: "7kqm 3wxh-pd9r" is "7KQM3WXHPD9R"."""
    return "".join(c for c in code.upper() if c not in "- ")


def _digest(code: str) -> bytes:
    return hashlib.sha256(code.encode()).digest()
