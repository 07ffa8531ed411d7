"""Property: scoring day by day, carrying History, gives exactly the entries of scoring every day at once.

"At once" is an independent recompute over the whole run of days: streaks counted by walking back
through the calendar, week totals summed from the week's earlier entries, caps applied in the
documented order. Days span the 2017 National Day holiday (streaks pause), a rule change (new
points and version) and caps small enough to bite, so every part of the history matters.
"""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import date, datetime, timedelta
from itertools import pairwise

from hypothesis import given, settings
from hypothesis import strategies as st

from scoring.rulebook import (
    RULE_SEGMENT_PATROL,
    RULE_STREAK_BONUS,
    EntryDraft,
    History,
    RuleBook,
    StreakBonus,
    Visit,
    score_day,
    score_steward,
    week_of,
)
from tests.scoring.rulebook.builders import SEG10, SEG20, STEWARD, at, with_rules

FIRST_DAY = date(2017, 9, 18)
CLAIMED = [SEG10, SEG20]
CHECKPOINTS = sorted(SEG10.checkpoint_ids | SEG20.checkpoint_ids)
BOOK = RuleBook.of(
    with_rules(
        effective_from=date(2017, 4, 10), max_points_per_day=9, max_points_per_week=20,
        streak_bonuses=(StreakBonus(2, 1, repeat=True), StreakBonus(5, 4)),
    ),
    with_rules(
        effective_from=date(2017, 10, 5), max_points_per_day=10, max_points_per_week=24, segment_patrol_points=6,
        streak_bonuses=(StreakBonus(3, 2, repeat=True),),
    ),
)

walks = st.tuples(st.just("walk"), st.sampled_from([0, 1]), st.integers(5 * 60, 22 * 60), st.sampled_from([10, 60]))
taps = st.tuples(st.just("tap"), st.sampled_from(CHECKPOINTS), st.integers(0, 86_399), st.just(0))
plans = st.dictionaries(st.integers(0, 44), st.lists(st.one_of(walks, taps), min_size=1, max_size=4), max_size=30)


def build(plan: dict[int, list[tuple[str, int, int, int]]]) -> dict[date, list[Visit]]:
    days: dict[date, list[Visit]] = {}
    for offset, actions in plan.items():
        day = FIRST_DAY + timedelta(days=offset)
        visits: list[Visit] = []
        for what, which, when, step in actions:
            if what == "walk":
                segment = CLAIMED[which]
                route = sorted(segment.checkpoint_ids, key=segment.position_of)
                start = at(day, "00:00") + timedelta(minutes=when)
                stops = [(cp, start + timedelta(seconds=i * step)) for i, cp in enumerate(route)]
            else:
                stops = [(which, at(day, "00:00") + timedelta(seconds=when))]
            for cp, instant in stops:
                if instant.date() == day:
                    visits.append(Visit(f"1001/{offset}/{len(visits)}", instant, cp))
        days[day] = visits
    return days


def recompute(days: dict[date, list[Visit]]) -> list[EntryDraft]:
    """Every entry of every day from the raw check-ins, with no history carried from day to day."""
    patrol_days: set[date] = set()
    points_by_day: dict[date, int] = {}
    out: list[EntryDraft] = []
    for day in sorted(days):
        rules = BOOK.rules_for(day)
        bare = replace(rules, streak_bonuses=(), max_points_per_day=None, max_points_per_week=None)
        raw = [
            replace(e, ruleset_version=rules.version) for e in score_day(STEWARD, day, days[day], CLAIMED, bare).entries
        ]
        patrols = [e for e in raw if e.rule == RULE_SEGMENT_PATROL]
        bonuses = []
        if patrols:
            patrol_days.add(day)
            streak, back = 0, day
            while back in patrol_days or (back != day and rules.schedule_for(back).pauses_streak):
                streak += back in patrol_days
                back -= timedelta(days=1)
            evidence_of = {e.entry_key: e.evidence for e in patrols}
            first = min(patrols, key=lambda e: (max(_at(days[day], k) for k in e.evidence), e.segment_id, e.entry_key))
            bonuses = [
                EntryDraft(f"{RULE_STREAK_BONUS}/{STEWARD}/{day}/{b.days}", STEWARD, day, RULE_STREAK_BONUS, b.points,
                           first.segment_id, first.lane_id, evidence_of[first.entry_key], rules.version)
                for b in sorted(rules.streak_bonuses, key=lambda b: b.days) if b.reached(streak)
            ]
        week_before = sum(p for d, p in points_by_day.items() if week_of(d) == week_of(day))
        assert rules.max_points_per_day is not None and rules.max_points_per_week is not None
        day_left = rules.max_points_per_day
        week_left = max(0, rules.max_points_per_week - week_before)
        patrol_order = sorted(
            patrols, key=lambda e: (max(_at(days[day], k) for k in e.evidence), e.segment_id, e.entry_key)
        )
        granted: dict[str, EntryDraft] = {}
        for e in bonuses + patrol_order + [e for e in raw if e.rule != RULE_SEGMENT_PATROL]:
            give = min(e.points, day_left, week_left)
            if give < e.points:
                e = replace(e, points=give, trimmed_points=e.points - give,
                            cap="day" if day_left <= week_left else "week")
            day_left -= give
            week_left -= give
            granted[e.entry_key] = e
        entries = [granted[e.entry_key] for e in raw + bonuses]
        points_by_day[day] = sum(e.points for e in entries)
        out.extend(entries)
    return out


def _at(visits: list[Visit], key: str) -> datetime:
    return next(v.at for v in visits if v.key == key)


@settings(max_examples=150, deadline=None)
@given(plan=plans, cuts=st.sets(st.integers(1, 24), max_size=4), extra=st.sets(st.integers(0, 44), max_size=10),
       seed=st.integers(0, 2**32))
def test_incremental_equals_all_at_once(plan: dict, cuts: set[int], extra: set[int], seed: int) -> None:
    days = build(plan)
    at_once = score_steward(STEWARD, days, CLAIMED, BOOK)
    assert list(at_once.entries) == recompute(days)

    history = History()
    one_by_one: list[EntryDraft] = []
    for day in sorted(days):
        result = score_day(STEWARD, day, days[day], CLAIMED, BOOK.rules_for(day), history)
        one_by_one.extend(result.entries)
        history = result.history
    assert one_by_one == list(at_once.entries)
    assert history == at_once.history

    ordered = sorted(days)
    bounds = [0, *sorted(c for c in cuts if c < len(ordered)), len(ordered)]
    history, chunked = History(), list[EntryDraft]()
    for lo, hi in pairwise(bounds):
        part = score_steward(STEWARD, {d: days[d] for d in ordered[lo:hi]}, CLAIMED, BOOK, history)
        chunked.extend(part.entries)
        history = part.history
    assert chunked == list(at_once.entries)

    # Scoring days that have no check-ins changes nothing, and neither does the order of a day's check-ins.
    rng = random.Random(seed)
    padded: dict[date, list[Visit]] = {FIRST_DAY + timedelta(days=o): [] for o in extra} | {
        d: rng.sample(visits, len(visits)) for d, visits in days.items()
    }
    with_empty_days = score_steward(STEWARD, padded, CLAIMED, BOOK)
    assert with_empty_days.entries == at_once.entries
    assert with_empty_days.history.cumulative_points == at_once.history.cumulative_points

    assert at_once.history.cumulative_points == sum(e.points for e in at_once.entries)
    for day_result in at_once.days:
        rules = BOOK.rules_for(day_result.day)
        assert rules.max_points_per_day is not None and day_result.points <= rules.max_points_per_day
        assert {e.ruleset_version for e in day_result.entries} <= {rules.version}
