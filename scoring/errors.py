"""The scoring package's errors.

ScoringError
├── UnknownPeriodError   a period kind or date the caller asked for does not exist
├── UnknownScopeError    a leaderboard scope or its id is not in the registry
└── StorageError
    └── StorageUnavailableError   the database is unreachable (restarting, network): retry later
"""

from __future__ import annotations


class ScoringError(Exception):
    """Base of every error raised by the scoring package."""


class UnknownPeriodError(ScoringError, ValueError):
    pass


class UnknownScopeError(ScoringError, LookupError):
    pass


class StorageError(ScoringError):
    pass


class StorageUnavailableError(StorageError):
    """The database could not be reached; nothing was written. Retrying the same call is safe."""
