"""认领 and 名片 through the API, on both stores: claim, refuse a taken segment without naming its holder,
release, hand on, read the history, the race of two claims, the team they make, and the card."""

from __future__ import annotations

import re
import threading

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from scoring.accounts.roles import Role
from scoring.storage import tables as t
from tests.api.jurisdiction_world import NOW, World
from tests.api.programme import PASSWORD, Tick, form, free_segment, open_claim
from tests.api.signin import Accounts, api


@pytest.fixture
def clock() -> Tick:
    return Tick(NOW)


@pytest.fixture
def client(seeded: Engine, clock: Tick) -> TestClient:
    return api(seeded, clock=clock)


@pytest.fixture
def accounts(seeded: Engine, clock: Tick) -> Accounts:
    return Accounts(seeded, clock)


def test_claim_refuse_release_and_hand_on(seeded: Engine, client: TestClient, accounts: Accounts,
                                          world: World) -> None:
    seg = free_segment(seeded, world.subdistrict)
    r = client.post("/claims", json={"segment_id": seg}, headers=accounts.steward(world.steward))
    assert r.status_code == 201
    opened = r.json()["opened"]
    assert (opened["steward_id"], opened["segment_id"], opened["valid_to"]) == (world.steward, seg, None)
    assert r.json()["ended"] is None

    taken = client.post("/claims", json={"segment_id": seg}, headers=accounts.steward(world.other_steward))
    assert (taken.status_code, taken.json()["code"]) == (409, "segment_claimed")
    with Session(seeded) as s:
        holder = s.scalar(select(t.Steward.name).where(t.Steward.id == world.steward))
    assert holder is not None and holder not in taken.text
    assert re.findall(r"\d+", taken.json()["detail"]) == [str(seg)]  # the segment's id, and no one's

    with Session(seeded) as s:
        lane = s.scalar(select(t.Segment.lane_id).where(t.Segment.id == seg))
        chief = s.scalar(select(t.Chief.id).where(t.Chief.lane_id == lane).order_by(t.Chief.id))
    assert chief is not None
    handed = client.post(f"/claims/{opened['id']}/transfer", json={"steward_id": world.other_steward},
                         headers=accounts.chief(chief))
    assert handed.status_code == 200
    ended, new = handed.json()["ended"], handed.json()["opened"]
    assert ended["id"] == opened["id"] and ended["valid_to"] == new["valid_from"]
    assert new["steward_id"] == world.other_steward
    gone = client.post(f"/claims/{opened['id']}/release", headers=accounts.steward(world.steward))
    assert (gone.status_code, gone.json()["code"]) == (409, "claim_ended")
    released = client.post(f"/claims/{new['id']}/release", headers=accounts.steward(world.other_steward))
    assert released.status_code == 200 and released.json()["ended"]["valid_to"] is not None
    missing = client.post("/claims/999999/release", headers=accounts.steward(world.steward))
    assert (missing.status_code, missing.json()["code"]) == (404, "unknown_claim")
    unknown = client.post("/claims", json={"segment_id": 999_999}, headers=accounts.steward(world.steward))
    assert (unknown.status_code, unknown.json()["code"]) == (404, "not_found")
    wrong = client.post("/claims", json={"segment_id": seg, "steward_id": world.other_steward},
                        headers=accounts.steward(world.steward))
    assert wrong.status_code == 422  # the credential says who claims, never the body

    office = accounts.headers(Role.COORDINATOR, subdistrict_id=world.subdistrict)
    history = client.get(f"/segments/{seg}/claims", headers=office).json()
    assert [(c["steward_id"], c["valid_to"] is None) for c in history] == [(world.steward, False),
                                                                           (world.other_steward, False)]
    assert history[0]["valid_to"] == history[1]["valid_from"]
    assert client.get(f"/segments/{seg}/claims", params={"limit": 1, "offset": 1}, headers=office).json() == \
        history[1:]
    mine = client.get(f"/stewards/{world.other_steward}/claims", headers=accounts.steward(world.other_steward))
    assert history[1] in mine.json()

    log = [(e["action"], e["subject"], e["before"], e["after"]) for e in client.get("/audit", headers=office).json()
           if e["subject"] == f"segment:{seg}"]
    assert [action for action, *_ in log] == ["claim.release", "claim.transfer", "claim.open"]
    _, _, before, after = log[1]
    assert (before["claim_id"], before["valid_to"]) == (opened["id"], None)  # as it stood
    assert (after["claim_id"], after["steward_id"]) == (new["id"], world.other_steward)


def test_two_stewards_racing_for_one_segment_exactly_one_wins(seeded: Engine, clock: Tick, world: World) -> None:
    accounts = Accounts(seeded, clock)
    headers = {who: accounts.steward(who) for who in (world.steward, world.other_steward)}
    app = api(seeded, clock=clock).app
    # One claim and its release first: pydantic builds a route's schemas on first use, and two threads
    # building them at once trip over each other (its race, not ours).
    warm = TestClient(app)
    first = warm.post("/claims", json={"segment_id": free_segment(seeded, world.subdistrict)},
                      headers=headers[world.steward]).json()
    assert warm.post(f"/claims/{first['opened']['id']}/release", headers=headers[world.steward]).status_code == 200
    seg = free_segment(seeded, world.subdistrict)
    start = threading.Barrier(2)
    answers: dict[int, tuple[int, str | None]] = {}

    def claim(who: int) -> None:
        client = TestClient(app)  # a client each: two requests at once, as two phones
        start.wait()
        r = client.post("/claims", json={"segment_id": seg}, headers=headers[who])
        answers[who] = (r.status_code, r.json().get("code"))

    threads = [threading.Thread(target=claim, args=(who,)) for who in headers]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert sorted(answers.values(), key=str) == [(201, None), (409, "segment_claimed")]
    winner = next(who for who, (status, _) in answers.items() if status == 201)
    found = open_claim(seeded, seg)
    assert found is not None and found[1] == winner


def test_the_third_claimant_on_a_lane_forms_its_team_and_the_log_says_so(
        seeded: Engine, client: TestClient, accounts: Accounts, world: World) -> None:
    with Session(seeded) as s:
        claimed = select(t.Segment.lane_id).join(t.Claim, t.Claim.segment_id == t.Segment.id)
        lane = s.scalars(select(t.Segment.lane_id).join(t.Lane).where(
            t.Lane.subdistrict_id == world.subdistrict, t.Segment.lane_id.not_in(claimed))
            .group_by(t.Segment.lane_id).having(func.count() >= 3).order_by(t.Segment.lane_id)).first()
        stewards = list(s.scalars(select(t.Steward.id).where(t.Steward.subdistrict_id == world.subdistrict)
                                  .order_by(t.Steward.id).limit(3)))
    assert lane is not None
    answers = []
    for who in stewards:
        seg = free_segment(seeded, world.subdistrict, lane_id=lane)
        answers.append(client.post("/claims", json={"segment_id": seg}, headers=accounts.steward(who)).json())
    assert [a["team"]["formed"] for a in answers] == [False, False, True]
    team = answers[-1]["team"]
    assert team["joined"] == sorted(stewards) and team["team_id"] is not None
    teams = {x["id"]: x for x in client.get("/registry/teams").json()}
    assert (teams[team["team_id"]]["members"], teams[team["team_id"]]["dissolved_at"]) == (3, None)
    assert client.get(f"/registry/lanes/{lane}").json()["team_id"] == team["team_id"]

    release = client.post(f"/claims/{answers[0]['opened']['id']}/release", headers=accounts.steward(stewards[0]))
    assert release.json()["team"]["dissolved"] is True
    teams = {x["id"]: x for x in client.get("/registry/teams").json()}
    assert teams[team["team_id"]]["dissolved_at"] is not None and teams[team["team_id"]]["members"] == 0
    assert client.get(f"/registry/lanes/{lane}").json()["team_id"] is None
    office = accounts.headers(Role.COORDINATOR, subdistrict_id=world.subdistrict)
    log = [(e["action"], e["before"], e["after"]) for e in client.get("/audit", headers=office).json()
           if e["subject"] == f"team:{team['team_id']}"]
    assert log == [("team.dissolve", {"members": sorted(stewards)}, {"members": []}),
                   ("team.form", {"members": []}, {"members": sorted(stewards)})]


def test_the_card_shows_name_phone_lanes_and_team(seeded: Engine, client: TestClient, accounts: Accounts,
                                                  world: World) -> None:
    with Session(seeded) as s:
        han = s.scalars(select(t.Steward).where(t.Steward.name == "韩险峰")).one()
    card = client.get(f"/stewards/{han.id}/card", headers=accounts.steward(han.id))
    assert card.status_code == 200
    body = card.json()
    assert (body["title"], body["name"], body["phone"], body["community"]) == ("小巷管家", "韩险峰", None, "幸福社区")
    assert [lane["name"] for lane in body["lanes"]] == ["幸福北里"]
    assert [seg["name"] for seg in body["lanes"][0]["segments"]] == ["17号楼北侧路"]
    assert [team["name"] for team in body["teams"]] == ["幸福北里小巷管家团"]

    # A steward of 报名 carries the phone of their form, and holds no segment until they claim one.
    office = accounts.headers(Role.COORDINATOR, subdistrict_id=world.subdistrict)
    made = client.post("/signups", json={**form(world.lane, "qianhong", phone="139-0000-1111"),
                                         "password": PASSWORD}).json()
    steward = client.post(f"/signups/{made['id']}/approve", headers=office).json()["steward_id"]
    card = client.get(f"/stewards/{steward}/card", headers=office).json()
    assert (card["phone"], card["lanes"], card["teams"]) == ("13900001111", [], [])
    token = client.post("/auth/token", data={"username": "qianhong", "password": PASSWORD}).json()["access_token"]
    seg = free_segment(seeded, world.subdistrict)
    assert client.post("/claims", json={"segment_id": seg},
                       headers={"Authorization": f"Bearer {token}"}).status_code == 201
    assert [s["id"] for lane in client.get(f"/stewards/{steward}/card", headers=office).json()["lanes"]
            for s in lane["segments"]] == [seg]
    assert client.get("/stewards/999999/card", headers=office).status_code == 404
