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
from typing import Annotated

from fastapi import Depends, Query, Request
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError
from sqlalchemy.orm import Session, sessionmaker

from scoring.errors import StorageUnavailableError, UnknownPeriodError
from scoring.periods import Period, PeriodKind, local_day, parse_period, period_containing
from scoring.status import latest_points_day

log = logging.getLogger(__name__)


def _session(request: Request) -> Iterator[Session]:
    factory: sessionmaker[Session] = request.app.state.sessions
    with factory() as session:
        try:
            yield session
            session.commit()
        except (OperationalError, InterfaceError, PoolTimeoutError) as exc:
            session.rollback()
            log.warning("database unavailable: %s", exc)  # the caller's answer names no host or statement
            raise StorageUnavailableError("database unavailable, nothing was written: retry shortly") from exc
        except DBAPIError as exc:
            session.rollback()
            if exc.connection_invalidated:  # the server went away mid-request
                log.warning("database connection lost: %s", exc)
                raise StorageUnavailableError("database connection lost, nothing was written: retry shortly") from exc
            raise
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


# scope="function": the commit runs when the handler returns, not after the response has been sent.
SessionDep = Annotated[Session, Depends(_session, scope="function")]
NowDep = Annotated[datetime, Depends(_now)]

PeriodKindQ = Annotated[
    PeriodKind, Query(description="day, week (Monday start), month, quarter or year, Asia/Shanghai"),
]
LabelQ = Annotated[
    str | None,
    Query(description="2017-05-03, 2017-W18, 2017-05, 2017-Q2 or 2017; default: the period of the latest points"),
]


def resolve_period(session: Session, now: datetime, kind: PeriodKind, label: str | None) -> Period:
    """The period a request names, or the one holding the latest points (today's, before any points)."""
    if label is None:
        return period_containing(kind, latest_points_day(session) or local_day(now))
    try:
        period = parse_period(kind, label)
    except OverflowError as exc:  # scoring's parser lets a week past 9999-12-31 through as this
        raise UnknownPeriodError(f"period {label} runs past the last day a date can hold: ask for an earlier one") \
            from exc
    if period.last_day >= date.max:  # queries run to the instant after the last day, which no datetime holds
        raise UnknownPeriodError(f"period {label} ends on the last day a date can hold: ask for one before it")
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
