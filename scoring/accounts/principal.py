"""What a verified credential says about its holder, and who they are on the case ledger."""

from __future__ import annotations

from dataclasses import dataclass

from scoring.accounts.roles import Role
from scoring.cases.workflow import Actor, ActorKind
from scoring.errors import NotAuthorisedError


@dataclass(frozen=True, slots=True)
class Principal:
    account_id: int
    username: str
    role: Role
    steward_id: int | None = None
    chief_id: int | None = None
    contractor_id: int | None = None
    subdistrict_id: int | None = None
    district_id: int | None = None

    def actor(self) -> Actor:
        """The case-ledger actor this principal writes as; `system` only for a service credential."""
        if self.role is Role.STEWARD and self.steward_id is not None:
            return Actor(ActorKind.STEWARD, self.steward_id)
        if self.role is Role.CHIEF and self.chief_id is not None:
            return Actor(ActorKind.CHIEF, self.chief_id)
        if self.role is Role.CONTRACTOR and self.contractor_id is not None:
            return Actor(ActorKind.CONTRACTOR, self.contractor_id)
        if self.role is Role.SERVICE:
            return Actor(ActorKind.SYSTEM)
        raise NotAuthorisedError(f"a {self.role.value} account does not act on cases")

    def steward(self) -> int:
        """The steward this principal is; NotAuthorisedError for anyone else."""
        if self.role is not Role.STEWARD or self.steward_id is None:
            raise NotAuthorisedError(f"only a steward may do this for themselves; this is a {self.role.value} account")
        return self.steward_id

    def chief(self) -> int:
        """The chief this principal is; NotAuthorisedError for anyone else."""
        if self.role is not Role.CHIEF or self.chief_id is None:
            raise NotAuthorisedError(f"only a lane or street chief may do this; this is a {self.role.value} account")
        return self.chief_id
