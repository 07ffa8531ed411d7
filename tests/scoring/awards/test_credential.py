"""Issue and verify award credentials: round trips, every kind of tampering, keys, validity, garbage."""

from __future__ import annotations

import copy
import dataclasses
import hashlib
import json
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scoring.awards import (
    AwardFacts,
    AwardFactsError,
    AwardKind,
    BadSignatureError,
    CredentialError,
    CredentialFileError,
    ExpiredCredentialError,
    IssuerKey,
    IssuerMismatchError,
    IssuerPublicKey,
    KeyFileError,
    MalformedCredentialError,
    NotYetValidError,
    UnknownIssuerKeyError,
    credential_filename,
    dumps_credential,
    issue_credential,
    save_credential,
    verify_credential,
    verify_file,
)
from scoring.awards.dataintegrity import add_proof
from scoring.awards.document import build_document, format_instant
from scoring.errors import ScoringError

UTC = UTC
LONGTAN = IssuerKey.from_seed(bytes(range(32)), "龙潭街道办事处")
TIYUGUAN = IssuerKey.from_seed(hashlib.sha256(b"tiyuguanlu demo issuer").digest(), "体育馆路街道办事处")
TRUSTED = (LONGTAN.public, TIYUGUAN.public)
ISSUED_AT = datetime(2018, 1, 5, 2, 0, tzinfo=UTC)
NOW = datetime(2018, 2, 1, tzinfo=UTC)
FACTS = AwardFacts(
    year=2017,
    kind=AwardKind.STEWARD,
    subject_key="longtan/steward-001",
    subject_name="赵云华",
    subdistrict_name="龙潭街道",
    ruleset_version="3f2a9c1b0d4e",
    evidence={"points_total": 1234, "active_months": 11, "patrols_completed": 402, "cases_confirmed": 17},
    issued_at=ISSUED_AT,
)
TEAM_FACTS = AwardFacts(
    year=2017,
    kind="team",  # type: ignore[arg-type]  # a plain string is accepted and becomes AwardKind.TEAM
    subject_key="longtan/xingfu/fuguang-lu",
    subject_name="福光路小巷管家团",
    subdistrict_name="龙潭街道",
    ruleset_version="3f2a9c1b0d4e",
    evidence={"points_total": 5120, "members": 4, "member_months": 41},
    issued_at=ISSUED_AT,
)


def issued() -> dict[str, object]:
    return issue_credential(FACTS, LONGTAN)


# --- round trips -----------------------------------------------------------------------------------


@pytest.mark.parametrize("facts", [FACTS, TEAM_FACTS], ids=["steward", "team"])
def test_round_trip_gives_back_the_facts_and_the_signer(facts: AwardFacts) -> None:
    credential = issue_credential(facts, LONGTAN)
    verified = verify_credential(credential, TRUSTED, now=NOW)
    assert verified.facts == facts
    assert verified.issuer == LONGTAN.public
    assert verified.credential_id == credential["id"]


def test_round_trip_through_text_and_bytes() -> None:
    text = dumps_credential(issued())
    assert verify_credential(text, TRUSTED, now=NOW).facts == FACTS
    assert verify_credential(text.encode("utf-8"), TRUSTED, now=NOW).facts == FACTS


def test_round_trip_through_files(tmp_path: Path) -> None:
    path = save_credential(issued(), tmp_path / credential_filename(FACTS))
    assert path.name == "2017-steward-longtan_steward-001.json"
    keys = [LONGTAN.save_public(tmp_path / "longtan.pub.json"), TIYUGUAN.save_public(tmp_path / "tiyuguan.pub.json")]
    verified = verify_file(path, keys, now=NOW)
    assert verified.facts == FACTS and verified.issuer.name == "龙潭街道办事处"


def test_the_document_is_an_open_badges_3_credential() -> None:
    credential = issued()
    assert credential["type"] == ["VerifiableCredential", "OpenBadgeCredential"]
    assert credential["issuer"] == {"id": LONGTAN.public.did, "type": ["Profile"], "name": "龙潭街道办事处"}
    assert credential["validFrom"] == "2018-01-05T02:00:00Z"
    subject = credential["credentialSubject"]
    assert isinstance(subject, dict)
    assert subject["id"] == "urn:lane-stewards:steward:longtan/steward-001"
    assert subject["type"] == ["AchievementSubject"]
    assert subject["achievement"]["name"] == "年度金牌管家"
    assert "2017" in subject["achievement"]["criteria"]["narrative"]
    assert subject["laneStewardsAward"]["ruleSetVersion"] == "3f2a9c1b0d4e"
    assert subject["laneStewardsAward"]["evidence"] == dict(FACTS.evidence)
    team = issue_credential(TEAM_FACTS, LONGTAN)["credentialSubject"]
    assert team["achievement"]["name"] == "金牌小巷管家团"  # type: ignore[index]
    assert team["id"] == "urn:lane-stewards:team:longtan/xingfu/fuguang-lu"  # type: ignore[index]


def test_an_issued_credential_defines_every_term_and_carries_its_proof_in_an_array() -> None:
    credential = issued()
    # VC 2.0 first, Open Badges 3.0 second, as both require; then the context that defines the extension's
    # terms, which VC 2.0's base context (it has no @vocab) leaves undefined.
    assert credential["@context"] == [
        "https://www.w3.org/ns/credentials/v2",
        "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
        "https://www.w3.org/ns/credentials/undefined-terms/v2",
    ]
    proofs = credential["proof"]
    assert isinstance(proofs, list) and len(proofs) == 1  # the Open Badges 3.0 schema has `proof` an array
    assert proofs[0]["type"] == "DataIntegrityProof" and proofs[0]["cryptosuite"] == "eddsa-jcs-2022"
    assert proofs[0]["@context"] == credential["@context"]


def _leaves(value: object, path: tuple[str | int, ...] = ()) -> list[tuple[str | int, ...]]:
    if isinstance(value, dict):
        return [leaf for name, item in value.items() for leaf in _leaves(item, (*path, name))]
    if isinstance(value, list):
        return [leaf for i, item in enumerate(value) for leaf in _leaves(item, (*path, i))]
    return [path]


def _tampered(value: object) -> object:
    if isinstance(value, bool):
        return not value
    if isinstance(value, int):
        return value + 1
    assert isinstance(value, str)
    return value[:-1] + ("0" if value[-1:] != "0" else "1")  # one character: lengths and alphabets still fit


def _legacy(credential: dict[str, object]) -> dict[str, object]:
    """The shape issued before: two contexts and one bare proof object, signed over that."""
    document = {k: v for k, v in credential.items() if k != "proof"}
    document["@context"] = document["@context"][:2]  # type: ignore[index]
    (proof,) = _signed_by_longtan(document)["proof"]  # type: ignore[misc]
    return {**document, "proof": proof}


@pytest.mark.parametrize("shape", ["issued now", "issued before"])
def test_tampering_with_any_field_fails_and_says_why(shape: str) -> None:
    original = issued() if shape == "issued now" else _legacy(issued())
    verify_credential(original, TRUSTED, now=NOW)
    leaves = _leaves(original)
    assert len(leaves) >= 40  # every member, the proof's included
    for path in leaves:
        credential = copy.deepcopy(original)
        target: object = credential
        for step in path[:-1]:
            target = target[step]  # type: ignore[index]
        target[path[-1]] = _tampered(target[path[-1]])  # type: ignore[index]
        with pytest.raises(CredentialError) as caught:
            verify_credential(credential, TRUSTED, now=NOW)
        reason = str(caught.value)
        # The signature's own members cannot be checked against themselves: they fail on their shape or key.
        if path[0] != "proof" or path[-1] == "created":
            assert isinstance(caught.value, BadSignatureError | MalformedCredentialError), (path, reason)
        assert len(reason) > 30, (path, reason)


def test_layout_does_not_matter_only_content() -> None:
    credential = issued()
    compact_sorted = json.dumps(credential, sort_keys=True, separators=(",", ":"))  # \u-escaped Chinese
    assert verify_credential(compact_sorted, TRUSTED, now=NOW).facts == FACTS


def test_issuing_again_gives_the_same_credential_and_other_facts_another_id() -> None:
    assert issue_credential(FACTS, LONGTAN) == issue_credential(FACTS, LONGTAN)
    other = AwardFacts(**{**FACTS.__dict__, "evidence": {**FACTS.evidence, "points_total": 1235}})
    assert issue_credential(other, LONGTAN)["id"] != issued()["id"]


def test_valid_until_round_trips_and_expires() -> None:
    facts = AwardFacts(**{**FACTS.__dict__, "valid_until": datetime(2019, 1, 1, tzinfo=UTC)})
    credential = issue_credential(facts, LONGTAN)
    assert credential["validUntil"] == "2019-01-01T00:00:00Z"
    assert verify_credential(credential, TRUSTED, now=NOW).facts == facts
    with pytest.raises(ExpiredCredentialError, match="expired"):
        verify_credential(credential, TRUSTED, now=datetime(2019, 1, 1, tzinfo=UTC))


def test_not_yet_valid_beyond_the_clock_allowance() -> None:
    credential = issued()
    verify_credential(credential, TRUSTED, now=ISSUED_AT - timedelta(minutes=4))
    with pytest.raises(NotYetValidError, match="check this machine's clock"):
        verify_credential(credential, TRUSTED, now=ISSUED_AT - timedelta(minutes=6))


def test_now_defaults_to_the_wall_clock_and_must_be_aware() -> None:
    assert verify_credential(issued(), TRUSTED).facts == FACTS
    with pytest.raises(ValueError, match="aware"):
        verify_credential(issued(), TRUSTED, now=datetime(2018, 2, 1))  # noqa: DTZ001 - naive on purpose


# --- tampering ---------------------------------------------------------------------------------------

SUBJECT = ("credentialSubject",)
RECORD = (*SUBJECT, "laneStewardsAward")


@pytest.mark.parametrize(
    ("path", "value"),
    [
        ((*SUBJECT, "identifier", 0, "identityHash"), "韩险峰"),  # subject name
        ((*SUBJECT, "id"), "urn:lane-stewards:steward:longtan/steward-002"),
        ((*RECORD, "evidence", "points_total"), 4321),  # points
        ((*RECORD, "evidence", "points_total"), "1234"),  # same number as a string
        ((*RECORD, "evidence", "bonus_points"), 100),  # an added item
        ((*RECORD, "ruleSetVersion"), "000000000000"),
        ((*RECORD, "year"), 2018),
        ((*RECORD, "kind"), "team"),
        ((*RECORD, "subdistrict"), "体育馆路街道"),
        (("issuer", "name"), "体育馆路街道办事处"),
        (("issuer", "id"), TIYUGUAN.public.did),
        (("validFrom",), "2017-06-01T00:00:00Z"),
        (("name",), "龙潭街道2018年度金牌管家：赵云华"),
        ((*SUBJECT, "achievement", "criteria", "narrative"), "全勤即可。"),
        (("id",), "urn:uuid:00000000-0000-5000-8000-000000000000"),
        (("proof", 0, "created"), "2018-01-05T02:00:01Z"),
        (("validUntil",), "2099-01-01T00:00:00Z"),  # a member the issuer never wrote
    ],
)
def test_every_tampered_field_fails_the_signature(path: tuple[str | int, ...], value: object) -> None:
    credential = copy.deepcopy(issued())
    target: object = credential
    for step in path[:-1]:
        target = target[step]  # type: ignore[index]
    target[path[-1]] = value  # type: ignore[index]
    with pytest.raises(BadSignatureError, match="changed after it was issued"):
        verify_credential(credential, TRUSTED, now=NOW)


def test_a_removed_evidence_item_fails_the_signature() -> None:
    credential = copy.deepcopy(issued())
    del credential["credentialSubject"]["laneStewardsAward"]["evidence"]["cases_confirmed"]  # type: ignore[index]
    with pytest.raises(BadSignatureError):
        verify_credential(credential, TRUSTED, now=NOW)


def test_tampering_with_the_file_text_fails_the_signature(tmp_path: Path) -> None:
    path = save_credential(issued(), tmp_path / "award.json")
    path.write_text(path.read_text(encoding="utf-8").replace('"points_total": 1234', '"points_total": 9234'),
                    encoding="utf-8")
    key = LONGTAN.save_public(tmp_path / "longtan.pub.json")
    with pytest.raises(BadSignatureError):
        verify_file(path, [key], now=NOW)


# --- keys ---------------------------------------------------------------------------------------------


def test_a_key_that_is_not_trusted_is_unknown_and_the_message_names_the_claimed_office() -> None:
    with pytest.raises(UnknownIssuerKeyError, match="龙潭街道办事处.*not among the 1 trusted"):
        verify_credential(issued(), [TIYUGUAN.public], now=NOW)


def test_an_impostor_key_in_the_offices_name_is_unknown() -> None:
    impostor = IssuerKey.from_seed(bytes(32), "龙潭街道办事处")
    with pytest.raises(UnknownIssuerKeyError):
        verify_credential(issue_credential(FACTS, impostor), TRUSTED, now=NOW)


def test_a_signature_by_another_key_under_a_trusted_key_id_fails() -> None:
    impostor = IssuerKey.from_seed(bytes(32), "龙潭街道办事处")
    credential = issue_credential(FACTS, impostor)
    credential["issuer"]["id"] = LONGTAN.public.did  # type: ignore[index]
    credential["proof"][0]["verificationMethod"] = LONGTAN.public.verification_method  # type: ignore[index]
    with pytest.raises(BadSignatureError):
        verify_credential(credential, TRUSTED, now=NOW)


def test_an_office_cannot_issue_in_another_offices_name() -> None:
    # Validly signed by 体育馆路, but the issuer profile is 龙潭's.
    document = build_document(FACTS, issuer_id=LONGTAN.public.did, issuer_name=LONGTAN.name)
    credential = add_proof(document, TIYUGUAN.signing_key, verification_method=TIYUGUAN.public.verification_method,
                           created=format_instant(ISSUED_AT))
    with pytest.raises(IssuerMismatchError, match="can only issue in its own name"):
        verify_credential(credential, TRUSTED, now=NOW)


def test_the_trusted_key_files_name_must_match_the_issuer_profile() -> None:
    misnamed = IssuerPublicKey("西长安街街道办事处", LONGTAN.public.public_key)
    with pytest.raises(IssuerMismatchError, match="check which office the key file came from"):
        verify_credential(issued(), [misnamed], now=NOW)


def test_a_private_key_file_is_not_a_trusted_key(tmp_path: Path) -> None:
    credential = save_credential(issued(), tmp_path / "award.json")
    private = LONGTAN.save(tmp_path / "longtan.key.json")
    with pytest.raises(KeyFileError, match="give verifiers the public key file"):
        verify_file(credential, [private], now=NOW)


# --- malformed input ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "not valid JSON"),
        ("[]", "a JSON object"),
        ('{"a": 1, "a": 2}', "appears twice"),
        ('{"a": 1.5}', "not an integer"),
        ('{"a": NaN}', "not JSON"),
        ('{"a": 1e3}', "not an integer"),
        ("[" * 50_000 + "]" * 50_000, "nests deeper"),
        ("x" * 300_000, "cap"),
    ],
)
def test_text_that_is_not_strict_json_is_malformed(text: str, message: str) -> None:
    with pytest.raises(MalformedCredentialError, match=message):
        verify_credential(text, TRUSTED, now=NOW)


def test_invalid_utf8_is_malformed() -> None:
    with pytest.raises(MalformedCredentialError, match="UTF-8"):
        verify_credential(dumps_credential(issued()).encode("utf-8")[:-40] + b"\xff}", TRUSTED, now=NOW)


def test_a_duplicated_member_in_a_signed_file_is_refused_not_resolved() -> None:
    text = dumps_credential(issued()).replace('"points_total": 1234,', '"points_total": 9999, "points_total": 1234,')
    with pytest.raises(MalformedCredentialError, match="appears twice"):
        verify_credential(text, TRUSTED, now=NOW)


def test_a_float_slipped_into_a_parsed_credential_is_malformed() -> None:
    credential = copy.deepcopy(issued())
    credential["credentialSubject"]["laneStewardsAward"]["evidence"]["points_total"] = 1234.0  # type: ignore[index]
    with pytest.raises(MalformedCredentialError, match="float"):
        verify_credential(credential, TRUSTED, now=NOW)


def test_a_verification_method_that_is_not_a_did_key_is_malformed_not_unknown() -> None:
    credential = copy.deepcopy(issued())
    credential["proof"][0]["verificationMethod"] = "https://example.org/keys/1"  # type: ignore[index]
    with pytest.raises(MalformedCredentialError, match="did:key"):
        verify_credential(credential, TRUSTED, now=NOW)


def test_a_proof_set_is_malformed() -> None:
    credential = copy.deepcopy(issued())
    credential["proof"] = [*credential["proof"], *credential["proof"]]  # type: ignore[misc]
    with pytest.raises(MalformedCredentialError, match="a list of 2 proofs"):
        verify_credential(credential, TRUSTED, now=NOW)


def _signed_by_longtan(document: dict[str, object]) -> dict[str, object]:
    return add_proof(document, LONGTAN.signing_key, verification_method=LONGTAN.public.verification_method,
                     created="2018-01-05T02:00:00Z")


def _document(**changes: object) -> dict[str, object]:
    document = build_document(FACTS, issuer_id=LONGTAN.public.did, issuer_name=LONGTAN.name)
    document.update(changes)
    return document


@pytest.mark.parametrize(
    ("document", "message"),
    [
        ({"@context": ["https://www.w3.org/ns/credentials/v2"], "type": ["VerifiableCredential"]}, "@context"),
        (_document(type=["VerifiableCredential"]), "lacks OpenBadgeCredential"),
        (_document(id="https://example.org/1"), "urn:uuid"),
        (_document(issuer=LONGTAN.public.did), "credential.issuer is missing or not an object"),
        (_document(validFrom="2018-01-05"), "validFrom"),
        (_document(validFrom="2018-01-05T02:00:00.5Z"), "to the second"),
        (_document(credentialSubject={"type": ["AchievementSubject"], "id": "urn:x"}), "identifier"),
    ],
)
def test_signed_documents_that_are_not_award_credentials_are_malformed(
    document: dict[str, object], message: str
) -> None:
    with pytest.raises(MalformedCredentialError, match=message):
        verify_credential(_signed_by_longtan(document), TRUSTED, now=NOW)


def _subject_edit(edit: dict[str, object], record_edit: dict[str, object] | None = None) -> dict[str, object]:
    document = _document()
    subject = copy.deepcopy(document["credentialSubject"])
    assert isinstance(subject, dict)
    subject.update(edit)
    subject["laneStewardsAward"].update(record_edit or {})
    document["credentialSubject"] = subject
    return document


@pytest.mark.parametrize(
    ("document", "message"),
    [
        (_subject_edit({"identifier": []}), "0 name IdentityObjects"),
        (_subject_edit({"identifier": [{"type": "IdentityObject", "identityType": "name", "hashed": True,
                                        "identityHash": "sha256$00"}]}), "in clear"),
        (_subject_edit({}, {"kind": "gold"}), "not steward or team"),
        (_subject_edit({}, {"kind": "team"}), "achievement is named"),
        (_subject_edit({"id": "urn:lane-stewards:team:longtan/steward-001"}), "does not start with"),
        (_subject_edit({}, {"year": 1999}), "award facts are not valid"),
        (_subject_edit({}, {"evidence": {"分数": 1}}), "award facts are not valid"),
        (_subject_edit({}, {"type": "Other"}), "LaneStewardsAwardRecord"),
    ],
)
def test_signed_subjects_that_do_not_hold_together_are_malformed(document: dict[str, object], message: str) -> None:
    with pytest.raises(MalformedCredentialError, match=message):
        verify_credential(_signed_by_longtan(document), TRUSTED, now=NOW)


def test_a_missing_credential_file_is_a_file_error(tmp_path: Path) -> None:
    key = LONGTAN.save_public(tmp_path / "longtan.pub.json")
    with pytest.raises(CredentialFileError, match="absent.json"):
        verify_file(tmp_path / "absent.json", [key], now=NOW)


def test_every_error_is_a_credential_error_and_a_scoring_error() -> None:
    for error in (AwardFactsError, BadSignatureError, CredentialFileError, ExpiredCredentialError,
                  IssuerMismatchError, KeyFileError, MalformedCredentialError, NotYetValidError,
                  UnknownIssuerKeyError):
        assert issubclass(error, CredentialError) and issubclass(error, ScoringError)


# --- facts ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "changes",
    [
        {"year": True},
        {"year": 2014},
        {"kind": "gold"},
        {"subject_key": "longtan steward 1"},
        {"subject_key": ""},
        {"subject_name": ""},
        {"subject_name": "赵云华\n"},
        {"subdistrict_name": "x" * 101},
        {"ruleset_version": ""},
        {"ruleset_version": "v 1"},
        {"evidence": {"share": 0.5}},
        {"evidence": {"nested": {"a": 1}}},
        {"evidence": {"分数": 1}},
        {"evidence": {"huge": 2**53}},
        {"evidence": {f"k{i}": i for i in range(33)}},
        {"evidence": [("points_total", 1)]},
        {"issued_at": datetime(2018, 1, 5)},  # noqa: DTZ001 - naive on purpose: refused
        {"valid_until": ISSUED_AT},
    ],
)
def test_invalid_facts_are_refused_at_construction(changes: dict[str, object]) -> None:
    with pytest.raises(AwardFactsError):
        AwardFacts(**{**FACTS.__dict__, **changes})


def test_instants_are_kept_in_utc_to_the_second() -> None:
    beijing = timezone(timedelta(hours=8))
    facts = AwardFacts(**{**FACTS.__dict__, "issued_at": datetime(2018, 1, 5, 10, 0, 0, 999_999, tzinfo=beijing)})
    assert facts.issued_at == ISSUED_AT and facts.issued_at.tzinfo == UTC
    assert verify_credential(issue_credential(facts, LONGTAN), TRUSTED, now=NOW).facts == facts


def test_facts_keep_their_own_copy_of_the_evidence_and_stay_plain_data() -> None:
    evidence = {"points_total": 1}
    facts = AwardFacts(**{**FACTS.__dict__, "evidence": evidence})
    evidence["points_total"] = 2
    assert facts.evidence == {"points_total": 1}
    assert dataclasses.asdict(facts)["evidence"] == {"points_total": 1}
    assert copy.deepcopy(facts) == facts and hash(facts) == hash(copy.deepcopy(facts))


evidence_values = st.one_of(
    st.integers(-(2**53) + 1, 2**53 - 1),
    st.booleans(),
    st.text(st.characters(blacklist_categories=("Cc", "Cf", "Cs", "Zs", "Zl", "Zp")), min_size=1, max_size=20),
)


@settings(max_examples=60, deadline=None)
@given(
    evidence=st.dictionaries(st.from_regex(r"[a-z][a-z0-9_]{0,20}", fullmatch=True), evidence_values, max_size=8),
    name=st.text(st.characters(blacklist_categories=("Cc", "Cf", "Cs", "Zs", "Zl", "Zp")), min_size=1, max_size=20),
    kind=st.sampled_from(AwardKind),
    year=st.integers(2015, 2100),
)
def test_any_valid_facts_round_trip(evidence: dict[str, object], name: str, kind: AwardKind, year: int) -> None:
    facts = AwardFacts(**{**FACTS.__dict__, "evidence": evidence, "subject_name": name, "kind": kind, "year": year})
    text = dumps_credential(issue_credential(facts, TIYUGUAN))
    assert verify_credential(text, TRUSTED, now=datetime(2200, 1, 1, tzinfo=UTC)).facts == facts
