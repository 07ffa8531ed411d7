"""Year-end awards (年度金牌管家, 金牌小巷管家团) as signed Open Badges 3.0 credentials.

Format: a W3C Verifiable Credential of type OpenBadgeCredential (VC Data Model 2.0, OB 3.0 context
3.0.3) secured by an embedded Data Integrity proof with the `eddsa-jcs-2022` cryptosuite: JSON
Canonicalization Scheme (RFC 8785) + SHA-256 + Ed25519 (RFC 8032) through PyNaCl. The issuer is
the office's `did:key`, so a verifier needs only the office's public key file, and no network.

Why a Data Integrity proof and not a VC-JWT: the credential stays a readable JSON document, as the
street office prints and shows it, with the proof inside; a JWT would turn it into an opaque
base64 string. Why JCS and not RDF canonicalisation (eddsa-rdfc-2022): RDF canonicalisation needs
JSON-LD expansion against context documents that must be fetched or vendored; JCS needs nothing
but the JSON. The cost: OB 3.0 names eddsa-rdfc-2022 (and RS256 JWTs) as its baseline proofs, so a
third-party OB verifier that implements only those will not check our signature.

Public API:
    AwardFacts, AwardKind                      what an award states            (model)
    IssuerKey, IssuerPublicKey                 issuer keys and their files      (keys)
    load_trusted_issuers(paths)
    issue_credential(award, issuer) -> dict    sign                            (credential)
    verify_credential(credential, trusted_issuers, *, now=None) -> VerifiedAward
    verify_file(path, trusted_key_paths, *, now=None) -> VerifiedAward
    dumps_credential, save_credential, credential_filename
    CredentialError and its subclasses                                         (errors)
"""

from __future__ import annotations

from scoring.awards.credential import (
    VerifiedAward,
    credential_filename,
    dumps_credential,
    issue_credential,
    save_credential,
    verify_credential,
    verify_file,
)
from scoring.awards.errors import (
    AwardFactsError,
    BadSignatureError,
    CredentialError,
    CredentialFileError,
    ExpiredCredentialError,
    IssuerMismatchError,
    KeyFileError,
    MalformedCredentialError,
    NotYetValidError,
    UnknownIssuerKeyError,
    ValidityPeriodError,
)
from scoring.awards.keys import IssuerKey, IssuerPublicKey, load_trusted_issuers
from scoring.awards.model import AwardFacts, AwardKind

__all__ = [
    "AwardFacts",
    "AwardFactsError",
    "AwardKind",
    "BadSignatureError",
    "CredentialError",
    "CredentialFileError",
    "ExpiredCredentialError",
    "IssuerKey",
    "IssuerMismatchError",
    "IssuerPublicKey",
    "KeyFileError",
    "MalformedCredentialError",
    "NotYetValidError",
    "UnknownIssuerKeyError",
    "ValidityPeriodError",
    "VerifiedAward",
    "credential_filename",
    "dumps_credential",
    "issue_credential",
    "load_trusted_issuers",
    "save_credential",
    "verify_credential",
    "verify_file",
]
