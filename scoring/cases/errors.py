"""The work ledger's errors.

CaseError (ScoringError)
├── UnknownCaseError          no case with that id
├── InvalidCaseInputError     a report or request that cannot be recorded as given
└── IllegalTransitionError    the workflow does not allow that change from the case's state

An actor who may not make a change on a lane gets scoring.errors.NotAuthorisedError.
"""

from __future__ import annotations

from scoring.errors import ScoringError


class CaseError(ScoringError):
    """Base of the work ledger's errors."""


class UnknownCaseError(CaseError, LookupError):
    pass


class InvalidCaseInputError(CaseError, ValueError):
    pass


class IllegalTransitionError(CaseError):
    pass
