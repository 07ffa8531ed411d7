"""API keys on both stores: issued with their secret once, listed without it, stored as a digest,
revoked at once, bounded per account, and every change in the audit log."""

from __future__ import annotations

import hashlib

from sqlalchemy import Engine, select, update
from sqlalchemy.orm import Session

from scoring.accounts.api_keys import LIVE_KEYS_MAX
from scoring.accounts.roles import Role
from scoring.storage import tables as t
from tests.api.jurisdiction_world import NOW
from tests.api.open311_kit import fuguang
from tests.api.signin import Accounts, api


def test_a_key_is_shown_once_stored_as_a_digest_and_revoked_at_once(seeded: Engine) -> None:
    client, accounts = api(seeded, clock=lambda: NOW), Accounts(seeded, lambda: NOW)
    zhao = fuguang(seeded).zhao
    holder = accounts.principal(Role.STEWARD, steward_id=zhao)
    made = client.post(f"/accounts/{holder.account_id}/api-keys", json={"label": " 随手拍 "},
                       headers=accounts.steward(zhao))
    assert made.status_code == 201, made.text
    body = made.json()
    secret = body.pop("api_key")
    assert secret.startswith("lsk_") and len(secret) > 40 and body["prefix"] == secret[:12]
    assert body | {"id": 0} == {"id": 0, "account_id": holder.account_id, "label": "随手拍", "prefix": secret[:12],
                                "issued_at": "2017-09-30T04:00:00Z", "issued_by": holder.account_id,
                                "revoked_at": None}
    listed = client.get(f"/accounts/{holder.account_id}/api-keys", headers=accounts.steward(zhao)).json()
    assert listed == [body] and "api_key" not in listed[0]
    with Session(seeded) as s:
        row = s.scalars(select(t.ApiKey)).one()
        assert row.key_sha256 == hashlib.sha256(secret.encode()).digest()
        assert secret not in repr([getattr(row, c.key) for c in t.ApiKey.__table__.columns])

    reads = {"jurisdiction_id": "longtan", "api_key": secret}
    assert client.get("/open311/requests.json", params=reads).status_code == 200
    revoked = client.delete(f"/accounts/{holder.account_id}/api-keys/{body['id']}", headers=accounts.steward(zhao))
    assert revoked.status_code == 200 and revoked.json()["revoked_at"] == "2017-09-30T04:00:00Z"
    assert client.get("/open311/requests.json", params=reads).status_code == 403
    again = client.delete(f"/accounts/{holder.account_id}/api-keys/{body['id']}", headers=accounts.steward(zhao))
    assert again.json() == revoked.json()  # revoking twice changes nothing

    with Session(seeded) as s:
        log = s.execute(select(t.AuditEntry.account_id, t.AuditEntry.action, t.AuditEntry.subject, t.AuditEntry.after)
                        .order_by(t.AuditEntry.id)).all()
    assert [(a, action, subject) for a, action, subject, _ in log] == [
        (holder.account_id, "api_key.issue", f"account:{holder.account_id}"),
        (holder.account_id, "api_key.revoke", f"account:{holder.account_id}"),
        (holder.account_id, "api_key.revoke", f"account:{holder.account_id}"),
    ]
    assert log[0].after == {"api_key_id": body["id"], "label": "随手拍", "prefix": secret[:12]}
    assert secret not in repr(log)


def test_what_cannot_be_a_key(seeded: Engine) -> None:
    client, accounts = api(seeded, clock=lambda: NOW), Accounts(seeded, lambda: NOW)
    admin = accounts.headers(Role.ADMIN)
    holder = accounts.principal(Role.SERVICE).account_id
    path = f"/accounts/{holder}/api-keys"
    for label in ("", "x" * 81, "a\x00b"):
        r = client.post(path, json={"label": label}, headers=admin)
        assert r.status_code == 422 and r.json()["code"] == "invalid_request", label
    assert client.post(path, json={"label": "x", "account_id": 1}, headers=admin).status_code == 422
    assert client.post(path, json={"label": "   "}, headers=admin).json()["code"] == "invalid_account"
    for _ in range(LIVE_KEYS_MAX):
        assert client.post(path, json={"label": "网格"}, headers=admin).status_code == 201
    too_many = client.post(path, json={"label": "网格"}, headers=admin)
    assert too_many.status_code == 422 and "revoke one first" in too_many.json()["detail"]
    assert client.post("/accounts/424242/api-keys", json={"label": "x"}, headers=admin).status_code == 404
    assert client.delete(f"{path}/424242", headers=admin).status_code == 404
    other = accounts.principal(Role.ADMIN).account_id
    first = client.get(path, headers=admin).json()[0]["id"]
    assert client.delete(f"/accounts/{other}/api-keys/{first}", headers=admin).status_code == 404  # not its key
    assert len(client.get(path, params={"limit": 5, "offset": 18}, headers=admin).json()) == 2

    with Session(seeded) as s, s.begin():
        s.execute(update(t.Account).where(t.Account.id == holder).values(disabled=True))
    disabled = client.post(path, json={"label": "x"}, headers=admin)
    assert disabled.status_code == 422 and "disabled" in disabled.json()["detail"]
