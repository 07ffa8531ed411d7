"""The documents the street office prints: 季通报 (the quarterly bulletin), the 年度金牌管家 award
report and one certificate per winner, in Chinese, as HTML and PDF.

Callers fill the frozen dataclasses of `scoring.reports.model` (no database types) and call a
renderer. The same data always gives the same bytes, HTML and PDF alike.

    render_bulletin_html(QuarterlyBulletin) -> str      render_bulletin_pdf(QuarterlyBulletin) -> bytes
    render_award_report_html(AwardReport) -> str        render_award_report_pdf(AwardReport) -> bytes
    render_certificate_pdf(Certificate) -> bytes
    document_data(QuarterlyBulletin | AwardReport) -> dict   the contents as JSON-ready data
"""

from __future__ import annotations

from scoring.reports.award_report import render_award_report_html, render_award_report_pdf
from scoring.reports.bulletin import render_bulletin_html, render_bulletin_pdf
from scoring.reports.certificate import render_certificate_pdf
from scoring.reports.data import document_data
from scoring.reports.errors import ReportDataError, ReportError
from scoring.reports.model import (
    STEWARD_AWARD,
    TEAM_AWARD,
    AwardGroup,
    AwardReport,
    AwardWinner,
    CategoryTally,
    Certificate,
    EvidenceSummary,
    MonthlyPoints,
    NotableSteward,
    NotableTeam,
    OpenCase,
    PatrolCompletion,
    QuarterlyBulletin,
    StewardRanking,
    TeamAward,
    TeamMember,
)
from scoring.reports.wording import CASE_CATEGORIES, CASE_STATE_LABELS

__all__ = [
    "CASE_CATEGORIES",
    "CASE_STATE_LABELS",
    "STEWARD_AWARD",
    "TEAM_AWARD",
    "AwardGroup",
    "AwardReport",
    "AwardWinner",
    "CategoryTally",
    "Certificate",
    "EvidenceSummary",
    "MonthlyPoints",
    "NotableSteward",
    "NotableTeam",
    "OpenCase",
    "PatrolCompletion",
    "QuarterlyBulletin",
    "ReportDataError",
    "ReportError",
    "StewardRanking",
    "TeamAward",
    "TeamMember",
    "document_data",
    "render_award_report_html",
    "render_award_report_pdf",
    "render_bulletin_html",
    "render_bulletin_pdf",
    "render_certificate_pdf",
]
