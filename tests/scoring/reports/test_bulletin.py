from __future__ import annotations

import dataclasses
import re
from datetime import date

from scoring.reports import (
    CASE_CATEGORIES,
    NotableSteward,
    QuarterlyBulletin,
    StewardRanking,
    render_bulletin_html,
    render_bulletin_pdf,
)
from tests.scoring.reports.html_reading import read_page
from tests.scoring.reports.pdf_reading import pdf_reader, pdf_text

TITLE = "龙潭街道 2017年第三季度 小巷管家工作通报"


def test_html_is_one_self_contained_page(bulletin: QuarterlyBulletin) -> None:
    html = render_bulletin_html(bulletin)
    page = read_page(html)
    assert html.startswith("<!DOCTYPE html>")
    assert page.title == TITLE and page.h1 == TITLE
    assert page.section_ids == ["overview", "rankings", "patrols", "cases", "open-cases", "notable"]
    assert page.tags["script"] == 0 and page.tags["link"] == 0 and page.tags["img"] == 0
    assert page.tags["style"] == 1
    # No network: the only URL is the SVG namespace.
    assert set(re.findall(r"https?://[^\s\"']+", html)) == {"http://www.w3.org/2000/svg"}
    assert page.tags["svg"] == 2


def test_every_ranked_steward_appears_with_the_points_of_the_data(bulletin: QuarterlyBulletin) -> None:
    (table,) = read_page(render_bulletin_html(bulletin)).tables["rankings"]
    assert table.header == ["名次", "姓名", "社区", "街巷", "积分", "等级"]
    assert table.rows == [
        ["1", "赵云华", "幸福社区", "福光路", "1287", "优秀管家"],
        ["2", "韩险峰", "幸福社区", "幸福北里", "1190", "优秀管家"],
        ["3", "王秀英", "幸福社区", "幸福北里", "1003", "小巷管家"],
        ["3", "李国强", "—", "龙潭路", "1003", "小巷管家"],
        ["5", "张桂兰", "—", "法华寺街", "86", "—"],
    ]


def test_level_column_only_when_the_rulebook_has_levels(bulletin: QuarterlyBulletin) -> None:
    plain = dataclasses.replace(
        bulletin, rankings=tuple(dataclasses.replace(r, level=None) for r in bulletin.rankings)
    )
    (table,) = read_page(render_bulletin_html(plain)).tables["rankings"]
    assert table.header == ["名次", "姓名", "社区", "街巷", "积分"]


def test_patrol_completion_per_lane_with_rates_and_total(bulletin: QuarterlyBulletin) -> None:
    (table,) = read_page(render_bulletin_html(bulletin)).tables["patrols"]
    assert table.rows == [
        ["幸福社区", "幸福北里", "368", "331", "89.9%"],
        ["幸福社区", "福光路", "184", "179", "97.3%"],
        ["—", "龙潭路", "92", "7", "7.6%"],
    ]
    assert table.footer == ["合计", "", "644", "517", "80.3%"]


def test_all_seven_categories_in_order_with_counts(bulletin: QuarterlyBulletin) -> None:
    page = read_page(render_bulletin_html(bulletin))
    (table,) = page.tables["cases"]
    assert [row[0] for row in table.rows] == list(CASE_CATEGORIES)
    assert table.rows[0] == ["开墙打洞", "12", "9"]
    assert table.rows[1] == ["违法建设", "0", "0"]
    assert table.footer == ["合计", "42", "36"]
    # The category chart labels every category too.
    for category in CASE_CATEGORIES:
        assert category in page.svg_texts


def test_open_problems_grouped_by_lane_with_their_state(bulletin: QuarterlyBulletin) -> None:
    page = read_page(render_bulletin_html(bulletin))
    (table,) = page.tables["open-cases"]
    assert [(r[1], r[2], r[3], r[6]) for r in table.rows] == [
        ("幸福北里", "LT-2017-0057", "地桩地锁", "已确认"),
        ("福光路", "LT-2017-0042", "开墙打洞", "已申请执法"),
        ("福光路", "LT-2017-0061", "堆物堆料", "已上报"),
    ]
    assert "共 2 条街巷有未办结问题：幸福北里（1件）、福光路（2件）。" in page.paragraphs


def test_overview_figures_and_monthly_chart(bulletin: QuarterlyBulletin) -> None:
    page = read_page(render_bulletin_html(bulletin))
    assert "本季度共有 5 名小巷管家参与积分排名，全街道积分合计 61738 分。" in page.paragraphs
    assert "日巡应巡 644 次，完成 517 次，完成率 80.3%。" in page.paragraphs
    assert "工作台账新发现问题 42 件，确认整改完成 36 件；截至通报日尚有 3 件未办结。" in page.paragraphs
    assert "积分依据规则版本：r-3f9a1c2e。" in page.paragraphs
    for label in ("7月", "8月", "9月", "20413", "21977", "19348"):
        assert label in page.svg_texts


def test_notable_stewards_and_teams_each_with_their_sentence(bulletin: QuarterlyBulletin) -> None:
    page = read_page(render_bulletin_html(bulletin))
    assert page.list_items == [
        "赵云华（幸福社区 · 福光路）：记录福光路开墙打洞的处数和位置，本季度日巡无一缺勤。",
        ("幸福北里小巷管家团（幸福社区 · 幸福北里；成员：韩险峰、王秀英、刘建军）："
         "楼南楼北分段认领，堆物堆料发现即劝阻。"),
    ]


def test_text_from_the_data_is_escaped(bulletin: QuarterlyBulletin) -> None:
    hostile = dataclasses.replace(
        bulletin,
        rankings=(StewardRanking(1, "<script>王</script>", 1, None, "A&B \"路\""),),
        notable_stewards=(NotableSteward("<b>李</b>", None, "福光路", "x"),),
    )
    html = render_bulletin_html(hostile)
    page = read_page(html)
    assert page.tags["script"] == 0 and page.tags["b"] == 0
    assert page.tables["rankings"][0].rows[0][1:4] == ["<script>王</script>", "—", 'A&B "路"']
    assert "&lt;script&gt;" in html


def test_empty_quarter_still_renders_every_section(bulletin: QuarterlyBulletin) -> None:
    empty = dataclasses.replace(
        bulletin, rankings=(), patrols=(), open_cases=(), cases_by_category=(), monthly_points=(),
        notable_stewards=(), notable_teams=(), ruleset_versions=(),
    )
    page = read_page(render_bulletin_html(empty))
    assert page.section_ids == ["overview", "rankings", "patrols", "cases", "open-cases", "notable"]
    assert "日巡应巡 0 次，完成 0 次，完成率 —。" in page.paragraphs
    assert [row for row in page.tables["cases"][0].rows] == [[c, "0", "0"] for c in CASE_CATEGORIES]
    assert render_bulletin_pdf(empty).startswith(b"%PDF-")


def test_html_is_reproducible(bulletin: QuarterlyBulletin) -> None:
    again = dataclasses.replace(bulletin, patrols=tuple(reversed(bulletin.patrols)),
                                open_cases=tuple(reversed(bulletin.open_cases)),
                                monthly_points=tuple(reversed(bulletin.monthly_points)))
    assert render_bulletin_html(bulletin) == render_bulletin_html(bulletin)
    # Lanes, cases and months are ordered by the renderer, not by the query that filled the data.
    assert render_bulletin_html(again) == render_bulletin_html(bulletin)


def test_html_changes_with_the_data(bulletin: QuarterlyBulletin) -> None:
    changed = dataclasses.replace(bulletin, issued_on=date(2017, 10, 10))
    assert render_bulletin_html(changed) != render_bulletin_html(bulletin)


def test_pdf_holds_the_chinese_title_names_and_categories(bulletin: QuarterlyBulletin) -> None:
    pdf = render_bulletin_pdf(bulletin)
    text = pdf_text(pdf)
    assert TITLE in text
    for ranking in bulletin.rankings:
        assert ranking.name in text
    for category in CASE_CATEGORIES:
        assert category in text
    for heading in ("一、总体情况", "二、积分排名", "三、日巡完成情况", "四、问题发现与整改", "五、未办结问题",
                    "六、表扬"):
        assert heading in text
    assert "80.3%" in text and "1287" in text
    metadata = pdf_reader(pdf).metadata
    assert metadata is not None
    assert metadata.title == TITLE


def test_pdf_is_byte_identical_for_the_same_data(bulletin: QuarterlyBulletin) -> None:
    first = render_bulletin_pdf(bulletin)
    assert render_bulletin_pdf(bulletin) == first
    assert render_bulletin_pdf(dataclasses.replace(bulletin, issued_on=date(2017, 10, 10))) != first
