"""`stewards serve`'s closing scheduler: 月评 and 季通报 close with or without the award-signing secret; without
it an ended year waits, and /ready says so while staying ready."""

from __future__ import annotations

from pathlib import Path

from rich.console import Console
from sqlalchemy import Engine

from scoring.closing import load_quarter_summary, load_year_summary
from scoring.status import JobBoard
from stewards.cli import _closing_scheduler
from stewards.settings import Settings
from tests.api.signin import api
from tests.scoring.closing.simulated import simulate_first_quarter


def _settings(engine: Engine, tmp_path: Path, secret: str) -> Settings:
    return Settings(database_url=engine.url.render_as_string(hide_password=False), mqtt_anonymous=True,
                    issuer_secret=secret, cycle_dir=str(tmp_path / "cycle"))  # type: ignore[arg-type]


def test_without_the_secret_serve_closes_months_and_quarters_and_ready_notes_the_waiting_year(
    seeded: Engine, tmp_path: Path
) -> None:
    simulate_first_quarter(seeded)
    console = Console(record=True, width=200)
    scheduler = _closing_scheduler(seeded, _settings(seeded, tmp_path, ""), console)
    assert "awards wait until STEWARDS_ISSUER_SECRET is set" in console.export_text()
    scheduler.start()
    scheduler.stop()
    assert load_quarter_summary(seeded, "2018-Q1", tmp_path / "cycle").bulletins  # today is past 2018
    assert load_year_summary(seeded, 2018, tmp_path / "cycle").subdistricts == ()

    r = api(seeded, jobs=JobBoard(scheduler.status)).get("/ready")
    assert r.status_code == 200 and r.json()["ready"] is True
    (job,) = r.json()["jobs"]
    # The scheduler's today is the real one: every year from 2018 to last year waits.
    assert job["name"] == "closing" and job["note"].startswith("years 2018, 2019")
    assert "wait for the award-signing key" in job["note"]


def test_with_the_secret_serve_closes_the_year_too(seeded: Engine, tmp_path: Path) -> None:
    simulate_first_quarter(seeded)
    scheduler = _closing_scheduler(seeded, _settings(seeded, tmp_path, "an office secret"), Console(quiet=True))
    scheduler.start()
    scheduler.stop()
    assert scheduler.last_report is not None and "2018" in scheduler.last_report.years
    assert scheduler.status.state().note is None
    assert load_year_summary(seeded, 2018, tmp_path / "cycle").subdistricts
