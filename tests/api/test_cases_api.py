"""工作台账 and 周查 over HTTP, on both stores: report, join, list, move a case on; record and list inspections."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, Select, select
from sqlalchemy.orm import Session

from scoring.accounts.roles import Role
from scoring.inspections import default_checklist
from scoring.storage import tables as t
from tests.api.signin import Accounts, api

BJ = timezone(timedelta(hours=8))


@dataclass
class Clock:
    now: datetime = field(default_factory=lambda: datetime(2017, 9, 5, 9, 0, tzinfo=BJ))

    def __call__(self) -> datetime:
        return self.now

    def advance(self, hours: float) -> None:
        self.now += timedelta(hours=hours)


@dataclass(frozen=True)
class Ids:
    lane: int
    chief: int
    zhao: int
    han: int
    checkpoint: int
    beili: int
    beili_chief: int


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def client(seeded: Engine, clock: Clock) -> TestClient:
    return api(seeded, clock=clock)


@pytest.fixture
def accounts(seeded: Engine, clock: Clock) -> Accounts:
    return Accounts(seeded, clock)


@pytest.fixture
def ids(seeded: Engine) -> Ids:
    with Session(seeded) as s:
        def one(query: Select[int]) -> int:
            found = s.scalar(query)
            assert found is not None, query
            return found

        lane = one(select(t.Lane.id).where(t.Lane.name == "福光路"))
        beili = one(select(t.Lane.id).where(t.Lane.name == "幸福北里"))
        return Ids(
            lane=lane,
            chief=one(select(t.Chief.id).where(t.Chief.name == "梁金荣")),
            zhao=one(select(t.Steward.id).where(t.Steward.name == "赵云华")),
            han=one(select(t.Steward.id).where(t.Steward.name == "韩险峰")),
            checkpoint=one(select(t.Checkpoint.id).join(t.Segment).where(t.Segment.lane_id == lane)
                           .order_by(t.Segment.id, t.Checkpoint.position_m).limit(1)),
            beili=beili,
            beili_chief=one(select(t.Chief.id).where(t.Chief.lane_id == beili)),
        )


def test_a_case_round_trip(client: TestClient, seeded: Engine, ids: Ids, clock: Clock, accounts: Accounts) -> None:
    first = client.post("/cases", json={"category": "wall_opening", "checkpoint_id": ids.checkpoint,
                                        "photo_ref": "photos/fuguang-17.jpg", "note": "新开门洞"},
                        headers=accounts.steward(ids.zhao))
    assert first.status_code == 201, first.text
    body = first.json()
    case_id = body["case"]["id"]
    assert body["opened"] is True
    assert (body["case"]["category_label"], body["case"]["state"], body["case"]["state_label"]) == (
        "开墙打洞", "reported", "已上报")
    assert body["case"]["position_m"] == pytest.approx(35.5) and body["case"]["lane_id"] == ids.lane

    clock.advance(1)
    joined = client.post("/cases", json={"category": "wall_opening", "lane_id": ids.lane, "position_m": 50},
                         headers=accounts.steward(ids.han)).json()
    assert joined["opened"] is False and joined["case"]["id"] == case_id and joined["case"]["report_count"] == 2

    chief = f"chief:{ids.chief}"
    for to, note in (("confirmed", "核实属实"), ("enforcement_requested", "执法申请单已提交"), ("fixed", "已封堵"),
                     ("fix_confirmed", "任务完成确认")):
        clock.advance(24)
        r = client.post(f"/cases/{case_id}/transitions", json={"to": to, "note": note},
                        headers=accounts.chief(ids.chief))
        assert r.status_code == 200, r.text
    detail = client.get(f"/cases/{case_id}", headers=accounts.chief(ids.chief)).json()
    assert detail["state"] == "fix_confirmed" and detail["state_label"] == "已确认完成"
    assert [(e["from_state"], e["to_state"], e["actor"]) for e in detail["events"]] == [
        (None, "reported", f"steward:{ids.zhao}"), ("reported", "confirmed", chief),
        ("confirmed", "enforcement_requested", chief), ("enforcement_requested", "fixed", chief),
        ("fixed", "fix_confirmed", chief),
    ]
    assert [r["steward_id"] for r in detail["reports"]] == [ids.zhao, ids.han]
    assert detail["events"][-1]["note"] == "任务完成确认"
    assert detail["events"][-1]["at"] == "2017-09-09T02:00:00Z"  # 09:00 Beijing (01:00 UTC), an hour and four days on

    other = client.post("/cases", json={"category": "piled_materials", "lane_id": ids.lane, "position_m": 200},
                        headers=accounts.steward(ids.han)).json()["case"]["id"]
    with Session(seeded) as s:
        subdistrict = s.scalar(select(t.Lane.subdistrict_id).where(t.Lane.id == ids.lane))
    assert subdistrict is not None
    coordinator = accounts.headers(Role.COORDINATOR, subdistrict_id=subdistrict)

    def listed(headers: dict[str, str] = coordinator, **p: str | int | bool) -> list[int]:
        return [c["id"] for c in client.get("/cases", params=p, headers=headers).json()]

    assert listed() == [case_id, other]
    assert listed(accounts.chief(ids.beili_chief)) == []  # another lane's chief sees none of these
    assert listed(accounts.steward(ids.zhao)) == [case_id]  # a steward, the cases they reported
    assert client.get(f"/cases/{other}", headers=accounts.steward(ids.zhao)).status_code == 403
    assert client.get(f"/cases/{case_id}", headers=accounts.chief(ids.beili_chief)).status_code == 403
    assert client.get("/cases").status_code == 401
    assert listed(lane=ids.lane, state="reported") == [other]
    assert listed(state="fix_confirmed") == [case_id]
    assert listed(open_only=True) == [other]
    assert listed(lane=ids.beili) == []


BAD_TRANSITIONS = [  # (body, who asks: a steward or chief field of Ids, or None for nobody signed in)
    ({"to": "fix_confirmed"}, "chief", 409, "can become"),
    ({"to": "confirmed"}, "zhao", 403, "only a chief"),
    ({"to": "confirmed"}, "beili_chief", 403, "is not a chief of lane"),
    ({"to": "confirmed"}, None, 401, "sign in first"),
    ({"to": "confirmed", "actor": "chief:{chief}"}, "zhao", 422, "extra"),  # the body names no actor
    ({"to": "duplicate"}, "chief", 422, "duplicate_of"),
    ({"to": "resolved"}, "chief", 422, "enum"),
]


def test_bad_transitions_get_clear_errors_and_change_nothing(client: TestClient, ids: Ids, accounts: Accounts) -> None:
    case_id = client.post("/cases", json={"category": "other", "lane_id": ids.lane, "position_m": 10},
                          headers=accounts.steward(ids.zhao)).json()["case"]["id"]
    for body, who, status, message in BAD_TRANSITIONS:
        body = {k: v.format(**ids.__dict__) for k, v in body.items()}
        if who is None:
            headers = {}
        elif who.endswith("chief"):
            headers = accounts.chief(getattr(ids, who))
        else:
            headers = accounts.steward(getattr(ids, who))
        r = client.post(f"/cases/{case_id}/transitions", json=body, headers=headers)
        assert (r.status_code, message in str(r.json()["detail"])) == (status, True), (body, who, r.text)
    detail = client.get(f"/cases/{case_id}", headers=accounts.steward(ids.zhao)).json()
    assert detail["state"] == "reported" and len(detail["events"]) == 1


BAD_CASE_REQUESTS = [
    ("get", "/cases/999999", None, 404),
    ("post", "/cases/999999/transitions", {"to": "confirmed"}, 404),
    ("post", "/cases", {"category": "other"}, 422),
    ("post", "/cases", {"category": "fly_tipping", "lane_id": 1, "position_m": 1}, 422),
    ("post", "/cases", {"steward_id": 999999, "category": "other", "lane_id": 1, "position_m": 1}, 422),
    ("post", "/cases", {"category": "other", "checkpoint_id": 999999}, 422),
    ("post", "/cases", {"category": "other", "lane_id": 1, "position_m": -3}, 422),
    ("get", "/cases?limit=0", None, 422),
]


def test_bad_case_requests_get_clear_errors(client: TestClient, ids: Ids, accounts: Accounts) -> None:
    for method, path, body, status in BAD_CASE_REQUESTS:
        headers = accounts.chief(ids.chief) if path.endswith("transitions") else accounts.steward(ids.zhao)
        r = client.request(method, path, json=body, headers=headers)
        assert r.status_code == status, (method, path, body)
        assert r.json()["detail"]
    assert client.get("/cases", headers=accounts.chief(ids.chief)).json() == []


def _items(failed: tuple[str, ...] = ()) -> list[dict[str, Any]]:
    return [{"code": i.code, "passed": i.code not in failed, "note": "未整改" if i.code in failed else ""}
            for i in default_checklist().items]


def test_an_inspection_round_trip(client: TestClient, ids: Ids, clock: Clock, accounts: Accounts) -> None:
    checklist = client.get("/inspections/checklist").json()
    assert checklist["name"] == "十有十无" and len(checklist["items"]) == 20
    assert {i["kind_label"] for i in checklist["items"]} == {"有", "无"}

    chief = accounts.chief(ids.beili_chief)
    r = client.post("/inspections", json={"lane_id": ids.beili, "items": _items(("W10",)), "note": "17号楼北侧有堆物"},
                    headers=chief)
    assert r.status_code == 201, r.text
    recorded = r.json()
    assert (recorded["score"], recorded["items_passed"], recorded["week"]) == (95.0, 19, "2017-W36")
    assert recorded["checklist_version"] == checklist["version"]

    again = client.post("/inspections", json={"lane_id": ids.beili, "items": _items()}, headers=chief)
    assert again.status_code == 409 and "one 周查 per lane per week" in again.json()["detail"]
    clock.advance(24 * 7)
    assert client.post("/inspections", json={"lane_id": ids.beili, "items": _items()}, headers=chief).status_code == 401
    chief = accounts.chief(ids.beili_chief)  # a week on, yesterday's token has expired: a fresh one
    late = client.post("/inspections", json={"lane_id": ids.beili, "items": _items(),
                                             "inspected_at": "2017-09-11T10:00:00+08:00"}, headers=chief)
    assert late.status_code == 201 and late.json()["score"] == 100.0

    listed = client.get(f"/lanes/{ids.beili}/inspections", headers=chief).json()
    assert [(i["week"], i["score"]) for i in listed] == [("2017-W36", 95.0), ("2017-W37", 100.0)]
    assert [i["code"] for i in listed[0]["items"] if not i["passed"]] == ["W10"]
    assert client.get(f"/lanes/{ids.lane}/inspections", headers=accounts.service()).json() == []
    assert client.get(f"/lanes/{ids.beili}/inspections").status_code == 401  # the chiefs' and offices' record


def test_bad_inspections_get_clear_errors(client: TestClient, ids: Ids, accounts: Accounts) -> None:
    good: dict[str, Any] = {"lane_id": ids.beili, "items": _items()}
    wrong_chief = client.post("/inspections", json=good, headers=accounts.chief(ids.chief))
    assert wrong_chief.status_code == 403 and "is not a chief of lane" in wrong_chief.json()["detail"]
    assert client.post("/inspections", json=good).status_code == 401
    steward = client.post("/inspections", json=good, headers=accounts.steward(ids.zhao))
    assert steward.status_code == 403 and "only a lane or street chief" in steward.json()["detail"]
    bad: list[tuple[dict[str, Any], int, str]] = [
        ({"chief_id": ids.beili_chief}, 422, "extra"),  # the chief is the credential's, not the body's
        ({"items": _items()[1:]}, 422, "missing items"),
        ({"lane_id": 999999}, 422, "lane 999999"),
        ({"inspected_at": "2017-09-06T09:00:00+08:00"}, 422, "in the future"),
        ({"inspected_at": "2017-09-05T09:00:00"}, 422, "zone offset"),
    ]
    for change, status, message in bad:
        r = client.post("/inspections", json={**good, **change}, headers=accounts.chief(ids.beili_chief))
        assert (r.status_code, message in str(r.json()["detail"])) == (status, True), change
    office = accounts.service()
    assert client.get(f"/lanes/{ids.beili}/inspections", headers=office).json() == []
    assert client.get("/lanes/999999/inspections", headers=office).status_code == 404
