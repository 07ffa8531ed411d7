"""The jurisdiction matrix of the programme's routes (报名, 认领, 名片): every caller against every route,
allowed or refused (403 with nothing of the data). Writes give each caller a subject of its own."""

from __future__ import annotations

from collections.abc import Callable
from itertools import count

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from scoring.accounts.principal import Principal
from scoring.accounts.roles import Role
from scoring.registry import claiming
from scoring.registry import signup as signups
from scoring.registry.signup import SignupForm
from scoring.storage import tables as t
from scoring.storage.engine import session_factory
from tests.api.jurisdiction_world import CALLERS, HER_AREA, NOW, World, check_matrix, check_write_matrix
from tests.api.programme import PASSWORD, Tick, form, free_segment, open_claim
from tests.api.signin import Accounts, api

OFFICES = {"her coordinator", "her district", "the administrator"}  # of her subdistrict, and above it
EVERY_OFFICE = OFFICES | {"another coordinator", "another district"}  # each lists its own area's


class Programme:
    """The matrix's clock, callers and the subjects it makes for them, through the scoring commands."""

    def __init__(self, seeded: Engine, world: World) -> None:
        self.engine, self.world = seeded, world
        self.clock = Tick(NOW)
        self.client: TestClient = api(seeded, clock=self.clock)
        self.accounts = Accounts(seeded, self.clock)
        self.usernames = (f"matrix-{n}" for n in count(1))
        with Session(seeded) as s:
            self.segment = s.scalars(select(t.Segment.id).where(t.Segment.lane_id == world.lane)
                                     .order_by(t.Segment.id)).first()
        assert self.segment is not None

    def admin(self) -> Principal:
        return self.accounts.principal(Role.ADMIN)

    def run(self, command: Callable[..., object], *args: object, **kwargs: object) -> object:
        with session_factory(self.engine).begin() as session:
            return command(session, *args, now=self.clock(), **kwargs)

    def pending(self) -> int:
        """A new paper sign-up of her lane, waiting for its office."""
        made = self.run(signups.enter_paper, self.admin(), SignupForm("周桂英", "13900000000", self.world.lane,
                                                                      "福光路3号", next(self.usernames)))
        return made.id  # type: ignore[attr-defined]

    def approved(self) -> int:
        signup_id = self.pending()
        self.run(signups.approve, self.admin(), signup_id)
        return signup_id

    def her_claim(self) -> int:
        """The open claim of the steward on a segment of her lane, made again if a caller ended it."""
        held = open_claim(self.engine, self.segment)  # type: ignore[arg-type]
        steward = Principal(0, "the steward", Role.STEWARD, steward_id=self.world.steward)
        if held is None:
            return self.run(claiming.claim_segment, steward, self.segment).opened.id  # type: ignore[attr-defined]
        claim_id, holder = held
        if holder != self.world.steward:  # handed on by the caller before: hand it back
            return self.run(claiming.transfer_claim, self.admin(), claim_id,  # type: ignore[attr-defined]
                            self.world.steward).opened.id
        return claim_id


@pytest.fixture
def programme(seeded: Engine, world: World) -> Programme:
    return Programme(seeded, world)


READS: dict[str, tuple[Callable[[Programme], str], set[str]]] = {
    "the sign-ups": (lambda p: "/signups", EVERY_OFFICE),
    "a sign-up of her lane": (lambda p: f"/signups/{p.pending()}", OFFICES),
    "a segment's claims": (lambda p: f"/segments/{p.segment}/claims", HER_AREA),
    "her claims": (lambda p: f"/stewards/{p.world.steward}/claims", HER_AREA | {"the steward"}),
    "her 名片": (lambda p: f"/stewards/{p.world.steward}/card", (HER_AREA - {"a machine"}) | {"the steward"}),
}

WRITES: dict[str, tuple[Callable[[Programme, str], tuple[str, object]], set[str]]] = {
    "enter a paper form": (lambda p, caller: ("/signups/paper", form(p.world.lane, next(p.usernames))),
                           OFFICES | {"her station"}),
    "approve": (lambda p, caller: (f"/signups/{p.pending()}/approve", None), OFFICES),
    "reject": (lambda p, caller: (f"/signups/{p.pending()}/reject", {"reason": "不住在本街道"}), OFFICES),
    "a new activation code": (lambda p, caller: (f"/signups/{p.approved()}/activation", None), OFFICES),
    # Any steward of the subdistrict claims a free segment of it for themselves; nobody claims for another.
    "claim": (lambda p, caller: ("/claims", {"segment_id": free_segment(p.engine, p.world.subdistrict)}),
              {"the steward", "another steward"}),
    "release her claim": (lambda p, caller: (f"/claims/{p.her_claim()}/release", None),
                          (OFFICES | {"her lane's chief", "her street's chief", "the steward"})),
    "hand her claim on": (lambda p, caller: (f"/claims/{p.her_claim()}/transfer",
                                             {"steward_id": p.world.other_steward}),
                          OFFICES | {"her lane's chief", "her street's chief"}),
}


@pytest.mark.parametrize("route", sorted(READS))
def test_each_caller_reads_the_programme_of_its_own_area(programme: Programme, route: str) -> None:
    path_of, allowed = READS[route]
    check_matrix(programme.client, programme.accounts, programme.world, "GET", path_of(programme), allowed)


@pytest.mark.parametrize("route", sorted(WRITES))
def test_each_caller_changes_the_programme_of_its_own_area(programme: Programme, route: str) -> None:
    fresh, allowed = WRITES[route]
    check_write_matrix(programme.client, programme.accounts, programme.world, "POST",
                       lambda caller: fresh(programme, caller), allowed)


def test_the_sign_ups_list_only_the_callers_area(programme: Programme) -> None:
    hers = programme.pending()

    def listed(caller: str) -> set[int]:
        role, links = CALLERS[caller](programme.world)
        return {s["id"] for s in programme.client.get(
            "/signups", headers=programme.accounts.headers(role, **links)).json()}

    for caller in OFFICES:
        assert hers in listed(caller)
    assert listed("another coordinator") == listed("another district") == set()


def test_a_resident_signs_up_with_no_account_and_an_activation_needs_only_its_code(programme: Programme) -> None:
    """The two routes for people without an account: the sign-up itself, and setting the password."""
    client, world = programme.client, programme.world
    r = client.post("/signups", json={**form(world.lane, "resident-1"), "password": PASSWORD})
    assert r.status_code == 201
    for n, caller in enumerate(("the steward", "her lane's property company", "a machine"), start=2):
        role, links = CALLERS[caller](world)  # a token changes nothing
        r = client.post("/signups", json={**form(world.lane, f"resident-{n}"), "password": PASSWORD},
                        headers=programme.accounts.headers(role, **links))
        assert r.status_code == 201
    signup_id = programme.pending()
    username = client.get(f"/signups/{signup_id}", headers=programme.accounts.headers(Role.ADMIN)).json()["username"]
    approval = client.post(f"/signups/{signup_id}/approve", headers=programme.accounts.headers(Role.ADMIN)).json()
    activated = client.post("/auth/activate", json={"username": username, "code": approval["activation"]["code"],
                                                    "password": PASSWORD})
    assert activated.status_code == 200
