"""The emulated radio: bumble's in-process link with positions, distance and range.

`Radio` is a `bumble.link.LocalLink` in which every controller stands somewhere on a plane
(default (0, 0)). Advertising PDUs (and CONNECT_IND, which bumble sends the same way) reach only
the controllers that hear them under the log-distance model in `radio.propagation`; a receiver
that can measure RSSI is handed the value with the PDU. When a controller moves, or leaves the
radio, every LE connection that can no longer be heard is dropped on both ends with HCI reason
0x08 (connection timeout), which is what a real supervision timeout reports. ACL data and LL
control PDUs between connected controllers flow as in LocalLink: a connection only exists while
its two ends are in range.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Final, Protocol, runtime_checkable

from bumble import controller as bumble_controller
from bumble import hci, ll
from bumble.link import LocalLink

from radio.propagation import (
    DEFAULT_PATH_LOSS_EXPONENT,
    DEFAULT_SENSITIVITY_DBM,
    DEFAULT_TX_POWER_AT_1M_DBM,
    PathLoss,
    Position,
)

logger = logging.getLogger(__name__)

# What a controller reports when a link's supervision timer expires (Core Vol 1 Part F, 0x08).
SUPERVISION_TIMEOUT_REASON: Final = hci.HCI_ErrorCode.CONNECTION_TIMEOUT_ERROR


@runtime_checkable
class MeasuresRssi(Protocol):
    """A controller that reports the RSSI the radio computed instead of a fixed value."""

    def on_ll_advertising_pdu_heard(self, packet: ll.AdvertisingPdu, rssi_dbm: int) -> None: ...


class Radio(LocalLink):
    """A LocalLink where delivery depends on the distance between controllers."""

    def __init__(
        self,
        *,
        tx_power_at_1m_dbm: float = DEFAULT_TX_POWER_AT_1M_DBM,
        n: float = DEFAULT_PATH_LOSS_EXPONENT,
        sensitivity_dbm: float = DEFAULT_SENSITIVITY_DBM,
    ) -> None:
        super().__init__()  # type: ignore[no-untyped-call]  # bumble leaves LocalLink.__init__ unannotated
        self.path_loss = PathLoss(tx_power_at_1m_dbm, n, sensitivity_dbm)
        self._positions: dict[bumble_controller.Controller, Position] = {}

    # Geometry -----------------------------------------------------------------------------------

    def position_of(self, controller: bumble_controller.Controller) -> Position:
        return self._positions.get(controller, Position())

    def set_position(self, controller: bumble_controller.Controller, x_m: float, y_m: float) -> None:
        """Move a controller; connections it can no longer hear are timed out on both ends."""
        self._positions[controller] = Position(x_m, y_m)
        logger.debug("%s moved to (%.2f m, %.2f m)", controller.name, x_m, y_m)
        self._drop_connections_out_of_range(controller)

    def rssi_dbm(
        self, transmitter: bumble_controller.Controller, receiver: bumble_controller.Controller
    ) -> int:
        distance_m = self.position_of(transmitter).distance_m(self.position_of(receiver))
        return self.path_loss.rssi_dbm(distance_m)

    def in_range(self, a: bumble_controller.Controller, b: bumble_controller.Controller) -> bool:
        return self.path_loss.is_heard(self.rssi_dbm(a, b))

    # Membership ---------------------------------------------------------------------------------

    def remove_controller(self, controller: bumble_controller.Controller) -> None:
        """Take a controller off the air: its peers time out, its advertising stops.

        Removing a controller that is not on the radio does nothing, so a transport's close and
        a server's shutdown can both remove the same one.
        """
        if controller not in self.controllers:
            return
        for connection in list(controller.le_connections.values()):
            self._time_out(controller, connection)
        controller.le_legacy_advertiser.stop()
        for advertising_set in controller.advertising_sets.values():
            advertising_set.stop()
        self._positions.pop(controller, None)
        super().remove_controller(controller)

    # Delivery -----------------------------------------------------------------------------------

    def send_advertising_pdu(
        self, sender_controller: bumble_controller.Controller, packet: ll.AdvertisingPdu
    ) -> None:
        if sender_controller not in self.controllers:
            # An advertising timer of a controller already taken off the air.
            return
        loop = asyncio.get_running_loop()
        advert = isinstance(packet, (ll.AdvInd, ll.AdvExtInd))
        for receiver in self.controllers:
            if receiver is sender_controller:
                continue
            if advert and not _listens_for_adverts(receiver):
                # A controller that is neither scanning, initiating nor syncing drops adverts
                # unread; skipping it keeps a radio of hundreds of bands linear, not quadratic.
                continue
            rssi_dbm = self.rssi_dbm(sender_controller, receiver)
            if not self.path_loss.is_heard(rssi_dbm):
                continue
            # Not isinstance(receiver, MeasuresRssi): a runtime protocol check costs more than the
            # delivery itself, once per receiver per advert.
            heard = getattr(receiver, "on_ll_advertising_pdu_heard", None)
            if heard is not None:
                loop.call_soon(heard, packet, rssi_dbm)
            else:
                loop.call_soon(receiver.on_ll_advertising_pdu, packet)

    # Supervision timeout ------------------------------------------------------------------------

    def _drop_connections_out_of_range(self, moved: bumble_controller.Controller) -> None:
        for connection in list(moved.le_connections.values()):
            # While CONNECT_IND is still in flight only the peer's address knows where it is.
            peer = self._peer_controller(moved, connection) or self.find_le_controller(
                connection.peer_address
            )
            if peer is None or self.in_range(moved, peer):
                continue
            self._time_out(moved, connection)

    def _time_out(
        self, controller: bumble_controller.Controller, connection: bumble_controller.Connection
    ) -> None:
        """End an LE connection on both sides with reason 0x08, as each side's timer would."""
        peer = self._peer_controller(controller, connection)
        logger.info(
            "LE link %s <-> %s lost (out of range or off the air): connection timeout on both ends",
            connection.self_address,
            connection.peer_address,
        )
        controller.on_le_disconnected(connection, SUPERVISION_TIMEOUT_REASON)
        if peer is not None:
            peer_connection = peer.le_connections[connection.self_address]
            peer.on_le_disconnected(peer_connection, SUPERVISION_TIMEOUT_REASON)

    def _peer_controller(
        self, controller: bumble_controller.Controller, connection: bumble_controller.Connection
    ) -> bumble_controller.Controller | None:
        """The controller holding the other end of `connection`, matched by both addresses."""
        for candidate in self.controllers:
            if candidate is controller:
                continue
            other_end = candidate.le_connections.get(connection.self_address)
            if other_end is not None and other_end.self_address == connection.peer_address:
                return candidate
        return None


def _listens_for_adverts(controller: bumble_controller.Controller) -> bool:
    return bool(
        controller.le_scan_enable
        or controller.pending_le_connection is not None
        or controller.pending_periodic_advertising_syncs
    )
