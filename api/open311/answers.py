"""Open311's answers: a document in the format its path ends with, and errors as the spec writes them.

An error is `[{"code": <HTTP status>, "description": ...}]` (or `<errors><error>…`), with the status
the API's error table gives the exception (`api.errors.answer_for`, so there is still one table),
narrowed to the spec's three: a credential refused is 403, a thing not found 404, any other bad input
400. Validation errors of the query say which parameter was wrong.
"""

from __future__ import annotations

import logging
from typing import Any, Final, Literal

from fastapi import Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import IntegrityError
from starlette.exceptions import HTTPException

from api.errors import CONFLICT_DETAIL, INTERNAL, answer_for
from api.open311.xml import render

log = logging.getLogger(__name__)

Format = Literal["json", "xml"]
XML_TYPE: Final = "text/xml; charset=utf-8"


def format_of(request: Request) -> Format:
    """The format a request's path asks for; JSON unless it ends in .xml."""
    return "xml" if request.url.path.endswith(".xml") else "json"


def document(fmt: Format, root: str, data: Any, status: int = 200) -> Response:
    if fmt == "xml":
        return Response(render(root, data), status_code=status, media_type=XML_TYPE)
    return JSONResponse(data, status_code=status)


def error_document(fmt: Format, exc: Exception) -> Response:
    status, description = _status_and_description(exc)
    return document(fmt, "errors", [{"code": status, "description": description}], status)


def _status_and_description(exc: Exception) -> tuple[int, str]:
    if isinstance(exc, RequestValidationError):
        problems = [f"{'.'.join(str(p) for p in e.get('loc', ()) if p != 'query')}: {e.get('msg', '')}"
                    for e in exc.errors()]
        return 400, "; ".join(problems) or "the request could not be read"
    if isinstance(exc, HTTPException):
        return _narrowed(exc.status_code), str(exc.detail)
    answer = answer_for(type(exc))
    if answer is INTERNAL or answer.status >= 500:
        if answer is INTERNAL:
            log.error("open311: unexpected %s", type(exc).__name__, exc_info=exc)
        else:
            log.error("%s: %s", answer.code, exc)
        return answer.status, ("the server failed to answer this request; it has been logged"
                               if answer is INTERNAL else str(exc))
    if isinstance(exc, IntegrityError):
        return 400, CONFLICT_DETAIL
    return _narrowed(answer.status), str(exc)


def _narrowed(status: int) -> int:
    if status >= 500:
        return status
    if status in (401, 403):
        return 403
    if status in (404, 405):
        return 404
    return 400
