"""The award credentials' errors.

CredentialError (a ScoringError)
├── AwardFactsError            the facts handed to `issue_credential` are not valid: fix the caller
├── KeyFileError               an issuer key file is missing, unreadable, malformed or readable by others
├── CredentialFileError        a credential file is missing, unreadable or too large
├── MalformedCredentialError   not JSON, not this programme's Open Badges 3.0 award credential, or a
│                              proof that is not a single eddsa-jcs-2022 Data Integrity proof
├── UnknownIssuerKeyError      the proof names a key that is not among the trusted issuer keys
├── IssuerMismatchError        the credential names an issuer other than the holder of the signing key
├── BadSignatureError          the signature does not match the content: a field was changed after the
│                              credential was issued, or a different key made the proof (the two are
│                              one observation; no verifier can tell them apart)
└── ValidityPeriodError
    ├── NotYetValidError       `validFrom` is in the future
    └── ExpiredCredentialError `validUntil` has passed
"""

from __future__ import annotations

from scoring.errors import ScoringError


class CredentialError(ScoringError):
    """Base of every error raised while issuing, storing or verifying an award credential."""


class AwardFactsError(CredentialError, ValueError):
    pass


class KeyFileError(CredentialError):
    pass


class CredentialFileError(CredentialError):
    pass


class MalformedCredentialError(CredentialError, ValueError):
    pass


class UnknownIssuerKeyError(CredentialError):
    pass


class IssuerMismatchError(CredentialError):
    pass


class BadSignatureError(CredentialError):
    pass


class ValidityPeriodError(CredentialError):
    pass


class NotYetValidError(ValidityPeriodError):
    pass


class ExpiredCredentialError(ValidityPeriodError):
    pass
