"""Bands over HTTP: enrolment with its one-time claim code, bindings and their history, beacons (never
their secrets)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Final

from annotated_types import Interval
from pydantic import Field

from api.schemas.base import InModel, OutModel, StoreId, Text

BandId = Annotated[int, Interval(ge=1, le=2**32 - 1)]  # a u32 on the wire; 0 is never a band
PUBLIC_KEY_MAX: Final = 100  # 64 hex digits or 44 base64 characters, with room for spaces
CLAIM_CODE_MAX: Final = 40  # 16 symbols in groups, with room for what people type around them


class EnrolIn(InModel):
    band_id: BandId
    public_key: Annotated[Text, Field(max_length=PUBLIC_KEY_MAX,
                                      description="the Ed25519 public key the band reports, hex or base64")]


class EnrolledOut(OutModel):
    band_id: int
    key_origin: str
    registered_at: datetime
    claim_code: str = Field(description="print it with the band: it is shown this once and stored only hashed")


class ClaimIn(InModel):
    claim_code: Annotated[Text, Field(max_length=CLAIM_CODE_MAX, description="e.g. 7K2Q-MX9D-4HTR-B0ZC")]


class BindIn(InModel):
    steward_id: StoreId


class BindingOut(OutModel):
    id: int
    band_id: int
    steward_id: int
    valid_from: datetime
    valid_to: datetime | None
    ended_reason: str | None


class LostOut(OutModel):
    band_id: int
    lost_at: datetime
    ended: BindingOut | None


class BeaconOut(OutModel):
    """A beacon without its secret: the API never returns one."""

    id: int
    checkpoint_id: int
    active_from: datetime
    active_to: datetime | None
    key_origin: str
