from __future__ import annotations

import dataclasses

from scoring.reports import AwardReport, render_award_report_html, render_award_report_pdf
from tests.scoring.reports.html_reading import read_page
from tests.scoring.reports.pdf_reading import pdf_text

TITLE = "龙潭街道 2017年度金牌管家评选报告"


def test_html_states_the_rules_and_their_version(award_report: AwardReport) -> None:
    page = read_page(render_award_report_html(award_report))
    assert page.title == TITLE
    assert page.section_ids == ["rules", "winners", "teams", "ties"]
    assert "2017年度共评出金牌管家 3 名、金牌小巷管家团 1 个。" in page.paragraphs
    assert any("r-3f9a1c2e" in p for p in page.paragraphs)
    for rule in award_report.eligibility:
        assert rule in page.list_items
    assert "幸福社区：每个社区积分前2名" in page.list_items


def test_winners_per_group_with_their_evidence(award_report: AwardReport) -> None:
    page = read_page(render_award_report_html(award_report))
    xingfu, longtan = page.tables["winners"]
    assert xingfu.header == [
        "名次", "姓名", "社区", "街巷", "年度积分", "活跃月数", "完成日巡", "确认问题", "劝阻", "证书编号",
    ]
    assert xingfu.rows == [
        ["1", "赵云华", "幸福社区", "福光路", "4821", "12", "690", "31", "14", "LT-2017-GS-001"],
        ["2", "韩险峰", "幸福社区", "幸福北里", "4633", "11", "655", "12", "20", "LT-2017-GS-002"],
    ]
    assert longtan.rows == [["1", "李国强", "—", "龙潭路", "3990", "10", "512", "8", "3", "LT-2017-GS-003"]]
    assert "幸福社区（每个社区积分前2名）" in page.headings


def test_team_awards_credit_members_by_month(award_report: AwardReport) -> None:
    page = read_page(render_award_report_html(award_report))
    (members,) = page.tables["team-members"]
    assert members.rows == [
        ["韩险峰", "年初前", "在团", "12"],
        ["王秀英", "2017年4月12日", "在团", "9"],
        ["刘建军", "年初前", "2017年8月31日", "8"],
    ]
    assert any("团队积分 11604 分" in p and "LT-2017-GT-001" in p for p in page.paragraphs)


def test_tie_breaks_in_order_and_this_years_ties(award_report: AwardReport) -> None:
    html = render_award_report_html(award_report)
    page = read_page(html)
    assert page.tags["ol"] == 1
    positions = [html.index(t) for t in award_report.tie_breaks]
    assert positions == sorted(positions)
    assert award_report.tie_cases[0] in page.list_items
    no_ties = read_page(render_award_report_html(dataclasses.replace(award_report, tie_cases=())))
    assert "本年度获奖名单中没有需要按上述规则区分的并列。" in no_ties.paragraphs


def test_a_year_without_winners(award_report: AwardReport) -> None:
    empty = dataclasses.replace(award_report, groups=(), team_awards=(), tie_cases=())
    page = read_page(render_award_report_html(empty))
    assert "本年度没有符合条件的管家。" in page.paragraphs
    assert "本年度没有获奖的小巷管家团。" in page.paragraphs
    assert render_award_report_pdf(empty).startswith(b"%PDF-")


def test_pdf_holds_title_winners_and_rule_version(award_report: AwardReport) -> None:
    text = pdf_text(render_award_report_pdf(award_report))
    assert TITLE in text
    for name in ("赵云华", "韩险峰", "李国强", "幸福北里小巷管家团", "刘建军"):
        assert name in text
    assert "r-3f9a1c2e" in text and "LT-2017-GS-003" in text


def test_reproducible(award_report: AwardReport) -> None:
    assert render_award_report_html(award_report) == render_award_report_html(award_report)
    assert render_award_report_pdf(award_report) == render_award_report_pdf(award_report)
    other = dataclasses.replace(award_report, ruleset_version="r-00000000")
    assert render_award_report_pdf(other) != render_award_report_pdf(award_report)
