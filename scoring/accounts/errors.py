"""Accounts' errors (drawn in scoring.errors).

AccountError
├── SignInError          wrong username or password, or a refresh token that is no longer valid
├── AccountLockedError   too many failed sign-ins in a row: wait, or ask a coordinator
├── InvalidAccountError  an account that cannot exist: a role without its registry person or area
├── ActivationError      an activation code that is used, expired, unknown or not this username's
└── AlreadyActivatedError  the account has its password already: it signs in, it needs no code
"""

from __future__ import annotations

from datetime import datetime

from scoring.errors import ScoringError


class AccountError(ScoringError):
    pass


class SignInError(AccountError, PermissionError):
    """Says nothing about which part was wrong: a username that exists is not a secret to leak."""


class AccountLockedError(AccountError, PermissionError):
    def __init__(self, message: str, until: datetime) -> None:
        super().__init__(message)
        self.until = until


class InvalidAccountError(AccountError, ValueError):
    pass


class ActivationError(AccountError, PermissionError):
    """Says nothing about which part was wrong, as SignInError."""


class AlreadyActivatedError(AccountError):
    pass
