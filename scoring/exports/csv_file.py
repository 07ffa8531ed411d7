"""An export as CSV: RFC 4180, UTF-8 with a byte-order mark, produced a slice of rows at a time.

The byte-order mark is for Excel: on a Chinese Windows it opens a CSV without one in the system's code
page (GBK), and every name turns to mojibake; with it, Excel reads UTF-8. Other readers skip it (Python's
`utf-8-sig`, LibreOffice, pandas). Records end in CRLF and a field holding a comma, a quote or a line
break is quoted with its quotes doubled, as RFC 4180 says; `csv.QUOTE_MINIMAL` does exactly that.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from datetime import date, datetime
from typing import Final

from scoring.exports.table import Cell, Row, Table, cells

BOM: Final = "\ufeff"
ROWS_PER_CHUNK: Final = 500  # a chunk of a few tens of kilobytes: the response goes out as it is written


def csv_chunks(table: Table, rows: Iterable[Row], *, rows_per_chunk: int = ROWS_PER_CHUNK) -> Iterator[bytes]:
    """The CSV file's bytes: the BOM and the header row first, then the rows, `rows_per_chunk` at a time."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, dialect="excel", quoting=csv.QUOTE_MINIMAL, lineterminator="\r\n")
    buffer.write(BOM)
    writer.writerow(table.labels)
    pending = 0
    for row in rows:
        writer.writerow([text_of(value) for value in cells(table, row)])
        pending += 1
        if pending == rows_per_chunk:
            yield _drain(buffer)
            pending = 0
    yield _drain(buffer)


def text_of(value: Cell) -> str:
    """A cell as CSV text: dates ISO 8601, times `YYYY-MM-DD HH:MM:SS` (Excel reads both as dates)."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _drain(buffer: io.StringIO) -> bytes:
    data = buffer.getvalue().encode("utf-8")
    buffer.seek(0)
    buffer.truncate()
    return data
