"""The closing jobs of the steward cycle: 月评 (month snapshots), 季通报 (quarterly bulletins),
年度金牌管家 (year-end awards), and the job that closes whatever has ended. Every close is idempotent
and resumable; documents and credentials are byte-identical for the same data.

    close_month(engine, month, policy=CyclePolicy(), *, clock) -> MonthReview
    close_quarter(engine, quarter, out_dir, policy=CyclePolicy(), *, clock) -> QuarterSummary
    close_year(engine, year, out_dir, policy=CyclePolicy(), issuer_keys=None, *, upheld_flags, clock) -> YearSummary
    close_due(engine, today, out_dir, policy=CyclePolicy(), issuer_keys=None, *, upheld_flags, clock=None) -> DueReport
    Scheduler(engine, out_dir, policy, issuer_keys, upheld_flags, every_seconds, today).start() / .stop()
    load_month_review / load_quarter_summary / load_year_summary: what a closed period stored
    derive_issuer_seed(secret, subdistrict_key) / issuer_seeds(engine, secret) -> {subdistrict key: seed}

`issuer_keys` maps a subdistrict key to its office's 32-byte Ed25519 seed; `upheld_flags(year)` gives
the stewards with an upheld integrity flag (default: none). Tie-breaks: `scoring.closing.ranking`.
"""

from __future__ import annotations

from scoring.closing.errors import ClosingError, ClosingPolicyError, IssuerKeyMissingError, PeriodNotEndedError
from scoring.closing.jobs import DueReport, Scheduler, close_due, derive_issuer_seed, issuer_seeds
from scoring.closing.month import MonthReview, close_month, load_month_review
from scoring.closing.policy import CyclePolicy, UpheldFlags, no_upheld_flags
from scoring.closing.quarter import BulletinFiles, QuarterSummary, close_quarter, load_quarter_summary
from scoring.closing.ranking import TIE_BREAKS
from scoring.closing.year import (
    AwardedSteward,
    AwardedTeam,
    SubdistrictAwards,
    YearSummary,
    close_year,
    load_year_summary,
)

__all__ = [
    "TIE_BREAKS",
    "AwardedSteward",
    "AwardedTeam",
    "BulletinFiles",
    "ClosingError",
    "ClosingPolicyError",
    "CyclePolicy",
    "DueReport",
    "IssuerKeyMissingError",
    "MonthReview",
    "PeriodNotEndedError",
    "QuarterSummary",
    "Scheduler",
    "SubdistrictAwards",
    "UpheldFlags",
    "YearSummary",
    "close_due",
    "close_month",
    "close_quarter",
    "close_year",
    "derive_issuer_seed",
    "issuer_seeds",
    "load_month_review",
    "load_quarter_summary",
    "load_year_summary",
    "no_upheld_flags",
]
