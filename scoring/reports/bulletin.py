"""季通报: the quarterly bulletin of one subdistrict, as HTML and PDF.

Sections, in the order the street office reads them: overview with points per month, rankings,
日巡 completion per lane, cases found and fixed by category, lanes with open problems, and the
stewards and teams the office names. Everything printed comes from the `QuarterlyBulletin`.
"""

from __future__ import annotations

import logging
from datetime import date
from typing import Final

from scoring.reports.charts import BarChart, Series
from scoring.reports.document import Bullets, ChartBlock, Document, Para, Section, Subheading, TableBlock
from scoring.reports.html_page import render_html
from scoring.reports.model import QuarterlyBulletin
from scoring.reports.pdf import render_pdf
from scoring.reports.wording import day_text, percent, quarter_name, state_label, text_or_dash

log = logging.getLogger(__name__)

POINTS_COLOUR: Final = "#a31515"
FOUND_COLOUR: Final = "#d08c1a"
FIXED_COLOUR: Final = "#2e7d32"


def render_bulletin_html(bulletin: QuarterlyBulletin) -> str:
    html = render_html(bulletin_document(bulletin))
    log.debug("rendered %s as HTML: %d characters", bulletin.title, len(html))
    return html


def render_bulletin_pdf(bulletin: QuarterlyBulletin) -> bytes:
    pdf = render_pdf(bulletin_document(bulletin))
    log.debug("rendered %s as PDF: %d bytes", bulletin.title, len(pdf))
    return pdf


def bulletin_document(b: QuarterlyBulletin) -> Document:
    return Document(
        title=b.title,
        subtitle=f"{b.district} · {b.issuer} · {day_text(b.issued_on)}",
        author=b.issuer,
        subject=f"{b.subdistrict} {b.year}年{quarter_name(b.quarter)} 日巡 · 周查 · 月评 · 季通报",
        sections=(
            _overview(b),
            _rankings(b),
            _patrols(b),
            _cases(b),
            _open_cases(b),
            _notable(b),
        ),
        signature=(b.issuer, day_text(b.issued_on)),
    )


def points_chart(b: QuarterlyBulletin) -> BarChart:
    months = b.months()
    labels = tuple(_month_label(m.month, b.year) for m in months)
    return BarChart("各月积分", labels, (Series("积分", tuple(m.points for m in months), POINTS_COLOUR),), "分")


def cases_chart(b: QuarterlyBulletin) -> BarChart:
    tallies = b.category_tallies()
    return BarChart(
        "各类问题发现与整改",
        tuple(t.category for t in tallies),
        (
            Series("发现", tuple(t.found for t in tallies), FOUND_COLOUR),
            Series("整改", tuple(t.fixed for t in tallies), FIXED_COLOUR),
        ),
        "件",
    )


def _overview(b: QuarterlyBulletin) -> Section:
    due = sum(p.due for p in b.patrols)
    completed = sum(p.completed for p in b.patrols)
    tallies = b.category_tallies()
    blocks: list[Para | ChartBlock] = [
        Para(f"本季度共有 {len(b.rankings)} 名小巷管家参与积分排名，全街道积分合计 "
             f"{sum(m.points for m in b.monthly_points)} 分。"),
        Para(f"日巡应巡 {due} 次，完成 {completed} 次，完成率 {percent(completed, due)}。"),
        Para(f"工作台账新发现问题 {sum(t.found for t in tallies)} 件，确认整改完成 "
             f"{sum(t.fixed for t in tallies)} 件；截至通报日尚有 {len(b.open_cases)} 件未办结。"),
        ChartBlock(points_chart(b)),
    ]
    if b.ruleset_versions:
        blocks.append(Para(f"积分依据规则版本：{'、'.join(b.ruleset_versions)}。", note=True))
    return Section("overview", "一、总体情况", tuple(blocks))


def _rankings(b: QuarterlyBulletin) -> Section:
    ranked = b.ranked()
    with_level = any(r.level for r in ranked)
    header = ("名次", "姓名", "社区", "街巷", "积分") + (("等级",) if with_level else ())
    rows = tuple(
        (str(r.rank), r.name, text_or_dash(r.community), r.lane, str(r.points))
        + ((text_or_dash(r.level),) if with_level else ())
        for r in ranked
    )
    widths = (1.0, 1.6, 1.8, 3.0, 1.2) + ((1.4,) if with_level else ())
    if not rows:
        return Section("rankings", "二、积分排名", (Para("本季度暂无积分记录。"),))
    table = TableBlock("rankings", header, rows, widths, numeric_columns=frozenset({0, 4}), wrap_columns=frozenset({3}))
    return Section("rankings", "二、积分排名", (table,))


def _patrols(b: QuarterlyBulletin) -> Section:
    lanes = b.patrols_by_lane()
    if not lanes:
        return Section("patrols", "三、日巡完成情况", (Para("本季度没有应巡的日巡。"),))
    rows = tuple(
        (text_or_dash(p.community), p.lane, str(p.due), str(p.completed), percent(p.completed, p.due)) for p in lanes
    )
    due = sum(p.due for p in lanes)
    completed = sum(p.completed for p in lanes)
    table = TableBlock(
        "patrols",
        ("社区", "街巷", "应巡", "完成", "完成率"),
        rows,
        (2.0, 3.0, 1.0, 1.0, 1.2),
        numeric_columns=frozenset({2, 3, 4}),
        footer=("合计", "", str(due), str(completed), percent(completed, due)),
    )
    return Section("patrols", "三、日巡完成情况", (table,))


def _cases(b: QuarterlyBulletin) -> Section:
    tallies = b.category_tallies()
    table = TableBlock(
        "cases",
        ("问题类别", "发现", "整改"),
        tuple((t.category, str(t.found), str(t.fixed)) for t in tallies),
        (3.0, 1.0, 1.0),
        numeric_columns=frozenset({1, 2}),
        footer=("合计", str(sum(t.found for t in tallies)), str(sum(t.fixed for t in tallies))),
    )
    note = Para("发现：本季度经巷长确认的问题；整改：本季度经任务完成确认的问题（可含往季发现的问题）。", note=True)
    return Section("cases", "四、问题发现与整改", (table, note, ChartBlock(cases_chart(b))))


def _open_cases(b: QuarterlyBulletin) -> Section:
    cases = b.open_cases_by_lane()
    if not cases:
        return Section("open-cases", "五、未办结问题", (Para("截至通报日，各街巷没有未办结的问题。"),))
    per_lane: dict[str, int] = {}
    for c in cases:
        per_lane[c.lane] = per_lane.get(c.lane, 0) + 1
    summary = Para(
        f"共 {len(per_lane)} 条街巷有未办结问题："
        + "、".join(f"{lane}（{n}件）" for lane, n in per_lane.items())
        + "。"
    )
    table = TableBlock(
        "open-cases",
        ("社区", "街巷", "编号", "类别", "位置", "上报日期", "状态"),
        tuple(
            (text_or_dash(c.community), c.lane, c.reference, c.category, text_or_dash(c.location),
             day_text(c.reported_on), state_label(c.state))
            for c in cases
        ),
        (1.5, 1.8, 1.6, 1.3, 2.0, 1.7, 1.7),
        wrap_columns=frozenset({0, 1, 4, 6}),
    )
    return Section("open-cases", "五、未办结问题", (summary, table))


def _notable(b: QuarterlyBulletin) -> Section:
    blocks: list[Subheading | Bullets | Para] = []
    if b.notable_stewards:
        blocks.append(Subheading("优秀小巷管家"))
        blocks.append(Bullets(tuple(
            f"{s.name}（{_place(s.community, s.lane)}）：{s.citation}" for s in b.notable_stewards
        )))
    if b.notable_teams:
        blocks.append(Subheading("优秀小巷管家团"))
        blocks.append(Bullets(tuple(
            f"{t.name}（{_place(t.community, t.lane)}；成员：{'、'.join(t.members)}）：{t.citation}"
            for t in b.notable_teams
        )))
    if not blocks:
        blocks.append(Para("本季度未评出表扬对象。"))
    return Section("notable", "六、表扬", tuple(blocks))


def _place(community: str | None, lane: str) -> str:
    return f"{community} · {lane}" if community else lane


def _month_label(month: date, year: int) -> str:
    return f"{month.month}月" if month.year == year else f"{month.year}年{month.month}月"
