"""The jurisdiction matrix: every role, near and far, against every route that shows a person's data or a
lane's work; each allowed (200), or refused (403) with nothing of the data in the answer."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from scoring.accounts.roles import Role
from scoring.seed.dataset import Dataset
from scoring.storage import tables as t
from tests.api.signin import Accounts, api

NOW = datetime(2017, 9, 30, 4, 0, tzinfo=UTC)


@dataclass(frozen=True)
class World:
    steward: int  # 赵云华 of 龙潭街道 (东城区)
    other_steward: int  # of another lane of 龙潭
    lane: int  # a lane she has claimed
    chief: int  # that lane's chief
    other_chief: int  # the chief of a lane of hers she has nothing to do with
    contractor: int  # the property company of her lane
    subdistrict: int
    other_subdistrict: int  # 西长安街街道, in another district
    district: int
    other_district: int


@pytest.fixture
def world(seeded: Engine, longtan: Dataset) -> World:
    zhao = next(s for s in longtan.stewards if s.name == "赵云华")
    with Session(seeded) as s:
        steward = s.scalars(select(t.Steward).where(t.Steward.key == zhao.key)).one()
        lanes = set(s.scalars(select(t.Segment.lane_id).join(t.Claim, t.Claim.segment_id == t.Segment.id)
                              .where(t.Claim.steward_id == steward.id))) | {steward.home_lane_id}
        lane = sorted(x for x in lanes if x is not None)[0]
        chief = s.scalars(select(t.Chief.id).where(t.Chief.lane_id == lane).order_by(t.Chief.id)).first()
        other_chief = s.scalars(select(t.Chief.id).join(t.Lane, t.Chief.lane_id == t.Lane.id).where(
            t.Lane.subdistrict_id == steward.subdistrict_id, t.Lane.id.not_in(lanes)).order_by(t.Chief.id)).first()
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
    assert None not in (chief, other_chief, other_steward, district)
    return World(steward.id, other_steward, lane, chief, other_chief, contractor, steward.subdistrict_id,
                 other_subdistrict, district, other_district)  # type: ignore[arg-type]


# Who is who, as (role, links) built from the world; and which of them each route lets in.
CALLERS = {
    "the steward": lambda w: (Role.STEWARD, {"steward_id": w.steward}),
    "another steward": lambda w: (Role.STEWARD, {"steward_id": w.other_steward}),
    "her lane's chief": lambda w: (Role.CHIEF, {"chief_id": w.chief}),
    "another lane's chief": lambda w: (Role.CHIEF, {"chief_id": w.other_chief}),
    "her lane's property company": lambda w: (Role.CONTRACTOR, {"contractor_id": w.contractor}),
    "her station": lambda w: (Role.STATION_STAFF, {"subdistrict_id": w.subdistrict}),
    "her coordinator": lambda w: (Role.COORDINATOR, {"subdistrict_id": w.subdistrict}),
    "another coordinator": lambda w: (Role.COORDINATOR, {"subdistrict_id": w.other_subdistrict}),
    "her district": lambda w: (Role.DISTRICT_ADMIN, {"district_id": w.district}),
    "another district": lambda w: (Role.DISTRICT_ADMIN, {"district_id": w.other_district}),
    "a machine": lambda w: (Role.SERVICE, {}),
    "the administrator": lambda w: (Role.ADMIN, {}),
}
HER_AREA = {"her lane's chief", "her station", "her coordinator", "her district", "a machine", "the administrator"}
ROUTES = {
    "points": (lambda w: f"/stewards/{w.steward}/points?period=month&label=2017-09", HER_AREA | {"the steward"}),
    "explanation": (lambda w: f"/stewards/{w.steward}/explanation?period=month&label=2017-09",
                    HER_AREA | {"the steward"}),
    "flags": (lambda w: f"/stewards/{w.steward}/flags", HER_AREA | {"the steward"}),
    "the lane's patrol alerts": (lambda w: f"/lanes/{w.lane}/alerts", HER_AREA),
    # A steward may ask for any lane's cases and is answered with the ones they reported (none here).
    "the lane's cases": (lambda w: f"/cases?lane={w.lane}",
                         HER_AREA | {"her lane's property company", "the steward", "another steward"}),
}


@pytest.mark.parametrize("route", sorted(ROUTES))
def test_each_role_sees_its_own_area_and_nothing_else(seeded: Engine, world: World, route: str) -> None:
    client, accounts = api(seeded, clock=lambda: NOW), Accounts(seeded, lambda: NOW)
    path_of, allowed = ROUTES[route]
    path = path_of(world)
    assert client.get(path).status_code == 401
    outcome = {}
    for caller, who in CALLERS.items():
        role, links = who(world)
        r = client.get(path, headers=accounts.headers(role, **links))
        outcome[caller] = r.status_code
        if r.status_code == 403:
            assert set(r.json()) == {"code", "detail"} and r.json()["code"] == "not_authorised"
        elif role is Role.STEWARD and route == "the lane's cases":
            assert r.json() == []
    assert outcome == {caller: 200 if caller in allowed else 403 for caller in CALLERS}


def test_the_registry_of_people_lists_only_the_callers_area(seeded: Engine, world: World) -> None:
    client, accounts = api(seeded, clock=lambda: NOW), Accounts(seeded, lambda: NOW)

    def listed(caller: str) -> set[int]:
        role, links = CALLERS[caller](world)
        r = client.get("/registry/stewards", headers=accounts.headers(role, **links))
        assert r.status_code == 200
        return {s["id"] for s in r.json()}

    everyone = listed("the administrator")
    assert listed("the steward") == {world.steward}
    assert world.steward in listed("her lane's chief") and listed("her lane's chief") < everyone
    assert world.steward not in listed("another coordinator")  # 西长安街 lists none of 龙潭's
    assert listed("her lane's property company") == set()
    assert listed("her district") >= listed("her coordinator") >= listed("her lane's chief")
