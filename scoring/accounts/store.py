"""Accounts in the database: create one, sign in with a lock-out, and refresh tokens that rotate.

A refresh token is 32 random bytes the client keeps; the database keeps its SHA-256 only, and each use
replaces it, so a stolen token works once at most and its theft shows when the owner's next use fails.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Final

from sqlalchemy import select
from sqlalchemy.orm import Session

from scoring.accounts.errors import AccountLockedError, InvalidAccountError, SignInError
from scoring.accounts.passwords import MIN_PASSWORD_LENGTH, hash_password, verify_password
from scoring.accounts.principal import Principal
from scoring.accounts.roles import NEEDS, Role
from scoring.storage import tables as t

MAX_FAILED_SIGN_INS: Final = 5  # in a row; then the account waits LOCK_OUT
LOCK_OUT: Final = timedelta(minutes=15)
REFRESH_TOKEN_LIFETIME: Final = timedelta(days=14)
USERNAME_MAX: Final = 64

_LINKS: Final = {  # the registry row each link must name
    "steward_id": t.Steward, "chief_id": t.Chief, "contractor_id": t.Contractor,
    "subdistrict_id": t.Subdistrict, "district_id": t.District,
}


@dataclass(frozen=True, slots=True)
class NewAccount:
    username: str
    password: str | None  # None: none yet; its holder sets one with an activation code (`activation`)
    role: Role
    steward_id: int | None = None
    chief_id: int | None = None
    contractor_id: int | None = None
    subdistrict_id: int | None = None
    district_id: int | None = None


def check_username(username: str) -> str:
    """The username as stored (stripped); InvalidAccountError for one that cannot be."""
    stripped = username.strip()
    if not stripped or len(stripped) > USERNAME_MAX or any(c.isspace() for c in stripped):
        raise InvalidAccountError(f"username {username!r}: 1 to {USERNAME_MAX} characters, no spaces")
    return stripped


def check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InvalidAccountError(f"a password needs at least {MIN_PASSWORD_LENGTH} characters")


def username_taken(session: Session, username: str) -> bool:
    return session.scalar(select(t.Account.id).where(t.Account.username == username)) is not None


def create_account(session: Session, new: NewAccount, *, now: datetime, password_hash: str | None = None) -> Principal:
    """Store an account; InvalidAccountError when it could not be one (see `roles.NEEDS`).

    `password_hash`: an argon2 hash made already, stored as it is: one many accounts share (the demo's:
    each hash costs a quarter of a second on purpose), or a sign-up's, whose password was checked when
    it was hashed. Without it, `new.password` is checked and hashed; with neither, the account has no
    password and cannot sign in until one is set."""
    username = check_username(new.username)
    if password_hash is None and new.password is not None:
        check_password(new.password)
        password_hash = hash_password(new.password)
    links = {name: getattr(new, name) for name in _LINKS}
    needed = NEEDS[new.role]
    given = {name for name, value in links.items() if value is not None}
    if given != ({needed} if needed else set()):
        wanted = f"exactly {needed}" if needed else "no registry link"
        raise InvalidAccountError(f"a {new.role.value} account takes {wanted}; got {sorted(given) or 'none'}")
    for name, value in links.items():
        if value is not None and session.get(_LINKS[name], value) is None:
            raise InvalidAccountError(f"{name} {value} is not in the registry")
    if username_taken(session, username):
        raise InvalidAccountError(f"username {username!r} is taken")
    for name in ("steward_id", "chief_id"):
        value = links[name]
        if value is not None and session.scalar(select(t.Account.id).where(getattr(t.Account, name) == value)):
            raise InvalidAccountError(f"{name} {value} has an account already")
    row = t.Account(username=username, password_hash=password_hash, role=new.role.value,
                    disabled=False, failed_sign_ins=0, created_at=now, **links)
    session.add(row)
    session.flush()
    return principal_of(row)


def sign_in(session: Session, username: str, password: str, *, now: datetime) -> Principal:
    """The account's principal if the password is right; counts failures and locks after too many."""
    row = session.scalar(select(t.Account).where(t.Account.username == username.strip()))
    if row is not None and row.locked_until is not None and row.locked_until > now:
        raise AccountLockedError(
            f"too many failed sign-ins: try again after {row.locked_until.isoformat(timespec='minutes')}, "
            "or ask your coordinator", row.locked_until)
    right = verify_password(password, row.password_hash if row is not None else None)
    if row is None or not right:
        if row is not None:  # the caller commits this before it answers: the count must outlive the refusal
            row.failed_sign_ins += 1
            if row.failed_sign_ins >= MAX_FAILED_SIGN_INS:
                row.locked_until, row.failed_sign_ins = now + LOCK_OUT, 0
        raise SignInError("wrong username or password")
    if row.disabled:
        raise SignInError("this account is disabled: ask your coordinator")
    row.failed_sign_ins, row.locked_until = 0, None
    return principal_of(row)


def principal_by_id(session: Session, account_id: int) -> Principal:
    """The principal of a signed-in account, checked again on every request (disabled since?)."""
    row = session.get(t.Account, account_id)
    if row is None or row.disabled:
        raise SignInError("this account no longer signs in: sign in again")
    return principal_of(row)


def issue_refresh_token(session: Session, account_id: int, *, now: datetime) -> str:
    token = secrets.token_urlsafe(32)
    session.add(t.RefreshToken(token_sha256=_digest(token), account_id=account_id, issued_at=now,
                               expires_at=now + REFRESH_TOKEN_LIFETIME))
    session.flush()
    return token


def use_refresh_token(session: Session, token: str, *, now: datetime) -> tuple[Principal, str]:
    """The token's principal and its replacement; the token itself is spent."""
    row = session.scalar(select(t.RefreshToken).where(t.RefreshToken.token_sha256 == _digest(token)))
    if row is None or row.used_at is not None or row.expires_at <= now:
        raise SignInError("this refresh token is not valid (used, expired or unknown): sign in again")
    row.used_at = now
    principal = principal_by_id(session, row.account_id)
    return principal, issue_refresh_token(session, row.account_id, now=now)


def principal_of(row: t.Account) -> Principal:
    return Principal(row.id, row.username, Role(row.role), row.steward_id, row.chief_id, row.contractor_id,
                     row.subdistrict_id, row.district_id)


def _digest(token: str) -> bytes:
    return hashlib.sha256(token.encode()).digest()
