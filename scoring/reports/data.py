"""A document's contents as JSON-ready data: what the closing jobs store beside a bulletin's or an award
report's files, so the API serves the same figures the PDF prints without rendering or recomputing them."""

from __future__ import annotations

import dataclasses
from datetime import date
from typing import Any

from scoring.reports.model import AwardReport, QuarterlyBulletin


def document_data(document: QuarterlyBulletin | AwardReport) -> dict[str, Any]:
    """Every field, nested records as objects, dates as ISO text, and the document's title."""
    data = _plain(document)
    assert isinstance(data, dict)
    return {"title": document.title, **data}


def _plain(value: object) -> object:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, tuple | list):
        return [_plain(item) for item in value]
    if isinstance(value, date):
        return value.isoformat()
    return value
