"""Topic names: the exact strings, and strict parsing of everything else."""

from __future__ import annotations

import pytest

import wire

U32_MAX = 2**32 - 1


def test_topic_strings() -> None:
    assert wire.TOPIC_ROOT == "stewards/v1"
    assert wire.uplink_topic(1001) == "stewards/v1/bands/1001/up"
    assert wire.ack_topic(1001) == "stewards/v1/bands/1001/ack"
    assert wire.uplink_topic(U32_MAX) == "stewards/v1/bands/4294967295/up"
    assert wire.UPLINK_FILTER == "stewards/v1/bands/+/up"
    assert wire.shared_uplink_filter() == "$share/gateways/stewards/v1/bands/+/up"
    assert wire.shared_uplink_filter("east") == "$share/east/stewards/v1/bands/+/up"
    assert wire.UPLINK_QOS == wire.ACK_QOS == 1


@pytest.mark.parametrize("band_id", [1, 9, 10, 1001, 2**31, U32_MAX])
def test_topics_roundtrip(band_id: int) -> None:
    assert wire.band_id_from_uplink_topic(wire.uplink_topic(band_id)) == band_id
    assert wire.band_id_from_ack_topic(wire.ack_topic(band_id)) == band_id


@pytest.mark.parametrize("band_id", [0, -1, U32_MAX + 1, True, 1.0, "1001", None])
def test_topic_builders_refuse_bad_band_ids(band_id: object) -> None:
    with pytest.raises(wire.TopicError):
        wire.uplink_topic(band_id)  # type: ignore[arg-type]
    with pytest.raises(wire.TopicError):
        wire.ack_topic(band_id)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "topic",
    [
        "",
        "stewards/v1/bands/1001/ack",  # the other direction
        "stewards/v2/bands/1001/up",  # wrong root
        "Stewards/v1/bands/1001/up",  # topics are case-sensitive
        "/stewards/v1/bands/1001/up",
        "stewards/v1/bands/1001/up/",
        "stewards/v1/bands/1001/up/extra",  # extra level
        "stewards/v1/bands/extra/1001/up",
        "stewards/v1/bands//up",  # empty band id
        "stewards/v1/bands/01001/up",  # leading zero
        "stewards/v1/bands/0/up",
        "stewards/v1/bands/+/up",
        "stewards/v1/bands/#",
        "stewards/v1/bands/#/up",
        "stewards/v1/bands/10a1/up",
        "stewards/v1/bands/-1/up",
        "stewards/v1/bands/+1/up",
        "stewards/v1/bands/ 1/up",
        "stewards/v1/bands/1_000/up",
        "stewards/v1/bands/\u0661\u0660\u0660\u0661/up",  # Arabic-Indic 1001: str.isdigit() is True
        "stewards/v1/bands/\u00b2/up",  # superscript two
        "stewards/v1/bands/4294967296/up",  # 2^32
        "stewards/v1/bands/99999999999/up",
        "stewards/v1/bands/1001/up\x00",
        "$share/gateways/stewards/v1/bands/1001/up",
    ],
)
def test_band_id_from_uplink_topic_refuses(topic: str) -> None:
    with pytest.raises(wire.TopicError):
        wire.band_id_from_uplink_topic(topic)


def test_band_id_from_ack_topic_refuses_uplinks() -> None:
    with pytest.raises(wire.TopicError):
        wire.band_id_from_ack_topic("stewards/v1/bands/1001/up")


def test_topic_parsers_refuse_bytes() -> None:
    with pytest.raises(wire.TopicError):
        wire.band_id_from_uplink_topic(b"stewards/v1/bands/1001/up")  # type: ignore[arg-type]


@pytest.mark.parametrize("group", ["", "a/b", "a+", "#", " gw", "gw\x00", None])
def test_shared_filter_refuses_bad_group_names(group: object) -> None:
    with pytest.raises(wire.TopicError):
        wire.shared_uplink_filter(group)  # type: ignore[arg-type]


def test_topic_error_is_a_value_error() -> None:
    assert issubclass(wire.TopicError, ValueError)
    assert issubclass(wire.TopicError, wire.WireError)
