"""Access tokens and the principal of a request.

An access token is a short-lived JWT (HS256, `STEWARDS_AUTH_SECRET`) naming the account; every request
that carries one has its account read again, so a disabled account stops at once, not when its token
expires. Refresh tokens are scoring.accounts' (opaque, stored hashed, spent on use).
Writes take their actor from here and never from the body, and are counted here against the account's
write limit (api.ratelimit), so every write route is limited by depending on the principal, as it must.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Annotated, Final

import jwt
from fastapi import Depends, Request
from fastapi.security import OAuth2PasswordBearer

from api.deps import NowDep, SessionDep
from api.errors import RateLimitedError, declares
from api.ratelimit import SAFE_METHODS, limiter_of
from scoring.accounts.errors import SignInError
from scoring.accounts.principal import Principal
from scoring.accounts.store import principal_by_id

ACCESS_TOKEN_LIFETIME: Final = timedelta(minutes=15)
ALGORITHM: Final = "HS256"
MIN_SECRET_BYTES: Final = 32  # RFC 7518 §3.2: an HS256 key at least as long as the hash
ISSUER: Final = "lane-stewards"

_bearer = OAuth2PasswordBearer(tokenUrl="/auth/token", auto_error=False)


@dataclass(frozen=True, slots=True)
class TokenService:
    secret: bytes
    lifetime: timedelta = ACCESS_TOKEN_LIFETIME

    def __post_init__(self) -> None:
        if len(self.secret) < MIN_SECRET_BYTES:
            raise ValueError(f"the access token secret needs at least {MIN_SECRET_BYTES} bytes")

    def issue(self, principal: Principal, now: datetime) -> str:
        claims = {
            "iss": ISSUER, "sub": str(principal.account_id), "role": principal.role.value,
            "iat": int(now.timestamp()), "exp": int((now + self.lifetime).timestamp()), "jti": uuid.uuid4().hex,
        }
        return jwt.encode(claims, self.secret, algorithm=ALGORITHM)

    def account_of(self, token: str, now: datetime) -> int:
        """The account a token names, or SignInError: forged, expired, or not one of ours."""
        try:
            claims = jwt.decode(
                token, self.secret, algorithms=[ALGORITHM], issuer=ISSUER,
                options={"require": ["exp", "iat", "sub", "iss"], "verify_exp": False},
            )
        except jwt.InvalidTokenError as exc:
            raise SignInError(f"the access token is not valid ({exc}): sign in again") from None
        # Expiry against the app's clock, not the machine's, so a test clock is honoured too.
        if int(claims["exp"]) <= now.timestamp():
            raise SignInError("the access token has expired: refresh it or sign in again")
        try:
            return int(claims["sub"])
        except ValueError:
            raise SignInError("the access token names no account: sign in again") from None


def _tokens(request: Request) -> TokenService:
    tokens: TokenService = request.app.state.tokens
    return tokens


TokensDep = Annotated[TokenService, Depends(_tokens)]


@declares(SignInError, on_writes=(RateLimitedError,))
def _principal(request: Request, session: SessionDep, now: NowDep, tokens: TokensDep,
               token: Annotated[str | None, Depends(_bearer)]) -> Principal:
    if token is None:
        raise SignInError("sign in first: send the access token from /auth/token as 'Authorization: Bearer …'")
    principal = principal_by_id(session, tokens.account_of(token, now))
    request.state.account_id = principal.account_id  # for the request's log line (api.request_log)
    if request.method not in SAFE_METHODS:
        limiter_of(request).write(principal.account_id)
    return principal


PrincipalDep = Annotated[Principal, Depends(_principal)]
