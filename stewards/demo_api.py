"""The demo's people reach the store as anyone does: through the API, signed in with their own accounts.

One in-process client (httpx2 over the ASGI app, on the demo's own store and event loop) whose clock
the caller sets to the simulated instant of each action, so every write is dated when it happened in
the simulated year and goes through the routes' checks: the token, the jurisdiction, the workflow, the
closed periods, the audit log. Each account signs in (`/auth/token`); its access token is reused
until it expires, then renewed with its refresh token while that lasts (`/auth/refresh`), else the
account signs in again. An answer other than the one expected is a bug of the demo: DemoApiError.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from types import TracebackType
from typing import Any, Final

import httpx2
from sqlalchemy import Engine

from api.app import create_app
from api.auth import TokenService
from api.ratelimit import NO_RATE_LIMITS
from scoring.accounts.store import REFRESH_TOKEN_LIFETIME

_TOKEN_MARGIN: Final = timedelta(seconds=30)  # renew a token this close to its expiry rather than risk it


class DemoApiError(RuntimeError):
    """The API refused something the demo's people should have been able to do."""


@dataclass
class _Tokens:
    access: str
    access_until: datetime
    refresh: str
    refresh_until: datetime


@dataclass
class ApiCounters:
    sign_ins: int = 0
    refreshes: int = 0
    requests: int = 0  # every request, sign-ins and refreshes included


class DemoApi:
    """`async with DemoApi(engine, password) as api:`; `api.at(instant)` before acting; then get/post as a user."""

    def __init__(self, engine: Engine, password: str) -> None:
        self._password = password
        self._now = datetime(1970, 1, 1, tzinfo=UTC)
        # A secret for this run only: the demo's tokens die with it, as `stewards demo`'s served API's do.
        # No rate limits: they count wall-clock minutes, and the demo lives a simulated year in three, so a
        # year of the chiefs' weekly sign-ins from this one in-process "address" would land within seconds.
        app = create_app(engine, tokens=TokenService(secrets.token_bytes(32)), clock=lambda: self._now,
                         rate_limits=NO_RATE_LIMITS)
        self._client = httpx2.AsyncClient(transport=httpx2.ASGITransport(app=app), base_url="http://demo.invalid")
        self._tokens: dict[str, _Tokens] = {}
        self.counters = ApiCounters()

    async def __aenter__(self) -> DemoApi:
        await self._client.__aenter__()
        return self

    async def __aexit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                        tb: TracebackType | None) -> None:
        await self._client.__aexit__(kind, exc, tb)

    @property
    def now(self) -> datetime:
        return self._now

    def at(self, instant: datetime) -> None:
        """The simulated instant the next requests happen at (the API's clock)."""
        if instant.tzinfo is None:
            raise ValueError("the demo's clock needs an aware instant")
        self._now = instant

    async def get(self, username: str, path: str, **params: Any) -> Any:
        return await self._call("GET", username, path, 200, params=params)

    async def post(self, username: str, path: str, body: dict[str, Any], expect: int = 200) -> Any:
        return await self._call("POST", username, path, expect, json=body)

    async def sign_in(self, username: str) -> None:
        """Sign in now with the password (`/auth/token`), for a fresh token pair."""
        answer = await self._client.post("/auth/token", data={"username": username, "password": self._password})
        self.counters.sign_ins += 1
        self._keep(username, answer)

    async def _call(self, method: str, username: str, path: str, expect: int, **kwargs: Any) -> Any:
        headers = {"Authorization": f"Bearer {await self._access_token(username)}"}
        answer = await self._client.request(method, path, headers=headers, **kwargs)
        self.counters.requests += 1
        if answer.status_code != expect:
            raise DemoApiError(f"{username}: {method} {path} answered {answer.status_code}, not {expect}: "
                               f"{answer.text[:500]}")
        return answer.json()

    async def _access_token(self, username: str) -> str:
        held = self._tokens.get(username)
        if held is not None and self._now + _TOKEN_MARGIN < held.access_until:
            return held.access
        if held is not None and self._now + _TOKEN_MARGIN < held.refresh_until:
            answer = await self._client.post("/auth/refresh", json={"refresh_token": held.refresh})
            self.counters.refreshes += 1
            self._keep(username, answer)
        else:
            await self.sign_in(username)
        return self._tokens[username].access

    def _keep(self, username: str, answer: httpx2.Response) -> None:
        self.counters.requests += 1
        if answer.status_code != 200:
            raise DemoApiError(f"{username} could not sign in: {answer.status_code} {answer.text[:500]}")
        pair = answer.json()
        self._tokens[username] = _Tokens(
            access=pair["access_token"], access_until=self._now + timedelta(seconds=pair["expires_in"]),
            refresh=pair["refresh_token"], refresh_until=self._now + REFRESH_TOKEN_LIFETIME,
        )
