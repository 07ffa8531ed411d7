"""The closing jobs' errors.

ClosingError (a ScoringError)
├── PeriodNotEndedError     the period asked for has not ended yet: close it after its last day
├── ClosingPolicyError      a CyclePolicy value is out of range
└── IssuerKeyMissingError   no issuer seed was given for a subdistrict that has award winners
"""

from __future__ import annotations

from scoring.errors import ScoringError


class ClosingError(ScoringError):
    """Base of the closing jobs' errors."""


class PeriodNotEndedError(ClosingError, ValueError):
    pass


class ClosingPolicyError(ClosingError, ValueError):
    pass


class IssuerKeyMissingError(ClosingError, LookupError):
    pass
