"""工作留痕: every change through the API is logged with who, when, before and after; the offices of its
area read it; nothing can change or remove an entry, not even SQL."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import Engine, delete, func, select, update
from sqlalchemy.exc import DatabaseError
from sqlalchemy.orm import Session

from scoring.accounts.roles import Role
from scoring.storage import tables as t
from tests.api.signin import Accounts, api

NOW = datetime(2017, 9, 5, 1, 0, tzinfo=UTC)


def _lane_chief_steward(engine: Engine) -> tuple[int, int, int, int]:
    with Session(engine) as s:
        chief = s.scalars(select(t.Chief).join(t.Lane, t.Chief.lane_id == t.Lane.id)
                          .where(t.Lane.name == "福光路").order_by(t.Chief.id)).first()
        steward = s.scalar(select(t.Steward.id).where(t.Steward.name == "赵云华"))
        assert chief is not None and chief.lane_id is not None and steward is not None
        subdistrict = s.scalar(select(t.Lane.subdistrict_id).where(t.Lane.id == chief.lane_id))
        assert subdistrict is not None
        return chief.lane_id, chief.id, steward, subdistrict


def test_a_report_and_its_confirmation_are_logged_for_the_street_office(seeded: Engine) -> None:
    lane, chief, steward, subdistrict = _lane_chief_steward(seeded)
    client, accounts = api(seeded, clock=lambda: NOW), Accounts(seeded, lambda: NOW)
    case = client.post("/cases", json={"category": "other", "lane_id": lane, "position_m": 5},
                       headers=accounts.steward(steward)).json()["case"]["id"]
    assert client.post(f"/cases/{case}/transitions", json={"to": "confirmed", "note": "核实属实"},
                       headers=accounts.chief(chief)).status_code == 200
    refused = client.post(f"/cases/{case}/transitions", json={"to": "fix_confirmed"}, headers=accounts.chief(chief))
    assert refused.status_code == 409  # a change that did not happen is not logged

    coordinator = accounts.headers(Role.COORDINATOR, subdistrict_id=subdistrict)
    log = client.get("/audit", headers=coordinator).json()
    assert [(e["action"], e["subject"], e["role"], e["before"], e["after"]) for e in log] == [
        ("case.transition", f"case:{case}", "chief", {"state": "reported"}, {"state": "confirmed", "note": "核实属实"}),
        ("case.report", f"case:{case}", "steward", None, {"report_id": log[1]["after"]["report_id"], "opened": True,
                                                          "state": "reported"}),
    ]
    assert {e["lane_id"] for e in log} == {lane} and {e["subdistrict_id"] for e in log} == {subdistrict}
    assert log[0]["account_id"] == accounts.principal(Role.CHIEF, chief_id=chief).account_id
    assert [e["id"] for e in client.get("/audit", params={"before_id": log[0]["id"]}, headers=coordinator).json()] \
        == [log[1]["id"]]

    other = accounts.headers(Role.COORDINATOR, subdistrict_id=next(
        i for i in (1, 2, 3) if i != subdistrict))
    assert client.get("/audit", headers=other).json() == []
    assert client.get("/audit", headers=accounts.headers(Role.ADMIN)).json() == log
    assert client.get("/audit", headers=accounts.chief(chief)).status_code == 403
    assert client.get("/audit").status_code == 401


@pytest.mark.parametrize("change", ["update", "delete"])
def test_the_store_refuses_to_change_or_remove_an_entry(seeded: Engine, change: str) -> None:
    lane, _, steward, _ = _lane_chief_steward(seeded)
    client, accounts = api(seeded, clock=lambda: NOW), Accounts(seeded, lambda: NOW)
    client.post("/cases", json={"category": "other", "lane_id": lane, "position_m": 5},
                headers=accounts.steward(steward))
    statement = update(t.AuditEntry).values(action="nothing happened") if change == "update" else delete(t.AuditEntry)
    with pytest.raises(DatabaseError, match="append-only"), seeded.begin() as conn:
        conn.execute(statement)
    with Session(seeded) as s:
        assert s.scalar(select(func.count()).select_from(t.AuditEntry)) == 1
        assert s.scalar(select(t.AuditEntry.action)) == "case.report"
