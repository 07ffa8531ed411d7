from __future__ import annotations

import hashlib
from datetime import date
from fractions import Fraction
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from scoring.closing import CyclePolicy, close_quarter, load_month_review
from scoring.closing.quarter import NOTABLE_TEAMS, build_bulletin
from scoring.closing.ranking import MembershipSpan, member_months, member_months_between
from scoring.closing.registry_names import Names
from scoring.closing.year_facts import MemberPeriod, team_period_facts
from scoring.periods import parse_period
from scoring.reports import NotableTeam, QuarterlyBulletin, render_bulletin_html
from scoring.storage import tables as t
from tests.scoring.closing.simulated import RULESET, at, simulate_year


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


# --- 优秀小巷管家团 ---------------------------------------------------------------------------------

Q4_FIRST, Q4_AFTER = date(2018, 10, 1), date(2019, 1, 1)


def _points(session: Session, steward_id: int, lane_id: int, day: date, points: int) -> None:
    """One ledger entry of a lane's points (segment-less, like a 周查 entry), keyed so repeats stay distinct."""
    session.add(t.PointsEntry(
        entry_key=f"team-test/{steward_id}/{lane_id}/{day}/{points}", steward_id=steward_id, day=day,
        rule="checkpoint_visit", ruleset_version=RULESET, points=points, segment_id=None, lane_id=lane_id,
        evidence=[f"team-test/{day}"], created_at=at(Q4_AFTER, 9),
    ))


def _team(session: Session, name: str) -> tuple[int, int, list[int]]:
    """A team's id, lane and its members' steward ids (each once, ascending)."""
    team = session.scalar(select(t.Team).where(t.Team.name == name))
    assert team is not None
    members = sorted(set(session.scalars(select(t.TeamMembership.steward_id)
                                         .where(t.TeamMembership.team_id == team.id))))
    return team.id, team.lane_id, members


def _bulletin(engine: Engine, out_dir: Path, subdistrict_key: str = "longtan") -> QuarterlyBulletin:
    close_quarter(engine, "2018-Q4", out_dir)
    reviews = [load_month_review(engine, m) for m in ("2018-10", "2018-11", "2018-12")]
    with Session(engine) as session:
        names = Names.load(session)
        sub = next(s for s in names.subdistricts.values() if s.key == subdistrict_key)
        return build_bulletin(session, parse_period("quarter", "2018-Q4"), reviews, sub, names,  # type: ignore[arg-type]
                              CyclePolicy())


@pytest.fixture
def beili_mid_quarter(seeded: Engine) -> tuple[int, int, list[int], int]:
    """幸福北里's team with its first member joining on 15 November and its second leaving on 20 November
    (both at a mid-morning instant, so the day is what counts), and points on and off the team's lane."""
    with Session(seeded) as session, session.begin():
        team_id, lane_id, members = _team(session, BEILI_TEAM)
        joiner, leaver, *_ = members
        other_lane = session.scalar(select(t.Lane.id).where(t.Lane.id.not_in(select(t.Team.lane_id)))
                                    .order_by(t.Lane.id))
        assert other_lane is not None
        for m in session.scalars(select(t.TeamMembership).where(t.TeamMembership.team_id == team_id)):
            if m.steward_id == joiner:
                m.valid_from = at(date(2018, 11, 15), 10)
            elif m.steward_id == leaver:
                m.valid_to = at(date(2018, 11, 20), 9)
        _points(session, joiner, lane_id, date(2018, 11, 14), 100)  # before joining
        _points(session, joiner, lane_id, date(2018, 11, 15), 7)  # the day of joining counts
        _points(session, joiner, other_lane, date(2018, 11, 16), 50)  # another lane, never
        _points(session, leaver, lane_id, date(2018, 11, 19), 11)  # the last whole day
        _points(session, leaver, lane_id, date(2018, 11, 20), 200)  # the day of leaving no longer counts
        for steward_id in members[2:]:
            _points(session, steward_id, lane_id, date(2018, 10, 1), 5)
            _points(session, steward_id, lane_id, date(2018, 12, 31), 3)
    return team_id, lane_id, members, other_lane


BEILI_TEAM = "幸福北里小巷管家团"


def test_a_team_counts_its_members_points_on_its_lane_only_while_they_were_members(
    seeded: Engine, beili_mid_quarter: tuple[int, int, list[int], int],
) -> None:
    team_id, lane_id, members, _ = beili_mid_quarter
    joiner, leaver, *rest = members
    with Session(seeded) as session:
        (detail,) = [d for d in team_period_facts(session, Q4_FIRST, Q4_AFTER) if d.team.team_id == team_id]
    by_steward = {m.steward_id: m for m in detail.members}
    assert [m.steward_id for m in detail.members] == members
    assert by_steward[joiner] == MemberPeriod(joiner, date(2018, 11, 15), None, 1 + Fraction(16, 30), 7)
    assert by_steward[leaver] == MemberPeriod(leaver, None, date(2018, 11, 20), 1 + Fraction(19, 30), 11)
    assert all(by_steward[s] == MemberPeriod(s, None, None, Fraction(3), 8) for s in rest)
    assert detail.lane_id == lane_id
    assert detail.team.points == 7 + 11 + 8 * len(rest)
    assert detail.team.member_months == 1 + Fraction(16, 30) + 1 + Fraction(19, 30) + 3 * len(rest)


def test_member_months_of_a_quarter_weigh_each_month_by_its_own_days() -> None:
    span = MembershipSpan(1, date(2018, 11, 15), date(2018, 12, 16))
    assert member_months_between(span, Q4_FIRST, Q4_AFTER) == Fraction(16, 30) + Fraction(15, 31)
    assert member_months_between(MembershipSpan(1, date(2017, 1, 1), None), Q4_FIRST, Q4_AFTER) == 3
    assert member_months_between(MembershipSpan(1, date(2019, 1, 1), None), Q4_FIRST, Q4_AFTER) == 0
    # A stretch that starts mid-month: only its own days of that month count.
    assert member_months_between(MembershipSpan(1, date(2017, 1, 1), None), date(2018, 2, 15), date(2018, 3, 1)) \
        == Fraction(14, 28)
    for year in (2017, 2018, 2020):
        assert member_months(span, year) == member_months_between(span, date(year, 1, 1), date(year + 1, 1, 1))


def test_the_bulletin_names_the_team_with_its_members_and_figures(
    seeded: Engine, beili_mid_quarter: tuple[int, int, list[int], int], tmp_path: Path,
) -> None:
    _, lane_id, members, _ = beili_mid_quarter
    bulletin = _bulletin(seeded, tmp_path)
    reviews = [load_month_review(seeded, m) for m in ("2018-10", "2018-11", "2018-12")]
    due = sum(lane.patrols_due for r in reviews if r for lane in r.lanes if lane.lane_id == lane_id)
    assert due > 0
    with Session(seeded) as session:
        names = Names.load(session)
    points = 7 + 11 + 8 * (len(members) - 2)
    member_months_total = 1 + Fraction(16, 30) + 1 + Fraction(19, 30) + 3 * (len(members) - 2)
    tenths = round(points * 10 / member_months_total)  # no exact half here, so float rounding is safe
    (team,) = bulletin.notable_teams  # the other teams earned nothing this quarter
    assert team == NotableTeam(
        BEILI_TEAM, "幸福社区", "幸福北里", tuple(names.stewards[s].name for s in members),
        f"本季度团队积分{points}分，人均每月{tenths // 10}.{tenths % 10}分，日巡完成率0.0%",
    )
    html = render_bulletin_html(bulletin)
    assert f"{BEILI_TEAM}（幸福社区 · 幸福北里；成员：{'、'.join(team.members)}）：{team.citation}" in html
    (files,) = close_quarter(seeded, "2018-Q4", tmp_path).bulletins
    assert files.html.read_text(encoding="utf-8") == html
    assert "优秀小巷管家团" in html


def test_a_subdistrict_without_teams_names_none_and_still_renders(seeded: Engine, tmp_path: Path) -> None:
    simulate_year(seeded)
    assert _bulletin(seeded, tmp_path).notable_teams  # 龙潭's teams earned points
    bulletin = _bulletin(seeded, tmp_path, "xichangan")  # 西长安街 has no team
    assert bulletin.notable_teams == ()
    html = render_bulletin_html(bulletin)
    assert 'id="notable"' in html and "优秀小巷管家团" not in html


def test_notable_teams_go_by_points_per_member_month_then_points_then_the_older_team(
    seeded: Engine, tmp_path: Path,
) -> None:
    # Every member earns the same on the team's lane, so a team's rate is a member's points / 3 months.
    each = {BEILI_TEAM: 60, "龙潭街道 小巷01小巷管家团": 30, "龙潭街道 小巷02小巷管家团": 30,
            "龙潭街道 小巷03小巷管家团": 30, "龙潭街道 小巷67小巷管家团": 30}
    with Session(seeded) as session, session.begin():
        teams = {name: _team(session, name) for name in each}
        for name, (_, lane_id, members) in teams.items():
            for steward_id in members:
                _points(session, steward_id, lane_id, date(2018, 12, 1), each[name])
    sizes = {name: len(members) for name, (_, _, members) in teams.items()}
    # The premise of the ties: 小巷01 has one member more than 小巷02, 03 and 67, which are alike.
    assert sizes["龙潭街道 小巷01小巷管家团"] == 4
    assert (sizes["龙潭街道 小巷02小巷管家团"] == sizes["龙潭街道 小巷03小巷管家团"]
            == sizes["龙潭街道 小巷67小巷管家团"] == 3)
    assert (teams["龙潭街道 小巷02小巷管家团"][0] < teams["龙潭街道 小巷03小巷管家团"][0]
            < teams["龙潭街道 小巷67小巷管家团"][0])
    bulletin = _bulletin(seeded, tmp_path)
    # 北里 leads on its rate (20); 01, 02, 03 and 67 share 10: 01 has more points, then the older team.
    assert [team.name for team in bulletin.notable_teams] == [BEILI_TEAM, "龙潭街道 小巷01小巷管家团",
                                                             "龙潭街道 小巷02小巷管家团"]
    assert len(bulletin.notable_teams) == NOTABLE_TEAMS
    assert bulletin.notable_teams[1].citation.startswith("本季度团队积分120分，人均每月10.0分")
    assert _bulletin(seeded, tmp_path) == bulletin
