"""How `stewards serve` logs: one JSON object a line for a log collector, or text for a person at a terminal.

A JSON line holds time (UTC, ISO 8601), level, logger and message, the request id of the request it was
written in (api.request_log), and the request's fields on its access line: method, route template, status,
duration_ms, account_id. Nothing else of a record is written: a field added with `extra=` elsewhere does not
leak into the log by accident; an exception's traceback is written as `exception`.
"""

from __future__ import annotations

import enum
import json
import logging
import sys
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any, Final


class LogFormat(enum.StrEnum):
    JSON = "json"
    TEXT = "text"

_TEXT_FORMAT: Final = "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"


class JsonFormatter(logging.Formatter):
    def __init__(self, fields: Sequence[str]) -> None:
        super().__init__()
        self.fields = tuple(fields)  # the record attributes written besides the four every line has

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        for name in self.fields:
            value = getattr(record, name, None)
            if value is not None:
                line[name] = value
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False, default=str)


def configure_serve_logging(log_format: LogFormat, *, verbose: bool = False) -> None:
    """The root logger writes to stderr in `log_format`; the API's access lines are always on."""
    from api.request_log import ACCESS_FIELDS, RequestContextFilter  # here: the CLI imports the API lazily

    handler = logging.StreamHandler(sys.stderr)
    handler.addFilter(RequestContextFilter())
    handler.setFormatter(JsonFormatter(ACCESS_FIELDS) if log_format is LogFormat.JSON
                         else logging.Formatter(_TEXT_FORMAT))
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(logging.INFO if verbose else logging.WARNING)
    logging.getLogger("api.access").setLevel(logging.INFO)
