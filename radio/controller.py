"""`RadioController`: a bumble Controller that stands somewhere on a `Radio`.

It differs from bumble's Controller in two ways. Advertising reports carry the RSSI the radio
computed for this receiver (bumble reports a fixed -50): the radio hands the value over with the
PDU, and while that PDU is being handled every legacy, extended and periodic advertising report
the controller emits is rewritten with it. And it answers the vendor command Set Position
(0xFFF0, see `radio.vendor`), which is how a host, in this process or across a TCP link, places
its device on the radio; the command is picked out of the raw packet by opcode, because bumble's
own command table gives that opcode to another vendor. It also answers LE Create Connection Cancel
the way the Core specification says (bumble's controller acknowledges the cancel but keeps trying,
so a host's connect timeout never ends and a late connection appears out of nowhere).
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging

from bumble import hci, ll
from bumble.controller import Controller
from bumble.transport.common import TransportSink, TransportSource

from radio.errors import RadioParameterError
from radio.link import Radio
from radio.propagation import reported_rssi_dbm
from radio.vendor import SET_POSITION_OPCODE, decode_position, set_position_parameters

logger = logging.getLogger(__name__)


class RadioController(Controller):
    """A Controller on a `Radio`, reporting distance-based RSSI and accepting Set Position."""

    def __init__(
        self,
        name: str,
        radio: Radio,
        *,
        host_source: TransportSource | None = None,
        host_sink: TransportSink | None = None,
        public_address: bytes | str | hci.Address | None = None,
    ) -> None:
        self._heard_rssi_dbm: int | None = None
        super().__init__(
            name,
            host_source=host_source,
            host_sink=host_sink,
            link=radio,
            public_address=public_address,
        )
        self.radio = radio

    def on_ll_advertising_pdu_heard(self, packet: ll.AdvertisingPdu, rssi_dbm: int) -> None:
        """Handle an advertising PDU the radio delivered, measured at `rssi_dbm`."""
        self._heard_rssi_dbm = reported_rssi_dbm(rssi_dbm)
        try:
            self.on_ll_advertising_pdu(packet)
        finally:
            self._heard_rssi_dbm = None

    def send_hci_packet(self, packet: hci.HCI_Packet) -> None:
        if self._heard_rssi_dbm is not None:
            packet = report_with_rssi(packet, self._heard_rssi_dbm)
        super().send_hci_packet(packet)

    def on_packet(self, packet: bytes) -> None:
        """Host -> controller HCI; Set Position is answered here, by opcode, before bumble parses."""
        parameters = set_position_parameters(packet)
        if parameters is None:
            super().on_packet(packet)
            return
        self.send_hci_packet(
            hci.HCI_Command_Complete_Event(
                num_hci_command_packets=1,
                command_opcode=SET_POSITION_OPCODE,
                return_parameters=hci.HCI_StatusReturnParameters(self._set_position(parameters)),
            )
        )

    def on_hci_le_create_connection_cancel_command(
        self, command: hci.HCI_LE_Create_Connection_Cancel_Command
    ) -> hci.HCI_StatusReturnParameters:
        """Core Vol 4 Part E 7.8.13: stop the pending attempt and report it with LE Connection
        Complete, status Unknown Connection Identifier, after the Command Complete."""
        pending = self.pending_le_connection
        if pending is None:
            return hci.HCI_StatusReturnParameters(hci.HCI_ErrorCode.COMMAND_DISALLOWED_ERROR)
        self.pending_le_connection = None
        failure = hci.HCI_LE_Connection_Complete_Event(
            status=hci.HCI_ErrorCode.UNKNOWN_CONNECTION_IDENTIFIER_ERROR,
            connection_handle=0,
            role=hci.Role.CENTRAL,
            peer_address_type=pending.peer_address.address_type,
            peer_address=pending.peer_address,
            connection_interval=0,
            peripheral_latency=0,
            supervision_timeout=0,
            central_clock_accuracy=0,
        )
        asyncio.get_running_loop().call_soon(self.send_hci_packet, failure)
        return hci.HCI_StatusReturnParameters(hci.HCI_ErrorCode.SUCCESS)

    def _set_position(self, parameters: bytes) -> hci.HCI_ErrorCode:
        try:
            x_m, y_m = decode_position(parameters)
        except RadioParameterError as error:
            logger.warning("[%s] Set Position refused: %s", self.name, error)
            return hci.HCI_ErrorCode.INVALID_COMMAND_PARAMETERS_ERROR
        self.radio.set_position(self, x_m, y_m)
        return hci.HCI_ErrorCode.SUCCESS


def report_with_rssi(packet: hci.HCI_Packet, rssi_dbm: int) -> hci.HCI_Packet:
    """The same advertising report event with every RSSI replaced; any other packet unchanged."""
    match packet:
        case hci.HCI_LE_Advertising_Report_Event():
            return hci.HCI_LE_Advertising_Report_Event(
                [dataclasses.replace(report, rssi=rssi_dbm) for report in packet.reports]
            )
        case hci.HCI_LE_Extended_Advertising_Report_Event():
            return hci.HCI_LE_Extended_Advertising_Report_Event(
                [dataclasses.replace(report, rssi=rssi_dbm) for report in packet.reports]
            )
        case hci.HCI_LE_Periodic_Advertising_Report_Event():
            return dataclasses.replace(packet, rssi=rssi_dbm)
    return packet
