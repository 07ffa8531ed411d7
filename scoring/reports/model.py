"""The documents' contents as plain frozen dataclasses: what a bulletin, an award report and a
certificate say, free of database types so they can be filled from any store and tested alone.

Every count is an integer as the ledger holds it; names and places are the Chinese names shown to
readers. Validation happens on construction: a dataclass that exists can be rendered.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Final

from scoring.reports.errors import ReportDataError
from scoring.reports.wording import CASE_CATEGORIES, category_label, quarter_name, state_label

STEWARD_AWARD: Final = "年度金牌管家"
TEAM_AWARD: Final = "金牌小巷管家团"


# -- 季通报: the quarterly bulletin ----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class StewardRanking:
    """One line of the quarter's ranking. `lane` names the steward's lanes ("福光路、幸福北里")."""

    rank: int
    name: str
    points: int
    community: str | None
    lane: str
    level: str | None = None  # 见习管家 / 小巷管家 / 优秀管家 / 金牌管家, when the rulebook has levels

    def __post_init__(self) -> None:
        if self.rank < 1:
            raise ReportDataError(f"rank of {self.name} is {self.rank}; ranks start at 1")


@dataclass(frozen=True, slots=True)
class PatrolCompletion:
    """日巡 completion of one lane: patrols the schedule required, and how many of those were done."""

    community: str | None
    lane: str
    due: int
    completed: int

    def __post_init__(self) -> None:
        if not 0 <= self.completed <= self.due:
            raise ReportDataError(
                f"{self.lane}: {self.completed} patrols completed of {self.due} due; completed counts "
                "only due patrols, so it lies between 0 and due"
            )


@dataclass(frozen=True, slots=True)
class OpenCase:
    """A problem on a lane not yet closed, with its workflow state (a case state code)."""

    reference: str  # the case's number in the work ledger, e.g. "LT-2017-0042"
    community: str | None
    lane: str
    category: str  # one of CASE_CATEGORIES, or its code ("wall_opening"); stored as the label
    state: str  # one of CASE_STATE_LABELS' keys (scoring.cases.CaseState values)
    reported_on: date
    location: str = ""  # "福光路 120米处" or the checkpoint's name

    def __post_init__(self) -> None:
        object.__setattr__(self, "category", category_label(self.category))
        state_label(self.state)


@dataclass(frozen=True, slots=True)
class CategoryTally:
    """Cases of one category found (reported and confirmed) and fixed (fix confirmed) in the quarter.

    A case fixed this quarter may have been found in an earlier one, so `fixed` may exceed `found`.
    """

    category: str  # as OpenCase.category
    found: int
    fixed: int

    def __post_init__(self) -> None:
        object.__setattr__(self, "category", category_label(self.category))
        if self.found < 0 or self.fixed < 0:
            raise ReportDataError(f"{self.category}: case counts cannot be negative")


@dataclass(frozen=True, slots=True)
class MonthlyPoints:
    """Points the subdistrict's stewards earned in one month; `month` is its first day."""

    month: date
    points: int

    def __post_init__(self) -> None:
        if self.month.day != 1:
            raise ReportDataError(f"a month is named by its first day, got {self.month}")
        if self.points < 0:
            raise ReportDataError(f"points for {self.month:%Y-%m} cannot be negative")


@dataclass(frozen=True, slots=True)
class NotableSteward:
    name: str
    community: str | None
    lane: str
    citation: str  # one sentence: what they did


@dataclass(frozen=True, slots=True)
class NotableTeam:
    name: str  # "幸福北里小巷管家团"
    community: str | None
    lane: str
    members: tuple[str, ...]
    citation: str


@dataclass(frozen=True, slots=True)
class QuarterlyBulletin:
    subdistrict: str  # 龙潭街道
    district: str  # 东城区
    issuer: str  # 龙潭街道办事处
    year: int
    quarter: int
    issued_on: date
    rankings: tuple[StewardRanking, ...]
    patrols: tuple[PatrolCompletion, ...]
    open_cases: tuple[OpenCase, ...]
    cases_by_category: tuple[CategoryTally, ...]
    monthly_points: tuple[MonthlyPoints, ...]
    notable_stewards: tuple[NotableSteward, ...] = ()
    notable_teams: tuple[NotableTeam, ...] = ()
    ruleset_versions: tuple[str, ...] = ()  # every rule-set version whose entries the quarter holds

    def __post_init__(self) -> None:
        quarter_name(self.quarter)
        seen = [t.category for t in self.cases_by_category]
        if len(seen) != len(set(seen)):
            raise ReportDataError("cases_by_category lists a category twice; give one tally per category")
        months = [m.month for m in self.monthly_points]
        if len(months) != len(set(months)):
            raise ReportDataError("monthly_points lists a month twice; give one total per month")

    @property
    def title(self) -> str:
        return f"{self.subdistrict} {self.year}年{quarter_name(self.quarter)} 小巷管家工作通报"

    def ranked(self) -> tuple[StewardRanking, ...]:
        """Rankings by rank; equal ranks keep the order they were given in."""
        return tuple(sorted(self.rankings, key=lambda r: r.rank))

    def category_tallies(self) -> tuple[CategoryTally, ...]:
        """All seven categories in canonical order, zero where the data has none."""
        given = {t.category: t for t in self.cases_by_category}
        return tuple(given.get(c, CategoryTally(c, 0, 0)) for c in CASE_CATEGORIES)

    def patrols_by_lane(self) -> tuple[PatrolCompletion, ...]:
        return tuple(sorted(self.patrols, key=lambda p: (p.community is None, p.community or "", p.lane)))

    def open_cases_by_lane(self) -> tuple[OpenCase, ...]:
        return tuple(
            sorted(self.open_cases,
                   key=lambda c: (c.community is None, c.community or "", c.lane, c.reported_on, c.reference))
        )

    def months(self) -> tuple[MonthlyPoints, ...]:
        return tuple(sorted(self.monthly_points, key=lambda m: m.month))


# -- 年度金牌管家: the award report ----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class EvidenceSummary:
    """What a winner's award rests on; the same figures go into the signed credential."""

    points: int
    active_months: int
    patrols_completed: int
    cases_confirmed: int
    dissuasions: int = 0

    def __post_init__(self) -> None:
        if not 0 <= self.active_months <= 12:
            raise ReportDataError(f"active months is between 0 and 12, got {self.active_months}")


@dataclass(frozen=True, slots=True)
class AwardWinner:
    rank: int  # within its group
    name: str
    community: str | None
    lane: str
    evidence: EvidenceSummary
    credential_id: str


@dataclass(frozen=True, slots=True)
class AwardGroup:
    """The winners chosen within one scope: a community (top N) or a subdistrict (top share)."""

    scope: str  # "幸福社区" or "龙潭街道"
    rule: str  # how this group was chosen, in words: "每个社区积分前3名"
    winners: tuple[AwardWinner, ...]


@dataclass(frozen=True, slots=True)
class TeamMember:
    """A member's part in a team award: members who joined or left mid-year are credited by month.

    `joined_on` None: a member from before the year began; `left_on` None: still a member at its end.
    """

    name: str
    joined_on: date | None
    left_on: date | None
    months_credited: int

    def __post_init__(self) -> None:
        if not 0 <= self.months_credited <= 12:
            raise ReportDataError(f"{self.name}: months credited is between 0 and 12")
        if self.joined_on and self.left_on and self.left_on < self.joined_on:
            raise ReportDataError(f"{self.name} left the team ({self.left_on}) before joining ({self.joined_on})")


@dataclass(frozen=True, slots=True)
class TeamAward:
    team: str  # "幸福北里小巷管家团"
    community: str | None
    lane: str
    points: int
    members: tuple[TeamMember, ...]
    citation: str
    credential_id: str


@dataclass(frozen=True, slots=True)
class AwardReport:
    subdistrict: str
    district: str
    issuer: str
    year: int
    issued_on: date
    ruleset_version: str
    eligibility: tuple[str, ...]  # each rule in words: "全年至少10个月有巡查记录"
    groups: tuple[AwardGroup, ...]
    team_awards: tuple[TeamAward, ...]
    tie_breaks: tuple[str, ...]  # the ordered criteria: "积分高者在前", "活跃月数多者在前", ...
    tie_cases: tuple[str, ...] = ()  # each tie this year and how it was decided, one sentence each

    @property
    def title(self) -> str:
        return f"{self.subdistrict} {self.year}年度金牌管家评选报告"

    def winner_count(self) -> int:
        return sum(len(g.winners) for g in self.groups)


# -- 证书: one certificate per winner ----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Certificate:
    name: str  # the steward, or the team's name for a team award
    year: int
    subdistrict: str
    district: str
    issuer: str
    issued_on: date
    credential_id: str
    verification_hint: str  # how to check it offline: "stewards awards verify <证书文件>"
    award: str = STEWARD_AWARD
    community: str | None = None
    members: tuple[str, ...] = ()  # a team's members, printed under its name

    @property
    def is_team(self) -> bool:
        return self.award == TEAM_AWARD

    @property
    def title(self) -> str:
        return f"{self.name} · {self.year} · {self.award}证书"
