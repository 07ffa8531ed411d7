"""Lane work's share of a steward's day under the caps: what each case, dissuasion and 周查 entry is granted.

The rulebook's day and week caps bound everything a steward earns, not the patrol alone. Lane work
is granted after the day's patrol, from what the patrol left of the day's and the week's room, in
entry-key order: so a cap trims the chief-confirmed work first, and a day's grants do not depend on
when the lane-work job happened to run. A trimmed entry keeps its key, its points cut (to zero if need
be), with `trimmed_points` and `cap` recorded as the engine records them.
"""

from __future__ import annotations

from collections.abc import Iterable

from scoring.ledger.entries import LaneEntryDraft
from scoring.rulebook import CapRoom, Grant, RuleSet


def grant_lane_work(
    earned: Iterable[LaneEntryDraft], rules: RuleSet, *, day_granted: int, week_granted: int
) -> list[tuple[LaneEntryDraft, Grant]]:
    """Each lane entry of one day (`points` as earned, before caps) with what it is granted, on a day
    already granted `day_granted` (its patrol) in a week granted `week_granted` up to and including it."""
    room = CapRoom.of(rules, day_granted=day_granted, week_granted=week_granted)
    return [(d, room.take(d.points)) for d in sorted(earned, key=lambda d: d.entry_key)]
