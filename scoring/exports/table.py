"""What every export is: a table of typed columns in a fixed order, its rows, and what was asked for.

Pure: no database, no file format. The writers (`csv_file`, `xlsx_file`) put a table's cells through
`cells()`, so both formats show the same values: times in Beijing time, text neutralised against formulas.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Final, TypeVar

from scoring.exports.errors import ExportTooLargeError
from scoring.periods import PROGRAMME_TZ

# The most rows one export may hold unless the installation says otherwise (STEWARDS_EXPORT_MAX_ROWS): a
# subdistrict's month of points entries, and far inside a sheet's 1,048,576 rows.
DEFAULT_MAX_ROWS: Final = 50_000

Cell = str | int | float | date | datetime | None
Row = tuple[Cell, ...]
Filters = dict[str, str | int | bool | None]

# A spreadsheet treats a cell that starts with one of these as a formula (=, + and - start arithmetic, @ a
# function call in Excel; tab and CR are what OWASP's CSV-injection advice adds, since some importers strip
# them first). Case notes and descriptions are typed by residents, so a text cell never starts with one as is.
FORMULA_LEADS: Final = ("=", "+", "-", "@", "\t", "\r")
# The quote is what Excel itself shows a typed-in text cell with: the cell reads as text, not a formula.
TEXT_MARK: Final = "'"


class Kind(enum.Enum):
    TEXT = "text"
    INTEGER = "integer"
    DECIMAL = "decimal"
    DATE = "date"  # a local (Beijing) calendar day
    TIME = "time"  # an aware instant, shown in Beijing time to the second


@dataclass(frozen=True, slots=True)
class Column:
    key: str  # stable, for a program reading the file by position: documented, never renamed
    label: str  # the header people read
    kind: Kind
    width: int  # characters of the XLSX column (a CJK character takes two)


@dataclass(frozen=True)
class Table:
    key: str  # "leaderboard": the route's and the ASCII file name's
    title: str  # "积分榜": the sheet's and the UTF-8 file name's
    columns: tuple[Column, ...]

    def __post_init__(self) -> None:
        keys = [c.key for c in self.columns]
        if len(set(keys)) != len(keys):
            raise ValueError(f"table {self.key} repeats a column key: {keys}")

    @property
    def labels(self) -> list[str]:
        return [c.label for c in self.columns]

    def described(self) -> str:
        """The column order as the API documents it: `key` (label), left to right."""
        return ", ".join(f"`{c.key}` ({c.label})" for c in self.columns)


@dataclass(frozen=True)
class Export:
    """One export's rows, ready for a writer; `filters` is what the caller asked for, for the audit log."""

    table: Table
    rows: tuple[Row, ...]
    name: str  # what tells this export from another of the same table, ASCII: "2017-09", "lane-12"
    filters: Filters = field(default_factory=dict)
    lane_id: int | None = None  # the one lane the export is of, if it is of one

    def __post_init__(self) -> None:
        width = len(self.table.columns)
        bad = next((r for r in self.rows if len(r) != width), None)
        if bad is not None:
            raise ValueError(f"a row of {len(bad)} cells in table {self.table.key} of {width} columns: {bad}")

    def file_name(self, extension: str, *, ascii_only: bool) -> str:
        stem = self.table.key if ascii_only else self.table.title
        return f"{stem}-{self.name}.{extension}" if self.name else f"{stem}.{extension}"


def neutralise(text: str) -> str:
    """Text a spreadsheet will show as written, never run as a formula."""
    return f"{TEXT_MARK}{text}" if text.startswith(FORMULA_LEADS) else text


def cells(table: Table, row: Row) -> Row:
    """A row as both writers put it down: text neutralised, instants as Beijing wall-clock time to the second
    (a spreadsheet holds no zone), everything else as it is."""
    out: list[Cell] = []
    for column, value in zip(table.columns, row, strict=True):
        if isinstance(value, str):
            value = neutralise(value)
        elif column.kind is Kind.TIME and isinstance(value, datetime):
            if value.tzinfo is None:
                raise ValueError(f"column {column.key} holds instants; {value!r} has no zone")
            value = value.astimezone(PROGRAMME_TZ).replace(tzinfo=None, microsecond=0)
        out.append(value)
    return tuple(out)


_T = TypeVar("_T")


def bounded(found: Sequence[_T], max_rows: int, what: str) -> Sequence[_T]:
    """`found` as fetched with a limit of max_rows + 1: refused whole if it overflowed, never cut short."""
    if len(found) > max_rows:
        raise ExportTooLargeError(
            f"the export of {what} would hold more than {max_rows} rows, the most one export may hold: "
            "ask for a shorter period or a smaller area (the operator sets the limit, STEWARDS_EXPORT_MAX_ROWS)",
            limit=max_rows,
        )
    return found


def yes_no(value: bool) -> str:
    return "是" if value else "否"
