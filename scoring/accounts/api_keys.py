"""API keys: long-lived credentials of an account, for tools that cannot sign in (Open311's api_key).

A key is 32 random bytes the holder keeps; the database keeps its SHA-256 and its first characters
(to tell keys apart in a list), never the key. A key acts as its account and nothing more: the
account's role and area, checked again on every use, so a disabled account's keys stop at once.
Who may issue or revoke an account's keys is `jurisdiction.check_account_keys`'s to say.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import Final

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from scoring.accounts.errors import InvalidAccountError, SignInError
from scoring.accounts.principal import Principal
from scoring.accounts.store import principal_by_id
from scoring.errors import UnknownScopeError
from scoring.storage import tables as t

KEY_PREFIX: Final = "lsk_"  # "lane stewards key": a key pasted into the wrong place is recognisable
SHOWN_CHARS: Final = 12  # of the key, kept and listed so a holder can tell their keys apart
LABEL_MAX: Final = 80
LIVE_KEYS_MAX: Final = 20  # per account: a holder who needs more is leaking them


@dataclass(frozen=True, slots=True)
class ApiKeyView:
    id: int
    account_id: int
    label: str
    prefix: str
    issued_at: datetime
    issued_by: int  # the account that issued it: the holder, or an administrator
    revoked_at: datetime | None


@dataclass(frozen=True, slots=True)
class IssuedKey:
    key: ApiKeyView
    secret: str  # shown once, to the issuer; only its digest is stored


def issue_api_key(session: Session, account_id: int, label: str, *, issued_by: int, now: datetime) -> IssuedKey:
    """A new key for `account_id`. The caller has checked the issuer may (and commits)."""
    label = label.strip()
    if not label or len(label) > LABEL_MAX or "\x00" in label:
        raise InvalidAccountError(f"an API key's label says what uses it: 1 to {LABEL_MAX} characters")
    account = session.get(t.Account, account_id)
    if account is None:
        raise UnknownScopeError(f"no account with id {account_id}")
    if account.disabled:
        raise InvalidAccountError(f"account {account_id} is disabled: its keys would not sign in")
    live = session.scalar(select(func.count()).select_from(t.ApiKey).where(
        t.ApiKey.account_id == account_id, t.ApiKey.revoked_at.is_(None)))
    if (live or 0) >= LIVE_KEYS_MAX:
        raise InvalidAccountError(f"account {account_id} has {LIVE_KEYS_MAX} live API keys: revoke one first")
    secret = KEY_PREFIX + secrets.token_urlsafe(32)
    row = t.ApiKey(key_sha256=_digest(secret), prefix=secret[:SHOWN_CHARS], account_id=account_id, label=label,
                   issued_at=now, issued_by=issued_by, revoked_at=None)
    session.add(row)
    session.flush()
    return IssuedKey(_view(row), secret)


def list_api_keys(session: Session, account_id: int, *, limit: int, offset: int = 0) -> list[ApiKeyView]:
    """An account's keys, live and revoked, oldest first."""
    rows = session.scalars(select(t.ApiKey).where(t.ApiKey.account_id == account_id).order_by(t.ApiKey.id)
                           .limit(limit).offset(offset))
    return [_view(r) for r in rows]


def revoke_api_key(session: Session, account_id: int, key_id: int, *, now: datetime) -> ApiKeyView:
    """Revoke one of the account's keys; revoking a revoked key changes nothing."""
    row = session.get(t.ApiKey, key_id)
    if row is None or row.account_id != account_id:
        raise UnknownScopeError(f"account {account_id} has no API key {key_id}")
    if row.revoked_at is None:
        row.revoked_at = now
        session.flush()
    return _view(row)


@dataclass(frozen=True, slots=True)
class KeyUse:
    principal: Principal  # the key's account: its role and area
    key_id: int  # which of its keys, for the audit log


def principal_of_key(session: Session, secret: str) -> KeyUse:
    """Who a key acts as; SignInError for a key that is unknown, revoked, or of a disabled account."""
    row = session.scalar(select(t.ApiKey).where(t.ApiKey.key_sha256 == _digest(secret)))
    if row is None or row.revoked_at is not None:
        raise SignInError("this api_key is not valid (unknown or revoked): ask its account's holder for another")
    return KeyUse(principal_by_id(session, row.account_id), row.id)


def _view(r: t.ApiKey) -> ApiKeyView:
    return ApiKeyView(r.id, r.account_id, r.label, r.prefix, r.issued_at, r.issued_by, r.revoked_at)


def _digest(secret: str) -> bytes:
    # A key carries 256 random bits: a fast hash cannot be searched backwards, unlike a password's.
    return hashlib.sha256(secret.encode()).digest()
