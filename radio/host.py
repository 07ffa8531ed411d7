"""Host-side helpers: put a bumble Device on a radio, and move it.

`attach` gives an HCI transport for `bumble.device.Device.with_hci`: a `RadioController` on a
`Radio` in this process, or a TCP link (H4 framing) to a `radio.server.RadioServer` in another
one, addressed as "tcp:HOST:PORT". `place` sends the Set Position vendor command through the
device's host, so it works the same over either transport.
"""

from __future__ import annotations

import logging
from typing import Final

from bumble import hci
from bumble.device import Device
from bumble.transport.common import Transport
from bumble.transport.tcp_client import open_tcp_client_transport

from radio.controller import RadioController
from radio.errors import PlacementError, RadioAddressError
from radio.link import Radio
from radio.vendor import HCI_Radio_Set_Position_Command

logger = logging.getLogger(__name__)

TCP_SCHEME: Final = "tcp:"
# A controller answers a command within milliseconds; silence this long means it never will.
PLACE_RESPONSE_TIMEOUT_SECONDS: Final = 5.0


class LocalRadioTransport(Transport):
    """HCI transport straight into a RadioController in this process; close takes it off the air."""

    def __init__(self, controller: RadioController) -> None:
        super().__init__(controller, controller)
        self.controller = controller

    async def close(self) -> None:
        self.controller.radio.remove_controller(self.controller)


def parse_radio_address(address: str) -> tuple[str, int]:
    """(host, port) from "tcp:HOST:PORT"; an IPv6 host may be written in brackets."""
    if not address.startswith(TCP_SCHEME):
        raise RadioAddressError(
            f"radio address {address!r} must look like 'tcp:HOST:PORT', e.g. 'tcp:127.0.0.1:9200'"
        )
    host, separator, port_text = address[len(TCP_SCHEME) :].rpartition(":")
    host = host.removeprefix("[").removesuffix("]")
    if not separator or not host or not port_text.isdigit() or not 0 < int(port_text) < 65536:
        raise RadioAddressError(
            f"radio address {address!r} needs a host and a port 1-65535, e.g. 'tcp:127.0.0.1:9200'"
        )
    return host, int(port_text)


async def attach(radio: Radio | str, name: str) -> Transport:
    """An HCI transport (`.source`, `.sink`, async `close()`) onto a radio.

    For a `Radio`, a new RadioController named `name` joins it in this process. For
    "tcp:HOST:PORT", the radio server gives this connection its own controller.
    """
    if isinstance(radio, Radio):
        return LocalRadioTransport(RadioController(name, radio))
    host, port = parse_radio_address(radio)
    logger.debug("%s: connecting to the radio server at %s:%d", name, host, port)
    try:
        return await open_tcp_client_transport(f"{host}:{port}")
    except OSError as error:
        raise RadioAddressError(
            f"{name}: no radio server answers at {host}:{port} ({error}); start one with "
            "radio.server.serve_radio or check the address"
        ) from error


async def place(
    device: Device, x_m: float, y_m: float, *, timeout_seconds: float = PLACE_RESPONSE_TIMEOUT_SECONDS
) -> None:
    """Move `device` to (x_m, y_m) metres on its radio; PlacementError if the controller refuses."""
    command = HCI_Radio_Set_Position_Command(x_m, y_m)
    try:
        response = await device.host.send_sync_command_raw(command, response_timeout=timeout_seconds)
    except TimeoutError as error:
        # Bumble's own controller never answers a vendor command it does not know.
        raise PlacementError(
            f"{device.name}: no answer to Set Position (vendor command 0xFFF0) within {timeout_seconds} s; "
            "only controllers of an emulated radio understand it: is the device powered on and attached "
            "with radio.host.attach?"
        ) from error
    status = _status_of(response)
    if status != hci.HCI_ErrorCode.SUCCESS:
        refusal = hci.HCI_Constant.error_name(status)  # type: ignore[no-untyped-call]  # unannotated in bumble
        raise PlacementError(
            f"{device.name}: the controller refused Set Position ({x_m}, {y_m}) with "
            f"{refusal}; only controllers of an emulated radio "
            "(radio.host.attach) understand vendor command 0xFFF0"
        )


def _status_of(response: hci.HCI_Command_Complete_Event[hci.HCI_StatusReturnParameters]) -> int:
    """The status byte, however bumble's command table decoded the return parameters."""
    if isinstance(response.return_parameters, hci.HCI_StatusReturnParameters):
        return int(response.return_parameters.status)
    # Decoded under another vendor's class for this opcode, should one ever be registered: read the first
    # return-parameter byte (after the packet count and the opcode) from the event as received.
    raw = response.parameters[3:]
    return raw[0] if raw else hci.HCI_ErrorCode.UNSPECIFIED_ERROR_ERROR
