"""Advertising data structures into bleak's fields: well-formed ones as a table, hostile ones skipped."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bleak_bumble.advertisement import AdvertisementFields, advertisement_fields, uuid_from_le_bytes

BATTERY = "0000180f-0000-1000-8000-00805f9b34fb"
PATROL_LOG = "b7e0a000-5d1c-4b3a-9c4e-6c616e657631"
PATROL_LOG_LE = bytes.fromhex("3176656e616c4e9c3a4b1c5d00a0e0b7")  # the same UUID as sent: little-endian


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (b"\x0f\x18", BATTERY),
        (b"\x0f\x18\x00\x00", BATTERY),
        (bytes.fromhex("fb349b5f80000080001000000f180000"), BATTERY),
        (PATROL_LOG_LE, PATROL_LOG),
    ],
)
def test_uuids_come_out_as_bleak_writes_them(raw: bytes, expected: str) -> None:
    assert uuid_from_le_bytes(raw) == expected


def test_a_uuid_of_another_length_is_refused() -> None:
    with pytest.raises(ValueError, match="2, 4 or 16"):
        uuid_from_le_bytes(b"\x0f\x18\x00")


@pytest.mark.parametrize(
    ("structures", "expected"),
    [
        pytest.param([], AdvertisementFields(), id="empty"),
        pytest.param([(0x09, "巷-7".encode())], AdvertisementFields(local_name="巷-7"), id="complete name"),
        pytest.param([(0x08, b"band"), (0x09, b"band-7")], AdvertisementFields(local_name="band-7"),
                     id="complete name wins over shortened"),
        pytest.param([(0x08, b"band")], AdvertisementFields(local_name="band"), id="shortened name alone"),
        pytest.param([(0x09, b"b\xffd")], AdvertisementFields(local_name="b\ufffdd"),
                     id="bad UTF-8 is replaced, not fatal"),
        pytest.param([(0xFF, b"\xff\xff\x01\x00\x00\x03\xe9")],
                     AdvertisementFields(manufacturer_data={0xFFFF: b"\x01\x00\x00\x03\xe9"}),
                     id="manufacturer data, company id little-endian"),
        pytest.param([(0xFF, b"\x4c\x00")], AdvertisementFields(manufacturer_data={0x004C: b""}),
                     id="manufacturer data with an empty payload"),
        pytest.param([(0xFF, b"\xff")], AdvertisementFields(), id="manufacturer data too short: skipped"),
        pytest.param([(0x16, b"\x0f\x18\x50")], AdvertisementFields(service_data={BATTERY: b"\x50"}),
                     id="16-bit service data"),
        pytest.param([(0x21, PATROL_LOG_LE + b"\x07")], AdvertisementFields(service_data={PATROL_LOG: b"\x07"}),
                     id="128-bit service data"),
        pytest.param([(0x21, PATROL_LOG_LE[:15])], AdvertisementFields(), id="service data shorter than its UUID"),
        pytest.param([(0x03, b"\x0f\x18\x0a\x18")],
                     AdvertisementFields(service_uuids=[BATTERY, "0000180a-0000-1000-8000-00805f9b34fb"]),
                     id="16-bit UUID list"),
        pytest.param([(0x07, PATROL_LOG_LE), (0x02, b"\x0f\x18"), (0x03, b"\x0f\x18")],
                     AdvertisementFields(service_uuids=[PATROL_LOG, BATTERY]), id="UUIDs deduplicated in order"),
        pytest.param([(0x03, b"\x0f\x18\x0a")], AdvertisementFields(service_uuids=[BATTERY]),
                     id="a partial UUID at the end is dropped"),
        pytest.param([(0x06, PATROL_LOG_LE[:10])], AdvertisementFields(), id="128-bit list with no whole UUID"),
        pytest.param([(0x0A, b"\xf4")], AdvertisementFields(tx_power_dbm=-12), id="TX power is signed"),
        pytest.param([(0x0A, b"")], AdvertisementFields(), id="TX power with no byte: skipped"),
        pytest.param([(0x0A, b"\x00\x00")], AdvertisementFields(), id="TX power of two bytes: skipped"),
        pytest.param([(0x01, b"\x06"), (0x19, b"\xc1\x03")], AdvertisementFields(), id="other types ignored"),
        pytest.param([(0xFF, b"\xff\xff\x01"), (0xFF, b"\xff\xff\x02")],
                     AdvertisementFields(manufacturer_data={0xFFFF: b"\x02"}), id="last manufacturer data wins"),
    ],
)
def test_fields(structures: list[tuple[int, bytes]], expected: AdvertisementFields) -> None:
    assert advertisement_fields(structures) == expected


@given(st.lists(st.tuples(st.integers(0, 255), st.binary(max_size=40)), max_size=12))
def test_any_bytes_give_fields_and_never_raise(structures: list[tuple[int, bytes]]) -> None:
    fields = advertisement_fields(structures)
    assert all(len(u) == 36 and u == u.lower() for u in [*fields.service_uuids, *fields.service_data])
    assert all(0 <= company <= 0xFFFF for company in fields.manufacturer_data)
    assert fields.tx_power_dbm is None or -128 <= fields.tx_power_dbm <= 127
