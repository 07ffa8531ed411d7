"""The rulebook's errors, under the scoring package's tree.

ScoringError
└── RulebookError            a rulebook file, or a call into the engine, is wrong; the message says how to fix it
    ├── NoRuleSetError       no rule set is in force on the day asked for
    ├── ScoringOrderError    a day was scored on a history that already covers it
    └── MissingPositionError a claimed segment lacks the position of a checkpoint the rules need
"""

from __future__ import annotations

from scoring.errors import ScoringError


class RulebookError(ScoringError, ValueError):
    """A rulebook file is invalid, or the engine was given inputs the rules cannot judge."""


class NoRuleSetError(RulebookError, LookupError):
    pass


class ScoringOrderError(RulebookError):
    pass


class MissingPositionError(RulebookError):
    pass
