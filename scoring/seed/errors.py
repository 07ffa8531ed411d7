"""The error tree of the registry data set, a branch of `scoring.errors.ScoringError`.

    SeedError
    ├── SeedIntegrityError (also ValueError): a data set that contradicts itself
    │   (a duplicate key, a reference to nothing, a checkpoint off its segment)
    └── UnknownKeyError (also KeyError): a lookup of a key the data set does not hold
"""

from __future__ import annotations

from scoring.errors import ScoringError


class SeedError(ScoringError):
    """Base of every error raised by `scoring.seed`."""


class SeedIntegrityError(SeedError, ValueError):
    """The data set is inconsistent; the message names the record and the broken rule."""


class UnknownKeyError(SeedError, KeyError):
    """A lookup asked for a key that is not in the data set."""

    def __str__(self) -> str:
        # KeyError's own __str__ quotes the message like a key; keep it readable.
        return str(self.args[0]) if self.args else ""
