"""季通报 and the award report as data: what the PDF prints, as the closing job stored it."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

from api.schemas.base import OutModel
from scoring.closing.published import PublishedDocument


class RecordOut(OutModel):
    """Where the document came from: its period, subdistrict and closing, and the PDF's hash."""

    period: str
    subdistrict_id: int
    closed_at: datetime
    pdf_sha256: str


# -- 季通报 ----------------------------------------------------------------------------------------


class StewardRankingOut(OutModel):
    rank: int
    name: str
    points: int
    community: str | None
    lane: str
    level: str | None


class PatrolCompletionOut(OutModel):
    community: str | None
    lane: str
    due: int
    completed: int


class OpenCaseOut(OutModel):
    reference: str
    community: str | None
    lane: str
    category: str
    state: str
    reported_on: date
    location: str


class CategoryTallyOut(OutModel):
    category: str
    found: int
    fixed: int


class MonthlyPointsOut(OutModel):
    month: date  # the month's first day
    points: int


class NotableStewardOut(OutModel):
    name: str
    community: str | None
    lane: str
    citation: str


class NotableTeamOut(OutModel):
    name: str
    community: str | None
    lane: str
    members: list[str]
    citation: str


class BulletinOut(OutModel):
    title: str
    subdistrict: str
    district: str
    issuer: str
    year: int
    quarter: int
    issued_on: date
    rankings: list[StewardRankingOut]
    patrols: list[PatrolCompletionOut]
    open_cases: list[OpenCaseOut]
    cases_by_category: list[CategoryTallyOut]
    monthly_points: list[MonthlyPointsOut]
    notable_stewards: list[NotableStewardOut]
    notable_teams: list[NotableTeamOut]
    ruleset_versions: list[str]
    record: RecordOut

    @classmethod
    def build(cls, document: PublishedDocument) -> BulletinOut:
        return cls.model_validate(_with_record(document.data(), document))


# -- 年度金牌管家 ----------------------------------------------------------------------------------


class EvidenceOut(OutModel):
    points: int
    active_months: int
    patrols_completed: int
    cases_confirmed: int
    dissuasions: int


class AwardWinnerOut(OutModel):
    rank: int
    name: str
    community: str | None
    lane: str
    evidence: EvidenceOut
    credential_id: str


class AwardGroupOut(OutModel):
    scope: str
    rule: str
    winners: list[AwardWinnerOut]


class TeamMemberOut(OutModel):
    name: str
    joined_on: date | None
    left_on: date | None
    months_credited: int


class TeamAwardOut(OutModel):
    team: str
    community: str | None
    lane: str
    points: int
    members: list[TeamMemberOut]
    citation: str
    credential_id: str


class AwardReportOut(OutModel):
    title: str
    subdistrict: str
    district: str
    issuer: str
    year: int
    issued_on: date
    ruleset_version: str
    eligibility: list[str]
    groups: list[AwardGroupOut]
    team_awards: list[TeamAwardOut]
    tie_breaks: list[str]
    tie_cases: list[str]
    record: RecordOut

    @classmethod
    def build(cls, document: PublishedDocument) -> AwardReportOut:
        return cls.model_validate(_with_record(document.data(), document))


def _with_record(content: Mapping[str, Any], document: PublishedDocument) -> dict[str, Any]:
    return {**content, "record": {"period": document.period, "subdistrict_id": document.subdistrict_id,
                                  "closed_at": document.closed_at, "pdf_sha256": document.pdf_sha256}}
