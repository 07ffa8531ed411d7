"""Integrity flags once stored: what a steward sees, their appeal, a chief's decision, the audit trail.

The scorer raises flags (scoring.scorer; their states are scoring.integrity.states) and withholds
their check-ins from points; nothing here deletes a check-in or an entry. A flag is `open` until a
chief decides: `restored` makes its check-ins count again (the steward's day is queued for the
scorer, which reverses and appends what changes), `upheld` keeps them withheld and counts against
the year-end award. Every action is an
`integrity_actions` row. Flags carry the engine's reasons in Chinese and English.

Errors:
FlagError (ScoringError)
├── UnknownFlagError        no flag with that id
├── NotYourFlagError        a steward appealed another steward's flag
├── FlagDecidedError        the flag was already upheld or restored
└── InvalidAppealError      an empty or overlong appeal

A chief who is unknown, or of another subdistrict, gets scoring.errors.NotAuthorisedError.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Final

from sqlalchemy import Engine, insert, select
from sqlalchemy.orm import Session

from scoring.errors import NotAuthorisedError, ScoringError
from scoring.integrity.states import (
    ACTION_APPEALED,
    ACTION_RESTORED,
    ACTION_UPHELD,
    FLAG_OPEN,
    FLAG_RESTORED,
    FLAG_UPHELD,
    FlagState,
)
from scoring.storage import tables as t
from scoring.storage.bulk import insert_backlog

log = logging.getLogger(__name__)

APPEAL_MAX_CHARS: Final = 2000


class FlagError(ScoringError):
    """A flag action that cannot be done; the message says why and what to do."""


class UnknownFlagError(FlagError, LookupError):
    pass


class NotYourFlagError(FlagError):
    pass


class FlagDecidedError(FlagError):
    pass


class InvalidAppealError(FlagError, ValueError):
    pass


@dataclass(frozen=True, slots=True)
class ActionView:
    at: datetime
    action: str  # raised, lapsed, reraised, appealed, upheld, restored
    actor_kind: str  # system, steward, chief
    actor_id: int | None
    note: str


@dataclass(frozen=True, slots=True)
class FlagView:
    id: int
    steward_id: int
    day: date
    kind: str
    visit_keys: tuple[str, ...]
    reason_zh: str
    reason_en: str
    state: FlagState
    ruleset_version: str
    created_at: datetime
    lapsed: bool  # the check-ins as now stored no longer raise it; it withholds nothing
    decided_at: datetime | None
    decided_by: int | None
    actions: tuple[ActionView, ...]

    @property
    def withholds(self) -> bool:
        return not self.lapsed and self.state is not FlagState.RESTORED


def list_flags(session: Session, steward_id: int, *, include_lapsed: bool = True, limit: int | None = None,
               offset: int = 0) -> list[FlagView]:
    """A steward's flags, newest day first (then by id), each with its audit trail."""
    f = t.IntegrityFlag
    query = select(f).where(f.steward_id == steward_id).order_by(f.day.desc(), f.id)
    if not include_lapsed:
        query = query.where(f.lapsed_at.is_(None))
    flags = session.scalars(query.limit(limit).offset(offset)).all()
    trails = _actions(session, [flag.id for flag in flags])
    return [_view(flag, trails.get(flag.id, ())) for flag in flags]


def get_flag(session: Session, flag_id: int) -> FlagView:
    flag = _flag(session, flag_id)
    return _view(flag, _actions(session, [flag_id]).get(flag_id, ()))


def appeal(session: Session, flag_id: int, steward_id: int, text: str, *, now: datetime) -> FlagView:
    """The steward says why the check-ins are genuine; the flag stays open for a chief to decide."""
    flag = _flag(session, flag_id)
    if flag.steward_id != steward_id:
        raise NotYourFlagError(f"flag {flag_id} belongs to another steward; a steward appeals only their own flags")
    if flag.state != FLAG_OPEN:
        raise FlagDecidedError(f"flag {flag_id} was already {flag.state}; a decided flag takes no more appeals")
    text = text.strip()
    if not text or len(text) > APPEAL_MAX_CHARS:
        raise InvalidAppealError(f"write the appeal in 1 to {APPEAL_MAX_CHARS} characters: say where you were and why")
    _record(session, flag_id, now, ACTION_APPEALED, "steward", steward_id, text)
    session.flush()
    return get_flag(session, flag_id)


def decide(session: Session, flag_id: int, chief_id: int, restore: bool, note: str, *, now: datetime) -> FlagView:
    """A chief of the steward's subdistrict restores the check-ins or upholds the flag.

    Restoring queues the flag's day for the scorer (`score_pending`), which makes the check-ins count.
    """
    flag = _flag(session, flag_id)
    chief = session.get(t.Chief, chief_id)
    steward = session.get(t.Steward, flag.steward_id)
    if chief is None or steward is None or chief.subdistrict_id != steward.subdistrict_id:
        raise NotAuthorisedError(
            f"chief {chief_id} cannot decide flag {flag_id}: a chief of the steward's own subdistrict decides"
        )
    if flag.state != FLAG_OPEN:
        raise FlagDecidedError(f"flag {flag_id} was already {flag.state}; decisions are final and audited")
    flag.state = FLAG_RESTORED if restore else FLAG_UPHELD
    flag.decided_at = now
    flag.decided_by = chief_id
    _record(session, flag_id, now, ACTION_RESTORED if restore else ACTION_UPHELD, "chief", chief_id, note)
    if restore:
        insert_backlog(session.connection(), [(flag.steward_id, flag.day)])
    session.flush()
    log.info("chief %d %s flag %d of steward %d", chief_id, flag.state, flag_id, flag.steward_id)
    return get_flag(session, flag_id)


def upheld_flag_count(session: Session, steward_id: int, first_day: date, last_day: date) -> int:
    """Upheld flags still raised by the data in [first_day, last_day]: what award eligibility reads."""
    f = t.IntegrityFlag
    return len(session.scalars(
        select(f.id).where(f.steward_id == steward_id, f.state == FLAG_UPHELD, f.lapsed_at.is_(None),
                           f.day >= first_day, f.day <= last_day)
    ).all())


def upheld_flags_of(engine: Engine) -> Callable[[int], set[int]]:
    """For the year-end award: year -> stewards with an upheld flag raised by that year's data."""

    def upheld(year: int) -> set[int]:
        f = t.IntegrityFlag
        with Session(engine) as session:
            return set(session.scalars(
                select(f.steward_id).where(f.state == FLAG_UPHELD, f.lapsed_at.is_(None),
                                           f.day >= date(year, 1, 1), f.day <= date(year, 12, 31))
            ))

    return upheld


def _flag(session: Session, flag_id: int) -> t.IntegrityFlag:
    flag = session.get(t.IntegrityFlag, flag_id)
    if flag is None:
        raise UnknownFlagError(f"no flag {flag_id}: list a steward's flags under /stewards/{{id}}/flags")
    return flag


def _record(session: Session, flag_id: int, at: datetime, action: str, kind: str, actor: int, note: str) -> None:
    session.execute(insert(t.IntegrityAction), [dict(flag_id=flag_id, at=at, action=action, actor_kind=kind,
                                                     actor_id=actor, note=note)])


def _actions(session: Session, flag_ids: list[int]) -> dict[int, tuple[ActionView, ...]]:
    if not flag_ids:
        return {}
    a = t.IntegrityAction
    out: dict[int, list[ActionView]] = {}
    for row in session.execute(select(a).where(a.flag_id.in_(flag_ids)).order_by(a.flag_id, a.id)).scalars():
        out.setdefault(row.flag_id, []).append(ActionView(row.at, row.action, row.actor_kind, row.actor_id, row.note))
    return {k: tuple(v) for k, v in out.items()}


def _view(flag: t.IntegrityFlag, actions: tuple[ActionView, ...]) -> FlagView:
    return FlagView(
        id=flag.id, steward_id=flag.steward_id, day=flag.day, kind=flag.kind, visit_keys=tuple(flag.visit_keys),
        reason_zh=flag.reason_zh, reason_en=flag.reason_en, state=FlagState(flag.state),
        ruleset_version=flag.ruleset_version, created_at=flag.created_at, lapsed=flag.lapsed_at is not None,
        decided_at=flag.decided_at, decided_by=flag.decided_by, actions=actions,
    )
