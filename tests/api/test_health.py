"""/health/live answers without the database; /health/ready names what fails (the database, a job) with 503;
/health and /ready keep answering as before."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import Engine, create_engine

from scoring.status import JobBoard, JobStatus
from scoring.storage.engine import make_engine, session_factory
from tests.api.signin import api

NOW = datetime(2017, 9, 5, 1, 0, tzinfo=UTC)


def _database_gone(client: object, tmp_path: Path) -> None:
    client.app.state.sessions = session_factory(make_engine("sqlite:////nonexistent-dir/stewards.db"))  # type: ignore[attr-defined]


def test_live_answers_while_the_database_is_down(tmp_path: Path) -> None:
    client = api(create_engine(f"sqlite:///{tmp_path / 'x.db'}"))
    _database_gone(client, tmp_path)
    r = client.get("/health/live")
    assert (r.status_code, r.json()) == (200, {"status": "ok"})
    assert client.get("/health").status_code == 503  # the store's counts need the store


def test_ready_when_the_database_answers_and_every_job_succeeds(seeded: Engine) -> None:
    scoring = JobStatus("scoring")
    scoring.succeeded(NOW)
    r = api(seeded, jobs=JobBoard(scoring)).get("/health/ready")
    assert r.status_code == 200
    body = r.json()
    assert body["ready"] is True and body["failing"] == []
    assert [(c["name"], c["ok"]) for c in body["checks"]] == [("database", True), ("job:scoring", True)]


def test_not_ready_names_the_failing_job(seeded: Engine) -> None:
    scoring, closing = JobStatus("scoring"), JobStatus("closing")
    scoring.succeeded(NOW)
    closing.failed(NOW, "database unavailable")
    client = api(seeded, jobs=JobBoard(scoring, closing))
    r = client.get("/health/ready")
    assert r.status_code == 503
    assert r.json()["failing"] == ["job:closing"] and "database unavailable" in r.json()["checks"][1]["detail"]
    assert client.get("/ready").status_code == 503 and client.get("/health").status_code == 200


def test_not_ready_names_the_database(tmp_path: Path) -> None:
    client = api(create_engine(f"sqlite:///{tmp_path / 'x.db'}"))
    _database_gone(client, tmp_path)
    r = client.get("/health/ready")
    assert r.status_code == 503
    body = r.json()
    assert body["ready"] is False and body["failing"] == ["database"]
    assert "nonexistent" not in r.text  # the answer names no path or host
    assert client.get("/ready").status_code == 200  # the jobs alone, as it always answered
