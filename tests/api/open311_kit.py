"""What the Open311 tests share: the spec's XML shapes, the ids of 福光路, and api keys for callers."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from xml.etree import ElementTree as ET

from fastapi.testclient import TestClient
from sqlalchemy import Engine, Select, select
from sqlalchemy.orm import Session

from scoring.accounts.roles import Role
from scoring.storage import tables as t
from tests.api.signin import Accounts

REQUEST_FIELDS = ("service_request_id", "status", "status_notes", "service_name", "service_code", "description",
                  "agency_responsible", "service_notice", "requested_datetime", "updated_datetime",
                  "expected_datetime", "address", "address_id", "zipcode", "lat", "long", "media_url")
CREATED_FIELDS = ("service_request_id", "token", "service_notice", "account_id")
TOKEN_FIELDS = ("token", "service_request_id")

# GeoReport v2's documents: an element's children in order, or ("*", item) for a list of items.
SHAPES: dict[str, tuple[str, ...]] = {
    "discovery": ("changeset", "contact", "key_service", "endpoints"),
    "endpoints": ("*", "endpoint"),
    "endpoint": ("specification", "url", "changeset", "type", "formats"),
    "formats": ("*", "format"),
    "services": ("*", "service"),
    "service": ("service_code", "service_name", "description", "metadata", "type", "keywords", "group"),
    "service_definition": ("service_code", "attributes"),
    "attributes": ("*", "attribute"),
    "attribute": ("variable", "code", "datatype", "required", "datatype_description", "order", "description",
                  "values"),
    "values": ("*", "value"),
    "value": ("key", "name"),
    "service_requests": ("*", "request"),
    "errors": ("*", "error"),
    "error": ("code", "description"),
}
_REQUEST_SHAPES = (REQUEST_FIELDS, CREATED_FIELDS, TOKEN_FIELDS)


def check_xml(body: bytes, root: str) -> ET.Element:
    """Parse an answer and check it has the spec's shape from its declaration down; returns the root."""
    assert body.startswith(b'<?xml version="1.0" encoding="UTF-8"?>'), body[:60]
    element = ET.fromstring(body)
    assert element.tag == root, element.tag
    _check(element)
    return element


def _check(element: ET.Element) -> None:
    children = [c.tag for c in element]
    if element.tag == "request":
        assert tuple(children) in _REQUEST_SHAPES, children
    elif element.tag in SHAPES:
        shape = SHAPES[element.tag]
        if shape[0] == "*":
            assert set(children) <= {shape[1]}, (element.tag, children)
        else:
            assert tuple(children) == shape, (element.tag, children)
    else:
        assert not children, f"{element.tag} is a value, not a container: {children}"
        return
    for child in element:
        _check(child)


def xml_as_json(element: ET.Element) -> Any:
    """The JSON document an XML answer spells, with every value as the text XML carries."""
    shape = SHAPES.get(element.tag)
    if shape is not None and shape[0] == "*":
        return [xml_as_json(c) for c in element]
    if element.tag in SHAPES or element.tag == "request":
        return {c.tag: xml_as_json(c) for c in element}
    return element.text


def as_xml_text(data: Any) -> Any:
    """A JSON document with its values written as XML writes them."""
    if isinstance(data, list):
        return [as_xml_text(v) for v in data]
    if isinstance(data, dict):
        return {k: as_xml_text(v) for k, v in data.items()}
    if isinstance(data, bool):
        return "true" if data else "false"
    return None if data is None or data == "" else str(data)


@dataclass(frozen=True)
class Fuguang:
    """福光路 of 龙潭 and the people on it."""

    lane: int
    lane_name: str
    segment: int
    segment_name: str
    checkpoint: int
    checkpoint_name: str
    chief: int
    zhao: int  # 赵云华
    han: int  # 韩险峰


def fuguang(engine: Engine) -> Fuguang:
    with Session(engine) as s:
        def one(query: Select[Any]) -> Any:
            found = s.execute(query).first()
            assert found is not None, query
            return found

        lane = one(select(t.Lane.id, t.Lane.name).where(t.Lane.name == "福光路"))
        segment = one(select(t.Segment.id, t.Segment.name).where(t.Segment.lane_id == lane.id).order_by(t.Segment.id))
        checkpoint = one(select(t.Checkpoint.id, t.Checkpoint.name).where(t.Checkpoint.segment_id == segment.id)
                         .order_by(t.Checkpoint.position_m))
        return Fuguang(
            lane=lane.id, lane_name=lane.name, segment=segment.id, segment_name=segment.name,
            checkpoint=checkpoint.id, checkpoint_name=checkpoint.name,
            chief=one(select(t.Chief.id).where(t.Chief.name == "梁金荣"))[0],
            zhao=one(select(t.Steward.id).where(t.Steward.name == "赵云华"))[0],
            han=one(select(t.Steward.id).where(t.Steward.name == "韩险峰"))[0],
        )


def issue_key(client: TestClient, accounts: Accounts, role: Role, **links: int) -> str:
    """An api key for the account of (role, links), issued by its holder through the API."""
    holder = accounts.principal(role, **links)
    r = client.post(f"/accounts/{holder.account_id}/api-keys", json={"label": "随手拍"},
                    headers=accounts.headers(role, **links))
    assert r.status_code == 201, r.text
    key: str = r.json()["api_key"]
    return key
