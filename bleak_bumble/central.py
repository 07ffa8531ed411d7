"""The Bumble device in the central role, shared by every scanner and client of a backend: scan and connect.

A controller scans once, for everyone: scanners register here, the first one starts the scan, the
last one to leave stops it, and every advertisement is handed to each registered scanner. The scan
is active if any registered scanner asked for active scanning.

A controller creates one LE connection at a time, so connection attempts queue here. While one is
being made the scan is paused and then resumed, as Linux does, because not every controller can
scan and initiate at once (LE supported states, Core spec Vol 6, Part B, 1.1.1); the registered
scanners do not notice beyond a short gap in advertisements.

A connection attempt given up on (its timeout passed, or its caller was cancelled) is left to
finish rather than dropped. A real controller (and the project's `radio.RadioController`) confirms
a cancel within milliseconds; Bumble's stock emulated controller acknowledges LE Create Connection
Cancel yet goes on initiating, and connects once the
peripheral advertises again, a link Bumble's host cannot take unless the attempt is still waiting
for it. Until the attempt ends the device makes no other connection; a link it makes late is hung up.

Bumble types stay behind this module and `client`/`scanner`: callers get bleak's types.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any, Final

from bumble import core, hci
from bumble.device import Advertisement, Connection, Device

from bleak_bumble.errors import BackendSetupError, ControllerError

__all__ = ["AdvertisementSink", "Central"]

log = logging.getLogger(__name__)

AdvertisementSink = Callable[[Advertisement], None]

# After a connect timeout Bumble asks the controller to cancel and waits for its answer; a real
# controller answers within milliseconds, so no answer after this long means none is coming.
CONNECT_CANCEL_ANSWER_SECONDS: Final = 2.0


class Central:
    """Scanning and connection creation on one powered-on `bumble.device.Device`."""

    def __init__(self, device: Device) -> None:
        if not device.powered_on:
            raise BackendSetupError(
                "the Bumble device is not powered on: `await device.power_on()` before building the backend"
            )
        self.device = device
        self._sinks: dict[AdvertisementSink, bool] = {}  # sink -> wants active scanning
        self._scanning = False  # whether this central has the device scanning
        self._scanning_active = False
        self._connecting = False
        self._state_lock = asyncio.Lock()  # guards the scan state against interleaved start/stop
        self._connect_lock = asyncio.Lock()  # one LE connection creation at a time
        self._background: set[asyncio.Task[Any]] = set()  # held so they are not collected mid-flight
        self._stale_attempt_to: hci.Address | None = None  # a connection attempt outliving its caller

    @property
    def scanning(self) -> bool:
        """Whether the device is scanning on behalf of this central's scanners right now."""
        return self._scanning

    async def add_scanner(self, sink: AdvertisementSink, *, active: bool) -> None:
        """Hand every advertisement to `sink` from now on, starting the scan if needed."""
        async with self._state_lock:
            if sink in self._sinks:
                raise BackendSetupError("this scanner is already scanning; stop it before starting it again")
            if not self._sinks:
                self.device.on(Device.EVENT_ADVERTISEMENT, self._on_advertisement)
            self._sinks[sink] = active
            try:
                await self._reconcile()
            except BaseException:
                self._forget(sink)
                raise

    async def remove_scanner(self, sink: AdvertisementSink) -> None:
        """Stop handing advertisements to `sink`, stopping the scan when it was the last one."""
        async with self._state_lock:
            if sink not in self._sinks:
                return
            self._forget(sink)
            await self._reconcile()

    async def connect(self, address: hci.Address, *, timeout_seconds: float) -> Connection:
        """An LE connection to `address` within `timeout_seconds`, queueing for the device included.

        Raises TimeoutError when the peripheral is not reached in time, ControllerError when the
        controller refuses.
        """
        shown = address.to_string(False)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout_seconds
        try:
            async with asyncio.timeout_at(deadline):
                await self._connect_lock.acquire()
        except TimeoutError:
            raise TimeoutError(f"no connection to {shown} within {timeout_seconds:.1f} s: {self._busy_reason()}") \
                from None
        attempt: asyncio.Task[Connection] | None = None
        delivered = False
        try:
            async with self._scan_paused():
                remaining_seconds = deadline - loop.time()
                if remaining_seconds <= 0:
                    raise TimeoutError(f"no connection to {shown} within {timeout_seconds:.1f} s: "
                                       "no time was left to connect; retry with a longer timeout")
                attempt = loop.create_task(self.device.connect_le(address, timeout=remaining_seconds))
                try:
                    async with asyncio.timeout(remaining_seconds + CONNECT_CANCEL_ANSWER_SECONDS):
                        connection = await asyncio.shield(attempt)
                except TimeoutError:
                    log.warning("the controller did not answer the cancel of a connection to %s; no other "
                                "connection is made until that one ends", shown)
                    raise TimeoutError(
                        f"no connection to {shown} within {timeout_seconds:.1f} s (and the controller did "
                        "not confirm the cancel): is it advertising as connectable and in range?"
                    ) from None
            delivered = True
            return connection
        except core.TimeoutError as exc:
            raise TimeoutError(f"no connection to {shown} within {timeout_seconds:.1f} s: "
                               "is it advertising as connectable and in range?") from exc
        except core.ConnectionError as exc:
            raise ControllerError(f"the connection to {shown} failed ({exc}); retry") from exc
        except (core.ProtocolError, core.CommandTimeoutError, core.InvalidStateError) as exc:
            raise ControllerError(f"the controller refused to connect to {shown} ({exc}); "
                                  "check that nothing else drives this Bumble device's connections") from exc
        finally:
            if attempt is not None and not attempt.done():
                self._outlive(attempt, address)  # see the module docstring
            else:
                self._connect_lock.release()
                if not delivered and attempt is not None and (late := _late_connection(attempt)) is not None:
                    self._hang_up_in_background(late)  # connected, but the caller is gone

    @asynccontextmanager
    async def _scan_paused(self) -> AsyncIterator[None]:
        async with self._state_lock:
            self._connecting = True
            try:
                await self._reconcile()
            except BaseException:
                self._connecting = False
                raise
        try:
            yield
        finally:
            async with self._state_lock:
                self._connecting = False
                try:
                    await self._reconcile()
                except ControllerError:
                    # The connection attempt's outcome matters more to the caller; the next scanner
                    # start or stop tries again.
                    log.exception("scanning did not resume after a connection attempt; scanners hear "
                                  "nothing until one of them is stopped and started again")

    async def _reconcile(self) -> None:
        """Bring the device's scan in line with the registered scanners (caller holds the state lock)."""
        want_scan = bool(self._sinks) and not self._connecting
        want_active = any(self._sinks.values())
        try:
            if self._scanning and (not want_scan or want_active != self._scanning_active):
                self._scanning = False
                await self.device.stop_scanning()
            if want_scan and not self._scanning:
                await self.device.start_scanning(active=want_active, filter_duplicates=False)
                self._scanning = True
                self._scanning_active = want_active
        except (core.ProtocolError, core.CommandTimeoutError) as exc:
            raise ControllerError(
                f"the controller refused to {'start' if want_scan else 'stop'} scanning ({exc}); "
                "check that nothing else drives this Bumble device's scan"
            ) from exc

    def _outlive(self, attempt: asyncio.Task[Connection], address: hci.Address) -> None:
        """Keep the connect lock until `attempt` ends, then hang up whatever link it made."""
        self._stale_attempt_to = address
        self._background.add(attempt)

        def finished(task: asyncio.Task[Connection]) -> None:
            self._background.discard(task)
            self._stale_attempt_to = None
            self._connect_lock.release()
            if (late := _late_connection(task)) is not None:
                log.info("hanging up the late connection to %s, which was given up on", address.to_string(False))
                self._hang_up_in_background(late)

        attempt.add_done_callback(finished)

    def _busy_reason(self) -> str:
        if self._stale_attempt_to is not None:
            return (f"the controller is still trying to reach {self._stale_attempt_to.to_string(False)} (a "
                    "connection given up on); it is free again once that peripheral advertises")
        return "the device stayed busy connecting to other peripherals; retry, or connect to fewer at once"

    def _hang_up_in_background(self, connection: Connection) -> None:
        task = asyncio.get_running_loop().create_task(connection.disconnect())
        self._background.add(task)
        task.add_done_callback(self._background.discard)
        task.add_done_callback(_log_failed_hang_up)

    def _forget(self, sink: AdvertisementSink) -> None:
        self._sinks.pop(sink, None)
        if not self._sinks:
            self.device.remove_listener(Device.EVENT_ADVERTISEMENT, self._on_advertisement)

    def _on_advertisement(self, advertisement: Advertisement) -> None:
        for sink in list(self._sinks):
            try:
                sink(advertisement)
            except Exception:
                # A detection callback that raises must not stop the others, nor reach Bumble's host.
                log.exception("a scanner's detection callback raised on an advertisement from %s; fix "
                              "the callback (other scanners still get every advertisement)",
                              advertisement.address)


def _log_failed_hang_up(task: asyncio.Task[None]) -> None:
    if not task.cancelled() and (error := task.exception()) is not None:
        log.warning("could not end an abandoned connection (%s); the peripheral will time it out", error)


def _late_connection(attempt: asyncio.Task[Connection]) -> Connection | None:
    """The connection a finished attempt made, if it made one."""
    if attempt.cancelled() or attempt.exception() is not None:
        return None
    return attempt.result()
