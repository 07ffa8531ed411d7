"""The API's one error table: which error answers with which HTTP status and code, and the handlers that
write every error body as `ErrorOut` ({"code": ..., "detail": ...}).

Routers raise domain errors, or let them through; they never build an HTTP error themselves. A handler picks
the row of the most specific class in the error's MRO, so a new subclass answers as its parent does until it
is given a row of its own. Request validation keeps FastAPI's 422 and its list of field problems as `detail`.
`error_responses()` documents the same rows in OpenAPI, so the docs cannot drift from the handlers.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from http import HTTPStatus
from typing import Any, Final

from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import IntegrityError
from starlette.exceptions import HTTPException

from api.schemas.errors import ErrorOut
from scoring.accounts.errors import (
    AccountLockedError,
    ActivationError,
    AlreadyActivatedError,
    InvalidAccountError,
    SignInError,
)
from scoring.cases.errors import CaseError, IllegalTransitionError, InvalidCaseInputError, UnknownCaseError
from scoring.closing.errors import ClosingPolicyError, PeriodNotEndedError
from scoring.errors import (
    NotAuthorisedError,
    PeriodClosedError,
    StorageUnavailableError,
    UnknownPeriodError,
    UnknownScopeError,
)
from scoring.inspections import ChecklistError, InspectionExistsError, InvalidInspectionError, UnknownLaneError
from scoring.integrity.store import FlagDecidedError, FlagError, InvalidAppealError, NotYourFlagError, UnknownFlagError
from scoring.patrol_alerts import PatrolAlertError, UnknownAlertError
from scoring.registry.errors import (
    ClaimEndedError,
    InvalidClaimError,
    InvalidSignupError,
    SegmentClaimedError,
    SignupDecidedError,
    UnknownClaimError,
    UnknownSignupError,
    UsernameTakenError,
)

log = logging.getLogger(__name__)


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
    InvalidAccountError: ErrorAnswer(422, "invalid_account"),
    ActivationError: ErrorAnswer(400, "activation_refused"),  # used, expired, unknown or another's: not which
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
    # closing jobs, for the routes that will run them
    PeriodNotEndedError: ErrorAnswer(409, "period_not_ended"),
    ClosingPolicyError: ErrorAnswer(422, "invalid_policy"),
    # A unique key taken by a concurrent request between our check and our write: the caller reads it back.
    IntegrityError: ErrorAnswer(409, "conflict"),
}

INTERNAL: Final = ErrorAnswer(500, "internal_error")
CONFLICT_DETAIL: Final = "another request stored the same record a moment ago: read it back before retrying"


def answer_for(error: type[BaseException]) -> ErrorAnswer:
    for cls in error.__mro__:
        answer = ERROR_TABLE.get(cls)
        if answer is not None:
            return answer
    return INTERNAL


def _body(answer: ErrorAnswer, detail: Any) -> JSONResponse:
    # Built as a plain dict: an error answer must not fail on validating its own body. ErrorOut documents it.
    return JSONResponse({"code": answer.code, "detail": detail}, status_code=answer.status)


async def _domain_error(_request: Request, exc: Exception) -> JSONResponse:
    answer = answer_for(type(exc))
    if answer.status >= 500:
        log.error("%s: %s", answer.code, exc)
    # An IntegrityError's text is the database's and names its tables; the caller gets what to do instead.
    response = _body(answer, CONFLICT_DETAIL if isinstance(exc, IntegrityError) else str(exc))
    if answer.status == 401:  # RFC 6750: say which scheme would have worked
        response.headers["WWW-Authenticate"] = "Bearer"
    if isinstance(exc, AccountLockedError):
        seconds = max(1, int((exc.until - datetime.now(UTC)).total_seconds()))
        response.headers["Retry-After"] = str(seconds)
    return response


async def _validation_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    return _body(ERROR_TABLE[RequestValidationError], jsonable_encoder(exc.errors()))


async def _http_error(_request: Request, exc: Exception) -> JSONResponse:
    """Pure HTTP answers (no such path, method not allowed) in the same body shape."""
    assert isinstance(exc, HTTPException)
    code = HTTPStatus(exc.status_code).phrase.lower().replace(" ", "_").replace("-", "_")
    response = _body(ErrorAnswer(exc.status_code, code), exc.detail)
    response.headers.update(exc.headers or {})
    return response


async def _unexpected(_request: Request, exc: Exception) -> JSONResponse:
    # Starlette logs the traceback and re-raises after this answer; the caller learns nothing internal.
    return _body(INTERNAL, "the server failed to answer this request; it has been logged")


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
