"""年度金牌管家: the year-end award report of one subdistrict, as PDF and HTML.

It states the rules the winners were chosen by (with the rule-set version, so every award can be
traced to the exact rules), the winners of each group with the evidence their award rests on, the
team awards with each member's credited months, and how ties were broken.
"""

from __future__ import annotations

import logging

from scoring.reports.document import Block, Bullets, Document, Para, Section, Subheading, TableBlock
from scoring.reports.html_page import render_html
from scoring.reports.model import AwardGroup, AwardReport, TeamAward
from scoring.reports.pdf import render_pdf
from scoring.reports.wording import day_text, text_or_dash

log = logging.getLogger(__name__)

WINNER_HEADER = ("名次", "姓名", "社区", "街巷", "年度积分", "活跃月数", "完成日巡", "确认问题", "劝阻", "证书编号")


def render_award_report_html(report: AwardReport) -> str:
    html = render_html(award_report_document(report))
    log.debug("rendered %s as HTML: %d characters", report.title, len(html))
    return html


def render_award_report_pdf(report: AwardReport) -> bytes:
    pdf = render_pdf(award_report_document(report))
    log.debug("rendered %s as PDF: %d bytes", report.title, len(pdf))
    return pdf


def award_report_document(r: AwardReport) -> Document:
    return Document(
        title=r.title,
        subtitle=f"{r.district} · {r.issuer} · {day_text(r.issued_on)}",
        author=r.issuer,
        subject=f"{r.subdistrict} {r.year}年度金牌管家 · 规则版本 {r.ruleset_version}",
        sections=(_rules(r), _winners(r), _teams(r), _ties(r)),
        signature=(r.issuer, day_text(r.issued_on)),
    )


def _rules(r: AwardReport) -> Section:
    blocks: list[Block] = [
        Para(f"{r.year}年度共评出金牌管家 {r.winner_count()} 名、金牌小巷管家团 {len(r.team_awards)} 个。"),
        Para(f"评选依据积分规则版本 {r.ruleset_version}；每一项积分均可按此版本从原始巡查记录复核。"),
        Subheading("参评条件"),
        Bullets(r.eligibility),
    ]
    if r.groups:
        blocks += [Subheading("评选方式"), Bullets(tuple(f"{g.scope}：{g.rule}" for g in r.groups))]
    return Section("rules", "一、评选依据", tuple(blocks))


def _winners(r: AwardReport) -> Section:
    if not r.groups:
        return Section("winners", "二、金牌管家名单", (Para("本年度没有符合条件的管家。"),))
    blocks: list[Block] = []
    for g in r.groups:
        blocks += [Subheading(f"{g.scope}（{g.rule}）"), _winner_table(g)]
    return Section("winners", "二、金牌管家名单", tuple(blocks))


def _winner_table(g: AwardGroup) -> Block:
    if not g.winners:
        return Para("本组没有符合条件的管家。")
    rows = tuple(
        (
            str(w.rank), w.name, text_or_dash(w.community), w.lane,
            str(w.evidence.points), str(w.evidence.active_months), str(w.evidence.patrols_completed),
            str(w.evidence.cases_confirmed), str(w.evidence.dissuasions), w.credential_id,
        )
        for w in sorted(g.winners, key=lambda w: w.rank)
    )
    return TableBlock(
        "winners",
        WINNER_HEADER,
        rows,
        (0.8, 1.3, 1.4, 1.8, 1.1, 1.1, 1.1, 1.1, 0.8, 2.4),
        numeric_columns=frozenset({0, 4, 5, 6, 7, 8}),
        wrap_columns=frozenset({2, 3, 9}),
    )


def _teams(r: AwardReport) -> Section:
    if not r.team_awards:
        return Section("teams", "三、金牌小巷管家团", (Para("本年度没有获奖的小巷管家团。"),))
    blocks: list[Block] = [
        Para("团队奖按成员在团月数计：年中加入或离开的成员，只计其在团的月份，团队积分也只含其在团期间的积分。",
             note=True),
    ]
    for t in r.team_awards:
        blocks += _team(t)
    return Section("teams", "三、金牌小巷管家团", tuple(blocks))


def _team(t: TeamAward) -> list[Block]:
    place = f"{t.community} · {t.lane}" if t.community else t.lane
    rows = tuple(
        (
            m.name,
            day_text(m.joined_on) if m.joined_on else "年初前",
            day_text(m.left_on) if m.left_on else "在团",
            str(m.months_credited),
        )
        for m in t.members
    )
    return [
        Subheading(t.team),
        Para(f"{place}；团队积分 {t.points} 分；证书编号 {t.credential_id}。{t.citation}"),
        TableBlock("team-members", ("成员", "加入", "离开", "计入月数"), rows, (2.0, 2.0, 2.0, 1.2),
                   numeric_columns=frozenset({3})),
    ]


def _ties(r: AwardReport) -> Section:
    blocks: list[Block] = [
        Para("积分相同时，依次按以下规则排序，规则写在评选规则中，结果可复核："),
        Bullets(r.tie_breaks, ordered=True),
    ]
    if r.tie_cases:
        blocks += [Subheading("本年度并列情况"), Bullets(r.tie_cases)]
    else:
        blocks.append(Para("本年度获奖名单中没有需要按上述规则区分的并列。"))
    return Section("ties", "四、并列处理说明", tuple(blocks))
