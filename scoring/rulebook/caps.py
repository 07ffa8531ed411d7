"""The day and week caps as one rule, for every path that books points.

`CapRoom` is what a rule set's caps still allow a steward on one day: the day's cap less what the day
has already been granted, and the ISO week's cap less what the week has been granted so far. Points
are taken from it in the order they are granted; an entry that does not fit keeps its points cut to
what fits (to zero if need be), `trimmed` holding what was cut and `cap` naming the cap that cut it.
The daily engine grants patrol points through it, and the lane work (cases, dissuasions, 周查) takes
what the day's patrol left, so a steward's day is bounded whichever path books its points.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Final, NamedTuple

from scoring.rulebook.ruleset import RuleSet

CAP_DAY: Final = "day"
CAP_WEEK: Final = "week"


class Grant(NamedTuple):
    points: int  # granted
    trimmed: int  # what a cap took from the rule's points
    cap: str  # the cap that took it ("day", "week"), "" when nothing was taken


@dataclass(slots=True)
class CapRoom:
    day_left: float
    week_left: float

    @classmethod
    def of(cls, rules: RuleSet, *, day_granted: int = 0, week_granted: int = 0) -> CapRoom:
        """The room on a day that has been granted `day_granted`, in a week granted `week_granted` so far
        (the day's own points included)."""
        day = rules.max_points_per_day - day_granted if rules.max_points_per_day is not None else math.inf
        week = rules.max_points_per_week - week_granted if rules.max_points_per_week is not None else math.inf
        return cls(max(0, day), max(0, week))

    def take(self, points: int) -> Grant:
        """Grant what fits of `points`, and take it from the room."""
        granted = int(min(points, self.day_left, self.week_left))
        cap = "" if granted >= points else CAP_DAY if self.day_left <= self.week_left else CAP_WEEK
        self.day_left -= granted
        self.week_left -= granted
        return Grant(granted, points - granted, cap)
