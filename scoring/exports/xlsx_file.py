"""An export as XLSX (openpyxl): one sheet, its header row frozen and filterable, typed cells.

Written in openpyxl's write-only mode, row by row to a file, so a large area's export never holds a
workbook of cell objects in memory. Numbers are numbers and days and times are real spreadsheet dates
(Beijing time; a spreadsheet holds no zone), so a sum, a sort or a filter works as in any sheet. Text goes
through the same neutralising as the CSV's: openpyxl writes a string starting with `=` as a formula.
XML 1.0 cannot hold most control characters, which a resident's note may still carry: each becomes U+FFFD
here (the CSV keeps them).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import IO, Final

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from scoring.exports.table import Cell, Row, Table, cells

SHEET_TITLE_MAX_CHARS: Final = 31  # Excel's limit
REPLACEMENT: Final = "\ufffd"


def write_xlsx(table: Table, rows: Sequence[Row], out: IO[bytes]) -> None:
    """The workbook into `out`; openpyxl gives dates `yyyy-mm-dd` and times `yyyy-mm-dd h:mm:ss`."""
    workbook = Workbook(write_only=True)
    # A WriteOnlyWorksheet; its column widths and filter come from the ordinary sheet's class at run time,
    # which openpyxl's stubs do not say, so the sheet stays Any here.
    sheet = workbook.create_sheet(table.title[:SHEET_TITLE_MAX_CHARS])
    for index, column in enumerate(table.columns, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = column.width
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(table.columns))}{len(rows) + 1}"
    bold = Font(bold=True)
    header = []
    for label in table.labels:
        cell = WriteOnlyCell(sheet, value=label)
        cell.font = bold
        header.append(cell)
    sheet.append(header)
    for row in rows:
        sheet.append([_legal(value) for value in cells(table, row)])
    workbook.save(out)


def _legal(value: Cell) -> Cell:
    return ILLEGAL_CHARACTERS_RE.sub(REPLACEMENT, value) if isinstance(value, str) else value
