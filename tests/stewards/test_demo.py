"""`stewards demo` on the embedded default (SQLite + amqtt), through the installed entry point."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from sqlalchemy import func, select

from scoring.storage import tables as t
from scoring.storage.engine import make_engine, session_factory
from stewards.demo_accounts import DEMO_PASSWORD
from tests.api.signin import api

STEWARDS = Path(sys.executable).with_name("stewards")


def test_demo_once_json_prints_a_consistent_summary(tmp_path: Path) -> None:
    result = subprocess.run(
        [str(STEWARDS), "demo", "--days", "4", "--once", "--json", "--workdir", str(tmp_path)],
        capture_output=True, text=True, timeout=300, env={**os.environ, "NO_COLOR": "1"},
    )
    assert result.returncode == 0, result.stderr[-3000:]
    summary = json.loads(result.stdout)
    assert summary["days"] == 4 and summary["bands"] == 63
    assert summary["records_made"] > 0
    assert summary["committed"] == summary["records_made"]  # every record stored once
    assert summary["refused"] == {} and summary["quarantined"] == summary["duplicate"]
    standings = summary["leaderboard"]["standings"]
    assert standings and standings[0]["rank"] == 1
    assert [s["points"] for s in standings] == sorted((s["points"] for s in standings), reverse=True)

    engine = make_engine(f"sqlite:///{summary['database']}")
    with session_factory(engine)() as s:
        assert s.scalar(select(func.count()).select_from(t.CheckIn)) == summary["committed"]
        top = standings[0]
        assert s.scalar(
            select(func.sum(t.PointsEntry.points)).where(t.PointsEntry.steward_id == top["steward_id"])
        ) == top["points"]
    # Everyone of 龙潭 signs in with the demo's password and sees their own (the README lists them).
    client = api(engine)
    assert summary["accounts"] > 63
    signed_in = client.post("/auth/token", data={"username": f"steward-{top['steward_id']}",
                                                 "password": DEMO_PASSWORD})
    assert signed_in.status_code == 200, signed_in.text
    own = client.get(f"/stewards/{top['steward_id']}/points", params={"period": "year", "label": "2018"},
                     headers={"Authorization": f"Bearer {signed_in.json()['access_token']}"})
    assert own.status_code == 200 and own.json()["total"] == top["points"]
    coordinator = client.post("/auth/token", data={"username": "coordinator-longtan", "password": DEMO_PASSWORD})
    assert coordinator.status_code == 200
    engine.dispose()


def test_a_demo_past_a_month_end_closes_that_month_and_its_ble_bands_synced(tmp_path: Path) -> None:
    """The scheduler's job runs at the end: January closes; nothing else has ended yet."""
    result = subprocess.run(
        [str(STEWARDS), "demo", "--days", "32", "--once", "--json", "--workdir", str(tmp_path), "--ble-bands", "2"],
        capture_output=True, text=True, timeout=300, env={**os.environ, "NO_COLOR": "1"},
    )
    assert result.returncode == 0, result.stderr[-3000:]
    summary = json.loads(result.stdout)
    assert summary["start"] == "2018-01-01"
    assert summary["cycle"]["months_closed"] == ["2018-01"]
    assert summary["cycle"]["quarters_closed"] == [] and summary["gold_stewards"] == []
    assert len(summary["ble"]["bands"]) == 2 and summary["ble"]["syncs"] > 0 and summary["ble"]["committed"] > 0
    assert summary["committed"] == summary["records_made"]
    engine = make_engine(f"sqlite:///{summary['database']}")
    with session_factory(engine)() as s:
        assert s.scalar(select(func.count()).select_from(t.MonthReview)) == 1
        # Stewards skip patrols now and then: their lane chiefs are told, once per missed window.
        assert s.scalar(select(func.count()).select_from(t.PatrolAlert)) == summary["patrol_alerts"] > 0
    engine.dispose()
