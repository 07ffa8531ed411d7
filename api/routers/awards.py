"""年度金牌管家 over HTTP: a subdistrict's award report (data and PDF), its gold stewards and gold teams, and
each winner's certificate (PDF) and signed credential (JSON-LD)."""

from __future__ import annotations

from datetime import datetime
from pathlib import PurePosixPath

from fastapi import APIRouter, Response
from fastapi.exceptions import RequestValidationError
from sqlalchemy.orm import Session

from api.auth import PrincipalDep
from api.deps import CycleDir, CycleDirDep, NowDep, PageDep, SessionDep, parse_label
from api.downloads import CREDENTIAL, PDF, attachment, file_responses
from api.errors import error_responses
from api.schemas.awards import GoldStewardOut, GoldTeamOut, HeldAwardOut
from api.schemas.base import StoreId, Year
from api.schemas.documents import AwardReportOut
from scoring.accounts.errors import SignInError
from scoring.accounts.jurisdiction import check_steward_awards, check_subdistrict_documents, check_team_awards
from scoring.accounts.principal import Principal
from scoring.awards import AwardKind
from scoring.awards.document import award_title
from scoring.closing.errors import DocumentMissingError, NoDocumentError, PeriodNotClosedError
from scoring.closing.outputs import read_recorded, slug
from scoring.closing.published import (
    AwardFiles,
    PublishedDocument,
    award_report,
    gold_stewards,
    gold_teams,
    steward_award,
    steward_awards,
    team_award,
)
from scoring.errors import NotAuthorisedError, StorageUnavailableError, UnknownPeriodError, UnknownScopeError
from scoring.periods import Period, PeriodKind

router = APIRouter(tags=["cycle"], responses=error_responses(RequestValidationError, StorageUnavailableError))

_ERRORS = (UnknownPeriodError, UnknownScopeError, SignInError, NotAuthorisedError, PeriodNotClosedError,
           NoDocumentError)
_FILE_ERRORS = (*_ERRORS, DocumentMissingError)


def _year(year: int) -> Period:
    return parse_label(PeriodKind.YEAR, str(year))


# --- a subdistrict's year ---------------------------------------------------------------------------------


def _report(session: Session, principal: Principal, now: datetime, subdistrict_id: int,
            year: int) -> PublishedDocument:
    period = _year(year)
    check_subdistrict_documents(session, principal, subdistrict_id)
    return award_report(session, subdistrict_id, period, now)


@router.get("/subdistricts/{subdistrict_id}/awards/{year}", response_model=AwardReportOut,
            responses=error_responses(*_ERRORS))
def get_award_report(subdistrict_id: StoreId, year: Year, principal: PrincipalDep, session: SessionDep,
                     now: NowDep) -> AwardReportOut:
    """The subdistrict's 金牌管家 award report for `year`, as data: groups, winners, teams, tie-breaks."""
    return AwardReportOut.build(_report(session, principal, now, subdistrict_id, year))


@router.get("/subdistricts/{subdistrict_id}/awards/{year}/pdf", response_class=Response,
            responses={**file_responses(PDF, "the award report as printed"), **error_responses(*_FILE_ERRORS)})
def get_award_report_pdf(subdistrict_id: StoreId, year: Year, principal: PrincipalDep, session: SessionDep,
                         now: NowDep, cycle_dir: CycleDirDep) -> Response:
    found = _report(session, principal, now, subdistrict_id, year)
    data = read_recorded(cycle_dir(), found.pdf_path, found.pdf_sha256)
    return attachment(data, PDF, f"award-report-{slug(found.subdistrict_key)}-{year}.pdf",
                      f"{found.subdistrict}{year}年度金牌管家评选报告.pdf")


@router.get("/subdistricts/{subdistrict_id}/awards/{year}/gold-stewards", response_model=list[GoldStewardOut],
            responses=error_responses(*_ERRORS))
def get_gold_stewards(subdistrict_id: StoreId, year: Year, principal: PrincipalDep, session: SessionDep,
                      now: NowDep, page: PageDep) -> list[GoldStewardOut]:
    """The year's 金牌管家, in the award report's order: each community's best, then the subdistrict's share.

    Order: as the award report lists them (by award id)."""
    period = _year(year)
    check_subdistrict_documents(session, principal, subdistrict_id)
    return [GoldStewardOut.model_validate(w)
            for w in gold_stewards(session, subdistrict_id, period, now, limit=page.limit, offset=page.offset)]


@router.get("/subdistricts/{subdistrict_id}/awards/{year}/gold-teams", response_model=list[GoldTeamOut],
            responses=error_responses(*_ERRORS))
def get_gold_teams(subdistrict_id: StoreId, year: Year, principal: PrincipalDep, session: SessionDep,
                   now: NowDep, page: PageDep) -> list[GoldTeamOut]:
    """The year's 金牌小巷管家团, best first.

    Order: by rank, then by award id."""
    period = _year(year)
    check_subdistrict_documents(session, principal, subdistrict_id)
    return [GoldTeamOut.model_validate(w)
            for w in gold_teams(session, subdistrict_id, period, now, limit=page.limit, offset=page.offset)]


# --- one holder's award -----------------------------------------------------------------------------------


@router.get("/stewards/{steward_id}/awards", response_model=list[HeldAwardOut],
            responses=error_responses(UnknownScopeError, SignInError, NotAuthorisedError))
def get_steward_awards(steward_id: StoreId, principal: PrincipalDep, session: SessionDep) -> list[HeldAwardOut]:
    """Every award the steward holds, oldest first: the years to fetch a certificate or credential for."""
    check_steward_awards(session, principal, steward_id)
    return [HeldAwardOut.model_validate(a) for a in steward_awards(session, steward_id)]


@router.get("/stewards/{steward_id}/awards/{year}/certificate", response_class=Response,
            responses={**file_responses(PDF, "the 金牌管家 certificate"), **error_responses(*_FILE_ERRORS)})
def get_steward_certificate(steward_id: StoreId, year: Year, principal: PrincipalDep, session: SessionDep,
                            now: NowDep, cycle_dir: CycleDirDep) -> Response:
    period = _year(year)
    check_steward_awards(session, principal, steward_id)
    return _certificate(cycle_dir, steward_award(session, steward_id, period, now))


@router.get("/stewards/{steward_id}/awards/{year}/credential", response_class=Response,
            responses={**file_responses(CREDENTIAL, "the signed Open Badges 3.0 credential"),
                       **error_responses(*_FILE_ERRORS)})
def get_steward_credential(steward_id: StoreId, year: Year, principal: PrincipalDep, session: SessionDep,
                           now: NowDep, cycle_dir: CycleDirDep) -> Response:
    """The award's verifiable credential, byte for byte as issued; POST it to /credentials/verify to check it."""
    period = _year(year)
    check_steward_awards(session, principal, steward_id)
    return _credential(cycle_dir, steward_award(session, steward_id, period, now))


@router.get("/teams/{team_id}/awards/{year}/certificate", response_class=Response,
            responses={**file_responses(PDF, "the 金牌小巷管家团 certificate"), **error_responses(*_FILE_ERRORS)})
def get_team_certificate(team_id: StoreId, year: Year, principal: PrincipalDep, session: SessionDep,
                         now: NowDep, cycle_dir: CycleDirDep) -> Response:
    period = _year(year)
    check_team_awards(session, principal, team_id, period)
    return _certificate(cycle_dir, team_award(session, team_id, period, now))


@router.get("/teams/{team_id}/awards/{year}/credential", response_class=Response,
            responses={**file_responses(CREDENTIAL, "the signed Open Badges 3.0 credential"),
                       **error_responses(*_FILE_ERRORS)})
def get_team_credential(team_id: StoreId, year: Year, principal: PrincipalDep, session: SessionDep,
                        now: NowDep, cycle_dir: CycleDirDep) -> Response:
    period = _year(year)
    check_team_awards(session, principal, team_id, period)
    return _credential(cycle_dir, team_award(session, team_id, period, now))


def _award_name(award: AwardFiles) -> str:
    return f"{award.subject_name}{award_title(AwardKind(award.kind), award.year)}"


def _certificate(cycle_dir: CycleDir, award: AwardFiles) -> Response:
    data = read_recorded(cycle_dir(), award.certificate_path)  # the awards table keeps no certificate hash
    return attachment(data, PDF, PurePosixPath(award.certificate_path).name, f"{_award_name(award)}证书.pdf")


def _credential(cycle_dir: CycleDir, award: AwardFiles) -> Response:
    data = read_recorded(cycle_dir(), award.credential_path, award.credential_sha256)
    return attachment(data, CREDENTIAL, PurePosixPath(award.credential_path).name, f"{_award_name(award)}.json")
