"""Which kind of day a local date is in China's official calendar: workday, rest day or public holiday.

The State Council publishes each year's public holidays and the weekend days worked in exchange
(调休上班); PyPI `chinese-calendar` ships those tables. An adjusted working day counts as a workday.
`chinese_calendar.is_holiday` is also true on an ordinary weekend, so a public holiday is told apart
by the holiday's name the package attaches to it.

The package covers a fixed span of years. Beyond it the rule set chooses: fall back to Monday–Friday
workdays (logged once per year, so the operator upgrades the package) or refuse to score.
"""

from __future__ import annotations

import enum
import logging
from datetime import date
from functools import cache, lru_cache

import chinese_calendar

from scoring.rulebook.errors import RulebookError

log = logging.getLogger(__name__)


class DayKind(enum.StrEnum):
    WORKDAY = "workday"  # Monday–Friday and 调休 working weekends
    REST_DAY = "rest_day"  # an ordinary weekend day
    PUBLIC_HOLIDAY = "public_holiday"  # 法定节假日, including the weekends folded into one


class BeyondCalendar(enum.StrEnum):
    WEEKENDS = "weekends"
    ERROR = "error"


@lru_cache(maxsize=4096)
def day_kind(day: date, beyond: BeyondCalendar = BeyondCalendar.WEEKENDS) -> DayKind:
    try:
        on_holiday, holiday_name = chinese_calendar.get_holiday_detail(day)
    except NotImplementedError:
        if beyond is BeyondCalendar.ERROR:
            raise RulebookError(
                f"the holiday calendar has no data for {day.year}: upgrade the chinese-calendar package, or set "
                f'calendar.beyond_known_years = "weekends" in the rulebook to treat Saturdays and Sundays as rest days'
            ) from None
        _warn_beyond(day.year)
        return DayKind.REST_DAY if day.weekday() >= 5 else DayKind.WORKDAY
    if not on_holiday:
        return DayKind.WORKDAY
    return DayKind.PUBLIC_HOLIDAY if holiday_name else DayKind.REST_DAY


@cache
def _warn_beyond(year: int) -> None:
    log.warning(
        "chinese-calendar has no holidays for %d; Saturdays and Sundays are rest days and no public holiday is "
        "known: upgrade the package and rescore %d once it has the year",
        year,
        year,
    )
