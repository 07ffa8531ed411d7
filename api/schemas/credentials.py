"""Checking an award credential: valid or not, why, and what a valid one states."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from api.schemas.base import OutModel

# Stable and machine-readable, as the error table's codes are; `reason` is for people.
CheckCode = Literal["valid", "malformed", "unknown_issuer_key", "bad_signature", "issuer_mismatch",
                    "not_yet_valid", "expired"]


class IssuerOut(OutModel):
    name: str
    did: str


class StatedAwardOut(OutModel):
    """What a credential that passed every check states."""

    year: int
    kind: str  # steward or team
    award: str  # 年度金牌管家 or 金牌小巷管家团
    subject_key: str
    subject_name: str
    subdistrict: str
    ruleset_version: str
    evidence: dict[str, int | str | bool]
    issued_at: datetime
    valid_until: datetime | None


class CredentialCheckOut(OutModel):
    valid: bool
    code: CheckCode
    reason: str
    credential_id: str | None = None
    issuer: IssuerOut | None = None
    award: StatedAwardOut | None = None
    # Whether this programme's records hold an award with this id. A validly signed credential that is not
    # on record was signed with a trusted key for an award the records no longer hold: ask its office.
    on_record: bool | None = None


class IssuerKeyFileOut(OutModel):
    """A trusted office's public key file, as `stewards cycle awards verify --key` reads it."""

    format: str
    name: str
    id: str  # did:key
    verificationMethod: dict[str, str]  # noqa: N815 - the key file's own member name
