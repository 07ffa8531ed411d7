"""Checking award credentials, for anyone: POST a credential (a JSON body, or a file in a form) and learn
whether it is valid and, if not, why; and the public keys of the offices that sign them.

No account: whoever is shown a certificate (an employer, a neighbourhood committee) can check it. The
trusted keys are those the closing jobs recorded when they signed a year's awards, so a credential signed
with any other key is refused as unknown, however well formed.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any, Final

from fastapi import APIRouter, Depends, Request
from fastapi.exceptions import RequestValidationError
from sqlalchemy.orm import Session
from starlette.datastructures import UploadFile

from api.deps import CycleDir, CycleDirDep, NowDep, SessionDep
from api.errors import BodyTooLargeError, error_responses
from api.schemas.credentials import CheckCode, CredentialCheckOut, IssuerKeyFileOut, IssuerOut, StatedAwardOut
from scoring.awards import (
    BadSignatureError,
    CredentialError,
    ExpiredCredentialError,
    IssuerMismatchError,
    IssuerPublicKey,
    MalformedCredentialError,
    NotYetValidError,
    UnknownIssuerKeyError,
    VerifiedAward,
    verify_credential,
)
from scoring.awards.document import achievement_name, award_title
from scoring.awards.jsonio import MAX_JSON_BYTES
from scoring.closing.errors import DocumentMissingError
from scoring.closing.published import issuer_key_paths, on_record, trusted_issuers
from scoring.errors import StorageUnavailableError

router = APIRouter(prefix="/credentials", tags=["credentials"],
                   responses=error_responses(RequestValidationError, StorageUnavailableError))

FORM_FIELD: Final = "file"
# A form around a credential adds its boundaries and headers: well under a kilobyte.
_FORM_OVERHEAD: Final = 16 * 1024
_CODES: Final[tuple[tuple[type[CredentialError], CheckCode], ...]] = (
    (MalformedCredentialError, "malformed"),
    (UnknownIssuerKeyError, "unknown_issuer_key"),
    (BadSignatureError, "bad_signature"),
    (IssuerMismatchError, "issuer_mismatch"),
    (NotYetValidError, "not_yet_valid"),
    (ExpiredCredentialError, "expired"),
)


@dataclass(frozen=True, slots=True)
class Submitted:
    """The credential's bytes as sent (at most one byte over the cap), or why there are none."""

    data: bytes = b""
    problem: str | None = None


async def _submitted(request: Request) -> Submitted:
    """The request's credential: its JSON body, or the `file` of a multipart form; read no further than the cap."""
    if request.headers.get("content-type", "").startswith("multipart/form-data"):
        return await _from_form(request)
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_JSON_BYTES:
            break  # the strict reader refuses it as over the cap: no need to read the rest
    if not body:
        raise _no_credential("send the credential as the JSON body, or upload it as the form field "
                             f"{FORM_FIELD!r}")
    return Submitted(bytes(body))


def _no_credential(message: str) -> RequestValidationError:
    """A request with no credential at all asks nothing: 422, where a credential that fails its check is a
    verdict (200, not valid, and why)."""
    return RequestValidationError([{"type": "missing", "loc": ("body",), "msg": message, "input": None}])


async def _from_form(request: Request) -> Submitted:
    length = request.headers.get("content-length")
    if length is None or not length.isdigit() or int(length) > MAX_JSON_BYTES + _FORM_OVERHEAD:
        return Submitted(problem=f"upload a credential of at most {MAX_JSON_BYTES} bytes, with its Content-Length")
    form = await request.form(max_files=1, max_fields=1)
    try:
        upload = form.get(FORM_FIELD)
        if not isinstance(upload, UploadFile):
            raise _no_credential(f"the form has no file field {FORM_FIELD!r}: upload the credential file as "
                                 f"{FORM_FIELD!r}")
        return Submitted(await upload.read(MAX_JSON_BYTES + 1))
    finally:
        await form.close()


SubmittedDep = Annotated[Submitted, Depends(_submitted)]

_BODY: Final[dict[str, Any]] = {
    "requestBody": {
        "required": True,
        "description": "The credential: its JSON as the body, or its file as the form field `file`.",
        "content": {
            # Any JSON at all: what is not a credential gets the verdict "malformed", with why.
            "application/json": {"schema": {}},
            "application/ld+json": {"schema": {}},
            "multipart/form-data": {"schema": {"type": "object", "required": [FORM_FIELD], "properties": {
                FORM_FIELD: {"type": "string", "format": "binary"}}}},
        },
    },
}


# The body is read raw (JSON or a form), not through a model, so the body limit is declared here by hand.
@router.post("/verify", response_model=CredentialCheckOut, openapi_extra=_BODY,
             responses=error_responses(DocumentMissingError, BodyTooLargeError))
def verify(submitted: SubmittedDep, session: SessionDep, now: NowDep, cycle_dir: CycleDirDep) -> CredentialCheckOut:
    """Valid, or not valid and why (`code`: malformed, unknown_issuer_key, bad_signature, issuer_mismatch,
    not_yet_valid, expired). Always 200 for a credential, valid or not: the answer is the verdict."""
    if submitted.problem is not None:
        return CredentialCheckOut(valid=False, code="malformed", reason=submitted.problem)
    trusted = _trusted(session, cycle_dir)
    try:
        verified = verify_credential(submitted.data, trusted, now=now)
    except CredentialError as exc:
        return CredentialCheckOut(valid=False, code=_code(exc), reason=str(exc))
    return _valid(verified, on_record(session, verified.credential_id))


@router.get("/issuers", response_model=list[IssuerKeyFileOut], responses=error_responses(DocumentMissingError))
def get_issuers(session: SessionDep, cycle_dir: CycleDirDep) -> list[IssuerKeyFileOut]:
    """The public key files of the offices that signed the closed years' awards: what an offline verifier
    trusts (`stewards cycle awards verify CREDENTIAL --key FILE`)."""
    return [IssuerKeyFileOut.model_validate(issuer.to_json()) for issuer in _trusted(session, cycle_dir)]


def _trusted(session: Session, cycle_dir: CycleDir) -> tuple[IssuerPublicKey, ...]:
    """The keys the closed years were signed with; before any year closed there are none, and no folder to read."""
    paths = issuer_key_paths(session)
    return trusted_issuers(cycle_dir(), paths) if paths else ()


def _code(error: CredentialError) -> CheckCode:
    for cls, code in _CODES:
        if isinstance(error, cls):
            return code
    return "malformed"  # a credential error of no row of its own: the document is not one the checks accept


def _valid(verified: VerifiedAward, recorded: bool) -> CredentialCheckOut:
    facts = verified.facts
    return CredentialCheckOut(
        valid=True, code="valid",
        reason=f"signed by {verified.issuer.name} and unchanged since: {facts.subject_name}, "
               f"{award_title(facts.kind, facts.year)}",
        credential_id=verified.credential_id, issuer=IssuerOut(name=verified.issuer.name, did=verified.issuer.did),
        award=StatedAwardOut(
            year=facts.year, kind=facts.kind.value, award=achievement_name(facts.kind), subject_key=facts.subject_key,
            subject_name=facts.subject_name, subdistrict=facts.subdistrict_name,
            ruleset_version=facts.ruleset_version, evidence=dict(facts.evidence), issued_at=facts.issued_at,
            valid_until=facts.valid_until,
        ),
        on_record=recorded,
    )
