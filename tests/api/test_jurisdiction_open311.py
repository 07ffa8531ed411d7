"""The jurisdiction matrix of Open311 and of the API keys behind it: every caller of the world, each with
an api key of its own account, against every route; allowed, or refused (403) with only the spec's
error body. Open311 has no 401: a missing key is refused like a wrong one."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from scoring.accounts.roles import Role
from tests.api.jurisdiction_world import CALLERS, HER_AREA, NOW, World, check_matrix
from tests.api.signin import Accounts, api

HER_CASES = HER_AREA | {"her lane's property company", "the steward"}
STEWARDS = {"the steward", "another steward"}
J = {"jurisdiction_id": "longtan"}


def keys_of_every_caller(client: TestClient, accounts: Accounts, world: World) -> dict[str, str]:
    """An api key per caller, issued for its account by the administrator."""
    admin = accounts.headers(Role.ADMIN)
    keys = {}
    for caller, who in CALLERS.items():
        role, links = who(world)
        account = accounts.principal(role, **links).account_id
        r = client.post(f"/accounts/{account}/api-keys", json={"label": caller}, headers=admin)
        assert r.status_code == 201, r.text
        keys[caller] = r.json()["api_key"]
    return keys


def check_open311_matrix(client: TestClient, keys: dict[str, str], method: str, path: str, allowed: set[str],
                         fields: dict[str, str]) -> dict[str, Any]:
    """Without a key 403; each caller in `allowed` a 2xx, every other 403 with one error and nothing else.
    Returns each allowed caller's answer."""
    def call(extra: dict[str, str]) -> Any:
        if method == "POST":
            return client.post(path, data={**fields, **extra})
        return client.get(path, params={**fields, **extra})

    anonymous = call({})
    assert anonymous.status_code == 403 and anonymous.json()[0]["code"] == 403
    answers, outcome = {}, {}
    for caller, key in keys.items():
        r = call({"api_key": key})
        outcome[caller] = r.status_code
        if r.status_code == 403:
            [error] = r.json()
            assert set(error) == {"code", "description"} and error["code"] == 403
        else:
            answers[caller] = r.json()
    assert {c: 403 if s == 403 else 200 if 200 <= s < 300 else s for c, s in outcome.items()} == \
        {caller: 200 if caller in allowed else 403 for caller in CALLERS}
    return answers


@pytest.fixture
def setup(seeded: Engine, world: World) -> tuple[TestClient, Accounts, dict[str, str], dict[str, str]]:
    """The client, the callers, their keys, and her case: one she reported on her lane, and its token."""
    client, accounts = api(seeded, clock=lambda: NOW), Accounts(seeded, lambda: NOW)
    keys = keys_of_every_caller(client, accounts, world)
    r = client.post("/open311/requests.json", data={
        **J, "api_key": keys["the steward"], "service_code": "piled_materials", "address_id": f"lane:{world.lane}",
        "attribute[position_m]": "5"})
    assert r.status_code == 201, r.text
    return client, accounts, keys, {"case": r.json()[0]["service_request_id"], "token": r.json()[0]["token"]}


ROUTES = {
    "her case": (lambda case: f"/open311/requests/{case['case']}.json", HER_CASES),
    "her case, in XML": (lambda case: f"/open311/requests/{case['case']}.xml", HER_CASES),
    "her report's token": (lambda case: f"/open311/tokens/{case['token']}.json", HER_CASES),
}


@pytest.mark.parametrize("route", sorted(ROUTES))
def test_her_case_is_for_her_area_and_for_her(setup: Any, route: str) -> None:
    client, _, keys, case = setup
    path_of, allowed = ROUTES[route]
    if route.endswith("XML"):  # the XML answers the same statuses; its bodies are checked in test_open311
        for caller, key in keys.items():
            r = client.get(path_of(case), params={**J, "api_key": key})
            assert r.status_code == (200 if caller in allowed else 403), caller
            assert r.headers["content-type"] == "text/xml; charset=utf-8"
        return
    answers = check_open311_matrix(client, keys, "GET", path_of(case), allowed, J)
    for answer in answers.values():
        assert answer[0]["service_request_id"] == case["case"]


def test_the_case_list_holds_what_each_caller_may_see(setup: Any) -> None:
    client, _, keys, case = setup
    answers = check_open311_matrix(client, keys, "GET", "/open311/requests.json", set(CALLERS), J)
    seen = {caller for caller, found in answers.items() if [r["service_request_id"] for r in found] == [case["case"]]}
    assert seen == HER_CASES
    assert all(found == [] for caller, found in answers.items() if caller not in HER_CASES)


def test_only_stewards_file_reports(setup: Any, world: World) -> None:
    client, _, keys, _ = setup
    report = {**J, "service_code": "parking_lock", "address_id": f"lane:{world.lane}", "attribute[position_m]": "60"}
    check_open311_matrix(client, keys, "POST", "/open311/requests.json", STEWARDS, report)


@pytest.mark.parametrize("path", ["/open311/discovery.json", "/open311/services.xml",
                                  "/open311/services/wall_opening.json"])
def test_the_services_are_public(setup: Any, path: str) -> None:
    client, _, keys, _ = setup
    assert client.get(path, params=J).status_code == 200
    for key in keys.values():
        assert client.get(path, params={**J, "api_key": key}).status_code == 200


def test_an_accounts_keys_are_its_holders_and_the_administrators(seeded: Engine, world: World) -> None:
    client, accounts = api(seeded, clock=lambda: NOW), Accounts(seeded, lambda: NOW)
    holder = accounts.principal(Role.STEWARD, steward_id=world.steward).account_id
    allowed = {"the steward", "the administrator"}
    made = check_matrix(client, accounts, world, "POST", f"/accounts/{holder}/api-keys", allowed, json={"label": "x"})
    assert [made[c] for c in sorted(allowed)] == [201, 201]
    check_matrix(client, accounts, world, "GET", f"/accounts/{holder}/api-keys", allowed)
    listed = client.get(f"/accounts/{holder}/api-keys", headers=accounts.steward(world.steward)).json()
    check_matrix(client, accounts, world, "DELETE", f"/accounts/{holder}/api-keys/{listed[0]['id']}", allowed)
