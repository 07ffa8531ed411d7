from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from scoring.awards import verify_file
from scoring.closing import CyclePolicy, close_year
from scoring.storage import tables as t
from tests.scoring.closing.simulated import RESTING_STEWARD, simulate_year

SEEDS = {"longtan": bytes(range(32))}


def _files(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def test_the_year_awards_eligible_stewards_and_signs_what_verifies(seeded: Engine, tmp_path: Path) -> None:
    simulate_year(seeded)
    summary = close_year(seeded, 2018, tmp_path, CyclePolicy(), SEEDS)

    (longtan,) = summary.subdistricts
    assert longtan.subdistrict == "龙潭街道"
    community = [w for w in longtan.stewards if w.scope == "幸福社区"]
    rest = [w for w in longtan.stewards if w.scope == "龙潭街道"]
    assert [w.rank for w in community] == [1, 2, 3] and len(rest) == 1  # 14 eligible, 5% rounded up
    assert RESTING_STEWARD not in {w.key for w in longtan.stewards}
    assert community[0].points >= community[1].points >= community[2].points >= rest[0].points
    assert len(longtan.teams) == 1
    for award in (*longtan.stewards, *longtan.teams):
        verified = verify_file(award.credential, [longtan.public_key])
        assert verified.facts.year == 2018 and verified.credential_id == award.credential_id
        assert award.certificate.read_bytes().startswith(b"%PDF")
    assert longtan.report_pdf.read_bytes().startswith(b"%PDF")
    html = longtan.report_html.read_text(encoding="utf-8")
    assert all(w.name in html for w in longtan.stewards) and "认领时间早者在前" in html
    assert json.loads(json.dumps(summary.as_json()))["subdistricts"][0]["gold_stewards"][0]["name"] == community[0].name


def test_closing_a_year_twice_changes_nothing(seeded: Engine, tmp_path: Path) -> None:
    simulate_year(seeded)
    first = close_year(seeded, 2018, tmp_path, CyclePolicy(), SEEDS)
    files = _files(tmp_path)
    with Session(seeded) as session:
        rows = session.scalar(select(func.count()).select_from(t.Award))
    again = close_year(seeded, 2018, tmp_path, CyclePolicy(), SEEDS)
    assert again == first and _files(tmp_path) == files
    with Session(seeded) as session:
        assert session.scalar(select(func.count()).select_from(t.Award)) == rows


def test_the_same_data_in_another_store_gives_byte_identical_documents(seeded: Engine, tmp_path: Path) -> None:
    simulate_year(seeded)
    close_year(seeded, 2018, tmp_path / "a", CyclePolicy(), SEEDS)
    files = _files(tmp_path / "a")
    with Session(seeded) as session, session.begin():
        for model in (t.Award, t.AwardReportRecord, t.PeriodClosing):
            session.execute(model.__table__.delete())
    close_year(seeded, 2018, tmp_path / "b", CyclePolicy(), SEEDS)
    assert _files(tmp_path / "b") == files


def test_an_upheld_integrity_flag_makes_a_steward_ineligible(seeded: Engine, tmp_path: Path) -> None:
    simulate_year(seeded)
    plain = close_year(seeded, 2018, tmp_path / "plain", CyclePolicy(), SEEDS)
    top = plain.subdistricts[0].stewards[0]
    with Session(seeded) as session, session.begin():
        for model in (t.Award, t.AwardReportRecord, t.PeriodClosing):
            session.execute(model.__table__.delete())
        top_id = session.scalar(select(t.Steward.id).where(t.Steward.key == top.key))
    flagged = close_year(seeded, 2018, tmp_path / "flagged", CyclePolicy(), SEEDS,
                         upheld_flags=lambda year: {top_id} if year == 2018 else set())
    assert top.key not in {w.key for w in flagged.subdistricts[0].stewards}
