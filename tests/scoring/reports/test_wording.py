from __future__ import annotations

import enum
from datetime import date

import pytest

from scoring.reports.errors import ReportDataError
from scoring.reports.wording import (
    CASE_CATEGORIES,
    category_label,
    day_text,
    formal_day_text,
    percent,
    quarter_name,
    state_label,
)


class _State(enum.StrEnum):
    """Like the work ledger's CaseState: a string enum whose values are the state codes."""

    ENFORCEMENT_REQUESTED = "enforcement_requested"


@pytest.mark.parametrize(
    ("part", "whole", "text"),
    [
        (0, 0, "—"),
        (0, 8, "0.0%"),
        (7, 8, "87.5%"),
        (8, 8, "100.0%"),
        (1, 3, "33.3%"),
        (2, 3, "66.7%"),
        (1, 2000, "0.1%"),  # 0.05% rounds half up
        (1, 2001, "0.0%"),
        (517, 644, "80.3%"),
    ],
)
def test_percent(part: int, whole: int, text: str) -> None:
    assert percent(part, whole) == text


@pytest.mark.parametrize(
    ("day", "formal"),
    [
        (date(2018, 1, 10), "二〇一八年一月十日"),
        (date(2017, 12, 31), "二〇一七年十二月三十一日"),
        (date(2017, 10, 9), "二〇一七年十月九日"),
        (date(2020, 11, 20), "二〇二〇年十一月二十日"),
    ],
)
def test_formal_day_text(day: date, formal: str) -> None:
    assert formal_day_text(day) == formal


def test_day_text() -> None:
    assert day_text(date(2017, 7, 3)) == "2017年7月3日"


def test_the_seven_categories_of_the_work_ledger() -> None:
    assert CASE_CATEGORIES == ("开墙打洞", "违法建设", "地桩地锁", "群租房屋", "堆物堆料", "占道经营", "其他")
    assert category_label("开墙打洞") == "开墙打洞"
    codes = ("wall_opening", "street_vending", "other")
    assert [category_label(code) for code in codes] == ["开墙打洞", "占道经营", "其他"]
    with pytest.raises(ReportDataError, match="其他"):
        category_label("乱停车")


def test_states_and_quarters() -> None:
    assert state_label("fix_confirmed") == "已确认完成"
    assert state_label(_State.ENFORCEMENT_REQUESTED) == "已申请执法"
    assert quarter_name(3) == "第三季度"
    with pytest.raises(ReportDataError):
        state_label("lost")
    with pytest.raises(ReportDataError):
        quarter_name(5)
