"""Flags, appeals, decisions and explanations over HTTP, on both stores."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import Engine, select

from scoring.ingest import IngestStore
from scoring.ledger.explanations import explain_period
from scoring.periods import parse_period
from scoring.scorer import score_pending
from scoring.seed.dataset import Dataset
from scoring.storage import tables as t
from scoring.storage.engine import session_factory
from tests.api.signin import Accounts, api
from tests.scoring.checkins import Recorder, at, patroller

DAY = date(2017, 5, 16)
NOW = datetime(2017, 5, 17, 9, tzinfo=UTC)


def test_a_steward_sees_a_flag_appeals_and_a_chief_restores_it(seeded: Engine, longtan: Dataset) -> None:
    zhao = patroller(seeded, longtan, "赵云华")
    rec = Recorder()
    storm = [rec.row(zhao, at(DAY, 7) + timedelta(seconds=2 * i), zhao.segments[0][0]) for i in range(12)]
    IngestStore(seeded).commit(storm, [], received_at=NOW)
    score_pending(seeded)
    with seeded.connect() as conn:
        chief = conn.scalar(select(t.Chief.id).join(t.Subdistrict).where(t.Subdistrict.name == "龙潭街道").limit(1))
    client = api(seeded, clock=lambda: NOW)
    accounts = Accounts(seeded, lambda: NOW)

    assert client.get(f"/stewards/{zhao.steward_id}/flags").status_code == 401
    assert client.get(f"/stewards/{zhao.steward_id}/flags",
                      headers=accounts.steward(zhao.steward_id + 1)).status_code == 403
    (flag,) = client.get(f"/stewards/{zhao.steward_id}/flags", headers=accounts.steward(zhao.steward_id)).json()
    assert flag["kind"] == "scan_storm" and flag["state"] == "open" and flag["withholds"] is True
    assert len(flag["visit_keys"]) == 12 and flag["reason_zh"]
    assert client.get("/stewards/999999/flags", headers=accounts.steward(zhao.steward_id)).status_code == 404

    may = {"period": "month", "label": "2017-05"}
    explained = client.get(f"/stewards/{zhao.steward_id}/explanation", params=may,
                           headers=accounts.steward(zhao.steward_id)).json()
    assert explained["total"] == 0 and len(explained["set_aside"]) == 12
    assert explained["set_aside"][0]["flag_id"] == flag["id"]

    zhao_signed_in, chief_signed_in = accounts.steward(zhao.steward_id), accounts.chief(chief)
    wrong = client.post(f"/flags/{flag['id']}/appeal", json={"text": "x"},
                        headers=accounts.steward(zhao.steward_id + 1))
    assert wrong.status_code == 403
    assert client.post(f"/flags/{flag['id']}/appeal", json={"text": "x"}).status_code == 401
    # Nobody decides their own appeal: a steward is no chief, whatever the body says.
    upheld_by_steward = client.post(f"/flags/{flag['id']}/decision", json={"restore": True},
                                    headers=zhao_signed_in)
    assert upheld_by_steward.status_code == 403
    appealed = client.post(f"/flags/{flag['id']}/appeal", json={"text": "原地劝阻,手环反复感应"},
                           headers=zhao_signed_in)
    assert appealed.status_code == 200 and appealed.json()["actions"][-1]["action"] == "appealed"
    decided = client.post(f"/flags/{flag['id']}/decision", json={"restore": True, "note": "属实"},
                          headers=chief_signed_in)
    assert decided.status_code == 200 and decided.json()["state"] == "restored"
    again = client.post(f"/flags/{flag['id']}/decision", json={"restore": False}, headers=chief_signed_in)
    assert again.status_code == 409
    assert client.post("/flags/424242/appeal", json={"text": "x"}, headers=zhao_signed_in).status_code == 404

    score_pending(seeded)
    explained = client.get(f"/stewards/{zhao.steward_id}/explanation", params=may,
                           headers=zhao_signed_in).json()
    assert explained["total"] == 1 and explained["set_aside"] == []
    assert explained["entries"][0]["evidence"] == [f"{zhao.band_id}/0/1"]
    assert explained["lines"][0].startswith("赵云华")
    assert client.get("/stewards/999999/explanation", params=may, headers=zhao_signed_in).status_code == 404


def test_the_explanation_over_http_is_the_cli_one_with_its_lines(seeded: Engine, longtan: Dataset) -> None:
    zhao = patroller(seeded, longtan, "赵云华")
    rec = Recorder()
    storm = [rec.row(zhao, at(DAY, 8) + timedelta(seconds=2 * i), zhao.segments[0][0]) for i in range(12)]
    IngestStore(seeded).commit(rec.walk(zhao, at(DAY, 7)) + storm, [], received_at=NOW)
    score_pending(seeded)
    with session_factory(seeded)() as session:
        expected = explain_period(session, zhao.steward_id, parse_period("month", "2017-05"))
    client = api(seeded, clock=lambda: NOW)
    body = client.get(f"/stewards/{zhao.steward_id}/explanation", params={"period": "month", "label": "2017-05"},
                      headers=Accounts(seeded, lambda: NOW).steward(zhao.steward_id)).json()
    assert expected.entries and expected.set_aside
    assert body == json.loads(json.dumps({**expected.as_dict(), "lines": expected.lines()}, default=str))
