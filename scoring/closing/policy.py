"""`CyclePolicy`: the rulebook values the closing jobs need, frozen, with the programme's defaults.

They come from the rulebook's [cycle] table (`CyclePolicy.from_rulebook`); keys it leaves out keep
the defaults below. Integrity flags arrive through `UpheldFlags`, a callable year -> steward ids with
an upheld flag in that year; the default, `no_upheld_flags`, upholds none.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, fields
from typing import Any, Final

from scoring.closing.errors import ClosingPolicyError

UpheldFlags = Callable[[int], set[int]]

# The first rule of the daily patrol: one entry per segment walked end to end in a window.
PATROL_RULE: Final = "segment_patrol"


def no_upheld_flags(year: int) -> set[int]:
    """The default integrity source: nobody has an upheld flag."""
    return set()


@dataclass(frozen=True, slots=True)
class CyclePolicy:
    """What 月评, 季通报 and 年度金牌管家 need from the rulebook.

    Stars (月度之星): the top `star_share` of a subdistrict's ranked stewards (rounded up), chosen
    among those with at least `star_min_active_days` active days in the month.
    Gold (年度金牌管家): eligible when active (at least `active_month_min_days` active days) in at
    least `gold_min_active_months` of the year's 12 months and without an upheld integrity flag;
    then the top `gold_per_community` of each community, then the top `gold_subdistrict_share` of
    the subdistrict's eligible stewards (rounded up) from those not already chosen.
    Team award (金牌小巷管家团): the best `team_awards_per_subdistrict` teams of each subdistrict by
    points per member-month of actual membership.
    Lane ratings: `patrol_windows_per_day` patrols are due per claimed segment and day; entries of
    rule `patrol_rule` count as completed patrols.
    """

    star_share: float = 0.10
    star_min_active_days: int = 8
    active_month_min_days: int = 1
    gold_min_active_months: int = 10
    gold_per_community: int = 3
    gold_subdistrict_share: float = 0.05
    team_awards_per_subdistrict: int = 1
    patrol_windows_per_day: int = 2
    patrol_rule: str = PATROL_RULE
    bulletin_ranking_size: int = 20

    def __post_init__(self) -> None:
        for name in ("star_share", "gold_subdistrict_share"):
            value = getattr(self, name)
            if not 0.0 <= value <= 1.0:
                raise ClosingPolicyError(f"{name} is a share between 0 and 1, got {value}")
        if not 0 <= self.gold_min_active_months <= 12:
            raise ClosingPolicyError(f"gold_min_active_months is 0..12, got {self.gold_min_active_months}")
        for name in ("star_min_active_days", "active_month_min_days", "gold_per_community",
                     "team_awards_per_subdistrict", "patrol_windows_per_day", "bulletin_ranking_size"):
            if getattr(self, name) < 0:
                raise ClosingPolicyError(f"{name} cannot be negative")

    def as_json(self) -> dict[str, object]:
        return asdict(self)

    @classmethod
    def from_default_rulebook(cls) -> CyclePolicy:
        """The policy of the rulebook the scorer uses (scoring/rulebook/default.toml)."""
        from scoring.rulebook import load_rulebook

        book = load_rulebook()
        return cls.from_rulebook(book.cycle, book.source)

    @classmethod
    def from_rulebook(cls, cycle: Mapping[str, Any], source: str = "the rulebook") -> CyclePolicy:
        """The policy from a rulebook's [cycle] table; keys left out keep their defaults."""
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(cycle) - known)
        if unknown:
            raise ClosingPolicyError(
                f"{source}: [cycle] has an unknown key {unknown[0]!r}; the keys allowed are: {', '.join(sorted(known))}"
            )
        try:
            return cls(**dict(cycle))
        except TypeError as exc:
            raise ClosingPolicyError(f"{source}: [cycle]: {exc}") from None


# The programme's defaults, one frozen instance: the closing jobs' default argument.
DEFAULT_POLICY: Final = CyclePolicy()
