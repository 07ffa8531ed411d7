"""The radio's vendor HCI command: Set Position, opcode 0xFFF0 (OGF 0x3F, OCF 0x3F0).

Parameters are two little-endian IEEE-754 float32 values, x then y in metres (`<ff`, 8 bytes);
the controller answers with Command Complete carrying one status byte. A host in another process
uses it to place its device on the shared radio.

Vendor opcodes mean different things to different vendors, and bumble keeps one global table of
them: 0xFC01, the first one, is Intel's vendor Reset (bumble.drivers.intel, imported by every bumble
Host), which is why this command sits at the top of the vendor range instead. This module registers
nothing in that table. The command is built and read as raw bytes, the
controller recognises it by opcode before bumble's parser sees it, and a malformed one becomes a
status code in the reply rather than an exception. Never send it to a real adapter.
"""

from __future__ import annotations

import math
import struct
from typing import Final

from bumble import hci

from radio.errors import RadioParameterError

SET_POSITION_OCF: Final = 0x3F0
# bumble leaves hci_vendor_command_op_code unannotated.
SET_POSITION_OPCODE: Final = hci.hci_vendor_command_op_code(SET_POSITION_OCF)  # type: ignore[no-untyped-call]
SET_POSITION_NAME: Final = "HCI_RADIO_SET_POSITION_COMMAND"
_POSITION: Final = struct.Struct("<ff")
POSITION_PARAMETERS_LENGTH: Final = _POSITION.size
# An HCI command packet: type byte 0x01, opcode (2 bytes, little-endian), parameter length.
_COMMAND_HEADER: Final = struct.Struct("<BHB")


class HCI_Radio_Set_Position_Command(hci.HCI_SyncCommand[hci.HCI_StatusReturnParameters]):
    """Set Position: place this controller at (x_m, y_m) on the emulated radio."""

    op_code = SET_POSITION_OPCODE
    return_parameters_class = hci.HCI_StatusReturnParameters

    def __init__(self, x_m: float, y_m: float) -> None:
        super().__init__(encode_position(x_m, y_m))
        self.name = SET_POSITION_NAME


def encode_position(x_m: float, y_m: float) -> bytes:
    """The 8 parameter bytes for a finite position; float32 keeps about 7 significant digits."""
    for name, value in (("x_m", x_m), ("y_m", y_m)):
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
            raise RadioParameterError(f"{name} must be a finite number of metres, got {value!r}")
    try:
        return _POSITION.pack(x_m, y_m)
    except OverflowError as error:
        raise RadioParameterError(
            f"position ({x_m}, {y_m}) does not fit a float32; use metres within +-3.4e38"
        ) from error


def decode_position(parameters: bytes) -> tuple[float, float]:
    """(x_m, y_m) from a Set Position command's parameters; RadioParameterError if malformed."""
    if len(parameters) != POSITION_PARAMETERS_LENGTH:
        raise RadioParameterError(
            f"Set Position takes {POSITION_PARAMETERS_LENGTH} parameter bytes (<ff x_m, y_m), "
            f"got {len(parameters)}"
        )
    x_m, y_m = _POSITION.unpack(parameters)
    if not (math.isfinite(x_m) and math.isfinite(y_m)):
        raise RadioParameterError(f"Set Position needs finite coordinates, got ({x_m}, {y_m})")
    return x_m, y_m


def set_position_parameters(packet: bytes) -> bytes | None:
    """The parameters if `packet` is an H4 Set Position command packet, else None.

    The header's length field is not trusted: the parameters are whatever follows the header,
    so a length mismatch shows up as a wrong parameter count in `decode_position`.
    """
    if len(packet) < _COMMAND_HEADER.size:
        return None
    packet_type, op_code, _length = _COMMAND_HEADER.unpack_from(packet)
    if packet_type != hci.HCI_COMMAND_PACKET or op_code != SET_POSITION_OPCODE:
        return None
    return packet[_COMMAND_HEADER.size :]
