"""The error table: one row per domain error, one body shape, and OpenAPI documents what the handlers answer."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import create_engine

from api.app import create_app
from api.errors import ERROR_TABLE, INTERNAL, answer_for, error_responses, install_error_handlers
from scoring.cases.errors import CaseError, IllegalTransitionError, UnknownCaseError
from scoring.errors import ScoringError, StorageUnavailableError, UnknownScopeError
from tests.api.signin import TOKENS, api


class _NewCaseError(IllegalTransitionError):
    """A subclass nobody gave a row yet."""


def test_the_most_specific_row_answers_and_a_new_subclass_inherits_its_parents() -> None:
    assert (answer_for(UnknownCaseError).status, answer_for(UnknownCaseError).code) == (404, "unknown_case")
    assert answer_for(_NewCaseError) == answer_for(IllegalTransitionError) == ERROR_TABLE[IllegalTransitionError]
    assert answer_for(CaseError).status == 400
    assert answer_for(KeyError) == INTERNAL


def test_every_row_has_a_client_or_server_status_and_a_snake_case_code() -> None:
    for cls, answer in ERROR_TABLE.items():
        assert 400 <= answer.status < 600, cls
        assert answer.code.replace("_", "").isalpha() and answer.code.islower(), cls
    assert ERROR_TABLE[StorageUnavailableError].status == 503


def _app_raising(exc: Exception) -> TestClient:
    app = FastAPI()
    install_error_handlers(app)

    @app.get("/boom")
    def boom() -> None:
        raise exc

    return TestClient(app, raise_server_exceptions=False)


@pytest.mark.parametrize(("exc", "status", "code"), [
    (UnknownScopeError("no lane with id 7"), 404, "not_found"),
    (StorageUnavailableError("database unavailable"), 503, "storage_unavailable"),
    (_NewCaseError("reported can become confirmed"), 409, "illegal_transition"),
    (ScoringError("a bug"), 500, "internal_error"),
    (RuntimeError("a bug"), 500, "internal_error"),
])
def test_the_body_is_code_and_detail(exc: Exception, status: int, code: str) -> None:
    r = _app_raising(exc).get("/boom")
    assert r.status_code == status
    body = r.json()
    assert body["code"] == code
    internal = code == "internal_error"  # says nothing of the server's insides
    assert body["detail"] == ("the server failed to answer this request; it has been logged" if internal else str(exc))


def test_request_validation_and_plain_http_errors_share_the_shape() -> None:
    client = api(create_engine("sqlite://"))
    invalid = client.get("/leaderboard", params={"period": "fortnight"})
    assert invalid.status_code == 422 and invalid.json()["code"] == "invalid_request"
    assert invalid.json()["detail"][0]["loc"] == ["query", "period"]
    missing = client.get("/no/such/route")
    assert (missing.status_code, missing.json()) == (404, {"code": "not_found", "detail": "Not Found"})
    wrong_method = client.delete("/leaderboard")
    assert (wrong_method.status_code, wrong_method.json()["code"]) == (405, "method_not_allowed")


def test_error_responses_name_every_code_of_a_status() -> None:
    documented = error_responses(UnknownCaseError, IllegalTransitionError, StorageUnavailableError)
    assert sorted(documented) == [404, 409, 503]
    assert "unknown_case" in documented[404]["description"]
    from scoring.cases.errors import InvalidCaseInputError

    with_input = error_responses(InvalidCaseInputError)
    assert "invalid_request" in with_input[422]["description"]
    assert "invalid_case_input" in with_input[422]["description"]


READINESS = {"/ready": "/ReadyOut", "/health/ready": "/ReadinessOut"}


def _ref(response: dict[str, Any]) -> str:
    return str(response["content"]["application/json"]["schema"]["$ref"])


def test_openapi_documents_the_error_body_on_every_route() -> None:
    spec = create_app(create_engine("sqlite://"), tokens=TOKENS).openapi()
    assert set(spec["components"]["schemas"]["ErrorOut"]["required"]) == {"code", "detail"}
    for path, operations in spec["paths"].items():
        for method, op in operations.items():
            errors = {status: r for status, r in op["responses"].items() if status == "default" or int(status) >= 400}
            if path == "/health/live":  # the process answers, or nothing does: no error of its own
                assert errors == {}
                continue
            assert "503" in errors, (method, path)
            if path.startswith("/open311/"):  # GeoReport v2's error list, with the spec's three statuses
                assert set(errors) == {"400", "403", "404", "503", "default"}, (method, path)
                assert all(r["content"]["application/json"]["schema"]["items"]["$ref"].endswith("/Open311ErrorOut")
                           for r in errors.values()), (method, path)
                continue
            if path in READINESS:  # its 503 is a readiness report naming what fails, not an error
                assert _ref(errors["503"]).endswith(READINESS[path])
                continue
            assert all(_ref(r).endswith("/ErrorOut") for r in errors.values()), (method, path)
            if op.get("parameters") or op.get("requestBody"):
                assert "invalid_request" in errors["422"]["description"], (method, path)
    transitions = spec["paths"]["/cases/{case_id}/transitions"]["post"]["responses"]
    assert {"403", "404", "409", "422", "503"} <= set(transitions)
