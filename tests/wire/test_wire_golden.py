"""Golden vectors: the exact bytes of protocol v1, pinned as literals.

Ed25519 is deterministic, so a fixed seed gives fixed signatures. If one of these tests fails, the
bytes on the wire changed: that breaks every band in the field and needs a new protocol version,
not a new literal. The same worked example is printed in docs/protocol.md.
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import UTC, datetime
from pathlib import Path

import pytest
from nacl.signing import SigningKey

import wire

SEED = bytes(range(32))  # 000102...1f: the demo key seed used in docs/protocol.md
PUBLIC_KEY_HEX = "03a107bff3ce10be1d70dd18e74bc09967e4d6309ba50d5f1ddc8664125531b8"
BEACON_SECRET = bytes(range(16))  # 000102...0f, checkpoint 17
OTHER_SECRET = bytes(range(16, 32))  # 101112...1f, checkpoint 18
CONTEXT_LITERAL = b"lane-stewards/v1\x00"

# The hex literals are laid out field by field, so they are kept out of the formatter's hands.
# fmt: off
RECORD_HEX = (
    "01"                # kind PATROL_CHECKIN
    "000003e9"          # band_id 1001
    "00000003"          # boot 3
    "0000002a"          # seq 42
    "0000015c62c69340"  # event_at_ms 1496305800000 = 2017-06-01T08:30:00Z
    "00000011"          # checkpoint_id 17
    "b09296a9c0c627c6"  # beacon_token for window 4987686
    "bd"                # rssi_dbm -67
    "58"                # battery_pct 88
    "0000"              # detail 0
)
LIVE_SIGNATURE_HEX = (
    "8d74b768e53ed2d37d6ffa008a3496fdc13c042d844213a5f87a67a627bc39f3"
    "58f43bb7314c6c9abf234d32d35f908860d458cf41c035b8b0592f79670a0504"
)
LIVE_HEX = "0101" + RECORD_HEX + LIVE_SIGNATURE_HEX

SEGMENT_RECORD_HEXES = (
    # HEARTBEAT, boot 2 seq 7, 2017-05-31T22:00Z, no checkpoint, zero token, rssi -127,
    # battery 91, 3 records lost to flash overflow
    "04" "000003e9" "00000002" "00000007" "0000015c6085cb00" "00000000" "0000000000000000"
    "81" "5b" "0003",
    # PROBLEM_REPORT, boot 3 seq 1, 2017-06-01T08:12Z, checkpoint 17, rssi -71, battery 90,
    # category 1 (开墙打洞)
    "02" "000003e9" "00000003" "00000001" "0000015c62b61880" "00000011" "d37f5f3b0b000923"
    "b9" "5a" "0001",
    # DISSUASION, boot 3 seq 2, 2017-06-01T08:20:30.250Z, checkpoint 18, rssi -58, battery 89
    "03" "000003e9" "00000003" "00000002" "0000015c62bde1aa" "00000012" "869d8ab6f95cae87"
    "c6" "59" "0000",
)
SEGMENT_CHAIN_HEAD_HEX = "4000117b0e3681a96f7e08161024beec62d5162d6130c9c615bb58517c29783a"
SEGMENT_SIGNATURE_HEX = (
    "27d09fdfcdc916654d1af4cb5077c6c51390480a6e8c90eb16ba83eab9232188"
    "9bef6a7548d29489dc79924d61bdbd1340fff3d599e487d584663af4a81ded0b"
)
SEGMENT_HEX = "0102" "000003e9" "0003" + "".join(SEGMENT_RECORD_HEXES) + SEGMENT_SIGNATURE_HEX

ACK_HEX = (
    "0103" "000003e9" "0003"
    "00000002" "00000007" "00000007" "01"  # boot 2, seq 7: DUPLICATE
    "00000003" "00000001" "00000003" "00"  # boot 3, seqs 1..3: STORED
    "00000003" "0000002a" "0000002a" "02"  # boot 3, seq 42: REFUSED
)
# fmt: on


@pytest.fixture(scope="module")
def golden_key() -> wire.SigningKey:
    return wire.generate_keypair(SEED)[0]


def golden_record() -> wire.Record:
    at = datetime(2017, 6, 1, 8, 30, tzinfo=UTC)
    return wire.Record(
        kind=wire.Kind.PATROL_CHECKIN,
        band_id=1001,
        boot=3,
        seq=42,
        event_at_ms=wire.epoch_ms(at),
        checkpoint_id=17,
        beacon_token=wire.beacon_token(BEACON_SECRET, wire.window_index(at)),
        rssi_dbm=-67,
        battery_pct=88,
        detail=0,
    )


def golden_segment_records() -> list[wire.Record]:
    heartbeat_at = datetime(2017, 5, 31, 22, 0, tzinfo=UTC)
    report_at = datetime(2017, 6, 1, 8, 12, tzinfo=UTC)
    dissuasion_at = datetime(2017, 6, 1, 8, 20, 30, 250_000, tzinfo=UTC)
    common = {"band_id": 1001}
    return [
        wire.Record(
            kind=wire.Kind.HEARTBEAT,
            boot=2,
            seq=7,
            event_at_ms=wire.epoch_ms(heartbeat_at),
            checkpoint_id=0,
            beacon_token=bytes(8),
            rssi_dbm=-127,
            battery_pct=91,
            detail=3,
            **common,
        ),
        wire.Record(
            kind=wire.Kind.PROBLEM_REPORT,
            boot=3,
            seq=1,
            event_at_ms=wire.epoch_ms(report_at),
            checkpoint_id=17,
            beacon_token=wire.beacon_token(BEACON_SECRET, wire.window_index(report_at)),
            rssi_dbm=-71,
            battery_pct=90,
            detail=wire.ProblemCategory.WALL_OPENING,
            **common,
        ),
        wire.Record(
            kind=wire.Kind.DISSUASION,
            boot=3,
            seq=2,
            event_at_ms=wire.epoch_ms(dissuasion_at),
            checkpoint_id=18,
            beacon_token=wire.beacon_token(OTHER_SECRET, wire.window_index(dissuasion_at)),
            rssi_dbm=-58,
            battery_pct=89,
            detail=0,
            **common,
        ),
    ]


def test_seed_gives_the_documented_public_key() -> None:
    _, verify_key = wire.generate_keypair(SEED)
    assert bytes(verify_key).hex() == PUBLIC_KEY_HEX


def test_generate_keypair_is_standard_ed25519_rfc8032_test_1() -> None:
    # RFC 8032 section 7.1, TEST 1: ties our seed handling and signing to the standard.
    seed = bytes.fromhex("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60")
    signing_key, verify_key = wire.generate_keypair(seed)
    assert bytes(verify_key).hex() == (
        "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a"
    )
    assert wire.sign_detached(signing_key, b"").hex() == (
        "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e06522490155"
        "5fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b"
    )


def test_record_bytes(checkin: wire.Record) -> None:
    assert bytes(golden_record()).hex() == RECORD_HEX
    assert golden_record() == checkin
    assert wire.Record.from_bytes(bytes.fromhex(RECORD_HEX)) == golden_record()


def test_beacon_token_of_the_example() -> None:
    window = wire.window_index(datetime(2017, 6, 1, 8, 30, tzinfo=UTC))
    assert window == 4_987_686
    expected = hmac.new(
        BEACON_SECRET, b"lane-stewards/v1/eid" + bytes.fromhex("004c1b26"), hashlib.sha256
    ).digest()[:8]
    assert wire.beacon_token(BEACON_SECRET, window) == expected == bytes.fromhex("b09296a9c0c627c6")


def test_live_record_bytes(golden_key: wire.SigningKey) -> None:
    live = wire.LiveRecord.sign(golden_record(), golden_key)
    assert bytes(live).hex() == LIVE_HEX
    assert len(bytes(live)) == 103


def test_live_record_signature_covers_context_header_and_record() -> None:
    # Recomputed from literals with PyNaCl directly, not through wire's own constants.
    message = CONTEXT_LITERAL + b"\x01\x01" + bytes.fromhex(RECORD_HEX)
    assert SigningKey(SEED).sign(message).signature.hex() == LIVE_SIGNATURE_HEX
    live = wire.decode_uplink(bytes.fromhex(LIVE_HEX))
    assert isinstance(live, wire.LiveRecord)
    assert live.signed_message() == message


def test_live_record_decodes_and_verifies(verify_key: wire.VerifyKey) -> None:
    live = wire.decode_uplink(bytes.fromhex(LIVE_HEX))
    assert isinstance(live, wire.LiveRecord)
    assert live.record == golden_record()
    assert live.records == (golden_record(),)
    assert live.band_id == 1001
    assert wire.verify(live, verify_key)
    assert wire.verify(live, bytes.fromhex(PUBLIC_KEY_HEX))
    assert wire.LiveRecord.from_bytes(bytes(live)) == live


def test_segment_records_bytes() -> None:
    assert [bytes(r).hex() for r in golden_segment_records()] == list(SEGMENT_RECORD_HEXES)


def test_segment_chain_head_from_literals() -> None:
    head = hashlib.sha256(CONTEXT_LITERAL + b"chain" + bytes.fromhex("000003e9")).digest()
    assert wire.chain_origin(1001) == head
    for record_hex in SEGMENT_RECORD_HEXES:
        head = hashlib.sha256(head + bytes.fromhex(record_hex)).digest()
    assert head.hex() == SEGMENT_CHAIN_HEAD_HEX


def test_running_chain_matches_segment_chain(golden_key: wire.SigningKey) -> None:
    head = wire.chain_origin(1001)
    for record in golden_segment_records():
        head = wire.chain_link(head, record)
    segment = wire.LogSegment.sign(1001, golden_segment_records(), golden_key)
    assert segment.chain_head() == head
    assert head.hex() == SEGMENT_CHAIN_HEAD_HEX


def test_segment_bytes(golden_key: wire.SigningKey) -> None:
    segment = wire.LogSegment.sign(1001, golden_segment_records(), golden_key)
    assert bytes(segment).hex() == SEGMENT_HEX
    assert len(bytes(segment)) == 8 + 3 * 37 + 64


def test_segment_signature_covers_header_and_chain_head() -> None:
    message = (
        CONTEXT_LITERAL
        + b"\x01\x02"
        + bytes.fromhex("000003e90003")
        + bytes.fromhex(SEGMENT_CHAIN_HEAD_HEX)
    )
    assert SigningKey(SEED).sign(message).signature.hex() == SEGMENT_SIGNATURE_HEX
    segment = wire.decode_uplink(bytes.fromhex(SEGMENT_HEX))
    assert isinstance(segment, wire.LogSegment)
    assert segment.signed_message() == message


def test_segment_decodes_and_verifies(verify_key: wire.VerifyKey) -> None:
    segment = wire.decode_uplink(bytes.fromhex(SEGMENT_HEX))
    assert isinstance(segment, wire.LogSegment)
    assert segment.band_id == 1001
    assert segment.records == tuple(golden_segment_records())
    assert [r.key for r in segment.records] == [(1001, 2, 7), (1001, 3, 1), (1001, 3, 2)]
    assert wire.verify(segment, verify_key)
    assert wire.LogSegment.from_bytes(bytes(segment)) == segment


def test_ack_bytes() -> None:
    ack = wire.Ack.from_outcomes(
        1001,
        [
            (3, 2, wire.AckStatus.STORED),
            (3, 42, wire.AckStatus.REFUSED),
            (2, 7, wire.AckStatus.DUPLICATE),
            (3, 1, wire.AckStatus.STORED),
            (3, 3, wire.AckStatus.STORED),
        ],
    )
    assert bytes(ack).hex() == ACK_HEX
    decoded = wire.Ack.from_bytes(bytes.fromhex(ACK_HEX))
    assert decoded == ack
    assert list(decoded.outcomes()) == [
        (2, 7, wire.AckStatus.DUPLICATE),
        (3, 1, wire.AckStatus.STORED),
        (3, 2, wire.AckStatus.STORED),
        (3, 3, wire.AckStatus.STORED),
        (3, 42, wire.AckStatus.REFUSED),
    ]


def test_docs_worked_example_matches_the_golden_vectors() -> None:
    # docs/protocol.md section 12 is what firmware writers copy: it must not drift from the code.
    doc = (Path(__file__).resolve().parents[2] / "docs" / "protocol.md").read_text("utf-8")
    compact = "".join(doc.split())
    for name, value in [
        ("public key", PUBLIC_KEY_HEX),
        ("record", RECORD_HEX),
        ("live record payload", LIVE_HEX),
        ("signed live message", CONTEXT_LITERAL.hex() + "0101" + RECORD_HEX),
        ("segment chain head", SEGMENT_CHAIN_HEAD_HEX),
        ("segment signature", SEGMENT_SIGNATURE_HEX),
        ("ack", ACK_HEX),
        *((f"segment record {i}", hexes) for i, hexes in enumerate(SEGMENT_RECORD_HEXES)),
    ]:
        assert value in compact, f"docs/protocol.md lost the {name} of the worked example"
