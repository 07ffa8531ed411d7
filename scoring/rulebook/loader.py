"""The rulebook file (TOML): read it, check every key, and resolve it into dated rule sets.

A rulebook is a list of `[[ruleset]]` tables, each with an `effective_from` date, in date order. A
rule set lists only what changes from the one before it (tables merge key by key, arrays and plain
values replace), unless it says `inherit = false`, in which case it starts again from the built-in
defaults. So rules change from a date forward and the entries of earlier days keep the version of
the rules that made them. Anything the first rule set leaves out takes the built-in default of
`RuleSet`. See default.toml beside this module for every key, with comments.
"""

from __future__ import annotations

import bisect
import enum
import logging
import tomllib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time
from importlib import resources
from itertools import pairwise
from pathlib import Path
from typing import Any, Final, TypeVar

from scoring.rulebook.calendar import BeyondCalendar
from scoring.rulebook.errors import NoRuleSetError, RulebookError
from scoring.rulebook.ruleset import (
    DEFAULT_CALENDAR,
    CalendarPolicy,
    CompletionMode,
    DaySchedule,
    Integrity,
    Level,
    PatrolWindow,
    RuleSet,
    StreakBonus,
)

log = logging.getLogger(__name__)

DEFAULT_RULEBOOK: Final = "default.toml"
_HEADER_KEYS: Final = ("effective_from", "name", "inherit")

T = TypeVar("T")


@dataclass(frozen=True)
class RuleBook:
    """Rule sets in effective-date order; the one in force on a day is the last that started by then."""

    rule_sets: tuple[RuleSet, ...]
    source: str = "<code>"
    # The [cycle] table as written (月评 stars, 年度金牌管家 eligibility and sizes); scoring.closing
    # reads it into its CyclePolicy and checks every key there.
    cycle: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not self.rule_sets:
            raise RulebookError(f"{self.source}: the rulebook has no rule set; add a [[ruleset]] with effective_from")
        for before, after in pairwise(self.rule_sets):
            if after.effective_from <= before.effective_from:
                raise RulebookError(
                    f"{self.source}: rule set {after.name!r} takes effect on {after.effective_from}, not after "
                    f"{before.name!r} ({before.effective_from}); list rule sets in date order, one per date"
                )

    @classmethod
    def of(cls, *rule_sets: RuleSet) -> RuleBook:
        return cls(tuple(rule_sets))

    def rules_for(self, day: date) -> RuleSet:
        starts = [r.effective_from for r in self.rule_sets]
        i = bisect.bisect_right(starts, day)
        if i == 0:
            raise NoRuleSetError(
                f"no rule set is in force on {day}: the rulebook ({self.source}) starts on {starts[0]}; "
                f"add a rule set with an earlier effective_from to score that day"
            )
        return self.rule_sets[i - 1]

    def find(self, version: str) -> RuleSet | None:
        """The rule set with this version, or None (several dates may share one version: the first is returned)."""
        return next((rules for rules in self.rule_sets if rules.version == version), None)

    def by_version(self, version: str) -> RuleSet:
        rules = self.find(version)
        if rules is not None:
            return rules
        raise NoRuleSetError(
            f"no rule set with version {version!r} in {self.source}: an entry's rules were removed from the "
            f"rulebook; restore that rule set (history is never rewritten, so its entries still name it)"
        )

    def __iter__(self) -> Iterator[RuleSet]:
        return iter(self.rule_sets)


def load_rulebook(path: str | Path | None = None) -> RuleBook:
    """The rulebook at `path`, or the one shipped with the package when `path` is None."""
    if path is None:
        text = resources.files("scoring.rulebook").joinpath(DEFAULT_RULEBOOK).read_text(encoding="utf-8")
        return parse_rulebook(text, source=f"scoring/rulebook/{DEFAULT_RULEBOOK}")
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as e:
        raise RulebookError(f"cannot read the rulebook {path}: {e.strerror}; check the path and its permissions") from e
    except UnicodeDecodeError:
        raise RulebookError(f"the rulebook {path} is not UTF-8 text; save it as UTF-8") from None
    return parse_rulebook(text, source=str(path))


def parse_rulebook(text: str, source: str = "<string>") -> RuleBook:
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        raise RulebookError(f"{source} is not valid TOML ({e}); fix the syntax at that line") from None
    top = _Table(document, source)
    raw_sets = top.get("ruleset", list, [])
    cycle = top.get("cycle", dict, {})
    top.finish()
    if not raw_sets:
        raise RulebookError(f"{source}: no [[ruleset]] table; a rulebook needs at least one rule set")
    rule_sets: list[RuleSet] = []
    body: dict[str, Any] = {}
    for n, raw in enumerate(raw_sets, start=1):
        where = f"{source}: [[ruleset]] #{n}"
        if not isinstance(raw, dict):
            raise RulebookError(f"{where} is not a table; write it as [[ruleset]]")
        header = _Table({k: raw[k] for k in _HEADER_KEYS if k in raw}, where)
        effective_from = header.get("effective_from", date, None)
        if effective_from is None or isinstance(effective_from, datetime):
            raise RulebookError(f"{where} has no effective_from date; add one like effective_from = 2017-04-10")
        name = header.get("name", str, f"自{effective_from.isoformat()}起")
        inherit = header.get("inherit", bool, True)
        own = {k: v for k, v in raw.items() if k not in _HEADER_KEYS}
        if n == 1 or not inherit:
            body = own
        else:
            body = _merge(body, own)
        rule_sets.append(_rule_set(body, effective_from, name, f"{where} ({name})"))
    book = RuleBook(tuple(rule_sets), source, cycle)
    log.debug("rulebook %s: %s", source, ", ".join(f"{r.effective_from} {r.version}" for r in book))
    return book


def _merge(base: Mapping[str, Any], override: Mapping[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = _merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def _rule_set(body: Mapping[str, Any], effective_from: date, name: str, where: str) -> RuleSet:
    table = _Table(body, where)
    values: dict[str, Any] = {"effective_from": effective_from, "name": name}

    windows = table.get("windows", dict, None)
    if windows is not None:
        values["windows"] = _windows(windows, f"{where} [windows]")
    communities = table.get("communities", dict, {})
    values["community_windows"] = tuple(
        (key, _community_windows(raw, f"{where} [communities.{key!r}]")) for key, raw in sorted(communities.items())
    )

    patrol = table.sub("patrol")
    _put(values, "completion", patrol.get("completion", str, None), lambda v: _completion(v, patrol.where))
    _put(values, "late_grace_minutes", patrol.get("late_grace_minutes", int, None))
    _put(values, "max_walking_speed_m_per_s", patrol.get("max_walking_speed_m_per_s", float, None))
    patrol.finish()

    segments = table.get("segments", dict, {})
    completions = []
    for key, raw in sorted(segments.items()):
        seg = _Table(_expect_table(raw, f"{where} [segments.{key!r}]"), f"{where} [segments.{key!r}]")
        mode = seg.get("completion", str, None)
        if mode is None:
            raise RulebookError(f"{seg.where} has no completion; write completion = \"in_order\" or \"any_order\"")
        completions.append((key, _completion(mode, seg.where)))
        seg.finish()
    values["segment_completion"] = tuple(completions)

    points = table.sub("points")
    _put(values, "checkpoint_visit_points", points.get("checkpoint_visit", int, None))
    _put(values, "segment_patrol_points", points.get("segment_patrol", int, None))
    points.finish()

    streaks = table.get("streak_bonuses", list, None)
    if streaks is not None:
        values["streak_bonuses"] = tuple(
            _streak(raw, f"{where} [[streak_bonuses]] #{i}") for i, raw in enumerate(streaks, 1)
        )
    levels = table.get("levels", list, None)
    if levels is not None:
        values["levels"] = tuple(_level(raw, f"{where} [[levels]] #{i}") for i, raw in enumerate(levels, 1))

    caps = table.sub("caps")
    _put(values, "max_points_per_day", caps.get("max_points_per_day", int, None))
    _put(values, "max_points_per_week", caps.get("max_points_per_week", int, None))
    caps.finish()

    calendar = table.sub("calendar")
    default_calendar = DEFAULT_CALENDAR
    beyond = calendar.get("beyond_known_years", str, default_calendar.beyond_known_years.value)
    values["calendar"] = CalendarPolicy(
        workday=_schedule(calendar, "workday", default_calendar.workday),
        rest_day=_schedule(calendar, "rest_day", default_calendar.rest_day),
        public_holiday=_schedule(calendar, "public_holiday", default_calendar.public_holiday),
        beyond_known_years=_choice(BeyondCalendar, beyond, f"{calendar.where} beyond_known_years"),
    )
    calendar.finish()

    integrity = table.sub("integrity")
    base = Integrity()
    values["integrity"] = Integrity(
        teleport_speed_m_per_s=integrity.get("teleport_speed_m_per_s", float, base.teleport_speed_m_per_s),
        beacon_range_m=integrity.get("beacon_range_m", float, base.beacon_range_m),
        scan_storm_max_checkins=integrity.get("scan_storm_max_checkins", int, base.scan_storm_max_checkins),
        scan_storm_window_seconds=integrity.get("scan_storm_window_seconds", int, base.scan_storm_window_seconds),
    )
    integrity.finish()
    table.finish()
    try:
        return RuleSet(**values)
    except RulebookError as e:
        raise RulebookError(f"{where}: {e}") from None


def _put(values: dict[str, Any], name: str, value: T | None, convert: Any = None) -> None:
    if value is not None:
        values[name] = convert(value) if convert else value


def _windows(raw: Mapping[str, Any], where: str) -> tuple[PatrolWindow, ...]:
    windows = []
    for name, spec in raw.items():
        w = _Table(_expect_table(spec, f"{where}.{name}"), f"{where}.{name}")
        starts, ends = w.get("starts", time, None), w.get("ends", time, None)
        if starts is None or ends is None:
            raise RulebookError(f"{w.where} needs starts and ends, like starts = \"06:00\" and ends = \"11:00\"")
        windows.append(PatrolWindow(name, w.get("label", str, name), starts, ends))
        w.finish()
    return tuple(sorted(windows, key=lambda w: (w.starts, w.name)))


def _community_windows(raw: object, where: str) -> tuple[PatrolWindow, ...]:
    community = _Table(_expect_table(raw, where), where)
    windows = community.get("windows", dict, None)
    if windows is None:
        raise RulebookError(f"{where} overrides nothing; give it a windows table or remove it")
    community.finish()
    return _windows(windows, f"{where} [windows]")


def _streak(raw: object, where: str) -> StreakBonus:
    table = _Table(_expect_table(raw, where), where)
    days, points = table.get("days", int, None), table.get("points", int, None)
    if days is None or points is None:
        raise RulebookError(f"{where} needs days and points, like days = 7 and points = 3")
    bonus = StreakBonus(days, points, table.get("repeat", bool, False))
    table.finish()
    return bonus


def _level(raw: object, where: str) -> Level:
    table = _Table(_expect_table(raw, where), where)
    name, min_points = table.get("name", str, None), table.get("min_points", int, None)
    if name is None or min_points is None:
        raise RulebookError(f"{where} needs name and min_points, like name = \"小巷管家\" and min_points = 50")
    level = Level(name, table.get("name_en", str, name), min_points)
    table.finish()
    return level


def _schedule(calendar: _Table, kind: str, default: DaySchedule) -> DaySchedule:
    table = calendar.sub(kind)
    expected = table.get("expected_windows", list, None)
    if expected is not None and not all(isinstance(w, str) for w in expected):
        raise RulebookError(f"{table.where} expected_windows lists window names, like [\"morning\", \"evening\"]")
    schedule = DaySchedule(
        expected_windows=tuple(expected) if expected is not None else default.expected_windows,
        raise_events=table.get("raise_events", bool, default.raise_events),
        pauses_streak=table.get("pauses_streak", bool, default.pauses_streak),
    )
    table.finish()
    return schedule


def _completion(value: str, where: str) -> CompletionMode:
    return _choice(CompletionMode, value, f"{where} completion")


E = TypeVar("E", bound=enum.Enum)


def _choice(kind: type[E], value: str, where: str) -> E:
    try:
        return kind(value)
    except ValueError:
        allowed = ", ".join(f'"{m.value}"' for m in kind)
        raise RulebookError(f"{where} is {value!r}; use one of {allowed}") from None


def _expect_table(raw: object, where: str) -> dict[str, Any]:
    if not isinstance(raw, dict):
        raise RulebookError(f"{where} must be a table of keys, got {type(raw).__name__}")
    return raw


class _Table:
    """One TOML table being read: typed access, and a complaint naming any key nobody read."""

    def __init__(self, raw: Mapping[str, Any], where: str) -> None:
        self.raw = raw
        self.where = where
        self.read: set[str] = set()

    def get(self, key: str, kind: type[T], default: T | None) -> T | Any:
        self.read.add(key)
        if key not in self.raw:
            return default
        value = self.raw[key]
        return _coerce(value, kind, f"{self.where} {key}")

    def sub(self, key: str) -> _Table:
        raw = self.get(key, dict, {})
        return _Table(raw, f"{self.where} [{key}]")

    def finish(self) -> None:
        unknown = sorted(set(self.raw) - self.read)
        if unknown:
            known = ", ".join(sorted(self.read)) or "none"
            raise RulebookError(f"{self.where}: unknown key {unknown[0]!r}; the keys allowed here are: {known}")


def _coerce(value: object, kind: type, where: str) -> object:
    if kind is float and isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value)
    if kind is int and isinstance(value, int) and not isinstance(value, bool):
        return value
    if kind is time:
        if isinstance(value, time):
            return value
        if isinstance(value, str):
            try:
                return time.fromisoformat(value)
            except ValueError:
                pass
        raise RulebookError(f"{where} is {value!r}; write a local time like \"06:00\"")
    if kind is date and isinstance(value, date):
        return value
    if kind in (str, bool, list, dict) and isinstance(value, kind):
        return value
    names = {int: "a whole number", float: "a number", str: "a string", bool: "true or false", list: "an array",
             dict: "a table", date: "a date like 2017-04-10"}
    raise RulebookError(f"{where} is {value!r}; it must be {names.get(kind, kind.__name__)}")
