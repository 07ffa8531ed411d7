"""季通报: close a quarter — one bulletin per subdistrict, HTML and PDF, built from the quarter's three
month snapshots, the work ledger's cases and the lanes' patrol completion; recorded in table bulletins.

Files: bulletins/<year>-Q<n>/bulletin-<subdistrict>-<year>-Q<n>.html | .pdf under `out_dir`, the same
bytes for the same data; the bulletin's contents as data go into its row too, for the API. A
subdistrict gets a bulletin when a steward of it appears in any of the three months. Open cases are
those whose state at the quarter's end (replayed from case_events) is open; "found" counts cases the
chief confirmed in the quarter, "fixed" those whose fix was confirmed.
Notable teams (优秀小巷管家团) are scored as the year-end team award scores them (`team_period_facts`):
members' points on the team's lane while they were members, compared per member-month.
"""

from __future__ import annotations

import logging
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from fractions import Fraction
from pathlib import Path
from typing import Final

from sqlalchemy import Engine, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from scoring.cases.workflow import OPEN_STATES, CaseState
from scoring.closing.month import Clock, MonthReview, close_month, ensure_ended, utc_now
from scoring.closing.outputs import slug, write_file
from scoring.closing.policy import DEFAULT_POLICY, CyclePolicy
from scoring.closing.ranking import competition_ranks, team_order_key
from scoring.closing.registry_names import Names, SubdistrictInfo
from scoring.closing.year_facts import TeamPeriodDetail, team_period_facts
from scoring.periods import Period, PeriodKind, local_day, parse_period, period_containing
from scoring.reports import (
    CategoryTally,
    MonthlyPoints,
    NotableSteward,
    NotableTeam,
    OpenCase,
    PatrolCompletion,
    QuarterlyBulletin,
    StewardRanking,
    document_data,
    render_bulletin_html,
    render_bulletin_pdf,
)
from scoring.reports.wording import percent
from scoring.storage import tables as t

logger = logging.getLogger(__name__)

NOTABLE_STEWARDS: Final = 3
NOTABLE_TEAMS: Final = 3


@dataclass(frozen=True, slots=True)
class BulletinFiles:
    subdistrict: str
    html: Path
    pdf: Path
    html_sha256: str
    pdf_sha256: str


@dataclass(frozen=True, slots=True)
class QuarterSummary:
    quarter: str
    bulletins: tuple[BulletinFiles, ...]


def as_quarter(quarter: Period | str) -> Period:
    return parse_period(PeriodKind.QUARTER, quarter) if isinstance(quarter, str) else quarter


def quarter_months(period: Period) -> list[Period]:
    months, day = [], period.first_day
    while day <= period.last_day:
        month = period_containing(PeriodKind.MONTH, day)
        months.append(month)
        day = month.last_day + timedelta(days=1)
    return months


def close_quarter(engine: Engine, quarter: Period | str, out_dir: Path, policy: CyclePolicy = DEFAULT_POLICY, *,
                  clock: Clock = utc_now) -> QuarterSummary:
    """Close a quarter (idempotent): close its months if need be, write and record its bulletins."""
    period = as_quarter(quarter)
    out_dir = Path(out_dir)
    if _closed(engine, period.label):
        return load_quarter_summary(engine, period, out_dir)
    ensure_ended(period, clock())
    reviews = [close_month(engine, m, policy, clock=clock) for m in quarter_months(period)]
    with Session(engine) as session:
        names = Names.load(session)
        subdistricts = sorted({r.subdistrict_id for review in reviews for r in review.stewards})
        teams = quarter_team_facts(session, period)
        built = [build_bulletin(session, period, reviews, names.subdistricts[s], names, policy, teams)
                 for s in subdistricts]
    records = []
    for sub_id, bulletin in zip(subdistricts, built, strict=True):
        stem = f"bulletins/{period.label}/bulletin-{slug(names.subdistricts[sub_id].key)}-{period.label}"
        html_sha = write_file(out_dir, f"{stem}.html", render_bulletin_html(bulletin).encode())
        pdf_sha = write_file(out_dir, f"{stem}.pdf", render_bulletin_pdf(bulletin))
        records.append(t.Bulletin(period=period.label, subdistrict_id=sub_id, html_path=f"{stem}.html",
                                  pdf_path=f"{stem}.pdf", html_sha256=html_sha, pdf_sha256=pdf_sha,
                                  content=document_data(bulletin)))
    try:
        with Session(engine) as session, session.begin():
            now = clock()
            for record in records:
                record.closed_at = now
            session.add_all(records)
            session.add(t.PeriodClosing(kind="quarter", label=period.label, closed_at=now))
    except IntegrityError:
        logger.info("%s was closed concurrently; using the stored bulletins", period.label)
    summary = load_quarter_summary(engine, period, out_dir)
    logger.info("closed %s: %d bulletins", period.label, len(summary.bulletins))
    return summary


def _closed(engine: Engine, label: str) -> bool:
    with Session(engine) as session:
        return session.scalar(select(t.PeriodClosing.id).where(
            t.PeriodClosing.kind == "quarter", t.PeriodClosing.label == label)) is not None


def load_quarter_summary(engine: Engine, quarter: Period | str, out_dir: Path) -> QuarterSummary:
    period = as_quarter(quarter)
    with Session(engine) as session:
        names = dict(session.execute(select(t.Subdistrict.id, t.Subdistrict.name)).all())
        rows = session.scalars(select(t.Bulletin).where(t.Bulletin.period == period.label)
                               .order_by(t.Bulletin.subdistrict_id)).all()
        return QuarterSummary(period.label, tuple(
            BulletinFiles(names[b.subdistrict_id], Path(out_dir) / b.html_path, Path(out_dir) / b.pdf_path,
                          b.html_sha256, b.pdf_sha256) for b in rows
        ))


def build_bulletin(session: Session, period: Period, reviews: list[MonthReview], sub: SubdistrictInfo,
                   names: Names, policy: CyclePolicy, teams: Sequence[TeamPeriodDetail] | None = None
                   ) -> QuarterlyBulletin:
    """The bulletin's content for one subdistrict; pure but for the case and team queries.

    `teams`: every subdistrict's `quarter_team_facts`, read once for all bulletins; None reads them here.
    """
    points: Counter[int] = Counter()
    active: Counter[int] = Counter()
    stars: Counter[int] = Counter()
    monthly = []
    for review in reviews:
        rows = [r for r in review.stewards if r.subdistrict_id == sub.id]
        for r in rows:
            points[r.steward_id] += r.points
            active[r.steward_id] += r.active_days
            stars[r.steward_id] += r.star
        monthly.append(MonthlyPoints(review.month.first_day, max(0, sum(r.points for r in rows))))
    ordered = sorted(points, key=lambda s: (-points[s], -active[s], s))
    ranks = competition_ranks(ordered, lambda s: points[s])
    rankings = tuple(
        StewardRanking(rank, names.stewards[s].name, points[s], names.stewards[s].community, names.stewards[s].lane)
        for s, rank in list(zip(ordered, ranks, strict=True))[: policy.bulletin_ranking_size]
    )
    notable = tuple(
        NotableSteward(names.stewards[s].name, names.stewards[s].community, names.stewards[s].lane,
                       f"本季度{stars[s]}次当选月度之星，季度积分{points[s]}分")
        for s in sorted((s for s in stars if stars[s]), key=lambda s: (-stars[s], -points[s], s))[:NOTABLE_STEWARDS]
    )
    return QuarterlyBulletin(
        subdistrict=sub.name, district=sub.district, issuer=sub.issuer, year=period.first_day.year,
        quarter=(period.first_day.month - 1) // 3 + 1, issued_on=period.last_day + timedelta(days=1),
        rankings=rankings, patrols=_patrols(reviews, sub, names), open_cases=_open_cases(session, period, sub, names),
        cases_by_category=_tallies(session, period, sub), monthly_points=tuple(monthly), notable_stewards=notable,
        notable_teams=_notable_teams(quarter_team_facts(session, period) if teams is None else teams, reviews, sub,
                                     names),
        ruleset_versions=tuple(sorted({v for r in reviews for v in r.ruleset_versions})),
    )


def _patrols(reviews: list[MonthReview], sub: SubdistrictInfo, names: Names) -> tuple[PatrolCompletion, ...]:
    due: Counter[int] = Counter()
    done: Counter[int] = Counter()
    for review in reviews:
        for lane in review.lanes:
            if lane.subdistrict_id == sub.id:
                due[lane.lane_id] += lane.patrols_due
                done[lane.lane_id] += lane.patrols_completed
    return tuple(
        PatrolCompletion(_community(names, lane_id), names.lanes[lane_id], due[lane_id], done[lane_id])
        for lane_id in sorted(due) if due[lane_id] > 0
    )


def quarter_team_facts(session: Session, period: Period) -> list[TeamPeriodDetail]:
    """Every team's points and member-months in the quarter, as the year-end team award counts them."""
    return team_period_facts(session, period.first_day, period.last_day + timedelta(days=1))


def _notable_teams(teams: Sequence[TeamPeriodDetail], reviews: list[MonthReview], sub: SubdistrictInfo,
                   names: Names) -> tuple[NotableTeam, ...]:
    """The subdistrict's best teams with points in the quarter, in `team_order_key`'s order: points per
    member-month, then points, then the older team (lower id) first; the order is total."""
    candidates = [d for d in teams
                  if d.team.subdistrict_id == sub.id and d.team.points > 0 and d.team.member_months > 0]
    best = sorted(candidates, key=lambda d: team_order_key(d.team))[:NOTABLE_TEAMS]
    return tuple(
        NotableTeam(d.team.name, _community(names, d.lane_id), names.lanes[d.lane_id], _member_names(d, names),
                    _team_citation(d, reviews))
        for d in best
    )


def _member_names(detail: TeamPeriodDetail, names: Names) -> tuple[str, ...]:
    """Each member once, by steward id, however many memberships they had in the quarter."""
    return tuple(names.stewards[s].name for s in sorted({m.steward_id for m in detail.members}))


def _team_citation(detail: TeamPeriodDetail, reviews: list[MonthReview]) -> str:
    due = sum(lane.patrols_due for review in reviews for lane in review.lanes if lane.lane_id == detail.lane_id)
    done = sum(lane.patrols_completed for review in reviews for lane in review.lanes if lane.lane_id == detail.lane_id)
    citation = (f"本季度团队积分{detail.team.points}分，"
                f"人均每月{_one_decimal(detail.team.points_per_member_month)}分")
    return citation + (f"，日巡完成率{percent(done, due)}" if due > 0 else "")


def _one_decimal(value: Fraction) -> str:
    """A fraction with one decimal, rounded half away from zero, exactly (no float): 2045/4 → "511.3"."""
    sign, value = ("-", -value) if value < 0 else ("", value)
    tenths = (20 * value.numerator + value.denominator) // (2 * value.denominator)
    return f"{sign}{tenths // 10}.{tenths % 10}"


def _community(names: Names, lane_id: int) -> str | None:
    community_id = names.lane_communities[lane_id]
    return names.communities[community_id] if community_id is not None else None


def _lane_cases(session: Session, sub: SubdistrictInfo, period: Period) -> list[t.Case]:
    return list(session.scalars(
        select(t.Case).join(t.Lane, t.Lane.id == t.Case.lane_id)
        .where(t.Lane.subdistrict_id == sub.id, t.Case.reported_at < period.ends_at()).order_by(t.Case.id)
    ))


def _open_cases(session: Session, period: Period, sub: SubdistrictInfo, names: Names) -> tuple[OpenCase, ...]:
    cases = _lane_cases(session, sub, period)
    if not cases:
        return ()
    state_at_end: dict[int, str] = {}
    ev = t.CaseEvent
    for case_id, to_state in session.execute(
        select(ev.case_id, ev.to_state).where(ev.case_id.in_([c.id for c in cases]), ev.at < period.ends_at())
        .order_by(ev.case_id, ev.at, ev.id)
    ):
        state_at_end[case_id] = to_state
    open_values = {s.value for s in OPEN_STATES}
    return tuple(
        OpenCase(f"{slug(sub.key)}-{c.reported_at.year}-{c.id:04d}", _community(names, c.lane_id),
                 names.lanes[c.lane_id], c.category, state_at_end.get(c.id, CaseState.REPORTED.value),
                 local_day(c.reported_at),
                 f"{names.lanes[c.lane_id]} {c.position_m:.0f}米处")
        for c in cases if state_at_end.get(c.id, CaseState.REPORTED.value) in open_values
    )


def _tallies(session: Session, period: Period, sub: SubdistrictInfo) -> tuple[CategoryTally, ...]:
    ev = t.CaseEvent
    counts: dict[str, Counter[str]] = defaultdict(Counter)
    for category, to_state in session.execute(
        select(t.Case.category, ev.to_state).select_from(ev).join(t.Case, t.Case.id == ev.case_id)
        .join(t.Lane, t.Lane.id == t.Case.lane_id)
        .where(t.Lane.subdistrict_id == sub.id, ev.at >= period.starts_at(), ev.at < period.ends_at(),
               ev.to_state.in_([CaseState.CONFIRMED.value, CaseState.FIX_CONFIRMED.value]))
    ):
        counts[category][to_state] += 1
    return tuple(
        CategoryTally(category, c[CaseState.CONFIRMED.value], c[CaseState.FIX_CONFIRMED.value])
        for category, c in sorted(counts.items())
    )
