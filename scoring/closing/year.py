"""年度金牌管家: close a year — eligibility, selection, the award report, certificates and signed
Open Badges credentials, recorded in tables award_reports and awards.

Files, under `out_dir` (deterministic names; the same data gives the same bytes):
    awards/<year>/<subdistrict>/award-report-<subdistrict>-<year>.html | .pdf
    awards/<year>/<subdistrict>/issuer-<subdistrict>.pub.json        the key verifiers trust
    awards/<year>/<subdistrict>/credentials/<year>-<kind>-<subject>.json
    awards/<year>/<subdistrict>/certificates/<year>-<kind>-<subject>.pdf
Credentials are issued at the first instant of the next year (Asia/Shanghai), so a run again signs
the same document. A subdistrict gets a report when it has at least one winner; its issuer seed must
then be in `issuer_keys` (keyed by subdistrict key). Selection and tie-breaks: `scoring.closing.ranking`.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path

from sqlalchemy import Engine, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from scoring.awards import AwardFacts, AwardKind, IssuerKey, credential_filename, dumps_credential, issue_credential
from scoring.closing.errors import IssuerKeyMissingError
from scoring.closing.month import Clock, close_month, ensure_ended, utc_now
from scoring.closing.outputs import slug, write_file
from scoring.closing.policy import DEFAULT_POLICY, CyclePolicy, UpheldFlags, no_upheld_flags
from scoring.closing.ranking import TIE_BREAKS, GoldGroup, StewardYear, describe_ties, select_gold, select_teams
from scoring.closing.registry_names import Names, SubdistrictInfo
from scoring.closing.year_facts import TeamPeriodDetail, steward_years, team_years
from scoring.periods import PeriodKind, day_starts_at, parse_period
from scoring.reports import (
    STEWARD_AWARD,
    TEAM_AWARD,
    AwardGroup,
    AwardReport,
    AwardWinner,
    Certificate,
    EvidenceSummary,
    TeamAward,
    TeamMember,
    document_data,
    render_award_report_html,
    render_award_report_pdf,
    render_certificate_pdf,
)
from scoring.storage import tables as t

logger = logging.getLogger(__name__)

_MAX_VERSION_CHARS = 64


@dataclass(frozen=True, slots=True)
class AwardedSteward:
    name: str
    key: str
    community: str | None
    scope: str
    rank: int
    points: int
    credential_id: str
    credential: Path
    certificate: Path


@dataclass(frozen=True, slots=True)
class AwardedTeam:
    name: str
    lane: str
    points: int
    credential_id: str
    credential: Path
    certificate: Path


@dataclass(frozen=True, slots=True)
class SubdistrictAwards:
    subdistrict: str
    report_html: Path
    report_pdf: Path
    public_key: Path
    stewards: tuple[AwardedSteward, ...]
    teams: tuple[AwardedTeam, ...]


@dataclass(frozen=True, slots=True)
class YearSummary:
    """What a closed year awarded; `as_json()` is what the demo prints."""

    year: int
    subdistricts: tuple[SubdistrictAwards, ...]

    def as_json(self) -> dict[str, object]:
        return {
            "year": self.year,
            "subdistricts": [
                {
                    "subdistrict": s.subdistrict, "award_report_html": str(s.report_html),
                    "award_report_pdf": str(s.report_pdf), "issuer_public_key": str(s.public_key),
                    "gold_stewards": [
                        {"name": w.name, "key": w.key, "community": w.community, "scope": w.scope, "rank": w.rank,
                         "points": w.points, "credential": str(w.credential), "certificate": str(w.certificate)}
                        for w in s.stewards
                    ],
                    "gold_teams": [
                        {"name": w.name, "lane": w.lane, "points": w.points, "credential": str(w.credential),
                         "certificate": str(w.certificate)}
                        for w in s.teams
                    ],
                }
                for s in self.subdistricts
            ],
        }


def combined_ruleset_version(versions: set[str]) -> str:
    """One version string for a year: the versions joined by "+"-free ":" or, if too long, their hash."""
    joined = ":".join(sorted(versions)) or "none"
    if len(joined) <= _MAX_VERSION_CHARS:
        return joined
    return "multi-" + hashlib.sha256(joined.encode()).hexdigest()[:24]


def close_year(engine: Engine, year: int, out_dir: Path, policy: CyclePolicy = DEFAULT_POLICY,
               issuer_keys: Mapping[str, bytes] | None = None, *, upheld_flags: UpheldFlags = no_upheld_flags,
               clock: Clock = utc_now) -> YearSummary:
    """Close a year (idempotent): close its months, choose and document the winners, or return the stored result.

    `issuer_keys` maps a subdistrict key to the 32-byte seed of its office's Ed25519 key.
    `upheld_flags(year)` gives the stewards with an upheld integrity flag in that year: not eligible.
    """
    out_dir = Path(out_dir)
    label = str(year)
    if _is_closed(engine, label):
        return load_year_summary(engine, year, out_dir)
    period = parse_period(PeriodKind.YEAR, label)
    ensure_ended(period, clock())
    reviews = [close_month(engine, f"{year}-{m:02d}", policy, clock=clock) for m in range(1, 13)]
    with Session(engine) as session:
        names = Names.load(session)
        records = steward_years(session, reviews, policy, names)
        teams = team_years(session, year)
        lane_keys = dict(session.execute(select(t.Lane.id, t.Lane.key)).all())
    version = combined_ruleset_version({v for r in reviews for v in r.ruleset_versions})
    groups = select_gold(records, policy, set(upheld_flags(year)))
    team_winners = select_teams((d.team for d in teams), policy)
    team_details = {d.team.team_id: d for d in teams}
    plan: list[tuple[SubdistrictInfo, list[GoldGroup], list[TeamPeriodDetail]]] = []
    for sub_id in sorted({g.winners[0].subdistrict_id for g in groups} | {w.subdistrict_id for w in team_winners}):
        plan.append((names.subdistricts[sub_id], [g for g in groups if g.winners[0].subdistrict_id == sub_id],
                     [team_details[w.team_id] for w in team_winners if w.subdistrict_id == sub_id]))
    written = [
        _write_subdistrict(out_dir, year, sub, sub_groups, sub_teams, names, lane_keys, version, policy,
                           _issuer(issuer_keys or {}, sub))
        for sub, sub_groups, sub_teams in plan
    ]
    try:
        with Session(engine) as session, session.begin():
            now = clock()
            for report, awards in written:
                report.closed_at = now
                session.add(report)
                session.flush()
                for award in awards:
                    award.report_id = report.id
                session.add_all(awards)
            session.add(t.PeriodClosing(kind="year", label=label, closed_at=now))
    except IntegrityError:
        logger.info("%d was closed concurrently; using the stored awards", year)
    summary = load_year_summary(engine, year, out_dir)
    logger.info("closed %d: %d gold stewards, %d gold teams", year,
                sum(len(s.stewards) for s in summary.subdistricts), sum(len(s.teams) for s in summary.subdistricts))
    return summary


def _is_closed(engine: Engine, label: str, kind: str = "year") -> bool:
    with Session(engine) as session:
        return session.scalar(
            select(t.PeriodClosing.id).where(t.PeriodClosing.kind == kind, t.PeriodClosing.label == label)
        ) is not None


def _issuer(issuer_keys: Mapping[str, bytes], sub: SubdistrictInfo) -> IssuerKey:
    seed = issuer_keys.get(sub.key)
    if seed is None:
        raise IssuerKeyMissingError(
            f"{sub.name} ({sub.key}) has award winners but no issuer key seed was given; pass its office's "
            "32-byte seed in issuer_keys under that key"
        )
    return IssuerKey.from_seed(seed, sub.issuer)


def _eligibility(policy: CyclePolicy) -> tuple[str, ...]:
    return (
        f"全年至少{policy.gold_min_active_months}个月有巡查记录（每月至少{policy.active_month_min_days}天）",
        "无经核实的诚信问题标记",
    )


def _write_subdistrict(
    out_dir: Path, year: int, sub: SubdistrictInfo, groups: list[GoldGroup], teams: list[TeamPeriodDetail],
    names: Names, lane_keys: dict[int, str], version: str, policy: CyclePolicy, issuer: IssuerKey,
) -> tuple[t.AwardReportRecord, list[t.Award]]:
    folder = f"awards/{year}/{slug(sub.key)}"
    issued_on = date(year + 1, 1, 1)
    issued_at = day_starts_at(issued_on)
    public_key_path = f"{folder}/issuer-{slug(sub.key)}.pub.json"
    write_file(out_dir, public_key_path, _public_key_bytes(issuer))
    awards: list[t.Award] = []
    report_groups: list[AwardGroup] = []
    tie_cases: list[str] = []

    def issue(facts: AwardFacts, cert: Certificate) -> tuple[str, str, str, str]:
        credential = issue_credential(facts, issuer)
        name = credential_filename(facts)
        credential_path = f"{folder}/credentials/{name}"
        certificate_path = f"{folder}/certificates/{name.removesuffix('.json')}.pdf"
        digest = write_file(out_dir, credential_path, dumps_credential(credential).encode())
        credential_id = str(credential["id"])
        write_file(out_dir, certificate_path, render_certificate_pdf(_with_id(cert, credential_id, name)))
        return credential_id, credential_path, certificate_path, digest

    for group in groups:
        scope = names.communities[group.scope_id] if group.scope == "community" else sub.name
        rule = (f"每个社区积分前{policy.gold_per_community}名" if group.scope == "community"
                else f"街道其余合格管家中积分前{policy.gold_subdistrict_share:.0%}")
        tie_cases += describe_ties(group.winners)
        winners = []
        for rank, w in enumerate(group.winners, start=1):
            info = names.stewards[w.steward_id]
            facts = AwardFacts(
                year=year, kind=AwardKind.STEWARD, subject_key=w.key, subject_name=w.name,
                subdistrict_name=sub.name, ruleset_version=version, issued_at=issued_at,
                evidence={"points_total": w.points, "active_months": w.active_months,
                          "patrols_completed": w.patrols_completed, "cases_confirmed": w.cases_confirmed,
                          "rank": rank, "scope": scope},
            )
            cert = Certificate(w.name, year, sub.name, sub.district, sub.issuer, issued_on, "", "",
                               STEWARD_AWARD, info.community)
            credential_id, cred_path, cert_path, digest = issue(facts, cert)
            winners.append(AwardWinner(rank, w.name, info.community, info.lane, _evidence(w), credential_id))
            awards.append(t.Award(kind="steward", steward_id=w.steward_id, team_id=None, scope=scope, rank=rank,
                                  points=w.points, credential_id=credential_id, credential_path=cred_path,
                                  certificate_path=cert_path, credential_sha256=digest))
        report_groups.append(AwardGroup(scope, rule, tuple(winners)))

    team_awards = []
    for rank, detail in enumerate(teams, start=1):
        team = detail.team
        lane = names.lanes[detail.lane_id]
        community_id = names.lane_communities[detail.lane_id]
        community = names.communities[community_id] if community_id is not None else None
        rate = team.points_per_member_month
        facts = AwardFacts(
            year=year, kind=AwardKind.TEAM, subject_key=lane_keys[detail.lane_id], subject_name=team.name,
            subdistrict_name=sub.name, ruleset_version=version, issued_at=issued_at,
            evidence={"points_total": team.points, "member_months_permille": int(team.member_months * 1000),
                      "points_per_member_month": int(rate), "members": len(detail.members)},
        )
        member_names = tuple(names.stewards[m.steward_id].name for m in detail.members)
        cert = Certificate(team.name, year, sub.name, sub.district, sub.issuer, issued_on, "", "", TEAM_AWARD,
                           community, member_names)
        credential_id, cred_path, cert_path, digest = issue(facts, cert)
        team_awards.append(TeamAward(
            team.name, community, lane, team.points,
            tuple(TeamMember(names.stewards[m.steward_id].name, m.joined_on, m.left_on, round(m.member_months))
                  for m in detail.members),
            f"按实际在团月数计，人均每月积分{float(rate):.1f}分，居{sub.name}各管家团之首" if rank == 1
            else f"按实际在团月数计，人均每月积分{float(rate):.1f}分",
            credential_id,
        ))
        awards.append(t.Award(kind="team", steward_id=None, team_id=team.team_id, scope=sub.name, rank=rank,
                              points=team.points, credential_id=credential_id, credential_path=cred_path,
                              certificate_path=cert_path, credential_sha256=digest))

    report = AwardReport(
        subdistrict=sub.name, district=sub.district, issuer=sub.issuer, year=year, issued_on=issued_on,
        ruleset_version=version, eligibility=_eligibility(policy), groups=tuple(report_groups),
        team_awards=tuple(team_awards), tie_breaks=TIE_BREAKS, tie_cases=tuple(tie_cases),
    )
    stem = f"{folder}/award-report-{slug(sub.key)}-{year}"
    html_sha = write_file(out_dir, f"{stem}.html", render_award_report_html(report).encode())
    pdf_sha = write_file(out_dir, f"{stem}.pdf", render_award_report_pdf(report))
    record = t.AwardReportRecord(year=year, subdistrict_id=sub.id, ruleset_version=version, html_path=f"{stem}.html",
                                 pdf_path=f"{stem}.pdf", public_key_path=public_key_path, html_sha256=html_sha,
                                 pdf_sha256=pdf_sha, content=document_data(report))
    return record, awards


def _public_key_bytes(issuer: IssuerKey) -> bytes:
    return (json.dumps(issuer.public.to_json(), ensure_ascii=False, indent=2) + "\n").encode()


def _with_id(cert: Certificate, credential_id: str, filename: str) -> Certificate:
    return replace(cert, credential_id=credential_id, verification_hint=f"stewards cycle awards verify {filename}")


def _evidence(w: StewardYear) -> EvidenceSummary:
    return EvidenceSummary(w.points, w.active_months, w.patrols_completed, w.cases_confirmed)


def load_year_summary(engine: Engine, year: int, out_dir: Path) -> YearSummary:
    """The stored awards of a closed year; paths are resolved under `out_dir`."""
    out_dir = Path(out_dir)
    with Session(engine) as session:
        names = Names.load(session)
        team_names = {
            tid: (name, lane_id)
            for tid, name, lane_id in session.execute(select(t.Team.id, t.Team.name, t.Team.lane_id))
        }
        subs = []
        for report in session.scalars(select(t.AwardReportRecord).where(t.AwardReportRecord.year == year)
                                      .order_by(t.AwardReportRecord.subdistrict_id)):
            rows = session.scalars(select(t.Award).where(t.Award.report_id == report.id).order_by(t.Award.id)).all()
            stewards = tuple(
                AwardedSteward(names.stewards[a.steward_id].name, names.stewards[a.steward_id].key,
                               names.stewards[a.steward_id].community, a.scope, a.rank, a.points, a.credential_id,
                               out_dir / a.credential_path, out_dir / a.certificate_path)
                for a in rows if a.kind == "steward" and a.steward_id is not None
            )
            teams = tuple(
                AwardedTeam(team_names[a.team_id][0], names.lanes[team_names[a.team_id][1]], a.points, a.credential_id,
                            out_dir / a.credential_path, out_dir / a.certificate_path)
                for a in rows if a.kind == "team" and a.team_id is not None
            )
            subs.append(SubdistrictAwards(names.subdistricts[report.subdistrict_id].name, out_dir / report.html_path,
                                          out_dir / report.pdf_path, out_dir / report.public_key_path, stewards, teams))
    return YearSummary(year, tuple(subs))
