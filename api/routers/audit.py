"""The audit log over HTTP (工作留痕): every change in the caller's area, newest first, paged by id."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.exceptions import RequestValidationError

from api.auth import PrincipalDep
from api.deps import PageDep, SessionDep
from api.errors import error_responses
from api.schemas.audit import AuditOut
from api.schemas.base import StoreId
from scoring.accounts.audit import read_log
from scoring.accounts.errors import SignInError
from scoring.errors import NotAuthorisedError, StorageUnavailableError

router = APIRouter(tags=["audit"], responses=error_responses(RequestValidationError, StorageUnavailableError))


@router.get("/audit", response_model=list[AuditOut], responses=error_responses(SignInError, NotAuthorisedError))
def get_audit(
    principal: PrincipalDep,
    session: SessionDep,
    page: PageDep,
    before_id: Annotated[StoreId | None, Query(description="the next page: entries older than this id")] = None,
) -> list[AuditOut]:
    """For coordinators (their subdistrict), district administrators (their district) and administrators.

    Order: newest first, by id. Page with `before_id` (the last id seen), or with `offset`."""
    found = read_log(session, principal, limit=page.limit, offset=page.offset, before_id=before_id)
    return [AuditOut.model_validate(e) for e in found]
