"""季通报 over HTTP: a subdistrict's quarterly bulletin, as data and as the PDF the street office prints."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, Response
from fastapi.exceptions import RequestValidationError
from sqlalchemy.orm import Session

from api.auth import PrincipalDep
from api.deps import CycleDirDep, NowDep, SessionDep, parse_label
from api.downloads import PDF, attachment, file_responses
from api.errors import error_responses
from api.schemas.base import StoreId
from api.schemas.documents import BulletinOut
from scoring.accounts.errors import SignInError
from scoring.accounts.jurisdiction import check_subdistrict_documents
from scoring.accounts.principal import Principal
from scoring.closing.errors import DocumentMissingError, NoDocumentError, PeriodNotClosedError
from scoring.closing.outputs import read_recorded, slug
from scoring.closing.published import PublishedDocument, bulletin
from scoring.errors import NotAuthorisedError, StorageUnavailableError, UnknownPeriodError, UnknownScopeError
from scoring.periods import PeriodKind
from scoring.reports.wording import quarter_name

router = APIRouter(tags=["cycle"], responses=error_responses(RequestValidationError, StorageUnavailableError))

_ERRORS = (UnknownPeriodError, UnknownScopeError, SignInError, NotAuthorisedError, PeriodNotClosedError,
           NoDocumentError)


def _bulletin(session: Session, principal: Principal, now: datetime, subdistrict_id: int,
              quarter: str) -> PublishedDocument:
    period = parse_label(PeriodKind.QUARTER, quarter)
    check_subdistrict_documents(session, principal, subdistrict_id)
    return bulletin(session, subdistrict_id, period, now)


@router.get("/subdistricts/{subdistrict_id}/bulletins/{quarter}", response_model=BulletinOut,
            responses=error_responses(*_ERRORS))
def get_bulletin(subdistrict_id: StoreId, quarter: str, principal: PrincipalDep, session: SessionDep,
                 now: NowDep) -> BulletinOut:
    """The subdistrict's 季通报 of `quarter` (e.g. 2018-Q1), as data: the figures its PDF prints."""
    return BulletinOut.build(_bulletin(session, principal, now, subdistrict_id, quarter))


@router.get("/subdistricts/{subdistrict_id}/bulletins/{quarter}/pdf", response_class=Response,
            responses={**file_responses(PDF, "the bulletin as printed"),
                       **error_responses(*_ERRORS, DocumentMissingError)})
def get_bulletin_pdf(subdistrict_id: StoreId, quarter: str, principal: PrincipalDep, session: SessionDep,
                     now: NowDep, cycle_dir: CycleDirDep) -> Response:
    found = _bulletin(session, principal, now, subdistrict_id, quarter)
    data = read_recorded(cycle_dir(), found.pdf_path, found.pdf_sha256)
    year, number = found.period.split("-Q")
    return attachment(data, PDF, f"bulletin-{slug(found.subdistrict_key)}-{found.period}.pdf",
                      f"{found.subdistrict}{year}年{quarter_name(int(number))}小巷管家工作通报.pdf")
