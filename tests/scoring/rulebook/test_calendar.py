"""Day kinds from the official calendar, on the real 2017 National Day holiday and its 调休 weekend."""

from __future__ import annotations

import logging
from datetime import date

import pytest

from scoring.rulebook import BeyondCalendar, DayKind, RulebookError, day_kind

CASES = [
    (date(2017, 9, 29), DayKind.WORKDAY),  # Friday
    (date(2017, 9, 30), DayKind.WORKDAY),  # Saturday worked in exchange (调休上班)
    (date(2017, 10, 1), DayKind.PUBLIC_HOLIDAY),
    (date(2017, 10, 4), DayKind.PUBLIC_HOLIDAY),  # 中秋 inside the National Day holiday
    (date(2017, 10, 7), DayKind.PUBLIC_HOLIDAY),  # a Saturday folded into the holiday
    (date(2017, 10, 8), DayKind.PUBLIC_HOLIDAY),
    (date(2017, 10, 9), DayKind.WORKDAY),
    (date(2017, 10, 14), DayKind.REST_DAY),  # an ordinary Saturday
    (date(2017, 5, 1), DayKind.PUBLIC_HOLIDAY),  # 劳动节
    (date(2017, 5, 27), DayKind.WORKDAY),  # Saturday worked before 端午
]


@pytest.mark.parametrize(("day", "kind"), CASES, ids=[str(d) for d, _ in CASES])
def test_day_kinds(day: date, kind: DayKind) -> None:
    assert day_kind(day) is kind


def test_years_beyond_the_calendar_fall_back_to_weekends_with_a_warning(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="scoring.rulebook.calendar"):
        assert day_kind(date(2099, 1, 3)) is DayKind.REST_DAY  # a Saturday
        assert day_kind(date(2099, 1, 5)) is DayKind.WORKDAY
    assert "upgrade" in caplog.text


def test_years_beyond_the_calendar_can_be_refused() -> None:
    with pytest.raises(RulebookError, match="upgrade the chinese-calendar package"):
        day_kind(date(2099, 1, 5), BeyondCalendar.ERROR)
