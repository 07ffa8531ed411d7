"""eddsa-jcs-2022 against the W3C vc-di-eddsa test vector, byte for byte, and its failure modes."""

from __future__ import annotations

import copy

import pytest
from nacl.signing import SigningKey

from scoring.awards.dataintegrity import add_proof, hash_data, split_proof, verify_split_proof
from scoring.awards.errors import MalformedCredentialError
from scoring.awards.jcs import canonicalize
from scoring.awards.multikey import public_key_from_multibase, seed_from_multibase

# W3C vc-di-eddsa TestVectors/keyPair.json and TestVectors/eddsa-jcs-2022/signedJCS.json.
SEED = seed_from_multibase("z3u2en7t5LR2WtQH5PfFqMqwVHBeXouLzo6haApm8XHqvjxq")
PUBLIC_KEY = public_key_from_multibase("z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2")
CONTEXT = ["https://www.w3.org/ns/credentials/v2", "https://www.w3.org/ns/credentials/examples/v2"]
UNSECURED = {
    "@context": CONTEXT,
    "id": "urn:uuid:58172aac-d8ba-11ed-83dd-0b3aef56cc33",
    "type": ["VerifiableCredential", "AlumniCredential"],
    "name": "Alumni Credential",
    "description": "A minimum viable example of an Alumni Credential.",
    "issuer": "https://vc.example/issuers/5678",
    "validFrom": "2023-01-01T00:00:00Z",
    "credentialSubject": {"id": "did:example:abcdefgh", "alumniOf": "The School of Examples"},
}
VERIFICATION_METHOD = "https://vc.example/issuers/5678#z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2"
CREATED = "2023-02-24T23:36:38Z"
PROOF_VALUE = "z63t83Y53KfzJ5ZosfKTnqfMcKB2dmTrfjSaQjeNNjAD5srBowQfmWqeRb8rRjmeEuCBEsddF9LsVogtuTsijJKh4"
# TestVectors/eddsa-jcs-2022/canonDocJCS.txt and docHashJCS.txt
CANONICAL_DOCUMENT = (
    '{"@context":["https://www.w3.org/ns/credentials/v2","https://www.w3.org/ns/credentials/examples/v2"],'
    '"credentialSubject":{"alumniOf":"The School of Examples","id":"did:example:abcdefgh"},'
    '"description":"A minimum viable example of an Alumni Credential.",'
    '"id":"urn:uuid:58172aac-d8ba-11ed-83dd-0b3aef56cc33","issuer":"https://vc.example/issuers/5678",'
    '"name":"Alumni Credential","type":["VerifiableCredential","AlumniCredential"],'
    '"validFrom":"2023-01-01T00:00:00Z"}'
)
DOCUMENT_HASH_HEX = "59b7cb6251b8991add1ce0bc83107e3db9dbbab5bd2c28f687db1a03abc92f19"


def signed() -> dict[str, object]:
    return add_proof(UNSECURED, SigningKey(SEED), verification_method=VERIFICATION_METHOD, created=CREATED)


def test_canonical_document_matches_the_w3c_vector() -> None:
    assert canonicalize(UNSECURED) == CANONICAL_DOCUMENT.encode()


def test_signing_reproduces_the_w3c_proof_value() -> None:
    (proof,) = signed()["proof"]  # type: ignore[misc]  # an array of one, as Open Badges 3.0 has it
    assert proof == {
        "type": "DataIntegrityProof",
        "cryptosuite": "eddsa-jcs-2022",
        "created": CREATED,
        "verificationMethod": VERIFICATION_METHOD,
        "proofPurpose": "assertionMethod",
        "@context": CONTEXT,
        "proofValue": PROOF_VALUE,
    }


def test_hash_data_is_proof_hash_then_document_hash() -> None:
    split = split_proof(signed())
    assert hash_data(split.proof_config, split.unsecured)[32:].hex() == DOCUMENT_HASH_HEX


W3C_PROOF = {
    "type": "DataIntegrityProof", "cryptosuite": "eddsa-jcs-2022", "created": CREATED,
    "verificationMethod": VERIFICATION_METHOD, "proofPurpose": "assertionMethod",
    "@context": CONTEXT, "proofValue": PROOF_VALUE,
}


@pytest.mark.parametrize("proof", [W3C_PROOF, [W3C_PROOF]], ids=["a single object", "an array of one"])
def test_the_w3c_signed_document_verifies_with_its_proof_in_either_shape(proof: object) -> None:
    assert verify_split_proof(split_proof({**UNSECURED, "proof": proof}), PUBLIC_KEY)


@pytest.mark.parametrize(
    ("path", "value"),
    [
        (("credentialSubject", "alumniOf"), "The School of Forgery"),
        (("validFrom",), "2022-01-01T00:00:00Z"),
        (("proof", 0, "created"), "2023-02-24T23:36:39Z"),  # the proof configuration is signed too
        (("proof", 0, "verificationMethod"), "https://vc.example/issuers/5678#other"),
    ],
)
def test_any_change_breaks_the_signature(path: tuple[str | int, ...], value: str) -> None:
    document = copy.deepcopy(signed())
    target: object = document
    for name in path[:-1]:
        target = target[name]  # type: ignore[index]
    target[path[-1]] = value  # type: ignore[index]
    assert not verify_split_proof(split_proof(document), PUBLIC_KEY)


def test_another_key_does_not_verify() -> None:
    other = bytes(SigningKey(bytes(32)).verify_key)
    assert not verify_split_proof(split_proof(signed()), other)


def test_a_document_is_signed_once() -> None:
    with pytest.raises(MalformedCredentialError, match="already carries a proof"):
        add_proof(signed(), SigningKey(SEED), verification_method=VERIFICATION_METHOD, created=CREATED)


def _with_proof(**changes: object) -> dict[str, object]:
    document = copy.deepcopy(signed())
    (proof,) = document["proof"]  # type: ignore[misc]
    assert isinstance(proof, dict)
    for name, value in changes.items():
        if value is None:
            del proof[name]
        else:
            proof[name] = value
    return document


@pytest.mark.parametrize(
    ("document", "message"),
    [
        ({**UNSECURED}, "no proof object"),
        ({**UNSECURED, "proof": []}, "a list of 0 proofs"),
        ({**UNSECURED, "proof": [W3C_PROOF, W3C_PROOF]}, "a list of 2 proofs"),  # no proof sets
        ({**UNSECURED, "proof": ["z" + PROOF_VALUE]}, "no proof object"),
        ({**UNSECURED, "proof": [{"type": "DataIntegrityProof"}]}, "cryptosuite"),
        (_with_proof(cryptosuite="eddsa-rdfc-2022"), "cryptosuite"),
        (_with_proof(type="Ed25519Signature2020"), "proof.type"),
        (_with_proof(proofPurpose="authentication"), "proofPurpose"),
        (_with_proof(proofValue=None), "no proofValue"),
        (_with_proof(proofValue=PROOF_VALUE[:-10]), "not a 64-byte"),
        (_with_proof(proofValue="u" + PROOF_VALUE[1:]), "starting with 'z'"),
        (_with_proof(created="yesterday"), "proof.created"),
        (_with_proof(created="2023-02-24T23:36:38"), "proof.created"),  # no zone
        (_with_proof(verificationMethod=7), "verificationMethod"),
        (_with_proof(**{"@context": CONTEXT[:1]}), "@context differs"),
    ],
)
def test_malformed_proofs_are_refused_before_any_cryptography(document: dict[str, object], message: str) -> None:
    with pytest.raises(MalformedCredentialError, match=message):
        split_proof(document)
