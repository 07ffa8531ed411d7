"""月评: close a month into a frozen snapshot (tables month_reviews, month_review_stewards,
month_review_lanes) with a content hash and the rule-set versions its entries were scored under.

One transaction per month: a crash leaves the month either closed or untouched, so running the job
again resumes. Closing a closed month returns the stored snapshot and writes nothing.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Callable
from dataclasses import dataclass, fields
from datetime import UTC, date, datetime, timedelta
from typing import Any, Final

from sqlalchemy import Engine, insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from scoring.closing.errors import PeriodNotEndedError
from scoring.closing.facts import LaneMonth, lane_month_ratings, ruleset_versions, steward_month_totals
from scoring.closing.policy import DEFAULT_POLICY, CyclePolicy
from scoring.closing.ranking import StewardMonth, rank_month
from scoring.periods import Period, PeriodKind, local_day, parse_period
from scoring.storage import tables as t

logger = logging.getLogger(__name__)

Clock = Callable[[], datetime]


# A snapshot's columns are named as its records' fields: rows go in and come out by these names.
_STEWARD_FIELDS: Final = tuple(f.name for f in fields(StewardMonth))
_LANE_FIELDS: Final = tuple(f.name for f in fields(LaneMonth))


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True, slots=True)
class MonthReview:
    """A closed month as stored. `stewards` are ordered by subdistrict, rank, steward id."""

    month: Period
    content_sha256: str
    ruleset_versions: tuple[str, ...]
    stewards: tuple[StewardMonth, ...]
    lanes: tuple[LaneMonth, ...]
    closed_at: datetime

    @property
    def stars(self) -> tuple[StewardMonth, ...]:
        return tuple(r for r in self.stewards if r.star)


def as_month(month: Period | str) -> Period:
    period = parse_period(PeriodKind.MONTH, month) if isinstance(month, str) else month
    if period.kind is not PeriodKind.MONTH:
        raise PeriodNotEndedError(f"{period.label} is not a month; pass a month such as 2017-05")
    return period


def ensure_ended(period: Period, now: datetime) -> None:
    if period.last_day >= local_day(now):
        raise PeriodNotEndedError(
            f"{period.label} ends on {period.last_day} (Asia/Shanghai) and has not ended yet; close it on "
            f"{period.last_day + timedelta(days=1)} or later"
        )


def content_hash(month: Period, versions: tuple[str, ...], stewards: tuple[StewardMonth, ...],
                 lanes: tuple[LaneMonth, ...], policy: dict[str, object]) -> str:
    """SHA-256 of the snapshot's canonical JSON: the same ledger and policy always give the same hash."""
    content = {
        "month": month.label,
        "policy": policy,
        "ruleset_versions": list(versions),
        "stewards": [_as_row(r, _STEWARD_FIELDS) for r in stewards],
        "lanes": [_as_row(r, _LANE_FIELDS) for r in lanes],
    }
    canonical = json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def close_month(engine: Engine, month: Period | str, policy: CyclePolicy = DEFAULT_POLICY, *,
                clock: Clock = utc_now) -> MonthReview:
    """Close one month (idempotent): compute and freeze its review, or return the stored one."""
    period = as_month(month)
    stored = load_month_review(engine, period)
    if stored is not None:
        return stored
    now = clock()
    ensure_ended(period, now)
    try:
        with Session(engine) as session, session.begin():
            _write_snapshot(session, period, policy, now)
    except IntegrityError:
        # Another closer committed the same month first; its snapshot is the month's.
        logger.info("%s was closed concurrently; using the stored review", period.label)
    review = load_month_review(engine, period)
    assert review is not None
    logger.info("closed %s: %d stewards, %d stars, %d lanes, sha256 %s", period.label, len(review.stewards),
                len(review.stars), len(review.lanes), review.content_sha256[:12])
    return review


def _write_snapshot(session: Session, period: Period, policy: CyclePolicy, now: datetime) -> None:
    stewards = tuple(rank_month(steward_month_totals(session, period, policy), policy))
    lanes = tuple(lane_month_ratings(session, period, policy))
    versions = ruleset_versions(session, period)
    policy_json = policy.as_json()
    review = t.MonthReview(
        month=period.first_day, content_sha256=content_hash(period, versions, stewards, lanes, policy_json),
        ruleset_versions=list(versions), policy=policy_json, closed_at=now,
    )
    session.add(review)
    session.flush()
    # Core inserts: a district's month is 100,000 rows, and ORM objects would cost more than the ranking.
    for table, records, names in ((t.MonthReviewSteward.__table__, stewards, _STEWARD_FIELDS),
                                  (t.MonthReviewLane.__table__, lanes, _LANE_FIELDS)):
        if records:
            session.execute(insert(table), [dict(_as_row(r, names), review_id=review.id) for r in records])


def _as_row(record: StewardMonth | LaneMonth, names: tuple[str, ...]) -> dict[str, Any]:
    """A record's fields by name; the records are flat, so this is `asdict` without its deep copy."""
    return {name: getattr(record, name) for name in names}


def load_month_review(engine: Engine, month: Period | str) -> MonthReview | None:
    period = as_month(month)
    with Session(engine) as session:
        review = session.scalar(select(t.MonthReview).where(t.MonthReview.month == period.first_day))
        if review is None:
            return None
        ms, ml = t.MonthReviewSteward.__table__, t.MonthReviewLane.__table__
        stewards = tuple(
            StewardMonth(*row) for row in session.execute(
                select(*(ms.c[n] for n in _STEWARD_FIELDS)).where(ms.c.review_id == review.id)
                .order_by(ms.c.subdistrict_id, ms.c.rank_subdistrict, ms.c.steward_id))
        )
        lanes = tuple(
            LaneMonth(*row) for row in session.execute(
                select(*(ml.c[n] for n in _LANE_FIELDS)).where(ml.c.review_id == review.id).order_by(ml.c.lane_id))
        )
        return MonthReview(period, review.content_sha256, tuple(review.ruleset_versions), stewards, lanes,
                           review.closed_at)


def closed_months(engine: Engine) -> set[date]:
    with Session(engine) as session:
        return set(session.scalars(select(t.MonthReview.month)))
