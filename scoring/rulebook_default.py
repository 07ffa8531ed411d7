"""The rulebook the package ships (scoring/rulebook/default.toml), read once for every job that is
given none: the scorer, the patrol alerts and the explanations."""

from __future__ import annotations

from functools import lru_cache

from scoring.rulebook import RuleBook, load_rulebook


@lru_cache(maxsize=1)
def default_rulebook() -> RuleBook:
    """The shipped rulebook, parsed on first use."""
    return load_rulebook()
