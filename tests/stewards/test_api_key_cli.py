"""`stewards accounts api-key` and `revoke-key`: a key for a tool, printed once, and taken back."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from api.app import create_app
from scoring.seed.longtan import longtan_dataset
from scoring.storage import tables as t
from scoring.storage.engine import make_engine
from stewards.cli import app
from stewards.registry import prepare_store
from tests.api.signin import TOKENS

runner = CliRunner()


@pytest.fixture
def url(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    import os

    for name in [n for n in os.environ if n.startswith("STEWARDS_")]:
        monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)
    url = f"sqlite:///{tmp_path / 'stewards.db'}"
    engine = make_engine(url)
    prepare_store(engine, longtan_dataset())
    engine.dispose()
    return url


def test_a_key_from_the_console_works_until_it_is_revoked(url: str) -> None:
    from fastapi.testclient import TestClient

    env = {"STEWARDS_DATABASE_URL": url}
    engine = make_engine(url)
    with Session(engine) as s:
        zhao = s.scalar(select(t.Steward.id).where(t.Steward.name == "赵云华"))
    made = runner.invoke(app, ["accounts", "add", "zhao", "--role", "steward", "--steward-id", str(zhao),
                               "--password-stdin"], env=env, input="a long enough password\n")
    assert made.exit_code == 0, made.output
    issued = runner.invoke(app, ["accounts", "api-key", "zhao", "--label", "随手拍"], env=env)
    assert issued.exit_code == 0, issued.output
    prefix, _, secret = issued.stdout.strip().rpartition(": ")
    assert prefix == "api key 1 for zhao" and secret.startswith("lsk_")

    client = TestClient(create_app(engine, tokens=TOKENS))
    reads = {"jurisdiction_id": "longtan", "api_key": secret}
    assert client.get("/open311/requests.json", params=reads).status_code == 200
    revoked = runner.invoke(app, ["accounts", "revoke-key", "zhao", "1"], env=env)
    assert revoked.exit_code == 0 and revoked.stdout.strip() == "api key 1 of zhao revoked"
    assert client.get("/open311/requests.json", params=reads).status_code == 403
    with Session(engine) as s:
        log = s.execute(select(t.AuditEntry.action, t.AuditEntry.after).order_by(t.AuditEntry.id)).all()
    engine.dispose()
    assert [(action, after["via"]) for action, after in log] == [("api_key.issue", "cli"), ("api_key.revoke", "cli")]


@pytest.mark.parametrize(("args", "said"), [
    (["accounts", "api-key", "nobody", "--label", "x"], "stewards: no account 'nobody'"),
    (["accounts", "revoke-key", "nobody", "1"], "stewards: no account 'nobody'"),
])
def test_a_mistake_is_one_line(url: str, args: list[str], said: str) -> None:
    result = runner.invoke(app, args, env={"STEWARDS_DATABASE_URL": url})
    assert result.exit_code == 2 and result.stderr.strip() == said
