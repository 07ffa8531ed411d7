"""What each route can answer is what OpenAPI says it answers: the walk over the app's routes derives the
errors each one's parts imply (parameters → 422, a body → 413 and 422, the session → 503, a credential →
401, a credential on a write → 429, the sign-in limit → 429) and holds them to the document, each with the
one error body. Schemathesis (test_schemathesis.py) holds the answers actually given to the same document."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from sqlalchemy import create_engine

from api.app import create_app
from api.auth import PrincipalDep, _principal
from api.deps import SessionDep
from api.errors import answer_for, error_responses
from api.openapi import api_routes, depends_on, implied_errors, writes
from api.schemas.base import InModel, Text
from tests.api.signin import TOKENS

READINESS = {"/ready", "/health/ready"}  # their 503 is a readiness report, not an error


def _app_and_spec() -> tuple[Any, dict[str, Any]]:
    app = create_app(create_engine("sqlite://"), tokens=TOKENS)
    return app, app.openapi()


def test_every_route_declares_what_its_parts_can_answer() -> None:
    app, spec = _app_and_spec()
    checked = 0
    for route in api_routes(app):
        if not route.include_in_schema:
            continue
        for method in route.methods:
            responses = spec["paths"][route.path_format][method.lower()]["responses"]
            if "default" in responses:  # Open311's routes answer every error in GeoReport's own format
                continue
            for status, entry in error_responses(*implied_errors(route)).items():
                assert str(status) in responses, (method, route.path_format, status)
                if route.path_format in READINESS and status == 503:
                    continue
                wanted = entry["description"].partition("; code: ")[2].split(", ")
                declared = responses[str(status)]["description"]
                assert all(code in declared for code in wanted), (method, route.path_format, status, declared)
                checked += 1
    assert checked > 60


def test_each_kind_of_route_declares_its_statuses() -> None:
    app, spec = _app_and_spec()
    for route in api_routes(app):
        if not route.include_in_schema:
            continue
        for method in route.methods:
            operation = spec["paths"][route.path_format][method.lower()]
            declared = set(operation["responses"])
            if "default" in declared:  # Open311's own format: tests/api/test_errors.py checks its list
                continue
            if "requestBody" in operation:
                assert {"413", "422"} <= declared, (method, route.path_format)
            if depends_on(route, _principal):
                assert "401" in declared, route.path_format
                if writes(route):
                    assert {"409", "429"} <= declared, (method, route.path_format)  # 409: a commit's unique key
            if "{" in route.path_format and route.path_format not in ("/auth/me",):
                assert "404" in declared, f"{route.path_format} names a thing by id but declares no 404"
    token = spec["paths"]["/auth/token"]["post"]["responses"]
    assert {"401", "413", "422", "429", "503"} <= set(token)
    assert "rate_limited" in token["429"]["description"] and "locked_out" in token["429"]["description"]


def test_the_error_rows_the_walk_adds_are_in_the_table() -> None:
    from api.errors import BodyTooLargeError, RateLimitedError

    assert (answer_for(BodyTooLargeError).status, answer_for(BodyTooLargeError).code) == (413, "body_too_large")
    assert (answer_for(RateLimitedError).status, answer_for(RateLimitedError).code) == (429, "rate_limited")


class NoteIn(InModel):
    text: Text


def test_a_new_router_is_documented_without_naming_its_errors() -> None:
    router = APIRouter()

    @router.post("/notes")
    def post_note(body: NoteIn, principal: PrincipalDep, session: SessionDep) -> None:
        """A route that declares nothing of its own."""

    app = create_app(create_engine("sqlite://"), tokens=TOKENS)
    app.include_router(router)  # even after create_app: the document is completed when it is built
    responses = app.openapi()["paths"]["/notes"]["post"]["responses"]
    assert {"401", "409", "413", "422", "429", "503"} <= set(responses)
    assert all(r["content"]["application/json"]["schema"]["$ref"].endswith("/ErrorOut")
               for status, r in responses.items() if int(status) >= 400)
