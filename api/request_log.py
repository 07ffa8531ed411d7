"""Request ids and one log line per request.

Every request gets an id: the client's `X-Request-ID` when it is sane (1 to 128 of `A-Za-z0-9._:-`, so a
proxy's or a phone's id follows the request through our logs), else a new one. It is returned on every
response, errors included, and stamped on every log record written while the request runs
(`RequestContextFilter`), so one id finds everything a request did.

The line written when a request ends (logger `api.access`, INFO) names the method, the route's template (not
the path: ids stay out of it), the status, the duration and the signed-in account's id. It never holds the
query, a header, a body, the client's address or a name: no password, token or personal data reaches it.
"""

from __future__ import annotations

import contextvars
import logging
import re
import time
import uuid
from typing import Final

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.errors import INTERNAL, INTERNAL_DETAIL, error_body

REQUEST_ID_HEADER: Final = "X-Request-ID"
_SANE_ID: Final = re.compile(r"[A-Za-z0-9._:-]{1,128}")
# Fields a log record may carry besides the message; the JSON formatter writes these and no others.
ACCESS_FIELDS: Final = ("request_id", "method", "route", "status", "duration_ms", "account_id")

access_log = logging.getLogger("api.access")
_request_id: contextvars.ContextVar[str | None] = contextvars.ContextVar("request_id", default=None)


def current_request_id() -> str | None:
    return _request_id.get()


class RequestContextFilter(logging.Filter):
    """Stamps each record with the id of the request it was written in (None outside one). On a handler,
    so records of every logger get it; handlers run in the thread that logged, and the API's sync routes
    run in worker threads that carry the request's context with them."""

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "request_id", None) is None:
            record.request_id = _request_id.get()
        return True


def _incoming_id(scope: Scope) -> str | None:
    for name, value in scope.get("headers", ()):
        if name == b"x-request-id":
            text = value.decode("latin-1")
            return text if _SANE_ID.fullmatch(text) else None
    return None


class RequestLog:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = _incoming_id(scope) or uuid.uuid4().hex
        token = _request_id.set(request_id)
        state: dict[str, object] = scope.setdefault("state", {})  # routes write the account id here
        started = time.perf_counter()
        status = 500
        response_started = False

        async def send_with_id(message: Message) -> None:
            nonlocal status, response_started
            if message["type"] == "http.response.start":
                response_started = True
                status = message["status"]
                message["headers"] = [*message.get("headers", []),
                                      (REQUEST_ID_HEADER.lower().encode(), request_id.encode())]
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        except Exception:
            # Answered here, so even a bug's 500 carries the id; Starlette's outer handler then sees a response
            # started, writes nothing more, and lets the server log the traceback.
            if not response_started:
                await error_body(INTERNAL, INTERNAL_DETAIL)(scope, receive, send_with_id)
            raise
        finally:
            route = scope.get("route")
            access_log.info(
                "%s %s %s", scope["method"], getattr(route, "path", "unmatched"), status,
                extra={"method": scope["method"], "route": getattr(route, "path", None), "status": status,
                       "duration_ms": round((time.perf_counter() - started) * 1000, 1),
                       "account_id": state.get("account_id")},
            )
            _request_id.reset(token)
