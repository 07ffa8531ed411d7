"""/metrics as Prometheus scrapes it: latencies per route template, the background jobs, the store."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import Engine, create_engine

from scoring.status import JobBoard, JobStatus
from scoring.storage.engine import make_engine, session_factory
from tests.api.signin import api

NOW = datetime(2017, 9, 5, 1, 0, tzinfo=UTC)


def _samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    return {(s.name, tuple(sorted(s.labels.items()))): s.value
            for family in text_string_to_metric_families(text) for s in family.samples}


def test_latencies_jobs_and_the_store_are_scraped(seeded: Engine) -> None:
    scoring, closing = JobStatus("scoring"), JobStatus("closing")
    scoring.succeeded(NOW)
    closing.failed(NOW, "database unavailable")
    client = api(seeded, clock=lambda: NOW, jobs=JobBoard(scoring, closing))
    for steward in (1, 2, 3):
        client.get(f"/stewards/{steward}/totals", params={"year": 2017})
    client.get("/leaderboard")
    r = client.get("/metrics")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/plain")
    got = _samples(r.text)
    # One series per route template, however many ids were asked for.
    key = ("stewards_http_request_duration_seconds_count",
           (("method", "GET"), ("route", "/stewards/{steward_id}/totals"), ("status", "200")))
    assert got[key] == 3
    assert got[("stewards_job_up", (("job", "scoring"),))] == 1
    assert got[("stewards_job_up", (("job", "closing"),))] == 0
    assert got[("stewards_job_consecutive_failures", (("job", "closing"),))] == 1
    assert got[("stewards_database_up", ())] == 1
    assert got[("stewards_checkins", ())] == 0 and got[("stewards_scoring_backlog", ())] == 0


def test_a_database_that_does_not_answer_is_a_gauge_not_a_failed_scrape(tmp_path: Path) -> None:
    client = api(create_engine(f"sqlite:///{tmp_path / 'x.db'}"))
    client.app.state.sessions = session_factory(make_engine("sqlite:////nonexistent-dir/stewards.db"))
    r = client.get("/metrics")
    assert r.status_code == 200
    assert _samples(r.text)[("stewards_database_up", ())] == 0
