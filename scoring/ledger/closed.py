"""Closed months: which months' 月评 are frozen, and where a points entry dated into one is booked.

A month is closed once its 月评 is stored (month_reviews, written by scoring.closing.month in one
transaction with its snapshot; a quarter or year closes its months first). The rule: no entry is
ever dated into a closed month again, so a month's frozen review always equals its ledger totals.
- A write that belongs in its month, a 周查 dated into it, is refused (`ensure_open`).
- Points that still follow from a closed month's data (work confirmed in it but booked after it
  closed, a flag restored after it closed, a rescore) are booked as an adjustment (`ClosedMonths.book`):
  the same entry, with its key, points and reversal, dated on the first day of the first open month
  after it (the current month, when the closing job is up to date), its rule marked
  "adjustment:<rule>" and its evidence ending "adjustment_for/<day>", the day the points are for.
  A reversal or a new version is an adjustment the same way, so a month closed later keeps its totals too.

The scorer compares entries as they were dated (`as_dated`), so an adjustment once booked is not
booked again, and the caps count it on the day it is for, not on the day it was booked.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, Final, NamedTuple

from sqlalchemy import Connection, select

from scoring.errors import PeriodClosedError
from scoring.periods import PeriodKind, period_containing
from scoring.storage import tables as t

ADJUSTMENT_PREFIX: Final = "adjustment:"
ADJUSTMENT_FOR: Final = "adjustment_for/"


class Dated(NamedTuple):
    """An entry's rule, day and evidence as they were dated, before any booking as an adjustment."""

    rule: str
    day: date
    evidence: tuple[str, ...]
    adjustment: bool  # booked on a later day, because its own month was closed


@dataclass(frozen=True, slots=True)
class ClosedMonths:
    firsts: frozenset[date]  # the first day of every closed month

    def is_closed(self, day: date) -> bool:
        return day.replace(day=1) in self.firsts

    def booking_day(self, day: date) -> date:
        """The day an entry dated `day` is booked on: that day in an open month, else the first day of the
        first open month after it. Never a closed day, and never later than the current month: a month
        cannot be closed before it has ended."""
        month = day.replace(day=1)
        if month not in self.firsts:
            return day
        while month in self.firsts:
            month = period_containing(PeriodKind.MONTH, month).last_day + timedelta(days=1)
        return month

    def book(self, row: dict[str, Any]) -> dict[str, Any]:
        """A points-entry row about to be appended, as it is booked: unchanged in an open month, else an
        adjustment on the booking day."""
        day: date = row["day"]
        if not self.is_closed(day):
            return row
        return {**row, "day": self.booking_day(day), "rule": ADJUSTMENT_PREFIX + row["rule"],
                "evidence": [*row["evidence"], ADJUSTMENT_FOR + day.isoformat()]}


def closed_months(conn: Connection) -> ClosedMonths:
    return ClosedMonths(frozenset(conn.scalars(select(t.MonthReview.month))))


def ensure_open(conn: Connection, day: date, what: str) -> None:
    """Refuse `what`, dated `day`, if that day's month is closed."""
    month = period_containing(PeriodKind.MONTH, day)
    closed_at = conn.scalar(select(t.MonthReview.closed_at).where(t.MonthReview.month == month.first_day))
    if closed_at is None:
        return
    open_day = closed_months(conn).booking_day(day)
    raise PeriodClosedError(
        f"{month.label} is closed: its 月评 was frozen at {closed_at.isoformat()}, and {what} dated "
        f"{day.isoformat()} would change its totals. Date it in an open month, on {open_day.isoformat()} or later"
    )


def as_dated(rule: str, day: date, evidence: Sequence[str]) -> Dated:
    """A stored entry as it was dated: an adjustment's own rule, the day it is for and its evidence."""
    if not rule.startswith(ADJUSTMENT_PREFIX) or not evidence or not evidence[-1].startswith(ADJUSTMENT_FOR):
        return Dated(rule, day, tuple(evidence), False)
    for_day = date.fromisoformat(evidence[-1].removeprefix(ADJUSTMENT_FOR))
    return Dated(rule.removeprefix(ADJUSTMENT_PREFIX), for_day, tuple(evidence[:-1]), True)
