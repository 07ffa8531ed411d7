"""报名: the form online and on paper, a decision, and the sign-up as the street office reads it."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import Field

from api.schemas.base import InModel, OutModel, StoreId, Text
from scoring.accounts.activation import CODE_INPUT_MAX
from scoring.accounts.passwords import MIN_PASSWORD_LENGTH
from scoring.accounts.store import USERNAME_MAX
from scoring.registry.phones import PHONE_INPUT_MAX
from scoring.registry.signup import ADDRESS_MAX, NAME_MAX, REASON_MAX, Channel, SignupForm, SignupState

PASSWORD_MAX = 200  # argon2 takes any length; a bound keeps a request from costing more than a sign-in


class PaperSignupIn(InModel):
    """The paper form (报名表) as station staff enter it: no password, the steward sets one on activation."""

    name: Annotated[Text, Field(min_length=1, max_length=NAME_MAX)]
    phone: Annotated[Text, Field(min_length=1, max_length=PHONE_INPUT_MAX,
                                 description="a mainland mobile (13812345678) or a landline (010-67012345)")]
    lane_id: StoreId = Field(description="the lane the resident lives on: it becomes their home lane")
    address: Annotated[Text, Field(min_length=1, max_length=ADDRESS_MAX, description="e.g. 幸福北里17号楼3门201")]
    username: Annotated[Text, Field(min_length=1, max_length=USERNAME_MAX)]
    party_member: bool = False

    def form(self) -> SignupForm:
        return SignupForm(self.name, self.phone, self.lane_id, self.address, self.username, self.party_member)


class SignupIn(PaperSignupIn):
    """The form online, with the password of the account-to-be: hashed on arrival, never stored in clear."""

    password: Annotated[str, Field(min_length=MIN_PASSWORD_LENGTH, max_length=PASSWORD_MAX)]


class RejectIn(InModel):
    reason: Annotated[Text, Field(min_length=1, max_length=REASON_MAX)]


class SignupReceiptOut(OutModel):
    """What a resident signing up online is told: their sign-up is in, and waits for the street office."""

    id: int
    state: SignupState
    submitted_at: datetime


class SignupOut(OutModel):
    id: int
    channel: Channel
    state: SignupState
    name: str
    phone: str
    lane_id: int
    subdistrict_id: int
    address: str
    party_member: bool
    username: str
    submitted_at: datetime
    entered_by: int | None = Field(description="the account of the station staff who entered a paper form")
    decided_at: datetime | None
    decided_by: int | None
    reason: str
    steward_id: int | None


class ActivationCodeOut(OutModel):
    code: str = Field(description="shown this once: hand it to the steward, who sets a password with it")
    expires_at: datetime


class ApprovalOut(OutModel):
    signup: SignupOut
    steward_id: int
    account_id: int
    username: str
    activation: ActivationCodeOut | None = Field(
        description="a paper sign-up's one-time code for POST /auth/activate; none online (the password is set)")


class ActivateIn(InModel):
    username: Annotated[Text, Field(min_length=1, max_length=USERNAME_MAX)]
    code: Annotated[Text, Field(min_length=1, max_length=CODE_INPUT_MAX)]
    password: Annotated[str, Field(min_length=MIN_PASSWORD_LENGTH, max_length=PASSWORD_MAX)]
