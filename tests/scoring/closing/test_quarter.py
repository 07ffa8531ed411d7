from __future__ import annotations

import hashlib
from pathlib import Path

from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from scoring.closing import CyclePolicy, close_quarter, load_month_review
from scoring.closing.quarter import build_bulletin
from scoring.closing.registry_names import Names
from scoring.periods import parse_period
from scoring.storage import tables as t
from tests.scoring.closing.simulated import simulate_year


def test_a_quarter_closes_its_months_and_writes_one_bulletin_per_subdistrict(seeded: Engine, tmp_path: Path) -> None:
    simulate_year(seeded)
    summary = close_quarter(seeded, "2018-Q4", tmp_path)

    (bulletin,) = summary.bulletins
    assert bulletin.subdistrict == "龙潭街道"
    assert bulletin.html.name == "bulletin-longtan-2018-Q4.html" and bulletin.pdf.name == "bulletin-longtan-2018-Q4.pdf"
    assert hashlib.sha256(bulletin.pdf.read_bytes()).hexdigest() == bulletin.pdf_sha256
    assert hashlib.sha256(bulletin.html.read_bytes()).hexdigest() == bulletin.html_sha256
    months = [load_month_review(seeded, m) for m in ("2018-10", "2018-11", "2018-12")]
    assert all(m is not None for m in months)
    html = bulletin.html.read_text(encoding="utf-8")
    assert "龙潭街道" in html and "第四季度" in html


def test_the_bulletin_content_agrees_with_the_month_snapshots(seeded: Engine, tmp_path: Path) -> None:
    simulate_year(seeded)
    close_quarter(seeded, "2018-Q4", tmp_path)
    period = parse_period("quarter", "2018-Q4")
    reviews = [load_month_review(seeded, m) for m in ("2018-10", "2018-11", "2018-12")]
    assert all(r is not None for r in reviews)
    with Session(seeded) as session:
        names = Names.load(session)
        sub = next(s for s in names.subdistricts.values() if s.key == "longtan")
        bulletin = build_bulletin(session, period, reviews, sub, names, CyclePolicy())  # type: ignore[arg-type]
    totals: dict[str, int] = {}
    for review in reviews:
        assert review is not None
        for r in review.stewards:
            name = names.stewards[r.steward_id].name
            totals[name] = totals.get(name, 0) + r.points
    assert {r.name: r.points for r in bulletin.rankings} == totals
    assert [r.rank for r in bulletin.ranked()][0] == 1
    assert sum(m.points for m in bulletin.monthly_points) == sum(totals.values())
    # November's and December's cases are confirmed but not yet fixed at the quarter's end.
    assert len(bulletin.open_cases) == 2
    assert sum(c.found for c in bulletin.cases_by_category) == 3
    assert sum(c.fixed for c in bulletin.cases_by_category) == 2  # September's and October's fixes confirmed
    assert len(bulletin.patrols) >= 5


def test_closing_a_quarter_twice_changes_nothing(seeded: Engine, tmp_path: Path) -> None:
    simulate_year(seeded)
    first = close_quarter(seeded, "2018-Q2", tmp_path)
    data = {p: p.read_bytes() for p in (first.bulletins[0].html, first.bulletins[0].pdf)}
    again = close_quarter(seeded, "2018-Q2", tmp_path)
    assert again == first and {p: p.read_bytes() for p in data} == data
    with Session(seeded) as session:
        assert session.scalar(select(func.count()).select_from(t.Bulletin)) == 1
