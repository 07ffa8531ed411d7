"""API keys: issuing one (its secret shown once), and listing them without it."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import Field

from api.schemas.base import InModel, OutModel, Text
from scoring.accounts.api_keys import LABEL_MAX


class ApiKeyIn(InModel):
    label: Annotated[Text, Field(min_length=1, max_length=LABEL_MAX, description="what uses the key, e.g. 随手拍")]


class ApiKeyOut(OutModel):
    id: int
    account_id: int
    label: str
    prefix: str = Field(description="the key's first characters, to tell keys apart")
    issued_at: datetime
    issued_by: int
    revoked_at: datetime | None


class ApiKeyIssuedOut(ApiKeyOut):
    api_key: str = Field(description="the key itself: shown this once, stored only as a digest")
