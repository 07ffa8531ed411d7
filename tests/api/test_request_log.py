"""Request ids on every answer, errors included, and one access line per request with its route template,
status, duration and account: no query, token, password or name in it."""

from __future__ import annotations

import json
import logging

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine, create_engine

from api.request_log import ACCESS_FIELDS, REQUEST_ID_HEADER, RequestContextFilter, RequestLog
from scoring.accounts.roles import Role
from stewards.logs import JsonFormatter
from tests.api.signin import PASSWORD, Accounts, api


def test_a_sane_client_id_is_kept_and_any_other_replaced() -> None:
    client = api(create_engine("sqlite://"))
    kept = client.get("/health/live", headers={REQUEST_ID_HEADER: "phone-42.7:abc"})
    assert kept.headers[REQUEST_ID_HEADER] == "phone-42.7:abc"
    for insane in ("a b", "x" * 129, "a;b", ""):
        r = client.get("/health/live", headers={REQUEST_ID_HEADER: insane})
        made = r.headers[REQUEST_ID_HEADER]
        assert made != insane and len(made) == 32 and made.isalnum()
    first, second = (client.get("/health/live").headers[REQUEST_ID_HEADER] for _ in range(2))
    assert first != second


def test_every_error_answer_carries_the_id() -> None:
    client = api(create_engine("sqlite://"))
    for r in (client.get("/no/such/route"), client.get("/leaderboard", params={"period": "fortnight"}),
              client.delete("/leaderboard"), client.get("/auth/me")):
        assert r.status_code >= 400 and len(r.headers[REQUEST_ID_HEADER]) == 32


def test_a_bugs_500_carries_the_id_and_the_error_body() -> None:
    from api.errors import install_error_handlers

    app = FastAPI()
    install_error_handlers(app)
    app.add_middleware(RequestLog)

    @app.get("/boom")
    def boom() -> None:
        raise RuntimeError("a bug")

    r = TestClient(app, raise_server_exceptions=False).get("/boom", headers={REQUEST_ID_HEADER: "trace-1"})
    assert (r.status_code, r.json()["code"], r.headers[REQUEST_ID_HEADER]) == (500, "internal_error", "trace-1")


def test_the_access_line_names_the_route_not_the_request(seeded: Engine, caplog: pytest.LogCaptureFixture) -> None:
    accounts = Accounts(seeded)
    principal = accounts.principal(Role.ADMIN)
    headers = accounts.headers(Role.ADMIN)
    client = api(seeded)
    caplog.handler.addFilter(RequestContextFilter())  # as serve's handler has it
    with caplog.at_level(logging.INFO, logger="api.access"):
        client.get("/stewards/1/points", params={"label": "2017-09"}, headers={**headers, REQUEST_ID_HEADER: "r-1"})
        client.post("/auth/token", data={"username": principal.username, "password": PASSWORD})
    points, token = [r for r in caplog.records if r.name == "api.access"]
    assert (points.method, points.route, points.status, points.account_id) == (  # type: ignore[attr-defined]
        "GET", "/stewards/{steward_id}/points", 200, principal.account_id)
    assert points.request_id == "r-1" and points.duration_ms >= 0  # type: ignore[attr-defined]
    assert (token.route, token.status, token.account_id) == ("/auth/token", 200, None)  # type: ignore[attr-defined]
    for record in (points, token):
        line = json.loads(JsonFormatter(ACCESS_FIELDS).format(record))
        assert {"time", "level", "logger", "message", "request_id", "method", "route", "status", "duration_ms"} \
            <= set(line)
        text = json.dumps(line)
        for secret in (PASSWORD, headers["Authorization"].split()[1], principal.username, "2017-09"):
            assert secret not in text


def test_records_written_during_a_request_carry_its_id(caplog: pytest.LogCaptureFixture) -> None:
    app = FastAPI()
    app.add_middleware(RequestLog)
    seen = logging.getLogger("tests.request")

    @app.get("/work")
    def work() -> None:
        seen.warning("working")  # in a worker thread, as every sync route runs

    caplog.handler.addFilter(RequestContextFilter())
    with caplog.at_level(logging.WARNING, logger="tests.request"):
        TestClient(app).get("/work", headers={REQUEST_ID_HEADER: "job-7"})
    assert [r.request_id for r in caplog.records if r.name == "tests.request"] == ["job-7"]  # type: ignore[attr-defined]
