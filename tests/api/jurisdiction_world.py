"""The jurisdiction matrix's world: one steward of 龙潭, the people near her and far from her, and the
callers built from them. Each area's matrix (tests/api/test_jurisdiction*.py) runs its routes against
every caller here; `check_matrix` is the one assertion they share."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from fastapi.testclient import TestClient
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from scoring.accounts.roles import Role
from scoring.seed.dataset import Dataset
from scoring.storage import tables as t
from tests.api.signin import Accounts

NOW = datetime(2017, 9, 30, 4, 0, tzinfo=UTC)


@dataclass(frozen=True)
class World:
    steward: int  # 赵云华 of 龙潭街道 (东城区)
    other_steward: int  # of another lane of 龙潭
    lane: int  # a lane she has claimed
    chief: int  # that lane's chief
    other_chief: int  # the chief of a lane of hers she has nothing to do with
    street_chief: int  # the 街长 of the main street her lane opens onto
    other_street_chief: int  # the 街长 of a main street none of her lanes opens onto
    contractor: int  # the property company of her lane
    subdistrict: int
    other_subdistrict: int  # 西长安街街道, in another district
    district: int
    other_district: int


def build_world(seeded: Engine, longtan: Dataset) -> World:
    zhao = next(s for s in longtan.stewards if s.name == "赵云华")
    with Session(seeded) as s:
        steward = s.scalars(select(t.Steward).where(t.Steward.key == zhao.key)).one()
        lanes = set(s.scalars(select(t.Segment.lane_id).join(t.Claim, t.Claim.segment_id == t.Segment.id)
                              .where(t.Claim.steward_id == steward.id))) | {steward.home_lane_id}
        lane = sorted(x for x in lanes if x is not None)[0]
        chief = s.scalars(select(t.Chief.id).where(t.Chief.lane_id == lane).order_by(t.Chief.id)).first()
        other_chief = s.scalars(select(t.Chief.id).join(t.Lane, t.Chief.lane_id == t.Lane.id).where(
            t.Lane.subdistrict_id == steward.subdistrict_id, t.Lane.id.not_in(lanes), t.Chief.role == "lane_chief")
            .order_by(t.Chief.id)).first()
        streets = set(s.scalars(select(t.Lane.street_id).where(t.Lane.id.in_(lanes))))
        street = s.scalar(select(t.Lane.street_id).where(t.Lane.id == lane))
        street_chief = s.scalars(select(t.Chief.id).where(t.Chief.lane_id == street, t.Chief.role == "street_chief")
                                 ).first()
        other_street_chief = s.scalars(select(t.Chief.id).join(t.Lane, t.Chief.lane_id == t.Lane.id).where(
            t.Lane.subdistrict_id == steward.subdistrict_id, t.Lane.id.not_in(streets),
            t.Chief.role == "street_chief").order_by(t.Chief.id)).first()
        other_steward = s.scalars(select(t.Steward.id).where(
            t.Steward.subdistrict_id == steward.subdistrict_id, t.Steward.id != steward.id)).first()
        contractor = s.scalars(select(t.Contractor.id).where(t.Contractor.lane_id == lane)).first()
        if contractor is None:  # the data set names few property companies: give her lane one
            s.add(t.Contractor(key="test/contractor", name="物业公司", lane_id=lane))
            s.commit()
            contractor = s.scalars(select(t.Contractor.id).where(t.Contractor.lane_id == lane)).one()
        district = s.scalar(select(t.Subdistrict.district_id).where(t.Subdistrict.id == steward.subdistrict_id))
        other_subdistrict, other_district = s.execute(select(t.Subdistrict.id, t.Subdistrict.district_id).where(
            t.Subdistrict.district_id != district).order_by(t.Subdistrict.id)).first()  # type: ignore[misc]
    assert None not in (chief, other_chief, street_chief, other_street_chief, other_steward, district)
    return World(steward.id, other_steward, lane, chief, other_chief, street_chief, other_street_chief,  # type: ignore[arg-type]
                 contractor, steward.subdistrict_id, other_subdistrict, district, other_district)


# Who is who, as (role, links) built from the world; and which of them each route lets in.
CALLERS = {
    "the steward": lambda w: (Role.STEWARD, {"steward_id": w.steward}),
    "another steward": lambda w: (Role.STEWARD, {"steward_id": w.other_steward}),
    "her lane's chief": lambda w: (Role.CHIEF, {"chief_id": w.chief}),
    "another lane's chief": lambda w: (Role.CHIEF, {"chief_id": w.other_chief}),
    "her street's chief": lambda w: (Role.CHIEF, {"chief_id": w.street_chief}),
    "another street's chief": lambda w: (Role.CHIEF, {"chief_id": w.other_street_chief}),
    "her lane's property company": lambda w: (Role.CONTRACTOR, {"contractor_id": w.contractor}),
    "her station": lambda w: (Role.STATION_STAFF, {"subdistrict_id": w.subdistrict}),
    "her coordinator": lambda w: (Role.COORDINATOR, {"subdistrict_id": w.subdistrict}),
    "another coordinator": lambda w: (Role.COORDINATOR, {"subdistrict_id": w.other_subdistrict}),
    "her district": lambda w: (Role.DISTRICT_ADMIN, {"district_id": w.district}),
    "another district": lambda w: (Role.DISTRICT_ADMIN, {"district_id": w.other_district}),
    "a machine": lambda w: (Role.SERVICE, {}),
    "the administrator": lambda w: (Role.ADMIN, {}),
}
HER_AREA = {"her lane's chief", "her street's chief", "her station", "her coordinator", "her district", "a machine",
            "the administrator"}


def check_matrix(client: TestClient, accounts: Accounts, world: World, method: str, path: str,
                 allowed: set[str], json: object = None) -> dict[str, int]:
    """Anonymous gets 401; each caller in `allowed` gets a 2xx, every other caller 403 with only the error body.
    Returns each caller's status, for a route's own further checks."""
    return check_fresh_matrix(client, accounts, world, method, lambda _caller: (path, json), allowed)


def check_fresh_matrix(client: TestClient, accounts: Accounts, world: World, method: str,
                       fresh: Callable[[str | None], tuple[str, object]], allowed: set[str]) -> dict[str, int]:
    """`check_matrix` for a write that changes what it acts on (a band bound, then lost): `fresh(caller)` sets up
    a thing of its own for each caller (None: the anonymous one) and returns the (path, json body) to send."""
    path, json = fresh(None)
    assert client.request(method, path, json=json).status_code == 401
    outcome: dict[str, int] = {}
    for caller, who in CALLERS.items():
        role, links = who(world)
        path, json = fresh(caller)
        r = client.request(method, path, json=json, headers=accounts.headers(role, **links))
        outcome[caller] = r.status_code
        if r.status_code == 403:
            assert set(r.json()) == {"code", "detail"} and r.json()["code"] == "not_authorised"
    assert {c: 403 if s == 403 else 200 if 200 <= s < 300 else s for c, s in outcome.items()} == \
        {caller: 200 if caller in allowed else 403 for caller in CALLERS}, (method, path, outcome)
    return outcome


def check_write_matrix(client: TestClient, accounts: Accounts, world: World, method: str,
                       fresh: Callable[[str], tuple[str, object]], allowed: set[str]) -> dict[str, int]:
    """`check_fresh_matrix` with the anonymous caller named "anonymous": `fresh(caller)` gives each caller a
    subject of its own (path and body), so what one allowed caller changed stands in no one else's way."""
    return check_fresh_matrix(client, accounts, world, method, lambda caller: fresh(caller or "anonymous"), allowed)
