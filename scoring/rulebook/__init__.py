"""The rulebook and the daily scoring engine of the steward cycle (日巡), as pure code.

- `load_rulebook(path | None) -> RuleBook`: dated rule sets from TOML (default.toml when None);
  `RuleBook.rules_for(day) -> RuleSet`; every RuleSet has a content-hash `version`.
- `score_day(...) -> DayResult` / `score_steward(...) -> StewardResult`: points entries with
  pacing, completion modes, streaks and caps, carrying a small `History` from day to day.
- `flag_visits(...) -> list[Flag]`: implausible check-ins, withheld from points by key.
- `patrol_events(...) -> list[PatrolEvent]` and the `Notifier` port: missed and late patrols.
- `explain(entries) -> list[Explanation]`: which check-ins earned which points, in Chinese.

Entry keys and evidence (natural keys "band/boot/seq") are the ledger's since the first two rules.
"""

from __future__ import annotations

from scoring.rulebook.calendar import BeyondCalendar, DayKind, day_kind
from scoring.rulebook.caps import CAP_DAY, CAP_WEEK, CapRoom, Grant
from scoring.rulebook.engine import (
    DayResult,
    History,
    StewardResult,
    group_by_day,
    level_for,
    score_day,
    score_steward,
    week_of,
)
from scoring.rulebook.errors import MissingPositionError, NoRuleSetError, RulebookError, ScoringOrderError
from scoring.rulebook.events import (
    ExpectedPatrol,
    LoggingNotifier,
    Notifier,
    OutboxNotifier,
    PatrolEvent,
    PatrolEventKind,
    expected_patrols,
    patrol_events,
)
from scoring.rulebook.explain import Explanation, explain, explain_day
from scoring.rulebook.integrity import CheckpointPosition, Flag, FlagKind, flag_visits, withheld_keys
from scoring.rulebook.loader import RuleBook, load_rulebook, parse_rulebook
from scoring.rulebook.model import (
    RULE_CHECKPOINT_VISIT,
    RULE_SEGMENT_PATROL,
    RULE_STREAK_BONUS,
    ClaimedSegment,
    EntryDraft,
    Visit,
)
from scoring.rulebook.ruleset import (
    CalendarPolicy,
    CompletionMode,
    DaySchedule,
    Integrity,
    Level,
    PatrolWindow,
    RuleSet,
    StreakBonus,
)

__all__ = [
    "CAP_DAY", "CAP_WEEK", "RULE_CHECKPOINT_VISIT", "RULE_SEGMENT_PATROL", "RULE_STREAK_BONUS",
    "BeyondCalendar", "CalendarPolicy", "CapRoom", "CheckpointPosition", "ClaimedSegment", "CompletionMode", "DayKind",
    "DayResult", "DaySchedule", "EntryDraft", "ExpectedPatrol", "Explanation", "Flag", "FlagKind", "Grant", "History",
    "Integrity", "Level", "LoggingNotifier", "MissingPositionError", "NoRuleSetError", "Notifier",
    "OutboxNotifier", "PatrolEvent", "PatrolEventKind", "PatrolWindow", "RuleBook", "RuleSet", "RulebookError",
    "ScoringOrderError", "StewardResult", "StreakBonus", "Visit", "day_kind", "expected_patrols", "explain",
    "explain_day", "flag_visits", "group_by_day", "level_for", "load_rulebook", "parse_rulebook", "patrol_events",
    "score_day", "score_steward", "week_of", "withheld_keys",
]
