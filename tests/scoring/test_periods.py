from datetime import UTC, date, datetime

import pytest

from scoring.errors import UnknownPeriodError
from scoring.periods import PeriodKind, local_day, parse_period, period_containing


@pytest.mark.parametrize(
    ("kind", "day", "first", "last", "label"),
    [
        ("day", date(2017, 5, 3), date(2017, 5, 3), date(2017, 5, 3), "2017-05-03"),
        # 2017-05-07 is a Sunday: its week starts on Monday 2017-05-01.
        ("week", date(2017, 5, 7), date(2017, 5, 1), date(2017, 5, 7), "2017-W18"),
        ("week", date(2018, 1, 1), date(2018, 1, 1), date(2018, 1, 7), "2018-W01"),
        ("month", date(2017, 2, 14), date(2017, 2, 1), date(2017, 2, 28), "2017-02"),
        ("month", date(2016, 2, 14), date(2016, 2, 1), date(2016, 2, 29), "2016-02"),
        ("quarter", date(2017, 12, 31), date(2017, 10, 1), date(2017, 12, 31), "2017-Q4"),
        ("quarter", date(2017, 5, 3), date(2017, 4, 1), date(2017, 6, 30), "2017-Q2"),
        ("year", date(2017, 5, 3), date(2017, 1, 1), date(2017, 12, 31), "2017"),
    ],
)
def test_period_containing(kind: str, day: date, first: date, last: date, label: str) -> None:
    p = period_containing(kind, day)
    assert (p.first_day, p.last_day, p.label) == (first, last, label)
    assert parse_period(kind, label) == p


def test_local_day_is_beijing_time() -> None:
    # 16:30 UTC on Sunday is 00:30 on Monday in Beijing: a new day and a new week.
    at = datetime(2017, 5, 7, 16, 30, tzinfo=UTC)
    assert local_day(at) == date(2017, 5, 8)
    assert period_containing(PeriodKind.WEEK, local_day(at)).first_day == date(2017, 5, 8)


def test_period_instants_cover_local_days() -> None:
    p = period_containing("day", date(2017, 5, 3))
    assert p.starts_at() == datetime(2017, 5, 2, 16, 0, tzinfo=UTC)
    assert p.ends_at() == datetime(2017, 5, 3, 16, 0, tzinfo=UTC)


def test_naive_datetime_is_refused() -> None:
    with pytest.raises(ValueError, match="aware"):
        local_day(datetime(2017, 5, 3, 8, 0))  # noqa: DTZ001 - naive on purpose: the refusal under test


@pytest.mark.parametrize(
    ("kind", "label"), [("fortnight", "2017"), ("week", "2017-18"), ("quarter", "2017-Q5"), ("month", "May")]
)
def test_bad_periods_say_what_to_write(kind: str, label: str) -> None:
    with pytest.raises(UnknownPeriodError):
        parse_period(kind, label)


def test_the_fixed_offset_fast_path_agrees_with_the_zone_database() -> None:
    from datetime import timedelta
    from zoneinfo import ZoneInfo

    shanghai = ZoneInfo("Asia/Shanghai")
    at = datetime(2015, 1, 1, tzinfo=UTC)
    while at < datetime(2100, 1, 1, tzinfo=UTC):
        for probe in (at, at + timedelta(hours=15, minutes=59, seconds=59), at + timedelta(hours=16)):
            assert local_day(probe) == probe.astimezone(shanghai).date(), probe
        at += timedelta(days=97)
