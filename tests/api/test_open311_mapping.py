"""The pure half of Open311: states as open/closed, the search window, the XML spelling, distances."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from xml.etree import ElementTree as ET

import pytest

from api.open311 import mapping
from api.open311.xml import render
from scoring.cases.addresses import distance_m
from scoring.cases.errors import InvalidCaseInputError
from scoring.cases.workflow import CaseState

NOW = datetime(2017, 9, 30, 4, 0, tzinfo=UTC)


def test_a_case_is_open_while_the_workflow_can_move_it() -> None:
    assert {s for s in CaseState if mapping.status_of(s) == "open"} == {
        CaseState.REPORTED, CaseState.CONFIRMED, CaseState.ENFORCEMENT_REQUESTED, CaseState.FIXED}
    assert mapping.states_of("closed") == {
        CaseState.FIX_CONFIRMED, CaseState.NOT_RESPONSIBLE, CaseState.DUPLICATE, CaseState.CLOSED}
    assert mapping.states_of(" open , closed ") == set(CaseState)


def test_the_search_window_defaults_to_the_last_90_days_and_spans_no_more() -> None:
    default = mapping.request_search({}, NOW)
    assert (default.since, default.before) == (NOW - timedelta(days=90), NOW + timedelta(microseconds=1))
    start = datetime(2017, 1, 1, tzinfo=UTC)
    from_start = mapping.request_search({"start_date": "2017-01-01T00:00:00Z"}, NOW)
    assert (from_start.since, from_start.before) == (start, start + timedelta(days=90, microseconds=1))
    to_end = mapping.request_search({"end_date": "2017-04-01T08:00:00+08:00"}, NOW)
    assert to_end.since == datetime(2017, 1, 1, tzinfo=UTC)
    ids = mapping.request_search({"service_request_id": "3,1,3", "status": "nonsense"}, NOW)
    assert ids == mapping.RequestSearch(ids=frozenset({1, 3}))  # the ids override every other filter
    with pytest.raises(InvalidCaseInputError, match="more than 90 days"):
        mapping.request_search({"start_date": "2017-01-01T00:00:00Z", "end_date": "2017-04-02T00:00:00Z"}, NOW)
    with pytest.raises(InvalidCaseInputError, match="at most 500"):
        mapping.request_search({"service_request_id": ",".join(str(i) for i in range(1, 502))}, NOW)


def test_the_xml_spells_the_json() -> None:
    body = render("service_requests", [{"service_request_id": "1", "lat": 39.5, "metadata": True, "zipcode": None,
                                        "description": "<a> & \x00\x1f b"}])
    assert body.startswith(b'<?xml version="1.0" encoding="UTF-8"?>\n<service_requests><request>')
    request = ET.fromstring(body)[0]
    assert [(e.tag, e.text) for e in request] == [
        ("service_request_id", "1"), ("lat", "39.5"), ("metadata", "true"), ("zipcode", None),
        ("description", "<a> &  b")]
    with pytest.raises(KeyError):
        render("unknown_list", [1])  # a list the table does not name has no item element


def test_distances_along_beijing_streets() -> None:
    # 0.001 degrees of latitude is about 111 m anywhere; of longitude at 39.9°N about 85 m.
    assert distance_m(39.9, 116.4, 39.901, 116.4) == pytest.approx(111.2, abs=0.1)
    assert distance_m(39.9, 116.4, 39.9, 116.401) == pytest.approx(85.3, abs=0.1)
    assert distance_m(39.9, 116.4, 39.9, 116.4) == 0
