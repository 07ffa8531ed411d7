"""日巡 alerts: missed and late patrols of a day, stored once and raised to the lane chief.

`raise_patrol_alerts(engine, rulebook, day)` judges every steward with a claim valid on that
Asia/Shanghai day with the rulebook's `patrol_events`, from the stored patrol check-ins (claims,
pacing, and the check-ins the scorer withheld that day, as `scoring_state` recorded them: run it after
the scorer has scored the day). Each event becomes one `patrol_alerts` row, keyed by the engine's
deterministic event key, with the chiefs of its lane at the time it is raised; only rows actually
inserted are handed to the notifier. Running the same day again stores and delivers nothing new.

Delivery happens inside the transaction that stores the alerts, before it commits: if the commit
fails, the next run raises and delivers them again (at least once; `Notifier`s are safe to call
twice). A chief reads a lane's alerts and acknowledges them (`lane_alerts`, `acknowledge`).

Errors:
PatrolAlertError (ScoringError)
└── UnknownAlertError    no alert with that id

A chief who is unknown, or not a chief of the alert's lane, gets scoring.errors.NotAuthorisedError.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Final

from sqlalchemy import Connection, Engine, Row, Select, or_, select
from sqlalchemy.orm import Session

from scoring.checkins import CheckInKind
from scoring.errors import NotAuthorisedError, ScoringError
from scoring.periods import Period, day_starts_at
from scoring.registry.chiefs import chief_acts_on
from scoring.registry.claims import claimed_segments
from scoring.rulebook import LoggingNotifier, Notifier, PatrolEvent, RuleBook, Visit, patrol_events
from scoring.rulebook_default import default_rulebook
from scoring.storage import tables as t
from scoring.storage.dialect import insert_skipping_duplicates

log = logging.getLogger(__name__)

Clock = Callable[[], datetime]


# How a lane chief names an alert's kind.
KIND_LABELS: Final = {"missed": "未巡", "late": "迟巡"}


class PatrolAlertError(ScoringError):
    """An alert action that cannot be done; the message says why and what to do."""


class UnknownAlertError(PatrolAlertError, LookupError):
    pass


@dataclass(frozen=True, slots=True)
class AlertView:
    """One stored alert, as the lane chief sees it."""

    id: int
    key: str
    kind: str  # "missed" or "late"
    steward_id: int
    steward_name: str
    lane_id: int
    segment_id: int
    segment_name: str
    day: date
    window: str
    window_label: str
    due_at: datetime
    completed_at: datetime | None
    message_zh: str
    chief_ids: tuple[int, ...]
    ruleset_version: str
    created_at: datetime
    acknowledged_at: datetime | None
    acknowledged_by: int | None


def raise_patrol_alerts(
    engine: Engine,
    rulebook: RuleBook | None,
    day: date,
    *,
    notifier: Notifier | None = None,
    as_of: datetime | None = None,
    clock: Clock | None = None,
) -> int:
    """Store the day's missed and late patrols once and deliver the new ones; returns how many were new.

    `as_of` (aware) judges a day still under way: windows whose late grace has not passed are left for
    a later run. None judges the whole day. `rulebook` None is the packaged default.
    """
    book = rulebook if rulebook is not None else default_rulebook()
    sink: Notifier = notifier if notifier is not None else LoggingNotifier()
    rules = book.rules_for(day)
    now = (clock or _utc_now)()
    with engine.begin() as conn:
        stewards = _claiming_stewards(conn, day)
        if not stewards:
            return 0
        claims = claimed_segments(conn, stewards)
        visits = _visits(conn, stewards, day)
        withheld = _withheld(conn, stewards, day)
        events: list[PatrolEvent] = []
        for steward_id in stewards:
            events.extend(patrol_events(steward_id, day, visits.get(steward_id, []), claims.get(steward_id, []),
                                        rules, as_of=as_of, withheld=withheld.get(steward_id, frozenset())))
        if not events:
            return 0
        chiefs = _chiefs(conn, {e.lane_id for e in events})
        inserted = _insert(conn, [_row(e, chiefs.get(e.lane_id, []), now) for e in events])
        new = [e for e in events if e.key in inserted]
        for event in new:
            sink.deliver(event)
    if new:
        log.info("raised %d patrol alerts for %s (%d events judged)", len(new), day.isoformat(), len(events))
    return len(new)


def lane_alerts(session: Session, lane_id: int, day: date | None = None, *, limit: int | None = None,
                offset: int = 0) -> list[AlertView]:
    """A lane's alerts of `day`, acknowledged or not; with no day, every alert not yet acknowledged.
    By day, then due time, segment and steward."""
    a = t.PatrolAlert
    query = _views().where(a.lane_id == lane_id)
    query = query.where(a.day == day) if day is not None else query.where(a.acknowledged_at.is_(None))
    query = query.order_by(a.day, a.due_at, a.segment_id, a.steward_id, a.id).limit(limit).offset(offset)
    return [_view(row) for row in session.execute(query)]


def alerts_in(session: Session, *, lane_ids: Collection[int] | None, day: date | None = None,
              period: Period | None = None, limit: int | None = None) -> list[AlertView]:
    """The alerts of `lane_ids` (every lane if None) as `lane_alerts` has them for one lane: of `day`, or of
    the days of `period`, acknowledged or not; with neither, those not yet acknowledged. `limit` stops after
    that many."""
    a = t.PatrolAlert
    query = _views()
    if lane_ids is not None:
        query = query.where(a.lane_id.in_(sorted(lane_ids)))
    if day is not None:
        query = query.where(a.day == day)
    if period is not None:
        query = query.where(a.day >= period.first_day, a.day <= period.last_day)
    if day is None and period is None:
        query = query.where(a.acknowledged_at.is_(None))
    query = query.order_by(a.day, a.due_at, a.lane_id, a.segment_id, a.steward_id, a.id)
    if limit is not None:
        query = query.limit(limit)
    return [_view(row) for row in session.execute(query)]


def get_alert(session: Session, alert_id: int) -> AlertView:
    row = session.execute(_views().where(t.PatrolAlert.id == alert_id)).one_or_none()
    if row is None:
        raise UnknownAlertError(f"no patrol alert with id {alert_id}: list a lane's alerts under /lanes/{{id}}/alerts")
    return _view(row)


def acknowledge(session: Session, alert_id: int, chief_id: int, *, now: datetime) -> AlertView:
    """A chief of the alert's lane acknowledges it; acknowledging again changes nothing (safe to retry)."""
    alert = session.get(t.PatrolAlert, alert_id)
    if alert is None:
        raise UnknownAlertError(f"no patrol alert with id {alert_id}: list a lane's alerts under /lanes/{{id}}/alerts")
    chief = session.get(t.Chief, chief_id)
    # Who was told at the time may acknowledge, and so may whoever is the lane's chief now.
    if chief is None or (not chief_acts_on(session, chief_id, alert.lane_id) and chief_id not in alert.chief_ids):
        raise NotAuthorisedError(
            f"chief {chief_id} is not a chief of lane {alert.lane_id}: that lane's 街巷长 acknowledges its alerts"
        )
    if alert.acknowledged_at is None:
        alert.acknowledged_at = now
        alert.acknowledged_by = chief_id
        session.flush()
        log.info("chief %d acknowledged patrol alert %d (%s)", chief_id, alert_id, alert.alert_key)
    return get_alert(session, alert_id)


# --- reading the day -----------------------------------------------------------------------------


def _claiming_stewards(conn: Connection, day: date) -> list[int]:
    """Stewards with a claim valid at some time of the local day; `patrol_events` judges each window."""
    starts, ends = day_starts_at(day), day_starts_at(day + timedelta(days=1))
    c = t.Claim
    return sorted(conn.scalars(
        select(c.steward_id).distinct()
        .where(c.valid_from < ends, or_(c.valid_to.is_(None), c.valid_to > starts))
    ))


def _visits(conn: Connection, stewards: Sequence[int], day: date) -> dict[int, list[Visit]]:
    ci = t.CheckIn
    out: dict[int, list[Visit]] = defaultdict(list)
    for steward_id, band_id, boot, seq, event_at, checkpoint_id in conn.execute(
        select(ci.steward_id, ci.band_id, ci.boot, ci.seq, ci.event_at, ci.checkpoint_id)
        .where(ci.steward_id.in_(stewards), ci.kind == CheckInKind.PATROL_CHECKIN,
               ci.event_at >= day_starts_at(day), ci.event_at < day_starts_at(day + timedelta(days=1)))
    ):
        out[steward_id].append(Visit(f"{band_id}/{boot}/{seq}", event_at, checkpoint_id))
    return out


def _withheld(conn: Connection, stewards: Sequence[int], day: date) -> dict[int, frozenset[str]]:
    """What the scorer withheld that day (flagged and not restored): such check-ins complete no patrol either."""
    st = t.ScoringState
    return {
        steward_id: frozenset(keys)
        for steward_id, keys in conn.execute(
            select(st.steward_id, st.withheld).where(st.steward_id.in_(stewards), st.day == day)
        )
    }


def _chiefs(conn: Connection, lane_ids: set[int]) -> dict[int, list[int]]:
    # The registry keeps no history of chief appointments: the chiefs now are those of the day being raised.
    out: dict[int, list[int]] = defaultdict(list)
    for chief_id, lane_id in conn.execute(
        select(t.Chief.id, t.Chief.lane_id).where(t.Chief.lane_id.in_(sorted(lane_ids))).order_by(t.Chief.id)
    ):
        assert lane_id is not None  # the query keeps only chiefs of these lanes
        out[lane_id].append(chief_id)
    return out


# --- writing -------------------------------------------------------------------------------------


def _row(e: PatrolEvent, chief_ids: list[int], now: datetime) -> dict[str, object]:
    return dict(
        alert_key=e.key, steward_id=e.steward_id, lane_id=e.lane_id, segment_id=e.segment_id, day=e.day,
        window=e.window, window_label=e.window_label, kind=e.kind.value, due_at=e.due_at,
        completed_at=e.completed_at, ruleset_version=e.ruleset_version, chief_ids=list(chief_ids),
        message_zh=e.message_zh, created_at=now, acknowledged_at=None, acknowledged_by=None,
    )


def _insert(conn: Connection, rows: list[dict[str, object]]) -> set[str]:
    """Insert what is not stored yet; the keys actually inserted (a concurrent run's rows are skipped)."""
    table = t.PatrolAlert.__table__
    result = conn.execute(
        insert_skipping_duplicates(conn, table, ["alert_key"]).returning(table.c.alert_key), rows
    )
    return set(result.scalars())


# --- views ---------------------------------------------------------------------------------------


def _views() -> Select[t.PatrolAlert, str, str]:
    a = t.PatrolAlert
    return (
        select(a, t.Steward.name.label("steward_name"), t.Segment.name.label("segment_name"))
        .join(t.Steward, t.Steward.id == a.steward_id)
        .join(t.Segment, t.Segment.id == a.segment_id)
    )


def _view(row: Row[t.PatrolAlert, str, str]) -> AlertView:
    a = row[0]
    return AlertView(
        id=a.id, key=a.alert_key, kind=a.kind, steward_id=a.steward_id, steward_name=row.steward_name,
        lane_id=a.lane_id, segment_id=a.segment_id, segment_name=row.segment_name, day=a.day, window=a.window,
        window_label=a.window_label, due_at=a.due_at, completed_at=a.completed_at, message_zh=a.message_zh,
        chief_ids=tuple(a.chief_ids), ruleset_version=a.ruleset_version, created_at=a.created_at,
        acknowledged_at=a.acknowledged_at, acknowledged_by=a.acknowledged_by,
    )


def _utc_now() -> datetime:
    return datetime.now(UTC)
