"""The API's one error table: which error answers with which HTTP status and code, and the handlers that
write every error body as `ErrorOut` ({"code": ..., "detail": ...}).

Routers raise domain errors, or let them through; they never build an HTTP error themselves. A handler picks
the row of the most specific class in the error's MRO, so a new subclass answers as its parent does until it
is given a row of its own. Request validation keeps FastAPI's 422 and its list of field problems as `detail`.
`error_responses()` documents the same rows in OpenAPI, so the docs cannot drift from the handlers; a
dependency says which errors it raises with `@declares(...)`, and `api.openapi` adds them to every route
that depends on it, so a new router's routes are documented without repeating them.

Two errors belong to HTTP rather than to the domain, and are defined here: a body over the app's limit
(413) and a caller over a rate limit (429). Every answer that asks the caller to wait says how long in
`Retry-After` (RFC 9110 §10.2.3).
"""

from __future__ import annotations

import logging
import math
from collections import defaultdict
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from http import HTTPStatus
from typing import Any, Final, TypeVar

from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import IntegrityError
from starlette.exceptions import HTTPException
from starlette.routing import Match

from api.schemas.errors import ErrorOut
from scoring.accounts.errors import (
    AccountLockedError,
    ActivationError,
    AlreadyActivatedError,
    InvalidAccountError,
    SignInError,
)
from scoring.cases.errors import CaseError, IllegalTransitionError, InvalidCaseInputError, UnknownCaseError
from scoring.closing.errors import (
    ClosingPolicyError,
    DocumentMissingError,
    NoDocumentError,
    PeriodNotClosedError,
    PeriodNotEndedError,
)
from scoring.errors import (
    NotAuthorisedError,
    PeriodClosedError,
    StorageUnavailableError,
    UnknownPeriodError,
    UnknownScopeError,
)
from scoring.exports.errors import ExportError, ExportTooLargeError, InvalidExportError
from scoring.inspections import ChecklistError, InspectionExistsError, InvalidInspectionError, UnknownLaneError
from scoring.integrity.store import FlagDecidedError, FlagError, InvalidAppealError, NotYourFlagError, UnknownFlagError
from scoring.patrol_alerts import PatrolAlertError, UnknownAlertError
from scoring.registry.errors import (
    BandBoundError,
    BandExistsError,
    BandLostError,
    BandNotBoundError,
    BeaconKeyError,
    BeaconStateError,
    ClaimCodeUsedError,
    ClaimEndedError,
    InvalidBandError,
    InvalidBandKeyError,
    InvalidClaimError,
    InvalidSignupError,
    ProvisioningError,
    SegmentClaimedError,
    SignupDecidedError,
    UnknownBandError,
    UnknownCheckpointError,
    UnknownClaimError,
    UnknownSignupError,
    UsernameTakenError,
    WrongClaimCodeError,
)

log = logging.getLogger(__name__)


class BodyTooLargeError(Exception):
    """A request body past the app's limit (api.body_limit); nothing of it was read by a route."""


class RateLimitedError(Exception):
    """A caller past one of the rate limits (api.ratelimit): wait `retry_after_seconds`, then try again."""

    def __init__(self, message: str, retry_after_seconds: int) -> None:
        super().__init__(message)
        self.retry_after_seconds = retry_after_seconds


@dataclass(frozen=True, slots=True)
class ErrorAnswer:
    status: int
    code: str  # stable and machine-readable; the detail is for people and may change


ERROR_TABLE: Final[Mapping[type[Exception], ErrorAnswer]] = {
    RequestValidationError: ErrorAnswer(422, "invalid_request"),
    # scoring's own tree
    UnknownPeriodError: ErrorAnswer(422, "unknown_period"),
    UnknownScopeError: ErrorAnswer(404, "not_found"),
    NotAuthorisedError: ErrorAnswer(403, "not_authorised"),  # every jurisdiction check, whichever job it guards
    StorageUnavailableError: ErrorAnswer(503, "storage_unavailable"),
    PeriodClosedError: ErrorAnswer(409, "period_closed"),  # a write dated into a month whose 月评 is frozen
    # accounts and sign-in
    SignInError: ErrorAnswer(401, "not_signed_in"),  # no, a bad or an expired credential
    AccountLockedError: ErrorAnswer(429, "locked_out"),
    # HTTP's own: the body limit and the rate limits
    BodyTooLargeError: ErrorAnswer(413, "body_too_large"),
    RateLimitedError: ErrorAnswer(429, "rate_limited"),
    InvalidAccountError: ErrorAnswer(422, "invalid_account"),
    ActivationError: ErrorAnswer(422, "activation_refused"),  # used, expired, unknown or another's: not which
    AlreadyActivatedError: ErrorAnswer(409, "already_activated"),
    # 报名
    InvalidSignupError: ErrorAnswer(422, "invalid_signup"),
    UnknownSignupError: ErrorAnswer(404, "unknown_signup"),
    SignupDecidedError: ErrorAnswer(409, "signup_decided"),
    UsernameTakenError: ErrorAnswer(409, "username_taken"),
    # 认领
    InvalidClaimError: ErrorAnswer(422, "invalid_claim"),
    UnknownClaimError: ErrorAnswer(404, "unknown_claim"),
    SegmentClaimedError: ErrorAnswer(409, "segment_claimed"),  # never says by whom
    ClaimEndedError: ErrorAnswer(409, "claim_ended"),
    # 工作台账
    CaseError: ErrorAnswer(400, "case_error"),
    UnknownCaseError: ErrorAnswer(404, "unknown_case"),
    IllegalTransitionError: ErrorAnswer(409, "illegal_transition"),
    InvalidCaseInputError: ErrorAnswer(422, "invalid_case_input"),
    # 周查
    UnknownLaneError: ErrorAnswer(404, "unknown_lane"),
    InspectionExistsError: ErrorAnswer(409, "inspection_exists"),
    InvalidInspectionError: ErrorAnswer(422, "invalid_inspection"),
    ChecklistError: ErrorAnswer(500, "checklist_broken"),  # the checklist file is wrong: the operator fixes it
    # integrity flags and appeals
    FlagError: ErrorAnswer(400, "flag_error"),
    UnknownFlagError: ErrorAnswer(404, "unknown_flag"),
    NotYourFlagError: ErrorAnswer(403, "not_your_flag"),
    FlagDecidedError: ErrorAnswer(409, "flag_decided"),
    InvalidAppealError: ErrorAnswer(422, "invalid_appeal"),
    # 日巡 alerts
    PatrolAlertError: ErrorAnswer(400, "alert_error"),
    UnknownAlertError: ErrorAnswer(404, "unknown_alert"),
    # exports. Not 413: RFC 9110 gives it to a request whose own content is too large; this request is small,
    # what it asks for is more than one file may hold, and it is answered like any other query it cannot serve.
    ExportError: ErrorAnswer(400, "export_error"),
    ExportTooLargeError: ErrorAnswer(422, "export_too_large"),
    InvalidExportError: ErrorAnswer(422, "invalid_export"),
    # closing jobs, for the routes that will run them
    PeriodNotEndedError: ErrorAnswer(409, "period_not_ended"),
    ClosingPolicyError: ErrorAnswer(422, "invalid_policy"),
    # what the closing jobs published
    PeriodNotClosedError: ErrorAnswer(409, "not_closed"),  # not ended, or ended and the job has not run yet
    NoDocumentError: ErrorAnswer(404, "no_document"),  # closed, without that document (or before the ledger)
    DocumentMissingError: ErrorAnswer(503, "document_missing"),  # the recorded file is gone: the operator's

    # bands, their bindings and beacons
    ProvisioningError: ErrorAnswer(400, "provisioning_error"),
    InvalidBandKeyError: ErrorAnswer(422, "invalid_band_key"),
    InvalidBandError: ErrorAnswer(422, "invalid_band"),
    BandExistsError: ErrorAnswer(409, "band_exists"),
    UnknownBandError: ErrorAnswer(404, "unknown_band"),
    WrongClaimCodeError: ErrorAnswer(422, "wrong_claim_code"),  # counted: repeated ones lock out (429 locked_out)
    ClaimCodeUsedError: ErrorAnswer(409, "claim_code_used"),
    BandLostError: ErrorAnswer(409, "band_lost"),
    BandBoundError: ErrorAnswer(409, "band_bound"),
    BandNotBoundError: ErrorAnswer(409, "band_not_bound"),
    UnknownCheckpointError: ErrorAnswer(404, "unknown_checkpoint"),
    BeaconStateError: ErrorAnswer(409, "beacon_state"),
    BeaconKeyError: ErrorAnswer(503, "beacon_key"),  # the deployment's key is missing or wrong: the operator fixes it
    # A unique key taken by a concurrent request between our check and our write: the caller reads it back.
    IntegrityError: ErrorAnswer(409, "conflict"),
}

INTERNAL: Final = ErrorAnswer(500, "internal_error")
INTERNAL_DETAIL: Final = "the server failed to answer this request; it has been logged"
CONFLICT_DETAIL: Final = "another request stored the same record a moment ago: read it back before retrying"


def answer_for(error: type[BaseException]) -> ErrorAnswer:
    for cls in error.__mro__:
        answer = ERROR_TABLE.get(cls)
        if answer is not None:
            return answer
    return INTERNAL


def error_body(answer: ErrorAnswer, detail: Any) -> JSONResponse:
    """Every error answer, the handlers' and the middleware's alike."""
    # Built as a plain dict: an error answer must not fail on validating its own body. ErrorOut documents it.
    return JSONResponse({"code": answer.code, "detail": detail}, status_code=answer.status)


def _retry_after_seconds(request: Request, exc: Exception) -> int | None:
    if isinstance(exc, RateLimitedError):
        return exc.retry_after_seconds
    if isinstance(exc, AccountLockedError):
        clock = getattr(request.app.state, "clock", None)  # the app's clock, which tests may set
        now: datetime = clock() if clock is not None else datetime.now(UTC)
        return max(1, math.ceil((exc.until - now).total_seconds()))
    return None


async def _domain_error(request: Request, exc: Exception) -> JSONResponse:
    answer = answer_for(type(exc))
    if answer.status >= 500:
        log.error("%s: %s", answer.code, exc)
    # An IntegrityError's text is the database's and names its tables; the caller gets what to do instead.
    response = error_body(answer, CONFLICT_DETAIL if isinstance(exc, IntegrityError) else str(exc))
    if answer.status == 401:  # RFC 6750: say which scheme would have worked
        response.headers["WWW-Authenticate"] = "Bearer"
    retry_after = _retry_after_seconds(request, exc)
    if retry_after is not None:
        response.headers["Retry-After"] = str(retry_after)
    return response


async def _validation_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    return error_body(ERROR_TABLE[RequestValidationError], jsonable_encoder(exc.errors()))


# FastAPI answers a body it cannot decode at all (not UTF-8, a broken form) with a bare 400; a body that
# is not JSON is its 422 already. Both are the caller's malformed input: one answer, invalid_request.
_UNREADABLE_BODY: Final = [{"loc": ["body"], "msg": "the body could not be read: send UTF-8 JSON, or the form the "
                            "route names", "type": "body_unreadable"}]


async def _http_error(request: Request, exc: Exception) -> JSONResponse:
    """Pure HTTP answers (no such path, method not allowed) in the same body shape."""
    assert isinstance(exc, HTTPException)
    if exc.status_code == 400:  # routers never raise HTTPException: this is the framework's body parser
        return error_body(ERROR_TABLE[RequestValidationError], _UNREADABLE_BODY)
    code = HTTPStatus(exc.status_code).phrase.lower().replace(" ", "_").replace("-", "_")
    response = error_body(ErrorAnswer(exc.status_code, code), exc.detail)
    response.headers.update(exc.headers or {})
    if exc.status_code == 405:
        response.headers["Allow"] = _allowed_methods(request)
    return response


def _allowed_methods(request: Request) -> str:
    """Every method some route serves at this path: Starlette names only the first route's, and a path with a
    GET route and a POST route is two routes."""
    methods: set[str] = set()
    for route in request.app.router.routes:
        match, _ = route.matches({**request.scope, "method": ""})
        if match is not Match.NONE:
            methods |= set(getattr(route, "methods", None) or ())
    return ", ".join(sorted(methods))


async def _unexpected(_request: Request, exc: Exception) -> JSONResponse:
    # Starlette logs the traceback and re-raises after this answer; the caller learns nothing internal.
    return error_body(INTERNAL, INTERNAL_DETAIL)


def install_error_handlers(app: FastAPI) -> None:
    for cls in ERROR_TABLE:
        if cls is not RequestValidationError:
            app.add_exception_handler(cls, _domain_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(HTTPException, _http_error)
    app.add_exception_handler(Exception, _unexpected)


def error_responses(*errors: type[Exception]) -> dict[int | str, dict[str, Any]]:
    """OpenAPI `responses` for a route that may answer with these errors: one entry per status, naming its codes."""
    codes: defaultdict[int, list[str]] = defaultdict(list)
    # A route's own 422 replaces its router's entry for request validation, which it answers as well.
    validates = (RequestValidationError,) if any(answer_for(cls).status == 422 for cls in errors) else ()
    for cls in (*validates, *errors):
        answer = answer_for(cls)
        if answer.code not in codes[answer.status]:
            codes[answer.status].append(answer.code)
    return {
        status: {"model": ErrorOut, "description": f"{HTTPStatus(status).phrase}; code: {', '.join(found)}"}
        for status, found in sorted(codes.items())
    }


# --- What a dependency may raise, for the routes that depend on it ---------------------------------

@dataclass(frozen=True, slots=True)
class Declared:
    errors: tuple[type[Exception], ...]  # on every route that depends on it
    on_writes: tuple[type[Exception], ...]  # on the routes whose method changes something


DEPENDENCY_ERRORS: Final[dict[Callable[..., Any], Declared]] = {}
_F = TypeVar("_F", bound=Callable[..., Any])


def declares(*errors: type[Exception], on_writes: tuple[type[Exception], ...] = ()) -> Callable[[_F], _F]:
    """Mark a dependency with the errors it raises; `api.openapi` documents them on every route using it."""
    def mark(dependency: _F) -> _F:
        DEPENDENCY_ERRORS[dependency] = Declared(tuple(errors), tuple(on_writes))
        return dependency
    return mark
