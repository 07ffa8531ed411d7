"""The live leaderboard page coordinators keep open: server-rendered, refreshes itself."""

from __future__ import annotations

from html import escape
from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import HTMLResponse

from api.deps import NowDep, SessionDep, resolve_period
from scoring.ledger.leaderboard import Scope, ScopeKind, leaderboard
from scoring.periods import PeriodKind

router = APIRouter(tags=["pages"])

PERIOD_NAMES = {
    PeriodKind.DAY: "日", PeriodKind.WEEK: "周", PeriodKind.MONTH: "月", PeriodKind.QUARTER: "季度",
    PeriodKind.YEAR: "年度",
}
REFRESH_SECONDS = 10


@router.get("/", response_class=HTMLResponse, include_in_schema=False)
def leaderboard_page(
    session: SessionDep, now: NowDep, period: Annotated[PeriodKind, Query()] = PeriodKind.MONTH
) -> HTMLResponse:
    p = resolve_period(session, now, period, None)
    rows = "".join(
        # A name, not a link: the entries behind a total say where and when a steward patrolled, which is
        # for the steward and their lane's chiefs (/stewards/{id}/points, signed in), not for the wall.
        f"<tr><td>{s.rank}</td><td>{escape(s.name)}</td><td>{s.points}</td></tr>"
        for s in leaderboard(session, p, Scope(ScopeKind.ALL), limit=50)
    ) or "<tr><td colspan=3>本期暂无积分</td></tr>"
    tabs = " · ".join(
        f"<a href='/?period={k.value}'>{'<b>' if k is period else ''}{name}{'</b>' if k is period else ''}</a>"
        for k, name in PERIOD_NAMES.items()
    )
    html = f"""<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><meta http-equiv="refresh" content="{REFRESH_SECONDS}">
<title>小巷管家积分榜</title>
<style>body{{font-family:sans-serif;max-width:40em;margin:2em auto}}table{{width:100%;border-collapse:collapse}}
td,th{{padding:.3em;border-bottom:1px solid #ddd;text-align:left}}</style></head>
<body><h1>小巷管家积分榜</h1><p>{tabs}</p>
<p>{PERIOD_NAMES[p.kind]}榜 · {escape(p.label)}（{p.first_day} 至 {p.last_day}，北京时间）</p>
<table><thead><tr><th>名次</th><th>小巷管家</th><th>积分</th></tr></thead><tbody>{rows}</tbody></table>
<p><small>每 {REFRESH_SECONDS} 秒自动刷新 · <a href="/docs">API</a></small></p></body></html>"""
    return HTMLResponse(html)
