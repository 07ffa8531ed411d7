"""Bands over HTTP on both stores: enrolment and its one-time claim code, a steward's claim, wrong codes locked
out, a lost band replaced, every change in the audit log; beacons listed without their secrets."""

from __future__ import annotations

from datetime import timedelta

from nacl.signing import SigningKey
from sqlalchemy import Engine, select

from scoring.accounts.roles import Role
from scoring.registry.beacons import install_beacon
from scoring.registry.bindings import MAX_WRONG_CLAIM_CODES
from scoring.storage import tables as t
from scoring.storage.engine import session_factory
from tests.api.jurisdiction_world import NOW, World
from tests.api.signin import Accounts, api

KEY = bytes(SigningKey(b"\x07" * 32).verify_key)
REPLACEMENT_KEY = bytes(SigningKey(b"\x08" * 32).verify_key)


def test_a_band_from_enrolment_to_loss_and_its_replacement(seeded: Engine, world: World) -> None:
    client, accounts = api(seeded, clock=lambda: NOW), Accounts(seeded, lambda: NOW)
    admin = accounts.headers(Role.ADMIN)
    station = accounts.headers(Role.STATION_STAFF, subdistrict_id=world.subdistrict)
    her = accounts.steward(world.steward)

    enrolled = client.post("/bands", json={"band_id": 90_001, "public_key": KEY.hex()}, headers=admin)
    assert enrolled.status_code == 201, enrolled.text
    code = enrolled.json()["claim_code"]
    assert enrolled.json()["key_origin"] == "enrolled"

    seeded_band = client.get(f"/stewards/{world.steward}/bands", headers=her).json()[-1]["band_id"]
    refused = client.post("/bands/claim", json={"claim_code": code}, headers=her)
    assert (refused.status_code, refused.json()["code"]) == (409, "band_bound")  # she wears the seed's band
    assert client.post(f"/bands/{seeded_band}/return", headers=station).status_code == 200
    claimed = client.post("/bands/claim", json={"claim_code": code.lower()}, headers=her)
    assert claimed.status_code == 201 and claimed.json()["band_id"] == 90_001
    again = client.post("/bands/claim", json={"claim_code": code}, headers=accounts.steward(world.other_steward))
    assert (again.status_code, again.json()["code"]) == (409, "claim_code_used")

    lost = client.post("/bands/90001/lost", headers=her)
    assert lost.status_code == 200 and lost.json()["ended"]["ended_reason"] == "lost"
    reissued = client.post("/bands/90001/binding", json={"steward_id": world.steward}, headers=station)
    assert (reissued.status_code, reissued.json()["code"]) == (409, "band_lost")
    client.post("/bands", json={"band_id": 90_002, "public_key": REPLACEMENT_KEY.hex()}, headers=admin)
    assert client.post("/bands/90002/binding", json={"steward_id": world.steward}, headers=station).status_code == 201

    history = client.get(f"/stewards/{world.steward}/bands", headers=her).json()
    assert [(b["band_id"], b["ended_reason"]) for b in history][-3:] == [
        (seeded_band, "returned"), (90_001, "lost"), (90_002, None)]

    log = client.get("/audit", headers=admin).json()
    assert [e["action"] for e in log] == ["band.bind", "band.enrol", "band.lost", "band.claim", "band.return",
                                          "band.enrol"]
    assert {e["subdistrict_id"] for e in log if e["action"] != "band.enrol"} == {world.subdistrict}
    assert code not in str(log) and code.replace("-", "") not in str(log)  # the code is nowhere but its hash


def test_wrong_codes_are_refused_counted_and_locked_out(seeded: Engine, world: World) -> None:
    client, accounts = api(seeded, clock=lambda: NOW), Accounts(seeded, lambda: NOW)
    code = client.post("/bands", json={"band_id": 90_001, "public_key": KEY.hex()},
                       headers=accounts.headers(Role.ADMIN)).json()["claim_code"]
    her = accounts.steward(world.steward)
    for _ in range(MAX_WRONG_CLAIM_CODES):
        wrong = client.post("/bands/claim", json={"claim_code": "ZZZZ-ZZZZ-ZZZZ-ZZZZ"}, headers=her)
        assert (wrong.status_code, wrong.json()["code"]) == (422, "wrong_claim_code")
    locked = client.post("/bands/claim", json={"claim_code": code}, headers=her)
    assert (locked.status_code, locked.json()["code"]) == (429, "locked_out") and "Retry-After" in locked.headers
    with session_factory(seeded)() as s:
        assert s.scalar(select(t.BandClaimLockout.locked_until)) is not None  # committed though every answer was 4xx


def test_a_key_that_is_no_key_and_a_band_enrolled_twice_are_refused(seeded: Engine) -> None:
    client, accounts = api(seeded, clock=lambda: NOW), Accounts(seeded, lambda: NOW)
    admin = accounts.headers(Role.ADMIN)
    small_order = client.post("/bands", json={"band_id": 90_001, "public_key": (bytes([1]) + bytes(31)).hex()},
                              headers=admin)
    assert (small_order.status_code, small_order.json()["code"]) == (422, "invalid_band_key")
    assert "small order" in small_order.json()["detail"]
    twice = client.post("/bands", json={"band_id": 1001, "public_key": KEY.hex()}, headers=admin)
    assert (twice.status_code, twice.json()["code"]) == (409, "band_exists")
    unknown = client.post("/bands/4294967295/lost", headers=admin)
    assert (unknown.status_code, unknown.json()["code"]) == (404, "unknown_band")


def test_beacons_are_listed_without_their_secrets(seeded: Engine, world: World) -> None:
    client, accounts = api(seeded, clock=lambda: NOW), Accounts(seeded, lambda: NOW)
    with session_factory(seeded).begin() as s:
        checkpoint = s.scalars(select(t.Checkpoint.id).join(t.Segment).where(t.Segment.lane_id == world.lane)).first()
        assert checkpoint is not None
        installed = install_beacon(s, checkpoint, now=NOW - timedelta(days=1), deployment_key=bytes(range(32)),
                                   replace=True)
    r = client.get(f"/registry/checkpoints/{checkpoint}/beacons", headers=accounts.headers(Role.ADMIN))
    assert [(b["key_origin"], b["active_to"] is None) for b in r.json()] == [("demo", False), ("installed", True)]
    assert all(set(b) == {"id", "checkpoint_id", "active_from", "active_to", "key_origin"} for b in r.json())
    assert installed.secret.hex() not in r.text
    assert client.get("/registry/checkpoints/999999/beacons",
                      headers=accounts.headers(Role.ADMIN)).json()["code"] == "unknown_checkpoint"
