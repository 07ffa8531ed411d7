"""Every input is bounded: ids, text, lists, bodies, periods at the calendar's edges; every list pages.

The walks run over the app as built, so a route or a request body added later is held to the same bounds.
"""

from __future__ import annotations

import importlib
import pkgutil
import typing
from typing import Any

import pytest
from annotated_types import MaxLen
from pydantic import BaseModel
from sqlalchemy import Engine, create_engine

from api.app import create_app
from api.deps import _page
from api.openapi import api_routes, depends_on
from api.schemas.base import STORE_ID_MAX, InModel
from scoring.accounts.roles import Role
from scoring.seed.dataset import BAND_ID_MAX
from tests.api.signin import TOKENS, Accounts, api


def _spec() -> dict[str, Any]:
    return create_app(create_engine("sqlite://"), tokens=TOKENS).openapi()


def _integer_bounds(spec: dict[str, Any], schema: dict[str, Any]) -> list[dict[str, Any]]:
    if "$ref" in schema:
        return _integer_bounds(spec, spec["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]])
    options = [s for s in schema.get("anyOf", [schema]) if s.get("type") != "null"]
    return [s for s in options if s.get("type") == "integer"]


# GeoReport v2's names for text: a subdistrict's key, a comma list of ids, `checkpoint:<id>`.
OPEN311_TEXT_IDS = {"jurisdiction_id", "service_request_id", "address_id"}


def _is_id(name: str) -> bool:
    return (name == "id" or name.endswith("_id") or name in ("lane", "duplicate_of")) and name not in OPEN311_TEXT_IDS


def _id_max(name: str) -> int:
    """A band's id is its own u32 number, printed on it; every other id is a store key."""
    return BAND_ID_MAX if name == "band_id" else STORE_ID_MAX


def test_every_id_in_a_path_a_query_or_a_body_is_bounded_to_the_stores_keys() -> None:
    spec = _spec()
    seen = 0
    for path, operations in spec["paths"].items():
        for method, op in operations.items():
            for param in op.get("parameters", []):
                if _is_id(param["name"]):
                    seen += 1
                    for s in _integer_bounds(spec, param["schema"]) or [{}]:
                        assert s.get("minimum") == 1 and s.get("maximum") == _id_max(param["name"]), \
                            (method, path, param)
    for name, model in spec["components"]["schemas"].items():
        if not name.endswith("In"):
            continue
        for field, sub in model.get("properties", {}).items():
            if _is_id(field) and field != "client_id":  # OAuth2's client names a program, not a row
                seen += 1
                for s in _integer_bounds(spec, sub) or [{}]:
                    assert s.get("minimum") == 1 and s.get("maximum") == _id_max(field), (name, field)
    assert seen >= 20


def _request_bodies() -> list[type[BaseModel]]:
    for module in pkgutil.iter_modules(importlib.import_module("api.schemas").__path__):
        importlib.import_module(f"api.schemas.{module.name}")
    found: list[type[BaseModel]] = []
    pending: list[type[BaseModel]] = [InModel]
    while pending:
        cls = pending.pop()
        for sub in cls.__subclasses__():
            found.append(sub)
            pending.append(sub)
    return found


def _holds(annotation: Any, kind: type) -> bool:
    args = typing.get_args(annotation)
    return annotation is kind or typing.get_origin(annotation) is kind or any(_holds(a, kind) for a in args)


def test_every_text_and_list_of_a_request_body_has_a_max_length() -> None:
    bodies = _request_bodies()
    assert len(bodies) >= 8
    for model in bodies:
        for name, field in model.model_fields.items():
            if _holds(field.annotation, str) or _holds(field.annotation, list):
                assert any(isinstance(m, MaxLen) for m in field.metadata), f"{model.__name__}.{name} has no max_length"


def test_a_body_past_the_limit_is_a_413_with_the_error_body(seeded: Engine) -> None:
    client = api(seeded, max_body_bytes=2048)
    declared = client.post("/cases", content=b"{" + b" " * 4096 + b"}", headers={"Content-Type": "application/json"})
    assert declared.status_code == 413 and declared.json()["code"] == "body_too_large"
    assert "2048" in declared.json()["detail"] and declared.headers["X-Request-ID"]

    def chunks() -> Any:  # no Content-Length: the body is counted as it arrives
        for _ in range(8):
            yield b" " * 512

    streamed = client.post("/cases", content=chunks(), headers={"Content-Type": "application/json"})
    assert streamed.status_code == 413 and streamed.json()["code"] == "body_too_large"
    assert client.post("/auth/refresh", json={"refresh_token": "x" * 100}).status_code == 401  # under it: read


CALENDAR_EDGES = [
    ("/stewards/1/totals", {"year": 0}, "invalid_request"),
    ("/stewards/1/totals", {"year": 10000}, "invalid_request"),
    ("/leaderboard", {"period": "week", "label": "2017-W53"}, "unknown_period"),  # 2017 has 52 ISO weeks
    ("/leaderboard", {"period": "week", "label": "9999-W52"}, "unknown_period"),  # runs into year 10000
    ("/leaderboard", {"period": "month", "label": "9999-12"}, "unknown_period"),  # ends on the last day
    ("/leaderboard", {"period": "month", "label": "0001-01"}, "unknown_period"),  # Beijing's midnight is year 0
    ("/activity", {"period": "month", "label": "0001-01"}, "unknown_period"),
    ("/leaderboard", {"period": "day", "label": "2017-02-29"}, "unknown_period"),
    ("/leaderboard", {"period": "month", "label": "2017-Q2"}, "unknown_period"),  # a label of another kind
    ("/leaderboard", {"period": "quarter", "label": "2017-05"}, "unknown_period"),
    ("/leaderboard", {"period": "range"}, "unknown_period"),  # a range has no default
    ("/", {"period": "range"}, "unknown_period"),
    ("/leaderboard", {"period": "range", "label": "2017-09-30..2017-09-01"}, "unknown_period"),
    ("/leaderboard", {"period": "year", "label": "２０１７"}, "invalid_request"),  # full-width digits
    ("/leaderboard", {"period": "year", "label": "17"}, "invalid_request"),
    ("/leaderboard", {"period": "week", "label": "2017-W1"}, "invalid_request"),
    ("/leaderboard", {"period": "month", "label": ""}, "invalid_request"),
]


@pytest.mark.parametrize(("path", "params", "code"), CALENDAR_EDGES)
def test_years_and_labels_at_the_calendars_edges_are_refused_with_a_reason(
    path: str, params: dict[str, Any], code: str
) -> None:
    r = api(create_engine("sqlite://")).get(path, params=params)
    assert (r.status_code, r.json()["code"]) == (422, code), r.text


def test_a_day_is_iso_text_not_a_number(seeded: Engine) -> None:
    client = api(seeded)
    admin = Accounts(seeded).headers(Role.ADMIN)
    r = client.get("/lanes/1/alerts", params={"day": "0"}, headers=admin)  # pydantic alone reads 1970-01-01
    assert (r.status_code, r.json()["code"]) == (422, "invalid_request")
    assert r.json()["detail"][0]["loc"] == ["query", "day"]


def test_the_edges_just_inside_the_calendar_answer(seeded: Engine) -> None:
    client = api(seeded)
    for params in ({"period": "week", "label": "9999-W51"}, {"period": "day", "label": "0001-01-02"},
                   {"period": "year", "label": "2017"}, {"period": "range", "label": "2017-05-01..2018-04-30"}):
        r = client.get("/leaderboard", params=params)
        assert r.status_code == 200, (params, r.text)
    assert client.get("/stewards/1/totals", params={"year": 9999}).status_code == 200


# --- Paging --------------------------------------------------------------------------------------

# Lists inside one thing, bounded by it: not pages of the store.
UNPAGED = {
    ("GET", "/inspections/checklist"),  # the 十有十无 file's twenty items
    ("GET", "/cases/{case_id}"),  # one case's reports and moves
    ("GET", "/registry/lanes/{lane_id}"),  # one lane's segments and chiefs
    ("GET", "/ready"), ("GET", "/health/ready"),  # this process's jobs
    ("GET", "/subdistricts/{subdistrict_id}/bulletins/{quarter}"),  # one document, bounded by what it prints
    ("GET", "/subdistricts/{subdistrict_id}/awards/{year}"),  # one award report, likewise
    ("GET", "/stewards/{steward_id}/awards"),  # one award a year at most
    ("GET", "/stewards/{steward_id}/card"),  # one steward's card: their lanes and teams
    ("GET", "/credentials/issuers"),  # one key per office and closed year
    # GeoReport v2's fixed lists: the service catalogue, one definition, one request or token (by id list)
    ("GET", "/open311/discovery.{fmt}"), ("GET", "/open311/services.{fmt}"),
    ("GET", "/open311/services/{service_code}.{fmt}"), ("GET", "/open311/requests/{service_request_id}.{fmt}"),
    ("GET", "/open311/tokens/{token}.{fmt}"),
}


def _lists(model: Any) -> bool:
    if typing.get_origin(model) is list:
        return True
    return isinstance(model, type) and issubclass(model, BaseModel) and any(
        typing.get_origin(f.annotation) is list for f in model.model_fields.values())


def test_every_list_pages_with_page_dep_and_states_its_order() -> None:
    app = create_app(create_engine("sqlite://"), tokens=TOKENS)
    paged = set()
    for route in api_routes(app):
        for method in route.methods:
            if method != "GET" or not _lists(route.response_model) or (method, route.path_format) in UNPAGED:
                continue
            paged.add(route.path_format)
            assert depends_on(route, _page), f"{route.path_format} returns a list without PageDep"
            assert "Order:" in route.description, f"{route.path_format} does not state its order"
    assert {"/stewards/{steward_id}/points", "/stewards/{steward_id}/explanation", "/leaderboard",
            "/cases", "/audit", "/registry/stewards"} <= paged


def test_the_limit_is_bounded(seeded: Engine) -> None:
    client = api(seeded)
    assert client.get("/registry/lanes", params={"limit": 501}).status_code == 422
    assert client.get("/registry/lanes", params={"offset": -1}).status_code == 422
    assert len(client.get("/registry/lanes").json()) == 100  # the default page


def test_pages_of_the_registry_follow_one_another(seeded: Engine) -> None:
    client = api(seeded)
    whole = [lane["id"] for lane in client.get("/registry/lanes", params={"limit": 500}).json()]
    first = [lane["id"] for lane in client.get("/registry/lanes", params={"limit": 7}).json()]
    second = [lane["id"] for lane in client.get("/registry/lanes", params={"limit": 7, "offset": 7}).json()]
    assert first + second == whole[:14] and whole == sorted(whole)
    admin = Accounts(seeded).headers(Role.ADMIN)
    stewards = client.get("/registry/stewards", params={"limit": 3, "offset": 2}, headers=admin).json()
    assert [s["id"] for s in stewards] == sorted(s["id"] for s in stewards) and len(stewards) == 3
