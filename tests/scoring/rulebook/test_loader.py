"""The rulebook file: the shipped default, dated rule sets, inheritance, versions, and bad files."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, time
from pathlib import Path

import pytest

from scoring.rulebook import (
    CompletionMode,
    NoRuleSetError,
    PatrolWindow,
    RuleBook,
    RulebookError,
    RuleSet,
    load_rulebook,
    parse_rulebook,
)

HEAD = '[[ruleset]]\neffective_from = 2017-04-10\n'


def test_the_default_rulebook_follows_the_source() -> None:
    book = load_rulebook()
    rules = book.rules_for(date(2017, 5, 3))
    assert [(w.label, w.starts, w.ends) for w in rules.windows] == [
        ("早巡", time(6), time(11)), ("晚巡", time(17), time(21)),
    ]
    assert [w.ends for w in rules.windows_for("longtan/xingfu")] == [time(11), time(21, 30)]
    assert rules.windows_for("some/other-community") == rules.windows
    assert rules.completion_for("longtan/xingfu/fuguang-lu/s1") is CompletionMode.IN_ORDER
    assert rules.completion_for("longtan/xingfu/xingfu-beili/s1") is CompletionMode.ANY_ORDER
    assert rules.max_walking_speed_m_per_s == 2.0
    assert [lv.name for lv in rules.levels] == ["见习管家", "小巷管家", "优秀管家", "金牌管家"]
    assert [(b.days, b.points) for b in rules.streak_bonuses] == [(7, 3), (30, 10)]
    assert (rules.max_points_per_day, rules.max_points_per_week) == (30, 150)
    assert rules.calendar.public_holiday.expected_windows == ("morning",)
    assert not rules.calendar.public_holiday.raise_events


def test_a_file_on_disk_loads_like_the_default(tmp_path: Path) -> None:
    path = tmp_path / "rules.toml"
    path.write_text(HEAD + '[ruleset.points]\nsegment_patrol = 6\n', encoding="utf-8")
    book = load_rulebook(path)
    assert book.source == str(path)
    assert book.rules_for(date(2017, 5, 3)).segment_patrol_points == 6


def test_unreadable_file_says_which() -> None:
    with pytest.raises(RulebookError, match="cannot read the rulebook /nonexistent/rules.toml"):
        load_rulebook("/nonexistent/rules.toml")


def test_left_out_keys_take_the_built_in_defaults() -> None:
    rules = parse_rulebook(HEAD).rule_sets[0]
    assert rules == RuleSet(effective_from=date(2017, 4, 10), name="自2017-04-10起")
    assert rules.version == RuleSet().version


def test_version_is_the_hash_of_content_not_of_text_name_or_date() -> None:
    a = parse_rulebook(HEAD + 'name = "x"\n[ruleset.points]\nsegment_patrol = 5\n').rule_sets[0]
    b = parse_rulebook(
        '# a comment\n[[ruleset]]\nname = "y"\neffective_from = 2018-01-01\n\n[ruleset.points]\nsegment_patrol   = 5\n'
    ).rule_sets[0]
    assert a.version == b.version
    assert len(a.version) == 12
    assert replace(a, segment_patrol_points=6).version != a.version
    assert replace(a, max_walking_speed_m_per_s=2.5).version != a.version
    later = (PatrolWindow("morning", "早巡", time(6, 30), time(11)), a.windows[1])
    assert replace(a, windows=later).version != a.version
    assert replace(a, late_grace_minutes=30).version != a.version


def test_speed_written_as_an_integer_is_the_same_rule() -> None:
    a = parse_rulebook(HEAD + "[ruleset.patrol]\nmax_walking_speed_m_per_s = 2\n").rule_sets[0]
    b = parse_rulebook(HEAD + "[ruleset.patrol]\nmax_walking_speed_m_per_s = 2.0\n").rule_sets[0]
    assert a.version == b.version


def test_later_rule_sets_inherit_and_change_from_their_date() -> None:
    book = parse_rulebook(
        HEAD
        + '[ruleset.points]\ncheckpoint_visit = 2\nsegment_patrol = 5\n'
        + '[ruleset.caps]\nmax_points_per_day = 40\n'
        + '[[ruleset]]\neffective_from = 2017-07-01\nname = "下半年"\n[ruleset.points]\nsegment_patrol = 6\n'
        + '[[ruleset]]\neffective_from = 2018-01-01\ninherit = false\n'
    )
    first, second, third = book.rule_sets
    assert (first.checkpoint_visit_points, first.segment_patrol_points) == (2, 5)
    assert (second.checkpoint_visit_points, second.segment_patrol_points) == (2, 6)
    assert second.max_points_per_day == 40
    assert (third.checkpoint_visit_points, third.max_points_per_day) == (1, 30)
    assert book.rules_for(date(2017, 6, 30)) is first
    assert book.rules_for(date(2017, 7, 1)) is second
    assert book.rules_for(date(2019, 1, 1)) is third
    assert book.by_version(second.version) is second
    assert len({first.version, second.version, third.version}) == 3


def test_no_rules_before_the_first_date() -> None:
    with pytest.raises(NoRuleSetError, match="starts on 2017-04-10"):
        load_rulebook().rules_for(date(2017, 4, 9))
    with pytest.raises(NoRuleSetError, match="restore that rule set"):
        load_rulebook().by_version("000000000000")


BAD = [
    ("not TOML", "[[ruleset]\n", "not valid TOML"),
    ("no rule set", "", "no \\[\\[ruleset\\]\\]"),
    ("unknown top-level key", HEAD + "[ruleset.pointz]\nx = 1\n", "unknown key 'pointz'"),
    ("unknown key in a section", HEAD + "[ruleset.points]\nsegment = 5\n", "unknown key 'segment'.*checkpoint_visit"),
    ("unknown root key", "title = 'x'\n" + HEAD, "unknown key 'title'"),
    ("no effective_from", "[[ruleset]]\nname = 'x'\n", "no effective_from"),
    ("effective_from a datetime", "[[ruleset]]\neffective_from = 2017-04-10T00:00:00\n", "no effective_from"),
    (
        "window ends before it starts",
        HEAD + '[ruleset.windows.morning]\nstarts = "11:00"\nends = "06:00"\n',
        "window 'morning' ends at 06:00, not after it starts at 11:00",
    ),
    (
        "windows overlap",
        HEAD + '[ruleset.windows.a]\nstarts = "06:00"\nends = "11:00"\n'
        + '[ruleset.windows.b]\nstarts = "10:00"\nends = "12:00"\n'
        + '[ruleset.calendar.workday]\nexpected_windows = ["a"]\n[ruleset.calendar.rest_day]\nexpected_windows = []\n'
        + '[ruleset.calendar.public_holiday]\nexpected_windows = []\n',
        "overlap",
    ),
    ("bad time", HEAD + '[ruleset.windows.morning]\nstarts = "6am"\nends = "11:00"\n', "write a local time"),
    ("window without an end", HEAD + '[ruleset.windows.morning]\nstarts = "06:00"\n', "needs starts and ends"),
    ("unknown completion", HEAD + '[ruleset.patrol]\ncompletion = "zigzag"\n',
     "use one of \"any_order\", \"in_order\""),
    ("segment without mode", HEAD + '[ruleset.segments."s"]\nmode = "in_order"\n', "has no completion"),
    ("points of the wrong type", HEAD + '[ruleset.points]\nsegment_patrol = "5"\n', "must be a whole number"),
    ("bool is not a number", HEAD + '[ruleset.points]\nsegment_patrol = true\n', "must be a whole number"),
    ("negative points", HEAD + '[ruleset.points]\nsegment_patrol = -1\n', "negative"),
    ("zero speed", HEAD + '[ruleset.patrol]\nmax_walking_speed_m_per_s = 0\n', "greater than 0"),
    ("zero cap", HEAD + '[ruleset.caps]\nmax_points_per_day = 0\n', "max_points_per_day is 0"),
    (
        "levels out of order",
        HEAD + '[[ruleset.levels]]\nname = "a"\nmin_points = 0\n[[ruleset.levels]]\nname = "b"\nmin_points = 0\n',
        "list levels from lowest to highest",
    ),
    ("first level above zero", HEAD + '[[ruleset.levels]]\nname = "a"\nmin_points = 5\n', "min_points = 0"),
    ("streak without points", HEAD + '[[ruleset.streak_bonuses]]\ndays = 7\n', "needs days and points"),
    (
        "two bonuses on one length",
        HEAD + '[[ruleset.streak_bonuses]]\ndays = 7\npoints = 1\n[[ruleset.streak_bonuses]]\ndays = 7\npoints = 2\n',
        "share the same days",
    ),
    ("expected window unknown", HEAD + '[ruleset.calendar.workday]\nexpected_windows = ["noon"]\n',
     "expects window 'noon'"),
    ("unknown calendar fallback", HEAD + '[ruleset.calendar]\nbeyond_known_years = "guess"\n',
     "\"weekends\", \"error\""),
    (
        "grace past midnight",
        HEAD + '[ruleset.windows.evening]\nstarts = "20:00"\nends = "23:30"\n'
        + '[ruleset.calendar.workday]\nexpected_windows = ["evening"]\n'
        + '[ruleset.calendar.rest_day]\nexpected_windows = []\n'
        + '[ruleset.calendar.public_holiday]\nexpected_windows = []\n',
        "grace runs past midnight",
    ),
    ("community without windows", HEAD + '[ruleset.communities."c"]\n', "overrides nothing"),
    (
        "unknown key in a community",
        HEAD + '[ruleset.communities."c"]\nx = 1\n[ruleset.communities."c".windows.morning]\nstarts = "06:00"\n'
        + 'ends = "11:00"\n',
        "unknown key 'x'",
    ),
    (
        "dates out of order",
        HEAD + '[[ruleset]]\neffective_from = 2017-01-01\n',
        "list rule sets in date order",
    ),
    ("two sets on one date", HEAD + HEAD, "list rule sets in date order"),
]


@pytest.mark.parametrize(("name", "text", "message"), BAD, ids=[b[0] for b in BAD])
def test_bad_rulebooks_say_what_to_fix(name: str, text: str, message: str) -> None:
    with pytest.raises(RulebookError, match=message):
        parse_rulebook(text, source="rules.toml")


def test_errors_name_the_file_and_the_rule_set() -> None:
    with pytest.raises(RulebookError, match=r"rules.toml: \[\[ruleset\]\] #2 \(春\)"):
        parse_rulebook(HEAD + '[[ruleset]]\neffective_from = 2018-01-01\nname = "春"\n[ruleset.caps]\nmax = 1\n',
                       source="rules.toml")


def test_rule_sets_built_in_code_are_checked_too() -> None:
    with pytest.raises(RulebookError, match="ends at 06:00"):
        RuleSet(windows=(PatrolWindow("morning", "早巡", time(11), time(6)),))
    with pytest.raises(RulebookError, match="no rule set"):
        RuleBook(())
