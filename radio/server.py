"""A TCP server that shares one `Radio` between processes.

Each accepted connection speaks H4 HCI, the framing of bumble's tcp-client transport (a packet-type
byte, then the HCI packet), and gets its own `RadioController` on the shared radio; the controller
leaves the radio when the connection closes, so its peers see their links time out. Any host can
connect with `radio.host.attach("tcp:HOST:PORT", name)` and then place its device with
`radio.host.place`.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
from typing import Final

from bumble import core
from bumble.transport.common import PacketParser

from radio.controller import RadioController
from radio.errors import RadioError
from radio.link import Radio

logger = logging.getLogger(__name__)

CONTROLLER_NAME_PREFIX: Final = "radio-client"


class _TcpHostSink:
    """Controller -> host packets onto the TCP stream; dropped once the stream is closing."""

    def __init__(self, transport: asyncio.WriteTransport) -> None:
        self._transport = transport

    def on_packet(self, packet: bytes) -> None:
        if not self._transport.is_closing():
            self._transport.write(packet)


class _HciConnection(asyncio.Protocol):
    """One TCP client: an H4 stream in front of its own RadioController."""

    def __init__(self, server: RadioServer, name: str) -> None:
        self._server = server
        self._name = name
        self._transport: asyncio.Transport | None = None
        self._controller: RadioController | None = None
        self._parser: PacketParser | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self._transport = transport
        self._controller = RadioController(
            self._name, self._server.radio, host_sink=_TcpHostSink(transport)
        )
        self._parser = PacketParser(self._controller)
        self._server._connections.add(self)
        logger.info("%s joined the radio from %s", self._name, transport.get_extra_info("peername"))

    def data_received(self, data: bytes) -> None:
        assert self._parser is not None and self._transport is not None
        try:
            self._parser.feed_data(data)
        except core.InvalidPacketError as error:
            # H4 has no resynchronisation: after a bad packet-type byte the stream is lost.
            logger.warning("%s sent a bad H4 frame (%s); closing its connection", self._name, error)
            self.close()

    def connection_lost(self, exc: Exception | None) -> None:
        self.leave()
        logger.info("%s left the radio%s", self._name, f" ({exc})" if exc else "")

    def close(self) -> None:
        if self._transport is not None:
            self._transport.close()
        self.leave()

    def leave(self) -> None:
        self._server._connections.discard(self)
        if self._controller is not None:
            self._server.radio.remove_controller(self._controller)


class RadioServer:
    """Serves one Radio over TCP; `port` 0 picks a free port, reported by `.port` after start."""

    def __init__(self, radio: Radio, host: str, port: int) -> None:
        self.radio = radio
        self.host = host
        self._requested_port = port
        self._server: asyncio.Server | None = None
        self._connections: set[_HciConnection] = set()
        self._names = itertools.count(1)

    @property
    def port(self) -> int:
        """The bound port once started, else the port asked for."""
        if self._server is None or not self._server.sockets:
            return self._requested_port
        return int(self._server.sockets[0].getsockname()[1])

    async def start(self) -> None:
        if self._server is not None:
            raise RadioError("this RadioServer is already started; close it before starting again")
        loop = asyncio.get_running_loop()
        try:
            self._server = await loop.create_server(
                lambda: _HciConnection(self, f"{CONTROLLER_NAME_PREFIX}-{next(self._names)}"),
                self.host,
                self._requested_port,
            )
        except OSError as error:
            raise RadioError(
                f"cannot listen on {self.host}:{self._requested_port} ({error}); "
                "pick a free port or 0 for any"
            ) from error
        logger.info("radio server listening on %s:%d", self.host, self.port)

    async def close(self) -> None:
        """Stop listening and take every client's controller off the air."""
        if self._server is None:
            return
        self._server.close()
        for connection in list(self._connections):
            connection.close()
        await self._server.wait_closed()
        self._server = None

    async def __aenter__(self) -> RadioServer:
        await self.start()
        return self

    async def __aexit__(self, *_exc_info: object) -> None:
        await self.close()


async def serve_radio(
    host: str, port: int, stop: asyncio.Event, *, radio: Radio | None = None
) -> None:
    """Run a radio server (on a fresh default Radio unless one is given) until `stop` is set."""
    async with RadioServer(radio if radio is not None else Radio(), host, port):
        await stop.wait()
