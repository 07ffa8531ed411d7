"""Schemathesis against the app in-process: every route, every check, as every caller of the jurisdiction world.

The cases come from the app's own OpenAPI document, valid and invalid; each answer must be one the route
declares, in the body its schema names, with the headers it names (a 405's Allow, a 401's
WWW-Authenticate). One seeded SQLite store serves the whole run, written to as it goes; the run is
derandomised and bounded so it ends in a minute or two:
- every route gets every phase (its examples, the coverage phase's boundary values, then fuzzing), signed in
  as the administrator, whom no route refuses, so the cases reach the route's own work;
- every route that reads the credential is fuzzed again as each other caller of the jurisdiction world (a
  steward, a chief, a property company, the offices, a machine), where the answers differ: their 403s and
  their smaller lists must keep the schema too. A route that reads no credential answers all alike.

One check is the API's own, and stands in for Schemathesis' `positive_data_acceptance` as to 422: a request
the schema allows may still be refused by a rule no OpenAPI schema can say (a label of another kind than the
`period` beside it, a week 53 in a year without one, a lane with no such checkpoint), and then it is refused
with that rule's own code; what must never refuse it is request validation (`invalid_request`), since that
would mean the document and the validators disagree.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Final

import pytest
import schemathesis
from fastapi import FastAPI
from schemathesis.specs.openapi.checks import positive_data_acceptance
from sqlalchemy import create_engine
from starlette.testclient import TestClient

from api.app import create_app
from api.ratelimit import NO_RATE_LIMITS
from scoring.seed.dataset import Dataset
from scoring.storage.engine import make_engine
from stewards.registry import prepare_store
from tests.api.jurisdiction_world import CALLERS, build_world
from tests.api.signin import TOKENS, Accounts

MAX_EXAMPLES: Final = 6  # fuzzed cases a route, on top of its coverage cases
MAX_EXAMPLES_A_CALLER: Final = 3  # fuzzed cases a guarded route and caller
ADMINISTRATOR: Final = "the administrator"


def _schema() -> Any:
    # The document only: the store behind this app is never reached.
    loaded = schemathesis.openapi.from_asgi(
        "/openapi.json", create_app(create_engine("sqlite://"), tokens=TOKENS, rate_limits=NO_RATE_LIMITS))
    loaded.config.generation.update(max_examples=MAX_EXAMPLES, deterministic=True, database="none")
    loaded.config.checks.update(included_check_names=["all"])
    # 422 too, for a domain rule's refusal; `valid_input_passes_validation` holds request validation to it.
    loaded.config.checks.positive_data_acceptance.expected_statuses = [
        "2xx", "3xx", "401", "403", "404", "409", "422", "429", "5xx"]
    return loaded


def _guarded(spec: dict[str, Any]) -> set[tuple[str, str]]:
    """The operations that read the caller's credential (OpenAPI's `security`)."""
    return {(method.upper(), path) for path, ops in spec["paths"].items() for method, op in ops.items()
            if op.get("security")}


schema = _schema()
GUARDED: Final = _guarded(schema.raw_schema)
guarded = _schema().include(lambda ctx: (ctx.operation.method.upper(), ctx.operation.path) in GUARDED)
guarded.config.phases.coverage.enabled = False
guarded.config.generation.update(max_examples=MAX_EXAMPLES_A_CALLER)


@schemathesis.check
def valid_input_passes_validation(ctx: Any, response: Any, case: Any) -> bool | None:
    """A request the schema allows is never refused as `invalid_request`: the validators are the schema's."""
    meta = case.meta
    if meta is None or not meta.generation.mode.is_positive or response.status_code != 422:
        return None
    body = response.json()
    if body.get("code") == "invalid_request":
        raise AssertionError(f"a schema-valid request was refused by request validation: {body['detail']}")
    return None


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory, longtan: Dataset) -> tuple[FastAPI, dict[str, dict[str, str]]]:
    """The seeded SQLite store, its app, and a token for each caller of the jurisdiction world."""
    path: Path = tmp_path_factory.mktemp("schemathesis") / "stewards.db"
    engine = make_engine(f"sqlite:///{path}")
    prepare_store(engine, longtan)
    world = build_world(engine, longtan)
    accounts = Accounts(engine)
    headers = {}
    for caller, who in CALLERS.items():
        role, links = who(world)
        headers[caller] = accounts.headers(role, **links)
    return create_app(engine, tokens=TOKENS, rate_limits=NO_RATE_LIMITS), headers


def _excluded(case: Any) -> list[Any]:
    """GeoReport v2 answers every refusal with 400 (a service request lacking a place, an unknown code), which
    no schema can tell apart from a bad request: its routes are held to their documented statuses instead."""
    return [positive_data_acceptance] if case.operation.path.startswith("/open311/") else []


@pytest.mark.integration
@schema.parametrize()
def test_every_route_answers_as_its_schema_says(case: Any, served: tuple[FastAPI, dict[str, dict[str, str]]]) -> None:
    app, headers = served
    case.call_and_validate(app=app, headers=headers[ADMINISTRATOR], additional_checks=[valid_input_passes_validation],
                           excluded_checks=_excluded(case))


@pytest.mark.integration
@pytest.mark.parametrize("caller", [caller for caller in CALLERS if caller != ADMINISTRATOR])
@guarded.parametrize()
def test_every_guarded_route_answers_each_caller_as_its_schema_says(
        case: Any, caller: str, served: tuple[FastAPI, dict[str, dict[str, str]]]) -> None:
    app, headers = served
    case.call_and_validate(app=app, headers=headers[caller], additional_checks=[valid_input_passes_validation],
                           excluded_checks=_excluded(case))


def test_the_run_covers_every_route() -> None:
    spec = TestClient(create_app(create_engine("sqlite://"), tokens=TOKENS)).get("/openapi.json").json()
    documented = {(method.upper(), path) for path, ops in spec["paths"].items() for method in ops}
    tested = {(op.ok().method.upper(), op.ok().path) for op in schema.get_all_operations()}
    assert tested == documented and len(tested) >= 25
