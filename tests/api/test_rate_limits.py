"""Each rate limit trips: sign-in per username and per address, refresh per address, writes per account; 429
`rate_limited` with Retry-After and the error body; other callers and reads go on."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import Engine, select

from api.ratelimit import RateLimits
from scoring.storage import tables as t
from tests.api.signin import PASSWORD, Accounts, api

TIGHT = RateLimits(sign_in_per_username="3/minute", sign_in_per_address="5/minute", writes_per_account="2/minute")


def _limited(r: object) -> None:
    assert r.status_code == 429, r.text  # type: ignore[attr-defined]
    assert r.json()["code"] == "rate_limited" and r.json()["detail"]  # type: ignore[attr-defined]
    assert 1 <= int(r.headers["Retry-After"]) <= 60  # type: ignore[attr-defined]


def test_sign_in_is_limited_per_username_before_the_password_is_checked(seeded: Engine) -> None:
    client = api(seeded, rate_limits=TIGHT)
    accounts = Accounts(seeded)
    with seeded.connect() as conn:
        chief = conn.scalar(select(t.Chief.id).order_by(t.Chief.id))
    assert chief is not None
    accounts.chief(chief)  # makes the account
    username = f"chief-chief{chief}"
    for _ in range(3):
        assert client.post("/auth/token", data={"username": username, "password": "guess"}).status_code == 401
    _limited(client.post("/auth/token", data={"username": username, "password": PASSWORD}))  # even the right one
    _limited(client.post("/auth/token", data={"username": f"  {username.upper()} ", "password": PASSWORD}))
    # Another username is its own count (from another address: this one's five are spent).
    other = TestClient(client.app, client=("10.0.0.2", 50000))
    assert other.post("/auth/token", data={"username": "nobody", "password": "guess"}).status_code == 401


def test_sign_in_is_limited_per_address(seeded: Engine) -> None:
    client = api(seeded, rate_limits=TIGHT)
    for i in range(5):
        assert client.post("/auth/token", data={"username": f"user{i}", "password": "guess"}).status_code == 401
    _limited(client.post("/auth/token", data={"username": "user9", "password": "guess"}))
    _limited(client.post("/auth/refresh", json={"refresh_token": "x"}))  # a refresh counts for the address too
    other = TestClient(client.app, client=("10.0.0.2", 50000))
    assert other.post("/auth/token", data={"username": "user9", "password": "guess"}).status_code == 401


def test_writes_are_limited_per_account_and_reads_are_not(seeded: Engine) -> None:
    client = api(seeded, rate_limits=TIGHT)
    accounts = Accounts(seeded)
    with seeded.connect() as conn:
        first, second = conn.scalars(select(t.Steward.id).order_by(t.Steward.id).limit(2)).all()
    mine, theirs = accounts.steward(first), accounts.steward(second)
    report = {"category": "other", "checkpoint_id": 999_999}  # refused on its merits, counted all the same
    for _ in range(2):
        assert client.post("/cases", json=report, headers=mine).status_code != 429
    _limited(client.post("/cases", json=report, headers=mine))
    _limited(client.post("/flags/1/appeal", json={"text": "在巡查"}, headers=mine))  # every write route
    assert client.get("/cases", headers=mine).status_code == 200  # reads are not counted
    assert client.post("/cases", json=report, headers=theirs).status_code != 429  # another account's count


def test_the_tests_clients_trip_no_limit() -> None:
    from api.ratelimit import NO_RATE_LIMITS

    assert not NO_RATE_LIMITS.enabled and RateLimits().enabled  # served with limits on, by default


def test_sign_ups_and_activations_with_no_account_are_limited_per_address(seeded: Engine) -> None:
    client = api(seeded, rate_limits=RateLimits(anonymous_writes_per_address="2/minute"))
    with seeded.connect() as conn:
        lane = conn.scalar(select(t.Lane.id).where(t.Lane.kind == "lane").order_by(t.Lane.id))
    form = {"name": "周桂兰", "phone": "13911112222", "lane_id": lane, "address": "幸福北里17号楼3门201",
            "password": "幸福北里 patrol 2017"}
    assert client.post("/signups", json={**form, "username": "zhou-1"}).status_code == 201
    assert client.post("/auth/activate", json={"username": "nobody", "code": "XXXX-XXXX-XXXX",
                                               "password": "a long enough password"}).status_code != 429
    _limited(client.post("/signups", json={**form, "username": "zhou-2"}))  # spam from one address stops here
    _limited(client.post("/auth/activate", json={"username": "nobody", "code": "XXXX-XXXX-XXXX",
                                                 "password": "a long enough password"}))
    other = TestClient(client.app, client=("10.0.0.2", 50000))
    assert other.post("/signups", json={**form, "username": "zhou-3"}).status_code == 201
