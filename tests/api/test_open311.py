"""Open311 GeoReport v2 on both stores: the PyPI clients georeport and civicbot against a real uvicorn
(discovery → services → POST → GET by id → GET with filters, in JSON and XML), the XML's shape, the
errors, api_key refusals, places by name and by coordinates, and one intake with POST /cases."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
import requests
import xmltodict
from civicbot.http import HttpError, HttpTransport, RateLimiter
from civicbot.open311 import Open311Client
from civicbot.registry import Endpoint
from fastapi.testclient import TestClient
from georeport import GeoReport
from sqlalchemy import Engine, select, update
from sqlalchemy.orm import Session

from api.app import create_app
from scoring.accounts.roles import Role
from scoring.cases.points import CasePoints, case_entry_drafts
from scoring.cases.workflow import CaseCategory
from scoring.seed.dataset import Dataset
from scoring.storage import tables as t
from stewards.registry import prepare_store
from tests.api.live_server import serving
from tests.api.open311_kit import (
    CREATED_FIELDS,
    REQUEST_FIELDS,
    Fuguang,
    as_xml_text,
    check_xml,
    fuguang,
    issue_key,
    xml_as_json,
)
from tests.api.signin import TOKENS, Accounts, api

BJ = timezone(timedelta(hours=8))
J = {"jurisdiction_id": "longtan"}
CODES = [c.value for c in CaseCategory]


@dataclass
class Clock:
    now: datetime = field(default_factory=lambda: datetime(2017, 9, 20, 9, 0, tzinfo=BJ))

    def __call__(self) -> datetime:
        return self.now

    def advance(self, hours: float) -> None:
        self.now += timedelta(hours=hours)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def client(seeded: Engine, clock: Clock) -> TestClient:
    return api(seeded, clock=clock)


@pytest.fixture
def accounts(seeded: Engine, clock: Clock) -> Accounts:
    return Accounts(seeded, clock)


@pytest.fixture
def ids(seeded: Engine) -> Fuguang:
    return fuguang(seeded)


@pytest.fixture
def zhao_key(client: TestClient, accounts: Accounts, ids: Fuguang) -> str:
    return issue_key(client, accounts, Role.STEWARD, steward_id=ids.zhao)


@pytest.fixture
def live(seeded: Engine, clock: Clock, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """The Open311 base URL of the API served by uvicorn on a loopback port."""
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")  # a proxy in the environment must not see loopback calls
    with serving(create_app(seeded, tokens=TOKENS, clock=clock)) as url:
        yield f"{url}/open311"


class KeyedTransport(HttpTransport):
    """civicbot sends no api_key on reads (the cities it knows read publicly); this server's reads need one,
    so it goes on every read as the query parameter the spec names."""

    def __init__(self, api_key: str) -> None:
        super().__init__(rate_limiter=RateLimiter(min_interval=0.0))
        self.api_key = api_key

    def get_json(self, url: str, params: Any = None, headers: Any = None) -> Any:
        return super().get_json(url, {**dict(params or {}), "api_key": self.api_key}, headers)


def civic(base: str, key: str) -> Open311Client:
    endpoint = Endpoint(id="longtan", name="龙潭街道", base_url=base, write=True)
    return Open311Client(endpoint, transport=KeyedTransport(key), jurisdiction_id="longtan")


def with_key(base: str, key: str) -> str:
    """georeport sends no api_key on reads either: requests takes Basic credentials from the URL."""
    return base.replace("http://", f"http://civic-tool:{key}@")


# --- the clients, end to end ---------------------------------------------------------------------


def test_civicbot_files_a_report_and_georeport_reads_it_back_in_json(live: str, zhao_key: str, ids: Fuguang,
                                                                       seeded: Engine) -> None:
    bot = civic(live, zhao_key)
    services = bot.list_services()
    assert [s["service_code"] for s in services] == CODES
    assert [s["service_name"] for s in services][:6] == ["开墙打洞", "违法建设", "地桩地锁", "群租房屋", "堆物堆料",
                                                         "占道经营"]
    assert all(s["metadata"] is True and s["type"] == "realtime" and s["group"] for s in services)
    definition = bot.get_service_definition("wall_opening")
    assert [a["code"] for a in definition["attributes"]] == ["position_m"]

    sent = bot.create_request(
        "wall_opening", dry_run=False, confirm="SEND", api_key=zhao_key, validate_remote=True,
        address_id=f"lane:{ids.lane}", attributes={"position_m": 40}, description="17号楼北侧新开门洞",
        first_name="云华", last_name="赵", phone="13911112222", email="zhao@example.org",
        media_url="https://img.example.org/fuguang/17.jpg",
    )
    [created] = sent.response
    assert set(created) == set(CREATED_FIELDS) and created["service_notice"] == "已登记，待街巷长核实。"
    request_id, token = created["service_request_id"], created["token"]

    reader = GeoReport(with_key(live, zhao_key), jurisdiction="longtan")
    assert [s["service_code"] for s in reader.get_service_list()] == CODES
    assert reader.get_service_definition("parking_lock")["service_code"] == "parking_lock"
    one = reader.get_service_request(request_id)
    assert set(one) == set(REQUEST_FIELDS)
    assert (one["status"], one["status_notes"], one["service_code"], one["service_name"]) == (
        "open", "已上报", "wall_opening", "开墙打洞")
    assert one["description"] == "17号楼北侧新开门洞" and one["media_url"] == "https://img.example.org/fuguang/17.jpg"
    assert (one["address_id"], one["address"]) == (f"lane:{ids.lane}", "福光路（距起点约40米）")
    assert one["agency_responsible"] == "龙潭街道 福光路巷长"
    assert one["requested_datetime"] == "2017-09-20T01:00:00Z" == one["updated_datetime"]

    found = reader.get_service_requests(service_code="wall_opening,parking_lock", status="open",
                                        start_date="2017-09-01T00:00:00+08:00", end_date="2017-09-30T00:00:00+08:00")
    assert [r["service_request_id"] for r in found] == [request_id]
    assert reader.get_service_requests(status="closed") == []
    assert reader.get_service_requests(service_code="group_rental") == []
    assert reader.get_service_requests(end_date="2017-09-10T00:00:00Z") == []
    assert [r["service_request_id"] for r in reader.get_service_requests(service_request_id=f"{request_id},99999")] \
        == [request_id]

    assert bot.get_request(request_id) == one
    assert bot.list_requests(service_request_ids=[request_id]) == [one]
    assert bot.get_token(token) == [{"token": token, "service_request_id": request_id}]

    # The reporter's name, phone and email were posted and dropped: nothing of them is stored or shown.
    with Session(seeded) as s:
        stored = repr(s.execute(select(t.CaseReport)).scalars().all()) + repr(s.execute(select(t.AuditEntry.after))
                                                                              .all())
    for personal in ("云华", "13911112222", "zhao@example.org"):
        assert personal not in stored and personal not in repr(one)


def test_georeport_in_xml_sees_the_same_documents(live: str, zhao_key: str, ids: Fuguang, client: TestClient) -> None:
    posted = requests.post(f"{live}/requests.xml", data={
        **J, "api_key": zhao_key, "service_code": "piled_materials", "address_id": f"segment:{ids.segment}",
        "attribute[position_m]": "12.5", "description": "建材堆放",
    }, timeout=10)
    assert posted.status_code == 201 and posted.headers["content-type"] == "text/xml; charset=utf-8"
    request_id = check_xml(posted.content, "service_requests")[0].findtext("service_request_id")
    assert request_id is not None

    reader = GeoReport(with_key(live, zhao_key), jurisdiction="longtan", output_format="xml")
    services = reader.get_service_list()
    assert [s["service_code"] for s in services] == CODES and services[0]["metadata"] == "true"
    attribute = reader.get_service_definition("piled_materials")["attributes"]["attribute"]
    assert (attribute["code"], attribute["datatype"], attribute["required"]) == ("position_m", "number", "false")
    one = reader.get_service_request(request_id)
    assert (one["service_request_id"], one["status"], one["address_id"]) == (request_id, "open", f"lane:{ids.lane}")
    listed = reader.get_service_requests(status="open", service_code="piled_materials")
    assert listed == one  # xmltodict reads a list of one request as the request itself

    as_json = GeoReport(with_key(live, zhao_key), jurisdiction="longtan").get_service_request(request_id)
    assert xmltodict.parse(posted.content)["service_requests"]["request"]["service_request_id"] == request_id
    assert {k: v for k, v in one.items()} == as_xml_text(as_json)


def test_every_xml_document_has_the_spec_shape_and_says_what_its_json_says(
        client: TestClient, zhao_key: str, ids: Fuguang) -> None:
    created = client.post("/open311/requests.json", data={
        **J, "api_key": zhao_key, "service_code": "street_vending", "address_id": f"checkpoint:{ids.checkpoint}",
        "description": "<出店经营> & 占道"}).json()[0]
    key = {"api_key": zhao_key}
    for path, root, params in (
        ("discovery", "discovery", {}),
        ("services", "services", J),
        ("services/street_vending", "service_definition", J),
        ("requests", "service_requests", {**J, **key}),
        (f"requests/{created['service_request_id']}", "service_requests", {**J, **key}),
        (f"tokens/{created['token']}", "service_requests", {**J, **key}),
        ("services/no_such_service", "errors", J),
        ("requests", "errors", J),
    ):
        as_json = client.get(f"/open311/{path}.json", params=params)
        as_xml = client.get(f"/open311/{path}.xml", params=params)
        assert as_json.status_code == as_xml.status_code, path
        assert as_xml.headers["content-type"] == "text/xml; charset=utf-8"
        assert xml_as_json(check_xml(as_xml.content, root)) == as_xml_text(as_json.json()), path
    [shown] = client.get(f"/open311/requests/{created['service_request_id']}.json", params={**J, **key}).json()
    assert shown["description"] == "<出店经营> & 占道"
    assert (shown["address_id"], shown["address"]) == (f"checkpoint:{ids.checkpoint}", ids.checkpoint_name)
    # A character XML 1.0 cannot hold: JSON carries it, XML drops it rather than answer what no parser reads.
    bell = client.post("/open311/requests.json", data={
        **J, "api_key": zhao_key, "service_code": "group_rental", "address_id": f"checkpoint:{ids.checkpoint}",
        "description": "\x07铃"}).json()[0]["service_request_id"]
    assert client.get(f"/open311/requests/{bell}.json", params={**J, **key}).json()[0]["description"] == "\x07铃"
    as_xml = check_xml(client.get(f"/open311/requests/{bell}.xml", params={**J, **key}).content, "service_requests")
    assert as_xml[0].findtext("description") == "铃"
    discovery = client.get("/open311/discovery.json").json()
    assert discovery["endpoints"][0]["url"] == "http://testserver/open311"
    assert set(discovery["endpoints"][0]["formats"]) == {"text/xml", "application/json"}


# --- errors ----------------------------------------------------------------------------------------


def _bad_posts(ids: Fuguang) -> list[tuple[dict[str, str], int, str]]:
    lane = f"lane:{ids.lane}"
    return [
        ({"service_code": "wall_opening"}, 400, "say where"),
        ({"service_code": "potholes", "address_id": lane}, 400, "service_code 'potholes'"),
        ({"address_id": lane}, 400, "service_code is required"),
        ({"service_code": "wall_opening", "address_id": lane}, 400, "attribute[position_m]"),
        ({"service_code": "wall_opening", "address_id": lane, "attribute[position_m]": "9999"}, 400, "not on lane"),
        ({"service_code": "wall_opening", "address_id": lane, "attribute[position_m]": "nan"}, 400, "finite"),
        ({"service_code": "wall_opening", "address_id": lane, "attribute[colour]": "red"}, 400, "the only attribute"),
        ({"service_code": "wall_opening", "address_id": "street 5"}, 400, "lane:<id>"),
        ({"service_code": "wall_opening", "address_id": "lane:99999999999"}, 400, "lane:<id>"),
        ({"service_code": "wall_opening", "address_id": "checkpoint:2147483647"}, 400, "not in the registry"),
        ({"service_code": "wall_opening", "address_string": "长安街"}, 400, "no checkpoint, segment or lane name"),
        ({"service_code": "wall_opening", "lat": "39.9"}, 400, "lat and long go together"),
        ({"service_code": "wall_opening", "lat": "91", "long": "116"}, 400, "not a WGS-84 position"),
        ({"service_code": "wall_opening", "lat": "39.88", "long": "116.43"}, 400, "no checkpoint of this jurisdiction"),
        ({"service_code": "wall_opening", "address_id": lane, "attribute[position_m]": "1",
          "media_url": "javascript:alert(1)"}, 400, "media_url"),
        ({"service_code": "wall_opening", "address_id": lane, "attribute[position_m]": "1",
          "description": "x" * 4001}, 400, "description"),
        ({"service_code": "wall_opening", "address_id": lane, "attribute[position_m]": "1",
          "jurisdiction_id": "xichangan"}, 400, "not in this jurisdiction"),
        ({"service_code": "wall_opening", "address_id": lane, "jurisdiction_id": ""}, 400,
         "jurisdiction_id is required"),
        ({"service_code": "wall_opening", "address_id": lane, "jurisdiction_id": "shanghai"}, 404, "not served here"),
    ]


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_bad_reports_are_refused_with_the_specs_errors(client: TestClient, zhao_key: str, ids: Fuguang,
                                                       seeded: Engine, fmt: str) -> None:
    for fields, status, words in _bad_posts(ids):
        r = client.post(f"/open311/requests.{fmt}", data={**J, "api_key": zhao_key, **fields})
        assert r.status_code == status, (fields, r.text)
        _assert_error(r, fmt, status, words)
    with Session(seeded) as s:
        assert s.scalar(select(t.Case.id)) is None  # not one of them reached the work ledger


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_bad_reads_are_refused_with_the_specs_errors(client: TestClient, zhao_key: str, fmt: str) -> None:
    key = {"api_key": zhao_key}
    for path, params, status, words in (
        ("services", {}, 400, "jurisdiction_id is required"),
        ("services", {"jurisdiction_id": "nowhere"}, 404, "not served here"),
        ("services/potholes", J, 404, "no service 'potholes'"),
        ("requests", {**J, **key, "status": "pending"}, 400, "status 'pending'"),
        ("requests", {**J, **key, "start_date": "yesterday"}, 400, "start_date 'yesterday'"),
        ("requests", {**J, **key, "start_date": "2017-09-01T00:00:00"}, 400, "no time zone"),
        ("requests", {**J, **key, "start_date": "2017-01-01T00:00:00Z", "end_date": "2017-09-01T00:00:00Z"}, 400,
         "more than 90 days"),
        ("requests", {**J, **key, "start_date": "2017-09-02T00:00:00Z", "end_date": "2017-09-01T00:00:00Z"}, 400,
         "before start_date"),
        ("requests", {**J, **key, "service_request_id": "1,x"}, 400, "'x' is not a request id"),
        ("requests", {**J, **key, "service_code": "wall_opening,potholes"}, 400, "service_code 'potholes'"),
        ("requests", {**J, **key, "limit": "0"}, 400, "limit"),
        ("requests", {**J, **key, "offset": "-1"}, 400, "offset"),
        ("requests/424242", {**J, **key}, 404, "case 424242 does not exist"),
        ("requests/abc", {**J, **key}, 404, "no service request or token 'abc'"),
        ("requests/99999999999", {**J, **key}, 404, "no service request or token"),
        ("tokens/424242", {**J, **key}, 404, "report 424242 does not exist"),
        ("nothing/here", {}, 404, "no Open311 resource"),
    ):
        r = client.get(f"/open311/{path}.{fmt}", params=params)
        _assert_error(r, fmt, status, words)
    r = client.get("/open311/services.yaml", params=J)
    assert r.status_code == 404 and r.json()[0]["description"] == "no .yaml here: ask for .json or .xml"
    r = client.post("/open311/requests.json", json={**J, "api_key": zhao_key})
    assert r.status_code == 403  # a JSON body is no form: the key in it is not read
    r = client.post("/open311/requests.json", params={**J, "api_key": zhao_key}, json={"service_code": "other"})
    assert r.status_code == 400 and "post the request as a form" in r.json()[0]["description"]
    r = client.post("/open311/requests.json", params={**J, "api_key": zhao_key}, files={"media": ("a.jpg", b"jpg")})
    assert r.status_code == 400


def _assert_error(r: Any, fmt: str, status: int, words: str) -> None:
    assert r.status_code == status, r.text
    if fmt == "json":
        [error] = r.json()
        assert set(error) == {"code", "description"} and error["code"] == status
        assert words in error["description"], error
    else:
        [error] = check_xml(r.content, "errors")
        assert error.findtext("code") == str(status) and words in (error.findtext("description") or ""), r.text


# --- api keys --------------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_api_key_refusals(client: TestClient, accounts: Accounts, ids: Fuguang, zhao_key: str, seeded: Engine,
                          fmt: str) -> None:
    post = {**J, "service_code": "wall_opening", "address_id": f"checkpoint:{ids.checkpoint}"}
    assert client.post(f"/open311/requests.{fmt}", data={**post, "api_key": zhao_key}).status_code == 201

    def refused(r: Any, words: str) -> None:
        _assert_error(r, fmt, 403, words)

    refused(client.post(f"/open311/requests.{fmt}", data=post), "this needs an api_key")
    refused(client.get(f"/open311/requests.{fmt}", params=J), "this needs an api_key")
    refused(client.get(f"/open311/requests.{fmt}", params={**J, "api_key": "lsk_made-up"}), "not valid")
    refused(client.get(f"/open311/requests.{fmt}", params=J, headers={"Authorization": "Basic !!!"}), "Basic")
    # A chief's key reads the lane's cases but files nothing: reports are the stewards'.
    chief_key = issue_key(client, accounts, Role.CHIEF, chief_id=ids.chief)
    refused(client.post(f"/open311/requests.{fmt}", data={**post, "api_key": chief_key}), "only a steward")
    assert client.get(f"/open311/requests.{fmt}", params={**J, "api_key": chief_key}).status_code == 200
    # A revoked key stops at once; so does every key of a disabled account.
    zhao = accounts.principal(Role.STEWARD, steward_id=ids.zhao)
    listed = client.get(f"/accounts/{zhao.account_id}/api-keys", headers=accounts.steward(ids.zhao)).json()
    assert client.delete(f"/accounts/{zhao.account_id}/api-keys/{listed[0]['id']}",
                         headers=accounts.steward(ids.zhao)).status_code == 200
    refused(client.get(f"/open311/requests.{fmt}", params={**J, "api_key": zhao_key}), "revoked")
    with Session(seeded) as s, s.begin():
        s.execute(update(t.Account).where(t.Account.chief_id == ids.chief).values(disabled=True))
    refused(client.get(f"/open311/requests.{fmt}", params={**J, "api_key": chief_key}), "no longer signs in")


def test_the_key_goes_in_the_form_the_query_or_basic_auth(client: TestClient, zhao_key: str, ids: Fuguang) -> None:
    post = {**J, "service_code": "parking_lock", "address_id": f"checkpoint:{ids.checkpoint}"}
    assert client.post("/open311/requests.json", data={**post, "api_key": zhao_key}).status_code == 201
    assert client.post("/open311/requests.json", data=post, params={"api_key": zhao_key}).status_code == 201
    assert client.post("/open311/requests.json", data=post, auth=("civic-tool", zhao_key)).status_code == 201
    assert client.post("/open311/requests.json", data=post, auth=(zhao_key, "")).status_code == 201
    assert len(client.get("/open311/requests.json", params=J, auth=("x", zhao_key)).json()) == 1  # one case, joined


# --- places ----------------------------------------------------------------------------------------


def test_a_name_places_a_report_at_a_checkpoint_a_segment_or_a_lane(client: TestClient, zhao_key: str,
                                                                     ids: Fuguang) -> None:
    def report(code: str, **fields: str) -> dict[str, Any]:
        r = client.post("/open311/requests.json", data={**J, "api_key": zhao_key, "service_code": code, **fields})
        assert r.status_code == 201, r.text
        [shown] = client.get(f"/open311/requests/{r.json()[0]['service_request_id']}.json",
                             params={**J, "api_key": zhao_key}).json()
        return shown

    at_checkpoint = report("wall_opening", address_string=f"  {ids.checkpoint_name} ")
    assert at_checkpoint["address_id"] == f"checkpoint:{ids.checkpoint}"
    on_segment = report("illegal_construction", address_string=ids.segment_name, **{"attribute[position_m]": "20"})
    on_lane = report("group_rental", address_string=ids.lane_name, **{"attribute[position_m]": "20"})
    assert on_segment["address"] == on_lane["address"] == "福光路（距起点约20米）"  # its first segment starts the lane
    assert on_segment["address_id"] == on_lane["address_id"] == f"lane:{ids.lane}"


def _one_subdistrict(data: Dataset, key: str, surveyed: dict[str, tuple[float, float]]) -> Dataset:
    """The data set cut down to one subdistrict, with some checkpoints' positions surveyed."""
    subs = tuple(s for s in data.subdistricts if s.key == key)
    lanes = tuple(x for x in data.lanes if x.subdistrict_key == key)
    lane_keys = {x.key for x in lanes}
    segments = tuple(x for x in data.segments if x.lane_key in lane_keys)
    segment_keys = {x.key for x in segments}
    stewards = tuple(x for x in data.stewards if x.subdistrict_key == key)
    steward_keys = {x.key for x in stewards}
    checkpoints = tuple(
        dataclasses.replace(c, latitude=surveyed[c.key][0], longitude=surveyed[c.key][1]) if c.key in surveyed else c
        for c in data.checkpoints if c.segment_key in segment_keys)
    return Dataset(
        districts=tuple(d for d in data.districts if d.key in {s.district_key for s in subs}), subdistricts=subs,
        communities=tuple(x for x in data.communities if x.subdistrict_key == key), lanes=lanes, segments=segments,
        checkpoints=checkpoints, stewards=stewards,
        chiefs=tuple(x for x in data.chiefs if x.subdistrict_key == key),
        contractors=tuple(x for x in data.contractors if x.lane_key in lane_keys),
        bands=tuple(x for x in data.bands if x.steward_key in steward_keys),
        claims=tuple(x for x in data.claims if x.steward_key in steward_keys and x.segment_key in segment_keys),
    )


def test_coordinates_place_a_report_at_the_nearest_surveyed_checkpoint(engine: Engine, longtan: Dataset) -> None:
    fuguang_cps = [c for c in longtan.checkpoints if c.segment_key.startswith(
        next(x.key for x in longtan.lanes if x.name == "福光路") + "/")][:2]
    # Two beacons about 85 m apart along 福光路 (the positions are the test's, not a survey's).
    surveyed = {fuguang_cps[0].key: (39.87790, 116.42590), fuguang_cps[1].key: (39.87790, 116.42690)}
    prepare_store(engine, _one_subdistrict(longtan, "longtan", surveyed))
    client, accounts = api(engine), Accounts(engine)
    ids = fuguang(engine)
    key = issue_key(client, accounts, Role.STEWARD, steward_id=ids.zhao)
    with Session(engine) as s:
        near = s.scalar(select(t.Checkpoint.id).where(t.Checkpoint.key == fuguang_cps[1].key))

    # One subdistrict: jurisdiction_id may be left out.
    assert len(client.get("/open311/services.json").json()) == len(CODES)
    r = client.post("/open311/requests.json", data={"api_key": key, "service_code": "parking_lock",
                                                    "lat": "39.87795", "long": "116.42670"})
    assert r.status_code == 201, r.text
    [shown] = client.get(f"/open311/requests/{r.json()[0]['service_request_id']}.json",
                         params={"api_key": key, "jurisdiction_id": "longtan"}).json()
    assert shown["address_id"] == f"checkpoint:{near}"
    assert (shown["lat"], shown["long"]) == (39.87790, 116.42690)

    far = client.post("/open311/requests.json", data={"api_key": key, "service_code": "parking_lock",
                                                      "lat": "39.88500", "long": "116.42690"})
    assert far.status_code == 400 and "is 789 m from lat/long" in far.json()[0]["description"]


# --- one intake with POST /cases -------------------------------------------------------------------


def test_an_open311_report_joins_the_ledger_as_post_cases_does(client: TestClient, accounts: Accounts, ids: Fuguang,
                                                                seeded: Engine, clock: Clock) -> None:
    first = client.post("/cases", json={"category": "wall_opening", "checkpoint_id": ids.checkpoint},
                        headers=accounts.steward(ids.han))
    assert first.status_code == 201
    case_id = first.json()["case"]["id"]
    clock.advance(1)
    zhao_key = issue_key(client, accounts, Role.STEWARD, steward_id=ids.zhao)
    joined = client.post("/open311/requests.json", data={
        **J, "api_key": zhao_key, "service_code": "wall_opening", "address_id": f"checkpoint:{ids.checkpoint}"})
    assert joined.json()[0]["service_request_id"] == str(case_id)
    assert "已并入该案件" in joined.json()[0]["service_notice"]
    zhao = accounts.principal(Role.STEWARD, steward_id=ids.zhao)
    with Session(seeded) as s:
        entry = s.scalars(select(t.AuditEntry).where(t.AuditEntry.action == "case.report")
                          .order_by(t.AuditEntry.id.desc())).first()
        assert entry is not None and (entry.account_id, entry.subject, entry.lane_id) == (
            zhao.account_id, f"case:{case_id}", ids.lane)
        assert entry.after is not None and entry.after["via"] == "open311" and entry.after["opened"] is False

    # Zhao's own report, filed by Open311, opens a case and earns her the finder's points when confirmed.
    own = client.post("/open311/requests.json", data={
        **J, "api_key": zhao_key, "service_code": "street_vending", "address_id": f"lane:{ids.lane}",
        "attribute[position_m]": "200"}).json()[0]["service_request_id"]
    key = {**J, "api_key": zhao_key}
    for to, note in (("confirmed", "核实属实"), ("fixed", "已清理"), ("fix_confirmed", "任务完成确认")):
        clock.advance(24)
        assert client.post(f"/cases/{own}/transitions", json={"to": to, "note": note},
                           headers=accounts.chief(ids.chief)).status_code == 200
        if to == "confirmed":
            [shown] = client.get(f"/open311/requests/{own}.json", params=key).json()
            assert (shown["status"], shown["status_notes"]) == ("open", "已确认：核实属实")
    [shown] = client.get(f"/open311/requests/{own}.json", params=key).json()
    assert (shown["status"], shown["status_notes"]) == ("closed", "已确认完成：任务完成确认")
    assert shown["updated_datetime"] == "2017-09-23T02:00:00Z"
    assert [r["service_request_id"] for r in client.get("/open311/requests.json",
                                                        params={**key, "status": "closed"}).json()] == [own]
    with Session(seeded) as s:
        drafts = [d for d in case_entry_drafts(s, CasePoints()) if d.evidence[0] == f"case/{own}"]
    assert [(d.rule, d.steward_id, d.points) for d in drafts] == [
        ("case_confirmed", ids.zhao, 3), ("case_fix_confirmed", ids.zhao, 5)]


def test_civicbot_sees_the_errors_as_http_errors(live: str, zhao_key: str) -> None:
    bot = civic(live, zhao_key)
    with pytest.raises(HttpError) as raised:
        bot.get_request("424242")
    assert raised.value.status == 404
    assert raised.value.body.startswith('[{"code":404,"description":"case 424242 does not exist"')
    refused = Open311Client(Endpoint(id="x", name="x", base_url=live, write=True),
                            transport=HttpTransport(rate_limiter=RateLimiter(min_interval=0.0)),
                            jurisdiction_id="longtan")
    with pytest.raises(HttpError) as raised:
        refused.list_requests()
    assert raised.value.status == 403
