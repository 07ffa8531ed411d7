"""Benchmarks of the closing jobs, each figure a ratio to a baseline of the same run:

(f) closing a month (`close_month`) against recomputing that month's points from the raw check-ins
    (`rescore_all` on a store holding only that month's check-ins);
(g) the year-end award (`close_year`, its twelve months already closed) against recomputing the same
    year's points from the raw check-ins.

Both run at the asked-for 100,000 stewards. Their check-ins are thinner than a daily patrol: (f) gives
each steward 8 patrol days in the month (the fewest that can make a 月度之星), (g) one patrol day in each
month (the fewest that make a steward eligible for the award), because a full recompute runs at a few
thousand steward-days a second here and a year of daily patrols for 100,000 stewards would take hours.
The award reads the twelve closed months, one row per steward and month, so its cost follows the
stewards, not their days; the recompute follows the steward-days. Each result states the measured
sizes, seconds and rates per steward-day, and an estimate at a whole month or year of daily patrols,
labelled as not measured.

Stores come from `engine_factory(name)`: an engine on a new, empty database (SQLite files by default,
see `sqlite_engine_factory`; on PostgreSQL, `lambda name: make_engine(pg.create_database(name))`).
Check-ins are written in bulk through the ingest port without beacon tokens: at this layer nothing
checks them.
"""

from __future__ import annotations

import logging
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock_time
from pathlib import Path
from typing import Any, Final

from rich.console import Console
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from scoring.checkins import CheckInKind, CheckInRow
from scoring.closing import close_month, close_year, issuer_seeds
from scoring.ingest import IngestStore
from scoring.periods import PROGRAMME_TZ, PeriodKind, parse_period
from scoring.scorer import rescore_all
from scoring.seed.synthetic import synthetic_dataset
from scoring.storage import tables as t
from scoring.storage.engine import make_engine
from stewards.registry import prepare_store

logger = logging.getLogger(__name__)

# 2018 is the first full calendar year in which every synthetic steward (joined May–June 2017) patrols.
BENCH_YEAR: Final = 2018
BENCH_MONTH: Final = f"{BENCH_YEAR}-03"
ASKED_STEWARDS: Final = 100_000
ASKED_YEAR_DAYS: Final = 365
WALK_STEP_SECONDS: Final = 90
COMMIT_ROWS: Final = 50_000
ISSUER_SECRET: Final = b"lane-stewards bench issuer"
# The closing instant: after the bench year has ended, so every month and the year may close.
CLOSED_AT: Final = datetime(BENCH_YEAR + 1, 1, 2, tzinfo=UTC)


@dataclass(frozen=True)
class CycleSizes:
    """(f) runs at month_stewards × month_days, (g) at year_stewards × year_days."""

    month_stewards: int
    month_days: int
    year_stewards: int
    year_days: int


# About half an hour on a 2-core machine with SQLite, most of it building the stores and the two
# recomputes; the quick size is for the test.
DEFAULT_SIZES: Final = CycleSizes(month_stewards=ASKED_STEWARDS, month_days=8, year_stewards=ASKED_STEWARDS,
                                  year_days=12)
QUICK_SIZES: Final = CycleSizes(month_stewards=50, month_days=3, year_stewards=20, year_days=24)


EngineFactory = Callable[[str], Engine]


class CycleBenchError(ValueError):
    """A benchmark size the bench cannot run."""


def sqlite_engine_factory(directory: Path) -> EngineFactory:
    """Engines on new SQLite files in `directory`, one per name."""
    def factory(name: str) -> Engine:
        path = Path(directory) / f"{name}.sqlite"
        path.unlink(missing_ok=True)
        return make_engine(f"sqlite:///{path}")
    return factory


def run_cycle_bench(*, quick: bool, console: Console, engine_factory: EngineFactory | None = None) -> dict[str, Any]:
    """(f) and (g) at the default (or quick) sizes; SQLite files in a temporary directory unless given a factory."""
    sizes = QUICK_SIZES if quick else DEFAULT_SIZES
    with tempfile.TemporaryDirectory(prefix="stewards-bench-cycle-") as tmp:
        factory = engine_factory or sqlite_engine_factory(Path(tmp))
        month = bench_month_close(factory, sizes.month_stewards, sizes.month_days, console)
        year = bench_cycle(factory, sizes.year_stewards, sizes.year_days, console, out_dir=Path(tmp) / "awards")
    return {"sizes": asdict(sizes), "f_month_close": month, "g_year_award": year}


def bench_cycle(engine_factory: EngineFactory, stewards: int, days: int, console: Console, *,
                out_dir: Path | None = None) -> dict[str, Any]:
    """(g): the year-end award for `stewards` stewards with check-ins on `days` days spread over the year,
    against a full recompute of the same year's points from the raw check-ins."""
    if not 1 <= days <= ASKED_YEAR_DAYS:
        raise CycleBenchError(f"days must be between 1 and {ASKED_YEAR_DAYS}, got {days}; pass a smaller count")
    year_days = _year_days(days)
    console.print(f"(g) year-end award: {stewards} stewards × {days} days of {BENCH_YEAR}")
    engine, setup = _store(engine_factory, f"bench_cycle_year_{stewards}_{days}", stewards, year_days)
    try:
        recompute_seconds, steward_days = _timed_rescore(engine)
        months_started = time.perf_counter()
        for m in range(1, 13):
            close_month(engine, f"{BENCH_YEAR}-{m:02d}", clock=lambda: CLOSED_AT)
        months_seconds = time.perf_counter() - months_started
        keys = issuer_seeds(engine, ISSUER_SECRET)
        with _out_dir(out_dir) as awards_dir:
            started = time.perf_counter()
            summary = close_year(engine, BENCH_YEAR, awards_dir, issuer_keys=keys, clock=lambda: CLOSED_AT)
            award_seconds = time.perf_counter() - started
    finally:
        engine.dispose()
    gold = sum(len(s.stewards) for s in summary.subdistricts)
    return {
        **_figures("year_award", award_seconds, recompute_seconds, steward_days, stewards, len(year_days), setup),
        "twelve_month_closes_seconds": round(months_seconds, 3),
        "gold_stewards": gold,
    }


def bench_month_close(engine_factory: EngineFactory, stewards: int, days: int, console: Console) -> dict[str, Any]:
    """(f): closing one month for `stewards` stewards with check-ins on `days` days spread over it, against a
    full recompute of that month's points from the raw check-ins."""
    month = parse_period(PeriodKind.MONTH, BENCH_MONTH)
    month_length = (month.last_day - month.first_day).days + 1
    if not 1 <= days <= month_length:
        raise CycleBenchError(f"days must be between 1 and {month_length} for {BENCH_MONTH}, got {days}; "
                              "pass a smaller count")
    console.print(f"(f) month close: {stewards} stewards × {days} days of {BENCH_MONTH}")
    engine, setup = _store(engine_factory, f"bench_cycle_month_{stewards}_{days}", stewards,
                           _spread(month.first_day, month_length, days))
    try:
        recompute_seconds, steward_days = _timed_rescore(engine)
        started = time.perf_counter()
        review = close_month(engine, month, clock=lambda: CLOSED_AT)
        close_seconds = time.perf_counter() - started
    finally:
        engine.dispose()
    return {
        **_figures("month_close", close_seconds, recompute_seconds, steward_days, stewards, days, setup),
        "month": BENCH_MONTH,
        "reviewed_stewards": len(review.stewards),
    }


# --- stores ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Setup:
    database: str
    stewards: int  # stewards with check-ins: the synthetic ones and the demo's own
    registry_seconds: float
    checkins: int
    checkins_seconds: float


def _store(engine_factory: EngineFactory, name: str, stewards: int, days: list[date]) -> tuple[Engine, _Setup]:
    """A registry with `stewards` synthetic stewards (plus the demo's), each walking one claimed segment
    once on each of `days`; the check-ins are stored and queued, not yet scored."""
    engine = engine_factory(name)
    started = time.perf_counter()
    prepare_store(engine, synthetic_dataset(stewards))
    registry_seconds = time.perf_counter() - started
    started = time.perf_counter()
    store = IngestStore(engine)
    batch: list[CheckInRow] = []
    total = 0
    patrolling: set[int] = set()
    for row in _checkins(engine, days):
        patrolling.add(row.steward_id)
        batch.append(row)
        if len(batch) >= COMMIT_ROWS:
            total += store.commit(batch, (), received_at=CLOSED_AT).stored
            batch = []
    if batch:
        total += store.commit(batch, (), received_at=CLOSED_AT).stored
    setup = _Setup(engine.dialect.name, len(patrolling), round(registry_seconds, 3), total,
                   round(time.perf_counter() - started, 3))
    logger.info("bench store %s: %d check-ins", name, total)
    return engine, setup


def _checkins(engine: Engine, days: list[date]) -> Iterator[CheckInRow]:
    """One honest walk per steward and day over the first segment they claim, checkpoints in order;
    start times spread over the morning so stewards do not all patrol at the same second."""
    with Session(engine) as session:
        bands = dict(session.execute(select(t.BandBinding.steward_id, t.BandBinding.band_id)).all())
        first_segment: dict[int, int] = {}
        for steward_id, segment_id in session.execute(
            select(t.Claim.steward_id, t.Claim.segment_id).order_by(t.Claim.steward_id, t.Claim.id)
        ):
            first_segment.setdefault(steward_id, segment_id)
        route: dict[int, list[int]] = {}
        for segment_id, checkpoint_id in session.execute(
            select(t.Checkpoint.segment_id, t.Checkpoint.id).order_by(t.Checkpoint.segment_id, t.Checkpoint.position_m)
        ):
            route.setdefault(segment_id, []).append(checkpoint_id)
    token = b"\x00" * 8
    kind = int(CheckInKind.PATROL_CHECKIN)
    for steward_id, segment_id in sorted(first_segment.items()):
        band_id = bands.get(steward_id)
        checkpoints = route.get(segment_id, [])
        if band_id is None or not checkpoints:
            continue
        seq = 0
        for day in days:
            start = datetime.combine(day, clock_time(7), PROGRAMME_TZ) + timedelta(seconds=(steward_id * 37) % 7200)
            for i, checkpoint_id in enumerate(checkpoints):
                seq += 1
                yield CheckInRow(band_id, 0, seq, start + timedelta(seconds=i * WALK_STEP_SECONDS), kind,
                                 checkpoint_id, token, -60, 80, 0, steward_id)


def _year_days(days: int) -> list[date]:
    """`days` dates of the bench year, shared out over its twelve months as evenly as they go: with a
    multiple of 12, every month is active, as the award's eligibility asks. Near a whole year a short
    month may hold fewer than its share; the figures report the days as chosen."""
    if days >= ASKED_YEAR_DAYS:
        return _spread(date(BENCH_YEAR, 1, 1), ASKED_YEAR_DAYS, ASKED_YEAR_DAYS)
    chosen: list[date] = []
    for month in range(1, 13):
        period = parse_period(PeriodKind.MONTH, f"{BENCH_YEAR}-{month:02d}")
        length = (period.last_day - period.first_day).days + 1
        share = min(length, days // 12 + (1 if month <= days % 12 else 0))
        if share:
            chosen += _spread(period.first_day, length, share)
    return chosen


def _spread(first: date, span_days: int, days: int) -> list[date]:
    """`days` dates spread evenly over `span_days` days from `first` (all of them when equal)."""
    return sorted({first + timedelta(days=(i * span_days) // days) for i in range(days)})


def _timed_rescore(engine: Engine) -> tuple[float, int]:
    started = time.perf_counter()
    report = rescore_all(engine, clock=lambda: CLOSED_AT)
    return time.perf_counter() - started, report.steward_days


@contextmanager
def _out_dir(out_dir: Path | None) -> Iterator[Path]:
    """Where the award documents go: the caller's directory, or a temporary one removed afterwards."""
    if out_dir is not None:
        out_dir.mkdir(parents=True, exist_ok=True)
        yield out_dir
        return
    with tempfile.TemporaryDirectory(prefix="stewards-bench-awards-") as tmp:
        yield Path(tmp)


def _figures(what: str, seconds: float, recompute_seconds: float, steward_days: int, stewards: int, days: int,
             setup: _Setup) -> dict[str, Any]:
    """The figure, its same-run baseline, their ratio, rates per steward-day, and an extrapolation to
    100,000 stewards patrolling every day (of the year, or of the month), which is not measured."""
    asked_days = ASKED_YEAR_DAYS if what == "year_award" else 31
    asked_steward_days = ASKED_STEWARDS * asked_days
    with_checkins = setup.stewards
    recompute_per_day = recompute_seconds / max(steward_days, 1)
    # The award reads the twelve closed months (one row per steward and month), so it grows with the
    # stewards, not with the days; a month close reads the month's ledger, so with steward-days.
    if what == "year_award":
        extrapolated_seconds = seconds / max(with_checkins, 1) * ASKED_STEWARDS
        basis = "recompute linear in steward-days, award linear in stewards; not measured"
    else:
        extrapolated_seconds = seconds / max(steward_days, 1) * asked_steward_days
        basis = "linear in steward-days; not measured"
    return {
        "database": setup.database,
        "synthetic_stewards": stewards, "stewards_with_checkins": with_checkins, "days": days,
        "steward_days": steward_days, "checkins": setup.checkins,
        "setup_registry_seconds": setup.registry_seconds, "setup_checkins_seconds": setup.checkins_seconds,
        f"{what}_seconds": round(seconds, 6),
        "baseline_recompute_seconds": round(recompute_seconds, 6),
        f"ratio_{what}_to_recompute": round(seconds / recompute_seconds, 4) if recompute_seconds > 0 else None,
        f"{what}_steward_days_per_second": round(steward_days / seconds) if seconds > 0 else None,
        "recompute_steward_days_per_second": round(steward_days / recompute_seconds) if recompute_seconds > 0 else None,
        "extrapolated": {
            "basis": basis,
            "stewards": ASKED_STEWARDS, "days": asked_days, "steward_days": asked_steward_days,
            f"{what}_seconds": round(extrapolated_seconds),
            "recompute_seconds": round(recompute_per_day * asked_steward_days),
        },
    }
