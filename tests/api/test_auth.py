"""Sign-in and who acts: OAuth2's password flow, lock-out, refresh rotation, and every write's actor
taken from the credential, never from the body (the attacks of an outsider with no credentials)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from api.auth import TokenService
from scoring.accounts.errors import InvalidAccountError
from scoring.accounts.roles import Role
from scoring.accounts.store import LOCK_OUT, MAX_FAILED_SIGN_INS, NewAccount, create_account
from scoring.storage import tables as t
from scoring.storage.engine import session_factory
from tests.api.signin import PASSWORD, TOKENS, Accounts, api


@dataclass
class Clock:
    now: datetime = field(default_factory=lambda: datetime(2017, 9, 5, 1, 0, tzinfo=UTC))

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def client(seeded: Engine, clock: Clock) -> TestClient:
    return api(seeded, clock=clock)


def _ids(engine: Engine) -> tuple[int, int, int]:
    """A lane of 龙潭, its chief, and a steward."""
    with Session(engine) as s:
        chief = s.scalars(select(t.Chief).where(t.Chief.lane_id.is_not(None)).order_by(t.Chief.id)).first()
        steward = s.scalar(select(t.Steward.id).order_by(t.Steward.id))
        assert chief is not None and chief.lane_id is not None and steward is not None
        return chief.lane_id, chief.id, steward


def _sign_in(client: TestClient, username: str, password: str) -> dict[str, object]:
    r = client.post("/auth/token", data={"username": username, "password": password})
    return {"status": r.status_code, **r.json()}


def test_a_chief_signs_in_and_is_who_the_token_says(seeded: Engine, client: TestClient) -> None:
    _, chief_id, _ = _ids(seeded)
    Accounts(seeded).principal(Role.CHIEF, chief_id=chief_id)
    pair = _sign_in(client, f"chief-chief{chief_id}", PASSWORD)
    assert pair["status"] == 200 and pair["token_type"] == "bearer" and pair["expires_in"] == 900
    me = client.get("/auth/me", headers={"Authorization": f"Bearer {pair['access_token']}"}).json()
    assert (me["role"], me["chief_id"], me["steward_id"]) == ("chief", chief_id, None)


def test_a_wrong_password_says_nothing_of_which_part_was_wrong(seeded: Engine, client: TestClient) -> None:
    _, chief_id, _ = _ids(seeded)
    Accounts(seeded).principal(Role.CHIEF, chief_id=chief_id)
    wrong_password = client.post("/auth/token", data={"username": f"chief-chief{chief_id}", "password": "guess"})
    no_such_user = client.post("/auth/token", data={"username": "nobody", "password": PASSWORD})
    for r in (wrong_password, no_such_user):
        assert (r.status_code, r.json()) == (401, {"code": "not_signed_in", "detail": "wrong username or password"})
        assert r.headers["WWW-Authenticate"] == "Bearer"


def test_repeated_failures_lock_the_account_for_a_while(seeded: Engine, client: TestClient, clock: Clock) -> None:
    _, chief_id, _ = _ids(seeded)
    Accounts(seeded).principal(Role.CHIEF, chief_id=chief_id)
    username = f"chief-chief{chief_id}"
    for _ in range(MAX_FAILED_SIGN_INS):
        assert _sign_in(client, username, "guess")["status"] == 401
    locked = client.post("/auth/token", data={"username": username, "password": PASSWORD})
    assert (locked.status_code, locked.json()["code"]) == (429, "locked_out")  # even the right password
    assert int(locked.headers["Retry-After"]) > 0
    clock.now += LOCK_OUT + timedelta(seconds=1)
    assert _sign_in(client, username, PASSWORD)["status"] == 200


def test_a_refresh_token_works_once(seeded: Engine, client: TestClient) -> None:
    _, _, steward_id = _ids(seeded)
    Accounts(seeded).principal(Role.STEWARD, steward_id=steward_id)
    pair = _sign_in(client, f"steward-steward{steward_id}", PASSWORD)
    renewed = client.post("/auth/refresh", json={"refresh_token": pair["refresh_token"]})
    assert renewed.status_code == 200 and renewed.json()["refresh_token"] != pair["refresh_token"]
    replayed = client.post("/auth/refresh", json={"refresh_token": pair["refresh_token"]})
    assert (replayed.status_code, replayed.json()["code"]) == (401, "not_signed_in")
    assert client.post("/auth/refresh", json={"refresh_token": renewed.json()["refresh_token"]}).status_code == 200


def test_forged_expired_and_disabled_credentials_are_refused(seeded: Engine, client: TestClient,
                                                             clock: Clock) -> None:
    _, chief_id, _ = _ids(seeded)
    principal = Accounts(seeded).principal(Role.CHIEF, chief_id=chief_id)

    def me(token: str) -> int:
        return client.get("/auth/me", headers={"Authorization": f"Bearer {token}"}).status_code

    assert me(TOKENS.issue(principal, clock.now)) == 200
    assert me(TokenService(b"someone else's secret, also 32 bytes long").issue(principal, clock.now)) == 401
    assert me(TOKENS.issue(principal, clock.now - timedelta(minutes=16))) == 401
    assert me("not.a.token") == 401
    with session_factory(seeded).begin() as s:
        account = s.get(t.Account, principal.account_id)
        assert account is not None
        account.disabled = True
    assert me(TOKENS.issue(principal, clock.now)) == 401  # at once, not when the token expires


# POSTs that change nothing: a credential is checked by whoever holds it, with no account.
PUBLIC_CHECKS = {"/credentials/verify"}
# The one write for people with no account: a resident signing up online (报名), who gets one on approval.
OPEN_WRITES = {"/signups"}


def test_no_write_is_open_to_a_caller_without_credentials(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    writes = [(method, path) for path, ops in spec["paths"].items() for method in ops
              if method == "post" and not path.startswith("/auth/") and path not in PUBLIC_CHECKS | OPEN_WRITES]
    assert len(writes) >= 6 and OPEN_WRITES <= set(spec["paths"])
    for method, path in writes:
        r = client.request(method, re.sub(r"\{[a-z_]+\}", "1", path.replace("{fmt}", "json")), json={})
        if path.startswith("/open311/"):  # GeoReport v2 has no 401: a missing api_key is refused
            assert r.status_code == 403 and r.json()[0]["code"] == 403, path
            continue
        assert (r.status_code, r.json()["code"]) == (401, "not_signed_in"), path


def test_a_transition_is_made_by_the_credential_and_system_only_by_a_service(seeded: Engine,
                                                                             client: TestClient) -> None:
    lane_id, chief_id, steward_id = _ids(seeded)
    accounts = Accounts(seeded)
    case = client.post("/cases", json={"category": "other", "lane_id": lane_id, "position_m": 5},
                       headers=accounts.steward(steward_id)).json()["case"]["id"]
    # The body cannot say who acts: an actor, a chief or a steward id in it is refused outright.
    for forged in ({"actor": "system"}, {"actor": f"chief:{chief_id}"}, {"chief_id": chief_id}):
        r = client.post(f"/cases/{case}/transitions", json={"to": "confirmed", **forged},
                        headers=accounts.steward(steward_id))
        assert r.status_code == 422, forged
    confirmed = client.post(f"/cases/{case}/transitions", json={"to": "confirmed"}, headers=accounts.chief(chief_id))
    assert confirmed.status_code == 200, confirmed.text
    by_service = client.post(f"/cases/{case}/transitions", json={"to": "fixed"}, headers=accounts.service())
    assert by_service.status_code == 200, by_service.text
    events = [(e["to_state"], e["actor"]) for e in by_service.json()["events"]]
    assert events == [("reported", f"steward:{steward_id}"), ("confirmed", f"chief:{chief_id}"), ("fixed", "system")]


def test_an_account_is_one_of_its_role(seeded: Engine) -> None:
    _, chief_id, steward_id = _ids(seeded)
    now = datetime.now(UTC)
    bad = [
        NewAccount("a", PASSWORD, Role.CHIEF),  # a chief account names its chief
        NewAccount("b", PASSWORD, Role.STEWARD, chief_id=chief_id),  # and nothing else
        NewAccount("c", PASSWORD, Role.STEWARD, steward_id=999_999),  # who exists
        NewAccount("d", "short", Role.STEWARD, steward_id=steward_id),
        NewAccount("with space", PASSWORD, Role.ADMIN),
    ]
    with session_factory(seeded)() as s:
        for new in bad:
            with pytest.raises(InvalidAccountError):
                create_account(s, new, now=now)
        create_account(s, NewAccount("e", PASSWORD, Role.STEWARD, steward_id=steward_id), now=now)
        with pytest.raises(InvalidAccountError, match="has an account already"):
            create_account(s, NewAccount("f", PASSWORD, Role.STEWARD, steward_id=steward_id), now=now)
        with pytest.raises(InvalidAccountError, match="taken"):
            create_account(s, NewAccount("e", PASSWORD, Role.ADMIN), now=now)
        stored = s.scalar(select(t.Account.password_hash).where(t.Account.username == "e"))
    assert stored is not None and stored.startswith("$argon2id$") and PASSWORD not in stored
