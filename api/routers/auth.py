"""Sign-in over HTTP: OAuth2's password flow for a token pair, its refresh, and who the caller is."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.exceptions import RequestValidationError
from sqlalchemy.orm import Session, sessionmaker

from api.auth import PrincipalDep, TokensDep, TokenService
from api.deps import NowDep, SessionDep, outages_answered
from api.errors import RateLimitedError, declares, error_responses
from api.ratelimit import AnonymousWriteLimitDep, RefreshLimitDep, client_address, limiter_of
from api.schemas.auth import MeOut, RefreshIn, SignInIn, TokenOut
from api.schemas.signups import ActivateIn
from scoring.accounts import audit
from scoring.accounts.activation import activate
from scoring.accounts.errors import (
    AccountLockedError,
    ActivationError,
    AlreadyActivatedError,
    InvalidAccountError,
    SignInError,
)
from scoring.accounts.principal import Principal
from scoring.accounts.store import issue_refresh_token, sign_in, use_refresh_token
from scoring.errors import StorageUnavailableError
from scoring.storage import tables as t

router = APIRouter(prefix="/auth", tags=["auth"],
                   responses=error_responses(RequestValidationError, StorageUnavailableError, SignInError))

PasswordForm = Annotated[SignInIn, Form()]


@declares(RateLimitedError)
def _sign_in_limited(form: PasswordForm, request: Request) -> SignInIn:
    """Counted before the password is checked: a flood of guesses never reaches argon2."""
    limiter_of(request).sign_in(form.username, client_address(request))
    return form


LimitedPasswordForm = Annotated[SignInIn, Depends(_sign_in_limited)]


@router.post("/token", response_model=TokenOut, responses=error_responses(AccountLockedError))
def post_token(form: LimitedPasswordForm, request: Request, now: NowDep, tokens: TokensDep) -> TokenOut:
    """Sign in with username and password (form fields, as OAuth2 has them)."""
    sessions: sessionmaker[Session] = request.app.state.sessions
    # Its own transaction, committed whatever the outcome: a failed attempt must count towards the
    # lock-out, and the request's session rolls back on every error.
    with outages_answered(), sessions() as session:
        try:
            principal = sign_in(session, form.username, form.password, now=now)
        except SignInError:
            session.commit()
            raise
        refresh = issue_refresh_token(session, principal.account_id, now=now)
        session.commit()
    return _pair(principal, refresh, tokens, now)


@router.post("/refresh", response_model=TokenOut)
def post_refresh(body: RefreshIn, session: SessionDep, now: NowDep, tokens: TokensDep,
                 _limited: RefreshLimitDep) -> TokenOut:
    """A new token pair for a refresh token, which is spent."""
    principal, refresh = use_refresh_token(session, body.refresh_token, now=now)
    return _pair(principal, refresh, tokens, now)


@router.post("/activate", response_model=TokenOut,
             responses=error_responses(ActivationError, AlreadyActivatedError, InvalidAccountError))
def post_activate(body: ActivateIn, session: SessionDep, now: NowDep, tokens: TokensDep,
                  _limited: AnonymousWriteLimitDep) -> TokenOut:
    """A steward signed up on paper sets their password with the activation code from the street office,
    and is signed in; the code is spent."""
    principal = activate(session, body.username, body.code, body.password, now=now)
    steward = session.get(t.Steward, principal.steward_id) if principal.steward_id is not None else None
    audit.record(session, principal, now, "account.activate", f"account:{principal.account_id}",
                 subdistrict_id=steward.subdistrict_id if steward else None)
    return _pair(principal, issue_refresh_token(session, principal.account_id, now=now), tokens, now)


@router.get("/me", response_model=MeOut)
def get_me(principal: PrincipalDep) -> MeOut:
    return MeOut.model_validate(principal)


def _pair(principal: Principal, refresh: str, tokens: TokenService, now: datetime) -> TokenOut:
    return TokenOut(access_token=tokens.issue(principal, now), expires_in=int(tokens.lifetime.total_seconds()),
                    refresh_token=refresh)
