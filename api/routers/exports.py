"""Exports over HTTP: `/exports/<table>.csv` and `/exports/<table>.xlsx`, each with its JSON route's filters.

scoring.exports builds the rows, checks the caller's jurisdiction and records the export in the audit
log; this router only picks the format and sends the file. The rows are fetched (and the row limit
applied) before the answer starts, so any refusal is an ordinary error answer; the CSV then streams.
"""

from __future__ import annotations

import enum
import tempfile
from collections.abc import Iterator
from datetime import datetime
from typing import IO, Annotated, Any, Final
from urllib.parse import quote

from fastapi import APIRouter, Depends, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import StreamingResponse
from sqlalchemy.orm import Session

from api.auth import PrincipalDep
from api.deps import LabelQ, NowDep, PeriodKindQ, SessionDep, resolve_period
from api.errors import error_responses
from api.schemas.base import Day, StoreId
from scoring.accounts.errors import SignInError
from scoring.accounts.principal import Principal
from scoring.cases.workflow import CaseState
from scoring.errors import NotAuthorisedError, StorageUnavailableError, UnknownPeriodError, UnknownScopeError
from scoring.exports import alerts, cases, inspections, leaderboard, points
from scoring.exports.csv_file import csv_chunks
from scoring.exports.errors import ExportTooLargeError, InvalidExportError
from scoring.exports.record import record_export
from scoring.exports.table import Export, Table
from scoring.exports.xlsx_file import write_xlsx
from scoring.ledger.leaderboard import Scope, ScopeKind
from scoring.periods import Period, PeriodKind

XLSX_MEDIA_TYPE: Final = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_MEDIA_TYPE: Final = "text/csv; charset=utf-8; header=present"
SPOOL_BYTES: Final = 8 * 1024 * 1024  # an XLSX up to this size stays in memory; a larger one goes to a temp file
READ_CHUNK_BYTES: Final = 64 * 1024


class FileFormat(enum.StrEnum):
    CSV = "csv"
    XLSX = "xlsx"


def _max_rows(request: Request) -> int:
    limit: int = request.app.state.export_max_rows
    return limit


MaxRowsDep = Annotated[int, Depends(_max_rows)]

router = APIRouter(
    tags=["exports"],
    responses=error_responses(RequestValidationError, StorageUnavailableError, SignInError, NotAuthorisedError,
                              ExportTooLargeError),
)


def _route(table: Table, what: str, *errors: type[Exception]) -> dict[str, Any]:
    """The route's documentation: what it holds, its columns in their fixed order, the two media types."""
    return {
        "response_class": StreamingResponse,
        "description": f"{what}\n\nColumns, in this order (a new one only ever comes last): {table.described()}.",
        "responses": {
            200: {"description": "the file, as an attachment",
                  "content": {"text/csv": {}, XLSX_MEDIA_TYPE: {}}},
            **error_responses(*errors),
        },
    }


@router.get("/exports/leaderboard.{file_format}", **_route(
    leaderboard.TABLE, "A board's standings (the whole board, ranks kept), of the stewards in the caller's area.",
    UnknownPeriodError, UnknownScopeError))
def export_leaderboard(
    file_format: FileFormat, principal: PrincipalDep, session: SessionDep, now: NowDep, max_rows: MaxRowsDep,
    period: PeriodKindQ = PeriodKind.MONTH, label: LabelQ = None, scope: ScopeKind = ScopeKind.ALL,
    scope_id: StoreId | None = None,
) -> StreamingResponse:
    p = resolve_period(session, now, period, label)
    export = leaderboard.leaderboard_export(session, principal, p, Scope(scope, scope_id), max_rows=max_rows)
    return _answer(session, principal, now, export, file_format)


@router.get("/exports/points.{file_format}", **_route(
    points.TABLE, "Points entries of a period with their explanation: one steward's (`steward`), or those a "
    "board's scope counts, of the stewards in the caller's area; a steward gets their own.",
    UnknownPeriodError, UnknownScopeError))
def export_points(
    file_format: FileFormat, principal: PrincipalDep, session: SessionDep, now: NowDep, max_rows: MaxRowsDep,
    period: PeriodKindQ = PeriodKind.MONTH, label: LabelQ = None, scope: ScopeKind = ScopeKind.ALL,
    scope_id: StoreId | None = None, steward: StoreId | None = None,
) -> StreamingResponse:
    p = resolve_period(session, now, period, label)
    export = points.points_export(session, principal, p, Scope(scope, scope_id), steward_id=steward,
                                  max_rows=max_rows)
    return _answer(session, principal, now, export, file_format)


@router.get("/exports/cases.{file_format}", **_route(
    cases.TABLE, "The cases `GET /cases` lists for the same filters: a lane's, the caller's area's, a steward's "
    "own reports; each with its first report's words.", UnknownScopeError))
def export_cases(
    file_format: FileFormat, principal: PrincipalDep, session: SessionDep, now: NowDep, max_rows: MaxRowsDep,
    lane: StoreId | None = None, state: CaseState | None = None, open_only: bool = False,
) -> StreamingResponse:
    export = cases.cases_export(session, principal, lane_id=lane, state=state, open_only=open_only,
                                max_rows=max_rows)
    return _answer(session, principal, now, export, file_format)


@router.get("/exports/inspections.{file_format}", **_route(
    inspections.TABLE, "The 周查 of the caller's lanes, or of one (`lane`); of the period `label` names, or of "
    "all time without one. For the lanes' chiefs and offices.", UnknownPeriodError, UnknownScopeError))
def export_inspections(
    file_format: FileFormat, principal: PrincipalDep, session: SessionDep, now: NowDep, max_rows: MaxRowsDep,
    lane: StoreId | None = None, period: PeriodKindQ = PeriodKind.MONTH, label: LabelQ = None,
) -> StreamingResponse:
    export = inspections.inspections_export(session, principal, lane_id=lane,
                                            period=_named_period(session, now, period, label), max_rows=max_rows)
    return _answer(session, principal, now, export, file_format)


@router.get("/exports/alerts.{file_format}", **_route(
    alerts.TABLE, "The patrol alerts of the caller's lanes, or of one (`lane`): of a `day`, of the period "
    "`label` names, or, with neither, those not yet acknowledged. For the lanes' chiefs and offices.",
    UnknownPeriodError, UnknownScopeError, InvalidExportError))
def export_alerts(
    file_format: FileFormat, principal: PrincipalDep, session: SessionDep, now: NowDep, max_rows: MaxRowsDep,
    lane: StoreId | None = None, day: Day | None = None, period: PeriodKindQ = PeriodKind.MONTH,
    label: LabelQ = None,
) -> StreamingResponse:
    export = alerts.alerts_export(session, principal, lane_id=lane, day=day,
                                  period=_named_period(session, now, period, label), max_rows=max_rows)
    return _answer(session, principal, now, export, file_format)


def _named_period(session: Session, now: datetime, kind: PeriodKind, label: str | None) -> Period | None:
    """The period a label names; no label, no period (these lists are not of a period by default)."""
    return resolve_period(session, now, kind, label) if label is not None else None


def _answer(session: Session, principal: Principal, now: datetime, export: Export,
            file_format: FileFormat) -> StreamingResponse:
    record_export(session, principal, now, export, file_format.value)  # committed with the request, before a byte
    headers = {
        "Content-Disposition": _disposition(export, file_format.value),
        "Cache-Control": "no-store",  # personal data: no shared cache keeps a copy
        "X-Content-Type-Options": "nosniff",
    }
    if file_format is FileFormat.CSV:
        return StreamingResponse(csv_chunks(export.table, export.rows), media_type=CSV_MEDIA_TYPE, headers=headers)
    spool: IO[bytes] = tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES)  # closed by _read, once sent
    try:
        write_xlsx(export.table, export.rows, spool)
    except BaseException:
        spool.close()
        raise
    spool.seek(0)
    return StreamingResponse(_read(spool), media_type=XLSX_MEDIA_TYPE, headers=headers)


def _read(spool: IO[bytes]) -> Iterator[bytes]:
    try:
        while chunk := spool.read(READ_CHUNK_BYTES):
            yield chunk
    finally:
        spool.close()


def _disposition(export: Export, extension: str) -> str:
    """An ASCII name for every client, and the Chinese one (RFC 6266, RFC 5987's filename*) for those that
    read it, as every current browser does."""
    plain = export.file_name(extension, ascii_only=True)
    named = quote(export.file_name(extension, ascii_only=False), safe="")
    return f"attachment; filename=\"{plain}\"; filename*=UTF-8''{named}"
