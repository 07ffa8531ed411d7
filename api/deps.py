"""FastAPI dependencies as `Annotated` aliases: the request's session and its one commit, the clock, the period.

The session is the only place the API commits: once the handler has returned and its response is built,
before a byte of it is sent, so a failed commit still answers with an error. Any error rolls the work back.
A database that cannot be reached becomes scoring's StorageUnavailableError, which the error table answers
with 503; routers neither commit nor catch SQLAlchemy errors.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Annotated

from fastapi import Depends, Query, Request
from sqlalchemy.exc import DBAPIError, IntegrityError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError
from sqlalchemy.orm import Session, sessionmaker

from api.errors import declares
from api.schemas.base import PERIOD_LABEL_MAX_CHARS, PERIOD_LABEL_PATTERN
from scoring.closing.errors import DocumentMissingError
from scoring.errors import StorageUnavailableError, UnknownPeriodError
from scoring.periods import Period, PeriodKind, local_day, parse_period, period_containing
from scoring.status import latest_points_day

log = logging.getLogger(__name__)


@contextmanager
def outages_answered() -> Iterator[None]:
    """A database that cannot be reached, or that went away mid-request, as StorageUnavailableError (503);
    for the request's session, and for a route that opens a transaction of its own."""
    try:
        yield
    except (OperationalError, InterfaceError, PoolTimeoutError) as exc:
        log.warning("database unavailable: %s", exc)  # the caller's answer names no host or statement
        raise StorageUnavailableError("database unavailable, nothing was written: retry shortly") from exc
    except DBAPIError as exc:
        if exc.connection_invalidated:  # the server went away mid-request
            log.warning("database connection lost: %s", exc)
            raise StorageUnavailableError("database connection lost, nothing was written: retry shortly") from exc
        raise


@declares(StorageUnavailableError, on_writes=(IntegrityError,))
def _session(request: Request) -> Iterator[Session]:
    factory: sessionmaker[Session] = request.app.state.sessions
    with factory() as session:
        try:
            with outages_answered():
                yield session
                session.commit()
        except BaseException:
            session.rollback()
            raise


def transaction(request: Request) -> AbstractContextManager[Session]:
    """The request's session as a `with` block, committed at its end, for a route that must commit even when it
    refuses: a wrong attempt that counts towards a lock-out is committed before its error is raised."""
    return contextmanager(_session)(request)


def _now(request: Request) -> datetime:
    clock: Callable[[], datetime] = request.app.state.clock
    return clock()


@dataclass(frozen=True, slots=True)
class CycleDir:
    """The closing jobs' folder, if this server has one. Called only when a file is read, so a request that
    fails its checks first (a bad label, a period not closed) answers as it would anywhere."""

    folder: Path | None

    def __call__(self) -> Path:
        if self.folder is None:
            raise DocumentMissingError("this server runs without the closing jobs' folder: its documents and "
                                       "credentials are not served here")
        return self.folder


def _cycle_dir(request: Request) -> CycleDir:
    return CycleDir(request.app.state.cycle_dir)


# scope="function": the commit runs when the handler returns, not after the response has been sent.
SessionDep = Annotated[Session, Depends(_session, scope="function")]
NowDep = Annotated[datetime, Depends(_now)]
CycleDirDep = Annotated[CycleDir, Depends(_cycle_dir)]  # where the closing jobs wrote their files

PeriodKindQ = Annotated[
    PeriodKind, Query(description="day, week (Monday start), month, quarter or year, Asia/Shanghai"),
]
LabelQ = Annotated[
    str | None,
    Query(description="of the period's kind: 2017-05-03, 2017-W18, 2017-05, 2017-Q2, 2017 or 2017-05-01..2018-04-30; "
                      "default: the period of the latest points (a range has no default)",
          pattern=PERIOD_LABEL_PATTERN, max_length=PERIOD_LABEL_MAX_CHARS),
]


def resolve_period(session: Session, now: datetime, kind: PeriodKind, label: str | None) -> Period:
    """The period a request names, or the one holding the latest points (today's, before any points).

    Refused (422 unknown_period): a label of another kind, a day or week the calendar does not have, and a
    period at the calendar's edges: queries run from the period's first instant, in UTC, to the instant after
    its last day, and Beijing's midnight of 0001-01-01 and the day after 9999-12-31 are neither of them a
    datetime."""
    if label is None:
        if kind is PeriodKind.RANGE:
            raise UnknownPeriodError("a range needs its days: label=2017-05-01..2018-04-30")
        return period_containing(kind, latest_points_day(session) or local_day(now))
    return parse_label(kind, label)


def parse_label(kind: PeriodKind, label: str) -> Period:
    """The period a label names (UnknownPeriodError for a bad one, 422), short of the last day a date holds."""
    try:
        period = parse_period(kind, label)
    # scoring's parser lets a week past 9999-12-31 through as OverflowError
    except OverflowError as exc:
        raise UnknownPeriodError(f"period {label} runs past the last day a date can hold: ask for an earlier one") \
            from exc
    # and a label of the right shape the calendar lacks (2018-13; December 9999, whose end is in year 10000)
    except ValueError as exc:
        raise UnknownPeriodError(f"{label} is not a {kind.value} label the calendar has ({exc})") from exc
    if period.last_day >= date.max:
        raise UnknownPeriodError(f"period {label} ends on the last day a date can hold: ask for one before it")
    if period.first_day <= date.min:
        raise UnknownPeriodError(f"period {label} starts on the first day a date can hold: ask for one after it")
    return period


# --- Paging: one convention for every list ---------------------------------------------------------

PAGE_MAX = 500  # rows one request may ask for; a bigger export goes through /exports
OFFSET_MAX = 10_000_000  # past any list this programme holds; bounded so the database never sees a huge OFFSET


@dataclass(frozen=True, slots=True)
class Page:
    """A window on a list in its stated order: `limit` rows after skipping `offset`."""

    limit: int
    offset: int


def _page(
    limit: Annotated[int, Query(ge=1, le=PAGE_MAX, description=f"rows to return, at most {PAGE_MAX}")] = 100,
    offset: Annotated[int, Query(ge=0, le=OFFSET_MAX, description="rows to skip: the next page starts here")] = 0,
) -> Page:
    return Page(limit, offset)


PageDep = Annotated[Page, Depends(_page)]
