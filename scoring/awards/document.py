"""The Open Badges 3.0 document of an award, without its proof: `AwardFacts` to JSON and back.

An award is an OpenBadgeCredential (W3C VC Data Model 2.0 + Open Badges 3.0 context 3.0.3):

    @context           [VC v2, OB v3p0 3.0.3, VC undefined terms v2]
    id                 urn:uuid:<UUIDv5 of the SHA-256 of the JCS of the rest of the document>
    type               ["VerifiableCredential", "OpenBadgeCredential"]
    name               e.g. 龙潭街道2017年度金牌管家：赵云华
    issuer             Profile {id: the office's did:key, name: e.g. 龙潭街道办事处}
    validFrom          issued_at, UTC to the second; validUntil only when the facts give one
    credentialSubject  AchievementSubject {
        id                 urn:lane-stewards:steward:<key> | urn:lane-stewards:team:<key>
        identifier         [IdentityObject {identityType "name", hashed false, identityHash <name>}]
        achievement        Achievement {id urn:lane-stewards:achievement:<slug>:<year>,
                           achievementType "Award", name 年度金牌管家 | 金牌小巷管家团,
                           description, criteria.narrative, inLanguage zh-CN}
        laneStewardsAward  our extension: {type "LaneStewardsAwardRecord", kind, year, subdistrict,
                           ruleSetVersion, evidence {…caller's summary…}}
    }

The recipient's name sits in `identifier` because OB 3.0's AchievementSubject has no `name`; an
IdentityObject of type "name", unhashed, is how the spec carries a plain name. The extension has no
published JSON-LD context: VC 2.0's `@vocab` maps its terms to issuer-dependent IRIs, which is
enough for JSON processing and honest about what the terms are.

The id is derived from the content, so issuing the same facts twice (a year-end job run again)
gives the same credential, and different facts never share an id.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Final

from scoring.awards.errors import AwardFactsError, MalformedCredentialError
from scoring.awards.jcs import canonicalize
from scoring.awards.model import SUBJECT_URN_PREFIX, AwardFacts, AwardKind

__all__ = [
    "CREDENTIAL_CONTEXT",
    "CREDENTIAL_TYPE",
    "LEGACY_CONTEXT",
    "EXTENSION_MEMBER",
    "ParsedCredential",
    "achievement_name",
    "award_title",
    "build_document",
    "format_instant",
    "parse_document",
]

VC_CONTEXT_V2: Final = "https://www.w3.org/ns/credentials/v2"
OB_CONTEXT_V3: Final = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
UNDEFINED_TERMS_CONTEXT: Final = "https://www.w3.org/ns/credentials/undefined-terms/v2"
CREDENTIAL_CONTEXT: Final = (VC_CONTEXT_V2, OB_CONTEXT_V3, UNDEFINED_TERMS_CONTEXT)
# What the first credentials carried: the signature covers it, so they keep verifying with it.
LEGACY_CONTEXT: Final = (VC_CONTEXT_V2, OB_CONTEXT_V3)
_KNOWN_CONTEXTS: Final = (list(CREDENTIAL_CONTEXT), list(LEGACY_CONTEXT))
CREDENTIAL_TYPE: Final = ("VerifiableCredential", "OpenBadgeCredential")
EXTENSION_MEMBER: Final = "laneStewardsAward"
EXTENSION_TYPE: Final = "LaneStewardsAwardRecord"
# A fixed namespace for credential ids: uuid5(NAMESPACE_URL, "urn:lane-stewards:credentials").
_ID_NAMESPACE: Final = uuid.uuid5(uuid.NAMESPACE_URL, "urn:lane-stewards:credentials")
_INSTANT_FORMAT: Final = "%Y-%m-%dT%H:%M:%SZ"


@dataclass(frozen=True, slots=True)
class _AchievementText:
    slug: str
    name: str
    title: str  # {year}: the award as the credential's name states it
    description: str  # {year}
    criteria: str  # {year}


_TEXT: Final = {
    AwardKind.STEWARD: _AchievementText(
        slug="gold-steward",
        name="年度金牌管家",
        title="{year}年度金牌管家",
        description="{year}年度金牌管家：授予全年坚持日巡、认真履职、积分名列前茅的小巷管家。",
        criteria=(
            "{year}年度内，小巷管家出门巡逻佩戴手环，在认领的街巷完成日巡并通过手环积分；"
            "周查、月评、季通报的成绩和工作台账中经街巷长确认的问题一并计入。"
            "年底在活跃月数等资格条件达标、无经核实的诚信问题的小巷管家中，按积分择优评为“金牌管家”。"
            "评选条件与计分规则以本证书所载规则集版本为准。"
        ),
    ),
    AwardKind.TEAM: _AchievementText(
        slug="gold-steward-team",
        name="金牌小巷管家团",
        title="{year}年度金牌小巷管家团",
        description="{year}年度金牌小巷管家团：授予共同守护一条街巷、全年表现突出的小巷管家团。",
        criteria=(
            "三名或以上小巷管家认领同一街巷，即成立小巷管家团。"
            "{year}年度内，团员的日巡、周查与工作台账成绩合计为团队成绩，年中加入或离开的团员按在团期间计入。"
            "年底按积分择优评为“金牌小巷管家团”。评选条件与计分规则以本证书所载规则集版本为准。"
        ),
    ),
}


@dataclass(frozen=True, slots=True)
class ParsedCredential:
    """What a (signature-checked) document says, before its issuer is matched to a trusted key."""

    credential_id: str
    issuer_id: str
    issuer_name: str
    facts: AwardFacts


def achievement_name(kind: AwardKind) -> str:
    return _TEXT[kind].name


def award_title(kind: AwardKind, year: int) -> str:
    """The award as a credential names it: 2018年度金牌管家, 2018年度金牌小巷管家团."""
    return _TEXT[kind].title.format(year=year)


def format_instant(at: datetime) -> str:
    return at.astimezone(UTC).strftime(_INSTANT_FORMAT)


def build_document(facts: AwardFacts, *, issuer_id: str, issuer_name: str) -> dict[str, object]:
    """The unsigned credential for `facts`, issued by the office `issuer_name` with id `issuer_id`."""
    text = _TEXT[facts.kind]
    body: dict[str, object] = {
        "@context": list(CREDENTIAL_CONTEXT),
        "type": list(CREDENTIAL_TYPE),
        "name": f"{facts.subdistrict_name}{text.title.format(year=facts.year)}：{facts.subject_name}",
        "issuer": {"id": issuer_id, "type": ["Profile"], "name": issuer_name},
        "validFrom": format_instant(facts.issued_at),
    }
    if facts.valid_until is not None:
        body["validUntil"] = format_instant(facts.valid_until)
    body["credentialSubject"] = {
        "id": facts.subject_id,
        "type": ["AchievementSubject"],
        "identifier": [{
            "type": "IdentityObject",
            "identityType": "name",
            "hashed": False,
            "identityHash": facts.subject_name,
        }],
        "achievement": {
            "id": f"{SUBJECT_URN_PREFIX}achievement:{text.slug}:{facts.year}",
            "type": ["Achievement"],
            "achievementType": "Award",
            "name": text.name,
            "description": text.description.format(year=facts.year),
            "criteria": {"narrative": text.criteria.format(year=facts.year)},
            "inLanguage": "zh-CN",
        },
        EXTENSION_MEMBER: {
            "type": EXTENSION_TYPE,
            "kind": facts.kind.value,
            "year": facts.year,
            "subdistrict": facts.subdistrict_name,
            "ruleSetVersion": facts.ruleset_version,
            "evidence": dict(facts.evidence),
        },
    }
    digest = hashlib.sha256(canonicalize(body)).hexdigest()
    credential_id = f"urn:uuid:{uuid.uuid5(_ID_NAMESPACE, digest)}"
    # id second, after @context, only so the file reads in the usual order; JCS ignores order.
    return {"@context": body.pop("@context"), "id": credential_id, **body}


def parse_document(document: Mapping[str, object]) -> ParsedCredential:
    """Read the facts back from an unsecured credential; refuses anything not in the shape above."""
    if document.get("@context") not in _KNOWN_CONTEXTS:
        raise MalformedCredentialError(
            f"@context is not {list(CREDENTIAL_CONTEXT)}: this is not an Open Badges 3.0 award "
            "credential of this programme"
        )
    _require_types(document.get("type"), CREDENTIAL_TYPE, "type")
    credential_id = _str(document, "id", "credential")
    if not credential_id.startswith("urn:uuid:"):
        raise MalformedCredentialError(f"credential id {credential_id[:60]!r} is not a urn:uuid")
    issuer = _obj(document, "issuer", "credential")
    _require_types(issuer.get("type"), ("Profile",), "issuer.type")
    issuer_id = _str(issuer, "id", "issuer")
    issuer_name = _str(issuer, "name", "issuer")
    issued_at = _instant(_str(document, "validFrom", "credential"), "validFrom")
    valid_until = None
    if "validUntil" in document:
        valid_until = _instant(_str(document, "validUntil", "credential"), "validUntil")

    subject = _obj(document, "credentialSubject", "credential")
    _require_types(subject.get("type"), ("AchievementSubject",), "credentialSubject.type")
    subject_id = _str(subject, "id", "credentialSubject")
    subject_name = _subject_name(subject.get("identifier"))
    record = _obj(subject, EXTENSION_MEMBER, "credentialSubject")
    if record.get("type") != EXTENSION_TYPE:
        raise MalformedCredentialError(
            f"credentialSubject.{EXTENSION_MEMBER}.type is not {EXTENSION_TYPE!r}"
        )
    kind_value = _str(record, "kind", EXTENSION_MEMBER)
    try:
        kind = AwardKind(kind_value)
    except ValueError:
        raise MalformedCredentialError(f"award kind {kind_value[:40]!r} is not steward or team") from None
    achievement = _obj(subject, "achievement", "credentialSubject")
    if achievement.get("name") != achievement_name(kind):
        raise MalformedCredentialError(
            f"a {kind.value} award's achievement is named {achievement_name(kind)!r}, not "
            f"{str(achievement.get('name'))[:40]!r}"
        )
    subject_prefix = f"{SUBJECT_URN_PREFIX}{kind.value}:"
    if not subject_id.startswith(subject_prefix):
        raise MalformedCredentialError(
            f"credentialSubject.id {subject_id[:60]!r} does not start with {subject_prefix!r}"
        )
    evidence = _obj(record, "evidence", EXTENSION_MEMBER)
    try:
        facts = AwardFacts(
            year=record.get("year"),  # type: ignore[arg-type]  # AwardFacts checks every field
            kind=kind,
            subject_key=subject_id[len(subject_prefix):],
            subject_name=subject_name,
            subdistrict_name=record.get("subdistrict"),  # type: ignore[arg-type]
            ruleset_version=record.get("ruleSetVersion"),  # type: ignore[arg-type]
            evidence=evidence,  # type: ignore[arg-type]
            issued_at=issued_at,
            valid_until=valid_until,
        )
    except AwardFactsError as exc:
        raise MalformedCredentialError(f"the credential's award facts are not valid: {exc}") from None
    # Facts keep instants to the second in UTC; anything finer would not survive the round trip.
    for name, at in (("validFrom", facts.issued_at), ("validUntil", facts.valid_until)):
        if at is not None and format_instant(at) != document[name]:
            raise MalformedCredentialError(f"{name} is not written as a UTC instant to the second")
    return ParsedCredential(credential_id, issuer_id, issuer_name, facts)


def _subject_name(identifier: object) -> str:
    if not isinstance(identifier, Sequence) or isinstance(identifier, str):
        raise MalformedCredentialError("credentialSubject.identifier is not a list of IdentityObjects")
    names = [
        item for item in identifier
        if isinstance(item, Mapping) and item.get("type") == "IdentityObject"
        and item.get("identityType") == "name"
    ]
    if len(names) != 1:
        raise MalformedCredentialError(
            f"credentialSubject.identifier holds {len(names)} name IdentityObjects; an award names "
            "its recipient exactly once"
        )
    name = names[0].get("identityHash")
    if names[0].get("hashed") is not False or not isinstance(name, str):
        raise MalformedCredentialError("the recipient's name must be given in clear (hashed: false)")
    return name


def _require_types(value: object, required: Sequence[str], where: str) -> None:
    if not isinstance(value, list) or not all(isinstance(t, str) for t in value):
        raise MalformedCredentialError(f"{where} is not a list of type names")
    missing = [t for t in required if t not in value]
    if missing:
        raise MalformedCredentialError(f"{where} lacks {', '.join(missing)}")


def _obj(parent: Mapping[str, object], name: str, where: str) -> Mapping[str, object]:
    value = parent.get(name)
    if not isinstance(value, Mapping):
        raise MalformedCredentialError(f"{where}.{name} is missing or not an object")
    return value


def _str(parent: Mapping[str, object], name: str, where: str) -> str:
    value = parent.get(name)
    if not isinstance(value, str):
        raise MalformedCredentialError(f"{where}.{name} is missing or not a string")
    return value


def _instant(text: str, where: str) -> datetime:
    try:
        at = datetime.fromisoformat(text)
    except ValueError:
        at = None
    if at is None or at.tzinfo is None:
        raise MalformedCredentialError(
            f"{where} {text[:40]!r} is not a date-time such as 2018-01-05T02:00:00Z"
        )
    return at
