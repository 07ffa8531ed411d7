"""The exports' errors::

    ExportError (ScoringError)
    ├── ExportTooLargeError     more rows than one export may hold: narrow the period or the area
    └── InvalidExportError      filters that contradict each other
"""

from __future__ import annotations

from scoring.errors import ScoringError


class ExportError(ScoringError):
    """Base of the exports' errors."""


class ExportTooLargeError(ExportError):
    def __init__(self, message: str, *, limit: int) -> None:
        super().__init__(message)
        self.limit = limit


class InvalidExportError(ExportError, ValueError):
    pass
