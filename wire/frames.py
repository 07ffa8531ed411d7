"""Protocol v1 frames: the only code that turns wire messages into bytes and bytes into messages.

Owns the 37-byte `Record`, the uplink messages a band sends (`LiveRecord`, `LogSegment`), the
gateway's `Ack`, the hash chain over a segment and the exact bytes each signature covers.
docs/protocol.md is the prose version of this module; the two change together.

All integers are big-endian. Every message starts with `version:u8 = 1, type:u8`. Frames are
frozen dataclasses: `__post_init__` checks ranges, `__bytes__` encodes, `from_bytes` decodes.
Input bytes are hostile: every length is checked before it is read, and anything wrong raises
`FrameError` with a short `.reason` code, never IndexError or struct.error.

Decoding is the gateway's hot path (tens of thousands of messages a second), so decoders use
precompiled `struct.Struct`s, validate each record once in a single range check, and build frames
through private constructors that skip the public constructors' repeated type checks.
"""

from __future__ import annotations

import hashlib
import struct
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from enum import IntEnum
from typing import Final

from nacl.signing import SigningKey

from wire.beacon import BEACON_TOKEN_BYTES
from wire.errors import FrameError, FrameErrorReason, TimestampError
from wire.signing import SIGNATURE_BYTES, sign_detached

__all__ = [
    "ACK_HEADER_BYTES",
    "ACK_RANGE_BYTES",
    "BATTERY_MAX_PCT",
    "EVENT_AT_END_MS",
    "EVENT_AT_MIN_MS",
    "HEARTBEAT_DETAIL_MAX",
    "LIVE_RECORD_BYTES",
    "MAX_ACK_BYTES",
    "MAX_ACK_RANGES",
    "MAX_SEGMENT_RECORDS",
    "MAX_UPLINK_BYTES",
    "PROTOCOL_VERSION",
    "RECORD_BYTES",
    "RSSI_MAX_DBM",
    "RSSI_MIN_DBM",
    "SEGMENT_HEADER_BYTES",
    "SIGNING_CONTEXT",
    "Ack",
    "AckRange",
    "AckStatus",
    "Kind",
    "LiveRecord",
    "LogSegment",
    "MessageType",
    "ProblemCategory",
    "Record",
    "acks_from_outcomes",
    "chain_link",
    "chain_origin",
    "decode_uplink",
    "epoch_ms",
]

PROTOCOL_VERSION: Final = 1
# Domain separation: a v1 band signature can never be taken for a signature over other data.
SIGNING_CONTEXT: Final = b"lane-stewards/v1\x00"
_CHAIN_LABEL: Final = b"chain"

_U16_MAX: Final = 0xFFFF
_U32_MAX: Final = 0xFFFF_FFFF

RECORD_BYTES: Final = 37
_MESSAGE_HEADER_BYTES: Final = 2  # version, type
LIVE_RECORD_BYTES: Final = _MESSAGE_HEADER_BYTES + RECORD_BYTES + SIGNATURE_BYTES  # 103
SEGMENT_HEADER_BYTES: Final = _MESSAGE_HEADER_BYTES + 4 + 2  # version, type, band_id, count
# 500 records is about 18.5 kB: within a small band's MQTT buffer and common broker packet limits.
MAX_SEGMENT_RECORDS: Final = 500
MAX_UPLINK_BYTES: Final = (
    SEGMENT_HEADER_BYTES + MAX_SEGMENT_RECORDS * RECORD_BYTES + SIGNATURE_BYTES
)  # 18572
ACK_HEADER_BYTES: Final = _MESSAGE_HEADER_BYTES + 4 + 2  # version, type, band_id, count
ACK_RANGE_BYTES: Final = 13
# A full segment with alternating outcomes needs at most 500 ranges; 2000 leaves room for a
# gateway that acks several segments of one band at once, and bounds an ack at about 26 kB.
MAX_ACK_RANGES: Final = 2000
MAX_ACK_BYTES: Final = ACK_HEADER_BYTES + MAX_ACK_RANGES * ACK_RANGE_BYTES

EVENT_AT_MIN_MS: Final = 1_420_070_400_000  # 2015-01-01T00:00:00Z, inclusive
EVENT_AT_END_MS: Final = 4_102_444_800_000  # 2100-01-01T00:00:00Z, exclusive
RSSI_MIN_DBM: Final = -127
RSSI_MAX_DBM: Final = 20
BATTERY_MAX_PCT: Final = 100
HEARTBEAT_DETAIL_MAX: Final = _U16_MAX  # lost-record counter saturates here

_EPOCH: Final = datetime(1970, 1, 1, tzinfo=UTC)
_ONE_MS: Final = timedelta(milliseconds=1)
_ZERO_TOKEN: Final = bytes(BEACON_TOKEN_BYTES)


class MessageType(IntEnum):
    """The second byte of every message."""

    LIVE_RECORD = 0x01
    LOG_SEGMENT = 0x02
    ACK = 0x03


class Kind(IntEnum):
    """What a record reports."""

    PATROL_CHECKIN = 1  # the steward tapped a checkpoint on patrol (日巡)
    PROBLEM_REPORT = 2  # a problem found on the lane; `detail` is its `ProblemCategory`
    DISSUASION = 3  # 劝阻: the steward dissuaded uncivil or illegal behaviour at a checkpoint
    HEARTBEAT = 4  # band status; no checkpoint; `detail` counts records lost to flash overflow


class ProblemCategory(IntEnum):
    """`Record.detail` of a PROBLEM_REPORT."""

    WALL_OPENING = 1  # 开墙打洞: holes knocked through walls to open shopfronts
    ILLEGAL_CONSTRUCTION = 2  # 违法建设
    PARKING_LOCK = 3  # 地桩地锁: private ground stakes and parking locks
    GROUP_RENTAL = 4  # 群租房屋: flats sublet to crowds
    PILED_MATERIALS = 5  # 堆物堆料: goods and materials piled in the lane
    STREET_VENDING = 6  # 占道经营: trading on the roadway
    OTHER = 7  # 其他


class AckStatus(IntEnum):
    """The gateway's outcome for one record. Every status frees the record on the band."""

    STORED = 0  # committed by this upload
    DUPLICATE = 1  # already stored by an earlier upload
    REFUSED = 2  # kept in the server's quarantine with a reason; resending will not help


_KIND_BY_VALUE: Final[dict[int, Kind]] = {k.value: k for k in Kind}
_STATUS_BY_VALUE: Final[dict[int, AckStatus]] = {s.value: s for s in AckStatus}
_PROBLEM_MIN: Final = min(ProblemCategory)
_PROBLEM_MAX: Final = max(ProblemCategory)

_RECORD: Final = struct.Struct(">BIIIqI8sbBH")
_MESSAGE_HEADER: Final = struct.Struct(">BB")
_BAND_COUNT: Final = struct.Struct(">IH")
_SEGMENT_HEADER: Final = struct.Struct(">BBIH")
_ACK_HEADER: Final = struct.Struct(">BBIH")
_ACK_RANGE: Final = struct.Struct(">IIIB")
_BAND_ID: Final = struct.Struct(">I")
_LIVE_HEADER: Final = _MESSAGE_HEADER.pack(PROTOCOL_VERSION, MessageType.LIVE_RECORD)
_SEGMENT_TYPE_HEADER: Final = _MESSAGE_HEADER.pack(PROTOCOL_VERSION, MessageType.LOG_SEGMENT)
_NO_SIGNATURE: Final = bytes(SIGNATURE_BYTES)

_sha256 = hashlib.sha256
_new_object = object.__new__
_set_attr = object.__setattr__


def epoch_ms(at: datetime) -> int:
    """Milliseconds since the Unix epoch for an aware datetime, exactly (no float rounding)."""
    if at.tzinfo is None or at.utcoffset() is None:
        raise TimestampError(f"{at!r} is naive: pass an aware UTC datetime (tzinfo=UTC)")
    return (at - _EPOCH) // _ONE_MS


# --------------------------------------------------------------------------------------------
# Record


@dataclass(frozen=True, slots=True)
class Record:
    """One event logged by a band: 37 bytes, struct `>BIIIqI8sbBH`. Key: (band_id, boot, seq)."""

    kind: Kind
    band_id: int  # 1 .. 2^32-1, the band's own number
    boot: int  # 0 .. 2^32-1, incremented on every reboot of the band
    seq: int  # 1 .. 2^32-1, restarts at 1 after a reboot
    event_at_ms: int  # ms since the Unix epoch, UTC, in [2015-01-01, 2100-01-01)
    checkpoint_id: int  # 0 for HEARTBEAT (and only then), >= 1 otherwise
    beacon_token: bytes  # 8 bytes heard from the checkpoint's beacon; zeros for HEARTBEAT
    rssi_dbm: int  # -127 .. 20
    battery_pct: int  # 0 .. 100
    detail: int  # ProblemCategory for PROBLEM_REPORT, lost-record count for HEARTBEAT, else 0

    def __post_init__(self) -> None:
        _require_ints(self, _RECORD_INT_FIELDS)
        if not _is_int(self.kind):
            raise FrameError(
                "field_range", f"Record.kind must be a Kind, got {type(self.kind).__name__}"
            )
        if type(self.beacon_token) is not bytes:
            raise FrameError(
                "field_range",
                f"Record.beacon_token must be bytes, got {type(self.beacon_token).__name__}",
            )
        kind = _check_record(
            self.kind,
            self.band_id,
            self.boot,
            self.seq,
            self.event_at_ms,
            self.checkpoint_id,
            self.beacon_token,
            self.rssi_dbm,
            self.battery_pct,
            self.detail,
        )
        if self.kind is not kind:
            _set_attr(self, "kind", kind)

    @property
    def key(self) -> tuple[int, int, int]:
        """(band_id, boot, seq): unique for ever; the server's idempotency key."""
        return (self.band_id, self.boot, self.seq)

    @property
    def event_at(self) -> datetime:
        """When the event happened, as an aware UTC datetime."""
        return _EPOCH + timedelta(milliseconds=self.event_at_ms)

    def __bytes__(self) -> bytes:
        return _RECORD.pack(
            self.kind,
            self.band_id,
            self.boot,
            self.seq,
            self.event_at_ms,
            self.checkpoint_id,
            self.beacon_token,
            self.rssi_dbm,
            self.battery_pct,
            self.detail,
        )

    @classmethod
    def from_bytes(cls, data: bytes) -> Record:
        """Decode exactly one 37-byte record."""
        data = _require_bytes(data)
        if len(data) != RECORD_BYTES:
            reason: FrameErrorReason = "truncated" if len(data) < RECORD_BYTES else "bad_length"
            raise FrameError(reason, f"a record is {RECORD_BYTES} bytes, got {len(data)}")
        return _record_from_fields(_RECORD.unpack(data))


_RECORD_INT_FIELDS: Final = (
    "band_id",
    "boot",
    "seq",
    "event_at_ms",
    "checkpoint_id",
    "rssi_dbm",
    "battery_pct",
    "detail",
)


def _check_record(
    kind: int,
    band_id: int,
    boot: int,
    seq: int,
    event_at_ms: int,
    checkpoint_id: int,
    beacon_token: bytes,
    rssi_dbm: int,
    battery_pct: int,
    detail: int,
) -> Kind:
    """Return the record's Kind if every field is in range; otherwise raise naming the field.

    One chained comparison for the common case; the slow path only runs to explain a failure.
    """
    k = _KIND_BY_VALUE.get(kind)
    if (
        k is not None
        and 0 < band_id <= _U32_MAX
        and 0 <= boot <= _U32_MAX
        and 0 < seq <= _U32_MAX
        and EVENT_AT_MIN_MS <= event_at_ms < EVENT_AT_END_MS
        and RSSI_MIN_DBM <= rssi_dbm <= RSSI_MAX_DBM
        and 0 <= battery_pct <= BATTERY_MAX_PCT
        and len(beacon_token) == BEACON_TOKEN_BYTES
    ):
        if k is Kind.HEARTBEAT:
            if checkpoint_id == 0 and beacon_token == _ZERO_TOKEN and 0 <= detail <= _U16_MAX:
                return k
        elif 0 < checkpoint_id <= _U32_MAX:
            if k is Kind.PROBLEM_REPORT:
                if _PROBLEM_MIN <= detail <= _PROBLEM_MAX:
                    return k
            elif detail == 0:
                return k
    raise FrameError("field_range", _explain_record(k, kind, locals()))


def _explain_record(k: Kind | None, kind: int, f: dict[str, object]) -> str:
    if k is None:
        return f"kind {kind!r} is not one of {', '.join(f'{x.value} {x.name}' for x in Kind)}"
    limits: tuple[tuple[str, int, int], ...] = (
        ("band_id", 1, _U32_MAX),
        ("boot", 0, _U32_MAX),
        ("seq", 1, _U32_MAX),
        ("event_at_ms", EVENT_AT_MIN_MS, EVENT_AT_END_MS - 1),
        ("rssi_dbm", RSSI_MIN_DBM, RSSI_MAX_DBM),
        ("battery_pct", 0, BATTERY_MAX_PCT),
    )
    for name, low, high in limits:
        value = f[name]
        if not (isinstance(value, int) and low <= value <= high):
            hint = ""
            if name == "event_at_ms":
                hint = " (2015-01-01 .. 2099-12-31 UTC): set the band's clock before logging"
            return f"{name} {value!r} is outside {low} .. {high}{hint}"
    token = f["beacon_token"]
    if not isinstance(token, bytes) or len(token) != BEACON_TOKEN_BYTES:
        return f"beacon_token must be {BEACON_TOKEN_BYTES} bytes, got {token!r}"
    checkpoint_id, detail = f["checkpoint_id"], f["detail"]
    if k is Kind.HEARTBEAT:
        if checkpoint_id != 0:
            return f"a HEARTBEAT has checkpoint_id 0, got {checkpoint_id!r}"
        if token != _ZERO_TOKEN:
            return "a HEARTBEAT has an all-zero beacon_token"
        return f"a HEARTBEAT's detail (lost records) is 0 .. {_U16_MAX}, got {detail!r}"
    if not (isinstance(checkpoint_id, int) and 1 <= checkpoint_id <= _U32_MAX):
        return f"a {k.name} needs checkpoint_id 1 .. {_U32_MAX}, got {checkpoint_id!r}"
    if k is Kind.PROBLEM_REPORT:
        return (
            f"a PROBLEM_REPORT's detail is a problem category "
            f"{_PROBLEM_MIN} .. {_PROBLEM_MAX}, got {detail!r}"
        )
    return f"a {k.name} has detail 0, got {detail!r}"


def _record_from_fields(
    fields: tuple[int, int, int, int, int, int, bytes, int, int, int],
) -> Record:
    """Build a Record from struct-decoded fields: types are known, so only ranges are checked."""
    kind = _check_record(*fields)
    record = _new_object(Record)
    _set_attr(record, "kind", kind)
    _set_attr(record, "band_id", fields[1])
    _set_attr(record, "boot", fields[2])
    _set_attr(record, "seq", fields[3])
    _set_attr(record, "event_at_ms", fields[4])
    _set_attr(record, "checkpoint_id", fields[5])
    _set_attr(record, "beacon_token", fields[6])
    _set_attr(record, "rssi_dbm", fields[7])
    _set_attr(record, "battery_pct", fields[8])
    _set_attr(record, "detail", fields[9])
    return record


# --------------------------------------------------------------------------------------------
# Uplink: LiveRecord


@dataclass(frozen=True, slots=True)
class LiveRecord:
    """One record sent as soon as it is made: `01 01 | record(37) | signature(64)`, 103 bytes.

    Signed message: SIGNING_CONTEXT + b"\\x01\\x01" + record.
    """

    record: Record
    signature: bytes

    def __post_init__(self) -> None:
        if not isinstance(self.record, Record):
            raise FrameError(
                "field_range", f"LiveRecord.record must be a Record, got {self.record!r}"
            )
        _check_signature(self.signature)

    @property
    def band_id(self) -> int:
        return self.record.band_id

    @property
    def records(self) -> tuple[Record, ...]:
        """A 1-tuple, so the gateway handles live records and segments alike."""
        return (self.record,)

    def signed_message(self) -> bytes:
        """The exact bytes the signature covers."""
        return SIGNING_CONTEXT + _LIVE_HEADER + bytes(self.record)

    def __bytes__(self) -> bytes:
        return _LIVE_HEADER + bytes(self.record) + self.signature

    @classmethod
    def sign(cls, record: Record, signing_key: SigningKey) -> LiveRecord:
        """Sign `record` with the band's Ed25519 key."""
        signature = sign_detached(signing_key, SIGNING_CONTEXT + _LIVE_HEADER + bytes(record))
        return cls(record, signature)

    @classmethod
    def from_bytes(cls, data: bytes) -> LiveRecord:
        message = decode_uplink(data)
        if not isinstance(message, LiveRecord):
            raise FrameError("bad_type", "expected a live record (type 0x01), got a log segment")
        return message


def _live_from_payload(payload: bytes) -> LiveRecord:
    size = len(payload)
    if size != LIVE_RECORD_BYTES:
        reason: FrameErrorReason = "truncated" if size < LIVE_RECORD_BYTES else "bad_length"
        raise FrameError(reason, f"a live record is {LIVE_RECORD_BYTES} bytes, got {size}")
    record = _record_from_fields(_RECORD.unpack_from(payload, _MESSAGE_HEADER_BYTES))
    live = _new_object(LiveRecord)
    _set_attr(live, "record", record)
    _set_attr(live, "signature", payload[LIVE_RECORD_BYTES - SIGNATURE_BYTES :])
    return live


# --------------------------------------------------------------------------------------------
# Uplink: LogSegment and its hash chain


def chain_origin(band_id: int) -> bytes:
    """h0 = SHA-256(SIGNING_CONTEXT + b"chain" + band_id:u32): where each segment's chain starts."""
    if not _is_int(band_id) or not 0 < band_id <= _U32_MAX:
        raise FrameError("field_range", f"band_id {band_id!r} is outside 1 .. {_U32_MAX}")
    return _sha256(SIGNING_CONTEXT + _CHAIN_LABEL + _BAND_ID.pack(band_id)).digest()


def chain_link(head: bytes, record: Record | bytes) -> bytes:
    """h_i = SHA-256(h_{i-1} + record_i): lets a band extend the chain as it writes each record."""
    if len(head) != 32:
        raise FrameError("field_range", f"a chain head is 32 bytes, got {len(head)}")
    raw = record if isinstance(record, bytes) else bytes(record)
    if len(raw) != RECORD_BYTES:
        raise FrameError("bad_length", f"a record is {RECORD_BYTES} bytes, got {len(raw)}")
    return _sha256(head + raw).digest()


@dataclass(frozen=True, slots=True)
class LogSegment:
    """Records uploaded in one message, signed once over their hash chain.

    `01 02 | band_id:u32 | count:u16 | records(count*37) | signature(64)`; 1 .. 500 records of
    one band, keys strictly increasing by (boot, seq). Signed message: SIGNING_CONTEXT +
    b"\\x01\\x02" + band_id:u32 + count:u16 + chain_head().
    """

    band_id: int
    records: tuple[Record, ...]
    signature: bytes
    # The records' encoded bytes, kept so hashing the chain does not re-encode 500 records.
    _body: bytes = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        _require_ints(self, ("band_id",))
        if not 0 < self.band_id <= _U32_MAX:
            raise FrameError("field_range", f"band_id {self.band_id!r} is outside 1 .. {_U32_MAX}")
        records = tuple(self.records)
        _check_count(len(records))
        for index, record in enumerate(records):
            if not isinstance(record, Record):
                raise FrameError("field_range", f"record {index} is not a Record: {record!r}")
        _check_segment_order(self.band_id, records)
        _check_signature(self.signature)
        _set_attr(self, "records", records)
        _set_attr(self, "_body", b"".join([bytes(r) for r in records]))

    def chain_head(self) -> bytes:
        """h_n: the SHA-256 chain over every record in order, starting from `chain_origin`."""
        head = chain_origin(self.band_id)
        body = self._body
        for offset in range(0, len(body), RECORD_BYTES):
            head = _sha256(head + body[offset : offset + RECORD_BYTES]).digest()
        return head

    def signed_message(self) -> bytes:
        """The exact bytes the signature covers."""
        return (
            SIGNING_CONTEXT
            + _SEGMENT_TYPE_HEADER
            + _BAND_COUNT.pack(self.band_id, len(self.records))
            + self.chain_head()
        )

    def __bytes__(self) -> bytes:
        return (
            _SEGMENT_HEADER.pack(
                PROTOCOL_VERSION, MessageType.LOG_SEGMENT, self.band_id, len(self.records)
            )
            + self._body
            + self.signature
        )

    @classmethod
    def sign(cls, band_id: int, records: Iterable[Record], signing_key: SigningKey) -> LogSegment:
        """Check, chain and sign `records` (in key order) with the band's Ed25519 key."""
        unsigned = cls(band_id, tuple(records), _NO_SIGNATURE)
        signature = sign_detached(signing_key, unsigned.signed_message())
        return _assemble_segment(band_id, unsigned.records, signature, unsigned._body)

    @classmethod
    def from_bytes(cls, data: bytes) -> LogSegment:
        message = decode_uplink(data)
        if not isinstance(message, LogSegment):
            raise FrameError("bad_type", "expected a log segment (type 0x02), got a live record")
        return message


def _check_count(count: int) -> None:
    if not 0 < count <= MAX_SEGMENT_RECORDS:
        raise FrameError(
            "bad_length", f"a log segment holds 1 .. {MAX_SEGMENT_RECORDS} records, got {count}"
        )


def _check_segment_order(band_id: int, records: tuple[Record, ...]) -> None:
    previous: tuple[int, int] | None = None
    for index, record in enumerate(records):
        if record.band_id != band_id:
            raise FrameError(
                "band_mismatch",
                f"record {index} belongs to band {record.band_id}, the segment to band {band_id}",
            )
        key = (record.boot, record.seq)
        if previous is not None and key <= previous:
            raise FrameError(
                "not_increasing",
                f"record {index} has (boot, seq) {key}, not after {previous}: "
                "records must be in strictly increasing key order with no repeats",
            )
        previous = key


def _segment_from_payload(payload: bytes) -> LogSegment:
    size = len(payload)
    if size < SEGMENT_HEADER_BYTES:
        raise FrameError(
            "truncated", f"a log segment header is {SEGMENT_HEADER_BYTES} bytes, got {size}"
        )
    _, _, band_id, count = _SEGMENT_HEADER.unpack_from(payload)
    if not 0 < band_id <= _U32_MAX:
        raise FrameError("field_range", f"segment band_id {band_id} is outside 1 .. {_U32_MAX}")
    _check_count(count)
    body_end = SEGMENT_HEADER_BYTES + count * RECORD_BYTES
    expected = body_end + SIGNATURE_BYTES
    if size != expected:
        raise FrameError(
            "truncated" if size < expected else "bad_length",
            f"a log segment of {count} records is {expected} bytes, got {size}",
        )
    body = payload[SEGMENT_HEADER_BYTES:body_end]
    records: list[Record] = []
    append = records.append
    previous_boot = -1
    previous_seq = 0
    index = 0
    try:
        for fields in _RECORD.iter_unpack(body):
            record = _record_from_fields(fields)
            if fields[1] != band_id:
                raise FrameError(
                    "band_mismatch",
                    f"belongs to band {fields[1]}, the segment header says band {band_id}",
                )
            boot, seq = fields[2], fields[3]
            if boot < previous_boot or (boot == previous_boot and seq <= previous_seq):
                raise FrameError(
                    "not_increasing",
                    f"(boot, seq) ({boot}, {seq}) is not after ({previous_boot}, {previous_seq}): "
                    "records must be in strictly increasing key order with no repeats",
                )
            previous_boot, previous_seq = boot, seq
            append(record)
            index += 1
    except FrameError as error:
        raise FrameError(error.reason, f"record {index}: {error.message}") from None
    return _assemble_segment(band_id, tuple(records), payload[body_end:], body)


def _assemble_segment(
    band_id: int, records: tuple[Record, ...], signature: bytes, body: bytes
) -> LogSegment:
    segment = _new_object(LogSegment)
    _set_attr(segment, "band_id", band_id)
    _set_attr(segment, "records", records)
    _set_attr(segment, "signature", signature)
    _set_attr(segment, "_body", body)
    return segment


def _check_signature(signature: object) -> None:
    if type(signature) is not bytes or len(signature) != SIGNATURE_BYTES:
        raise FrameError(
            "field_range", f"a signature is {SIGNATURE_BYTES} bytes, got {signature!r}"
        )


# --------------------------------------------------------------------------------------------
# Uplink dispatch


def decode_uplink(payload: bytes) -> LiveRecord | LogSegment:
    """Decode one uplink MQTT payload. Raises FrameError on anything that is not a valid v1 uplink.

    Decoding checks structure and field ranges only; call `wire.verify` with the band's key
    before trusting a single field.
    """
    payload = _require_bytes(payload)
    size = len(payload)
    if size > MAX_UPLINK_BYTES:
        raise FrameError("too_long", f"an uplink is at most {MAX_UPLINK_BYTES} bytes, got {size}")
    if size < _MESSAGE_HEADER_BYTES:
        raise FrameError("truncated", f"a message starts with version and type, got {size} bytes")
    version = payload[0]
    if version != PROTOCOL_VERSION:
        raise FrameError(
            "bad_version",
            f"version {version} is not supported (this gateway speaks v{PROTOCOL_VERSION}): "
            "update the gateway before rolling out band firmware that sends it",
        )
    message_type = payload[1]
    if message_type == MessageType.LIVE_RECORD:
        return _live_from_payload(payload)
    if message_type == MessageType.LOG_SEGMENT:
        return _segment_from_payload(payload)
    raise FrameError(
        "bad_type",
        f"message type 0x{message_type:02x} is not an uplink (0x01 live record, 0x02 log segment)",
    )


def _is_int(value: object) -> bool:
    # IntEnums such as ProblemCategory are ints; bool is too, but True as a seq is a bug.
    return isinstance(value, int) and not isinstance(value, bool)


def _require_ints(frame: object, names: tuple[str, ...]) -> None:
    """Refuse non-integers in a public constructor and store IntEnum values as plain ints."""
    for name in names:
        value = getattr(frame, name)
        if type(value) is not int:
            if not _is_int(value):
                raise FrameError(
                    "field_range",
                    f"{type(frame).__name__}.{name} must be an int, got {type(value).__name__}",
                )
            _set_attr(frame, name, int(value))


def _require_bytes(payload: object) -> bytes:
    if type(payload) is bytes:
        return payload
    if isinstance(payload, bytes | bytearray | memoryview):
        return bytes(payload)
    raise TypeError(f"a wire payload is bytes, got {type(payload).__name__}")


# --------------------------------------------------------------------------------------------
# Downlink: Ack


@dataclass(frozen=True, slots=True)
class AckRange:
    """Consecutive seqs `first_seq .. last_seq` (inclusive) of one boot that share one status."""

    boot: int
    first_seq: int
    last_seq: int
    status: AckStatus

    def __post_init__(self) -> None:
        _require_ints(self, ("boot", "first_seq", "last_seq"))
        if not _is_int(self.status):
            raise FrameError(
                "field_range", f"AckRange.status must be an AckStatus, got {self.status!r}"
            )
        status = _check_range(self.boot, self.first_seq, self.last_seq, self.status)
        if self.status is not status:
            _set_attr(self, "status", status)

    def __len__(self) -> int:
        return self.last_seq - self.first_seq + 1


def _check_range(boot: int, first_seq: int, last_seq: int, status: int) -> AckStatus:
    s = _STATUS_BY_VALUE.get(status)
    if s is not None and 0 <= boot <= _U32_MAX and 0 < first_seq <= last_seq <= _U32_MAX:
        return s
    if s is None:
        message = f"status {status!r} is not one of 0 STORED, 1 DUPLICATE, 2 REFUSED"
    elif not 0 <= boot <= _U32_MAX:
        message = f"boot {boot} is outside 0 .. {_U32_MAX}"
    else:
        message = f"seq range {first_seq} .. {last_seq} is not within 1 .. {_U32_MAX} in order"
    raise FrameError("field_range", message)


@dataclass(frozen=True, slots=True)
class Ack:
    """The gateway's answer to a band: `01 03 | band_id:u32 | count:u16 | count * range(13)`.

    A range is `boot:u32, first_seq:u32, last_seq:u32, status:u8`. Ranges are sorted and do not
    overlap. Acks are not signed: the broker ACL lets only the gateway publish on ack topics.
    """

    band_id: int
    ranges: tuple[AckRange, ...]

    def __post_init__(self) -> None:
        _require_ints(self, ("band_id",))
        if not 0 < self.band_id <= _U32_MAX:
            raise FrameError("field_range", f"band_id {self.band_id!r} is outside 1 .. {_U32_MAX}")
        ranges = tuple(self.ranges)
        for index, item in enumerate(ranges):
            if not isinstance(item, AckRange):
                raise FrameError("field_range", f"range {index} is not an AckRange: {item!r}")
        _check_ack_ranges(ranges)
        _set_attr(self, "ranges", ranges)

    @classmethod
    def from_outcomes(cls, band_id: int, outcomes: Iterable[tuple[int, int, AckStatus]]) -> Ack:
        """Sort (boot, seq, status) outcomes and merge consecutive seqs with one status into ranges.

        A key given twice keeps its lowest status (STORED beats DUPLICATE beats REFUSED): if any
        copy was stored, the record is stored. Raises FrameError "too_long" beyond
        MAX_ACK_RANGES ranges; use `acks_from_outcomes` to split instead.
        """
        return cls(band_id, tuple(_merge_outcomes(outcomes)))

    def outcomes(self) -> Iterator[tuple[int, int, AckStatus]]:
        """Every (boot, seq, status) the ack covers, in order."""
        for item in self.ranges:
            for seq in range(item.first_seq, item.last_seq + 1):
                yield (item.boot, seq, item.status)

    def __bytes__(self) -> bytes:
        header = _ACK_HEADER.pack(PROTOCOL_VERSION, MessageType.ACK, self.band_id, len(self.ranges))
        parts = [header]
        pack = _ACK_RANGE.pack
        parts.extend(pack(r.boot, r.first_seq, r.last_seq, r.status) for r in self.ranges)
        return b"".join(parts)

    @classmethod
    def from_bytes(cls, data: bytes) -> Ack:
        """Decode an ack payload. Raises FrameError on anything that is not a valid v1 ack."""
        data = _require_bytes(data)
        size = len(data)
        if size > MAX_ACK_BYTES:
            raise FrameError("too_long", f"an ack is at most {MAX_ACK_BYTES} bytes, got {size}")
        if size < ACK_HEADER_BYTES:
            raise FrameError("truncated", f"an ack header is {ACK_HEADER_BYTES} bytes, got {size}")
        version, message_type, band_id, count = _ACK_HEADER.unpack_from(data)
        if version != PROTOCOL_VERSION:
            raise FrameError(
                "bad_version",
                f"ack version {version} is not supported (this band speaks v{PROTOCOL_VERSION})",
            )
        if message_type != MessageType.ACK:
            raise FrameError("bad_type", f"message type 0x{message_type:02x} is not an ack (0x03)")
        if not 0 < band_id <= _U32_MAX:
            raise FrameError("field_range", f"ack band_id {band_id} is outside 1 .. {_U32_MAX}")
        if not 0 < count <= MAX_ACK_RANGES:
            raise FrameError(
                "bad_length", f"an ack holds 1 .. {MAX_ACK_RANGES} ranges, got {count}"
            )
        expected = ACK_HEADER_BYTES + count * ACK_RANGE_BYTES
        if size != expected:
            raise FrameError(
                "truncated" if size < expected else "bad_length",
                f"an ack of {count} ranges is {expected} bytes, got {size}",
            )
        ranges: list[AckRange] = []
        for index, (boot, first_seq, last_seq, status) in enumerate(
            _ACK_RANGE.iter_unpack(data[ACK_HEADER_BYTES:])
        ):
            try:
                checked = _check_range(boot, first_seq, last_seq, status)
            except FrameError as error:
                raise FrameError(error.reason, f"range {index}: {error.message}") from None
            item = _new_object(AckRange)
            _set_attr(item, "boot", boot)
            _set_attr(item, "first_seq", first_seq)
            _set_attr(item, "last_seq", last_seq)
            _set_attr(item, "status", checked)
            ranges.append(item)
        result = tuple(ranges)
        _check_ack_ranges(result)
        ack = _new_object(cls)
        _set_attr(ack, "band_id", band_id)
        _set_attr(ack, "ranges", result)
        return ack


def _check_ack_ranges(ranges: tuple[AckRange, ...]) -> None:
    count = len(ranges)
    if count == 0:
        raise FrameError("bad_length", "an ack holds at least one range")
    if count > MAX_ACK_RANGES:
        raise FrameError(
            "too_long",
            f"an ack holds at most {MAX_ACK_RANGES} ranges, got {count}: "
            "split the outcomes over several acks (acks_from_outcomes)",
        )
    for index in range(1, count):
        before, after = ranges[index - 1], ranges[index]
        if after.boot < before.boot or (
            after.boot == before.boot and after.first_seq <= before.last_seq
        ):
            raise FrameError(
                "not_increasing",
                f"range {index} ({after.boot}, {after.first_seq}..{after.last_seq}) does not come "
                f"after ({before.boot}, {before.first_seq}..{before.last_seq})",
            )


def _merge_outcomes(outcomes: Iterable[tuple[int, int, AckStatus]]) -> list[AckRange]:
    best: dict[tuple[int, int], AckStatus] = {}
    for boot, seq, given in outcomes:
        status = _STATUS_BY_VALUE.get(given) if _is_int(given) else None
        if status is None:
            raise FrameError(
                "field_range", f"status {given!r} of ({boot}, {seq}) is not an AckStatus"
            )
        known = best.get((boot, seq))
        if known is None or status < known:
            best[(boot, seq)] = status
    ranges: list[AckRange] = []
    started = False
    run_boot = run_first = run_last = 0
    run_status = AckStatus.STORED
    for (boot, seq), status in sorted(best.items()):
        if started and boot == run_boot and seq == run_last + 1 and status is run_status:
            run_last = seq
            continue
        if started:
            ranges.append(AckRange(run_boot, run_first, run_last, run_status))
        started = True
        run_boot, run_first, run_last, run_status = boot, seq, seq, status
    if started:
        ranges.append(AckRange(run_boot, run_first, run_last, run_status))
    return ranges


def acks_from_outcomes(
    band_id: int, outcomes: Iterable[tuple[int, int, AckStatus]], max_ranges: int = MAX_ACK_RANGES
) -> tuple[Ack, ...]:
    """Like `Ack.from_outcomes`, split into acks of at most `max_ranges` ranges; () if none."""
    if not 1 <= max_ranges <= MAX_ACK_RANGES:
        raise FrameError("field_range", f"max_ranges must be 1 .. {MAX_ACK_RANGES}, got {max_ranges}")
    ranges = _merge_outcomes(outcomes)
    return tuple(
        Ack(band_id, tuple(ranges[start : start + max_ranges]))
        for start in range(0, len(ranges), max_ranges)
    )
