from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine
from typer.testing import CliRunner

from scoring.awards import AwardFacts, AwardKind, IssuerKey, credential_filename, issue_credential, save_credential
from stewards.cycle_cli import app
from tests.scoring.closing.simulated import simulate_year

runner = CliRunner()


def _credential(tmp_path: Path) -> tuple[Path, Path]:
    issuer = IssuerKey.from_seed(bytes(range(32)), "龙潭街道办事处")
    facts = AwardFacts(
        year=2018, kind=AwardKind.STEWARD, subject_key="longtan/steward-001", subject_name="韩险峰",
        subdistrict_name="龙潭街道", ruleset_version="abc123def456", evidence={"points_total": 4321},
        issued_at=datetime(2018, 12, 31, 16, tzinfo=UTC),
    )
    path = save_credential(issue_credential(facts, issuer), tmp_path / credential_filename(facts))
    return path, issuer.save_public(tmp_path / "issuer-longtan.pub.json")


def test_verify_prints_who_what_year_and_rule_set(tmp_path: Path) -> None:
    credential, key = _credential(tmp_path)
    result = runner.invoke(app, ["awards", "verify", str(credential), "--key", str(key)])
    assert result.exit_code == 0, result.output
    for expected in ("OK", "韩险峰", "2018", "年度金牌管家", "abc123def456", "龙潭街道办事处"):
        assert expected in result.output


def test_verify_refuses_a_tampered_credential_with_exit_code_1(tmp_path: Path) -> None:
    credential, key = _credential(tmp_path)
    document = json.loads(credential.read_text(encoding="utf-8"))
    document["credentialSubject"]["name"] = "赵云华"
    credential.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    result = runner.invoke(app, ["awards", "verify", str(credential), "--key", str(key)])
    assert result.exit_code == 1
    assert "OK" not in result.stdout
    assert "NOT VALID" in result.output and "signature" in result.output


def test_verify_refuses_an_untrusted_key(tmp_path: Path) -> None:
    credential, _ = _credential(tmp_path)
    other = IssuerKey.from_seed(bytes(32), "西长安街街道办事处").save_public(tmp_path / "other.pub.json")
    result = runner.invoke(app, ["awards", "verify", str(credential), "--key", str(other)])
    assert result.exit_code == 1 and "trusted" in result.output


def test_close_due_closes_the_year_and_its_credentials_verify(seeded: Engine, tmp_path: Path,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    simulate_year(seeded)
    monkeypatch.setenv("STEWARDS_DATABASE_URL", seeded.url.render_as_string(hide_password=False))
    out = tmp_path / "out"
    result = runner.invoke(app, ["close", "due", "--out", str(out), "--today", "2019-01-01",
                                 "--issuer-secret", "test office secret"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["years"] == ["2018"] and report["quarters"][-1] == "2018-Q4"
    (key,) = out.rglob("issuer-*.pub.json")
    credential = sorted(out.rglob("credentials/*.json"))[0]
    verified = runner.invoke(app, ["awards", "verify", str(credential), "--key", str(key)])
    assert verified.exit_code == 0 and "OK" in verified.output
    again = runner.invoke(app, ["close", "due", "--out", str(out), "--today", "2019-01-01",
                                "--issuer-secret", "test office secret"])
    assert json.loads(again.stdout) == {"months": [], "quarters": [], "years": []}
