"""Points: periods, leaderboards, a steward's entries and totals and their explanation, patrol activity."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from api.schemas.base import OutModel
from scoring.activity import ActivityPoint, Bucket
from scoring.ledger.explanations import PeriodExplanation
from scoring.ledger.leaderboard import Scope, ScopeKind, Standing
from scoring.periods import Period, PeriodKind


class PeriodOut(OutModel):
    kind: PeriodKind
    label: str
    first_day: date
    last_day: date


class ScopeOut(OutModel):
    kind: ScopeKind
    id: int | None


class StandingOut(OutModel):
    rank: int
    steward_id: int
    name: str
    points: int


class LeaderboardOut(OutModel):
    period: PeriodOut
    scope: ScopeOut
    standings: list[StandingOut]

    @classmethod
    def build(cls, period: Period, scope: Scope, standings: Sequence[Standing]) -> LeaderboardOut:
        return cls.model_validate({"period": period, "scope": scope, "standings": standings})


class EntryOut(OutModel):
    day: date
    rule: str
    points: int
    segment_id: int | None  # None for lane-level entries (cases, inspections)
    lane_id: int
    ruleset_version: str
    evidence: list[str]  # check-in keys "band/boot/seq"


class StewardPointsOut(OutModel):
    steward_id: int
    name: str
    period: PeriodOut
    total: int
    entries: list[EntryOut]
    entry_count: int  # the period's entries; `entries` is the page of them asked for


class PeriodTotalOut(OutModel):
    label: str
    points: int


class ActivityPointOut(OutModel):
    starts_at: datetime
    checkins: int
    stewards: int


class ActivityOut(OutModel):
    period: PeriodOut
    bucket: Bucket
    points: list[ActivityPointOut]

    @classmethod
    def build(cls, period: Period, bucket: Bucket, points: Sequence[ActivityPoint]) -> ActivityOut:
        return cls.model_validate({"period": period, "bucket": bucket, "points": points})


class EntryLineOut(OutModel):
    entry_key: str
    day: date
    rule: str
    points: int
    trimmed_points: int
    cap: str
    ruleset_version: str
    evidence: list[str]
    reverses: str | None  # the key of the entry a reversal cancels
    reversed: bool  # this entry was cancelled by a later reversal
    text: str
    lane_id: int  # where it was earned
    segment_id: int | None  # None for lane-level entries (cases, inspections)


class SetAsideOut(OutModel):
    checkin_key: str
    day: date
    reason: str  # withheld or paced_out
    flag_id: int | None
    flag_kind: str | None
    flag_state: str | None
    text: str


class ExplanationOut(OutModel):
    steward_id: int
    name: str
    period: PeriodOut
    total: int
    entries: list[EntryLineOut]
    set_aside: list[SetAsideOut]
    entry_count: int  # the period's; `entries` and `set_aside` are the page of them asked for
    set_aside_count: int
    lines: list[str]  # the explanation as the CLI prints it, one line a fact (of the page)

    @classmethod
    def from_explanation(cls, e: PeriodExplanation) -> ExplanationOut:
        return cls.model_validate({
            "steward_id": e.steward_id, "name": e.name, "period": e.period, "total": e.total,
            "entries": e.entries, "set_aside": e.set_aside, "entry_count": e.entry_count,
            "set_aside_count": e.set_aside_count, "lines": e.lines(),
        })
