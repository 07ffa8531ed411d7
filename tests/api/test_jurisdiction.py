"""The jurisdiction matrix: every role, near and far, against every route that shows a person's data or a
lane's work; each allowed (200), or refused (403) with nothing of the data in the answer."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine

from tests.api.jurisdiction_world import CALLERS, HER_AREA, NOW, World, check_matrix
from tests.api.signin import Accounts, api

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
    check_matrix(client, accounts, world, "GET", path, allowed)
    if route == "the lane's cases":
        for caller in ("the steward", "another steward"):
            role, links = CALLERS[caller](world)
            assert client.get(path, headers=accounts.headers(role, **links)).json() == []


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
