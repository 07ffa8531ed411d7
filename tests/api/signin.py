"""Signed-in callers for API tests: real accounts in the store, real access tokens, a test secret."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, Final

from fastapi.testclient import TestClient
from sqlalchemy import Engine

from api.app import create_app
from api.auth import TokenService
from api.ratelimit import NO_RATE_LIMITS
from scoring.accounts.principal import Principal
from scoring.accounts.roles import Role
from scoring.accounts.store import NewAccount, create_account
from scoring.storage.engine import session_factory

TOKENS: Final = TokenService(b"a test secret that signs access tokens, 32+ bytes")
PASSWORD: Final = "correct horse battery staple"


def api(engine: Engine, **options: Any) -> TestClient:
    """A client of the app on `engine`; its rate limits are off unless `rate_limits` says otherwise, so a
    test's many requests never trip one by accident (tests/api/test_limits.py proves each trips)."""
    return TestClient(create_app(engine, tokens=TOKENS, **{"rate_limits": NO_RATE_LIMITS, **options}))


class Accounts:
    """One account per registry person, made on first use; `headers` carry its access token."""

    def __init__(self, engine: Engine, clock: Callable[[], datetime] = lambda: datetime.now(UTC)) -> None:
        self._engine, self._clock = engine, clock
        self._made: dict[tuple[Role, tuple[tuple[str, int], ...]], Principal] = {}

    def principal(self, role: Role, **links: int) -> Principal:
        key = (role, tuple(sorted(links.items())))
        if key not in self._made:
            name = "-".join([role.value, *(f"{k.removesuffix('_id')}{v}" for k, v in sorted(links.items()))])
            with session_factory(self._engine).begin() as session:
                self._made[key] = create_account(session, NewAccount(name, PASSWORD, role, **links),
                                                 now=self._clock())
        return self._made[key]

    def headers(self, role: Role, **links: int) -> dict[str, str]:
        token = TOKENS.issue(self.principal(role, **links), self._clock())
        return {"Authorization": f"Bearer {token}"}

    def steward(self, steward_id: int) -> dict[str, str]:
        return self.headers(Role.STEWARD, steward_id=steward_id)

    def chief(self, chief_id: int) -> dict[str, str]:
        return self.headers(Role.CHIEF, chief_id=chief_id)

    def service(self) -> dict[str, str]:
        return self.headers(Role.SERVICE)
