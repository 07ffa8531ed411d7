"""Pure ranking and selection: month ranks and stars, gold-steward selection with its tie-breaks,
and team scores per member-month. No database here; the jobs feed these plain records.

Gold tie-breaks, in order (the award report prints the same list, `TIE_BREAKS`):
1. more points in the year;
2. more active months;
3. more patrols completed (日巡);
4. more cases confirmed (工作台账: problems found that the lane chief confirmed);
5. the earlier first claim (认领) — the longer-serving steward;
6. the steward's registry key, in code-point order — always distinct, so the order is total.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from fractions import Fraction
from functools import lru_cache
from typing import Final, TypeVar

from scoring.closing.policy import CyclePolicy

T = TypeVar("T")

TIE_BREAKS: Final = (
    "全年积分高者在前",
    "活跃月数多者在前",
    "完成日巡次数多者在前",
    "上报问题经确认件数多者在前",
    "认领时间早者在前",
    "仍相同时按管家编号排序",
)
_TIE_BREAK_NAMES: Final = ("积分", "活跃月数", "完成日巡次数", "确认问题件数", "认领时间", "管家编号")


# --- 月评 --------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class StewardMonth:
    """A steward's month: totals from the ledger, then ranks and the star mark."""

    steward_id: int
    subdistrict_id: int
    community_id: int | None
    points: int
    active_days: int
    patrols_completed: int
    cases_confirmed: int
    rank_community: int | None = None
    rank_subdistrict: int = 0
    star: bool = False


def month_order_key(r: StewardMonth) -> tuple[int, int, int, int]:
    return (-r.points, -r.active_days, -r.patrols_completed, r.steward_id)


def competition_ranks(ordered: Sequence[T], points: Callable[[T], int]) -> list[int]:
    """1, 2, 2, 4: equal points share a rank; `ordered` is already sorted best first."""
    ranks: list[int] = []
    for position, item in enumerate(ordered, start=1):
        if ranks and points(ordered[position - 2]) == points(item):
            ranks.append(ranks[-1])
        else:
            ranks.append(position)
    return ranks


def rank_month(rows: Iterable[StewardMonth], policy: CyclePolicy) -> list[StewardMonth]:
    """Ranks per community and subdistrict (competition ranks on points) and the stars of each subdistrict."""
    ranked = {r.steward_id: r for r in rows}
    for scope in ("community_id", "subdistrict_id"):
        groups: dict[int, list[StewardMonth]] = defaultdict(list)
        for r in ranked.values():
            scope_id = getattr(r, scope)
            if scope_id is not None:
                groups[scope_id].append(r)
        for members in groups.values():
            members.sort(key=month_order_key)
            for r, rank in zip(members, competition_ranks(members, lambda m: m.points), strict=True):
                current = ranked[r.steward_id]
                if scope == "community_id":
                    ranked[r.steward_id] = replace(current, rank_community=rank)
                else:
                    ranked[r.steward_id] = replace(current, rank_subdistrict=rank)
    by_subdistrict: dict[int, list[StewardMonth]] = defaultdict(list)
    for r in ranked.values():
        by_subdistrict[r.subdistrict_id].append(r)
    for members in by_subdistrict.values():
        for steward_id in select_stars(members, policy):
            ranked[steward_id] = replace(ranked[steward_id], star=True)
    return sorted(ranked.values(), key=lambda r: (r.subdistrict_id, r.rank_subdistrict, r.steward_id))


def select_stars(members: Sequence[StewardMonth], policy: CyclePolicy) -> list[int]:
    """The top share (of all ranked stewards, rounded up) among those with enough active days."""
    seats = math.ceil(policy.star_share * len(members))
    candidates = sorted(
        (m for m in members if m.active_days >= policy.star_min_active_days and m.points > 0), key=month_order_key
    )
    return [m.steward_id for m in candidates[:seats]]


# --- 年度金牌管家 --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class StewardYear:
    steward_id: int
    key: str
    name: str
    subdistrict_id: int
    community_id: int | None
    points: int
    active_months: int
    patrols_completed: int
    cases_confirmed: int
    first_claim_at: datetime | None


def gold_order_key(r: StewardYear) -> tuple[int, int, int, int, int, datetime, str]:
    """The documented order (module docstring); a steward with no claim comes after any claim date."""
    no_claim = 1 if r.first_claim_at is None else 0
    # Only compared with another no-claim steward's placeholder (no_claim decides first), so the zone is moot.
    claim = r.first_claim_at if r.first_claim_at is not None else datetime.max.replace(tzinfo=UTC)
    return (-r.points, -r.active_months, -r.patrols_completed, -r.cases_confirmed, no_claim, claim, r.key)


def is_eligible(r: StewardYear, policy: CyclePolicy, upheld: set[int]) -> bool:
    return r.active_months >= policy.gold_min_active_months and r.steward_id not in upheld and r.points > 0


@dataclass(frozen=True, slots=True)
class GoldGroup:
    """The winners chosen in one scope, best first. `scope` is "community" or "subdistrict"."""

    scope: str
    scope_id: int
    winners: tuple[StewardYear, ...]


def select_gold(records: Iterable[StewardYear], policy: CyclePolicy, upheld: set[int]) -> list[GoldGroup]:
    """Per subdistrict: top N of each community, then the top share of the subdistrict from the rest."""
    eligible = sorted((r for r in records if is_eligible(r, policy, upheld)), key=gold_order_key)
    groups: list[GoldGroup] = []
    by_subdistrict: dict[int, list[StewardYear]] = defaultdict(list)
    for r in eligible:
        by_subdistrict[r.subdistrict_id].append(r)
    for subdistrict_id, members in sorted(by_subdistrict.items()):
        chosen: set[int] = set()
        by_community: dict[int, list[StewardYear]] = defaultdict(list)
        for r in members:
            if r.community_id is not None:
                by_community[r.community_id].append(r)
        for community_id, candidates in sorted(by_community.items()):
            winners = tuple(candidates[: policy.gold_per_community])
            chosen.update(w.steward_id for w in winners)
            if winners:
                groups.append(GoldGroup("community", community_id, winners))
        seats = math.ceil(policy.gold_subdistrict_share * len(members))
        rest = tuple(r for r in members if r.steward_id not in chosen)[:seats]
        if rest:
            groups.append(GoldGroup("subdistrict", subdistrict_id, rest))
    return groups


def deciding_criterion(better: StewardYear, worse: StewardYear) -> str:
    """The name of the first tie-break criterion that orders two stewards."""
    for name, a, b in zip(_TIE_BREAK_NAMES, gold_order_key(better)[:4], gold_order_key(worse)[:4], strict=False):
        if a != b:
            return name
    if (better.first_claim_at, better.first_claim_at is None) != (worse.first_claim_at, worse.first_claim_at is None):
        return "认领时间"
    return "管家编号"


def describe_ties(ordered: Sequence[StewardYear]) -> list[str]:
    """One sentence per neighbouring pair with equal points: which criterion decided their order."""
    sentences = []
    for better, worse in zip(ordered, ordered[1:], strict=False):
        if better.points == worse.points:
            sentences.append(
                f"{better.name}与{worse.name}积分同为{better.points}分，按{deciding_criterion(better, worse)}"
                f"决定{better.name}在前"
            )
    return sentences


# --- 金牌小巷管家团 ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class MembershipSpan:
    """A member's membership in local days: [first_day, end_day) where end_day None = still a member."""

    steward_id: int
    first_day: date
    end_day: date | None


def member_months(span: MembershipSpan, year: int) -> Fraction:
    """Months of actual membership in `year`: each month counts the share of its days the member was in."""
    return member_months_between(span, date(year, 1, 1), date(year + 1, 1, 1))


def member_months_between(span: MembershipSpan, first_day: date, after_day: date) -> Fraction:
    """Months of actual membership in the days [first_day, after_day), a year, a quarter or any stretch.

    Each calendar month counts the share of its own days on which the member was in and the stretch
    covered it, so a month always weighs one whatever its length (February as much as March).
    """
    return _months_between(span.first_day, span.end_day, first_day, after_day)


@lru_cache(maxsize=4096)  # most of a district's members share a few spans: since before the year, to its end
def _months_between(member_from: date, member_until: date | None, first_day: date, after_day: date) -> Fraction:
    total = Fraction(0)
    month_first = first_day.replace(day=1)
    while month_first < after_day:
        month_after = date(month_first.year + (month_first.month == 12), month_first.month % 12 + 1, 1)
        start = max(month_first, first_day, member_from)
        end = min(month_after, after_day) if member_until is None else min(month_after, after_day, member_until)
        if end > start:
            total += Fraction((end - start).days, (month_after - month_first).days)
        month_first = month_after
    return total


@dataclass(frozen=True, slots=True)
class TeamYear:
    """A team's score over a period: the year of the award, or the quarter of a bulletin."""

    team_id: int
    name: str
    subdistrict_id: int
    points: int  # members' points on the team's lane while they were members
    member_months: Fraction

    @property
    def points_per_member_month(self) -> Fraction:
        return Fraction(self.points) / self.member_months if self.member_months else Fraction(0)


def team_order_key(t: TeamYear) -> tuple[Fraction, int, int]:
    """Points per member-month, then points, then the team's id (the older team first)."""
    return (-t.points_per_member_month, -t.points, t.team_id)


def select_teams(teams: Iterable[TeamYear], policy: CyclePolicy) -> list[TeamYear]:
    by_subdistrict: dict[int, list[TeamYear]] = defaultdict(list)
    for team in teams:
        if team.points > 0 and team.member_months > 0:
            by_subdistrict[team.subdistrict_id].append(team)
    winners: list[TeamYear] = []
    for _, candidates in sorted(by_subdistrict.items()):
        winners.extend(sorted(candidates, key=team_order_key)[: policy.team_awards_per_subdistrict])
    return winners
