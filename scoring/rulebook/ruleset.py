"""One rule set: every number and choice the daily engine reads, and its version.

A rule set is plain frozen data, checked when built (so one written in code is held to the same
rules as one read from the rulebook file). Its `version` is a short SHA-256 of its canonical content
— everything except its name and the date it takes effect — so the same rules always carry the same version and
any change gives a new one; the version is written on every points entry the rules produce.
"""

from __future__ import annotations

import enum
import hashlib
import json
from dataclasses import dataclass, field, fields, is_dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import cached_property
from itertools import pairwise
from typing import Final

from scoring.periods import PROGRAMME_TZ
from scoring.rulebook.calendar import BeyondCalendar, DayKind, day_kind
from scoring.rulebook.errors import RulebookError

VERSION_HEX_CHARS: Final = 12  # fits points_entries.ruleset_version (16); 48 bits is ample for a few rule sets
_MINUTES_PER_DAY: Final = 24 * 60


class CompletionMode(enum.StrEnum):
    ANY_ORDER = "any_order"
    IN_ORDER = "in_order"  # along the segment by position, from either end


@dataclass(frozen=True, slots=True)
class PatrolWindow:
    """A daily window in local (Asia/Shanghai) wall-clock time, [starts, ends)."""

    name: str
    label: str
    starts: time
    ends: time

    def contains(self, at: datetime) -> bool:
        local = at.astimezone(PROGRAMME_TZ).time()
        return self.starts <= local < self.ends

    def starts_at(self, day: date) -> datetime:
        """The window's first instant on `day`, in UTC (cheap to compare with stored instants)."""
        return datetime.combine(day, self.starts, PROGRAMME_TZ).astimezone(UTC)

    def ends_at(self, day: date) -> datetime:
        """The first instant after the window on `day`, in UTC."""
        return datetime.combine(day, self.ends, PROGRAMME_TZ).astimezone(UTC)


@dataclass(frozen=True, slots=True)
class StreakBonus:
    """`points` on the day a run of consecutive patrol days reaches `days` (and every multiple, if `repeat`)."""

    days: int
    points: int
    repeat: bool = False

    def reached(self, streak_days: int) -> bool:
        if self.repeat:
            return streak_days > 0 and streak_days % self.days == 0
        return streak_days == self.days


@dataclass(frozen=True, slots=True)
class Level:
    name: str  # shown to stewards: 见习管家, 小巷管家, 优秀管家, 金牌管家
    name_en: str
    min_points: int  # cumulative points from which the level holds


@dataclass(frozen=True, slots=True)
class DaySchedule:
    """What a kind of day asks of a steward.

    `expected_windows` are the windows a claimed segment should be patrolled in (they feed missed and
    late events and completion rates; patrols in any window earn points on any day). With
    `raise_events` false no missed or late patrol is raised that day. With `pauses_streak` true a day
    without a patrol neither breaks nor extends a streak.
    """

    expected_windows: tuple[str, ...]
    raise_events: bool
    pauses_streak: bool


@dataclass(frozen=True, slots=True)
class CalendarPolicy:
    workday: DaySchedule
    rest_day: DaySchedule
    public_holiday: DaySchedule
    beyond_known_years: BeyondCalendar = BeyondCalendar.WEEKENDS

    def schedule_for(self, day: date) -> DaySchedule:
        match day_kind(day, self.beyond_known_years):
            case DayKind.WORKDAY:
                return self.workday
            case DayKind.REST_DAY:
                return self.rest_day
            case DayKind.PUBLIC_HOLIDAY:
                return self.public_holiday
        raise AssertionError(day)  # pragma: no cover - the match is exhaustive


@dataclass(frozen=True, slots=True)
class Integrity:
    """Thresholds for flagging implausible check-ins (see scoring.rulebook.integrity)."""

    teleport_speed_m_per_s: float = 8.0  # faster than anyone runs down a hutong
    beacon_range_m: float = 10.0  # two beacons this close can both be heard from one spot
    scan_storm_max_checkins: int = 10
    scan_storm_window_seconds: int = 60


DEFAULT_WINDOWS: Final = (
    PatrolWindow("morning", "早巡", time(6, 0), time(11, 0)),
    PatrolWindow("evening", "晚巡", time(17, 0), time(21, 0)),
)
DEFAULT_LEVELS: Final = (
    Level("见习管家", "trainee steward", 0),
    Level("小巷管家", "lane steward", 50),
    Level("优秀管家", "excellent steward", 1000),
    Level("金牌管家", "gold steward", 2500),
)
DEFAULT_CALENDAR: Final = CalendarPolicy(
    workday=DaySchedule(("morning", "evening"), raise_events=True, pauses_streak=False),
    rest_day=DaySchedule(("morning",), raise_events=False, pauses_streak=False),
    public_holiday=DaySchedule(("morning",), raise_events=False, pauses_streak=True),
)


@dataclass(frozen=True)
class RuleSet:
    """The daily patrol's rules in force from `effective_from` until the next rule set's date."""

    effective_from: date = date(2017, 4, 10)
    name: str = "默认规则"
    windows: tuple[PatrolWindow, ...] = DEFAULT_WINDOWS
    community_windows: tuple[tuple[str, tuple[PatrolWindow, ...]], ...] = ()
    completion: CompletionMode = CompletionMode.ANY_ORDER
    segment_completion: tuple[tuple[str, CompletionMode], ...] = ()
    late_grace_minutes: int = 60
    max_walking_speed_m_per_s: float = 2.0
    checkpoint_visit_points: int = 1
    segment_patrol_points: int = 5
    streak_bonuses: tuple[StreakBonus, ...] = (StreakBonus(7, 3, repeat=True), StreakBonus(30, 10, repeat=True))
    levels: tuple[Level, ...] = DEFAULT_LEVELS
    max_points_per_day: int | None = 30
    max_points_per_week: int | None = 150
    calendar: CalendarPolicy = DEFAULT_CALENDAR
    integrity: Integrity = field(default_factory=Integrity)

    def __post_init__(self) -> None:
        _check_rule_set(self)

    @cached_property
    def version(self) -> str:
        """A short hash of the canonical content, recorded on every points entry these rules produce."""
        return hashlib.sha256(self.canonical_json().encode()).hexdigest()[:VERSION_HEX_CHARS]

    def canonical_json(self) -> str:
        content = _canonical(self)
        assert isinstance(content, dict)
        # The same rules from another date, or under another title, are the same rules.
        del content["effective_from"], content["name"]
        return json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"))

    def windows_for(self, community_key: str) -> tuple[PatrolWindow, ...]:
        return self._community_windows.get(community_key, self.windows)

    def completion_for(self, segment_key: str) -> CompletionMode:
        return self._segment_completion.get(segment_key, self.completion)

    def schedule_for(self, day: date) -> DaySchedule:
        return self.calendar.schedule_for(day)

    def level_for(self, cumulative_points: int) -> Level:
        reached = self.levels[0]
        for level in self.levels:
            if cumulative_points >= level.min_points:
                reached = level
        return reached

    @property
    def late_grace(self) -> timedelta:
        return timedelta(minutes=self.late_grace_minutes)

    @cached_property
    def _community_windows(self) -> dict[str, tuple[PatrolWindow, ...]]:
        return dict(self.community_windows)

    @cached_property
    def _segment_completion(self) -> dict[str, CompletionMode]:
        return dict(self.segment_completion)


def _canonical(value: object) -> object:
    if is_dataclass(value) and not isinstance(value, type):
        return {f.name: _canonical(getattr(value, f.name)) for f in fields(value)}
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, (tuple, list)):
        return [_canonical(v) for v in value]
    if isinstance(value, (date, time)):
        return value.isoformat()
    if isinstance(value, float):
        return repr(value)  # a string, so 2 and 2.0 cannot hash apart through a JSON encoder's choices
    return value


def _check_rule_set(rules: RuleSet) -> None:
    where = f"rule set {rules.name!r} (from {rules.effective_from})"
    _check_windows(rules.windows, f"{where}: windows", rules.late_grace_minutes)
    seen_communities: set[str] = set()
    for community, windows in rules.community_windows:
        if community in seen_communities:
            raise RulebookError(f"{where}: community {community!r} is overridden twice; keep one entry")
        seen_communities.add(community)
        _check_windows(windows, f"{where}: windows of community {community!r}", rules.late_grace_minutes)
    if len({key for key, _ in rules.segment_completion}) != len(rules.segment_completion):
        raise RulebookError(f"{where}: a segment's completion mode is given twice; keep one entry")
    if rules.late_grace_minutes < 0:
        raise RulebookError(f"{where}: late_grace_minutes is {rules.late_grace_minutes}; use 0 or more")
    _positive(where, "max_walking_speed_m_per_s", rules.max_walking_speed_m_per_s)
    for name in ("checkpoint_visit_points", "segment_patrol_points"):
        if getattr(rules, name) < 0:
            raise RulebookError(f"{where}: {name} is negative; points are never taken away by a rule")
    days = [b.days for b in rules.streak_bonuses]
    if len(set(days)) != len(days):
        raise RulebookError(f"{where}: two streak bonuses share the same days; merge them into one")
    for bonus in rules.streak_bonuses:
        _positive(where, "a streak bonus's days", bonus.days)
        _positive(where, f"the points of the {bonus.days}-day streak bonus", bonus.points)
    _check_levels(where, rules.levels)
    for cap in ("max_points_per_day", "max_points_per_week"):
        value = getattr(rules, cap)
        if value is not None:
            _positive(where, cap, value)
    names = {w.name for w in rules.windows}
    for kind in ("workday", "rest_day", "public_holiday"):
        schedule: DaySchedule = getattr(rules.calendar, kind)
        unknown = [w for w in schedule.expected_windows if w not in names]
        if unknown:
            raise RulebookError(
                f"{where}: calendar.{kind} expects window {unknown[0]!r}, which is not one of the windows "
                f"({', '.join(sorted(names))}); name a window the rule set defines"
            )
    integrity = rules.integrity
    _positive(where, "integrity.teleport_speed_m_per_s", integrity.teleport_speed_m_per_s)
    if integrity.beacon_range_m < 0:
        raise RulebookError(f"{where}: integrity.beacon_range_m is negative; use 0 or more metres")
    _positive(where, "integrity.scan_storm_max_checkins", integrity.scan_storm_max_checkins)
    _positive(where, "integrity.scan_storm_window_seconds", integrity.scan_storm_window_seconds)


def _check_windows(windows: tuple[PatrolWindow, ...], where: str, late_grace_minutes: int) -> None:
    if not windows:
        raise RulebookError(f"{where}: no patrol window; give at least one, like 早巡 06:00–11:00")
    if len({w.name for w in windows}) != len(windows):
        raise RulebookError(f"{where}: two windows share a name; each window needs its own name")
    for w in windows:
        if not w.ends > w.starts:
            raise RulebookError(
                f"{where}: window {w.name!r} ends at {w.ends:%H:%M}, not after it starts at {w.starts:%H:%M}; "
                f"a window lies within one day, so split one that crosses midnight"
            )
        if w.ends.hour * 60 + w.ends.minute + late_grace_minutes > _MINUTES_PER_DAY:
            raise RulebookError(
                f"{where}: window {w.name!r} ends at {w.ends:%H:%M} and its {late_grace_minutes}-minute grace "
                f"runs past midnight; end the window earlier or shorten late_grace_minutes"
            )
    ordered = sorted(windows, key=lambda w: w.starts)
    for before, after in pairwise(ordered):
        if after.starts < before.ends:
            raise RulebookError(
                f"{where}: windows {before.name!r} and {after.name!r} overlap; one visit may count in one window only"
            )


def _check_levels(where: str, levels: tuple[Level, ...]) -> None:
    if not levels or levels[0].min_points != 0:
        raise RulebookError(f"{where}: the first level must start at min_points = 0 so every steward has a level")
    for before, after in pairwise(levels):
        if after.min_points <= before.min_points:
            raise RulebookError(
                f"{where}: level {after.name!r} starts at {after.min_points}, not above {before.name!r} "
                f"({before.min_points}); list levels from lowest to highest"
            )
    if len({lv.name for lv in levels}) != len(levels):
        raise RulebookError(f"{where}: two levels share a name")


def _positive(where: str, name: str, value: float) -> None:
    if not value > 0:
        raise RulebookError(f"{where}: {name} is {value}; it must be greater than 0")
