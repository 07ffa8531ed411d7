"""Scoring periods — day, week (Monday start), month, quarter, year — in Asia/Shanghai.

The programme runs on Beijing time: a patrol at 23:30 on a Sunday belongs to that Sunday and to that
week, whatever the server's zone. Everything here is pure arithmetic on dates; instants are converted
once, at the edge, by `local_day()`.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Final
from zoneinfo import ZoneInfo

from scoring.errors import UnknownPeriodError

PROGRAMME_TZ: Final = ZoneInfo("Asia/Shanghai")
# China has kept UTC+8 all year since 1991 and the wire refuses times before 2015, so the hot path
# (one call per stored check-in) adds the offset instead of consulting the zone database; a test
# holds it equal to PROGRAMME_TZ.
_PROGRAMME_OFFSET: Final = timedelta(hours=8)
_SINCE_FIXED_OFFSET: Final = datetime(1992, 1, 1, tzinfo=UTC)


class PeriodKind(enum.StrEnum):
    DAY = "day"
    WEEK = "week"
    MONTH = "month"
    QUARTER = "quarter"
    YEAR = "year"
    RANGE = "range"  # any run of days, e.g. a demo year from May to April


@dataclass(frozen=True, slots=True)
class Period:
    """A closed range of local days [first_day, last_day]."""

    kind: PeriodKind
    first_day: date
    last_day: date

    @property
    def label(self) -> str:
        d = self.first_day
        match self.kind:
            case PeriodKind.DAY:
                return d.isoformat()
            case PeriodKind.WEEK:
                iso = d.isocalendar()
                return f"{iso.year:04d}-W{iso.week:02d}"
            case PeriodKind.MONTH:
                return f"{d.year:04d}-{d.month:02d}"
            case PeriodKind.QUARTER:
                return f"{d.year:04d}-Q{(d.month - 1) // 3 + 1}"
            case PeriodKind.YEAR:
                return f"{d.year:04d}"  # four digits, as a day's ISO label has: 0999, not 999
            case PeriodKind.RANGE:
                return f"{self.first_day.isoformat()}..{self.last_day.isoformat()}"

    def starts_at(self) -> datetime:
        """The first instant of the period, as an aware UTC datetime."""
        return day_starts_at(self.first_day)

    def ends_at(self) -> datetime:
        """The first instant after the period, as an aware UTC datetime."""
        return day_starts_at(self.last_day + timedelta(days=1))

    def days(self) -> list[date]:
        n = (self.last_day - self.first_day).days + 1
        return [self.first_day + timedelta(days=i) for i in range(n)]


def local_day(at: datetime) -> date:
    """The programme's calendar day of an aware instant."""
    if at.tzinfo is None:
        raise ValueError("local_day needs an aware datetime; naive times have no place here")
    if at >= _SINCE_FIXED_OFFSET:
        return (at.astimezone(UTC) + _PROGRAMME_OFFSET).date()
    return at.astimezone(PROGRAMME_TZ).date()


def day_starts_at(day: date) -> datetime:
    return datetime.combine(day, time(0, 0), PROGRAMME_TZ).astimezone(UTC)


def period_kind(kind: PeriodKind | str) -> PeriodKind:
    try:
        return PeriodKind(kind)
    except ValueError:
        raise UnknownPeriodError(
            f"unknown period kind {kind!r}: use one of {', '.join(k.value for k in PeriodKind)}"
        ) from None


def period_containing(kind: PeriodKind | str, day: date) -> Period:
    kind = period_kind(kind)
    match kind:
        case PeriodKind.DAY:
            return Period(kind, day, day)
        case PeriodKind.WEEK:
            first = day - timedelta(days=day.weekday())
            return Period(kind, first, first + timedelta(days=6))
        case PeriodKind.MONTH:
            first = day.replace(day=1)
            return Period(kind, first, _next_month(first) - timedelta(days=1))
        case PeriodKind.QUARTER:
            first = date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)
            last = _next_month(_next_month(_next_month(first))) - timedelta(days=1)
            return Period(kind, first, last)
        case PeriodKind.YEAR:
            return Period(kind, date(day.year, 1, 1), date(day.year, 12, 31))
        case PeriodKind.RANGE:
            return Period(kind, day, day)
    raise AssertionError(kind)  # pragma: no cover - the match is exhaustive


def parse_period(kind: PeriodKind | str, label: str) -> Period:
    """A period from its label: 2017-05-03, 2017-W18, 2017-05, 2017-Q2, 2017."""
    kind_value = period_kind(kind)
    try:
        match kind_value:
            case PeriodKind.DAY:
                day = date.fromisoformat(label)
            case PeriodKind.WEEK:
                year, week = label.split("-W")
                day = date.fromisocalendar(int(year), int(week), 1)
            case PeriodKind.MONTH:
                year, month = label.split("-")
                day = date(int(year), int(month), 1)
            case PeriodKind.QUARTER:
                year, quarter = label.split("-Q")
                if not 1 <= int(quarter) <= 4:
                    raise ValueError(quarter)
                day = date(int(year), 3 * (int(quarter) - 1) + 1, 1)
            case PeriodKind.YEAR:
                day = date(int(label), 1, 1)
            case PeriodKind.RANGE:
                first, last = (date.fromisoformat(part) for part in label.split(".."))
                return span(first, last)
    except ValueError:
        examples = {"day": "2017-05-03", "week": "2017-W18", "month": "2017-05", "quarter": "2017-Q2",
                    "year": "2017", "range": "2017-05-01..2018-04-30"}
        raise UnknownPeriodError(
            f"{label!r} is not a {kind_value.value} label; write it like {examples[kind_value.value]}"
        ) from None
    return period_containing(kind_value, day)


def span(first_day: date, last_day: date) -> Period:
    """An arbitrary run of local days, both ends included."""
    if last_day < first_day:
        raise UnknownPeriodError(f"a range ends on or after its first day, got {first_day}..{last_day}")
    return Period(PeriodKind.RANGE, first_day, last_day)


def _next_month(first: date) -> date:
    return date(first.year + first.month // 12, first.month % 12 + 1, 1)
