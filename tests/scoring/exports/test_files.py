"""The exports' pure parts: formula neutralising, the CSV's bytes (BOM, RFC 4180, slices), the XLSX's cells,
the row limit, the shape of a table."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime, timedelta, timezone

import pytest
from openpyxl import load_workbook

from scoring.exports.csv_file import csv_chunks, text_of
from scoring.exports.errors import ExportTooLargeError
from scoring.exports.table import DEFAULT_MAX_ROWS, Column, Export, Kind, Table, bounded, cells, neutralise
from scoring.exports.xlsx_file import write_xlsx
from stewards.settings import Settings

TABLE = Table("things", "事项", (
    Column("id", "编号", Kind.INTEGER, 8),
    Column("note", "说明", Kind.TEXT, 30),
    Column("size", "长度(米)", Kind.DECIMAL, 10),
    Column("day", "日期", Kind.DATE, 12),
    Column("at", "时间", Kind.TIME, 20),
))
AT = datetime(2017, 9, 5, 0, 30, 15, 123456, tzinfo=UTC)  # 08:30:15 in Beijing


@pytest.mark.parametrize(("text", "shown"), [
    ("=HYPERLINK(\"http://x\")", "'=HYPERLINK(\"http://x\")"), ("+86 1380", "'+86 1380"), ("-5 个地锁", "'-5 个地锁"),
    ("@SUM(A1)", "'@SUM(A1)"), ("\t=1", "'\t=1"), ("\r=1", "'\r=1"),
    ("a=1", "a=1"), ("", ""), ("'=1", "'=1"), ("堆物堆料", "堆物堆料"), (" =1", " =1"),
])
def test_a_cell_that_a_spreadsheet_would_run_is_marked_as_text(text: str, shown: str) -> None:
    assert neutralise(text) == shown


def test_cells_show_times_in_beijing_and_leave_numbers_alone() -> None:
    assert cells(TABLE, (-5, "-5", 1.5, date(2017, 9, 5), AT)) == (
        -5, "'-5", 1.5, date(2017, 9, 5), datetime(2017, 9, 5, 8, 30, 15))  # noqa: DTZ001 - a sheet's wall clock
    with pytest.raises(ValueError, match="no zone"):
        cells(TABLE, (1, "", 0.0, None, datetime(2017, 9, 5, 8, 0)))  # noqa: DTZ001 - the mistake under test


def test_the_csv_is_utf8_with_one_bom_crlf_records_and_rfc4180_quoting() -> None:
    rows = [(1, '占道,"三轮车"\n两辆', 12.0, date(2017, 9, 5), AT), (2, None, None, None, None),
            (3, "=1+1", 0.5, None, None)]
    data = b"".join(csv_chunks(TABLE, rows))
    assert data.startswith(b"\xef\xbb\xbf") and data.count(b"\xef\xbb\xbf") == 1
    assert data.decode("utf-8").endswith("\r\n")
    assert '"占道,""三轮车""\n两辆"' in data.decode("utf-8")  # quoted, its quotes doubled, its line break kept
    parsed = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline=""), strict=True))
    assert parsed == [
        ["编号", "说明", "长度(米)", "日期", "时间"],
        ["1", '占道,"三轮车"\n两辆', "12.0", "2017-09-05", "2017-09-05 08:30:15"],
        ["2", "", "", "", ""],
        ["3", "'=1+1", "0.5", "", ""],
    ]


def test_the_csv_goes_out_a_slice_of_rows_at_a_time() -> None:
    rows = [(i, f"第{i}行", float(i), None, None) for i in range(5)]
    chunks = list(csv_chunks(TABLE, rows, rows_per_chunk=2))
    assert len(chunks) == 3  # the header with two rows, two rows, the last row
    whole = b"".join(csv_chunks(TABLE, rows))
    assert b"".join(chunks) == whole
    assert list(csv_chunks(TABLE, [])) == [b"\xef\xbb\xbf" + "编号,说明,长度(米),日期,时间\r\n".encode()]


def test_text_of_writes_days_and_times_as_excel_reads_them() -> None:
    assert text_of(date(2017, 9, 5)) == "2017-09-05"
    assert text_of(datetime(2017, 9, 5, 8, 0)) == "2017-09-05 08:00:00"  # noqa: DTZ001 - as cells() makes it
    assert (text_of(None), text_of(0), text_of(2.25)) == ("", "0", "2.25")


def test_the_xlsx_has_typed_cells_a_frozen_header_and_never_a_formula() -> None:
    out = io.BytesIO()
    write_xlsx(TABLE, [(1, "=cmd|' /C calc'!A0", 35.5, date(2017, 9, 5), AT), (2, "响铃\x07了", None, None, None)], out)
    sheet = load_workbook(io.BytesIO(out.getvalue())).active
    assert sheet is not None
    assert sheet.title == "事项" and sheet.freeze_panes == "A2" and sheet.auto_filter.ref == "A1:E3"
    assert [sheet.column_dimensions[c].width for c in "ABCDE"] == [8, 30, 10, 12, 20]
    header, first, second = sheet.iter_rows()
    assert [c.value for c in header] == TABLE.labels and all(c.font.b for c in header)
    assert [c.value for c in first] == [1, "'=cmd|' /C calc'!A0", 35.5, datetime(2017, 9, 5),  # noqa: DTZ001
                                        datetime(2017, 9, 5, 8, 30, 15)]  # noqa: DTZ001 - Beijing wall clock
    assert [c.data_type for c in first] == ["n", "s", "n", "d", "d"]
    assert first[3].number_format == "yyyy-mm-dd" and first[4].is_date
    assert second[1].value == "响铃\ufffd了"  # XML cannot hold a bell


def test_an_export_is_refused_past_its_limit_never_cut_short() -> None:
    assert list(bounded([1, 2, 3], 3, "things")) == [1, 2, 3]
    with pytest.raises(ExportTooLargeError, match="more than 3 rows") as raised:
        bounded([1, 2, 3, 4], 3, "things")
    assert raised.value.limit == 3
    assert Settings(mqtt_anonymous=True).export_max_rows == DEFAULT_MAX_ROWS


def test_a_table_and_an_export_keep_their_shape() -> None:
    with pytest.raises(ValueError, match="repeats a column key"):
        Table("t", "表", (Column("a", "甲", Kind.TEXT, 4), Column("a", "乙", Kind.TEXT, 4)))
    with pytest.raises(ValueError, match="a row of 2 cells"):
        Export(TABLE, ((1, "x"),), name="")
    export = Export(TABLE, (), name="2017-09")
    assert export.file_name("csv", ascii_only=True) == "things-2017-09.csv"
    assert export.file_name("xlsx", ascii_only=False) == "事项-2017-09.xlsx"
    assert Export(TABLE, (), name="").file_name("csv", ascii_only=True) == "things.csv"
    assert TABLE.described().startswith("`id` (编号), `note` (说明)")


def test_beijing_keeps_one_offset_in_the_files() -> None:
    # The files write wall-clock time without a zone: Beijing's, which has not moved since 1991.
    summer = datetime(2017, 7, 1, 4, tzinfo=UTC)
    assert cells(TABLE, (1, "", 0.0, None, summer))[4] == summer.astimezone(timezone(timedelta(hours=8))).replace(
        tzinfo=None)
