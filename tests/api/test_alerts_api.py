"""Patrol alerts over HTTP: a lane chief lists a day's alerts and acknowledges one, on both stores."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import Engine, select

from scoring.ingest import IngestStore
from scoring.patrol_alerts import raise_patrol_alerts
from scoring.rulebook import OutboxNotifier
from scoring.scorer import score_pending
from scoring.seed.dataset import Dataset
from scoring.storage import tables as t
from tests.api.signin import Accounts, api
from tests.scoring.checkins import Recorder, at, patroller

WORKDAY = date(2017, 6, 7)
NOW = datetime(2017, 6, 8, 1, tzinfo=UTC)


def test_a_lane_chief_sees_the_missed_evening_patrol_and_acknowledges_it(seeded: Engine, longtan: Dataset) -> None:
    han = patroller(seeded, longtan, "韩险峰")
    IngestStore(seeded).commit(Recorder().walk(han, at(WORKDAY, 7)), [], received_at=NOW)
    score_pending(seeded)
    raise_patrol_alerts(seeded, None, WORKDAY, notifier=OutboxNotifier(), clock=lambda: NOW)
    with seeded.connect() as conn:
        lane_id = conn.scalar(select(t.Segment.lane_id).join(t.Checkpoint).where(t.Checkpoint.id == han.checkpoints[0]))
        chief = conn.scalar(select(t.Chief.id).where(t.Chief.lane_id == lane_id).order_by(t.Chief.id).limit(1))
        stranger = conn.scalar(select(t.Chief.id).where(t.Chief.lane_id != lane_id).limit(1))
    assert chief is not None and stranger is not None
    client = api(seeded, clock=lambda: NOW)
    accounts = Accounts(seeded, lambda: NOW)

    assert client.get(f"/lanes/{lane_id}/alerts").status_code == 401
    assert client.get(f"/lanes/{lane_id}/alerts", headers=accounts.chief(stranger)).status_code == 403
    assert client.get(f"/lanes/{lane_id}/alerts", headers=accounts.steward(han.steward_id)).status_code == 403
    client.headers.update(accounts.chief(chief))  # the lane's chief reads his inbox from here on
    listed = client.get(f"/lanes/{lane_id}/alerts", params={"day": WORKDAY.isoformat()})
    assert listed.status_code == 200
    (alert,) = [a for a in listed.json() if a["steward_id"] == han.steward_id]
    assert (alert["kind"], alert["kind_label"], alert["window"], alert["window_label"]) == (
        "missed", "未巡", "evening", "晚巡")
    assert alert["steward_name"] == "韩险峰" and chief in alert["chief_ids"] and alert["acknowledged_at"] is None
    assert alert["day"] == WORKDAY.isoformat() and alert["message_zh"].startswith("小巷管家")
    assert client.get(f"/lanes/{lane_id}/alerts", params={"day": "2017-06-08"}).json() == []
    assert client.get("/lanes/999999/alerts").status_code == 404
    assert client.get(f"/lanes/{lane_id}/alerts", params={"day": "not-a-day"}).status_code == 422

    assert client.post(f"/alerts/{alert['id']}/acknowledge", headers=accounts.chief(stranger)).status_code == 403
    assert api(seeded, clock=lambda: NOW).post(f"/alerts/{alert['id']}/acknowledge").status_code == 401
    assert client.post("/alerts/987654/acknowledge", headers=accounts.chief(chief)).status_code == 404
    done = client.post(f"/alerts/{alert['id']}/acknowledge", headers=accounts.chief(chief))
    assert done.status_code == 200 and done.json()["acknowledged_by"] == chief
    assert datetime.fromisoformat(done.json()["acknowledged_at"]) == NOW

    open_ids = {a["id"] for a in client.get(f"/lanes/{lane_id}/alerts").json()}
    assert alert["id"] not in open_ids
    (again,) = [a for a in client.get(f"/lanes/{lane_id}/alerts", params={"day": WORKDAY.isoformat()}).json()
                if a["id"] == alert["id"]]
    assert again["acknowledged_by"] == chief
