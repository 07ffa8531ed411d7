"""The reports package's errors.

ReportError(ScoringError)
└── ReportDataError   the data handed to a renderer is inconsistent (an unknown case category or
                      state, more patrols completed than due, a negative count); fix the query
                      that filled the dataclass, the renderer never guesses
"""

from __future__ import annotations

from scoring.errors import ScoringError


class ReportError(ScoringError):
    """Base of every error raised while rendering bulletins, award reports and certificates."""


class ReportDataError(ReportError, ValueError):
    pass
