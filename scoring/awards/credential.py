"""Issue and verify award credentials: an Open Badges 3.0 document with an eddsa-jcs-2022 proof.

`issue_credential` builds the document (`scoring.awards.document`), and signs it with the office's
key (`scoring.awards.dataintegrity`). `verify_credential` runs the checks in this order, and the
first that fails decides the error:

1. the input is strict JSON with one proof of the expected shape      MalformedCredentialError
2. the proof's did:key is one of the trusted issuer keys               UnknownIssuerKeyError
3. the Ed25519 signature covers the document as it is now              BadSignatureError
4. the document is this programme's award credential                  MalformedCredentialError
5. its issuer is the holder of that key, under the trusted name        IssuerMismatchError
6. it is valid now (validFrom, less a clock allowance; validUntil)     NotYetValidError / Expired...

Nothing here touches the network: the key is in the did:key, and trust is the list of public key
files the caller passes.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Final

from scoring.awards.dataintegrity import add_proof, split_proof, verify_split_proof
from scoring.awards.document import build_document, format_instant, parse_document
from scoring.awards.errors import (
    BadSignatureError,
    CredentialFileError,
    ExpiredCredentialError,
    IssuerMismatchError,
    MalformedCredentialError,
    NotYetValidError,
    UnknownIssuerKeyError,
)
from scoring.awards.jsonio import loads_strict, read_capped
from scoring.awards.keys import IssuerKey, IssuerPublicKey, load_trusted_issuers
from scoring.awards.model import AwardFacts
from scoring.awards.multikey import public_key_from_verification_method

__all__ = [
    "CLOCK_ALLOWANCE_SECONDS",
    "VerifiedAward",
    "credential_filename",
    "dumps_credential",
    "issue_credential",
    "save_credential",
    "verify_credential",
    "verify_file",
]

logger = logging.getLogger(__name__)

# A verifier's clock may run behind the issuer's; five minutes covers an unsynchronised laptop
# without letting a credential dated tomorrow pass today.
CLOCK_ALLOWANCE_SECONDS: Final = 300


@dataclass(frozen=True)
class VerifiedAward:
    """A credential that passed every check: what it states, and which trusted office signed it."""

    facts: AwardFacts
    credential_id: str
    issuer: IssuerPublicKey


def issue_credential(award: AwardFacts, issuer: IssuerKey) -> dict[str, object]:
    """The signed OpenBadgeCredential for `award`, as a JSON-ready dict (see `dumps_credential`)."""
    public = issuer.public
    document = build_document(award, issuer_id=public.did, issuer_name=public.name)
    credential = add_proof(
        document,
        issuer.signing_key,
        verification_method=public.verification_method,
        created=format_instant(award.issued_at),
    )
    logger.info("issued %s to %s for %d (%s)", document["id"], award.subject_id, award.year, public.name)
    return credential


def verify_credential(
    credential: Mapping[str, object] | str | bytes,
    trusted_issuers: Iterable[IssuerPublicKey],
    *,
    now: datetime | None = None,
) -> VerifiedAward:
    """Check a credential (parsed, or its JSON text) against the trusted issuers' public keys."""
    document = _as_document(credential)
    split = split_proof(document)
    trusted = {issuer.verification_method: issuer for issuer in trusted_issuers}
    signer = trusted.get(split.verification_method)
    if signer is None:
        public_key_from_verification_method(split.verification_method)  # malformed beats unknown
        raise UnknownIssuerKeyError(_unknown_key_message(split.verification_method, document, len(trusted)))
    if not verify_split_proof(split, signer.public_key):
        raise BadSignatureError(
            f"the signature of {signer.name} does not match this credential's content: a field was "
            "changed after it was issued, or it was signed with another key; do not accept it, and "
            "ask the issuing office for the original file"
        )
    parsed = parse_document(split.unsecured)
    if parsed.issuer_id != signer.did:
        raise IssuerMismatchError(
            f"the credential names issuer {parsed.issuer_id[:80]!r}, but it was signed with the key "
            f"of {signer.name} ({signer.did}); an office can only issue in its own name"
        )
    if parsed.issuer_name != signer.name:
        raise IssuerMismatchError(
            f"the credential calls its issuer {parsed.issuer_name!r}, but the trusted key file names "
            f"that key {signer.name!r}; check which office the key file came from"
        )
    _check_validity(parsed.facts, now)
    logger.info("verified %s: %s for %d, signed by %s", parsed.credential_id,
                parsed.facts.subject_id, parsed.facts.year, signer.name)
    return VerifiedAward(parsed.facts, parsed.credential_id, signer)


def verify_file(
    path: Path | str,
    trusted_key_paths: Iterable[Path | str],
    *,
    now: datetime | None = None,
) -> VerifiedAward:
    """Verify a credential file against public key files: the CLI's `verify` in one call."""
    path = Path(path)
    trusted = load_trusted_issuers(trusted_key_paths)
    data = read_capped(path, "credential file", CredentialFileError)
    return verify_credential(data, trusted, now=now)


def dumps_credential(credential: Mapping[str, object]) -> str:
    """The credential as the UTF-8 text written to files: 2-space indent, Chinese unescaped.

    The layout is for people; the signature covers the canonical form (JCS), so re-indenting a file
    does not invalidate it.
    """
    return json.dumps(credential, ensure_ascii=False, indent=2) + "\n"


def save_credential(credential: Mapping[str, object], path: Path | str) -> Path:
    path = Path(path)
    path.write_text(dumps_credential(credential), encoding="utf-8")
    return path


def credential_filename(award: AwardFacts) -> str:
    """A stable file name, e.g. 2017-steward-longtan_steward-001.json."""
    return f"{award.year}-{award.kind.value}-{award.subject_key.replace('/', '_').replace(':', '_')}.json"


def _as_document(credential: object) -> dict[str, object]:
    if isinstance(credential, str | bytes):
        credential = loads_strict(credential, "the credential")
    if not isinstance(credential, Mapping):
        raise MalformedCredentialError(
            f"a credential is a JSON object; got {type(credential).__name__}"
        )
    return dict(credential)


def _check_validity(facts: AwardFacts, now: datetime | None) -> None:
    if now is None:
        now = datetime.now(UTC)
    elif now.tzinfo is None:
        raise ValueError("verify_credential needs an aware `now`; naive times have no place here")
    if facts.issued_at > now + timedelta(seconds=CLOCK_ALLOWANCE_SECONDS):
        raise NotYetValidError(
            f"the credential is valid from {facts.issued_at.isoformat()}, after now "
            f"({now.astimezone(UTC).isoformat()}); check this machine's clock, or wait"
        )
    if facts.valid_until is not None and now >= facts.valid_until:
        raise ExpiredCredentialError(
            f"the credential expired at {facts.valid_until.isoformat()}; the office can issue a new one"
        )


def _unknown_key_message(method: str, document: Mapping[str, object], trusted_count: int) -> str:
    issuer = document.get("issuer")
    claimed = issuer.get("name") if isinstance(issuer, Mapping) else None
    who = f" and claims to come from {claimed[:60]!r}" if isinstance(claimed, str) else ""
    did = method.split("#", 1)[0]
    return (
        f"the credential is signed with {did}{who}, which is not among the {trusted_count} trusted "
        "issuer key(s); if that office really issued it, get its public key file from the office "
        "and pass it as a trusted key"
    )
