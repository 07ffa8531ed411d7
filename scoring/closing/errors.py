"""The closing jobs' errors.

ClosingError (a ScoringError)
├── PeriodNotEndedError     the period asked for has not ended yet: close it after its last day
├── ClosingPolicyError      a CyclePolicy value is out of range
├── IssuerKeyMissingError   no issuer seed was given for a subdistrict that has award winners
├── PeriodNotClosedError    a closed period's outputs were asked for, but it has not ended or not been closed yet
├── NoDocumentError         the period is closed, but it holds no such document (no bulletin for that
│                           subdistrict, no award for that steward), or the period lies before the ledger
└── DocumentMissingError    a document the closing job recorded is not in its folder, or not as recorded
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


class PeriodNotClosedError(ClosingError, LookupError):
    pass


class NoDocumentError(ClosingError, LookupError):
    pass


class DocumentMissingError(ClosingError, OSError):
    """The operator's to fix (a moved output folder, a lost disk), never the caller's."""
