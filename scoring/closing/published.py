"""What the closed periods published, read back for one subdistrict, steward or team: the 月评's lines,
the 季通报's and the award report's stored contents and files, the awards with their certificates and
credentials, and the issuer keys that verify them. Queries only; the API decides who may ask.

Every lookup first asks whether its period is closed (`ensure_closed`): a period that has not ended, or
has ended and waits for the closing job, raises PeriodNotClosedError; one before the ledger's first
points, which no job will ever close, raises NoDocumentError, as does a closed period without the
document asked for. Paths are relative to the closing jobs' folder; `read_recorded` reads them.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any, Final, TypeVar

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from scoring.awards import IssuerPublicKey, KeyFileError, MalformedCredentialError
from scoring.awards.jsonio import loads_strict
from scoring.closing.errors import DocumentMissingError, NoDocumentError, PeriodNotClosedError
from scoring.closing.outputs import read_recorded
from scoring.errors import UnknownScopeError
from scoring.periods import Period, PeriodKind, local_day
from scoring.storage import tables as t

logger = logging.getLogger(__name__)

R = TypeVar("R")

JOB_NAMES: Final = {PeriodKind.MONTH: "月评", PeriodKind.QUARTER: "季通报", PeriodKind.YEAR: "年度金牌管家评选"}


# --- is it closed? ---------------------------------------------------------------------------------


def ensure_closed(session: Session, period: Period, now: datetime) -> None:
    """Return when `period` is closed; otherwise say when it will be, or that it never will."""
    if _is_closed(session, period):
        return
    job = JOB_NAMES[period.kind]
    if period.last_day >= local_day(now):
        after = f", on {period.last_day + timedelta(days=1)}" if period.last_day < date.max else ""
        raise PeriodNotClosedError(f"{period.label} has not ended: its {job} runs after it ends{after} "
                                   "(Asia/Shanghai)")
    first_day = session.scalar(select(func.min(t.PointsEntry.day)))
    if first_day is None or period.last_day < first_day:
        begins = f"begins on {first_day}" if first_day is not None else "holds no points yet"
        raise NoDocumentError(f"there is no {job} for {period.label}: the programme's ledger {begins}")
    waits = " (a year also waits for the award-signing key)" if period.kind is PeriodKind.YEAR else ""
    raise PeriodNotClosedError(f"{period.label} has ended but its {job} has not run yet{waits}: the closing job "
                               f"runs hourly, or `stewards cycle close {period.kind.value} {period.label}` now")


def _is_closed(session: Session, period: Period) -> bool:
    if period.kind is PeriodKind.MONTH:
        found = session.scalar(select(t.MonthReview.id).where(t.MonthReview.month == period.first_day))
    else:
        found = session.scalar(select(t.PeriodClosing.id).where(
            t.PeriodClosing.kind == period.kind.value, t.PeriodClosing.label == period.label))
    return found is not None


def _as(record: type[R], row: Any) -> R:
    """A record from a row of its fields in order (rows wider than SQLAlchemy's typed overloads are Any)."""
    return record(*row)


def _subdistrict(session: Session, subdistrict_id: int) -> t.Subdistrict:
    sub = session.get(t.Subdistrict, subdistrict_id)
    if sub is None:
        raise UnknownScopeError(f"no subdistrict with id {subdistrict_id}: list them under /registry/places")
    return sub


# --- 月评 ----------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ReviewLine:
    """A steward's line in a subdistrict's 月评; `rank` is within the subdistrict."""

    steward_id: int
    name: str
    community: str | None
    rank: int
    rank_community: int | None
    points: int
    active_days: int
    patrols_completed: int
    cases_confirmed: int
    star: bool  # 月度之星


@dataclass(frozen=True, slots=True)
class LaneRating:
    lane_id: int
    lane: str
    community: str | None
    points: int
    patrols_due: int
    patrols_completed: int
    inspections: int
    inspection_score: float | None


@dataclass(frozen=True, slots=True)
class SubdistrictMonth:
    """One subdistrict's part of a closed month: its stars, a page of its ranking, its lanes' ratings.

    `content_sha256` and `ruleset_versions` are the month's, over every subdistrict: the snapshot is one.
    """

    month: str
    subdistrict_id: int
    subdistrict: str
    closed_at: datetime
    content_sha256: str
    ruleset_versions: tuple[str, ...]
    stewards: int  # lines in the subdistrict's ranking, of which `rankings` is a page
    stars: tuple[ReviewLine, ...]
    rankings: tuple[ReviewLine, ...]
    lanes: tuple[LaneRating, ...]


def subdistrict_month(session: Session, subdistrict_id: int, month: Period, now: datetime, *, limit: int,
                      offset: int) -> SubdistrictMonth:
    sub = _subdistrict(session, subdistrict_id)
    ensure_closed(session, month, now)
    review = session.scalars(select(t.MonthReview).where(t.MonthReview.month == month.first_day)).one()
    ms = t.MonthReviewSteward
    lines = (
        select(ms.steward_id, t.Steward.name, t.Community.name, ms.rank_subdistrict, ms.rank_community, ms.points,
               ms.active_days, ms.patrols_completed, ms.cases_confirmed, ms.star)
        .join(t.Steward, t.Steward.id == ms.steward_id).outerjoin(t.Community, t.Community.id == ms.community_id)
        .where(ms.review_id == review.id, ms.subdistrict_id == sub.id)
        .order_by(ms.rank_subdistrict, ms.steward_id)
    )
    count = session.scalar(select(func.count()).select_from(ms).where(
        ms.review_id == review.id, ms.subdistrict_id == sub.id)) or 0
    ml = t.MonthReviewLane
    lanes = session.execute(
        select(ml.lane_id, t.Lane.name, t.Community.name, ml.points, ml.patrols_due, ml.patrols_completed,
               ml.inspections, ml.inspection_score)
        .join(t.Lane, t.Lane.id == ml.lane_id).outerjoin(t.Community, t.Community.id == ml.community_id)
        .where(ml.review_id == review.id, ml.subdistrict_id == sub.id).order_by(ml.lane_id)
    )
    return SubdistrictMonth(
        month=month.label, subdistrict_id=sub.id, subdistrict=sub.name, closed_at=review.closed_at,
        content_sha256=review.content_sha256, ruleset_versions=tuple(review.ruleset_versions), stewards=count,
        stars=tuple(_as(ReviewLine, row) for row in session.execute(lines.where(ms.star.is_(True)))),
        rankings=tuple(_as(ReviewLine, row) for row in session.execute(lines.limit(limit).offset(offset))),
        lanes=tuple(LaneRating(*row) for row in lanes),
    )


# --- 季通报 and the award report -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PublishedDocument:
    """A bulletin or an award report as its closing recorded it."""

    period: str
    subdistrict_id: int
    subdistrict_key: str
    subdistrict: str
    closed_at: datetime
    pdf_path: str
    pdf_sha256: str
    content: Mapping[str, Any] | None  # None: closed before the contents were kept as data

    def data(self) -> Mapping[str, Any]:
        if self.content is None:
            raise NoDocumentError(f"{self.subdistrict}'s document for {self.period} was closed before documents "
                                  "were kept as data: download its PDF")
        return self.content


def bulletin(session: Session, subdistrict_id: int, quarter: Period, now: datetime) -> PublishedDocument:
    sub = _subdistrict(session, subdistrict_id)
    ensure_closed(session, quarter, now)
    row = session.scalar(select(t.Bulletin).where(t.Bulletin.period == quarter.label,
                                                  t.Bulletin.subdistrict_id == sub.id))
    if row is None:
        raise NoDocumentError(f"{sub.name} has no 季通报 for {quarter.label}: none of its stewards had points or a "
                              "confirmed case in that quarter")
    return PublishedDocument(quarter.label, sub.id, sub.key, sub.name, row.closed_at, row.pdf_path, row.pdf_sha256,
                             row.content)


def award_report(session: Session, subdistrict_id: int, year: Period, now: datetime) -> PublishedDocument:
    sub = _subdistrict(session, subdistrict_id)
    ensure_closed(session, year, now)
    row = _report(session, sub.id, year.first_day.year)
    if row is None:
        raise NoDocumentError(f"{sub.name} named no 金牌管家 and no 金牌小巷管家团 in {year.label}, so it has no award "
                              "report for that year")
    return PublishedDocument(year.label, sub.id, sub.key, sub.name, row.closed_at, row.pdf_path, row.pdf_sha256,
                             row.content)


def _report(session: Session, subdistrict_id: int, year: int) -> t.AwardReportRecord | None:
    return session.scalar(select(t.AwardReportRecord).where(
        t.AwardReportRecord.year == year, t.AwardReportRecord.subdistrict_id == subdistrict_id))


# --- the awards ------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class GoldSteward:
    steward_id: int
    name: str
    community: str | None
    scope: str  # the group it was chosen in: 幸福社区, or 龙潭街道 for the subdistrict's share
    rank: int  # within that group
    points: int
    credential_id: str


@dataclass(frozen=True, slots=True)
class GoldTeam:
    team_id: int
    name: str
    lane: str
    rank: int
    points: int
    credential_id: str


def gold_stewards(session: Session, subdistrict_id: int, year: Period, now: datetime, *, limit: int,
                  offset: int) -> list[GoldSteward]:
    """The year's 金牌管家 of a subdistrict, in the award report's order (its groups, then rank)."""
    sub = _subdistrict(session, subdistrict_id)
    ensure_closed(session, year, now)
    a, r = t.Award, t.AwardReportRecord
    rows = session.execute(
        select(a.steward_id, t.Steward.name, t.Community.name, a.scope, a.rank, a.points, a.credential_id)
        .join(r, r.id == a.report_id).join(t.Steward, t.Steward.id == a.steward_id)
        .outerjoin(t.Community, t.Community.id == t.Steward.community_id)
        .where(r.year == year.first_day.year, r.subdistrict_id == sub.id, a.kind == "steward")
        .order_by(a.id).limit(limit).offset(offset)
    )
    return [_as(GoldSteward, row) for row in rows]  # steward awards always name their steward


def gold_teams(session: Session, subdistrict_id: int, year: Period, now: datetime, *, limit: int,
               offset: int) -> list[GoldTeam]:
    sub = _subdistrict(session, subdistrict_id)
    ensure_closed(session, year, now)
    a, r = t.Award, t.AwardReportRecord
    rows = session.execute(
        select(a.team_id, t.Team.name, t.Lane.name, a.rank, a.points, a.credential_id)
        .join(r, r.id == a.report_id).join(t.Team, t.Team.id == a.team_id).join(t.Lane, t.Lane.id == t.Team.lane_id)
        .where(r.year == year.first_day.year, r.subdistrict_id == sub.id, a.kind == "team")
        .order_by(a.rank, a.id).limit(limit).offset(offset)
    )
    return [_as(GoldTeam, row) for row in rows]


@dataclass(frozen=True, slots=True)
class AwardFiles:
    """One award's record: what it was for, and where its certificate and credential are."""

    year: int
    kind: str  # "steward" or "team"
    subject_name: str  # the steward's name, or the team's
    subdistrict_id: int
    scope: str
    rank: int
    points: int
    credential_id: str
    credential_path: str
    credential_sha256: str
    certificate_path: str


def steward_awards(session: Session, steward_id: int) -> list[AwardFiles]:
    """Every award a steward holds, oldest year first."""
    steward = _steward(session, steward_id)
    return _awards(session, t.Award.steward_id == steward.id, steward.name)


def steward_award(session: Session, steward_id: int, year: Period, now: datetime) -> AwardFiles:
    steward = _steward(session, steward_id)
    ensure_closed(session, year, now)
    found = _awards(session, t.Award.steward_id == steward.id, steward.name, year.first_day.year)
    if not found:
        raise NoDocumentError(f"{steward.name} was not named 金牌管家 in {year.label}: no certificate or credential "
                              "(the year's award report names every winner)")
    return found[0]


def team_award(session: Session, team_id: int, year: Period, now: datetime) -> AwardFiles:
    team = session.get(t.Team, team_id)
    if team is None:
        raise UnknownScopeError(f"no team with id {team_id}: list them under /registry/teams")
    ensure_closed(session, year, now)
    found = _awards(session, t.Award.team_id == team.id, team.name, year.first_day.year)
    if not found:
        raise NoDocumentError(f"{team.name} was not named 金牌小巷管家团 in {year.label}: no certificate or credential")
    return found[0]


def _steward(session: Session, steward_id: int) -> t.Steward:
    steward = session.get(t.Steward, steward_id)
    if steward is None:
        raise UnknownScopeError(f"no steward with id {steward_id}: list them under /registry/stewards")
    return steward


def _awards(session: Session, holder: Any, name: str, year: int | None = None) -> list[AwardFiles]:
    a, r = t.Award, t.AwardReportRecord
    query = (select(r.year, a.kind, r.subdistrict_id, a.scope, a.rank, a.points, a.credential_id, a.credential_path,
                    a.credential_sha256, a.certificate_path)
             .join(r, r.id == a.report_id).where(holder).order_by(r.year, a.id))
    if year is not None:
        query = query.where(r.year == year)
    return [AwardFiles(y, kind, name, *rest) for y, kind, *rest in session.execute(query)]


# --- verifying -------------------------------------------------------------------------------------------


def issuer_key_paths(session: Session) -> list[str]:
    """The public key files the closed years recorded, newest year first (one per subdistrict and year)."""
    r = t.AwardReportRecord
    return list(session.scalars(select(r.public_key_path).order_by(r.year.desc(), r.subdistrict_id)))


def trusted_issuers(out_dir: Path, paths: Iterable[str]) -> tuple[IssuerPublicKey, ...]:
    """The offices' public keys in these files (`issuer_key_paths`), one per key, the first name found kept."""
    found: dict[str, IssuerPublicKey] = {}
    for path in paths:
        try:
            issuer = IssuerPublicKey.from_json(loads_strict(read_recorded(out_dir, path), path), path)
        except (KeyFileError, MalformedCredentialError) as exc:
            logger.error("the issuer key file %s is not usable: %s", path, exc)
            raise DocumentMissingError(f"{path}, an issuer's public key the closing recorded, is not a usable key "
                                       "file; the operator restores it") from None
        found.setdefault(issuer.did, issuer)  # a renamed office: its latest name is the one it signs under
    return tuple(found.values())


def on_record(session: Session, credential_id: str) -> bool:
    """Whether the programme's awards hold a credential of this id."""
    return session.scalar(select(t.Award.id).where(t.Award.credential_id == credential_id).limit(1)) is not None
