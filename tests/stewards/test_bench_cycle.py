"""The closing-jobs benchmark at its quick size runs end to end and reports every figure with its
same-run baseline. It asserts what was measured, never how fast."""

from __future__ import annotations

import pytest
from rich.console import Console

from stewards.bench_cycle import ASKED_STEWARDS, QUICK_SIZES, run_cycle_bench

DEMO_STEWARDS = 63  # the demo registry's own stewards patrol too


def test_quick_cycle_bench_reports_every_figure_against_a_recompute_baseline() -> None:
    results = run_cycle_bench(quick=True, console=Console(quiet=True))
    assert results["sizes"]["month_stewards"] == QUICK_SIZES.month_stewards
    month, year = results["f_month_close"], results["g_year_award"]
    assert month["month"] == "2018-03"
    for figure, what, stewards, days in (
        (month, "month_close", QUICK_SIZES.month_stewards, QUICK_SIZES.month_days),
        (year, "year_award", QUICK_SIZES.year_stewards, QUICK_SIZES.year_days),
    ):
        assert figure["database"] == "sqlite"
        assert (figure["synthetic_stewards"], figure["days"]) == (stewards, days)
        assert figure["stewards_with_checkins"] == stewards + DEMO_STEWARDS
        assert figure["steward_days"] == figure["stewards_with_checkins"] * days
        assert figure["checkins"] >= figure["steward_days"]
        seconds, baseline = figure[f"{what}_seconds"], figure["baseline_recompute_seconds"]
        assert seconds > 0 and baseline > 0
        assert figure[f"ratio_{what}_to_recompute"] == pytest.approx(seconds / baseline, rel=0.01, abs=1e-3)
        assert figure["recompute_steward_days_per_second"] > 0
        extrapolated = figure["extrapolated"]
        assert extrapolated["stewards"] == ASKED_STEWARDS and "not measured" in extrapolated["basis"]
        assert extrapolated[f"{what}_seconds"] >= 0 and extrapolated["recompute_seconds"] > 0
    assert month["reviewed_stewards"] == month["stewards_with_checkins"]
    assert year["twelve_month_closes_seconds"] > 0
    assert year["gold_stewards"] > 0
