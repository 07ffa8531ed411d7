"""Reading exports back, and the rows the JSON routes say an export should hold.

The expected rows are built from the JSON routes' answers only (names from the registry's routes), never
from scoring.exports, so an export that drifts from its JSON route fails. Only the tables' column kinds
come from scoring.exports: they say how each value is written in the two formats.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from typing import Any
from urllib.parse import unquote

from fastapi.testclient import TestClient
from httpx2 import Response
from openpyxl import load_workbook

from scoring.exports.table import Kind, Table

BJ = timezone(timedelta(hours=8))
BOM = b"\xef\xbb\xbf"
FORMULA_LEADS = "=+-@\t\r"
PAGE = {"limit": 500}  # every list at its longest page: the world is smaller than that

Value = str | int | float | date | datetime | None


def read_csv(r: Response, table: Table) -> list[list[str]]:
    """The rows of a CSV answer under its header, checked: BOM, Chinese header, CRLF records."""
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("text/csv; charset=utf-8")
    assert r.content.startswith(BOM) and not r.content.startswith(BOM * 2)
    text = r.content[len(BOM):].decode("utf-8")
    assert text.endswith("\r\n")
    header, *rows = csv.reader(io.StringIO(text, newline=""), strict=True)
    assert header == table.labels
    return rows


def read_xlsx(r: Response, table: Table) -> list[tuple[Value, ...]]:
    """The rows of an XLSX answer under its header, checked: one sheet, header frozen, widths, no formula."""
    assert r.status_code == 200, r.text
    assert r.headers["content-type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    book = load_workbook(io.BytesIO(r.content))
    assert len(book.worksheets) == 1
    sheet = book.worksheets[0]
    assert sheet.title == table.title and sheet.freeze_panes == "A2"
    assert [sheet.column_dimensions[chr(ord("A") + i)].width for i in range(len(table.columns))] == \
        [c.width for c in table.columns]
    header, *rows = sheet.iter_rows()
    assert [c.value for c in header] == table.labels
    for row in rows:
        for column, cell in zip(table.columns, row, strict=True):
            assert cell.data_type != "f", (column.key, cell.value)  # nothing runs as a formula
            if cell.value is not None and column.kind in (Kind.DATE, Kind.TIME):
                assert cell.is_date, (column.key, cell.value)
            if cell.value is not None and column.kind in (Kind.INTEGER, Kind.DECIMAL):
                assert cell.data_type == "n", (column.key, cell.value)
    return [tuple(c.value for c in row) for row in rows]


def file_names(r: Response) -> tuple[str, str]:
    """(the ASCII name, the UTF-8 name) of an attachment."""
    disposition = r.headers["content-disposition"]
    assert disposition.startswith("attachment; ")
    parts = dict(p.strip().split("=", 1) for p in disposition.split(";")[1:])
    assert parts["filename"].isascii() and parts["filename*"].startswith("UTF-8''")
    return parts["filename"].strip('"'), unquote(parts["filename*"].removeprefix("UTF-8''"))


# --- what an export should hold, in each format ---------------------------------------------------


def neutralised(text: str) -> str:
    return f"'{text}" if text[:1] and text[0] in FORMULA_LEADS else text


def beijing(instant: str | None) -> datetime | None:
    if instant is None:
        return None
    return datetime.fromisoformat(instant).astimezone(BJ).replace(tzinfo=None, microsecond=0)


def typed(table: Table, row: Sequence[Any]) -> tuple[Value, ...]:
    """JSON values as the export's cells: instants to Beijing wall-clock time, days to dates, text neutralised."""
    out: list[Value] = []
    for column, value in zip(table.columns, row, strict=True):
        if value is not None and column.kind is Kind.TIME:
            value = beijing(value)
        elif value is not None and column.kind is Kind.DATE:
            value = date.fromisoformat(value)
        elif isinstance(value, str):
            value = neutralised(value)
        out.append(value)
    return tuple(out)


def as_csv(row: tuple[Value, ...]) -> list[str]:
    def text(v: Value) -> str:
        if v is None:
            return ""
        if isinstance(v, datetime):
            return v.strftime("%Y-%m-%d %H:%M:%S")
        if isinstance(v, date):
            return v.isoformat()
        return str(v)
    return [text(v) for v in row]


def as_xlsx(row: tuple[Value, ...]) -> tuple[Value, ...]:
    """A sheet has no date without a time, and keeps no empty text."""
    def cell(v: Value) -> Value:
        if isinstance(v, date) and not isinstance(v, datetime):
            return datetime(v.year, v.month, v.day)  # noqa: DTZ001 - a sheet's dates have no zone
        return None if v == "" else v
    return tuple(cell(v) for v in row)


def check_both(client: TestClient, path: str, params: dict[str, Any], headers: dict[str, str], table: Table,
               expected: Iterable[Sequence[Any]]) -> None:
    """The CSV and the XLSX of `path` hold exactly `expected` (JSON values), in order."""
    rows = [typed(table, row) for row in expected]
    assert read_csv(client.get(f"{path}.csv", params=params, headers=headers), table) == [as_csv(r) for r in rows]
    assert read_xlsx(client.get(f"{path}.xlsx", params=params, headers=headers), table) == [as_xlsx(r) for r in rows]


# --- the registry, as its JSON routes show it -------------------------------------------------------


@dataclass(frozen=True)
class Registry:
    lanes: dict[int, dict[str, Any]]
    stewards: dict[int, dict[str, Any]]
    communities: dict[int, str]
    subdistricts: dict[int, dict[str, Any]]

    @classmethod
    def read(cls, client: TestClient, admin: dict[str, str]) -> Registry:
        places = client.get("/registry/places").json()
        lanes = {lane["id"]: lane for lane in client.get("/registry/lanes", params=PAGE).json()}
        return cls(
            lanes=lanes,
            stewards={s["id"]: s for s in client.get("/registry/stewards", params=PAGE, headers=admin).json()},
            communities={c["id"]: c["name"] for c in places["communities"]},
            subdistricts={s["id"]: s for s in places["subdistricts"]},
        )

    def lane_name(self, lane_id: int) -> str:
        return str(self.lanes[lane_id]["name"])

    @staticmethod
    def chief_name(client: TestClient, lane_id: int, chief_id: int) -> str:
        return str(next(c["name"] for c in client.get(f"/registry/lanes/{lane_id}").json()["chiefs"]
                        if c["id"] == chief_id))

    def lanes_of_subdistricts(self, subdistricts: set[int]) -> set[int]:
        return {i for i, lane in self.lanes.items() if lane["subdistrict_id"] in subdistricts}

    def subdistricts_of_district(self, district: int) -> set[int]:
        return {i for i, s in self.subdistricts.items() if s["parent_id"] == district}


# --- each export's rows, from its JSON routes --------------------------------------------------------

SOURCE_LABELS = {"band": "手环", "api": "线上"}


@dataclass(frozen=True)
class Expect:
    """The rows each export should hold for a query, read from the JSON routes (as the administrator where
    a route is per lane or per steward; the caller's area is then applied by the ids the test gives)."""

    client: TestClient
    registry: Registry
    admin: dict[str, str]

    def board(self, params: dict[str, Any], stewards: set[int] | None) -> list[tuple[Any, ...]]:
        standings = self.client.get("/leaderboard", params={**params, **PAGE}).json()["standings"]
        rows = []
        for s in standings:
            if stewards is not None and s["steward_id"] not in stewards:
                continue
            steward = self.registry.stewards[s["steward_id"]]
            rows.append((s["rank"], s["name"], s["steward_id"], self.registry.communities.get(steward["community_id"]),
                         self.registry.subdistricts[steward["subdistrict_id"]]["name"], s["points"]))
        return rows

    def points(self, period: dict[str, str], stewards: set[int] | None, lanes: set[int] | None = None
               ) -> list[tuple[Any, ...]]:
        on_board = sorted(s["steward_id"] for s in self.client.get(
            "/leaderboard", params={**period, **PAGE}).json()["standings"])
        rows = []
        for steward_id in on_board:
            if stewards is not None and steward_id not in stewards:
                continue
            body = self.client.get(f"/stewards/{steward_id}/explanation", params=period, headers=self.admin).json()
            rows += [(body["name"], steward_id, e["day"], self.registry.lane_name(e["lane_id"]), e["rule"], e["points"],
                      e["trimmed_points"], e["ruleset_version"], " ".join(e["evidence"]), e["text"], e["entry_key"])
                     for e in body["entries"] if lanes is None or e["lane_id"] in lanes]
        return rows

    def cases(self, params: dict[str, Any], headers: dict[str, str]) -> list[tuple[Any, ...]]:
        listed = self.client.get("/cases", params={**params, **PAGE}, headers=headers)
        assert listed.status_code == 200, listed.text
        rows = []
        for c in listed.json():
            note = self.client.get(f"/cases/{c['id']}", headers=self.admin).json()["reports"][0]["note"]
            rows.append((c["id"], self.registry.lane_name(c["lane_id"]), c["category_label"], c["state_label"], note,
                         c["position_m"], c["checkpoint_id"], c["steward_id"], SOURCE_LABELS[c["source"]],
                         c["reported_at"], c["state_changed_at"], c["report_count"], c["duplicate_of"], c["photo_ref"]))
        return rows

    def inspections(self, lanes: Iterable[int], month: str | None = None) -> list[tuple[Any, ...]]:
        found = [v for lane in lanes
                 for v in self.client.get(f"/lanes/{lane}/inspections", headers=self.admin).json()]
        if month is not None:
            found = [v for v in found if str(beijing(v["inspected_at"]))[:7] == month]
        found.sort(key=lambda v: (datetime.fromisoformat(v["inspected_at"]), v["id"]))
        return [(v["id"], self.registry.lane_name(v["lane_id"]), v["week"], v["inspected_at"],
                 self.registry.chief_name(self.client, v["lane_id"], v["chief_id"]), v["score"], v["items_passed"],
                 v["items_total"],
                 "; ".join(f"{i['code']} {i['text']}" + (f"({i['note']})" if i["note"] else "")
                           for i in v["items"] if not i["passed"]),
                 v["note"], v["checklist_version"]) for v in found]

    def alerts(self, lanes: Iterable[int], day: str | None = None) -> list[tuple[Any, ...]]:
        found = [a for lane in lanes for a in self.client.get(
            f"/lanes/{lane}/alerts", params={"day": day} if day else {}, headers=self.admin).json()]
        found.sort(key=lambda a: (a["day"], datetime.fromisoformat(a["due_at"]), a["lane_id"], a["segment_id"],
                                  a["steward_id"], a["id"]))
        return [(a["id"], a["day"], a["window_label"], a["kind_label"], a["steward_name"], a["steward_id"],
                 self.registry.lane_name(a["lane_id"]), a["segment_name"], a["due_at"], a["completed_at"],
                 a["message_zh"], a["acknowledged_at"], a["acknowledged_by"]) for a in found]
