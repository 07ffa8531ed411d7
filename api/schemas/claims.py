"""认领: a claim, its release and transfer, and a claim as the history shows it."""

from __future__ import annotations

from datetime import datetime

from pydantic import Field

from api.schemas.base import InModel, OutModel, StoreId
from scoring.registry.claiming import ClaimChange


class ClaimIn(InModel):
    """The signed-in steward claims this segment, from now on."""

    segment_id: StoreId


class TransferIn(InModel):
    steward_id: StoreId = Field(description="the steward who takes the claim over, of the lane's subdistrict")


class ClaimOut(OutModel):
    id: int
    steward_id: int
    segment_id: int
    lane_id: int
    valid_from: datetime
    valid_to: datetime | None = Field(description="none while the claim is held")


class TeamChangeOut(OutModel):
    """What the claim change did to its lane's 小巷管家团."""

    team_id: int | None
    formed: bool
    dissolved: bool
    joined: list[int]
    left: list[int]


class ClaimChangeOut(OutModel):
    ended: ClaimOut | None
    opened: ClaimOut | None
    team: TeamChangeOut

    @classmethod
    def build(cls, change: ClaimChange) -> ClaimChangeOut:
        reform = change.team
        return cls.model_validate({
            "ended": change.ended, "opened": change.opened,
            "team": {"team_id": reform.team_id, "formed": reform.change.form, "dissolved": reform.change.dissolve,
                     "joined": sorted(reform.change.join), "left": sorted(reform.change.leave)},
        })
