"""Open311 GeoReport v2 over the work ledger (工作台账), under /open311: every resource as .json and .xml.

- `discovery`, `services`, `services/{code}`: public, like the spec's;
- `requests` (GET: search; POST: a report), `requests/{id}`, `tokens/{id}`: with an `api_key`, an
  account's credential (`scoring.accounts.api_keys`), sent as a form field, a query parameter, or the
  password of HTTP Basic auth (for clients that keep credentials in the endpoint URL). A POST files the
  key's steward's report into the same intake as POST /cases; a GET shows what the key's account may
  see (`scoring.accounts.jurisdiction`), and never who reported a case.
- `jurisdiction_id` is a subdistrict's key (`longtan`); required when the installation has several.
Every answer, errors included, is in the format the path ends with (`api.open311.answers`).
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable, Coroutine
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request, Response
from fastapi.routing import APIRoute

from api.deps import NowDep, PageDep, SessionDep
from api.open311 import mapping
from api.open311.answers import Format, document, error_document, format_of
from api.open311.schemas import (
    CreatedOut,
    DiscoveryOut,
    EndpointOut,
    Open311ErrorOut,
    ServiceDefinitionOut,
    ServiceOut,
    ServiceRequestOut,
    TokenOut,
)
from scoring.accounts import audit
from scoring.accounts.api_keys import KeyUse, principal_of_key
from scoring.accounts.errors import SignInError
from scoring.accounts.jurisdiction import EVERYWHERE, cases_in_reach, check_case
from scoring.cases.addresses import Location, case_places, locate_by_address_id, locate_by_coordinates, locate_by_name
from scoring.cases.errors import InvalidCaseInputError
from scoring.cases.store import case_of_report, get_case, latest_events, list_cases, opening_notes, report_case
from scoring.cases.views import CaseView
from scoring.cases.workflow import ProblemReport, ReportSource
from scoring.errors import UnknownScopeError
from scoring.registry.queries import SubdistrictRow, lane_ids_of, subdistricts


class Open311Route(APIRoute):
    """Answers every error of its route, its parameters' included, as Open311 documents do."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def answer(request: Request) -> Response:
            try:
                return await handler(request)
            except Exception as exc:  # noqa: BLE001 - each becomes its status in the format asked for
                return error_document(format_of(request), exc)

        return answer


router = APIRouter(prefix="/open311", tags=["open311"], route_class=Open311Route)

_FORMATS = {"json": "application/json", "xml": "text/xml"}
_ERRORS: dict[int | str, dict[str, Any]] = {
    status: {"model": list[Open311ErrorOut], "description": text}
    for status, text in ((400, "bad input"), (403, "no api_key, a refused one, or outside its reach"),
                         (404, "no such resource, service, request or jurisdiction"),
                         (503, "the database is unavailable: retry shortly"))
}
# Every error has the spec's shape; documented as the default, FastAPI adds no 422 Open311 never sends.
_ERRORS["default"] = {"model": list[Open311ErrorOut], "description": "any error, in the same shape"}


_PARAMETERS = {
    "jurisdiction_id": "the subdistrict's key (e.g. longtan); required when this installation serves several",
    "api_key": "an account's API key (or send it as the password of HTTP Basic auth)",
    "service_request_id": "request ids, comma separated; overrides every other filter",
    "service_code": "service codes, comma separated",
    "start_date": "W3C date-time with a time zone: requests made at or after it",
    "end_date": "W3C date-time with a time zone: requests made at or before it (at most 90 days after start_date)",
    "status": "open, closed, or both, comma separated",
}


_REPORT_FORM: dict[str, Any] = {"required": True, "content": {"application/x-www-form-urlencoded": {"schema": {
    "type": "object", "required": ["service_code"], "properties": {
        **{name: {"type": "string", "description": text} for name, text in (
            ("jurisdiction_id", _PARAMETERS["jurisdiction_id"]), ("api_key", _PARAMETERS["api_key"]),
            ("service_code", "one of services.json"),
            ("address_id", "checkpoint:<id>, or lane:<id> / segment:<id> with attribute[position_m]"),
            ("address_string", "a checkpoint, segment or lane name, as the registry writes it"),
            ("description", "what is wrong, at most 4000 characters"),
            ("media_url", "an http(s) URL of a photo"),
        )},
        "lat": {"type": "number"}, "long": {"type": "number"},
        "attribute[position_m]": {"type": "number", "description": "metres from the lane's or segment's start"},
    }}}}}


def _documented(*names: str) -> dict[str, Any]:
    """The query parameters a route reads from its fields, for the OpenAPI document (they are read by name
    from the query and a POST's form, so FastAPI does not declare them itself)."""
    return {"parameters": [{"name": n, "in": "query", "required": False, "schema": {"type": "string"},
                            "description": _PARAMETERS[n]} for n in names]}


# --- what every route reads -------------------------------------------------------------------------


async def _fields(request: Request) -> dict[str, str]:
    """The query's parameters, and a POST's form fields over them (a repeated name: its last value)."""
    fields = dict(request.query_params)
    if request.method == "POST" and _is_form(request):  # any other body is refused once the key is checked
        async with request.form(max_files=0) as form:
            for key, value in form.multi_items():
                if not isinstance(value, str):
                    raise InvalidCaseInputError(f"{key}: no files here; send media_url instead")
                fields[key] = value
    if any("\x00" in k or "\x00" in v for k, v in fields.items()):
        raise InvalidCaseInputError("a parameter holds a NUL character")
    return fields


FieldsDep = Annotated[dict[str, str], Depends(_fields)]


def _is_form(request: Request) -> bool:
    kind = request.headers.get("content-type", "")
    return kind.startswith(("application/x-www-form-urlencoded", "multipart/form-data"))


def _fmt(fmt: str) -> Format:
    if fmt not in _FORMATS:
        raise UnknownScopeError(f"no .{fmt} here: ask for .json or .xml")
    return "xml" if fmt == "xml" else "json"


def _jurisdiction(session: SessionDep, fields: FieldsDep) -> SubdistrictRow:
    served = subdistricts(session)
    wanted = fields.get("jurisdiction_id")
    if not wanted:
        if len(served) == 1:
            return served[0]
        raise InvalidCaseInputError(
            "jurisdiction_id is required here: one of " + ", ".join(s.key for s in served))
    found = next((s for s in served if s.key == wanted), None)
    if found is None:
        raise UnknownScopeError(f"jurisdiction_id {wanted!r} is not served here: one of "
                                + ", ".join(s.key for s in served))
    return found


JurisdictionDep = Annotated[SubdistrictRow, Depends(_jurisdiction)]


def _key(request: Request, session: SessionDep, fields: FieldsDep) -> KeyUse:
    secret = fields.get("api_key") or _basic_secret(request)
    if not secret:
        raise SignInError("this needs an api_key: ask for one at POST /accounts/{account_id}/api-keys")
    return principal_of_key(session, secret)


KeyDep = Annotated[KeyUse, Depends(_key)]


def _basic_secret(request: Request) -> str | None:
    scheme, _, encoded = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        user, _, password = base64.b64decode(encoded, validate=True).decode().partition(":")
    except (binascii.Error, UnicodeDecodeError):
        raise SignInError("the Basic credentials are not base64 of user:password") from None
    return password or user or None


# --- discovery and services (public) ----------------------------------------------------------------


@router.get("/discovery.{fmt}", response_model=DiscoveryOut, responses=_ERRORS)
def get_discovery(fmt: str, request: Request) -> Response:
    endpoint = EndpointOut(specification=mapping.SPECIFICATION, url=str(request.url_for("get_services", fmt="json"))
                           .removesuffix("/services.json"), changeset=mapping.CHANGESET, type="production",
                           formats=list(_FORMATS.values()))
    found = DiscoveryOut(
        changeset=mapping.CHANGESET,
        contact="所在街道办事处（工作台账）",
        key_service="API 密钥（api_key）由账户本人或管理员签发：POST /accounts/{account_id}/api-keys，"
                    "或在服务器上运行 stewards accounts api-key",
        endpoints=[endpoint],
    )
    return document(_fmt(fmt), "discovery", found.model_dump(mode="json"))


@router.get("/services.{fmt}", response_model=list[ServiceOut], responses=_ERRORS,
            openapi_extra=_documented("jurisdiction_id"))
def get_services(fmt: str, jurisdiction: JurisdictionDep) -> Response:
    return document(_fmt(fmt), "services", [s.model_dump(mode="json") for s in mapping.services()])


@router.get("/services/{service_code}.{fmt}", response_model=ServiceDefinitionOut, responses=_ERRORS,
            openapi_extra=_documented("jurisdiction_id"))
def get_service_definition(service_code: str, fmt: str, jurisdiction: JurisdictionDep) -> Response:
    found = mapping.service_definition(service_code)
    return document(_fmt(fmt), "service_definition", found.model_dump(mode="json"))


# --- service requests (with an api_key) -------------------------------------------------------------


@router.post("/requests.{fmt}", response_model=list[CreatedOut], status_code=201, responses=_ERRORS,
             openapi_extra={**_documented("jurisdiction_id", "api_key"), "requestBody": _REPORT_FORM})
def post_request(fmt: str, request: Request, fields: FieldsDep, key: KeyDep, jurisdiction: JurisdictionDep,
                 session: SessionDep, now: NowDep) -> Response:
    """The api_key's steward reports a problem: it opens a case, or joins an open one of its kind nearby."""
    as_format = _fmt(fmt)
    steward_id = key.principal.steward()
    if not _is_form(request):
        raise InvalidCaseInputError("post the request as a form (application/x-www-form-urlencoded)")
    form = mapping.report_form(fields)
    where = _locate(session, jurisdiction.id, form)
    outcome = report_case(session, ProblemReport(
        steward_id=steward_id, category=form.category, reported_at=now, lane_id=where.lane_id,
        position_m=where.position_m, checkpoint_id=where.checkpoint_id, photo_ref=form.photo_ref, note=form.note,
        source=ReportSource.API,
    ))
    case = get_case(session, outcome.case_id).case
    audit.record(session, key.principal, now, "case.report", f"case:{outcome.case_id}", lane_id=case.lane_id,
                 after={"report_id": outcome.report_id, "opened": outcome.opened, "state": case.state.value,
                        "via": "open311", "api_key_id": key.key_id})
    return document(as_format, "service_requests", [mapping.created(outcome).model_dump(mode="json")], 201)


def _locate(session: SessionDep, subdistrict_id: int, form: mapping.ReportForm) -> Location:
    """The most precise place the form gives: an address id, then a name, then coordinates."""
    if form.address_id is not None:
        return locate_by_address_id(session, subdistrict_id, form.address_id, form.position_m)
    if form.address_string is not None:
        return locate_by_name(session, subdistrict_id, form.address_string, form.position_m)
    assert form.lat is not None and form.long is not None  # checked by mapping.report_form
    return locate_by_coordinates(session, subdistrict_id, form.lat, form.long)


@router.get("/requests.{fmt}", response_model=list[ServiceRequestOut], responses=_ERRORS,
            openapi_extra=_documented("jurisdiction_id", "api_key", "service_request_id", "service_code",
                                      "start_date", "end_date", "status"))
def get_requests(fmt: str, fields: FieldsDep, key: KeyDep, jurisdiction: JurisdictionDep, session: SessionDep,
                 now: NowDep, page: PageDep) -> Response:
    """The jurisdiction's cases the key's account may see; by default those of the last 90 days.

    Order: oldest first, by case id."""
    as_format = _fmt(fmt)
    search = mapping.request_search(fields, now)
    reach = cases_in_reach(session, key.principal)
    lanes = lane_ids_of(session, jurisdiction.id)
    if reach.lane_ids is not EVERYWHERE:
        lanes &= reach.lane_ids
    found = list_cases(session, lane_ids=lanes, reported_by=reach.reported_by, ids=search.ids,
                       categories=search.categories, states=search.states, reported_since=search.since,
                       reported_before=search.before, limit=page.limit, offset=page.offset)
    return document(as_format, "service_requests", _service_requests(session, found))


@router.get("/requests/{service_request_id}.{fmt}", response_model=list[ServiceRequestOut], responses=_ERRORS,
            openapi_extra=_documented("jurisdiction_id", "api_key"))
def get_request(service_request_id: str, fmt: str, key: KeyDep, jurisdiction: JurisdictionDep,
                session: SessionDep) -> Response:
    """One request, as a list of one (the spec's shape)."""
    as_format = _fmt(fmt)
    case = _visible_case(session, key, jurisdiction, mapping.request_id(service_request_id))
    return document(as_format, "service_requests", _service_requests(session, [case]))


@router.get("/tokens/{token}.{fmt}", response_model=list[TokenOut], responses=_ERRORS,
            openapi_extra=_documented("jurisdiction_id", "api_key"))
def get_token(token: str, fmt: str, key: KeyDep, jurisdiction: JurisdictionDep, session: SessionDep) -> Response:
    """The request a POST's token (its report) became: the case it opened or joined."""
    as_format = _fmt(fmt)
    case = _visible_case(session, key, jurisdiction, case_of_report(session, mapping.request_id(token)))
    found = TokenOut(token=token, service_request_id=str(case.id))
    return document(as_format, "service_requests", [found.model_dump(mode="json")])


def _visible_case(session: SessionDep, key: KeyUse, jurisdiction: SubdistrictRow, case_id: int) -> CaseView:
    detail = get_case(session, case_id)
    check_case(session, key.principal, detail.case.lane_id, {r.steward_id for r in detail.reports})
    if detail.case.lane_id not in lane_ids_of(session, jurisdiction.id):
        raise UnknownScopeError(f"service request {case_id} is not in jurisdiction {jurisdiction.key}")
    return detail.case


def _service_requests(session: SessionDep, cases: list[CaseView]) -> list[dict[str, Any]]:
    ids = [c.id for c in cases]
    places, notes, latest = case_places(session, cases), opening_notes(session, ids), latest_events(session, ids)
    return [mapping.service_request(c, places[c.id], notes.get(c.id, ""), latest.get(c.id)).model_dump(mode="json")
            for c in cases]


@router.api_route("/{rest:path}", methods=["GET", "POST", "PUT", "PATCH", "DELETE"], include_in_schema=False)
def no_such_resource(rest: str) -> Response:
    raise UnknownScopeError(f"no Open311 resource /open311/{rest}: see discovery.json")
