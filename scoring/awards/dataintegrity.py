"""Embedded Data Integrity proofs with the `eddsa-jcs-2022` cryptosuite (W3C vc-di-eddsa, section 3.3).

Signing a JSON document `doc` (which has no `proof` yet) with an Ed25519 key:

1. proof configuration = {type: "DataIntegrityProof", cryptosuite: "eddsa-jcs-2022", created,
   verificationMethod, proofPurpose: "assertionMethod", @context: doc's @context when it has one}
2. hash data = SHA-256(JCS(proof configuration)) || SHA-256(JCS(doc)): 64 bytes, configuration first
3. proofValue = "z" + base58btc(Ed25519 signature of the hash data)  (RFC 8032, pure Ed25519)
4. the secured document is doc plus `proof` = [the configuration plus proofValue]

Verifying takes `proof` out, drops proofValue from it, and checks the signature over the same hash
data. JCS is RFC 8785 (`scoring.awards.jcs`).

`proof` is written as an array of one proof, because the Open Badges 3.0 JSON schema has it an array;
the VC data model allows either, and a proof set's members each sign the document without `proof`, so
the array changes nothing that is signed. Credentials issued before carry a single proof object; both
shapes verify. Two places are stricter than the suite: a document carries exactly one proof (no proof
sets of two or more, no chains), and the proof's @context must equal the document's, not merely be a
prefix of it, so nothing can be appended to the context after signing.
This module knows nothing of badges; `scoring.awards.credential` builds on it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Final

from nacl.exceptions import BadSignatureError as NaclBadSignatureError
from nacl.signing import SigningKey, VerifyKey

from scoring.awards.errors import MalformedCredentialError
from scoring.awards.jcs import canonicalize
from scoring.awards.multikey import b58encode, multibase_decode

__all__ = [
    "CRYPTOSUITE",
    "PROOF_PURPOSE",
    "PROOF_TYPE",
    "SIGNATURE_BYTES",
    "SplitProof",
    "add_proof",
    "hash_data",
    "single_proof",
    "split_proof",
    "verify_split_proof",
]

PROOF_TYPE: Final = "DataIntegrityProof"
CRYPTOSUITE: Final = "eddsa-jcs-2022"
PROOF_PURPOSE: Final = "assertionMethod"
SIGNATURE_BYTES: Final = 64


@dataclass(frozen=True, slots=True)
class SplitProof:
    """A secured document taken apart: what was signed, and the proof that claims to sign it."""

    unsecured: dict[str, object]
    proof_config: dict[str, object]  # the proof without proofValue: itself part of the signed data
    verification_method: str
    created: str
    signature: bytes


def hash_data(proof_config: Mapping[str, object], unsecured: Mapping[str, object]) -> bytes:
    return (hashlib.sha256(canonicalize(proof_config)).digest()
            + hashlib.sha256(canonicalize(unsecured)).digest())


def add_proof(
    document: Mapping[str, object],
    signing_key: SigningKey,
    *,
    verification_method: str,
    created: str,
) -> dict[str, object]:
    """A copy of `document` with an eddsa-jcs-2022 proof made by `signing_key`."""
    if "proof" in document:
        raise MalformedCredentialError(
            "the document already carries a proof; sign the unsecured document, once"
        )
    config: dict[str, object] = {
        "type": PROOF_TYPE,
        "cryptosuite": CRYPTOSUITE,
        "created": created,
        "verificationMethod": verification_method,
        "proofPurpose": PROOF_PURPOSE,
    }
    if "@context" in document:
        config["@context"] = document["@context"]
    signature = signing_key.sign(hash_data(config, document)).signature
    return {**document, "proof": [{**config, "proofValue": "z" + b58encode(signature)}]}


def single_proof(secured: Mapping[str, object]) -> Mapping[str, object]:
    """The one proof of a document: an array of one (as issued now) or a bare object (as issued before)."""
    proof = secured.get("proof")
    if isinstance(proof, list) and len(proof) == 1:
        proof = proof[0]
    if not isinstance(proof, Mapping):
        found = f"a list of {len(proof)} proofs" if isinstance(proof, list) else "no proof object"
        raise MalformedCredentialError(
            f"the credential has {found}; the credentials issued here carry exactly one embedded "
            "eddsa-jcs-2022 proof: it was not signed by a subdistrict"
        )
    return proof


def split_proof(secured: Mapping[str, object]) -> SplitProof:
    """Check the shape of the document's single proof and separate it; no cryptography yet."""
    proof = single_proof(secured)
    for name, expected in (("type", PROOF_TYPE), ("cryptosuite", CRYPTOSUITE),
                           ("proofPurpose", PROOF_PURPOSE)):
        if proof.get(name) != expected:
            raise MalformedCredentialError(
                f"proof.{name} is {proof.get(name)!r}, not {expected!r}: this verifier checks "
                f"{CRYPTOSUITE} Data Integrity proofs only"
            )
    verification_method = proof.get("verificationMethod")
    created = proof.get("created")
    proof_value = proof.get("proofValue")
    if not isinstance(verification_method, str) or not isinstance(created, str):
        raise MalformedCredentialError("the proof needs string verificationMethod and created members")
    _check_instant(created, "proof.created")
    if not isinstance(proof_value, str):
        raise MalformedCredentialError("the proof has no proofValue string: it was never signed")
    signature = multibase_decode(proof_value)
    if len(signature) != SIGNATURE_BYTES:
        raise MalformedCredentialError(
            f"proof.proofValue holds {len(signature)} bytes, not a {SIGNATURE_BYTES}-byte Ed25519 "
            "signature: the file was cut or edited; ask the issuer for the original"
        )
    unsecured = {name: value for name, value in secured.items() if name != "proof"}
    if "@context" in proof and proof["@context"] != unsecured.get("@context"):
        raise MalformedCredentialError(
            "the proof's @context differs from the credential's: the credential's context was "
            "changed after it was signed"
        )
    proof_config = {name: value for name, value in proof.items() if name != "proofValue"}
    return SplitProof(unsecured, proof_config, verification_method, created, signature)


def verify_split_proof(split: SplitProof, public_key: bytes) -> bool:
    """True when the signature is valid for the unsecured document and proof configuration."""
    message = hash_data(split.proof_config, split.unsecured)
    try:
        VerifyKey(public_key).verify(message, split.signature)
    except NaclBadSignatureError:
        return False
    return True


def _check_instant(text: str, where: str) -> None:
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        parsed = None
    if parsed is None or parsed.tzinfo is None:
        raise MalformedCredentialError(
            f"{where} is {text[:40]!r}, not a date-time with a zone such as 2018-01-05T02:00:00Z"
        )
