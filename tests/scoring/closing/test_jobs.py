"""close_due and the Scheduler, and the simulated year of 幸福社区 closed end to end."""

from __future__ import annotations

import logging
from collections import Counter
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from scoring.awards import verify_file
from scoring.closing import (
    CyclePolicy,
    Scheduler,
    close_due,
    derive_issuer_seed,
    load_month_review,
    load_quarter_summary,
    load_year_summary,
)
from scoring.closing.quarter import build_bulletin
from scoring.closing.registry_names import Names
from scoring.periods import parse_period
from scoring.storage import tables as t
from tests.scoring.closing.simulated import RESTING_STEWARD, simulate_first_quarter, simulate_year

SEEDS = {"longtan": derive_issuer_seed(b"test", "longtan")}


def _files(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def test_nothing_is_due_before_a_month_ends(seeded: Engine, tmp_path: Path) -> None:
    simulate_year(seeded)
    assert close_due(seeded, date(2018, 1, 31), tmp_path, CyclePolicy(), SEEDS).months == ()
    report = close_due(seeded, date(2018, 2, 1), tmp_path, CyclePolicy(), SEEDS)
    assert report.months == ("2018-01",) and report.quarters == () and report.years == ()


def test_a_simulated_year_closes_into_twelve_reviews_four_bulletins_and_one_award_list(
    seeded: Engine, tmp_path: Path
) -> None:
    simulate_year(seeded)
    policy = CyclePolicy()
    report = close_due(seeded, date(2019, 1, 1), tmp_path, policy, SEEDS)
    assert report.months == tuple(f"2018-{m:02d}" for m in range(1, 13))
    assert report.quarters == ("2018-Q1", "2018-Q2", "2018-Q3", "2018-Q4") and report.years == ("2018",)

    reviews = [load_month_review(seeded, m) for m in report.months]
    bulletins = [load_quarter_summary(seeded, q, tmp_path) for q in report.quarters]
    awards = load_year_summary(seeded, 2018, tmp_path)
    assert all(r is not None for r in reviews) and all(len(b.bulletins) == 1 for b in bulletins)
    assert len(awards.subdistricts) == 1 and awards.subdistricts[0].stewards

    # Month totals add up to the ledger's year, and to each quarter's bulletin.
    year_points: Counter[int] = Counter()
    active_months: Counter[int] = Counter()
    for review in reviews:
        assert review is not None
        for r in review.stewards:
            year_points[r.steward_id] += r.points
            active_months[r.steward_id] += r.active_days >= policy.active_month_min_days
    with Session(seeded) as session:
        ledger = dict(session.execute(
            select(t.PointsEntry.steward_id, func.sum(t.PointsEntry.points))
            .where(t.PointsEntry.day >= date(2018, 1, 1), t.PointsEntry.day <= date(2018, 12, 31))
            .group_by(t.PointsEntry.steward_id)
        ).all())
        assert dict(year_points) == {k: int(v) for k, v in ledger.items()}
        names = Names.load(session)
        sub = next(s for s in names.subdistricts.values() if s.key == "longtan")
        quarter_total = 0
        for q, label in enumerate(report.quarters):
            months = reviews[3 * q: 3 * q + 3]
            bulletin = build_bulletin(session, parse_period("quarter", label), months, sub, names, policy)  # type: ignore[arg-type]
            quarter_points: Counter[str] = Counter()
            for m in months:
                assert m is not None
                for r in m.stewards:
                    quarter_points[names.stewards[r.steward_id].name] += r.points
            assert {r.name: r.points for r in bulletin.rankings} == dict(quarter_points)
            quarter_total += sum(p.points for p in bulletin.monthly_points)
        assert quarter_total == sum(year_points.values())
        keys = {s.key: s.id for s in names.stewards.values()}

    # Winners are eligible, and their stated points are the months' sums.
    for winner in awards.subdistricts[0].stewards:
        steward_id = keys[winner.key]
        assert winner.key != RESTING_STEWARD
        assert active_months[steward_id] >= policy.gold_min_active_months
        assert winner.points == year_points[steward_id]


def test_running_the_closing_job_again_changes_nothing(seeded: Engine, tmp_path: Path) -> None:
    simulate_year(seeded)
    close_due(seeded, date(2019, 1, 1), tmp_path, CyclePolicy(), SEEDS)
    files = _files(tmp_path)
    with Session(seeded) as session:
        counts = [session.scalar(select(func.count()).select_from(m)) for m in
                  (t.MonthReview, t.Bulletin, t.Award, t.AwardReportRecord, t.PeriodClosing)]
    again = close_due(seeded, date(2019, 1, 1), tmp_path, CyclePolicy(), SEEDS)
    assert (again.months, again.quarters, again.years) == ((), (), ())
    assert _files(tmp_path) == files
    with Session(seeded) as session:
        assert counts == [session.scalar(select(func.count()).select_from(m)) for m in
                          (t.MonthReview, t.Bulletin, t.Award, t.AwardReportRecord, t.PeriodClosing)]


def test_the_scheduler_runs_the_job_in_its_thread(seeded: Engine, tmp_path: Path) -> None:
    simulate_year(seeded)
    scheduler = Scheduler(seeded, tmp_path, CyclePolicy(), SEEDS, every_seconds=3600, today=lambda: date(2018, 4, 1))
    scheduler.start()
    scheduler.stop()
    assert scheduler.runs == 1
    assert scheduler.last_report is not None and scheduler.last_report.quarters == ("2018-Q1",)
    assert load_quarter_summary(seeded, "2018-Q1", tmp_path).bulletins


def test_without_issuer_keys_months_and_quarters_close_and_an_ended_year_waits_open(seeded: Engine,
                                                                                    tmp_path: Path) -> None:
    simulate_first_quarter(seeded)
    policy = CyclePolicy(gold_min_active_months=1)
    report = close_due(seeded, date(2019, 1, 2), tmp_path, policy)
    assert report.months == tuple(f"2018-{m:02d}" for m in range(1, 13))
    assert report.quarters == ("2018-Q1", "2018-Q2", "2018-Q3", "2018-Q4")
    assert (report.years, report.years_waiting) == ((), ("2018",))
    assert load_year_summary(seeded, 2018, tmp_path).subdistricts == () and not (tmp_path / "awards").exists()
    assert load_quarter_summary(seeded, "2018-Q1", tmp_path).bulletins

    again = close_due(seeded, date(2019, 1, 2), tmp_path, policy)
    assert (again.months, again.quarters, again.years, again.years_waiting) == ((), (), (), ("2018",))
    # Once the key is there, the year closes with its credentials signed.
    signed = close_due(seeded, date(2019, 1, 2), tmp_path, policy, SEEDS)
    assert (signed.years, signed.years_waiting) == (("2018",), ())
    (longtan,) = load_year_summary(seeded, 2018, tmp_path).subdistricts
    for award in longtan.stewards:
        assert verify_file(award.credential, [longtan.public_key]).credential_id == award.credential_id


def test_the_scheduler_without_keys_notes_the_waiting_year_and_warns_once(seeded: Engine, tmp_path: Path,
                                                                          caplog: pytest.LogCaptureFixture) -> None:
    simulate_first_quarter(seeded)
    scheduler = Scheduler(seeded, tmp_path, CyclePolicy(), every_seconds=3600, today=lambda: date(2019, 1, 2))
    with caplog.at_level(logging.WARNING, logger="scoring.closing.jobs"):
        scheduler.start()
        scheduler.stop()
        scheduler.run_once()
    state = scheduler.status.state()
    assert state.ok and state.note is not None and "year 2018 waits for the award-signing key" in state.note
    warnings = [r.getMessage() for r in caplog.records if "stay open" in r.getMessage()]
    assert len(warnings) == 1 and "key is given: 2018 (" in warnings[0]  # two runs, one warning
    assert scheduler.last_report is not None and scheduler.last_report.years_waiting == ("2018",)
