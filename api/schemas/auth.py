"""Sign-in: the token pair, a refresh, and who the caller is."""

from __future__ import annotations

from typing import Annotated, Final

from pydantic import BaseModel, Field

from api.schemas.base import InModel, OutModel
from scoring.accounts.roles import Role
from scoring.accounts.store import USERNAME_MAX

# Room for a username pasted with spaces around it (sign-in strips them), not for a page of text.
USERNAME_FIELD_MAX_CHARS: Final = 2 * USERNAME_MAX
# Far past any passphrase; bounded so a request cannot make argon2 hash a megabyte.
PASSWORD_MAX_CHARS: Final = 1024
OAUTH_FIELD_MAX_CHARS: Final = 200


class SignInIn(InModel):
    """OAuth2's password grant (RFC 6749 §4.3.2) as the form it is posted in; scope and client are not used."""

    # A form has no null: an absent field is its default, never None.
    grant_type: Annotated[str, Field(pattern=r"^password$", max_length=len("password"))] = "password"
    username: Annotated[str, Field(min_length=1, max_length=USERNAME_FIELD_MAX_CHARS)]
    password: Annotated[str, Field(min_length=1, max_length=PASSWORD_MAX_CHARS)]
    scope: Annotated[str, Field(max_length=OAUTH_FIELD_MAX_CHARS)] = ""
    client_id: Annotated[str, Field(max_length=OAUTH_FIELD_MAX_CHARS)] = ""
    client_secret: Annotated[str, Field(max_length=OAUTH_FIELD_MAX_CHARS)] = ""


class TokenOut(BaseModel):
    """OAuth2's token response (RFC 6749 §5.1), with the refresh token it rotates."""

    access_token: str
    token_type: str = "bearer"
    expires_in: int = Field(description="seconds the access token is valid for")
    refresh_token: str


class RefreshIn(InModel):
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
