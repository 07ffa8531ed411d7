"""API keys over HTTP: an account's holder, or the administrator, issues, lists and revokes its keys."""

from __future__ import annotations

from dataclasses import asdict

from fastapi import APIRouter
from fastapi.exceptions import RequestValidationError

from api.auth import PrincipalDep
from api.deps import NowDep, PageDep, SessionDep
from api.errors import error_responses
from api.schemas.api_keys import ApiKeyIn, ApiKeyIssuedOut, ApiKeyOut
from api.schemas.base import StoreId
from scoring.accounts import audit
from scoring.accounts.api_keys import issue_api_key, list_api_keys, revoke_api_key
from scoring.accounts.errors import InvalidAccountError, SignInError
from scoring.accounts.jurisdiction import check_account_keys
from scoring.errors import NotAuthorisedError, StorageUnavailableError, UnknownScopeError

router = APIRouter(prefix="/accounts/{account_id}/api-keys", tags=["accounts"],
                   responses=error_responses(RequestValidationError, StorageUnavailableError, SignInError,
                                             NotAuthorisedError, UnknownScopeError))


@router.post("", response_model=ApiKeyIssuedOut, status_code=201, responses=error_responses(InvalidAccountError))
def post_api_key(account_id: StoreId, body: ApiKeyIn, principal: PrincipalDep, session: SessionDep,
                 now: NowDep) -> ApiKeyIssuedOut:
    """A new key for the account (Open311's api_key); the answer is the only place the key is ever shown."""
    check_account_keys(session, principal, account_id)
    issued = issue_api_key(session, account_id, body.label, issued_by=principal.account_id, now=now)
    audit.record(session, principal, now, "api_key.issue", f"account:{account_id}",
                 after={"api_key_id": issued.key.id, "label": issued.key.label, "prefix": issued.key.prefix})
    return ApiKeyIssuedOut(**asdict(issued.key), api_key=issued.secret)


@router.get("", response_model=list[ApiKeyOut])
def get_api_keys(account_id: StoreId, principal: PrincipalDep, session: SessionDep, page: PageDep) -> list[ApiKeyOut]:
    """The account's keys, live and revoked, without the keys themselves.

    Order: oldest first, by id."""
    check_account_keys(session, principal, account_id)
    return [ApiKeyOut.model_validate(k)
            for k in list_api_keys(session, account_id, limit=page.limit, offset=page.offset)]


@router.delete("/{key_id}", response_model=ApiKeyOut)
def delete_api_key(account_id: StoreId, key_id: StoreId, principal: PrincipalDep, session: SessionDep,
                   now: NowDep) -> ApiKeyOut:
    """Revoke a key: it stops at once. Its row stays, for the audit log's sake."""
    check_account_keys(session, principal, account_id)
    revoked = revoke_api_key(session, account_id, key_id, now=now)
    audit.record(session, principal, now, "api_key.revoke", f"account:{account_id}",
                 after={"api_key_id": revoked.id, "revoked_at": revoked.revoked_at.isoformat()
                        if revoked.revoked_at is not None else None})
    return ApiKeyOut.model_validate(revoked)
