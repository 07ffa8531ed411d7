"""Advertising data structures (AD type, bytes) from the radio, as the fields of bleak's `AdvertisementData`.

The bytes come from whatever is in range, so every structure is checked before it is used: one that
is too short for its type, or whose UUID list is not a whole number of UUIDs, is skipped (or cut to
its whole UUIDs) and the rest of the advertisement still counts. Nothing here raises on bad bytes.

UUIDs are given the way bleak gives them: 128-bit, lowercase, with dashes ("0000180f-0000-1000-8000-
00805f9b34fb" for the 16-bit 0x180F). Advertising data stores UUIDs and the company identifier
little-endian (Core spec, Vol 3, Part C, 11 and Supplement to the Core Spec, Part A, 1).
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Final

from bleak.uuids import normalize_uuid_16, normalize_uuid_32

__all__ = ["AdvertisementFields", "advertisement_fields", "uuid_from_le_bytes"]

log = logging.getLogger(__name__)

# AD types (Bluetooth Assigned Numbers, "Common Data Types").
AD_INCOMPLETE_16_BIT_UUIDS: Final = 0x02
AD_COMPLETE_16_BIT_UUIDS: Final = 0x03
AD_INCOMPLETE_32_BIT_UUIDS: Final = 0x04
AD_COMPLETE_32_BIT_UUIDS: Final = 0x05
AD_INCOMPLETE_128_BIT_UUIDS: Final = 0x06
AD_COMPLETE_128_BIT_UUIDS: Final = 0x07
AD_SHORTENED_LOCAL_NAME: Final = 0x08
AD_COMPLETE_LOCAL_NAME: Final = 0x09
AD_TX_POWER_LEVEL: Final = 0x0A
AD_SERVICE_DATA_16_BIT: Final = 0x16
AD_SERVICE_DATA_32_BIT: Final = 0x20
AD_SERVICE_DATA_128_BIT: Final = 0x21
AD_MANUFACTURER_SPECIFIC_DATA: Final = 0xFF

_UUID_LIST_WIDTH_BYTES: Final[dict[int, int]] = {
    AD_INCOMPLETE_16_BIT_UUIDS: 2,
    AD_COMPLETE_16_BIT_UUIDS: 2,
    AD_INCOMPLETE_32_BIT_UUIDS: 4,
    AD_COMPLETE_32_BIT_UUIDS: 4,
    AD_INCOMPLETE_128_BIT_UUIDS: 16,
    AD_COMPLETE_128_BIT_UUIDS: 16,
}
_SERVICE_DATA_UUID_BYTES: Final[dict[int, int]] = {
    AD_SERVICE_DATA_16_BIT: 2,
    AD_SERVICE_DATA_32_BIT: 4,
    AD_SERVICE_DATA_128_BIT: 16,
}
COMPANY_ID_BYTES: Final = 2


@dataclass(slots=True)
class AdvertisementFields:
    """What one advertisement (with its scan response, if any) says, in bleak's terms."""

    local_name: str | None = None
    manufacturer_data: dict[int, bytes] = field(default_factory=dict)
    service_data: dict[str, bytes] = field(default_factory=dict)
    service_uuids: list[str] = field(default_factory=list)
    tx_power_dbm: int | None = None


def uuid_from_le_bytes(raw: bytes) -> str:
    """A 2-, 4- or 16-byte little-endian UUID as bleak's 128-bit lowercase string.

    Raises ValueError for any other length.
    """
    if len(raw) == 2:
        return normalize_uuid_16(int.from_bytes(raw, "little"))
    if len(raw) == 4:
        return normalize_uuid_32(int.from_bytes(raw, "little"))
    if len(raw) == 16:
        return str(uuid.UUID(bytes=raw[::-1]))
    raise ValueError(f"a UUID is 2, 4 or 16 bytes long, not {len(raw)}")


def advertisement_fields(structures: Iterable[tuple[int, bytes]]) -> AdvertisementFields:
    """Collect the fields bleak reports from (AD type, AD data) pairs, skipping malformed ones.

    A complete local name wins over a shortened one; otherwise, and for repeated manufacturer or
    service data keys, the last structure wins, as when a scan response repeats the advertisement.
    """
    fields = AdvertisementFields()
    shortened_name: str | None = None
    for ad_type, data in structures:
        if ad_type == AD_COMPLETE_LOCAL_NAME:
            fields.local_name = _text(data)
        elif ad_type == AD_SHORTENED_LOCAL_NAME:
            shortened_name = _text(data)
        elif ad_type == AD_MANUFACTURER_SPECIFIC_DATA:
            if len(data) < COMPANY_ID_BYTES:
                log.debug("skipping manufacturer data of %d bytes: no room for a company id", len(data))
                continue
            fields.manufacturer_data[int.from_bytes(data[:COMPANY_ID_BYTES], "little")] = bytes(
                data[COMPANY_ID_BYTES:]
            )
        elif ad_type in _SERVICE_DATA_UUID_BYTES:
            width = _SERVICE_DATA_UUID_BYTES[ad_type]
            if len(data) < width:
                log.debug("skipping service data of %d bytes: shorter than its %d-byte UUID", len(data), width)
                continue
            fields.service_data[uuid_from_le_bytes(bytes(data[:width]))] = bytes(data[width:])
        elif ad_type in _UUID_LIST_WIDTH_BYTES:
            width = _UUID_LIST_WIDTH_BYTES[ad_type]
            if len(data) % width:
                log.debug("UUID list of %d bytes is not whole %d-byte UUIDs; keeping the whole ones",
                          len(data), width)
            for offset in range(0, len(data) - width + 1, width):
                service_uuid = uuid_from_le_bytes(bytes(data[offset : offset + width]))
                if service_uuid not in fields.service_uuids:
                    fields.service_uuids.append(service_uuid)
        elif ad_type == AD_TX_POWER_LEVEL:
            if len(data) != 1:
                log.debug("skipping a TX power level of %d bytes (it is one signed byte)", len(data))
                continue
            fields.tx_power_dbm = int.from_bytes(data, "little", signed=True)
    if fields.local_name is None:
        fields.local_name = shortened_name
    return fields


def _text(data: bytes) -> str:
    # A name is for people to read: a bad byte becomes U+FFFD rather than losing the whole name.
    return bytes(data).decode("utf-8", errors="replace")
