"""`stewards bench --quick` runs end to end and reports every figure against its baseline.
It asserts what was measured, never how fast: speed is for the closing note, not for a test."""

from __future__ import annotations

import json
from pathlib import Path

from rich.console import Console

from stewards.bench import run_all


def test_quick_bench_measures_every_figure_against_a_same_run_baseline(tmp_path: Path) -> None:
    results = run_all(tmp_path, quick=True, console=Console(quiet=True))
    a, b = results["a_live_records"], results["b_log_segments"]
    assert a["records"] == 200 * 10 and b["records"] == 200 * 50
    for figure, baseline, ratio in (
        (a["gateway_records_per_second"], a["baseline_bare_subscriber_messages_per_second"],
         a["ratio_gateway_to_bare_subscriber"]),
        (b["gateway_records_per_second"], b["baseline_raw_copy_rows_per_second"], b["ratio_gateway_to_raw_copy"]),
    ):
        assert figure > 0 and baseline > 0
        assert abs(ratio - figure / baseline) < 0.01
    for c in (results["c_latency"], results["c_latency_quarter_rate"]):
        assert c["records"] > 0 and 0 < c["p50_ms"] <= c["p99_ms"]
    one, fleet = results["d_ble_one_band"], results["e_ble_fleet"]
    assert (one["bands"], one["records"]) == (1, 200) and (fleet["bands"], fleet["records"]) == (20, 20 * 20)
    for ble in (one, fleet):
        assert ble["ble_records_per_second"] > 0 and ble["baseline_direct_pipeline_records_per_second"] > 0
        assert abs(
            ble["ratio"] - ble["ble_records_per_second"] / ble["baseline_direct_pipeline_records_per_second"]
        ) < 0.01
    assert json.loads((tmp_path / "results.json").read_text()) == results
    markdown = (tmp_path / "results.md").read_text()
    assert "(a) live records" in markdown and "(e) BLE sync, 20 band(s)" in markdown
    assert set(results["cycle"]) >= {"f_month_close", "g_year_award"} and "(g) year-end award" in markdown
    chaos = results["h_chaos"]
    assert (chaos["cycles"], chaos["bands"], chaos["ble_bands"]) == (7, 30, 4) and len(chaos["faults_by_kind"]) == 7
    assert chaos["lost"] == chaos["duplicated"] == 0 and chaos["ok"] and chaos["records_made"] > 0
    assert "(h) chaos, 7 faults" in markdown
