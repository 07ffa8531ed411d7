"""The daily scoring engine: a steward's day of check-ins → points entries, under one rule set.

Entries, each with a deterministic key "<rule>/<steward>/<day>/...":
- checkpoint_visit  checkpoint_visit/<steward>/<day>/<checkpoint>: a claimed checkpoint's first counted
                    check-in of the day.
- segment_patrol    segment_patrol/<steward>/<day>/<segment>/<window>: a claimed segment completed
                    within a patrol window (the community's windows, the segment's completion mode).
- streak_bonus      streak_bonus/<steward>/<day>/<days>: the day a run of consecutive patrol days (days
                    with at least one segment_patrol) reaches a bonus's length. It is booked on the
                    segment and lane of the day's first completed patrol, whose check-ins are its evidence.

Streaks: a day without a patrol breaks the run unless the calendar says that kind of day pauses it
(public holidays, by default); a day that is never scored counts as a day without a patrol. So
the result does not depend on which patrol-less days were scored, and scoring day by day carrying
`History` gives the same entries as scoring every day at once. Days between the last patrol and
the day scored are judged by the calendar policy of the rule set of the day scored.

Caps: the rule set's points per day and per ISO week (Monday start) bound the day's total. Points
are granted in this order, so the first trimmed are the last listed:
    1. streak bonuses (shortest first), 2. segment patrols (earliest completion first),
    3. checkpoint visits (earliest first).
A trimmed entry is kept, with its points reduced (to zero if need be), `trimmed_points` holding
what was cut and `cap` naming the cap, so a steward can see what a cap took. Caps bound points,
not the streak: a capped patrol still makes a patrol day. The caps bound everything a steward earns:
lane work (cases, dissuasions, 周查) is granted after the day's patrol from what the patrol left
(scoring.rulebook.caps), and `History.week_points` counts it, so the scorer carries it into the week.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from typing import NamedTuple

from scoring.periods import local_day
from scoring.rulebook.calendar import DayKind, day_kind
from scoring.rulebook.caps import CapRoom
from scoring.rulebook.errors import ScoringOrderError
from scoring.rulebook.loader import RuleBook
from scoring.rulebook.model import (
    RULE_CHECKPOINT_VISIT,
    RULE_SEGMENT_PATROL,
    RULE_STREAK_BONUS,
    ClaimedSegment,
    EntryDraft,
    Visit,
)
from scoring.rulebook.patrol import Counted, claimed_segments, completion, count_visits, ordered_visits
from scoring.rulebook.ruleset import Level, PatrolWindow, RuleSet


@dataclass(frozen=True, slots=True)
class History:
    """What the engine needs to know of the days before the one it scores.

    `streak_days` is the run of patrol days ending on `last_patrol_day`; `week_points` are the
    points of the ISO week starting `week_of`, up to and including `last_day`.
    """

    last_day: date | None = None
    streak_days: int = 0
    last_patrol_day: date | None = None
    week_of: date | None = None
    week_points: int = 0
    cumulative_points: int = 0

    def streak_before(self, day: date, rules: RuleSet) -> int:
        """The run of patrol days still alive on the morning of `day`."""
        if self.last_patrol_day is None:
            return 0
        gap = self.last_patrol_day + timedelta(days=1)
        while gap < day:
            if not rules.schedule_for(gap).pauses_streak:
                return 0
            gap += timedelta(days=1)
        return self.streak_days

    def week_points_before(self, day: date) -> int:
        return self.week_points if self.week_of == week_of(day) else 0


@dataclass(frozen=True, slots=True)
class DayResult:
    steward_id: int
    day: date
    ruleset_version: str
    day_kind: DayKind
    entries: tuple[EntryDraft, ...]
    history: History  # to carry into the next day
    patrol_day: bool
    streak_days: int  # the run as of the end of this day
    level: Level  # by cumulative points after this day
    paced_out: tuple[str, ...] = ()  # keys of check-ins too fast after the previous one on the segment
    withheld: tuple[str, ...] = ()  # keys of check-ins held back by integrity flags

    @property
    def points(self) -> int:
        return sum(e.points for e in self.entries)


@dataclass(frozen=True, slots=True)
class StewardResult:
    days: tuple[DayResult, ...]
    history: History

    @property
    def entries(self) -> tuple[EntryDraft, ...]:
        return tuple(e for d in self.days for e in d.entries)


def week_of(day: date) -> date:
    """The Monday that starts `day`'s ISO week."""
    return day - timedelta(days=day.weekday())


def level_for(cumulative_points: int, rules: RuleSet) -> Level:
    return rules.level_for(cumulative_points)


def group_by_day(visits: Iterable[Visit]) -> dict[date, list[Visit]]:
    """Visits by their Beijing day, days in order."""
    days: dict[date, list[Visit]] = {}
    for v in visits:
        days.setdefault(local_day(v.at), []).append(v)
    return dict(sorted(days.items()))


def score_day(
    steward_id: int,
    day: date,
    visits: Iterable[Visit],
    claimed: Sequence[ClaimedSegment],
    rules: RuleSet,
    history: History = History(),
    withheld: frozenset[str] = frozenset(),
) -> DayResult:
    """Every entry a steward earns on one local day, in a deterministic order, and the history after it."""
    if history.last_day is not None and day <= history.last_day:
        raise ScoringOrderError(
            f"steward {steward_id}: {day} is not after the history's last day {history.last_day}; score days in "
            f"order, or start again from the history as it was before {day}"
        )
    tally = count_visits(ordered_visits(visits, day), claimed, rules, withheld)
    draft = _Drafter(steward_id, day, rules.version)
    visit_entries = _checkpoint_visits(draft, tally, rules)
    patrols = _segment_patrols(draft, tally, claimed, rules)
    patrol_day = bool(patrols)
    streak = history.streak_before(day, rules)
    if patrol_day:
        streak += 1
    elif not rules.schedule_for(day).pauses_streak:
        streak = 0
    by_completion = sorted(patrols, key=lambda p: (p.completed_at, p.entry.segment_id, p.entry.entry_key))
    bonus_entries = _streak_bonuses(draft, streak, by_completion[0].entry, rules) if patrol_day else []

    granted = _apply_caps(
        bonus_entries + [p.entry for p in by_completion] + visit_entries, rules, history.week_points_before(day)
    )
    entries = tuple(granted[e.entry_key] for e in visit_entries + [p.entry for p in patrols] + bonus_entries)
    earned = sum(e.points for e in entries)
    next_history = History(
        last_day=day,
        streak_days=streak if patrol_day else history.streak_days,
        last_patrol_day=day if patrol_day else history.last_patrol_day,
        week_of=week_of(day),
        week_points=history.week_points_before(day) + earned,
        cumulative_points=history.cumulative_points + earned,
    )
    return DayResult(
        steward_id=steward_id, day=day, ruleset_version=rules.version,
        day_kind=day_kind(day, rules.calendar.beyond_known_years), entries=entries, history=next_history,
        patrol_day=patrol_day, streak_days=streak, level=rules.level_for(next_history.cumulative_points),
        paced_out=tuple(v.key for v in tally.paced_out), withheld=tuple(v.key for v in tally.withheld),
    )


@dataclass(frozen=True, slots=True)
class _Drafter:
    steward_id: int
    day: date
    version: str

    def entry(self, rule: str, tail: str, points: int, seg: ClaimedSegment | EntryDraft,
              evidence: tuple[str, ...]) -> EntryDraft:
        return EntryDraft(
            entry_key=f"{rule}/{self.steward_id}/{self.day.isoformat()}/{tail}", steward_id=self.steward_id,
            day=self.day, rule=rule, points=points, segment_id=seg.segment_id, lane_id=seg.lane_id,
            evidence=evidence, ruleset_version=self.version,
        )


class _Patrol(NamedTuple):
    entry: EntryDraft
    completed_at: datetime


def _checkpoint_visits(draft: _Drafter, tally: Counted, rules: RuleSet) -> list[EntryDraft]:
    first_visit: dict[int, Visit] = {}
    for v in tally.counted:
        first_visit.setdefault(v.checkpoint_id, v)
    return [  # first-seen order is time order
        draft.entry(RULE_CHECKPOINT_VISIT, str(cp), rules.checkpoint_visit_points, tally.segment_of[cp], (v.key,))
        for cp, v in first_visit.items()
    ]


def _segment_patrols(
    draft: _Drafter, tally: Counted, claimed: Sequence[ClaimedSegment], rules: RuleSet
) -> list[_Patrol]:
    """Completed patrols by segment id, then window in the day's order."""
    patrols: list[_Patrol] = []
    bounds: dict[PatrolWindow, tuple[datetime, datetime]] = {}
    for claims in claimed_segments(claimed).values():
        seg = claims[0]
        mode = rules.completion_for(seg.segment_key)
        for window in rules.windows_for(seg.community_key):
            if window not in bounds:
                bounds[window] = (window.starts_at(draft.day), window.ends_at(draft.day))
            done = completion(seg, tally.counted, mode, *bounds[window])
            if done is not None:
                evidence = tuple(v.key for v in done)
                tail = f"{seg.segment_id}/{window.name}"
                entry = draft.entry(RULE_SEGMENT_PATROL, tail, rules.segment_patrol_points, seg, evidence)
                patrols.append(_Patrol(entry, done[-1].at))
    return patrols


def _streak_bonuses(draft: _Drafter, streak: int, first_patrol: EntryDraft, rules: RuleSet) -> list[EntryDraft]:
    return [
        draft.entry(RULE_STREAK_BONUS, str(bonus.days), bonus.points, first_patrol, first_patrol.evidence)
        for bonus in sorted(rules.streak_bonuses, key=lambda b: b.days)
        if bonus.reached(streak)
    ]


def _apply_caps(grant_order: Sequence[EntryDraft], rules: RuleSet, week_before: int) -> dict[str, EntryDraft]:
    room = CapRoom.of(rules, week_granted=week_before)
    out: dict[str, EntryDraft] = {}
    for entry in grant_order:
        grant = room.take(entry.points)
        if grant.trimmed:
            entry = replace(entry, points=grant.points, trimmed_points=grant.trimmed, cap=grant.cap)
        out[entry.entry_key] = entry
    return out


RuleSource = RuleBook | RuleSet


def score_steward(
    steward_id: int,
    visits_by_day: Mapping[date, Iterable[Visit]],
    claimed: Sequence[ClaimedSegment],
    rules: RuleSource,
    history: History = History(),
    withheld: frozenset[str] = frozenset(),
) -> StewardResult:
    """Fold `score_day` over the given days in date order, each under the rule set in force that day."""
    days: list[DayResult] = []
    for day in sorted(visits_by_day):
        rule_set = rules.rules_for(day) if isinstance(rules, RuleBook) else rules
        result = score_day(steward_id, day, visits_by_day[day], claimed, rule_set, history, withheld)
        days.append(result)
        history = result.history
    return StewardResult(tuple(days), history)

