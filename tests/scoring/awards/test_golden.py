"""Golden vector: a fixed seed and fixed facts give this exact credential file, byte for byte.

Ed25519 and JCS are deterministic, so the literal below is what `issue_credential` must produce. If
this test fails, the credential format changed: credentials already handed to stewards would no
longer match what the code issues. Change the literal only with a new format and a note in the
release, and keep the old literal verifying: `LEGACY_CREDENTIAL_FILE` is the first format (two
contexts, a bare proof object), which credentials already issued still carry.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from scoring.awards import AwardFacts, AwardKind, IssuerKey, dumps_credential, issue_credential, verify_file

SEED = bytes(range(32))  # 000102...1f, the same demo seed the wire protocol's golden vectors use
ISSUER = IssuerKey.from_seed(SEED, "龙潭街道办事处")
FACTS = AwardFacts(
    year=2017,
    kind=AwardKind.STEWARD,
    subject_key="longtan/steward-001",
    subject_name="赵云华",
    subdistrict_name="龙潭街道",
    ruleset_version="3f2a9c1b0d4e",
    evidence={"points_total": 1234, "active_months": 11, "patrols_completed": 402, "cases_confirmed": 17},
    issued_at=datetime(2018, 1, 5, 2, 0, tzinfo=UTC),
)
SECRET_KEY_MULTIBASE = "z3u2RDpgFe6Voz19gxWsBkueKj6XiuC9w1bSBT4FTowsWk6A"

PUBLIC_KEY_FILE = """\
{
  "format": "lane-stewards/issuer-public-key/v1",
  "name": "龙潭街道办事处",
  "id": "did:key:z6MkehRgf7yJbgaGfYsdoAsKdBPE3dj2CYhowQdcjqSJgvVd",
  "verificationMethod": {
    "id": "did:key:z6MkehRgf7yJbgaGfYsdoAsKdBPE3dj2CYhowQdcjqSJgvVd#z6MkehRgf7yJbgaGfYsdoAsKdBPE3dj2CYhowQdcjqSJgvVd",
    "type": "Multikey",
    "controller": "did:key:z6MkehRgf7yJbgaGfYsdoAsKdBPE3dj2CYhowQdcjqSJgvVd",
    "publicKeyMultibase": "z6MkehRgf7yJbgaGfYsdoAsKdBPE3dj2CYhowQdcjqSJgvVd"
  }
}
"""

LEGACY_CREDENTIAL_FILE = """\
{
  "@context": [
    "https://www.w3.org/ns/credentials/v2",
    "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
  ],
  "id": "urn:uuid:90a11daa-3def-5e33-97e4-001b05bba57d",
  "type": [
    "VerifiableCredential",
    "OpenBadgeCredential"
  ],
  "name": "龙潭街道2017年度金牌管家：赵云华",
  "issuer": {
    "id": "did:key:z6MkehRgf7yJbgaGfYsdoAsKdBPE3dj2CYhowQdcjqSJgvVd",
    "type": [
      "Profile"
    ],
    "name": "龙潭街道办事处"
  },
  "validFrom": "2018-01-05T02:00:00Z",
  "credentialSubject": {
    "id": "urn:lane-stewards:steward:longtan/steward-001",
    "type": [
      "AchievementSubject"
    ],
    "identifier": [
      {
        "type": "IdentityObject",
        "identityType": "name",
        "hashed": false,
        "identityHash": "赵云华"
      }
    ],
    "achievement": {
      "id": "urn:lane-stewards:achievement:gold-steward:2017",
      "type": [
        "Achievement"
      ],
      "achievementType": "Award",
      "name": "年度金牌管家",
      "description": "2017年度金牌管家：授予全年坚持日巡、认真履职、积分名列前茅的小巷管家。",
      "criteria": {
        "narrative": "2017年度内，小巷管家出门巡逻佩戴手环，在认领的街巷完成日巡并通过手环积分；周查、月评、季通报的成绩和工作台账中经街巷长确认的问题一并计入。年底在活跃月数等资格条件达标、无经核实的诚信问题的小巷管家中，按积分择优评为“金牌管家”。评选条件与计分规则以本证书所载规则集版本为准。"
      },
      "inLanguage": "zh-CN"
    },
    "laneStewardsAward": {
      "type": "LaneStewardsAwardRecord",
      "kind": "steward",
      "year": 2017,
      "subdistrict": "龙潭街道",
      "ruleSetVersion": "3f2a9c1b0d4e",
      "evidence": {
        "points_total": 1234,
        "active_months": 11,
        "patrols_completed": 402,
        "cases_confirmed": 17
      }
    }
  },
  "proof": {
    "type": "DataIntegrityProof",
    "cryptosuite": "eddsa-jcs-2022",
    "created": "2018-01-05T02:00:00Z",
    "verificationMethod": "did:key:z6MkehRgf7yJbgaGfYsdoAsKdBPE3dj2CYhowQdcjqSJgvVd#z6MkehRgf7yJbgaGfYsdoAsKdBPE3dj2CYhowQdcjqSJgvVd",
    "proofPurpose": "assertionMethod",
    "@context": [
      "https://www.w3.org/ns/credentials/v2",
      "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
    ],
    "proofValue": "z2Ntf1EAkFCeUwqZMq1ecQfd6HmENLwYxq2xfZYum9d64jZ1qJNkJ5gwjRbz8tuq7HVHZDn7EhMZhXCDJSLrAdDUp"
  }
}
"""


# The current format: VC 2.0, Open Badges 3.0 and the undefined-terms context; `proof` an array of one.
CREDENTIAL_FILE = """\
{
  "@context": [
    "https://www.w3.org/ns/credentials/v2",
    "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
    "https://www.w3.org/ns/credentials/undefined-terms/v2"
  ],
  "id": "urn:uuid:0b2f4694-ce14-5f6c-be6a-1dfbb4f3b3d4",
  "type": [
    "VerifiableCredential",
    "OpenBadgeCredential"
  ],
  "name": "龙潭街道2017年度金牌管家：赵云华",
  "issuer": {
    "id": "did:key:z6MkehRgf7yJbgaGfYsdoAsKdBPE3dj2CYhowQdcjqSJgvVd",
    "type": [
      "Profile"
    ],
    "name": "龙潭街道办事处"
  },
  "validFrom": "2018-01-05T02:00:00Z",
  "credentialSubject": {
    "id": "urn:lane-stewards:steward:longtan/steward-001",
    "type": [
      "AchievementSubject"
    ],
    "identifier": [
      {
        "type": "IdentityObject",
        "identityType": "name",
        "hashed": false,
        "identityHash": "赵云华"
      }
    ],
    "achievement": {
      "id": "urn:lane-stewards:achievement:gold-steward:2017",
      "type": [
        "Achievement"
      ],
      "achievementType": "Award",
      "name": "年度金牌管家",
      "description": "2017年度金牌管家：授予全年坚持日巡、认真履职、积分名列前茅的小巷管家。",
      "criteria": {
        "narrative": "2017年度内，小巷管家出门巡逻佩戴手环，在认领的街巷完成日巡并通过手环积分；周查、月评、季通报的成绩和工作台账中经街巷长确认的问题一并计入。年底在活跃月数等资格条件达标、无经核实的诚信问题的小巷管家中，按积分择优评为“金牌管家”。评选条件与计分规则以本证书所载规则集版本为准。"
      },
      "inLanguage": "zh-CN"
    },
    "laneStewardsAward": {
      "type": "LaneStewardsAwardRecord",
      "kind": "steward",
      "year": 2017,
      "subdistrict": "龙潭街道",
      "ruleSetVersion": "3f2a9c1b0d4e",
      "evidence": {
        "points_total": 1234,
        "active_months": 11,
        "patrols_completed": 402,
        "cases_confirmed": 17
      }
    }
  },
  "proof": [
    {
      "type": "DataIntegrityProof",
      "cryptosuite": "eddsa-jcs-2022",
      "created": "2018-01-05T02:00:00Z",
      "verificationMethod": "did:key:z6MkehRgf7yJbgaGfYsdoAsKdBPE3dj2CYhowQdcjqSJgvVd#z6MkehRgf7yJbgaGfYsdoAsKdBPE3dj2CYhowQdcjqSJgvVd",
      "proofPurpose": "assertionMethod",
      "@context": [
        "https://www.w3.org/ns/credentials/v2",
        "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
        "https://www.w3.org/ns/credentials/undefined-terms/v2"
      ],
      "proofValue": "z5yDFe3zzKUBkZ1gRFhxdueVEo7RmLkY2sjB8gNxAr1DmUyrVnJcNZryu5UhDogYXGPVXHzmkBQzsw8FL31YWmAWT"
    }
  ]
}
"""


def test_fixed_seed_and_facts_give_the_pinned_credential_file() -> None:
    assert dumps_credential(issue_credential(FACTS, ISSUER)) == CREDENTIAL_FILE


@pytest.mark.parametrize("text", [CREDENTIAL_FILE, LEGACY_CREDENTIAL_FILE], ids=["current", "first format"])
def test_the_pinned_files_verify_offline(tmp_path: Path, text: str) -> None:
    credential = tmp_path / "2017-steward-longtan_steward-001.json"
    credential.write_text(text, encoding="utf-8")
    key = tmp_path / "longtan.pub.json"
    key.write_text(PUBLIC_KEY_FILE, encoding="utf-8")
    verified = verify_file(credential, [key], now=datetime(2018, 2, 1, tzinfo=UTC))
    assert verified.facts == FACTS
    assert verified.credential_id == json.loads(text)["id"]


def test_fixed_seed_gives_the_pinned_key_files(tmp_path: Path) -> None:
    assert ISSUER.save_public(tmp_path / "longtan.pub.json").read_text(encoding="utf-8") == PUBLIC_KEY_FILE
    private = json.loads(ISSUER.save(tmp_path / "longtan.key.json").read_text(encoding="utf-8"))
    assert private["secretKeyMultibase"] == SECRET_KEY_MULTIBASE
