"""Sign-in: the token pair, a refresh, and who the caller is."""

from __future__ import annotations

from pydantic import BaseModel, Field

from api.schemas.base import OutModel
from scoring.accounts.roles import Role


class TokenOut(BaseModel):
    """OAuth2's token response (RFC 6749 §5.1), with the refresh token it rotates."""

    access_token: str
    token_type: str = "bearer"
    expires_in: int = Field(description="seconds the access token is valid for")
    refresh_token: str


class RefreshIn(BaseModel):
    refresh_token: str = Field(min_length=1, max_length=200)


class MeOut(OutModel):
    account_id: int
    username: str
    role: Role
    steward_id: int | None
    chief_id: int | None
    contractor_id: int | None
    subdistrict_id: int | None
    district_id: int | None
