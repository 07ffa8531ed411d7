"""bleak's client interface on a Bumble device: one GATT connection to one peripheral.

Use the class a `BumbleBackend` hands out (`backend.client`); it is bound to that backend's device.
Connecting exchanges the ATT MTU (asking for `ATT_MTU_REQUEST_BYTES`), discovers every primary
service (or those bleak was asked for) with their characteristics and descriptors, and reads the
GAP Device Name for `name`. Notifications are preferred over indications when a characteristic
offers both.

The disconnected callback runs (scheduled on the event loop) when the link drops without
`disconnect()` having been called: the peripheral hung up, went out of range, or the controller
was reset. After that `is_connected` is False and every operation raises `NotConnectedError`; an
operation in flight when the link drops raises `ConnectionLostError`. Both are `BleakError`s.
`services` keeps the last discovery until the next connect (BlueZ clears it; bleak then says
"Service Discovery has not been performed yet", which misleads more than it helps).

Pairing is not implemented (the patrol-log service needs no bonding): `pair()`/`unpair()` raise
NotImplementedError and `connect(pair=True)` connects without pairing, as bleak asks of a backend
that cannot pair.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any, ClassVar, Final

from bleak import BleakScanner
from bleak.args import SizedBuffer
from bleak.backends.characteristic import BleakGATTCharacteristic
from bleak.backends.client import BaseBleakClient, NotifyCallback
from bleak.backends.descriptor import BleakGATTDescriptor
from bleak.backends.device import BLEDevice
from bleak.exc import BleakDeviceNotFoundError, BleakError, BleakGATTProtocolError
from bumble import att, core, gatt, hci
from bumble.device import Connection
from bumble.gatt_client import CharacteristicProxy

from bleak_bumble.central import Central
from bleak_bumble.errors import BackendSetupError, ConnectionLostError, ControllerError, NotConnectedError
from bleak_bumble.gatt import bleak_uuid, service_collection
from bleak_bumble.scanner import BumbleScanner

__all__ = ["ATT_MTU_REQUEST_BYTES", "BumbleClient"]

log = logging.getLogger(__name__)

# The largest ATT MTU (Core spec Vol 3, Part F, 3.2.8): let the peripheral pick anything up to it.
# Bands need at least 247 so a log fragment carries 243 bytes of a frame.
ATT_MTU_REQUEST_BYTES: Final = 517
ATT_DEFAULT_MTU_BYTES: Final = att.ATT_DEFAULT_MTU
ATT_WRITE_HEADER_BYTES: Final = 3  # opcode + handle in front of a written value
DISCONNECT_TIMEOUT_SECONDS: Final = 10.0  # the controller confirms within one supervision timeout


class BumbleClient(BaseBleakClient):
    """A bleak client backend; take the bound subclass from `BumbleBackend(device).client`.

    `address_or_ble_device` is best a `BLEDevice` from this backend's scanner (its `.details` is
    the peer's Bumble address). Given a bare address string, `connect()` first scans for it, for up
    to the connect timeout. The `bluez`, `winrt` and other platform arguments bleak passes are
    accepted and ignored.
    """

    _bound_central: ClassVar[Central | None] = None
    _bound_scanner: ClassVar[type[BumbleScanner] | None] = None

    def __init__(
        self,
        address_or_ble_device: BLEDevice | str,
        services: set[str] | None = None,
        *,
        disconnected_callback: Callable[[], None] | None,
        timeout: float,
        **kwargs: Any,
    ) -> None:
        super().__init__(address_or_ble_device, disconnected_callback=disconnected_callback, timeout=timeout)
        central, scanner = type(self)._bound_central, type(self)._bound_scanner
        if central is None or scanner is None:
            raise BackendSetupError(
                "BumbleClient is not bound to a device: pass `backend=BumbleBackend(device).client`"
            )
        self._central = central
        self._scanner_class = scanner
        self._peer_address: hci.Address | None = None
        self._advertised_name: str | None = None
        if isinstance(address_or_ble_device, BLEDevice):
            self._advertised_name = address_or_ble_device.name
            if isinstance(address_or_ble_device.details, hci.Address):
                self._peer_address = address_or_ble_device.details
            else:
                log.debug("%s comes from another backend; its address will be looked up by a scan",
                          address_or_ble_device)
        self._requested_services = services
        self._connection: Connection | None = None
        self._disconnecting = False
        self._device_name: str | None = None
        self._subscribers: dict[int, Callable[[bytes], None]] = {}  # characteristic handle -> Bumble subscriber
        self._closed = asyncio.Event()  # set when the current link is gone

    # Connectivity

    @property
    def name(self) -> str:
        """The GAP Device Name read on connecting, else the advertised name, else the address with dashes."""
        return self._device_name or self._advertised_name or self.address.replace(":", "-")

    @property
    def mtu_size(self) -> int:
        """The ATT MTU of the current link (23 when not connected)."""
        connection = self._connection
        return connection.att_mtu if connection is not None else ATT_DEFAULT_MTU_BYTES

    @property
    def is_connected(self) -> bool:
        return self._connection is not None

    async def connect(self, pair: bool, **kwargs: Any) -> None:
        """Connect, exchange the MTU and discover services, all within the timeout.

        Raises TimeoutError when that does not finish in time (the link is closed again),
        BleakDeviceNotFoundError when a bare address is not found by a scan.
        """
        if self.is_connected:
            raise BleakError(f"already connected to {self.address}; disconnect first")
        if pair:
            log.warning("pairing is not implemented by the Bumble backend; connecting to %s without it",
                        self.address)
        timeout_seconds: float = kwargs.get("timeout", self._timeout)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout_seconds
        address = self._peer_address or await self._find(timeout_seconds)
        connection = await self._central.connect(address, timeout_seconds=max(0.0, deadline - loop.time()))
        self._attach(connection)
        try:
            async with asyncio.timeout_at(deadline):
                await self._set_up(connection)
        except TimeoutError as exc:
            await self._abandon(connection)
            raise TimeoutError(
                f"connected to {self.address}, but the MTU exchange and service discovery did not finish "
                f"within {timeout_seconds:.1f} s; retry with a longer timeout"
            ) from exc
        except BaseException:
            await self._abandon(connection)
            raise

    async def disconnect(self) -> None:
        """Hang up; returns at once if not connected. Does not run the disconnected callback."""
        connection = self._connection
        if connection is None:
            return
        if self._disconnecting:  # another call is hanging up: wait for that one
            async with asyncio.timeout(DISCONNECT_TIMEOUT_SECONDS):
                await self._closed.wait()
            return
        self._disconnecting = True
        try:
            async with asyncio.timeout(DISCONNECT_TIMEOUT_SECONDS):
                await connection.disconnect()
        except TimeoutError:
            raise TimeoutError(
                f"the controller did not confirm the disconnect from {self.address} within "
                f"{DISCONNECT_TIMEOUT_SECONDS:.0f} s; this client no longer uses the link"
            ) from None
        except core.ConnectionError as exc:
            raise ControllerError(f"the controller could not disconnect from {self.address} ({exc})") from exc
        except (core.ProtocolError, core.CommandTimeoutError) as exc:
            raise ControllerError(
                f"the controller refused to disconnect from {self.address} ({exc}); "
                "the link ends at the peripheral's supervision timeout"
            ) from exc
        finally:
            self._disconnecting = False
            if self._connection is connection:
                self._detach()  # whatever the controller said, this client is done with the link

    async def pair(self, *args: Any, **kwargs: Any) -> None:
        raise NotImplementedError(
            "pairing is not implemented by the Bumble backend; the patrol-log service needs no bonding"
        )

    async def unpair(self) -> None:
        raise NotImplementedError(
            "pairing is not implemented by the Bumble backend, so there is no bond to remove"
        )

    # GATT

    async def read_gatt_char(
        self, characteristic: BleakGATTCharacteristic, *, use_cached: bool = False, **kwargs: Any
    ) -> bytearray:
        async with self._operation(f"reading {characteristic.uuid}") as connection:
            if use_cached and (cached := connection.gatt_client.cached_values.get(characteristic.handle)):
                return bytearray(cached[1])
            return bytearray(await connection.gatt_client.read_value(characteristic.handle))

    async def read_gatt_descriptor(
        self, descriptor: BleakGATTDescriptor, *, use_cached: bool = False, **kwargs: Any
    ) -> bytearray:
        async with self._operation(f"reading descriptor {descriptor.handle}") as connection:
            if use_cached and (cached := connection.gatt_client.cached_values.get(descriptor.handle)):
                return bytearray(cached[1])
            return bytearray(await connection.gatt_client.read_value(descriptor.handle))

    async def write_gatt_char(
        self, characteristic: BleakGATTCharacteristic, data: SizedBuffer, response: bool
    ) -> None:
        value = bytes(data)
        async with self._operation(f"writing {characteristic.uuid}") as connection:
            limit = connection.att_mtu - ATT_WRITE_HEADER_BYTES
            if not response and len(value) > limit:
                raise BleakError(
                    f"{len(value)} bytes do not fit one write without response to {characteristic.uuid} "
                    f"(at most {limit} at ATT MTU {connection.att_mtu}); send less, or write with response"
                )
            await connection.gatt_client.write_value(characteristic.handle, value, with_response=response)

    async def write_gatt_descriptor(self, descriptor: BleakGATTDescriptor, data: SizedBuffer) -> None:
        async with self._operation(f"writing descriptor {descriptor.handle}") as connection:
            await connection.gatt_client.write_value(descriptor.handle, bytes(data), with_response=True)

    async def start_notify(
        self, characteristic: BleakGATTCharacteristic, callback: NotifyCallback, **kwargs: Any
    ) -> None:
        """Subscribe to notifications (or indications, when that is all it offers) of `characteristic`."""
        proxy: CharacteristicProxy[bytes] = characteristic.obj
        if characteristic.handle in self._subscribers:
            raise BleakError(f"notifications from {characteristic.uuid} are already on; stop_notify first")
        if not {"notify", "indicate"} & set(characteristic.properties):
            raise BleakError(f"{characteristic.uuid} neither notifies nor indicates")
        if proxy.get_descriptor(gatt.GATT_CLIENT_CHARACTERISTIC_CONFIGURATION_DESCRIPTOR) is None:
            raise BleakError(
                f"{characteristic.uuid} has no Client Characteristic Configuration descriptor to switch "
                "notifications on with; the peripheral's GATT database is malformed"
            )

        def on_value(value: bytes) -> None:
            try:
                callback(bytearray(value))
            except Exception:
                # Bumble calls this from its ATT handler: an error there would only be lost deeper down.
                log.exception("the notification callback for %s raised; fix the callback", characteristic.uuid)

        async with self._operation(f"subscribing to {characteristic.uuid}") as connection:
            self._subscribers[characteristic.handle] = on_value
            try:
                await connection.gatt_client.subscribe(proxy, on_value, prefer_notify=True)
            except BaseException:
                self._subscribers.pop(characteristic.handle, None)
                raise

    async def stop_notify(self, characteristic: BleakGATTCharacteristic) -> None:
        async with self._operation(f"unsubscribing from {characteristic.uuid}") as connection:
            subscriber = self._subscribers.pop(characteristic.handle, None)
            if subscriber is None:
                return
            await connection.gatt_client.unsubscribe(characteristic.obj, subscriber)

    # Internals

    async def _find(self, timeout_seconds: float) -> hci.Address:
        device = await BleakScanner.find_device_by_address(
            self.address, timeout=timeout_seconds, backend=self._scanner_class
        )
        if device is None or not isinstance(device.details, hci.Address):
            raise BleakDeviceNotFoundError(
                self.address,
                f"{self.address} was not seen advertising within {timeout_seconds:.1f} s; "
                "is it advertising and in range?",
            )
        self._advertised_name = self._advertised_name or device.name
        return device.details

    def _attach(self, connection: Connection) -> None:
        connection.on(Connection.EVENT_DISCONNECTION, lambda reason: self._on_disconnection(connection, reason))
        self._connection = connection
        self._closed = asyncio.Event()
        if self._central.device.lookup_connection(connection.handle) is not connection:
            # The link dropped between the controller's "connected" and this line.
            self._detach()
            raise ConnectionLostError(f"the link to {self.address} dropped as soon as it was made; retry")

    async def _set_up(self, connection: Connection) -> None:
        client = connection.gatt_client
        async with self._operation("exchanging the ATT MTU"):
            try:
                await client.request_mtu(ATT_MTU_REQUEST_BYTES)
            except att.ATT_Error as exc:
                log.info("%s refused the MTU exchange (%s); staying at %d bytes",
                         self.address, exc, ATT_DEFAULT_MTU_BYTES)
        async with self._operation("discovering services"):
            services = await client.discover_services()
            if self._requested_services is not None:
                services = [s for s in services if bleak_uuid(s.uuid) in self._requested_services]
            for service in services:
                await client.discover_characteristics((), service)
                for characteristic in service.characteristics:
                    await client.discover_descriptors(characteristic)
                    characteristic.descriptors_discovered = True
        self.services = service_collection(services, lambda: self.mtu_size - ATT_WRITE_HEADER_BYTES)
        self._device_name = await self._read_device_name(connection)
        log.debug("connected to %s (%s), ATT MTU %d, %d services", self.address, self.name,
                  connection.att_mtu, len(self.services.services))

    async def _read_device_name(self, connection: Connection) -> str | None:
        # Only from a discovered GAP service: a filtered discovery must not cost another search.
        name_uuid = bleak_uuid(gatt.GATT_DEVICE_NAME_CHARACTERISTIC)
        characteristics = self.services.characteristics.values() if self.services is not None else ()
        gap_name = next((c for c in characteristics if c.uuid == name_uuid and "read" in c.properties), None)
        if gap_name is None:
            return None
        async with self._operation("reading the device name"):
            try:
                raw = await connection.gatt_client.read_value(gap_name.handle)
            except att.ATT_Error as exc:
                log.debug("%s would not give its device name (%s)", self.address, exc)
                return None
        return raw.decode("utf-8", errors="replace") or None

    @asynccontextmanager
    async def _operation(self, what: str) -> AsyncIterator[Connection]:
        """The live connection, with Bumble's failures turned into bleak's errors."""
        connection = self._connection
        if connection is None:
            raise NotConnectedError(f"{what}: not connected to {self.address}; connect first")
        try:
            yield connection
        except att.ATT_Error as exc:
            raise BleakGATTProtocolError(exc.error_code) from exc
        except core.TimeoutError as exc:
            raise BleakError(f"{what}: {self.address} did not answer in time; disconnect and retry") from exc
        except asyncio.CancelledError:
            task = asyncio.current_task()
            if self._connection is connection or (task is not None and task.cancelling()):
                raise  # a real cancellation of the caller
            # Bumble cancels the request in flight when the link drops.
            raise ConnectionLostError(f"{what}: the link to {self.address} dropped; reconnect and retry") from None

    def _on_disconnection(self, connection: Connection, reason: int) -> None:
        if self._connection is not connection:
            return  # a link this client already gave up (a disconnect that timed out, say)
        self._detach()
        if self._disconnecting:
            return
        error = hci.HCI_Constant.error_name(reason)  # type: ignore[no-untyped-call]  # unannotated in bumble
        log.info("lost the link to %s (%s)", self.address, error)
        if self._disconnected_callback is not None:
            asyncio.get_running_loop().call_soon(self._disconnected_callback)

    def _detach(self) -> None:
        # `services` is kept (stale until the next connect) so that bleak resolves characteristics
        # and the operation itself says "not connected", rather than "discovery not performed".
        self._connection = None
        self._subscribers.clear()
        self._closed.set()

    async def _abandon(self, connection: Connection) -> None:
        """Close a link whose set-up failed, without the disconnected callback."""
        if self._connection is not connection:
            return
        self._disconnecting = True
        try:
            async with asyncio.timeout(DISCONNECT_TIMEOUT_SECONDS):
                await connection.disconnect()
        except (TimeoutError, core.BaseBumbleError) as exc:
            log.warning("could not close the half-set-up link to %s (%s); the peripheral will time it out",
                        self.address, exc)
        finally:
            self._disconnecting = False
            if self._connection is connection:
                self._detach()
