"""报名 through the API, on both stores: a resident signs up online or on paper, the street office decides,
approval makes the steward where they live and their account; and every way it can go wrong."""

from __future__ import annotations

import hashlib
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from scoring.accounts.activation import ACTIVATION_CODE_LIFETIME
from scoring.accounts.roles import Role
from scoring.accounts.store import NewAccount, create_account
from scoring.periods import local_day
from scoring.storage import tables as t
from scoring.storage.engine import session_factory
from tests.api.jurisdiction_world import NOW, World
from tests.api.programme import PASSWORD, Tick, form
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


def sign_in(client: TestClient, username: str, password: str) -> int:
    return client.post("/auth/token", data={"username": username, "password": password}).status_code


def test_an_online_sign_up_approved_makes_the_steward_where_they_live_and_signs_in(
        seeded: Engine, client: TestClient, accounts: Accounts, world: World) -> None:
    r = client.post("/signups", json={**form(world.lane, "wangxiulan"), "password": PASSWORD})
    assert r.status_code == 201
    receipt = r.json()
    assert set(receipt) == {"id", "state", "submitted_at"} and receipt["state"] == "pending"
    with Session(seeded) as s:
        row = s.get(t.Signup, receipt["id"])
        assert row is not None and row.password_hash is not None and row.password_hash.startswith("$argon2id$")
        assert PASSWORD not in " ".join(str(v) for v in vars(row).values())  # never in clear
        assert (row.channel, row.phone, row.subdistrict_id) == ("online", "13812345678", world.subdistrict)
    assert sign_in(client, "wangxiulan", PASSWORD) == 401  # no account before approval

    office = accounts.headers(Role.COORDINATOR, subdistrict_id=world.subdistrict)
    listed = client.get("/signups", params={"state": "pending"}, headers=office).json()
    assert [s["id"] for s in listed] == [receipt["id"]]
    assert listed[0]["name"] == "王秀兰" and "password" not in str(listed[0])
    approved = client.post(f"/signups/{receipt['id']}/approve", headers=office)
    assert approved.status_code == 200
    answer = approved.json()
    assert answer["activation"] is None and answer["username"] == "wangxiulan"
    assert answer["signup"]["state"] == "approved" and answer["signup"]["steward_id"] == answer["steward_id"]

    with Session(seeded) as s:
        steward = s.get(t.Steward, answer["steward_id"])
        lane = s.get(t.Lane, world.lane)
        account = s.get(t.Account, answer["account_id"])
        signup = s.get(t.Signup, receipt["id"])
    assert steward is not None and lane is not None and account is not None and signup is not None
    assert (steward.home_lane_id, steward.subdistrict_id, steward.community_id) == (
        lane.id, lane.subdistrict_id, lane.community_id)  # 按照居住原则分配
    assert (steward.name, steward.phone, steward.party_member) == ("王秀兰", "13812345678", True)
    assert steward.joined_on == local_day(signup.decided_at)  # type: ignore[arg-type]
    assert (account.role, account.steward_id) == ("steward", steward.id)
    assert signup.password_hash is None  # the account has it; the sign-up keeps none

    assert sign_in(client, "wangxiulan", PASSWORD) == 200
    again = client.post(f"/signups/{receipt['id']}/approve", headers=office)
    assert (again.status_code, again.json()["code"]) == (409, "signup_decided")
    assert client.get("/signups", params={"state": "pending"}, headers=office).json() == []

    log = client.get("/audit", headers=office).json()
    mine = [(e["action"], e["role"], e["account_id"]) for e in log if e["subject"] == f"signup:{receipt['id']}"]
    assert mine == [("signup.approve", "coordinator", accounts.principal(Role.COORDINATOR,
                                                                         subdistrict_id=world.subdistrict).account_id),
                    ("signup.submit", "public", None)]
    assert all("王秀兰" not in str(e) and "13812345678" not in str(e) for e in log)  # ids, not people, in the log


def test_a_paper_sign_up_is_activated_once_with_its_code_and_then_signs_in(
        seeded: Engine, client: TestClient, accounts: Accounts, world: World, clock: Tick) -> None:
    station = accounts.headers(Role.STATION_STAFF, subdistrict_id=world.subdistrict)
    entered = client.post("/signups/paper", json=form(world.lane, "liguilan", phone="010-6701 2345"), headers=station)
    assert entered.status_code == 201
    paper = entered.json()
    assert (paper["channel"], paper["phone"]) == ("paper", "010-67012345")
    assert paper["entered_by"] == accounts.principal(Role.STATION_STAFF, subdistrict_id=world.subdistrict).account_id
    office = accounts.headers(Role.COORDINATOR, subdistrict_id=world.subdistrict)
    answer = client.post(f"/signups/{paper['id']}/approve", headers=office).json()
    code = answer["activation"]["code"]
    assert len(code) == 14 and code.count("-") == 2
    with Session(seeded) as s:
        stored = s.scalars(select(t.ActivationCode.code_sha256)).all()
        account = s.get(t.Account, answer["account_id"])
    assert account is not None and account.password_hash is None
    assert stored == [hashlib.sha256(code.replace("-", "").encode()).digest()]  # its digest, not the code
    assert sign_in(client, "liguilan", PASSWORD) == 401  # no password yet: nothing signs in

    def activate(username: str, typed: str) -> tuple[int, str | None]:
        r = client.post("/auth/activate", json={"username": username, "code": typed, "password": PASSWORD})
        return r.status_code, r.json().get("code") if r.status_code != 200 else None

    assert activate("wangxiulan", code) == (422, "activation_refused")  # another's username
    assert activate("liguilan", "ABCD-EFGH-JKLM") == (422, "activation_refused")
    r = client.post("/auth/activate", json={"username": "liguilan", "code": code.lower().replace("-", " "),
                                            "password": PASSWORD})
    assert r.status_code == 200 and r.json()["access_token"]
    me = client.get("/auth/me", headers={"Authorization": f"Bearer {r.json()['access_token']}"}).json()
    assert me["steward_id"] == answer["steward_id"]
    assert activate("liguilan", code) == (422, "activation_refused")  # spent
    assert sign_in(client, "liguilan", PASSWORD) == 200
    again = client.post(f"/signups/{paper['id']}/activation", headers=office)
    assert (again.status_code, again.json()["code"]) == (409, "already_activated")
    actions = [e["action"] for e in client.get("/audit", headers=office).json()]
    assert actions[:3] == ["account.activate", "signup.approve", "signup.enter"]


def test_an_expired_code_is_refused_and_a_new_one_replaces_it(
        client: TestClient, accounts: Accounts, world: World, clock: Tick) -> None:
    office = accounts.headers(Role.COORDINATOR, subdistrict_id=world.subdistrict)
    paper = client.post("/signups/paper", json=form(world.lane, "zhaoguifang"), headers=office).json()
    first = client.post(f"/signups/{paper['id']}/approve", headers=office).json()["activation"]["code"]
    second = client.post(f"/signups/{paper['id']}/activation", headers=office).json()
    assert second["code"] != first
    body = {"username": "zhaoguifang", "password": PASSWORD}
    assert client.post("/auth/activate", json={**body, "code": first}).status_code == 422  # replaced
    clock.now += ACTIVATION_CODE_LIFETIME + timedelta(minutes=1)
    assert client.post("/auth/activate", json={**body, "code": second["code"]}).status_code == 422  # expired
    third = client.post(f"/signups/{paper['id']}/activation",
                        headers=accounts.headers(Role.COORDINATOR, subdistrict_id=world.subdistrict)).json()
    short = client.post("/auth/activate", json={**body, "code": third["code"], "password": "short"})
    assert (short.status_code, short.json()["code"]) == (422, "invalid_request")
    assert client.post("/auth/activate", json={**body, "code": third["code"]}).status_code == 200


def test_a_rejection_says_why_and_is_final(client: TestClient, accounts: Accounts, world: World) -> None:
    office = accounts.headers(Role.COORDINATOR, subdistrict_id=world.subdistrict)
    made = client.post("/signups", json={**form(world.lane, "sunli"), "password": PASSWORD}).json()
    blank = client.post(f"/signups/{made['id']}/reject", json={"reason": "   "}, headers=office)
    assert (blank.status_code, blank.json()["code"]) == (422, "invalid_signup")
    r = client.post(f"/signups/{made['id']}/reject", json={"reason": "不住在本街道"}, headers=office)
    assert r.status_code == 200 and (r.json()["state"], r.json()["reason"]) == ("rejected", "不住在本街道")
    for verb, body in (("approve", None), ("reject", {"reason": "再次"})):
        again = client.post(f"/signups/{made['id']}/{verb}", json=body, headers=office)
        assert (again.status_code, again.json()["code"]) == (409, "signup_decided")
    not_paper = client.post(f"/signups/{made['id']}/activation", headers=office)
    assert (not_paper.status_code, not_paper.json()["code"]) == (409, "signup_decided")
    # A rejected sign-up holds its username no longer: the resident may sign up again.
    assert client.post("/signups", json={**form(world.lane, "sunli"), "password": PASSWORD}).status_code == 201
    assert [s["state"] for s in client.get("/signups", headers=office).json()] == ["rejected", "pending"]
    assert [s["state"] for s in client.get("/signups", params={"state": "rejected"}, headers=office).json()] == \
        ["rejected"]
    assert len(client.get("/signups", params={"limit": 1, "offset": 1}, headers=office).json()) == 1


@pytest.mark.parametrize(("change", "status", "code"), [
    ({"lane_id": 999_999}, 422, "invalid_signup"),  # a lane that does not exist
    ({"phone": "12345"}, 422, "invalid_signup"),
    ({"phone": "12812345678"}, 422, "invalid_signup"),  # no mobile starts 12
    ({"phone": "1" * 30}, 422, "invalid_request"),  # past the form's bound
    ({"name": "   "}, 422, "invalid_signup"),
    ({"name": "王" * 41}, 422, "invalid_request"),
    ({"address": "a" * 201}, 422, "invalid_request"),
    ({"username": "has space"}, 422, "invalid_signup"),
    ({"password": "short"}, 422, "invalid_request"),
    ({"steward_id": 1}, 422, "invalid_request"),  # the body does not choose who anyone is
    ({"name": "nul\x00"}, 422, "invalid_request"),
])
def test_a_form_that_cannot_be_a_sign_up_is_refused(client: TestClient, world: World, change: dict[str, object],
                                                   status: int, code: str) -> None:
    r = client.post("/signups", json={**form(world.lane, "zhoumin"), "password": PASSWORD, **change})
    assert (r.status_code, r.json()["code"]) == (status, code)


def test_a_username_taken_is_refused_on_signing_up_and_on_approval(
        seeded: Engine, client: TestClient, accounts: Accounts, world: World) -> None:
    office = accounts.headers(Role.COORDINATOR, subdistrict_id=world.subdistrict)
    taken = accounts.principal(Role.STEWARD, steward_id=world.steward).username
    r = client.post("/signups", json={**form(world.lane, taken), "password": PASSWORD})
    assert (r.status_code, r.json()["code"]) == (409, "username_taken")
    first = client.post("/signups/paper", json=form(world.lane, "wujing"), headers=office).json()
    r = client.post("/signups", json={**form(world.lane, "wujing"), "password": PASSWORD})  # a pending one has it
    assert (r.status_code, r.json()["code"]) == (409, "username_taken")
    # An account made with the name between the sign-up and its approval.
    with session_factory(seeded).begin() as s:
        create_account(s, NewAccount("wujing", PASSWORD, Role.STEWARD, steward_id=world.other_steward), now=NOW)
    r = client.post(f"/signups/{first['id']}/approve", headers=office)
    assert (r.status_code, r.json()["code"]) == (409, "username_taken")
    with Session(seeded) as s:  # nothing of the failed approval stayed
        assert s.scalar(select(t.Signup.state).where(t.Signup.id == first["id"])) == "pending"
        assert s.scalar(select(t.Steward.id).where(t.Steward.key.like("%signup%"))) is None


def test_an_unknown_sign_up_is_404(client: TestClient, accounts: Accounts, world: World) -> None:
    office = accounts.headers(Role.ADMIN)
    for method, path in (("GET", "/signups/999999"), ("POST", "/signups/999999/approve")):
        r = client.request(method, path, headers=office)
        assert (r.status_code, r.json()["code"]) == (404, "unknown_signup")
