"""The registry's errors: sign-ups (报名), claims (认领), bands, their bindings and checkpoint beacons;
drawn in scoring.errors.

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

ProvisioningError
├── InvalidBandKeyError     a public key that is no usable Ed25519 key (wrong length, not hex or base64,
│                           not a point of the prime-order subgroup): enrol the key the band reports
├── InvalidBandError        a band id outside 1..2^32-1, a factory file that cannot be read
├── BandExistsError         a band id enrolled already
├── UnknownBandError        no band with that id
├── WrongClaimCodeError     a claim code that matches no band (counted towards the lock-out)
├── ClaimCodeUsedError      a claim code spent already: the band has been bound once
├── BandLostError           a band reported lost: it is never bound again
├── BandBoundError          the band is worn already, or the steward wears another band
├── BandNotBoundError       nobody wears the band: there is no binding to end
├── UnknownCheckpointError  no checkpoint with that id
├── BeaconStateError        install where a beacon is active (replace it), or replace where none is
└── BeaconKeyError          a beacon's sealed secret does not open with the key this process has
"""

from __future__ import annotations

from scoring.errors import ScoringError


class ProvisioningError(ScoringError):
    pass


class InvalidBandKeyError(ProvisioningError, ValueError):
    pass


class InvalidBandError(ProvisioningError, ValueError):
    pass


class BandExistsError(ProvisioningError):
    pass


class UnknownBandError(ProvisioningError, LookupError):
    pass


class WrongClaimCodeError(ProvisioningError, ValueError):
    pass


class ClaimCodeUsedError(ProvisioningError):
    pass


class BandLostError(ProvisioningError):
    pass


class BandBoundError(ProvisioningError):
    pass


class BandNotBoundError(ProvisioningError):
    pass


class UnknownCheckpointError(ProvisioningError, LookupError):
    pass


class BeaconStateError(ProvisioningError):
    pass


class BeaconKeyError(ProvisioningError):
    """The operator's to fix: set STEWARDS_BEACON_KEY to the key the beacons were installed with."""


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
