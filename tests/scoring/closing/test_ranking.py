from __future__ import annotations

from datetime import UTC, date, datetime
from fractions import Fraction

import pytest

from scoring.closing import CyclePolicy
from scoring.closing.ranking import (
    MembershipSpan,
    StewardMonth,
    StewardYear,
    TeamYear,
    competition_ranks,
    describe_ties,
    gold_order_key,
    member_months,
    rank_month,
    select_gold,
    select_teams,
)


def test_competition_ranks_share_a_rank_on_equal_points() -> None:
    assert competition_ranks([9, 7, 7, 5, 5, 5, 1], lambda p: p) == [1, 2, 2, 4, 4, 4, 7]


def test_month_ranks_per_community_and_subdistrict_and_stars_need_activity() -> None:
    rows = [
        StewardMonth(1, 10, 100, points=50, active_days=3, patrols_completed=2, cases_confirmed=0),  # too few days
        StewardMonth(2, 10, 100, points=40, active_days=9, patrols_completed=5, cases_confirmed=0),
        StewardMonth(3, 10, None, points=40, active_days=12, patrols_completed=6, cases_confirmed=0),
        *(StewardMonth(i, 10, 101, points=10, active_days=8, patrols_completed=1, cases_confirmed=0)
          for i in range(4, 21)),
    ]
    ranked = {r.steward_id: r for r in rank_month(rows, CyclePolicy(star_share=0.1))}
    assert ranked[1].rank_subdistrict == 1 and ranked[2].rank_subdistrict == 2 and ranked[3].rank_subdistrict == 2
    assert ranked[3].rank_community is None and ranked[2].rank_community == 2
    assert ranked[4].rank_community == 1 and ranked[4].rank_subdistrict == 4
    # 20 stewards, 10%: two stars; steward 1 leads on points but was active on 3 days only.
    assert sorted(i for i, r in ranked.items() if r.star) == [2, 3]


_CLAIM = datetime(2017, 5, 1, tzinfo=UTC)


def _y(key: str, points: int, months: int = 12, patrols: int = 100, cases: int = 1,
       claim: datetime | None = _CLAIM, community: int | None = 1) -> StewardYear:
    return StewardYear(int(key[-3:]), key, f"管家{key[-3:]}", 1, community, points, months, patrols, cases, claim)


@pytest.mark.parametrize(("a", "b", "decided_by"), [
    (_y("s/001", 900), _y("s/002", 800), "积分"),
    (_y("s/002", 800, months=12), _y("s/001", 800, months=11), "活跃月数"),
    (_y("s/002", 800, patrols=120), _y("s/001", 800, patrols=119), "完成日巡次数"),
    (_y("s/002", 800, cases=3), _y("s/001", 800, cases=2), "确认问题件数"),
    (_y("s/002", 800, claim=datetime(2017, 4, 1, tzinfo=UTC)), _y("s/001", 800), "认领时间"),
    (_y("s/002", 800), _y("s/001", 800, claim=None), "认领时间"),
    (_y("s/001", 800), _y("s/002", 800), "管家编号"),
])
def test_gold_tie_breaks_in_their_documented_order(a: StewardYear, b: StewardYear, decided_by: str) -> None:
    assert sorted([b, a], key=gold_order_key) == [a, b]
    ties = describe_ties([a, b])
    if a.points == b.points:
        assert ties == [f"{a.name}与{b.name}积分同为{a.points}分，按{decided_by}决定{a.name}在前"]
    else:
        assert ties == []


def test_gold_selection_takes_eligible_community_leaders_then_the_subdistrict_share() -> None:
    records = [
        _y("s/001", 1000, months=9),  # not active in enough months
        _y("s/002", 990),  # upheld integrity flag
        _y("s/003", 900), _y("s/004", 800), _y("s/005", 700), _y("s/006", 600),
        _y("s/007", 650, community=None), _y("s/008", 500, community=None),
    ]
    groups = select_gold(records, CyclePolicy(gold_per_community=3, gold_subdistrict_share=0.2), upheld={2})
    assert [(g.scope, [w.key for w in g.winners]) for g in groups] == [
        ("community", ["s/003", "s/004", "s/005"]),
        # 6 eligible, 20% rounded up: 2 more from those not yet chosen, community or not.
        ("subdistrict", ["s/007", "s/006"]),
    ]


def test_member_months_count_only_actual_membership() -> None:
    assert member_months(MembershipSpan(1, date(2017, 5, 1), None), 2018) == 12
    assert member_months(MembershipSpan(1, date(2018, 7, 1), None), 2018) == 6
    assert member_months(MembershipSpan(1, date(2018, 1, 1), date(2018, 4, 1)), 2018) == 3
    assert member_months(MembershipSpan(1, date(2018, 2, 15), date(2018, 3, 1)), 2018) == Fraction(14, 28)
    assert member_months(MembershipSpan(1, date(2016, 1, 1), date(2017, 12, 31)), 2018) == 0


def test_team_award_is_fair_to_teams_whose_members_came_and_went() -> None:
    # 甲: three members all year at 30 points a member-month. 乙: one of three left at the end of June,
    # the others earned 31 a member-month. Counted per member, 乙 (930 / 3) would trail 甲 (1080 / 3);
    # per member-month of actual membership, 乙 leads.
    steady = TeamYear(1, "甲小巷管家团", 7, points=36 * 30, member_months=Fraction(36))
    shrinking = TeamYear(2, "乙小巷管家团", 7, points=30 * 31, member_months=Fraction(30))
    # 丙: a third member joined on 1 July; the same rate as 甲, fewer points: 甲 wins that tie on points.
    growing = TeamYear(3, "丙小巷管家团", 7, points=30 * 30, member_months=Fraction(30))
    winners = select_teams([steady, shrinking, growing], CyclePolicy(team_awards_per_subdistrict=3))
    assert [w.team_id for w in winners] == [2, 1, 3]
    assert select_teams([steady, shrinking, growing], CyclePolicy()) == [shrinking]


def test_the_policy_comes_from_the_rulebooks_cycle_table_and_refuses_unknown_keys() -> None:
    from scoring.closing import CyclePolicy
    from scoring.closing.errors import ClosingPolicyError
    from scoring.rulebook import parse_rulebook

    book = parse_rulebook('[cycle]\ngold_per_community = 5\n\n[[ruleset]]\neffective_from = 2017-04-10\n')
    assert CyclePolicy.from_rulebook(book.cycle) == CyclePolicy(gold_per_community=5)
    assert CyclePolicy.from_default_rulebook().gold_min_active_months == 10
    with pytest.raises(ClosingPolicyError, match="unknown key 'gold_months'"):
        CyclePolicy.from_rulebook({"gold_months": 3})
    with pytest.raises(ClosingPolicyError, match="share between 0 and 1"):
        CyclePolicy.from_rulebook({"star_share": 2.0})
