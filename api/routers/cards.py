"""名片 over HTTP: the card a steward hands to residents, for the steward and the people of their area."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.exceptions import RequestValidationError

from api.auth import PrincipalDep
from api.deps import NowDep, SessionDep
from api.errors import error_responses
from api.schemas.base import StoreId
from api.schemas.cards import CardOut
from scoring.accounts.errors import SignInError
from scoring.errors import NotAuthorisedError, StorageUnavailableError, UnknownScopeError
from scoring.registry.cards import steward_card

router = APIRouter(tags=["registry"], responses=error_responses(RequestValidationError, StorageUnavailableError))


@router.get("/stewards/{steward_id}/card", response_model=CardOut,
            responses=error_responses(SignInError, NotAuthorisedError, UnknownScopeError))
def get_card(steward_id: StoreId, principal: PrincipalDep, session: SessionDep, now: NowDep) -> CardOut:
    """Name, phone, the segments held now with their lanes, and the teams: for the steward, and the chiefs,
    station, street office and district whose area reaches them; never the public or another steward."""
    return CardOut.model_validate(steward_card(session, principal, steward_id, now=now))
