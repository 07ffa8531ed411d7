"""`stewards demo` on the embedded default (SQLite + amqtt), through the installed entry point."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from scoring.cases.points import RULE_CASE_CONFIRMED, RULE_CASE_FIX_CONFIRMED
from scoring.inspections import RULE_LANE_INSPECTION
from scoring.periods import day_starts_at
from scoring.seed.registry import XINGFU_BEILI
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
    with session_factory(engine)() as s:
        lane = s.scalar(select(t.Lane.id).where(t.Lane.key == XINGFU_BEILI))  # its chief works in the demo
    (chief, *_) = client.get(f"/registry/lanes/{lane}").json()["chiefs"]
    # What the README's sign-in table says each of them can try; True: it has something to show already.
    what_to_try = {
        f"steward-{top['steward_id']}": [(f"/stewards/{top['steward_id']}/flags", False)],
        f"chief-{chief['id']}": [("/cases?open_only=true", True), (f"/lanes/{lane}/inspections", False),
                                 (f"/lanes/{lane}/alerts", False)],
        "coordinator-longtan": [("/audit", True), ("/cases?state=fix_confirmed", False)],
        "station-longtan": [("/registry/stewards", True), ("/registry/bands", True)],
        "district-dongcheng": [("/audit", True), ("/cases?open_only=true", True)],
        "admin": [("/registry/bands", True), ("/audit", True)],
    }
    for username, paths in what_to_try.items():
        token = client.post("/auth/token", data={"username": username, "password": DEMO_PASSWORD})
        assert token.status_code == 200, (username, token.text)
        for path, shows_something in paths:
            tried = client.get(path, headers={"Authorization": f"Bearer {token.json()['access_token']}"})
            assert tried.status_code == 200, (username, path, tried.text)
            assert tried.json() != [] or not shows_something, (username, path)
    engine.dispose()


def test_a_demo_past_a_month_end_closes_that_month_with_its_chiefs_work_and_its_ble_bands_synced(
    tmp_path: Path,
) -> None:
    """The scheduler's job runs at the end: January closes, with what its lane chiefs did through the API;
    nothing else has ended yet."""
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
        _assert_the_chiefs_work_is_in_the_store(summary["chiefs"], s)
        # January's 月评 holds January's confirmations and 周查: the chiefs worked before it closed.
        jan = (day_starts_at(date(2018, 1, 1)), day_starts_at(date(2018, 2, 1)))
        ev, inspection = t.CaseEvent, t.Inspection
        confirmed_in_jan = s.scalar(select(func.count()).select_from(ev).where(
            ev.to_state == "confirmed", ev.at >= jan[0], ev.at < jan[1])) or 0
        # A 周查 belongs to the month of its week's Monday (the week of 29 January is January's).
        inspected_in_jan = s.scalar(select(func.count()).select_from(inspection).where(
            inspection.week_of >= date(2018, 1, 1), inspection.week_of < date(2018, 2, 1))) or 0
        assert s.scalar(select(func.sum(t.MonthReviewSteward.cases_confirmed))) == confirmed_in_jan > 0
        assert s.scalar(select(func.sum(t.MonthReviewLane.inspections))) == inspected_in_jan > 0
    engine.dispose()


def _assert_the_chiefs_work_is_in_the_store(chiefs: dict[str, Any], s: Session) -> None:
    """What the summary says the chiefs and stewards did is what the store holds, every change of it
    made through the API (so in the audit log) by the account of the chief or steward who did it."""
    assert chiefs["chiefs"] > 0 and chiefs["sign_ins"] >= chiefs["chiefs"] and chiefs["refreshes"] > 0
    ev, audit = t.CaseEvent, t.AuditEntry
    by_chiefs = dict(s.execute(select(ev.to_state, func.count()).where(ev.actor_kind == "chief")
                               .group_by(ev.to_state)).all())
    assert by_chiefs.get("confirmed", 0) == chiefs["cases_confirmed"] > 0
    assert by_chiefs.get("enforcement_requested", 0) == chiefs["enforcement_requests"] > 0
    assert by_chiefs.get("fixed", 0) == chiefs["fixes_recorded"] > 0
    assert by_chiefs.get("fix_confirmed", 0) == chiefs["fixes_confirmed"] > 0
    # A confirmed case goes on to enforcement, a fix and its confirmation, never back to reported.
    states = dict(s.execute(select(t.Case.state, func.count()).group_by(t.Case.state)).all())
    moved_on = ("confirmed", "enforcement_requested", "fixed", "fix_confirmed")
    assert sum(states.get(state, 0) for state in moved_on) == chiefs["cases_confirmed"]
    assert states.get("fix_confirmed", 0) == chiefs["fixes_confirmed"]
    assert states.get("reported", 0) > 0  # not every case: some wait for next week
    assert s.scalar(select(func.count()).select_from(t.Inspection)) == chiefs["inspections"] > 0
    assert s.scalar(select(func.count()).select_from(t.IntegrityFlag).where(
        t.IntegrityFlag.state.in_(["upheld", "restored"]))) == chiefs["appeals_decided"] > 0
    assert s.scalar(select(func.count()).select_from(t.IntegrityFlag).where(
        t.IntegrityFlag.state == "restored")) == chiefs["restored"]
    assert s.scalar(select(func.count()).select_from(t.IntegrityAction).where(
        t.IntegrityAction.action == "appealed")) == chiefs["appeals_filed"] >= chiefs["appeals_decided"]
    logged = dict(s.execute(select(audit.action, func.count()).group_by(audit.action)).all())
    transitions = sum(by_chiefs.values())
    assert logged.get("case.transition", 0) == transitions
    assert logged.get("inspection.record", 0) == chiefs["inspections"]
    assert logged.get("flag.appeal", 0) == chiefs["appeals_filed"]
    assert logged.get("flag.decision", 0) == chiefs["appeals_decided"]
    roles = dict(s.execute(select(audit.action, func.min(audit.role)).group_by(audit.action)).all())
    assert roles["case.transition"] == roles["inspection.record"] == roles["flag.decision"] == "chief"
    assert roles["flag.appeal"] == "steward"
    # The points they led to: the finders' for confirmed problems and fixes, the lanes' stewards' for 周查.
    pe = t.PointsEntry
    booked = {rule: (int(n), int(p)) for rule, n, p in s.execute(
        select(pe.rule, func.count(), func.sum(pe.points)).where(pe.reverses_id.is_(None)).group_by(pe.rule))}
    for rule, earned in chiefs["points"].items():
        assert booked.get(rule, (0, 0)) == (earned["entries"], earned["points"])
    assert booked[RULE_CASE_CONFIRMED][0] == chiefs["cases_confirmed"]
    assert booked[RULE_CASE_FIX_CONFIRMED][0] == chiefs["fixes_confirmed"]
    assert booked[RULE_LANE_INSPECTION][0] > 0
