"""Every route's OpenAPI answers, completed from what the route is built of.

A route declares the errors of its own work (`error_responses(UnknownCaseError, ...)`); the errors that come
with its parts are added here, to the document the app serves: request validation (422) where it takes
parameters or a body, the body limit (413) where it reads a body, and whatever its dependencies declare with
`@declares` (the session's 503, a credential's 401, the write limit's 429 on writes, the sign-in limit's 429).
So a new router's routes document these answers without naming them, and cannot forget one.

The document is completed by overriding `app.openapi`, FastAPI's way of extending its schema; `api_routes`
is the one place that knows how FastAPI nests the routes of included routers.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any, Protocol

from fastapi import FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.exceptions import RequestValidationError
from fastapi.routing import iter_route_contexts

from api.errors import DEPENDENCY_ERRORS, BodyTooLargeError, error_responses
from api.ratelimit import SAFE_METHODS
from api.schemas.errors import ErrorOut

_ERROR_REF = "#/components/schemas/ErrorOut"


class ApiRoute(Protocol):
    """What the walk reads of a route, wherever FastAPI keeps it: its full path, methods and parts."""

    path_format: str
    methods: set[str]
    dependant: Dependant
    include_in_schema: bool
    response_model: Any
    description: str
    endpoint: Callable[..., Any]


def api_routes(app: FastAPI) -> list[ApiRoute]:
    """Every route with a FastAPI dependant, those of included routers under their full paths."""
    return [context for context in iter_route_contexts(app.routes)  # type: ignore[misc]
            if getattr(context, "dependant", None) is not None]


def _parts(dependant: Dependant) -> Iterator[Dependant]:
    yield dependant
    for sub in dependant.dependencies:
        yield from _parts(sub)


def writes(route: ApiRoute) -> bool:
    return bool(set(route.methods) - SAFE_METHODS)


def depends_on(route: ApiRoute, dependency: Callable[..., Any]) -> bool:
    return any(part.call is dependency for part in _parts(route.dependant))


def implied_errors(route: ApiRoute) -> list[type[Exception]]:
    """The errors a route can answer with because of its parameters, its body and its dependencies."""
    found: list[type[Exception]] = []
    for part in _parts(route.dependant):
        if part.path_params or part.query_params or part.header_params or part.cookie_params or part.body_params:
            found.append(RequestValidationError)
        if part.body_params:
            found.append(BodyTooLargeError)
        declared = DEPENDENCY_ERRORS.get(part.call) if part.call is not None else None
        if declared is not None:
            found += declared.errors
            if writes(route):
                found += declared.on_writes
    return list(dict.fromkeys(found))


def _codes(description: str) -> list[str]:
    _, _, codes = description.partition("; code: ")
    return [code for code in codes.split(", ") if code]


def _is_fastapis_own(response: dict[str, Any]) -> bool:
    schema = response.get("content", {}).get("application/json", {}).get("schema", {})
    return bool(schema.get("$ref") == "#/components/schemas/HTTPValidationError")


def _complete(spec: dict[str, Any], app: FastAPI) -> None:
    schemas = spec.setdefault("components", {}).setdefault("schemas", {})
    if "ErrorOut" not in schemas:  # no route declared an error of its own yet
        found = ErrorOut.model_json_schema(ref_template="#/components/schemas/{model}")
        schemas.update(found.pop("$defs", {}))
        schemas["ErrorOut"] = found
    for route in api_routes(app):
        if not route.include_in_schema:
            continue
        for method in route.methods:
            operation = spec["paths"][route.path_format][method.lower()]
            responses: dict[str, Any] = operation.setdefault("responses", {})
            if "default" in responses:  # a route that speaks its own error format (Open311's) declares it whole
                continue
            for status, entry in error_responses(*implied_errors(route)).items():
                present = responses.get(str(status))
                if present is None or _is_fastapis_own(present):  # its 422 body is not the one we answer with
                    responses[str(status)] = {"description": entry["description"],
                                              "content": {"application/json": {"schema": {"$ref": _ERROR_REF}}}}
                    continue
                schema = present.get("content", {}).get("application/json", {}).get("schema", {})
                if schema.get("$ref") == _ERROR_REF:  # another body (a readiness report) is the route's own word
                    phrase = present["description"].partition("; code: ")[0]
                    codes = list(dict.fromkeys(_codes(present["description"]) + _codes(entry["description"])))
                    present["description"] = f"{phrase}; code: {', '.join(codes)}"


def document_implied_errors(app: FastAPI) -> None:
    """Complete every route's responses in the document `app` serves, however many routers it holds."""
    generate = app.openapi
    completed: list[dict[str, Any]] = []  # the last document completed: FastAPI builds anew when routes change

    def openapi() -> dict[str, Any]:
        spec = generate()
        if not completed or completed[0] is not spec:
            _complete(spec, app)
            completed[:] = [spec]
        return spec

    app.openapi = openapi  # type: ignore[method-assign]
