"""Set Position (0xFFF0): its bytes, and how a controller answers good and bad ones."""

from __future__ import annotations

import asyncio
import math
import struct

import pytest
from bumble import hci

from radio import Radio, RadioController, RadioParameterError
from radio.controller import report_with_rssi
from radio.vendor import (
    HCI_Radio_Set_Position_Command,
    decode_position,
    encode_position,
    set_position_parameters,
)

GOLDEN_1_10 = bytes.fromhex("01 f0ff 08 0000803f 00002041")  # x=1.0 m, y=10.0 m


def test_the_command_bytes_are_pinned() -> None:
    assert bytes(HCI_Radio_Set_Position_Command(1.0, 10.0)) == GOLDEN_1_10
    assert HCI_Radio_Set_Position_Command.op_code == 0xFFF0 == (0x3F << 10) | 0x3F0


def test_parameters_round_trip() -> None:
    assert decode_position(encode_position(-12.5, 340.0)) == (-12.5, 340.0)
    assert set_position_parameters(GOLDEN_1_10) == GOLDEN_1_10[4:]


@pytest.mark.parametrize(
    "packet",
    [
        b"",
        b"\x01\x01",
        bytes.fromhex("01 02fc 08") + bytes(8),  # another vendor opcode
        bytes.fromhex("04 0e 04 01 f0ff 00"),  # an event, not a command
    ],
)
def test_other_packets_are_not_taken_for_set_position(packet: bytes) -> None:
    assert set_position_parameters(packet) is None


@pytest.mark.parametrize(
    "parameters",
    [b"", bytes(7), bytes(9), struct.pack("<ff", math.nan, 0.0), struct.pack("<ff", 0.0, math.inf)],
)
def test_malformed_parameters_are_refused(parameters: bytes) -> None:
    with pytest.raises(RadioParameterError):
        decode_position(parameters)


@pytest.mark.parametrize(("x_m", "y_m"), [(math.nan, 0.0), (0.0, math.inf), (1e39, 0.0), (True, 0.0)])
def test_unencodable_positions_are_refused(x_m: float, y_m: float) -> None:
    with pytest.raises(RadioParameterError):
        encode_position(x_m, y_m)


class _Host:
    """Collects what a controller sends its host."""

    def __init__(self) -> None:
        self.events: asyncio.Queue[hci.HCI_Event] = asyncio.Queue()

    def on_packet(self, packet: bytes) -> None:
        event = hci.HCI_Packet.from_bytes(packet)
        assert isinstance(event, hci.HCI_Event)
        self.events.put_nowait(event)


async def _answer(packet: bytes) -> tuple[int, int, tuple[float, float]]:
    """Feed one raw packet to a RadioController; (opcode, status byte, position) afterwards."""
    radio = Radio()
    host = _Host()
    controller = RadioController("under-test", radio, host_sink=host)
    controller.on_packet(packet)
    event = await asyncio.wait_for(host.events.get(), 1.0)
    assert isinstance(event, hci.HCI_Command_Complete_Event)
    position = radio.position_of(controller)
    return event.command_opcode, event.parameters[3], (position.x_m, position.y_m)


def test_a_controller_takes_its_position_and_answers_success() -> None:
    assert asyncio.run(_answer(GOLDEN_1_10)) == (0xFFF0, 0x00, (1.0, 10.0))


@pytest.mark.parametrize(
    "packet",
    [
        bytes.fromhex("01 f0ff 04") + bytes(4),  # too short
        bytes.fromhex("01 f0ff 08") + struct.pack("<ff", math.nan, 1.0),
        bytes.fromhex("01 f0ff 08") + bytes(4),  # header claims more than follows
    ],
)
def test_a_malformed_set_position_is_answered_with_invalid_parameters(packet: bytes) -> None:
    opcode, status, position = asyncio.run(_answer(packet))

    assert (opcode, status) == (0xFFF0, hci.HCI_ErrorCode.INVALID_COMMAND_PARAMETERS_ERROR)
    assert position == (0.0, 0.0)


def test_every_kind_of_advertising_report_takes_the_radio_rssi() -> None:
    address = hci.Address("F0:00:00:00:00:02")
    legacy = hci.HCI_LE_Advertising_Report_Event(
        [
            hci.HCI_LE_Advertising_Report_Event.Report(
                event_type=0, address_type=1, address=address, data=b"\x02\x01\x06", rssi=-50
            )
        ]
    )
    extended = hci.HCI_LE_Extended_Advertising_Report_Event(
        [
            hci.HCI_LE_Extended_Advertising_Report_Event.Report(
                event_type=1,
                address_type=1,
                address=address,
                primary_phy=1,
                secondary_phy=1,
                advertising_sid=0,
                tx_power=0,
                rssi=-50,
                periodic_advertising_interval=0,
                direct_address_type=0,
                direct_address=hci.Address.ANY,
                data=b"",
            )
        ]
    )
    periodic = hci.HCI_LE_Periodic_Advertising_Report_Event(
        sync_handle=1, tx_power=0, rssi=-50, cte_type=0xFF, data_status=0, data=b"x"
    )

    decoded = [
        hci.HCI_Packet.from_bytes(bytes(report_with_rssi(event, -79)))
        for event in (legacy, extended, periodic)
    ]

    assert isinstance(decoded[0], hci.HCI_LE_Advertising_Report_Event)
    assert [report.rssi for report in decoded[0].reports] == [-79]
    assert isinstance(decoded[1], hci.HCI_LE_Extended_Advertising_Report_Event)
    assert [report.rssi for report in decoded[1].reports] == [-79]
    assert isinstance(decoded[2], hci.HCI_LE_Periodic_Advertising_Report_Event)
    assert decoded[2].rssi == -79


def test_other_packets_pass_unchanged() -> None:
    event = hci.HCI_Disconnection_Complete_Event(status=0, connection_handle=1, reason=0x13)

    assert report_with_rssi(event, -79) is event
