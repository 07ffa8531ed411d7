"""MQTT topic names of protocol v1 and the QoS both directions use.

    stewards/v1/bands/{band_id}/up    band → gateway: LiveRecord or LogSegment, QoS 1
    stewards/v1/bands/{band_id}/ack   gateway → band: Ack, QoS 1

`band_id` is written in decimal without leading zeros, 1 .. 2^32-1, and is also the band's MQTT
username, so the broker ACL can pin each band to its own two topics with `%u` patterns.
Parsing is strict: a topic either is exactly one of these shapes or raises `TopicError`.
"""

from __future__ import annotations

from typing import Final

from wire.errors import TopicError

__all__ = [
    "ACK_QOS",
    "DEFAULT_SHARE_GROUP",
    "TOPIC_ROOT",
    "UPLINK_FILTER",
    "UPLINK_QOS",
    "ack_topic",
    "band_id_from_ack_topic",
    "band_id_from_uplink_topic",
    "shared_uplink_filter",
    "uplink_topic",
]

TOPIC_ROOT: Final = "stewards/v1"
# At-least-once both ways: the application ack, not QoS 2, is what makes delivery reliable, and
# the server's dedupe on (band_id, boot, seq) makes the duplicates QoS 1 allows harmless.
UPLINK_QOS: Final = 1
ACK_QOS: Final = 1
UPLINK_FILTER: Final = f"{TOPIC_ROOT}/bands/+/up"
DEFAULT_SHARE_GROUP: Final = "gateways"

_BANDS_PREFIX: Final = f"{TOPIC_ROOT}/bands/"
_UPLINK_SUFFIX: Final = "/up"
_ACK_SUFFIX: Final = "/ack"
_U32_MAX: Final = 0xFFFF_FFFF
_MAX_BAND_ID_DIGITS: Final = len(str(_U32_MAX))


def uplink_topic(band_id: int) -> str:
    """The topic a band publishes its uplinks on."""
    return f"{_BANDS_PREFIX}{_check_band_id(band_id)}{_UPLINK_SUFFIX}"


def ack_topic(band_id: int) -> str:
    """The topic the gateway publishes a band's acks on and the band subscribes to."""
    return f"{_BANDS_PREFIX}{_check_band_id(band_id)}{_ACK_SUFFIX}"


def band_id_from_uplink_topic(topic: str) -> int:
    """The band id in `stewards/v1/bands/{band_id}/up`; TopicError for any other topic."""
    return _band_id_between(topic, _UPLINK_SUFFIX)


def band_id_from_ack_topic(topic: str) -> int:
    """The band id in `stewards/v1/bands/{band_id}/ack`; TopicError for any other topic."""
    return _band_id_between(topic, _ACK_SUFFIX)


def shared_uplink_filter(group: str = DEFAULT_SHARE_GROUP) -> str:
    """MQTT v5 shared subscription over every band's uplink, so gateways split the stream."""
    if (
        not isinstance(group, str)
        or not group
        or any(c in group for c in "/+#\x00")
        or group != group.strip()
    ):
        raise TopicError(
            f"share group {group!r} must be a non-empty name without '/', '+', '#', NUL or "
            "surrounding spaces: pick a plain name such as 'gateways'"
        )
    return f"$share/{group}/{UPLINK_FILTER}"


def _check_band_id(band_id: int) -> int:
    if type(band_id) is not int or not 0 < band_id <= _U32_MAX:
        raise TopicError(
            f"band_id {band_id!r} is not an int in 1 .. {_U32_MAX}: check the band's registration"
        )
    return band_id


def _band_id_between(topic: str, suffix: str) -> int:
    if (
        not isinstance(topic, str)
        or not topic.startswith(_BANDS_PREFIX)
        or not topic.endswith(suffix)
    ):
        raise TopicError(f"{topic!r} is not of the form {_BANDS_PREFIX}<band_id>{suffix}")
    digits = topic[len(_BANDS_PREFIX) : len(topic) - len(suffix)]
    # isascii() too: str.isdigit() also accepts Arabic-Indic and superscript digits.
    if (
        not digits
        or len(digits) > _MAX_BAND_ID_DIGITS
        or not digits.isascii()
        or not digits.isdigit()
        or digits[0] == "0"
    ):
        raise TopicError(
            f"{topic!r}: the band id level must be a decimal number 1 .. {_U32_MAX} "
            "without leading zeros"
        )
    band_id = int(digits)
    if band_id > _U32_MAX:
        raise TopicError(f"{topic!r}: band id {band_id} is above {_U32_MAX}")
    return band_id
