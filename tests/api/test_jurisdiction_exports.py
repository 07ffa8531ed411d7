"""The exports' jurisdiction matrix: every export, in both formats, against every caller near her and far from
her; each allowed (200) or refused (403), and an allowed file holds no row from outside the caller's area."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from scoring.accounts.roles import Role
from scoring.exports import alerts, cases, inspections, leaderboard, points
from scoring.exports.table import Table
from scoring.seed.dataset import Dataset
from scoring.storage import tables as t
from tests.api.exports_data import DAY, Work, fill
from tests.api.exports_read import PAGE, Registry, read_csv, read_xlsx
from tests.api.jurisdiction_world import CALLERS, HER_AREA, NOW, World, check_matrix
from tests.api.signin import Accounts, api

EVERYONE = set(CALLERS)
STEWARDS = {"the steward", "another steward"}
COMPANY = "her lane's property company"
OVERSIGHT = EVERYONE - STEWARDS - {COMPANY}  # the chiefs and the offices, near and far

# export -> (table, query of the world, who may ask for it)
EXPORTS: dict[str, tuple[Table, Any, set[str]]] = {
    "leaderboard": (leaderboard.TABLE, lambda w: "label=2017-09", EVERYONE - {COMPANY}),
    "points": (points.TABLE, lambda w: "label=2017-09", EVERYONE - {COMPANY}),
    "points of hers": (points.TABLE, lambda w: f"label=2017-09&steward={w.steward}", HER_AREA | {"the steward"}),
    "cases": (cases.TABLE, lambda w: "", EVERYONE),
    # A steward may ask for any lane's cases and is answered with the ones they reported, as GET /cases.
    "cases of her lane": (cases.TABLE, lambda w: f"lane={w.lane}", HER_AREA | STEWARDS | {COMPANY}),
    "inspections": (inspections.TABLE, lambda w: "", OVERSIGHT),
    "inspections of her lane": (inspections.TABLE, lambda w: f"lane={w.lane}", HER_AREA),
    "alerts": (alerts.TABLE, lambda w: f"day={DAY.isoformat()}", OVERSIGHT),
    "alerts of her lane": (alerts.TABLE, lambda w: f"lane={w.lane}&day={DAY.isoformat()}", HER_AREA),
}
PATHS = {"points of hers": "points", "cases of her lane": "cases", "inspections of her lane": "inspections",
         "alerts of her lane": "alerts"}


@pytest.fixture
def work(seeded: Engine, longtan: Dataset, world: World) -> Work:
    return fill(seeded, longtan, world)


@pytest.mark.parametrize("export", sorted(EXPORTS))
def test_each_caller_exports_its_own_area_and_nothing_else(seeded: Engine, work: Work, export: str) -> None:
    client, accounts = api(seeded, clock=lambda: NOW), Accounts(seeded, lambda: NOW)
    _table, query, allowed = EXPORTS[export]
    for file_format in ("csv", "xlsx"):
        path = f"/exports/{PATHS.get(export, export)}.{file_format}?{query(work.world)}"
        check_matrix(client, accounts, work.world, "GET", path, allowed)


def _rows(client: TestClient, path: str, params: dict[str, str], headers: dict[str, str],
          table: Table) -> list[list[str]]:
    csv_rows = read_csv(client.get(f"{path}.csv", params=params, headers=headers), table)
    sheet_rows = read_xlsx(client.get(f"{path}.xlsx", params=params, headers=headers), table)
    assert [r[0] for r in csv_rows] == [str(r[0]) for r in sheet_rows]  # the two files hold the same rows
    return csv_rows


def _street_lanes(engine: Engine) -> dict[int, set[int]]:
    """Each street chief's lanes: his main street and the lanes that open onto it."""
    with Session(engine) as s:
        chiefs = s.execute(select(t.Chief.id, t.Chief.lane_id).where(t.Chief.role == "street_chief")).all()
        on = s.execute(select(t.Lane.street_id, t.Lane.id).where(t.Lane.street_id.is_not(None))).all()
    return {chief: {street} | {lane for st, lane in on if st == street} for chief, street in chiefs}


def _column(table: Table, key: str) -> int:
    return next(i for i, c in enumerate(table.columns) if c.key == key)


def test_no_export_holds_a_row_from_outside_the_callers_area(seeded: Engine, work: Work) -> None:
    client, accounts = api(seeded, clock=lambda: NOW), Accounts(seeded, lambda: NOW)
    w = work.world
    admin = accounts.headers(Role.ADMIN)
    reg = Registry.read(client, admin)
    assert len({lane["name"] for lane in reg.lanes.values()}) == len(reg.lanes)  # a lane's name tells it
    her_lanes = reg.lanes_of_subdistricts({w.subdistrict})
    far_lanes = reg.lanes_of_subdistricts(reg.subdistricts_of_district(w.other_district))
    street_lanes = _street_lanes(seeded)
    her_street, other_street = street_lanes[w.street_chief], street_lanes[w.other_street_chief]
    lanes_of = {
        "her lane's chief": {w.lane}, "another lane's chief": {work.other_lane}, COMPANY: {w.lane},
        "her street's chief": her_street, "another street's chief": other_street,
        "her station": her_lanes, "her coordinator": her_lanes,
        "another coordinator": reg.lanes_of_subdistricts({w.other_subdistrict}),
        "her district": reg.lanes_of_subdistricts(reg.subdistricts_of_district(w.district)),
        "another district": far_lanes, "a machine": set(reg.lanes), "the administrator": set(reg.lanes),
    }
    lane_of_case = {c["id"]: c["lane_id"] for c in client.get("/cases", params=PAGE, headers=admin).json()}
    reported = {w.steward: {work.her_case, work.far_case}, w.other_steward: {work.other_case}}
    ids = {"her": work.her_case, "other": work.other_case, "far": work.far_case}
    cases_seen = {
        "the steward": {"her", "far"}, "another steward": {"other"}, COMPANY: {"her"}, "her lane's chief": {"her"},
        "another lane's chief": {"other"}, "her station": {"her", "other"}, "her coordinator": {"her", "other"},
        "her district": {"her", "other"}, "another coordinator": {"far"}, "another district": {"far"},
        "a machine": {"her", "other", "far"}, "the administrator": {"her", "other", "far"},
        # A street chief sees the cases of the lanes on his street: hers is on her street's by construction.
        "her street's chief": {"her"} | ({"other"} if work.other_lane in her_street else set()),
        "another street's chief": {"other"} if work.other_lane in other_street else set(),
    }
    for caller, who in CALLERS.items():
        role, links = who(w)
        headers = accounts.headers(role, **links)
        seen = {s["id"] for s in client.get("/registry/stewards", params=PAGE, headers=headers).json()}
        if caller != COMPANY:
            for table, path in ((leaderboard.TABLE, "/exports/leaderboard"), (points.TABLE, "/exports/points")):
                rows = _rows(client, path, {"label": "2017-09"}, headers, table)
                stewards = {int(r[_column(table, "steward_id")]) for r in rows}
                assert stewards <= seen, (caller, path)
                if caller in HER_AREA or caller == "the steward":
                    assert w.steward in stewards, (caller, path)
                if caller in ("another coordinator", "another district"):
                    assert stewards == set(), (caller, path)  # no steward of theirs patrolled
        case_ids = {int(r[0]) for r in _rows(client, "/exports/cases", {}, headers, cases.TABLE)}
        assert case_ids == {ids[k] for k in cases_seen[caller]}, caller
        if role is Role.STEWARD:
            assert case_ids == reported[links["steward_id"]]
        else:
            assert {lane_of_case[c] for c in case_ids} <= lanes_of[caller], caller
        if caller in OVERSIGHT:
            for table, path, params in ((inspections.TABLE, "/exports/inspections", {}),
                                        (alerts.TABLE, "/exports/alerts", {"day": DAY.isoformat()})):
                names = {r[_column(table, "lane")] for r in _rows(client, path, params, headers, table)}
                assert names <= {reg.lane_name(lane) for lane in lanes_of[caller]}, (caller, path)
                if caller in HER_AREA:
                    assert reg.lane_name(w.lane) in names, (caller, path)
                if caller in ("another coordinator", "another district") and table is inspections.TABLE:
                    assert names == {reg.lane_name(work.far_lane)}, caller
