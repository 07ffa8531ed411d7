"""Table-driven tests of the daily engine: base rules, windows, completion modes, pacing, caps, streaks."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta

import pytest

from scoring.rulebook import (
    CAP_DAY,
    CAP_WEEK,
    RULE_CHECKPOINT_VISIT,
    RULE_SEGMENT_PATROL,
    RULE_STREAK_BONUS,
    ClaimedSegment,
    CompletionMode,
    History,
    MissingPositionError,
    PatrolWindow,
    RuleBook,
    RulebookError,
    RuleSet,
    ScoringOrderError,
    StreakBonus,
    Visit,
    group_by_day,
    level_for,
    score_day,
    score_steward,
)
from tests.scoring.rulebook.builders import PLAIN, SEG10, SEG20, STEWARD, at, summary, visit, walk, with_rules

DAY = date(2017, 5, 3)  # a Wednesday
V = RULE_CHECKPOINT_VISIT
P = RULE_SEGMENT_PATROL
S = RULE_STREAK_BONUS
IN_ORDER = with_rules(segment_completion=(("lane-1/s1", CompletionMode.IN_ORDER),))
XINGFU_EVENING = with_rules(
    community_windows=(("c-1", (PatrolWindow("morning", "早巡", time(6), time(11)),
                                PatrolWindow("evening", "晚巡", time(18), time(21, 30)))),),
)


def v(hms: str, cp: int) -> Visit:
    return visit(DAY, hms, cp)


CASES = [
    ("nothing", PLAIN, [], [SEG10], []),
    ("one checkpoint", PLAIN, [v("07:00", 101)], [SEG10], [(V, 10, 1)]),
    ("same checkpoint twice counts once", PLAIN, [v("07:00", 101), v("18:00", 101)], [SEG10], [(V, 10, 1)]),
    ("whole segment in the morning", PLAIN, walk(DAY, "07:00", SEG10), [SEG10], [(V, 10, 1)] * 3 + [(P, 10, 5)]),
    (
        "any order within the window",
        PLAIN, [v("07:10", 103), v("07:00", 102), v("07:05", 101)], [SEG10], [(V, 10, 1)] * 3 + [(P, 10, 5)],
    ),
    (
        "split across windows: no patrol",
        PLAIN, [v("07:00", 101), v("07:05", 102), v("18:00", 103)], [SEG10], [(V, 10, 1)] * 3,
    ),
    ("outside any window", PLAIN, walk(DAY, "13:00", SEG10), [SEG10], [(V, 10, 1)] * 3),
    (
        "both windows: two patrols",
        PLAIN, walk(DAY, "07:00", SEG20) + walk(DAY, "18:00", SEG20), [SEG20], [(V, 20, 1)] * 2 + [(P, 20, 5)] * 2,
    ),
    ("unclaimed segment earns nothing", PLAIN, walk(DAY, "07:00", SEG20), [SEG10], []),
    (
        "claim starting later in the day",
        PLAIN, [v("07:00", 201), v("19:00", 202)], [replace(SEG20, valid_from=at(DAY, "12:00"))], [(V, 20, 1)],
    ),
    (
        "claim ended in the morning",
        PLAIN, [v("07:00", 201), v("19:00", 202)], [replace(SEG20, valid_to=at(DAY, "12:00"))], [(V, 20, 1)],
    ),
    (
        "released and claimed again: both claims count",
        PLAIN, walk(DAY, "18:00", SEG20),
        [replace(SEG20, valid_to=at(DAY, "08:00")), replace(SEG20, valid_from=at(DAY, "17:30"))],
        [(V, 20, 1)] * 2 + [(P, 20, 5)],
    ),
    ("window end is exclusive", PLAIN, [v("10:58", 201), v("11:00", 202)], [SEG20], [(V, 20, 1)] * 2),
    ("window start is inclusive", PLAIN, [v("06:00", 201), v("06:01", 202)], [SEG20], [(V, 20, 1)] * 2 + [(P, 20, 5)]),
    (
        "two segments, entries in time then segment order",
        PLAIN, walk(DAY, "07:00", SEG20) + walk(DAY, "08:00", SEG10), [SEG10, SEG20],
        [(V, 20, 1)] * 2 + [(V, 10, 1)] * 3 + [(P, 10, 5), (P, 20, 5)],
    ),
    # pacing: 50 m between checkpoints at 2 m/s needs 25 s
    (
        "pacing: too fast does not count",
        PLAIN, [v("07:00:00", 101), v("07:00:10", 102), v("07:02:00", 103)], [SEG10], [(V, 10, 1)] * 2,
    ),
    (
        "pacing: exactly walking speed counts",
        PLAIN, [v("07:00:00", 101), v("07:00:25", 102), v("07:00:50", 103)], [SEG10], [(V, 10, 1)] * 3 + [(P, 10, 5)],
    ),
    (
        "pacing: a later visit to the paced-out checkpoint counts",
        PLAIN, [v("07:00:00", 101), v("07:00:10", 103), v("07:01:00", 102), v("07:02:00", 103)], [SEG10],
        [(V, 10, 1)] * 3 + [(P, 10, 5)],
    ),
    (
        "pacing is per segment",
        PLAIN, [v("07:00:00", 101), v("07:00:01", 201), v("07:00:30", 102), v("07:00:31", 202)], [SEG10, SEG20],
        [(V, 10, 1), (V, 20, 1), (V, 10, 1), (V, 20, 1), (P, 20, 5)],
    ),
    ("in order, forwards", IN_ORDER, walk(DAY, "07:00", SEG10), [SEG10], [(V, 10, 1)] * 3 + [(P, 10, 5)]),
    (
        "in order, from the other end",
        IN_ORDER, walk(DAY, "07:00", SEG10, reverse=True), [SEG10], [(V, 10, 1)] * 3 + [(P, 10, 5)],
    ),
    (
        "in order: out of order is no patrol",
        IN_ORDER, [v("07:00", 102), v("07:05", 101), v("07:10", 103)], [SEG10], [(V, 10, 1)] * 3,
    ),
    (
        "in order: a detour between is ignored",
        IN_ORDER, [v("07:00", 101), v("07:03", 103), v("07:06", 102), v("07:09", 103)], [SEG10],
        [(V, 10, 1)] * 3 + [(P, 10, 5)],
    ),
    (
        "in order applies only to the segment named",
        with_rules(segment_completion=(("lane-2/s1", CompletionMode.IN_ORDER),)),
        [v("07:00", 102), v("07:05", 101), v("07:10", 103)], [SEG10], [(V, 10, 1)] * 3 + [(P, 10, 5)],
    ),
    (
        "in order as every segment's default",
        with_rules(completion=CompletionMode.IN_ORDER),
        [v("07:00", 102), v("07:05", 101), v("07:10", 103)], [SEG10], [(V, 10, 1)] * 3,
    ),
    (
        "community windows replace the defaults",
        XINGFU_EVENING, walk(DAY, "17:30", SEG10) + walk(DAY, "17:30", SEG20), [SEG10, SEG20],
        [(V, 10, 1), (V, 20, 1), (V, 10, 1), (V, 20, 1), (V, 10, 1), (P, 20, 5)],
    ),
    (
        "community evening runs to 21:30",
        XINGFU_EVENING, walk(DAY, "21:10", SEG10), [SEG10], [(V, 10, 1)] * 3 + [(P, 10, 5)],
    ),
    (
        "points come from the rule set",
        with_rules(checkpoint_visit_points=2, segment_patrol_points=7), walk(DAY, "07:00", SEG20), [SEG20],
        [(V, 20, 2)] * 2 + [(P, 20, 7)],
    ),
]


@pytest.mark.parametrize(("name", "rules", "visits", "claimed", "expected"), CASES, ids=[c[0] for c in CASES])
def test_rules_table(name: str, rules: RuleSet, visits: list[Visit], claimed: list[ClaimedSegment],
                     expected: list[tuple[str, int, int]]) -> None:
    assert summary(score_day(STEWARD, DAY, visits, claimed, rules).entries) == expected


def test_entries_are_keyed_and_carry_evidence_and_version() -> None:
    visits = walk(DAY, "07:00", SEG10)
    result = score_day(STEWARD, DAY, visits, [SEG10], PLAIN)
    assert [e.entry_key for e in result.entries] == [
        "checkpoint_visit/7/2017-05-03/101", "checkpoint_visit/7/2017-05-03/102", "checkpoint_visit/7/2017-05-03/103",
        "segment_patrol/7/2017-05-03/10/morning",
    ]
    assert result.entries[0].evidence == (visits[0].key,)
    assert result.entries[-1].evidence == tuple(x.key for x in visits)
    assert {e.ruleset_version for e in result.entries} == {PLAIN.version}
    assert all((e.lane_id, e.trimmed_points, e.cap) == (1, 0, "") for e in result.entries)


def test_in_order_evidence_is_the_matching_route() -> None:
    visits = [v("07:00", 101), v("07:03", 103), v("07:06", 102), v("07:09", 103)]
    patrol = score_day(STEWARD, DAY, visits, [SEG10], IN_ORDER).entries[-1]
    assert patrol.evidence == (visits[0].key, visits[2].key, visits[3].key)


def test_determinism_same_input_same_entries_same_order() -> None:
    visits = walk(DAY, "07:00", SEG10) + walk(DAY, "18:00", SEG20) + [v("07:30", 101), v("09:00", 202)]
    first = score_day(STEWARD, DAY, visits, [SEG10, SEG20], RuleSet())
    for shuffled in (visits[::-1], visits[3:] + visits[:3], visits + visits):
        again = score_day(STEWARD, DAY, shuffled, [SEG20, SEG10], RuleSet())
        assert again == first


def test_withheld_visits_earn_nothing_and_are_reported() -> None:
    visits = walk(DAY, "07:00", SEG10)
    result = score_day(STEWARD, DAY, visits, [SEG10], PLAIN, withheld=frozenset({visits[1].key}))
    assert summary(result.entries) == [(V, 10, 1)] * 2
    assert result.withheld == (visits[1].key,)


def test_paced_out_visits_are_reported() -> None:
    visits = [v("07:00:00", 101), v("07:00:10", 102)]
    assert score_day(STEWARD, DAY, visits, [SEG10], PLAIN).paced_out == (visits[1].key,)


def test_pacing_needs_positions() -> None:
    bare = ClaimedSegment(10, 1, frozenset({101, 102}), SEG10.valid_from)
    with pytest.raises(MissingPositionError, match="ClaimedSegment.along"):
        score_day(STEWARD, DAY, [v("07:00", 101), v("07:05", 102)], [bare], PLAIN)


def test_a_visit_from_another_day_is_refused() -> None:
    with pytest.raises(RulebookError, match="group_by_day"):
        score_day(STEWARD, DAY, [visit(DAY + timedelta(days=1), "07:00", 101)], [SEG10], PLAIN)


def test_midnight_belongs_to_beijing_day() -> None:
    late = Visit("1001/0/1", datetime(2017, 5, 3, 15, 59, tzinfo=UTC), 101)  # 23:59 in Beijing
    early = Visit("1001/0/2", datetime(2017, 5, 3, 16, 0, tzinfo=UTC), 101)  # 00:00 the next day
    assert group_by_day([early, late]) == {DAY: [late], DAY + timedelta(days=1): [early]}


def test_days_must_be_scored_in_order() -> None:
    with pytest.raises(ScoringOrderError, match="score days in order"):
        score_day(STEWARD, DAY, [], [SEG10], PLAIN, History(last_day=DAY))


# --- caps ----------------------------------------------------------------------------------------

def _trim(entries: tuple) -> list[tuple[str, int, int, str]]:
    return [(e.rule, e.points, e.trimmed_points, e.cap) for e in entries]


def test_day_cap_trims_checkpoint_visits_latest_first() -> None:
    rules = with_rules(max_points_per_day=7)
    result = score_day(STEWARD, DAY, walk(DAY, "07:00", SEG10), [SEG10], rules)
    assert _trim(result.entries) == [(V, 1, 0, ""), (V, 1, 0, ""), (V, 0, 1, CAP_DAY), (P, 5, 0, "")]
    assert result.points == 7
    assert result.entries[2].granted_points == 1


def test_day_cap_trims_patrols_latest_completed_first_after_all_visits() -> None:
    rules = with_rules(max_points_per_day=8)
    visits = walk(DAY, "07:00", SEG20) + walk(DAY, "08:00", SEG10)  # patrols: 20 done 07:02, 10 done 08:04
    result = score_day(STEWARD, DAY, visits, [SEG10, SEG20], rules)
    assert _trim(result.entries) == [(V, 0, 1, CAP_DAY)] * 5 + [(P, 3, 2, CAP_DAY), (P, 5, 0, "")]


def test_streak_bonus_is_granted_before_everything_else() -> None:
    rules = with_rules(max_points_per_day=6, streak_bonuses=(StreakBonus(1, 4),))
    result = score_day(STEWARD, DAY, walk(DAY, "07:00", SEG20), [SEG20], rules)
    assert _trim(result.entries) == [(V, 0, 1, CAP_DAY)] * 2 + [(P, 2, 3, CAP_DAY), (S, 4, 0, "")]


def test_week_cap_counts_earlier_days_of_the_same_iso_week() -> None:
    rules = with_rules(max_points_per_week=150, max_points_per_day=30)
    history = History(last_day=DAY - timedelta(days=1), week_of=date(2017, 5, 1), week_points=147)
    result = score_day(STEWARD, DAY, walk(DAY, "07:00", SEG20), [SEG20], rules, history)
    assert _trim(result.entries) == [(V, 0, 1, CAP_WEEK)] * 2 + [(P, 3, 2, CAP_WEEK)]
    assert result.history.week_points == 150


def test_week_cap_resets_on_monday() -> None:
    rules = with_rules(max_points_per_week=150)
    monday = date(2017, 5, 8)
    history = History(last_day=date(2017, 5, 7), week_of=date(2017, 5, 1), week_points=150)
    result = score_day(STEWARD, monday, walk(monday, "07:00", SEG20), [SEG20], rules, history)
    assert result.points == 7
    assert (result.history.week_of, result.history.week_points) == (monday, 7)


def test_a_lower_week_cap_from_a_rule_change_leaves_nothing_not_less_than_nothing() -> None:
    history = History(last_day=DAY - timedelta(days=1), week_of=date(2017, 5, 1), week_points=100)
    result = score_day(STEWARD, DAY, walk(DAY, "07:00", SEG20), [SEG20], with_rules(max_points_per_week=50), history)
    assert result.points == 0
    assert result.history.week_points == 100


def test_the_tighter_cap_is_named() -> None:
    history = History(last_day=DAY - timedelta(days=1), week_of=date(2017, 5, 1), week_points=146)
    rules = with_rules(max_points_per_week=150, max_points_per_day=6)  # day leaves 6, week 4
    result = score_day(STEWARD, DAY, walk(DAY, "07:00", SEG20), [SEG20], rules, history)
    assert _trim(result.entries) == [(V, 0, 1, CAP_WEEK)] * 2 + [(P, 4, 1, CAP_WEEK)]


# --- streaks -------------------------------------------------------------------------------------

STREAKS = with_rules(streak_bonuses=(StreakBonus(7, 3, repeat=True), StreakBonus(30, 10, repeat=True)))


def _patrol_days(days: list[date], rules: RuleSet | RuleBook = STREAKS) -> list:
    return list(score_steward(STEWARD, {d: walk(d, "07:00", SEG20) for d in days}, [SEG20], rules).days)


def _span(first: date, last: date) -> list[date]:
    return [first + timedelta(days=i) for i in range((last - first).days + 1)]


def test_streak_across_a_week_and_a_month_boundary() -> None:
    days = _span(date(2017, 6, 26), date(2017, 7, 4))  # Monday to the next Tuesday, June into July
    results = _patrol_days(days)
    assert [r.streak_days for r in results] == list(range(1, 10))
    bonuses = [(r.day, e.points, e.entry_key) for r in results for e in r.entries if e.rule == S]
    assert bonuses == [(date(2017, 7, 2), 3, "streak_bonus/7/2017-07-02/7")]
    bonus = next(e for r in results for e in r.entries if e.rule == S)
    patrol = next(e for e in results[6].entries if e.rule == P)
    assert (bonus.segment_id, bonus.lane_id, bonus.evidence) == (20, 2, patrol.evidence)


def test_thirty_days_give_every_bonus_and_repeat_the_weekly_one() -> None:
    days = _span(date(2017, 6, 5), date(2017, 7, 4))
    bonuses = [(r.streak_days, e.points) for r in _patrol_days(days) for e in r.entries if e.rule == S]
    assert bonuses == [(7, 3), (14, 3), (21, 3), (28, 3), (30, 10)]


def test_a_non_repeating_bonus_is_given_once() -> None:
    rules = with_rules(streak_bonuses=(StreakBonus(3, 2),))
    bonuses = [r.streak_days for r in _patrol_days(_span(date(2017, 6, 5), date(2017, 6, 12)), rules)
               for e in r.entries if e.rule == S]
    assert bonuses == [3]


def test_a_day_without_patrol_breaks_the_streak() -> None:
    days = [d for d in _span(date(2017, 6, 5), date(2017, 6, 14)) if d != date(2017, 6, 9)]
    assert [r.streak_days for r in _patrol_days(days)] == [1, 2, 3, 4, 1, 2, 3, 4, 5]


def test_visits_without_a_patrol_break_the_streak_too() -> None:
    days = {d: walk(d, "07:00", SEG20) for d in _span(date(2017, 6, 5), date(2017, 6, 7))}
    days[date(2017, 6, 6)] = walk(date(2017, 6, 6), "13:00", SEG20)  # outside every window
    assert [r.streak_days for r in score_steward(STEWARD, days, [SEG20], STREAKS).days] == [1, 0, 1]


def test_an_ordinary_weekend_off_breaks_the_streak() -> None:
    days = _span(date(2017, 10, 9), date(2017, 10, 13)) + [date(2017, 10, 16)]  # Mon–Fri, then Monday
    assert [r.streak_days for r in _patrol_days(days)][-1] == 1


def test_the_national_day_holiday_pauses_the_streak() -> None:
    before = _span(date(2017, 9, 24), date(2017, 9, 30))  # ends on the 调休 working Saturday
    results = _patrol_days(before + [date(2017, 10, 9)])  # nothing from 10-01 to 10-08
    assert [r.streak_days for r in results] == [1, 2, 3, 4, 5, 6, 7, 8]
    assert [e.rule for e in results[6].entries].count(S) == 1


def test_a_patrol_on_a_holiday_extends_the_streak() -> None:
    results = _patrol_days(_span(date(2017, 9, 28), date(2017, 9, 30)) + [date(2017, 10, 3), date(2017, 10, 9)])
    assert [r.streak_days for r in results] == [1, 2, 3, 4, 5]


def test_the_adjusted_working_saturday_does_not_pause_the_streak() -> None:
    days = _span(date(2017, 9, 25), date(2017, 9, 29)) + [date(2017, 10, 9)]  # skips 调休 Saturday 09-30
    assert [r.streak_days for r in _patrol_days(days)][-1] == 1
    # but a holiday day within the gap alone would not have broken it
    assert _patrol_days([date(2017, 9, 30), date(2017, 10, 9)])[-1].streak_days == 2


def test_the_day_result_knows_the_kind_of_day() -> None:
    results = _patrol_days([date(2017, 9, 30), date(2017, 10, 1), date(2017, 10, 14)])
    assert [r.day_kind.value for r in results] == ["workday", "public_holiday", "rest_day"]


# --- levels, rule changes ------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("points", "level"),
    [(0, "见习管家"), (49, "见习管家"), (50, "小巷管家"), (999, "小巷管家"), (1000, "优秀管家"), (2500, "金牌管家"),
     (10**6, "金牌管家")],
)
def test_levels_by_cumulative_points(points: int, level: str) -> None:
    assert level_for(points, RuleSet()).name == level


def test_the_level_follows_cumulative_points_across_days() -> None:
    rules = with_rules(levels=replace(RuleSet(), name="x").levels)
    history = History(last_day=DAY - timedelta(days=1), cumulative_points=45)
    result = score_day(STEWARD, DAY, walk(DAY, "07:00", SEG20), [SEG20], rules, history)
    assert (result.history.cumulative_points, result.level.name) == (52, "小巷管家")


def test_a_rule_change_mid_year_keeps_old_entries_on_the_old_version() -> None:
    first = with_rules(effective_from=date(2017, 4, 10))
    second = with_rules(effective_from=date(2017, 7, 1), segment_patrol_points=6)
    book = RuleBook.of(first, second)
    results = _patrol_days([date(2017, 6, 30), date(2017, 7, 1)], book)
    patrols = [(r.day, e.points, e.ruleset_version) for r in results for e in r.entries if e.rule == P]
    assert patrols == [(date(2017, 6, 30), 5, first.version), (date(2017, 7, 1), 6, second.version)]
    assert [r.ruleset_version for r in results] == [first.version, second.version]
    assert [r.streak_days for r in results] == [1, 2]  # a streak carries over a rule change
