"""Bluetooth LE bytes: advertisements of beacons and bands, and the band's patrol-log GATT service.

Everything a BLE band, a BLE beacon and a BLE gateway must agree on lives here; the radio stack
(BlueZ through bleak on a gateway, Bumble in the emulation) only carries these bytes.

Advertisements carry manufacturer-specific data (AD type 0xFF) under `COMPANY_ID`, whose first
byte says what is advertising:
    beacon  >B I 8s b   0x02, checkpoint_id, rotating token (see `wire.beacon`), tx power at 1 m (dBm)
    band    >B I H B    0x01, band_id, pending records (saturating at 65535), battery %
A band's Bluetooth address may be random and change; its band_id in the advertisement is what a
gateway recognises it by.

The patrol-log service (`PATROL_LOG_SERVICE_UUID`) has five characteristics:
    log      notify  fragments of uplink messages (LogSegment frames), see below
    control  write   one opcode byte: CONTROL_SYNC asks the band to send everything pending
    ack      write   one `wire.Ack` frame of at most MAX_ACK_RANGES_PER_WRITE ranges (an attribute
                     value is at most 512 bytes); the band frees exactly the records it names
    time     read/write  >q UTC milliseconds: the gateway sets the band's clock
    status   read    >I I H  band_id, boot, pending records

A segment is longer than one notification, so each notification on `log` is one fragment:
a flags byte, then up to (ATT MTU - 4) bytes of the frame. FRAGMENT_FIRST starts a frame,
FRAGMENT_LAST ends it (a frame that fits in one fragment has both). A notification whose flags are
exactly FRAGMENT_END_OF_SYNC, with no body, says the band has sent everything it had when the sync
began. A link that drops mid-frame loses only that partial frame: its records stay pending in
the band's flash until an ack names them.
"""

from __future__ import annotations

import struct
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Final

from wire.beacon import BEACON_TOKEN_BYTES
from wire.errors import FrameError
from wire.frames import ACK_HEADER_BYTES, ACK_RANGE_BYTES, MAX_UPLINK_BYTES

__all__ = [
    "ACK_CHAR_UUID",
    "BATTERY_LEVEL_CHAR_UUID",
    "BATTERY_SERVICE_UUID",
    "COMPANY_ID",
    "CONTROL_CHAR_UUID",
    "CONTROL_SYNC",
    "DEVICE_INFORMATION_SERVICE_UUID",
    "FRAGMENT_END_OF_SYNC",
    "FRAGMENT_FIRST",
    "FRAGMENT_LAST",
    "LOG_CHAR_UUID",
    "MAX_ACK_RANGES_PER_WRITE",
    "MANUFACTURER_NAME_CHAR_UUID",
    "MODEL_NUMBER_CHAR_UUID",
    "FIRMWARE_REVISION_CHAR_UUID",
    "PATROL_LOG_SERVICE_UUID",
    "PENDING_MAX",
    "STATUS_CHAR_UUID",
    "TIME_CHAR_UUID",
    "BandAdvert",
    "BandStatus",
    "BeaconAdvert",
    "Reassembler",
    "decode_advert",
    "decode_time",
    "encode_time",
    "end_of_sync",
    "fragments",
]

# 0xFFFF is the Bluetooth SIG's identifier reserved for testing; a production fleet uses the
# operator's assigned company identifier instead (one constant, here).
COMPANY_ID: Final = 0xFFFF

_BASE: Final = "-5d1c-4b3a-9c4e-6c616e657631"  # ...lanev1
PATROL_LOG_SERVICE_UUID: Final = "b7e0a000" + _BASE
LOG_CHAR_UUID: Final = "b7e0a001" + _BASE
CONTROL_CHAR_UUID: Final = "b7e0a002" + _BASE
ACK_CHAR_UUID: Final = "b7e0a003" + _BASE
TIME_CHAR_UUID: Final = "b7e0a004" + _BASE
STATUS_CHAR_UUID: Final = "b7e0a005" + _BASE

# Standard SIG services, in bleak's 128-bit string form.
BATTERY_SERVICE_UUID: Final = "0000180f-0000-1000-8000-00805f9b34fb"
BATTERY_LEVEL_CHAR_UUID: Final = "00002a19-0000-1000-8000-00805f9b34fb"
DEVICE_INFORMATION_SERVICE_UUID: Final = "0000180a-0000-1000-8000-00805f9b34fb"
MANUFACTURER_NAME_CHAR_UUID: Final = "00002a29-0000-1000-8000-00805f9b34fb"
MODEL_NUMBER_CHAR_UUID: Final = "00002a24-0000-1000-8000-00805f9b34fb"
FIRMWARE_REVISION_CHAR_UUID: Final = "00002a26-0000-1000-8000-00805f9b34fb"

CONTROL_SYNC: Final = 0x01
ATT_MAX_VALUE_BYTES: Final = 512  # Core Vol 3 Part F 3.2.9: the longest attribute value
MAX_ACK_RANGES_PER_WRITE: Final = (ATT_MAX_VALUE_BYTES - ACK_HEADER_BYTES) // ACK_RANGE_BYTES

FRAGMENT_FIRST: Final = 0x01
FRAGMENT_LAST: Final = 0x02
FRAGMENT_END_OF_SYNC: Final = 0x04
_FRAGMENT_FLAGS: Final = FRAGMENT_FIRST | FRAGMENT_LAST
ATT_OVERHEAD_BYTES: Final = 3  # opcode + handle in front of every notification's value
FRAGMENT_HEADER_BYTES: Final = 1

PENDING_MAX: Final = 0xFFFF
_TYPE_BAND: Final = 0x01
_TYPE_BEACON: Final = 0x02
_BAND: Final = struct.Struct(">BIHB")
_BEACON: Final = struct.Struct(f">BI{BEACON_TOKEN_BYTES}sb")
_STATUS: Final = struct.Struct(">IIH")
_TIME: Final = struct.Struct(">q")


@dataclass(frozen=True, slots=True)
class BeaconAdvert:
    """What a checkpoint beacon broadcasts during one token window."""

    checkpoint_id: int
    token: bytes
    tx_power_dbm: int

    def __bytes__(self) -> bytes:
        try:
            return _BEACON.pack(_TYPE_BEACON, self.checkpoint_id, self.token, self.tx_power_dbm)
        except struct.error as exc:
            raise FrameError("field_range", f"beacon advert {self!r}: {exc}") from None


@dataclass(frozen=True, slots=True)
class BandAdvert:
    """What a band broadcasts so a gateway can tell, before connecting, whether it has work."""

    band_id: int
    pending: int
    battery_pct: int

    def __bytes__(self) -> bytes:
        try:
            return _BAND.pack(_TYPE_BAND, self.band_id, min(self.pending, PENDING_MAX), self.battery_pct)
        except struct.error as exc:
            raise FrameError("field_range", f"band advert {self!r}: {exc}") from None


def decode_advert(manufacturer_data: bytes) -> BandAdvert | BeaconAdvert | None:
    """Decode the bytes that follow COMPANY_ID; None for anything that is not ours.

    Scanners hear every device nearby, so foreign payloads are normal and are not errors.
    """
    if not manufacturer_data:
        return None
    kind = manufacturer_data[0]
    if kind == _TYPE_BAND and len(manufacturer_data) == _BAND.size:
        _, band_id, pending, battery = _BAND.unpack(manufacturer_data)
        return BandAdvert(band_id, pending, battery) if band_id else None
    if kind == _TYPE_BEACON and len(manufacturer_data) == _BEACON.size:
        _, checkpoint_id, token, tx_power = _BEACON.unpack(manufacturer_data)
        return BeaconAdvert(checkpoint_id, token, tx_power) if checkpoint_id else None
    return None


@dataclass(frozen=True, slots=True)
class BandStatus:
    band_id: int
    boot: int
    pending: int

    def __bytes__(self) -> bytes:
        return _STATUS.pack(self.band_id, self.boot, min(self.pending, PENDING_MAX))

    @classmethod
    def from_bytes(cls, data: bytes) -> BandStatus:
        if len(data) != _STATUS.size:
            raise FrameError("bad_length", f"band status is {_STATUS.size} bytes, got {len(data)}")
        return cls(*_STATUS.unpack(data))


def encode_time(epoch_ms: int) -> bytes:
    return _TIME.pack(epoch_ms)


def decode_time(data: bytes) -> int:
    if len(data) != _TIME.size:
        raise FrameError("bad_length", f"a time value is {_TIME.size} bytes, got {len(data)}")
    epoch_ms: int = _TIME.unpack(data)[0]  # struct gives Any; the format is one unsigned integer
    return epoch_ms


def fragments(frame: bytes, mtu: int) -> Iterator[bytes]:
    """Split one uplink frame into notification values for an ATT MTU of `mtu`."""
    body = mtu - ATT_OVERHEAD_BYTES - FRAGMENT_HEADER_BYTES
    if body < 1:
        raise FrameError("field_range", f"ATT MTU {mtu} leaves no room for a fragment body")
    if not frame:
        raise FrameError("truncated", "an empty frame has nothing to send")
    last_start = (len(frame) - 1) // body * body
    for start in range(0, len(frame), body):
        flags = (FRAGMENT_FIRST if start == 0 else 0) | (FRAGMENT_LAST if start == last_start else 0)
        yield bytes((flags,)) + frame[start : start + body]


def end_of_sync() -> bytes:
    return bytes((FRAGMENT_END_OF_SYNC,))


class Reassembler:
    """Rebuild uplink frames from `log` notifications, one connection at a time.

    `feed` returns a complete frame, or None while a frame is still arriving. It raises
    FrameError for a fragment that cannot belong to a frame (no FIRST, oversized, unknown flags);
    the caller drops the partial frame and the band resends its records later.
    """

    def __init__(self, max_frame_bytes: int = MAX_UPLINK_BYTES) -> None:
        self._max = max_frame_bytes
        self._parts: list[bytes] = []
        self._size = 0
        self.end_of_sync = False

    def reset(self) -> None:
        self._parts.clear()
        self._size = 0

    def feed(self, value: bytes | bytearray) -> bytes | None:
        if not value:
            raise FrameError("truncated", "an empty notification on the log characteristic")
        flags, body = value[0], bytes(value[1:])
        if flags == FRAGMENT_END_OF_SYNC and not body:
            self.end_of_sync = True
            return None
        if flags & ~_FRAGMENT_FLAGS:
            self.reset()
            raise FrameError("bad_type", f"fragment flags 0x{flags:02x} are not defined")
        if flags & FRAGMENT_FIRST:
            self.reset()
        elif not self._parts:
            raise FrameError("truncated", "a continuation fragment arrived without a first fragment")
        self._size += len(body)
        if self._size > self._max:
            self.reset()
            raise FrameError("too_long", f"reassembled frame exceeds {self._max} bytes")
        self._parts.append(body)
        if not flags & FRAGMENT_LAST:
            return None
        frame = b"".join(self._parts)
        self.reset()
        return frame
