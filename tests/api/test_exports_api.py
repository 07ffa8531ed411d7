"""Exports over HTTP, on both stores: each file parses back (csv, openpyxl) to exactly the rows its JSON
routes give for the same query; the BOM; formulas neutralised; the file's names; the row limit; the audit."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from scoring.accounts.roles import Role
from scoring.exports import alerts, cases, inspections, leaderboard, points
from scoring.exports.table import Table
from scoring.seed.dataset import Dataset
from tests.api.exports_data import DAY, FAR_NOTE, HER_NOTE, INSPECTION_NOTE, OTHER_NOTE, Work, fill
from tests.api.exports_read import PAGE, Expect, Registry, check_both, file_names, read_csv
from tests.api.jurisdiction_world import NOW, World
from tests.api.signin import Accounts, api

MONTH = {"period": "month", "label": "2017-09"}


@pytest.fixture
def work(seeded: Engine, longtan: Dataset, world: World) -> Work:
    return fill(seeded, longtan, world)


@pytest.fixture
def accounts(seeded: Engine) -> Accounts:
    return Accounts(seeded, lambda: NOW)


@pytest.fixture
def client(seeded: Engine) -> TestClient:
    return api(seeded, clock=lambda: NOW)


@pytest.fixture
def expect(client: TestClient, accounts: Accounts, work: Work) -> Expect:
    admin = accounts.headers(Role.ADMIN)
    return Expect(client, Registry.read(client, admin), admin)


def _seen(client: TestClient, headers: dict[str, str]) -> set[int]:
    """The stewards the caller's area holds, as the registry's list of people shows them."""
    return {s["id"] for s in client.get("/registry/stewards", params=PAGE, headers=headers).json()}


def test_the_leaderboard_export_is_the_board_of_the_callers_area(
        client: TestClient, accounts: Accounts, work: Work, expect: Expect) -> None:
    w = work.world
    coordinator = accounts.headers(Role.COORDINATOR, subdistrict_id=w.subdistrict)
    chief = accounts.chief(w.chief)
    steward = accounts.steward(w.steward)
    for headers in (expect.admin, coordinator, chief, steward):
        for params in (MONTH, {"period": "day", "label": DAY.isoformat()},
                       {**MONTH, "scope": "lane", "scope_id": w.lane},
                       {**MONTH, "scope": "subdistrict", "scope_id": w.subdistrict}):
            seen = None if headers is expect.admin else _seen(client, headers)
            rows = expect.board(params, seen)
            expect_check(client, "/exports/leaderboard", params, headers, leaderboard.TABLE, rows)
    board = read_csv(client.get("/exports/leaderboard.csv", params=MONTH, headers=steward), leaderboard.TABLE)
    assert [int(r[2]) for r in board] == [w.steward]  # a steward's file: her own line, at her board rank
    assert board[0][3:5] == ["幸福社区", "龙潭街道"]


def expect_check(client: TestClient, path: str, params: dict[str, Any], headers: dict[str, str], table: Table,
                 rows: list[tuple[Any, ...]]) -> None:
    check_both(client, path, params, headers, table, rows)


def test_the_points_export_is_the_explanations_entries(
        client: TestClient, accounts: Accounts, work: Work, expect: Expect) -> None:
    w = work.world
    coordinator = accounts.headers(Role.COORDINATOR, subdistrict_id=w.subdistrict)
    steward = accounts.steward(w.steward)
    for headers in (expect.admin, coordinator, accounts.chief(w.chief), steward):
        seen = None if headers is expect.admin else _seen(client, headers)
        expect_check(client, "/exports/points", MONTH, headers, points.TABLE, expect.points(MONTH, seen))
        expect_check(client, "/exports/points", {**MONTH, "scope": "lane", "scope_id": w.lane}, headers,
                     points.TABLE, expect.points(MONTH, seen, lanes={w.lane}))
    her = {**MONTH, "steward": w.steward}
    expect_check(client, "/exports/points", her, steward, points.TABLE, expect.points(MONTH, {w.steward}))
    expect_check(client, "/exports/points", her, coordinator, points.TABLE, expect.points(MONTH, {w.steward}))
    # A steward's rows on a board's scope add up to her points on that board.
    lane = {**MONTH, "scope": "lane", "scope_id": w.lane}
    rows = read_csv(client.get("/exports/points.csv", params=lane, headers=expect.admin), points.TABLE)
    board = client.get("/leaderboard", params=lane).json()["standings"]
    assert {s["steward_id"]: s["points"] for s in board} == {
        sid: sum(int(r[5]) for r in rows if int(r[1]) == sid) for sid in {int(r[1]) for r in rows}}
    assert read_csv(client.get("/exports/points.csv", params={"period": "month", "label": "2017-08"},
                               headers=expect.admin), points.TABLE) == []


def test_the_cases_export_is_the_case_list_with_its_first_words(
        client: TestClient, accounts: Accounts, work: Work, expect: Expect) -> None:
    w = work.world
    callers = (expect.admin, accounts.headers(Role.COORDINATOR, subdistrict_id=w.subdistrict),
               accounts.chief(w.chief), accounts.steward(w.steward), accounts.steward(w.other_steward),
               accounts.headers(Role.CONTRACTOR, contractor_id=w.contractor))
    for headers in callers:
        for params in ({}, {"lane": w.lane}, {"state": "reported"}, {"open_only": True}, {"state": "closed"}):
            if "lane" in params and headers is callers[-1]:
                continue  # tested below: the company's own lane
            expect_check(client, "/exports/cases", params, headers, cases.TABLE, expect.cases(params, headers))
    rows = read_csv(client.get("/exports/cases.csv", headers=expect.admin), cases.TABLE)
    assert [r[4] for r in rows] == [f"'{HER_NOTE}", f"'{OTHER_NOTE}", f"'{FAR_NOTE}"]
    assert [int(r[0]) for r in rows] == [work.her_case, work.other_case, work.far_case]


def test_the_inspections_export_is_the_lanes_inspections(
        client: TestClient, accounts: Accounts, work: Work, expect: Expect) -> None:
    w, reg = work.world, expect.registry
    her_lanes = reg.lanes_of_subdistricts({w.subdistrict})
    for headers, lanes in ((expect.admin, set(reg.lanes)),
                           (accounts.headers(Role.COORDINATOR, subdistrict_id=w.subdistrict), her_lanes),
                           (accounts.headers(Role.DISTRICT_ADMIN, district_id=w.other_district),
                            reg.lanes_of_subdistricts(reg.subdistricts_of_district(w.other_district))),
                           (accounts.chief(w.chief), {w.lane})):
        expect_check(client, "/exports/inspections", {}, headers, inspections.TABLE, expect.inspections(lanes))
        expect_check(client, "/exports/inspections", {"label": "2017-09"}, headers, inspections.TABLE,
                     expect.inspections(lanes, "2017-09"))
        expect_check(client, "/exports/inspections", {"label": "2017-08"}, headers, inspections.TABLE, [])
    expect_check(client, "/exports/inspections", {"lane": w.lane}, expect.admin, inspections.TABLE,
                 expect.inspections({w.lane}))
    rows = read_csv(client.get("/exports/inspections.csv", params={"lane": w.lane}, headers=expect.admin),
                    inspections.TABLE)
    assert [(r[5], r[8], r[9]) for r in rows] == [("95.0", "W10 无堆物堆料(未整改)", f"'{INSPECTION_NOTE}")]


def test_the_alerts_export_is_the_lanes_alerts(
        client: TestClient, accounts: Accounts, work: Work, expect: Expect) -> None:
    w, reg = work.world, expect.registry
    her_lanes = reg.lanes_of_subdistricts({w.subdistrict})
    for headers, lanes in ((expect.admin, set(reg.lanes)),
                           (accounts.headers(Role.COORDINATOR, subdistrict_id=w.subdistrict), her_lanes),
                           (accounts.chief(w.chief), {w.lane})):
        for params, day in (({}, None), ({"day": DAY.isoformat()}, DAY.isoformat()), ({"day": "2017-09-06"}, "x")):
            rows = expect.alerts(lanes, day) if day != "x" else []
            assert rows or day == "x"
            expect_check(client, "/exports/alerts", params, headers, alerts.TABLE, rows)
        expect_check(client, "/exports/alerts", {"label": "2017-09"}, headers, alerts.TABLE,
                     expect.alerts(lanes, DAY.isoformat()))  # the world's only day of alerts
    acknowledged = expect.alerts({w.lane})[0]
    chief = accounts.chief(w.chief)
    assert client.post(f"/alerts/{acknowledged[0]}/acknowledge", headers=chief).status_code == 200
    expect_check(client, "/exports/alerts", {"lane": w.lane}, chief, alerts.TABLE, expect.alerts({w.lane}))
    day_rows = read_csv(client.get("/exports/alerts.csv", params={"lane": w.lane, "day": DAY.isoformat()},
                                   headers=chief), alerts.TABLE)
    assert [r for r in day_rows if int(r[0]) == acknowledged[0]][0][11] == "2017-09-30 12:00:00"  # NOW in Beijing
    expect_check(client, "/exports/alerts", {"lane": w.lane, "day": DAY.isoformat()}, chief, alerts.TABLE,
                 expect.alerts({w.lane}, DAY.isoformat()))


def test_every_export_is_named_for_people_and_for_every_client(client: TestClient, work: Work, expect: Expect) -> None:
    her, lane = work.world.steward, work.world.lane
    names = {
        "/exports/leaderboard": (MONTH, "leaderboard-2017-09-all", "积分榜-2017-09-all"),
        "/exports/points": ({**MONTH, "steward": her}, f"points-2017-09-all-steward{her}",
                            f"积分明细-2017-09-all-steward{her}"),
        "/exports/cases": ({"lane": lane}, f"cases-lane{lane}", f"工作台账-lane{lane}"),
        "/exports/inspections": ({}, "inspections", "周查"),
        "/exports/alerts": ({"day": DAY.isoformat()}, f"alerts-{DAY.isoformat()}", f"日巡提醒-{DAY.isoformat()}"),
    }
    for path, (params, plain, named) in names.items():
        for extension in ("csv", "xlsx"):
            r = client.get(f"{path}.{extension}", params=params, headers=expect.admin)
            assert r.status_code == 200, r.text
            assert file_names(r) == (f"{plain}.{extension}", f"{named}.{extension}")
            assert r.headers["cache-control"] == "no-store"


def test_an_export_beyond_the_row_limit_is_refused_whole(seeded: Engine, accounts: Accounts, work: Work) -> None:
    admin = accounts.headers(Role.ADMIN)
    small = api(seeded, clock=lambda: NOW, export_max_rows=2)
    for path in ("/exports/cases.csv", "/exports/cases.xlsx", "/exports/inspections.csv", "/exports/alerts.csv",
                 "/exports/points.xlsx?label=2017-09"):
        r = small.get(path, headers=admin)
        assert r.status_code == 422, (path, r.text)
        assert r.json()["code"] == "export_too_large" and "more than 2 rows" in r.json()["detail"]
    assert small.get("/exports/leaderboard.csv?label=2017-09", headers=admin).status_code == 200  # two on the board
    exact = api(seeded, clock=lambda: NOW, export_max_rows=3)
    assert len(read_csv(exact.get("/exports/cases.csv", headers=admin), cases.TABLE)) == 3


def test_bad_export_requests_get_clear_errors(client: TestClient, accounts: Accounts, work: Work) -> None:
    admin = accounts.headers(Role.ADMIN)
    for path, status, code in (
        ("/exports/cases.pdf", 422, "invalid_request"),
        ("/exports/alerts.csv?day=2017-09-05&label=2017-09", 422, "invalid_export"),
        ("/exports/alerts.csv?day=not-a-day", 422, "invalid_request"),
        ("/exports/points.csv?steward=999999", 404, "not_found"),
        ("/exports/leaderboard.csv?scope=lane", 404, "not_found"),
        ("/exports/leaderboard.csv?period=month&label=2017-13", 422, "unknown_period"),
        ("/exports/inspections.xlsx?lane=999999", 404, "not_found"),
        ("/exports/cases.csv?state=resolved", 422, "invalid_request"),
    ):
        r = client.get(path, headers=admin)
        assert (r.status_code, r.json()["code"]) == (status, code), (path, r.text)


def test_every_export_is_in_the_audit_log_of_the_callers_area(
        client: TestClient, accounts: Accounts, work: Work) -> None:
    w = work.world
    coordinator = accounts.headers(Role.COORDINATOR, subdistrict_id=w.subdistrict)
    assert client.get("/exports/cases.xlsx", params={"state": "reported"}, headers=coordinator).status_code == 200
    assert client.get("/exports/points.csv", params={**MONTH, "steward": w.steward},
                      headers=accounts.steward(w.steward)).status_code == 200
    chief = accounts.chief(w.chief)
    assert client.get("/exports/alerts.csv", params={"lane": w.lane}, headers=chief).status_code == 200
    log = client.get("/audit", params={"limit": 10}, headers=coordinator).json()
    by_action = {e["action"]: e for e in log}
    assert set(by_action) >= {"export.cases", "export.points", "export.alerts"}
    mine = by_action["export.cases"]
    assert mine["subject"] == "export:cases.xlsx" and mine["subdistrict_id"] == w.subdistrict
    assert mine["after"] == {"format": "xlsx", "rows": 2, "filters": {"lane": None, "state": "reported",
                                                                    "open_only": False}}
    assert by_action["export.points"]["role"] == "steward" and by_action["export.points"]["after"]["rows"] > 0
    assert by_action["export.alerts"]["lane_id"] == w.lane
    far = accounts.headers(Role.COORDINATOR, subdistrict_id=w.other_subdistrict)
    assert not [e for e in client.get("/audit", headers=far).json() if e["action"].startswith("export.")]
