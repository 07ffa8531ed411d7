"""The registry's errors: sign-ups (报名) and claims (认领); drawn in scoring.errors.

RegistryError
├── SignupError
│   ├── InvalidSignupError     a form that cannot be a sign-up: a bad phone, a lane that does not exist, ...
│   ├── UnknownSignupError     no sign-up with that id
│   ├── SignupDecidedError     approved or rejected already: a decision is made once
│   └── UsernameTakenError     an account, or another pending sign-up, has the username
└── ClaimError
    ├── InvalidClaimError      a claim or transfer that cannot be: to a steward of another subdistrict, ...
    ├── UnknownClaimError      no claim with that id
    ├── SegmentClaimedError    the segment is held by a steward already: one steward per segment at a time
    └── ClaimEndedError        the claim was released or transferred already: its history is not rewritten
"""

from __future__ import annotations

from scoring.errors import ScoringError


class RegistryError(ScoringError):
    pass


class SignupError(RegistryError):
    pass


class InvalidSignupError(SignupError, ValueError):
    pass


class UnknownSignupError(SignupError, LookupError):
    pass


class SignupDecidedError(SignupError):
    pass


class UsernameTakenError(SignupError):
    pass


class ClaimError(RegistryError):
    pass


class InvalidClaimError(ClaimError, ValueError):
    pass


class UnknownClaimError(ClaimError, LookupError):
    pass


class SegmentClaimedError(ClaimError):
    """Says nothing of who holds the segment: a steward asking learns only that it is taken."""


class ClaimEndedError(ClaimError):
    pass
