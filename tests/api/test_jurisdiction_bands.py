"""The jurisdiction matrix of bands and beacons: every route, every caller, allowed (2xx) or refused (403)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import timedelta
from itertools import count

import pytest
from nacl.signing import SigningKey
from sqlalchemy import Engine, select

from scoring.accounts.jurisdiction import stewards_in_reach
from scoring.accounts.principal import Principal
from scoring.accounts.roles import Role
from scoring.registry.bands import enrol_band
from scoring.storage import tables as t
from scoring.storage.engine import session_factory
from tests.api.jurisdiction_world import CALLERS, HER_AREA, NOW, World, check_fresh_matrix, check_matrix
from tests.api.signin import Accounts, api

OPERATORS = {"her district", "another district", "the administrator"}  # band stock has no area
BOUND_AT = NOW - timedelta(hours=1)


class Bands:
    """Fresh bands for each caller, enrolled and worn as a route needs them."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._ids: Iterator[int] = count(80_001)

    def next_id(self) -> int:
        return next(self._ids)

    def enrol(self) -> tuple[int, str]:
        band_id = self.next_id()
        with session_factory(self._engine).begin() as s:
            code = enrol_band(s, band_id, _key(band_id), now=BOUND_AT).claim_code
        return band_id, code

    def strip(self, *stewards: int) -> None:
        """The stewards hand back whatever they wear."""
        with session_factory(self._engine).begin() as s:
            for worn in s.scalars(select(t.BandBinding).where(t.BandBinding.steward_id.in_(stewards),
                                                              t.BandBinding.valid_to.is_(None))):
                worn.valid_to, worn.ended_reason = BOUND_AT - timedelta(minutes=1), "returned"

    def worn_by(self, steward: int) -> int:
        self.strip(steward)
        band_id, _ = self.enrol()
        with session_factory(self._engine).begin() as s:
            s.add(t.BandBinding(band_id=band_id, steward_id=steward, valid_from=BOUND_AT))
        return band_id


def _key(n: int) -> str:
    return bytes(SigningKey(n.to_bytes(32, "big")).verify_key).hex()


def _writes(bands: Bands, w: World) -> dict[str, tuple[Callable[[str | None], tuple[str, object]], set[str]]]:
    def enrol(_caller: str | None) -> tuple[str, object]:
        band_id = bands.next_id()
        return "/bands", {"band_id": band_id, "public_key": _key(band_id)}

    def claim(_caller: str | None) -> tuple[str, object]:
        bands.strip(w.steward, w.other_steward)
        return "/bands/claim", {"claim_code": bands.enrol()[1]}

    def hand_over(_caller: str | None) -> tuple[str, object]:
        bands.strip(w.steward)
        return f"/bands/{bands.enrol()[0]}/binding", {"steward_id": w.steward}

    return {
        "enrol a band": (enrol, OPERATORS),
        "claim a band with its code": (claim, {"the steward", "another steward"}),
        "hand a band over at the station": (hand_over, {"her station"}),
        "report her band lost": (lambda _c: (f"/bands/{bands.worn_by(w.steward)}/lost", None),
                                 {"the steward", "her station", "her coordinator"}),
        "take her band back": (lambda _c: (f"/bands/{bands.worn_by(w.steward)}/return", None),
                               {"her station", "her coordinator"}),
    }


WRITES = ["enrol a band", "claim a band with its code", "hand a band over at the station", "report her band lost",
          "take her band back"]


@pytest.mark.parametrize("route", WRITES)
def test_each_band_write_is_for_its_desk_only(seeded: Engine, world: World, route: str) -> None:
    client, accounts, bands = api(seeded, clock=lambda: NOW), Accounts(seeded, lambda: NOW), Bands(seeded)
    fresh, allowed = _writes(bands, world)[route]
    check_fresh_matrix(client, accounts, world, "POST", fresh, allowed)


def test_a_bands_history_shows_each_caller_the_wearers_they_see(seeded: Engine, world: World) -> None:
    client, accounts, bands = api(seeded, clock=lambda: NOW), Accounts(seeded, lambda: NOW), Bands(seeded)
    with session_factory(seeded)() as s:  # a neighbour of hers wore it first, then it was handed to her
        # one whom the far chiefs of the world do not see, so only her area's callers see the band at all
        far = set().union(*(stewards_in_reach(s, Principal(0, "far", Role.CHIEF, chief_id=chief)) or set()
                            for chief in (world.other_chief, world.other_street_chief)))
        neighbour = s.scalars(select(t.Steward.id).where(
            t.Steward.subdistrict_id == world.subdistrict,
            t.Steward.id.not_in([world.steward, world.other_steward, *far])).order_by(t.Steward.id)).first()
    assert neighbour is not None
    band_id = bands.worn_by(neighbour)
    with session_factory(seeded).begin() as s:
        s.execute(t.BandBinding.__table__.update().where(t.BandBinding.band_id == band_id).values(
            valid_to=BOUND_AT + timedelta(minutes=10), ended_reason="returned"))
    bands.strip(world.steward)
    with session_factory(seeded).begin() as s:
        s.add(t.BandBinding(band_id=band_id, steward_id=world.steward, valid_from=BOUND_AT + timedelta(minutes=20)))
    path = f"/bands/{band_id}/bindings"
    check_matrix(client, accounts, world, "GET", path, HER_AREA | {"the steward", "another district"})

    def wearers(caller: str) -> list[int]:
        role, links = CALLERS[caller](world)
        return [b["steward_id"] for b in client.get(path, headers=accounts.headers(role, **links)).json()]

    assert wearers("the administrator") == [neighbour, world.steward]
    assert wearers("the steward") == [world.steward]  # not who wore it before her
    assert wearers("another district") == []  # an operator may ask about any band, and sees nobody of 龙潭


@pytest.mark.parametrize(("route", "allowed"), [
    ("her bands", HER_AREA | {"the steward"}),
    ("her lane's beacons", {"her district", "the administrator"}),
])
def test_each_band_and_beacon_list_is_for_its_area(seeded: Engine, world: World, route: str,
                                                    allowed: set[str]) -> None:
    client, accounts = api(seeded, clock=lambda: NOW), Accounts(seeded, lambda: NOW)
    with session_factory(seeded)() as s:
        checkpoint = s.scalars(select(t.Checkpoint.id).join(t.Segment).where(t.Segment.lane_id == world.lane)
                               .order_by(t.Checkpoint.id)).first()
    path = f"/stewards/{world.steward}/bands" if route == "her bands" else f"/registry/checkpoints/{checkpoint}/beacons"
    check_matrix(client, accounts, world, "GET", path, allowed)
