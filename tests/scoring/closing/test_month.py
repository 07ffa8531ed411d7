from __future__ import annotations

import math
from datetime import UTC, datetime
from itertools import pairwise

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from scoring.closing import CyclePolicy, PeriodNotEndedError, close_month, load_month_review
from scoring.periods import parse_period
from scoring.storage import tables as t
from tests.scoring.closing.simulated import RULESET, simulate_year


def _ledger_totals(engine: Engine, label: str) -> dict[int, int]:
    period = parse_period("month", label)
    pe = t.PointsEntry
    with Session(engine) as session:
        return {
            sid: int(p) for sid, p in session.execute(
                select(pe.steward_id, func.sum(pe.points))
                .where(pe.day >= period.first_day, pe.day <= period.last_day).group_by(pe.steward_id)
            )
        }


def test_a_closed_month_holds_the_ledger_ranks_and_stars(seeded: Engine) -> None:
    simulate_year(seeded)
    policy = CyclePolicy()
    review = close_month(seeded, "2018-03", policy)

    assert {r.steward_id: r.points for r in review.stewards} == _ledger_totals(seeded, "2018-03")
    assert review.ruleset_versions == (RULESET,)
    ordered = sorted(review.stewards, key=lambda r: -r.points)
    assert ordered[0].rank_subdistrict == 1 and ordered[0].rank_community == 1
    for better, worse in pairwise(ordered):
        assert better.rank_subdistrict <= worse.rank_subdistrict
        assert (better.rank_subdistrict == worse.rank_subdistrict) == (better.points == worse.points)
    assert len(review.stars) == math.ceil(policy.star_share * len(review.stewards))
    assert all(s.active_days >= policy.star_min_active_days for s in review.stars)
    best_non_star = max((r.points for r in review.stewards if not r.star and r.active_days >= 8), default=-1)
    assert min(s.points for s in review.stars) >= best_non_star
    assert sum(r.cases_confirmed for r in review.stewards) == 1  # one case confirmed each month

    xingfu = {r.community_id for r in review.stewards} - {None}
    rated = [lane for lane in review.lanes if lane.community_id in xingfu]
    assert len(rated) == 5, "幸福社区's five lanes are rated"
    for lane in review.lanes:
        assert 0 <= lane.patrols_completed <= lane.patrols_due
    for lane in rated:
        assert lane.patrols_completed > 0
        assert lane.inspection_score is not None and 70.0 <= lane.inspection_score <= 100.0
    assert sum(lane.points for lane in review.lanes) == sum(r.points for r in review.stewards)


def test_closing_a_closed_month_changes_nothing(seeded: Engine) -> None:
    simulate_year(seeded)
    first = close_month(seeded, "2018-04")
    with Session(seeded) as session:
        counts = [session.scalar(select(func.count()).select_from(m)) for m in
                  (t.MonthReview, t.MonthReviewSteward, t.MonthReviewLane)]
    # Even a later ledger change does not reopen a frozen month.
    with Session(seeded) as session, session.begin():
        session.execute(
            t.PointsEntry.__table__.delete().where(t.PointsEntry.day >= parse_period("month", "2018-04").first_day)
        )
    again = close_month(seeded, "2018-04")
    assert again == first
    assert load_month_review(seeded, "2018-04") == first
    with Session(seeded) as session:
        assert counts == [session.scalar(select(func.count()).select_from(m)) for m in
                          (t.MonthReview, t.MonthReviewSteward, t.MonthReviewLane)]


def test_the_content_hash_depends_only_on_the_ledger(seeded: Engine, tmp_path: object) -> None:
    simulate_year(seeded)
    a = close_month(seeded, "2018-05")
    with Session(seeded) as session, session.begin():
        review = session.scalar(select(t.MonthReview))
        assert review is not None
        session.execute(t.MonthReviewSteward.__table__.delete())
        session.execute(t.MonthReviewLane.__table__.delete())
        session.delete(review)
    b = close_month(seeded, "2018-05", clock=lambda: datetime(2030, 1, 1, tzinfo=UTC))
    assert a.content_sha256 == b.content_sha256 and a.stewards == b.stewards and a.lanes == b.lanes


def test_a_month_that_has_not_ended_cannot_be_closed(seeded: Engine) -> None:
    with pytest.raises(PeriodNotEndedError, match="has not ended"):
        close_month(seeded, "2018-06", clock=lambda: datetime(2018, 6, 30, 15, 59, tzinfo=UTC))
    # 16:00 UTC on 30 June is midnight in Beijing: June has ended.
    review = close_month(seeded, "2018-06", clock=lambda: datetime(2018, 6, 30, 16, 0, tzinfo=UTC))
    assert review.stewards == ()
