"""What an award credential states: `AwardFacts`, checked once so that every credential is well formed.

The year-end closing job decides who is a 金牌管家 (or a 金牌小巷管家团); this module only holds the
result, in the shape the credential carries and a verifier hands back. Instants are kept in UTC to
the second, because that is all `validFrom` records: a round trip gives back equal facts.
"""

from __future__ import annotations

import enum
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Final

from scoring.awards.errors import AwardFactsError
from scoring.awards.jcs import MAX_SAFE_INTEGER

__all__ = ["AwardFacts", "AwardKind", "EvidenceValue", "check_text"]

EvidenceValue = int | str | bool

SUBJECT_URN_PREFIX: Final = "urn:lane-stewards:"
# Steward keys look like "longtan/steward-001": URN-safe characters only (RFC 8141 allows "/" in
# the specific string), so the subject id needs no escaping and reads back unchanged.
_SUBJECT_KEY: Final = re.compile(r"[A-Za-z0-9][A-Za-z0-9._~:/-]{0,159}")
_RULESET_VERSION: Final = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{0,63}")
_EVIDENCE_NAME: Final = re.compile(r"[A-Za-z][A-Za-z0-9_]{0,63}")
MAX_EVIDENCE_ITEMS: Final = 32
MAX_NAME_CHARS: Final = 100
FIRST_YEAR: Final = 2015  # the wire refuses times before 2015; no award predates the programme
LAST_YEAR: Final = 9999


class AwardKind(enum.StrEnum):
    STEWARD = "steward"  # 年度金牌管家, to one 小巷管家
    TEAM = "team"  # 金牌小巷管家团, to the team of one lane


@dataclass(frozen=True)
class AwardFacts:
    """One award as the credential states it.

    `subject_key` is the steward's or team's stable registry key (e.g. "longtan/steward-001"); the
    credential identifies the subject as "urn:lane-stewards:<kind>:<subject_key>". `evidence` is a
    flat summary the caller chooses (e.g. points_total, active_months, patrols_completed,
    cases_confirmed): names are ASCII identifiers, values integers, strings or booleans. It is copied
    on construction; treat it as read-only.
    """

    year: int
    kind: AwardKind
    subject_key: str
    subject_name: str
    subdistrict_name: str
    ruleset_version: str
    evidence: Mapping[str, EvidenceValue] = field(hash=False)
    issued_at: datetime
    valid_until: datetime | None = None

    def __post_init__(self) -> None:
        if type(self.year) is not int or not FIRST_YEAR <= self.year <= LAST_YEAR:
            raise AwardFactsError(f"year must be an integer from {FIRST_YEAR}; got {self.year!r}")
        try:
            kind = AwardKind(self.kind)
        except ValueError:
            raise AwardFactsError(
                f"kind must be one of {', '.join(k.value for k in AwardKind)}; got {self.kind!r}"
            ) from None
        object.__setattr__(self, "kind", kind)
        if not isinstance(self.subject_key, str) or not _SUBJECT_KEY.fullmatch(self.subject_key):
            raise AwardFactsError(
                f"subject_key {self.subject_key!r} is not a registry key such as longtan/steward-001 "
                "(letters, digits and . _ ~ : / -, at most 160)"
            )
        check_text(self.subject_name, "subject_name", AwardFactsError)
        check_text(self.subdistrict_name, "subdistrict_name", AwardFactsError)
        if not isinstance(self.ruleset_version, str) or not _RULESET_VERSION.fullmatch(self.ruleset_version):
            raise AwardFactsError(
                f"ruleset_version {self.ruleset_version!r} is not a rule-set version such as "
                "RuleSet.version (letters, digits and . _ : -, at most 64)"
            )
        # A private copy, so the caller's later edits cannot change an award after the fact. A plain
        # dict rather than a read-only proxy: dataclasses.asdict, copy and pickle must keep working.
        object.__setattr__(self, "evidence", _checked_evidence(self.evidence))
        object.__setattr__(self, "issued_at", _utc_second(self.issued_at, "issued_at"))
        if self.valid_until is not None:
            valid_until = _utc_second(self.valid_until, "valid_until")
            if valid_until <= self.issued_at:
                raise AwardFactsError(
                    f"valid_until {valid_until.isoformat()} is not after issued_at "
                    f"{self.issued_at.isoformat()}; leave it None for an award that does not expire"
                )
            object.__setattr__(self, "valid_until", valid_until)

    @property
    def subject_id(self) -> str:
        return f"{SUBJECT_URN_PREFIX}{self.kind.value}:{self.subject_key}"


def check_text(value: object, what: str, error: type[Exception]) -> str:
    """A display name: non-empty, trimmed, at most MAX_NAME_CHARS, no control characters."""
    if not isinstance(value, str) or not value or value != value.strip() or len(value) > MAX_NAME_CHARS:
        raise error(
            f"{what} must be a trimmed, non-empty name of at most {MAX_NAME_CHARS} characters; "
            f"got {value!r}"
        )
    if any(unicodedata.category(ch) in ("Cc", "Cf", "Cs") for ch in value):
        raise error(f"{what} {value!r} holds control or invisible format characters; remove them")
    return value


def _checked_evidence(evidence: object) -> dict[str, EvidenceValue]:
    if not isinstance(evidence, Mapping):
        raise AwardFactsError(f"evidence must be a mapping of names to values; got {type(evidence).__name__}")
    if len(evidence) > MAX_EVIDENCE_ITEMS:
        raise AwardFactsError(
            f"evidence has {len(evidence)} items; summarise it in at most {MAX_EVIDENCE_ITEMS}"
        )
    checked: dict[str, EvidenceValue] = {}
    for name, value in evidence.items():
        if not isinstance(name, str) or not _EVIDENCE_NAME.fullmatch(name):
            raise AwardFactsError(
                f"evidence name {name!r} is not an identifier such as points_total (ASCII letters, "
                "digits and _, starting with a letter)"
            )
        if isinstance(value, bool | str):
            if isinstance(value, str):
                check_text(value, f"evidence {name}", AwardFactsError)
        elif isinstance(value, int):
            if not -MAX_SAFE_INTEGER <= value <= MAX_SAFE_INTEGER:
                raise AwardFactsError(
                    f"evidence {name} = {value} is beyond ±(2**53 - 1); pass it as a string"
                )
            value = int(value)  # an IntEnum member would not read back as itself
        else:
            raise AwardFactsError(
                f"evidence {name} is a {type(value).__name__}; use an integer, a string or a boolean "
                "(round a share to a per-mille integer, e.g. completion_permille)"
            )
        checked[name] = value
    return checked


def _utc_second(at: object, what: str) -> datetime:
    if not isinstance(at, datetime) or at.tzinfo is None or at.utcoffset() is None:
        raise AwardFactsError(f"{what} must be an aware datetime (UTC); got {at!r}")
    return at.astimezone(UTC).replace(microsecond=0)
