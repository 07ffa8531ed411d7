"""Every route of the OpenAPI document, walked with bad input on both stores: never a 500, always the error body.

The values are chosen from each parameter's and body field's schema type: wrong types, ids past the stores'
integer range, NUL characters (PostgreSQL's text cannot hold them), unknown enum values, dates that do not
exist. Each request changes one input of an otherwise plausible request, so it reaches past validation.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, create_engine, select

from api.app import create_app
from api.ratelimit import NO_RATE_LIMITS
from scoring.storage import tables as t
from tests.api.signin import TOKENS, Accounts

BAD_BY_TYPE: dict[str, list[Any]] = {
    "integer": ["abc", -1, 0, 2**31, 2**63, 10**30, 1.5, "", None, True],
    "number": ["abc", -1, 1e308, -1e308, "", None, "NaN"],
    "string": ["\x00", "x\x00y", "", "é" * 5000, "9" * 400, "2017-13-45", "-1", None, 12],
    "boolean": ["maybe", 2, "", None],
    "array": ["x", {}, [None], None],
    "object": ["x", [], None],
}
PERIOD_LABELS = ["2017-W99", "9999-W52", "9999", "0", "10000", "2017-Q0", "2017-02-30", "0001-01-01..9999-12-31",
                 "2017-09-30..2017-09-01", "\x00", "1" * 5000]


def _resolve(spec: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    if "$ref" in schema:
        return _resolve(spec, spec["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]])
    for key in ("anyOf", "oneOf", "allOf"):
        if key in schema:
            options = [_resolve(spec, s) for s in schema[key] if s.get("type") != "null"]
            return options[0] if options else {}
    return schema


def _plausible(spec: dict[str, Any], schema: dict[str, Any]) -> Any:
    """A value that passes the schema's own checks, so that the request reaches the handler."""
    s = _resolve(spec, schema)
    if "enum" in s:
        return s["enum"][0]
    match s.get("type"):
        case "integer":
            return max(1, s.get("minimum", 1))
        case "number":
            return 1.0
        case "boolean":
            return True
        case "array":
            return [_plausible(spec, s.get("items", {}))]
        case "object":
            return {name: _plausible(spec, sub) for name, sub in s.get("properties", {}).items()
                    if name in s.get("required", ())}
        case "string" if s.get("format") == "date-time":
            return "2017-09-05T09:00:00+08:00"
        case "string" if s.get("format") == "date":
            return "2017-09-05"
    return "x"


def _bad_values(spec: dict[str, Any], schema: dict[str, Any], name: str) -> list[Any]:
    s = _resolve(spec, schema)
    values = list(BAD_BY_TYPE.get(s.get("type", "string"), BAD_BY_TYPE["string"]))
    if "enum" in s:
        values.append("no-such-value")
    if name in ("label", "month", "quarter"):  # a period's label, in the query or in the path
        values += PERIOD_LABELS
    if name == "actor":
        values += ["chief:99999999999999999999", "chief:-1", "chief:", "steward:1:2", "system:1"]
    return values


def _requests(spec: dict[str, Any]) -> Iterator[tuple[str, str, dict[str, Any], Any]]:
    """(method, path, query, json body) with one input changed for the worse."""
    for template, operations in spec["paths"].items():
        for method, op in operations.items():
            params = op.get("parameters", [])
            # Open311's paths end in their format: a plausible one reaches past the format check.
            path_args = {p["name"]: "json" if p["name"] == "fmt" else _plausible(spec, p["schema"])
                         for p in params if p["in"] == "path"}
            body_schema = op.get("requestBody", {}).get("content", {}).get("application/json", {}).get("schema")
            body: dict[str, Any] = _plausible(spec, body_schema) if body_schema else {}

            def url(args: dict[str, Any], _template: str = template) -> str:
                # Percent-encoded, as a client sends a path segment: a NUL or a slash is still a bad value then.
                return _template.format(**{k: quote(str(v), safe="") for k, v in args.items()})

            for p in params:
                for bad in _bad_values(spec, p["schema"], p["name"]):
                    if p["in"] == "path":
                        if bad in (None, ""):
                            continue  # an empty path segment is another route
                        yield method, url({**path_args, p["name"]: bad}), {}, body or None
                    elif bad is not None:
                        yield method, url(path_args), {p["name"]: bad}, body or None
            if body_schema is None:
                continue
            yield method, url(path_args), {}, None
            yield method, url(path_args), {}, []
            fields = _resolve(spec, body_schema).get("properties", {})
            for name, sub in fields.items():
                for bad in _bad_values(spec, sub, name):
                    yield method, url(path_args), {}, {**body, name: bad}
                items = _resolve(spec, sub).get("items")
                if items and _resolve(spec, items).get("type") == "object":
                    item = _plausible(spec, items)
                    for item_name, item_schema in _resolve(spec, items).get("properties", {}).items():
                        for bad in _bad_values(spec, item_schema, item_name):
                            yield method, url(path_args), {}, {**body, name: [{**item, item_name: bad}]}


def test_the_walk_covers_every_route_and_method() -> None:
    spec = create_app(create_engine("sqlite://"), tokens=TOKENS).openapi()
    walked = {(method, path) for method, path, _, _ in _requests(spec)}
    assert {method for method, _ in walked} == {"get", "post", "delete"}
    assert len(walked) > 100 and len(spec["paths"]) >= 20


@pytest.mark.integration
def test_no_bad_input_gets_a_500(seeded: Engine) -> None:
    client = TestClient(create_app(seeded, tokens=TOKENS, rate_limits=NO_RATE_LIMITS), raise_server_exceptions=False)
    # Signed in, so a write's input is checked, not just its credential; a chief, who may write most.
    with seeded.connect() as conn:
        chief_id = conn.scalar(select(t.Chief.id).order_by(t.Chief.id).limit(1))
    assert chief_id is not None
    client.headers.update(Accounts(seeded).chief(chief_id))
    spec = client.get("/openapi.json").json()
    failures = []
    count = 0
    for method, path, query, body in _requests(spec):
        count += 1
        r = client.request(method, path, params=query, json=body)
        if r.status_code >= 500:
            failures.append((method, path, query, body, r.status_code, r.text[:200]))
        elif r.status_code >= 400 and path.startswith("/open311/"):  # GeoReport v2's errors, not ours
            [error] = r.json()
            assert set(error) == {"code", "description"} and error["code"] == r.status_code, (method, path, error)
            assert r.status_code in (400, 403, 404), (method, path, error)
        elif r.status_code >= 400:
            error = r.json()
            assert set(error) == {"code", "detail"} and error["code"] and error["detail"], (method, path, error)
    assert count > 500
    assert failures == []
