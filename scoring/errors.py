"""The scoring package's errors.

ScoringError
├── UnknownPeriodError       a period kind or date the caller asked for does not exist
├── UnknownScopeError        a leaderboard scope or its id is not in the registry
├── NotAuthorisedError       the actor may not do that there (a chief of another lane or subdistrict, ...)
├── CaseError                the work ledger (scoring.cases.errors)
│   └── UnknownCaseError, InvalidCaseInputError, IllegalTransitionError
├── FlagError                integrity flags (scoring.integrity.store)
│   └── UnknownFlagError, NotYourFlagError, FlagDecidedError, InvalidAppealError
├── InspectionError          周查 (scoring.inspections)
│   └── ChecklistError, InvalidInspectionError, UnknownLaneError, InspectionExistsError
├── PatrolAlertError         missed and late patrols (scoring.patrol_alerts)
│   └── UnknownAlertError
├── RulebookError            rule sets (scoring.rulebook.errors)
│   └── NoRuleSetError, ScoringOrderError, MissingPositionError
├── ClosingError             closing jobs (scoring.closing.errors)
│   └── PeriodNotEndedError, ClosingPolicyError, IssuerKeyMissingError
├── PeriodClosedError        a write dated into a month whose 月评 is frozen (scoring.ledger.closed)
├── AccountError             accounts and sign-in (scoring.accounts.errors)
│   └── SignInError, AccountLockedError, InvalidAccountError, ActivationError, AlreadyActivatedError
├── RegistryError            报名 and 认领 (scoring.registry.errors)
│   ├── SignupError: InvalidSignupError, UnknownSignupError, SignupDecidedError, UsernameTakenError
│   └── ClaimError: InvalidClaimError, UnknownClaimError, SegmentClaimedError, ClaimEndedError
├── CredentialError          award credentials (scoring.awards.errors; its own tree is drawn there)
├── ProvisioningError        bands, claim codes, bindings and beacons (scoring.registry.errors)
│   └── InvalidBandKeyError, InvalidBandError, BandExistsError, UnknownBandError, WrongClaimCodeError,
│       ClaimCodeUsedError, BandLostError, BandBoundError, BandNotBoundError, UnknownCheckpointError,
│       BeaconStateError, BeaconKeyError
└── StorageError
    └── StorageUnavailableError   the database is unreachable (restarting, network): retry later

Each error names what to do next. A caller that maps errors to answers (the API's status codes) can
match on the bases: the Unknown… errors are LookupErrors (UnknownPeriodError, a bad label, is a
ValueError), the Invalid… errors ValueErrors, and NotAuthorisedError a PermissionError.
"""

from __future__ import annotations


class ScoringError(Exception):
    """Base of every error raised by the scoring package."""


class UnknownPeriodError(ScoringError, ValueError):
    pass


class UnknownScopeError(ScoringError, LookupError):
    pass


class NotAuthorisedError(ScoringError, PermissionError):
    """The actor is not one who may do this here; the message names who may."""


class PeriodClosedError(ScoringError):
    """A write dated into a closed month, which would change the totals its 月评 froze; the message names
    the month and the first open day."""


class StorageError(ScoringError):
    pass


class StorageUnavailableError(StorageError):
    """The database could not be reached; nothing was written. Retrying the same call is safe."""
