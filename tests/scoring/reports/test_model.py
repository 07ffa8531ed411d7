from __future__ import annotations

import dataclasses
from datetime import date

import pytest

from scoring.reports import (
    CASE_CATEGORIES,
    CategoryTally,
    MonthlyPoints,
    OpenCase,
    PatrolCompletion,
    QuarterlyBulletin,
    StewardRanking,
    TeamMember,
)
from scoring.reports.errors import ReportDataError


def test_bulletin_title(bulletin: QuarterlyBulletin) -> None:
    assert bulletin.title == "龙潭街道 2017年第三季度 小巷管家工作通报"


def test_all_categories_listed_in_canonical_order_with_zeros(bulletin: QuarterlyBulletin) -> None:
    tallies = bulletin.category_tallies()
    assert tuple(t.category for t in tallies) == CASE_CATEGORIES
    assert {t.category: (t.found, t.fixed) for t in tallies}["违法建设"] == (0, 0)
    assert {t.category: (t.found, t.fixed) for t in tallies}["堆物堆料"] == (17, 15)


def test_categories_given_by_code_are_stored_as_their_label(bulletin: QuarterlyBulletin) -> None:
    by_code = dataclasses.replace(bulletin, cases_by_category=(CategoryTally("parking_lock", 5, 4),))
    assert by_code.category_tallies()[2] == CategoryTally("地桩地锁", 5, 4)
    assert OpenCase("LT-1", None, "福光路", "wall_opening", "reported", date(2017, 7, 1)).category == "开墙打洞"
    with pytest.raises(ReportDataError):
        dataclasses.replace(bulletin, cases_by_category=(CategoryTally("parking_lock", 1, 0),
                                                         CategoryTally("地桩地锁", 1, 0)))


def test_rankings_sorted_by_rank_keeping_the_order_of_ties(bulletin: QuarterlyBulletin) -> None:
    shuffled = dataclasses.replace(bulletin, rankings=tuple(reversed(bulletin.rankings)))
    assert [r.name for r in shuffled.ranked()] == ["赵云华", "韩险峰", "李国强", "王秀英", "张桂兰"]


@pytest.mark.parametrize(
    "build",
    [
        lambda: PatrolCompletion("幸福社区", "福光路", 10, 11),
        lambda: PatrolCompletion("幸福社区", "福光路", 10, -1),
        lambda: OpenCase("LT-1", None, "福光路", "乱停车", "reported", date(2017, 7, 1)),
        lambda: OpenCase("LT-1", None, "福光路", "开墙打洞", "forgotten", date(2017, 7, 1)),
        lambda: CategoryTally("开墙打洞", -1, 0),
        lambda: MonthlyPoints(date(2017, 7, 2), 10),
        lambda: MonthlyPoints(date(2017, 7, 1), -10),
        lambda: StewardRanking(0, "赵云华", 10, None, "福光路"),
        lambda: TeamMember("王秀英", date(2017, 9, 1), date(2017, 8, 1), 1),
        lambda: TeamMember("王秀英", None, None, 13),
    ],
)
def test_inconsistent_data_is_refused(build: object) -> None:
    with pytest.raises(ReportDataError):
        build()  # type: ignore[operator]


@pytest.mark.parametrize(
    "change",
    [
        {"quarter": 5},
        {"cases_by_category": (CategoryTally("开墙打洞", 1, 0), CategoryTally("开墙打洞", 2, 0))},
        {"monthly_points": (MonthlyPoints(date(2017, 7, 1), 1), MonthlyPoints(date(2017, 7, 1), 2))},
    ],
)
def test_inconsistent_bulletins_are_refused(bulletin: QuarterlyBulletin, change: dict[str, object]) -> None:
    with pytest.raises(ReportDataError):
        dataclasses.replace(bulletin, **change)  # type: ignore[arg-type]
