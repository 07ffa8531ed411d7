"""The jurisdiction matrix of the work ledger, the 周查 and the alert inbox: one case, a lane's inspections, a
steward's year of totals, and the writes a lane's chiefs make (confirm a case, record a 周查, acknowledge an
alert). A street chief acts on the lanes that open onto his street as their lane chiefs do."""

from __future__ import annotations

from datetime import timedelta
from itertools import product
from typing import Any

from sqlalchemy import Engine, select

from scoring.cases.store import report_case
from scoring.cases.workflow import CaseCategory, ProblemReport
from scoring.inspections import default_checklist
from scoring.seed.dataset import Dataset
from scoring.storage import tables as t
from scoring.storage.engine import session_factory
from tests.api.exports_data import DAY, fill
from tests.api.jurisdiction_world import CALLERS, HER_AREA, NOW, World, check_matrix, check_write_matrix
from tests.api.signin import Accounts, api
from tests.scoring.checkins import at

COMPANY = "her lane's property company"
HER_LANES_CHIEFS = {"her lane's chief", "her street's chief"}  # who acts on her lane's work


def test_the_reads_of_a_lanes_work_are_for_its_area(seeded: Engine, longtan: Dataset, world: World) -> None:
    work = fill(seeded, longtan, world)
    client, accounts = api(seeded, clock=lambda: NOW), Accounts(seeded, lambda: NOW)
    # Her case: her lane's area, its property company, and she who reported it.
    check_matrix(client, accounts, world, "GET", f"/cases/{work.her_case}", HER_AREA | {"the steward", COMPANY})
    # The lane's 周查 and its inbox: its chiefs' and offices' record, no steward's, no company's.
    check_matrix(client, accounts, world, "GET", f"/lanes/{world.lane}/inspections", HER_AREA)
    check_matrix(client, accounts, world, "GET", f"/lanes/{world.lane}/alerts", HER_AREA)
    # A steward's totals by period are what the public boards show.
    path = f"/stewards/{world.steward}/totals?year=2017"
    assert client.get(path).status_code == 200
    for who in CALLERS.values():
        role, links = who(world)
        assert client.get(path, headers=accounts.headers(role, **links)).status_code == 200


def _items() -> list[dict[str, Any]]:
    return [{"code": i.code, "passed": True, "note": ""} for i in default_checklist().items]


def test_a_lanes_chiefs_and_its_street_chief_confirm_its_cases_and_nobody_else(
        seeded: Engine, world: World) -> None:
    client, accounts = api(seeded, clock=lambda: NOW), Accounts(seeded, lambda: NOW)
    # A case of her lane for each caller: categories and places far enough apart never to join one case.
    places = iter(product(CaseCategory, (5.0, 120.0, 240.0)))
    with session_factory(seeded).begin() as s:
        cases = {caller: report_case(s, ProblemReport(world.steward, category, at(DAY, 8), lane_id=world.lane,
                                                      position_m=position, note="门口堆物")).case_id
                 for caller, (category, position) in zip(["anonymous", *CALLERS], places, strict=False)}
    check_write_matrix(client, accounts, world, "POST",
                       lambda caller: (f"/cases/{cases[caller]}/transitions", {"to": "confirmed"}), HER_LANES_CHIEFS)


def test_a_lanes_chiefs_and_its_street_chief_inspect_it_and_nobody_else(seeded: Engine, world: World) -> None:
    client, accounts = api(seeded, clock=lambda: NOW), Accounts(seeded, lambda: NOW)
    weeks = {caller: NOW - timedelta(weeks=i + 1) for i, caller in enumerate(["anonymous", *CALLERS])}  # one a week
    check_write_matrix(client, accounts, world, "POST", lambda caller: (
        "/inspections", {"lane_id": world.lane, "inspected_at": weeks[caller].isoformat(), "items": _items()}),
        HER_LANES_CHIEFS)


def test_a_lanes_chiefs_and_its_street_chief_acknowledge_its_alerts_and_nobody_else(
        seeded: Engine, longtan: Dataset, world: World) -> None:
    fill(seeded, longtan, world)
    client, accounts = api(seeded, clock=lambda: NOW), Accounts(seeded, lambda: NOW)
    with session_factory(seeded)() as s:
        alert = s.scalar(select(t.PatrolAlert.id).where(t.PatrolAlert.lane_id == world.lane).order_by(t.PatrolAlert.id))
    assert alert is not None
    # Acknowledging again changes nothing, so one alert serves every caller.
    check_matrix(client, accounts, world, "POST", f"/alerts/{alert}/acknowledge", HER_LANES_CHIEFS)
