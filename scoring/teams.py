"""小巷管家团: a team forms on a lane once three or more stewards hold claims on its segments.

One rule, `team_change`, read at an instant: the lane's claimants then, and its team as it stands.
A team forms at the instant the third claimant arrives, with every claimant a member; a steward who
claims on the lane later joins it, one who no longer holds a claim there leaves it; a team that falls
below three is dissolved (its row keeps its dates, its members' memberships end with it). Should the
lane reach three again, a new team forms. The registry applies the rule as claims change
(`scoring.registry.team_forming`); `plan_teams` replays it over a claim history (the seed's).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Set
from dataclasses import dataclass, field
from datetime import datetime
from typing import Final

TEAM_MIN_STEWARDS: Final = 3


def team_name(lane_name: str) -> str:
    return f"{lane_name}小巷管家团"


@dataclass(frozen=True, slots=True)
class TeamChange:
    """What happens to a lane's team at one instant."""

    form: bool = False
    dissolve: bool = False
    join: frozenset[int] = frozenset()
    leave: frozenset[int] = frozenset()

    @property
    def nothing(self) -> bool:
        return not (self.form or self.dissolve or self.join or self.leave)


def team_change(claimants: Set[int], team_standing: bool, members: Set[int]) -> TeamChange:
    """The change to a lane's team, given who holds a claim on the lane now, whether it has a team
    standing, and that team's members now."""
    if len(claimants) >= TEAM_MIN_STEWARDS:
        return TeamChange(form=not team_standing, join=frozenset(claimants - members),
                          leave=frozenset(members - claimants))
    if team_standing:
        return TeamChange(dissolve=True, leave=frozenset(members))
    return TeamChange()


@dataclass(frozen=True, slots=True)
class LaneClaim:
    steward_id: int
    lane_id: int
    valid_from: datetime
    valid_to: datetime | None


@dataclass(frozen=True, slots=True)
class MembershipPlan:
    steward_id: int
    valid_from: datetime
    valid_to: datetime | None


@dataclass(frozen=True, slots=True)
class TeamPlan:
    lane_id: int
    formed_at: datetime
    members: tuple[MembershipPlan, ...]  # by steward, then start
    dissolved_at: datetime | None = None


@dataclass
class _Forming:
    formed_at: datetime
    open: dict[int, datetime] = field(default_factory=dict)  # steward -> member since
    ended: list[MembershipPlan] = field(default_factory=list)

    def plan(self, lane_id: int, dissolved_at: datetime | None) -> TeamPlan:
        members = [*self.ended, *(MembershipPlan(s, since, None) for s, since in self.open.items())]
        return TeamPlan(lane_id, self.formed_at, tuple(sorted(members, key=lambda m: (m.steward_id, m.valid_from))),
                        dissolved_at)


def plan_teams(claims: Iterable[LaneClaim]) -> list[TeamPlan]:
    """Every team a claim history makes, lane by lane in order of formation: `team_change` applied at
    each instant a claim starts or ends (all of an instant's starts and ends taken together, so a
    claim handed from one steward to another at one instant is one change)."""
    events: dict[int, dict[datetime, dict[int, int]]] = defaultdict(lambda: defaultdict(lambda: defaultdict(int)))
    for c in claims:
        if c.valid_to is not None and c.valid_to <= c.valid_from:
            continue  # held for no time at all
        events[c.lane_id][c.valid_from][c.steward_id] += 1
        if c.valid_to is not None:
            events[c.lane_id][c.valid_to][c.steward_id] -= 1

    plans: list[TeamPlan] = []
    for lane_id, by_instant in sorted(events.items()):
        held: dict[int, int] = defaultdict(int)  # steward -> claims held on the lane
        team: _Forming | None = None
        for at, deltas in sorted(by_instant.items()):
            for steward, delta in deltas.items():
                held[steward] += delta
            claimants = {s for s, n in held.items() if n > 0}
            change = team_change(claimants, team is not None, set(team.open) if team else set())
            if change.form:
                team = _Forming(at)
            if team is None:
                continue
            for steward in sorted(change.leave):
                team.ended.append(MembershipPlan(steward, team.open.pop(steward), at))
            for steward in sorted(change.join):
                team.open[steward] = at
            if change.dissolve:
                plans.append(team.plan(lane_id, at))
                team = None
        if team is not None:
            plans.append(team.plan(lane_id, None))
    return plans
