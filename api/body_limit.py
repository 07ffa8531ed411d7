"""One limit on the size of every request body, whichever route it is for: 413 `body_too_large`, the error body.

A declared `Content-Length` past the limit is refused before a byte is read; a body without one (chunked) is
read up to the limit and refused past it, so no route ever parses more than the limit. The body is read here
and handed on whole: at the limit's size (a form or a JSON document, never an upload) that costs nothing a
route would not have spent reading it anyway.

Not FastAPI's own `max_body_size`: its 413 for a route that does not read the body is plain text, written
outside the app's middleware, so it would carry neither the error body nor the request id.
"""

from __future__ import annotations

from typing import Final

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.errors import ERROR_TABLE, BodyTooLargeError, error_body

# A 周查 of a hundred items with every note full is about 600 KB; photos are references, nothing is uploaded.
DEFAULT_MAX_BODY_BYTES: Final = 1024 * 1024


class BodyLimit:
    def __init__(self, app: ASGIApp, max_body_bytes: int = DEFAULT_MAX_BODY_BYTES) -> None:
        self.app, self.max_body_bytes = app, max_body_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = _content_length(scope)
        if declared is not None and declared > self.max_body_bytes:
            await self._refuse(scope, receive, send)
            return
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] != "http.request":  # the client went away: let the app see it
                await self.app(scope, _replay([message], receive), send)
                return
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_body_bytes:
                await self._refuse(scope, receive, send)
                return
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        whole: Message = {"type": "http.request", "body": b"".join(chunks), "more_body": False}
        await self.app(scope, _replay([whole], receive), send)

    async def _refuse(self, scope: Scope, receive: Receive, send: Send) -> None:
        response = error_body(ERROR_TABLE[BodyTooLargeError],
                              f"the request body is over {self.max_body_bytes} bytes: send less, or split it")
        response.headers["Connection"] = "close"  # the rest of the body is not read, so the connection is spent
        await response(scope, receive, send)


def _content_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers", ()):
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None  # the server refuses a malformed length before it gets here
    return None


def _replay(messages: list[Message], receive: Receive) -> Receive:
    pending = list(messages)

    async def replayed() -> Message:
        if pending:
            return pending.pop(0)
        return await receive()

    return replayed
