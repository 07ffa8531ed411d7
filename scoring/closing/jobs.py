"""The closing job: close every month, quarter and year that has ended and is not closed yet, in
order, and a `Scheduler` that runs it periodically in a thread.

Safe to run again at any time: each close is idempotent, so a run after a crash resumes where the
last one stopped. Closing starts at the month of the ledger's first entry. Issuer keys: the caller
passes seeds per subdistrict key, or derives them from one office secret with `derive_issuer_seed`.

Without issuer keys (`issuer_keys=None`) months and quarters close as usual and each ended year waits,
open, until keys are given: `DueReport.years_waiting` names them. A year is not closed without its
credentials, because a credential's id (printed in the award report and on each certificate) is derived
from the signing office's key, and a closed year's documents never change: closed unsigned, its awards
could never be signed. Held open, the first run with keys closes it with everything.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Final

from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from scoring.closing.errors import ClosingError
from scoring.closing.month import close_month, closed_months, utc_now
from scoring.closing.policy import DEFAULT_POLICY, CyclePolicy, UpheldFlags, no_upheld_flags
from scoring.closing.quarter import close_quarter
from scoring.closing.year import close_year
from scoring.periods import PeriodKind, day_starts_at, local_day, period_containing
from scoring.runner import Runner
from scoring.status import JobStatus
from scoring.storage import tables as t

logger = logging.getLogger(__name__)

# Months end at midnight; an hourly look finds a newly ended period soon enough, at no real cost.
DEFAULT_EVERY_SECONDS: Final = 3600.0
# A failed close (the database restarting, a full disk) is tried again from 10 s on, at most every 10 min.
RETRY_BASE_SECONDS: Final = 10.0
RETRY_CAP_SECONDS: Final = 600.0
_ISSUER_SEED_DOMAIN: Final = b"lane-stewards/issuer-seed/v1\x00"


def derive_issuer_seed(secret: bytes, subdistrict_key: str) -> bytes:
    """A subdistrict office's 32-byte Ed25519 seed from one secret: SHA-256 over a domain tag, key and secret."""
    return hashlib.sha256(_ISSUER_SEED_DOMAIN + subdistrict_key.encode() + b"\x00" + secret).digest()


def issuer_seeds(engine: Engine, secret: bytes) -> dict[str, bytes]:
    with Session(engine) as session:
        return {key: derive_issuer_seed(secret, key) for key in session.scalars(select(t.Subdistrict.key))}


@dataclass(frozen=True, slots=True)
class DueReport:
    """Labels of what this run closed (periods already closed are not listed)."""

    months: tuple[str, ...] = ()
    quarters: tuple[str, ...] = ()
    years: tuple[str, ...] = ()
    years_waiting: tuple[str, ...] = ()  # ended, not closed: no issuer keys were given to sign their awards


def close_due(engine: Engine, today: date, out_dir: Path, policy: CyclePolicy = DEFAULT_POLICY,
              issuer_keys: Mapping[str, bytes] | None = None, *, upheld_flags: UpheldFlags = no_upheld_flags,
              clock: Callable[[], datetime] | None = None) -> DueReport:
    """Close, in order, every period that ended before `today` (Asia/Shanghai) and is not closed.

    Without `clock`, the closing instant recorded is the start of `today`, so a simulated year closes
    on its own calendar. Without `issuer_keys`, ended years wait (see the module's docstring).
    """
    now = clock or (lambda: day_starts_at(today))
    with Session(engine) as session:
        first_day = session.scalar(select(func.min(t.PointsEntry.day)))
        closed_labels = set(session.execute(select(t.PeriodClosing.kind, t.PeriodClosing.label)).all())
    if first_day is None:
        return DueReport()
    already = closed_months(engine)
    months, quarters, years, waiting = [], [], [], []
    month = period_containing(PeriodKind.MONTH, first_day)
    while month.last_day < today:
        if month.first_day not in already:
            close_month(engine, month, policy, clock=now)
            months.append(month.label)
        next_day = month.last_day + timedelta(days=1)
        if next_day.month in (1, 4, 7, 10):
            quarter = period_containing(PeriodKind.QUARTER, month.first_day)
            if ("quarter", quarter.label) not in closed_labels:
                close_quarter(engine, quarter, out_dir, policy, clock=now)
                quarters.append(quarter.label)
        if next_day.month == 1:
            label = str(month.first_day.year)
            if ("year", label) not in closed_labels:
                if issuer_keys is None:
                    waiting.append(label)
                else:
                    close_year(engine, month.first_day.year, out_dir, policy, issuer_keys,
                               upheld_flags=upheld_flags, clock=now)
                    years.append(label)
        month = period_containing(PeriodKind.MONTH, next_day)
    return DueReport(tuple(months), tuple(quarters), tuple(years), tuple(waiting))


def waiting_note(years: tuple[str, ...]) -> str | None:
    if not years:
        return None
    which = f"year {years[0]} waits" if len(years) == 1 else f"years {', '.join(years)} wait"
    return (f"{which} for the award-signing key: 月评 and 季通报 close without it, the 金牌管家 awards once "
            "the key is set")


@dataclass
class Scheduler:
    """Runs `close_due` now and then every `every_seconds` in a daemon thread, until `stop()`.

    A failed run is logged with its cause and retried with backoff (a database outage is retried
    within minutes, not at the next hourly tick): the jobs are idempotent. `status` is what the
    readiness route reads; without `issuer_keys` it notes the years waiting for them (still ready:
    months and quarters close), and each is logged once as a warning.
    """

    engine: Engine
    out_dir: Path
    policy: CyclePolicy = DEFAULT_POLICY
    issuer_keys: Mapping[str, bytes] | None = None
    upheld_flags: UpheldFlags = no_upheld_flags
    every_seconds: float = DEFAULT_EVERY_SECONDS
    today: Callable[[], date] = field(default=lambda: local_day(utc_now()))
    status: JobStatus = field(default_factory=lambda: JobStatus("closing"))
    _runner: Runner | None = field(default=None, init=False, repr=False)
    last_report: DueReport | None = field(default=None, init=False)
    runs: int = field(default=0, init=False)
    _warned: set[str] = field(default_factory=set, init=False, repr=False)

    def run_once(self) -> DueReport:
        report = close_due(self.engine, self.today(), self.out_dir, self.policy, self.issuer_keys,
                           upheld_flags=self.upheld_flags, clock=utc_now)
        self.last_report = report
        self.runs += 1
        if report.months or report.quarters or report.years:
            logger.info("closed months %s, quarters %s, years %s", report.months, report.quarters, report.years)
        newly = [label for label in report.years_waiting if label not in self._warned]
        if newly:
            self._warned.update(newly)
            logger.warning("ended years stay open until an award-signing key is given: %s (金牌管家 awards are signed "
                           "as a year closes; months and quarters close without a key)", ", ".join(newly))
        self.status.noted(waiting_note(report.years_waiting))
        return report

    def start(self) -> None:
        if self._runner is not None:
            raise ClosingError("the closing scheduler is already running; stop it before starting it again")
        self._runner = Runner("closing-scheduler", self.run_once, self.every_seconds, self.status,
                              expected=(ClosingError, OSError), retry_base_seconds=RETRY_BASE_SECONDS,
                              retry_cap_seconds=min(RETRY_CAP_SECONDS, self.every_seconds))
        self._runner.start()

    def stop(self, timeout_seconds: float = 30.0) -> None:
        if self._runner is not None:
            self._runner.stop(timeout_seconds)
            self._runner = None
