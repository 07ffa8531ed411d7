"""Sample documents for 龙潭街道, 2017, with the names and places of the source report.

Plain functions, so a subprocess can build the same data (see test_reproducible_across_processes).
"""

from __future__ import annotations

import hashlib
from datetime import date

from scoring.reports import (
    TEAM_AWARD,
    AwardGroup,
    AwardReport,
    AwardWinner,
    CategoryTally,
    Certificate,
    EvidenceSummary,
    MonthlyPoints,
    NotableSteward,
    NotableTeam,
    OpenCase,
    PatrolCompletion,
    QuarterlyBulletin,
    StewardRanking,
    TeamAward,
    TeamMember,
    render_award_report_html,
    render_award_report_pdf,
    render_bulletin_html,
    render_bulletin_pdf,
    render_certificate_pdf,
)

XINGFU = "幸福社区"


def sample_bulletin() -> QuarterlyBulletin:
    return QuarterlyBulletin(
        subdistrict="龙潭街道",
        district="东城区",
        issuer="龙潭街道办事处",
        year=2017,
        quarter=3,
        issued_on=date(2017, 10, 9),
        rankings=(
            StewardRanking(1, "赵云华", 1287, XINGFU, "福光路", "优秀管家"),
            StewardRanking(2, "韩险峰", 1190, XINGFU, "幸福北里", "优秀管家"),
            StewardRanking(3, "王秀英", 1003, XINGFU, "幸福北里", "小巷管家"),
            StewardRanking(3, "李国强", 1003, None, "龙潭路", "小巷管家"),
            StewardRanking(5, "张桂兰", 86, None, "法华寺街", None),
        ),
        patrols=(
            PatrolCompletion(XINGFU, "福光路", 184, 179),
            PatrolCompletion(XINGFU, "幸福北里", 368, 331),
            PatrolCompletion(None, "龙潭路", 92, 7),
        ),
        open_cases=(
            OpenCase("LT-2017-0042", XINGFU, "福光路", "开墙打洞", "enforcement_requested", date(2017, 7, 3),
                     "福光路 120米处"),
            OpenCase("LT-2017-0057", XINGFU, "幸福北里", "地桩地锁", "confirmed", date(2017, 8, 21), "17号楼北侧路"),
            OpenCase("LT-2017-0061", XINGFU, "福光路", "堆物堆料", "reported", date(2017, 9, 28)),
        ),
        cases_by_category=(
            CategoryTally("开墙打洞", 12, 9),
            CategoryTally("地桩地锁", 5, 4),
            CategoryTally("堆物堆料", 17, 15),
            CategoryTally("占道经营", 8, 8),
        ),
        monthly_points=(
            MonthlyPoints(date(2017, 7, 1), 20413),
            MonthlyPoints(date(2017, 8, 1), 21977),
            MonthlyPoints(date(2017, 9, 1), 19348),
        ),
        notable_stewards=(
            NotableSteward("赵云华", XINGFU, "福光路", "记录福光路开墙打洞的处数和位置，本季度日巡无一缺勤。"),
        ),
        notable_teams=(
            NotableTeam("幸福北里小巷管家团", XINGFU, "幸福北里", ("韩险峰", "王秀英", "刘建军"),
                        "楼南楼北分段认领，堆物堆料发现即劝阻。"),
        ),
        ruleset_versions=("r-3f9a1c2e",),
    )


def sample_award_report() -> AwardReport:
    return AwardReport(
        subdistrict="龙潭街道",
        district="东城区",
        issuer="龙潭街道办事处",
        year=2017,
        issued_on=date(2018, 1, 10),
        ruleset_version="r-3f9a1c2e",
        eligibility=("全年至少10个月有巡查记录", "无经核实的诚信问题标记"),
        groups=(
            AwardGroup(XINGFU, "每个社区积分前2名", (
                AwardWinner(1, "赵云华", XINGFU, "福光路", EvidenceSummary(4821, 12, 690, 31, 14), "LT-2017-GS-001"),
                AwardWinner(2, "韩险峰", XINGFU, "幸福北里", EvidenceSummary(4633, 11, 655, 12, 20), "LT-2017-GS-002"),
            )),
            AwardGroup("龙潭街道", "其余管家积分前10%", (
                AwardWinner(1, "李国强", None, "龙潭路", EvidenceSummary(3990, 10, 512, 8, 3), "LT-2017-GS-003"),
            )),
        ),
        team_awards=(
            TeamAward("幸福北里小巷管家团", XINGFU, "幸福北里", 11604, (
                TeamMember("韩险峰", None, None, 12),
                TeamMember("王秀英", date(2017, 4, 12), None, 9),
                TeamMember("刘建军", None, date(2017, 8, 31), 8),
            ), "三名管家分段认领，全年无漏巡。", "LT-2017-GT-001"),
        ),
        tie_breaks=("年度积分高者在前", "活跃月数多者在前", "完成日巡次数多者在前", "管家编号小者在前"),
        tie_cases=("王秀英与李国强年度积分同为3990分，李国强活跃月数更多，列前。",),
    )


def sample_certificate() -> Certificate:
    return Certificate(
        name="赵云华",
        year=2017,
        subdistrict="龙潭街道",
        district="东城区",
        issuer="龙潭街道办事处",
        issued_on=date(2018, 1, 10),
        credential_id="LT-2017-GS-001",
        verification_hint="stewards awards verify LT-2017-GS-001.json",
        community=XINGFU,
    )


def sample_team_certificate() -> Certificate:
    return Certificate(
        name="幸福北里小巷管家团",
        year=2017,
        subdistrict="龙潭街道",
        district="东城区",
        issuer="龙潭街道办事处",
        issued_on=date(2018, 1, 10),
        credential_id="LT-2017-GT-001",
        verification_hint="stewards awards verify LT-2017-GT-001.json",
        award=TEAM_AWARD,
        community=XINGFU,
        members=("韩险峰", "王秀英", "刘建军"),
    )


def sample_digests() -> str:
    """The SHA-256 of every sample document, rendered in every format, in one line."""
    documents = (
        render_bulletin_html(sample_bulletin()).encode(),
        render_bulletin_pdf(sample_bulletin()),
        render_award_report_html(sample_award_report()).encode(),
        render_award_report_pdf(sample_award_report()),
        render_certificate_pdf(sample_certificate()),
        render_certificate_pdf(sample_team_certificate()),
    )
    return " ".join(hashlib.sha256(d).hexdigest() for d in documents)
