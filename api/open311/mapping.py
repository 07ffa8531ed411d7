"""Cases ↔ GeoReport v2 service requests: the one place the work ledger and Open311 meet.

- a service is a problem category (CaseCategory): its `service_code` is the category's name in code;
- a service request is a case: its id the case's, `open` while the workflow can still move it, `closed`
  in a final state (fix_confirmed, not_responsible, duplicate, closed);
- a POST is a steward's report: it opens a case or joins an open one nearby, as POST /cases does, so
  one request id can answer two POSTs; the report's own id is the POST's token;
- the people stay out: no field names, numbers or reaches the stewards who reported a case, and the
  reporter's name, email and phone a client may post are dropped unread.
Pure: no database here.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from types import MappingProxyType
from typing import Final
from urllib.parse import urlsplit

from api.open311.schemas import (
    AttributeOut,
    CreatedOut,
    ServiceDefinitionOut,
    ServiceOut,
    ServiceRequestOut,
    Status,
)
from scoring.cases.addresses import CasePlace, address_id
from scoring.cases.errors import InvalidCaseInputError
from scoring.cases.store import CASE_JOIN_DISTANCE_METERS
from scoring.cases.views import CaseView, EventView, ReportOutcome
from scoring.cases.workflow import PHOTO_REF_MAX_CHARS, CaseCategory, CaseState
from scoring.errors import UnknownScopeError

SPECIFICATION: Final = "http://wiki.open311.org/GeoReport_v2"
# When the services or their definitions last changed: clients refresh their cached lists when it moves.
CHANGESET: Final = "2026-12-06T00:00:00Z"
DESCRIPTION_MAX: Final = 4000  # the spec's limit on a request's description
WINDOW: Final = timedelta(days=90)  # the spec's default and largest span of a GET requests search
IDS_MAX: Final = 500  # service_request_id values one search may name
POSITION: Final = "position_m"  # the one attribute: where along a lane or segment


@dataclass(frozen=True, slots=True)
class _Service:
    description: str
    keywords: str
    group: str


_SERVICES: Final = MappingProxyType({
    CaseCategory.WALL_OPENING: _Service("临街房屋擅自拆改外墙、开门开窗用于经营，破坏房屋结构和街巷风貌。",
                                        "开墙打洞,拆改外墙,开门,开窗", "违法建设"),
    CaseCategory.ILLEGAL_CONSTRUCTION: _Service("未经批准搭建的房屋、棚亭、围墙等违法建设。",
                                                "违法建设,私搭乱建,棚亭", "违法建设"),
    CaseCategory.PARKING_LOCK: _Service("在街巷、胡同私装地桩地锁，占用公共车位或通道。",
                                        "地桩,地锁,占用车位", "环境秩序"),
    CaseCategory.GROUP_RENTAL: _Service("一套房屋隔断出租、居住人员过密的群租房屋。",
                                        "群租,隔断,出租房", "房屋管理"),
    CaseCategory.PILED_MATERIALS: _Service("在街巷公共空间堆放杂物、建材、废品。",
                                           "堆物,堆料,杂物,废品", "环境秩序"),
    CaseCategory.STREET_VENDING: _Service("商户出店经营、摊贩占用道路经营。",
                                          "占道经营,出店经营,摊贩", "环境秩序"),
    CaseCategory.OTHER: _Service("以上类别之外、需要街巷长处理的街巷问题。", "其他", "其他"),
})

_POSITION_ATTRIBUTE: Final = AttributeOut(
    variable=True, code=POSITION, datatype="number", required=False, order=1,
    datatype_description="米，0 至该街巷或路段的长度",
    description="问题离所报街巷或路段起点的米数。地址为街巷（lane:<id>）或路段（segment:<id>）时必填；"
                "地址为巡查点（checkpoint:<id>）或按经纬度上报时不填。",
    values=[],
)
_ATTRIBUTE_KEY: Final = re.compile(r"^attribute\[([^\]]*)\](\[\])?$")


# --- services ---------------------------------------------------------------------------------------


def services() -> list[ServiceOut]:
    return [ServiceOut(service_code=c.value, service_name=c.label, description=s.description, metadata=True,
                       type="realtime", keywords=s.keywords, group=s.group) for c, s in _SERVICES.items()]


def service_definition(code: str) -> ServiceDefinitionOut:
    try:
        category = CaseCategory(code)
    except ValueError:
        raise UnknownScopeError(f"no service {code!r}: list them with services.json") from None
    return ServiceDefinitionOut(service_code=category.value, attributes=[_POSITION_ATTRIBUTE])


def category_of(code: str) -> CaseCategory:
    try:
        return CaseCategory(code.strip())
    except ValueError:
        raise InvalidCaseInputError(
            f"service_code {code!r} is not one of {', '.join(c.value for c in CaseCategory)}") from None


# --- statuses ---------------------------------------------------------------------------------------


def status_of(state: CaseState) -> Status:
    return "open" if state.is_open else "closed"


def states_of(status: str) -> frozenset[CaseState]:
    wanted = set()
    for word in _comma_list(status):
        if word not in ("open", "closed"):
            raise InvalidCaseInputError(f"status {word!r}: open or closed (or both, comma separated)")
        wanted.add(word)
    return frozenset(s for s in CaseState if status_of(s) in wanted)


# --- service requests -------------------------------------------------------------------------------


def service_request(case: CaseView, place: CasePlace, description: str, latest: EventView | None) -> ServiceRequestOut:
    notes = case.state.label
    if latest is not None and latest.from_state is not None and latest.note:
        notes = f"{notes}：{latest.note}"  # a chief's note on the change, never the finder's
    title = "街长" if place.lane_kind == "main_street" else "巷长"
    return ServiceRequestOut(
        service_request_id=str(case.id),
        status=status_of(case.state),
        status_notes=notes,
        service_name=case.category.label,
        service_code=case.category.value,
        description=description,
        agency_responsible=f"{place.subdistrict_name} {place.lane_name}{title}",
        service_notice=f"与案件 {case.duplicate_of} 重复" if case.duplicate_of is not None else "",
        requested_datetime=case.reported_at,
        updated_datetime=case.state_changed_at,
        expected_datetime=None,
        address=place.checkpoint_name or f"{place.lane_name}（距起点约{case.position_m:.0f}米）",
        address_id=address_id("checkpoint", case.checkpoint_id) if case.checkpoint_id is not None
        else address_id("lane", case.lane_id),
        zipcode=None,
        lat=place.latitude,
        long=place.longitude,
        media_url=case.photo_ref if _is_url(case.photo_ref) else None,
    )


def created(outcome: ReportOutcome) -> CreatedOut:
    notice = ("已登记，待街巷长核实。" if outcome.opened else
              f"{CASE_JOIN_DISTANCE_METERS:.0f} 米内已有同类未结案件 {outcome.case_id}，本次上报已并入该案件。")
    return CreatedOut(service_request_id=str(outcome.case_id), token=str(outcome.report_id),
                      service_notice=notice, account_id=None)


# --- what a client sends ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ReportForm:
    """A POST requests form, read: where, what, and the evidence; who is the api_key's, not the form's."""

    category: CaseCategory
    note: str
    photo_ref: str
    address_id: str | None
    address_string: str | None
    lat: float | None
    long: float | None
    position_m: float | None


def report_form(fields: Mapping[str, str]) -> ReportForm:
    # email, first_name, last_name, phone, device_id and account_id are never read: the reporter is the
    # api_key's steward, and a civic tool's copy of their details has no place in the work ledger.
    code = fields.get("service_code")
    if not code:
        raise InvalidCaseInputError("service_code is required: pick one from services.json")
    position = None
    for key, value in fields.items():
        match = _ATTRIBUTE_KEY.match(key)
        if match is None:
            continue
        if match.group(1) != POSITION:
            raise InvalidCaseInputError(f"{key}: the only attribute is attribute[{POSITION}] (services/{{code}}.json)")
        position = _number(key, value)
    lat, long = fields.get("lat"), fields.get("long")
    if (lat is None) != (long is None):
        raise InvalidCaseInputError("lat and long go together")
    address = fields.get("address_id") or None
    address_string = fields.get("address_string") or None
    if address is None and address_string is None and lat is None:
        raise InvalidCaseInputError("say where: address_id, address_string, or lat and long")
    note = fields.get("description", "")
    if len(note) > DESCRIPTION_MAX:
        raise InvalidCaseInputError(f"description is longer than {DESCRIPTION_MAX} characters")
    media_url = fields.get("media_url", "").strip()
    if media_url and (not _is_url(media_url) or len(media_url) > PHOTO_REF_MAX_CHARS):
        raise InvalidCaseInputError(f"media_url must be an http(s) URL of at most {PHOTO_REF_MAX_CHARS} characters")
    return ReportForm(
        category=category_of(code), note=note, photo_ref=media_url, address_id=address,
        address_string=address_string, lat=_number("lat", lat) if lat is not None else None,
        long=_number("long", long) if long is not None else None, position_m=position,
    )


@dataclass(frozen=True, slots=True)
class RequestSearch:
    """GET requests' filters, read. `ids` overrides the rest, as the spec says."""

    ids: frozenset[int] | None = None
    categories: frozenset[CaseCategory] | None = None
    states: frozenset[CaseState] | None = None
    since: datetime | None = None
    before: datetime | None = None  # exclusive: the instant after end_date


def request_search(fields: Mapping[str, str], now: datetime) -> RequestSearch:
    ids_text = fields.get("service_request_id")
    if ids_text:
        ids = [_request_id(x) for x in _comma_list(ids_text)]
        if len(ids) > IDS_MAX:
            raise InvalidCaseInputError(f"service_request_id names {len(ids)} requests: at most {IDS_MAX}")
        return RequestSearch(ids=frozenset(ids))
    codes = fields.get("service_code")
    categories = frozenset(category_of(c) for c in _comma_list(codes)) if codes else None
    status = fields.get("status")
    states = states_of(status) if status else None
    start, end = _instant("start_date", fields.get("start_date")), _instant("end_date", fields.get("end_date"))
    if start is None and end is None:
        end = now
    if start is None:
        assert end is not None
        start = end - WINDOW
    if end is None:
        end = start + WINDOW
    if end < start:
        raise InvalidCaseInputError("end_date is before start_date")
    if end - start > WINDOW:
        raise InvalidCaseInputError(f"start_date to end_date spans more than {WINDOW.days} days: ask in parts")
    return RequestSearch(categories=categories, states=states, since=start,
                         before=end + timedelta(microseconds=1))


def request_id(text: str) -> int:
    """A service_request_id (or a token) as a store id; UnknownScopeError for one that names nothing."""
    try:
        return _request_id(text)
    except InvalidCaseInputError:
        raise UnknownScopeError(f"no service request or token {text!r} here") from None


def _request_id(text: str) -> int:
    if not text.isdigit() or not 0 < int(text) < 2**31:
        raise InvalidCaseInputError(f"service_request_id {text!r} is not a request id (a whole number)")
    return int(text)


def _instant(name: str, text: str | None) -> datetime | None:
    if not text:
        return None
    try:
        at = datetime.fromisoformat(text.strip())
    except ValueError:
        raise InvalidCaseInputError(f"{name} {text!r}: a W3C date-time such as 2017-09-01T00:00:00+08:00") from None
    if at.tzinfo is None:
        raise InvalidCaseInputError(f"{name} {text!r} has no time zone: end it with Z or an offset such as +08:00")
    return at


def _number(name: str, text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise InvalidCaseInputError(f"{name} {text!r} is not a number") from None
    if not math.isfinite(value):
        raise InvalidCaseInputError(f"{name} {text!r} is not a finite number")
    return value


def _comma_list(text: str) -> list[str]:
    return [part.strip() for part in text.split(",") if part.strip()]


def _is_url(text: str) -> bool:
    parts = urlsplit(text)
    return parts.scheme in ("http", "https") and bool(parts.netloc)
