"""A TCP proxy that can cut one process off from another: a network partition on demand.

The gateway reaches the broker and the database through one of these each; bands reach the broker
directly. Two kinds of cut:

- `reset`: every open connection is torn down (RST) and new ones are refused until `restore()`, as when
  a link goes down and a firewall rejects: the gateway sees errors at once and reconnects.
- `stall`: nothing passes either way, but connections stay open, as when packets are dropped: the
  gateway waits in mid-transaction or mid-publish, and everything held goes through on `restore()`.

A few dozen lines of asyncio, so no library: the proxies on PyPI are general-purpose forwarders
without a switch to cut them, and toxiproxy is a Go server of its own to install and drive. The proxy
runs its own event loop on a thread, so a busy fleet on the harness's loop does not slow the traffic
it carries; `cut` and `restore` may be called from any thread.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import socket
import threading
from collections.abc import Coroutine
from concurrent.futures import Future
from typing import Any, Final, Literal, TypeVar

from stewards.services.ports import LOOPBACK_HOST

log = logging.getLogger(__name__)

CutMode = Literal["reset", "stall"]
CUT_MODES: Final[tuple[CutMode, ...]] = ("reset", "stall")
CHUNK_BYTES: Final = 64 * 1024
CONTROL_TIMEOUT_SECONDS: Final = 10.0
T = TypeVar("T")


class TcpProxy:
    """Listens on a free loopback port and forwards every connection to `upstream`."""

    def __init__(self, name: str, upstream_host: str, upstream_port: int) -> None:
        self.name = name
        self.upstream = (upstream_host, upstream_port)
        self.host = LOOPBACK_HOST
        self.port = 0
        self.cut_mode: CutMode | None = None
        self.connections_accepted = 0
        self.connections_reset = 0
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name=f"proxy-{name}", daemon=True)
        self._server: asyncio.Server | None = None
        self._flowing: asyncio.Event | None = None
        self._pairs: set[tuple[asyncio.StreamWriter, asyncio.StreamWriter]] = set()
        self._tasks: set[asyncio.Task[None]] = set()

    # -- control, from any thread -----------------------------------------------------------------

    def start(self) -> None:
        self._thread.start()
        self.port = self._call(self._start())
        log.info("proxy %s: %s:%d → %s:%d", self.name, self.host, self.port, *self.upstream)

    def cut(self, mode: CutMode) -> None:
        if mode not in CUT_MODES:
            raise ValueError(f"cut mode must be one of {CUT_MODES}, got {mode!r}")
        self._call(self._cut(mode))

    def restore(self) -> None:
        self._call(self._restore())

    def close(self) -> None:
        if not self._thread.is_alive():
            return
        self._call(self._close())
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(CONTROL_TIMEOUT_SECONDS)
        self._loop.close()

    def __enter__(self) -> TcpProxy:
        self.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def _call(self, coroutine: Coroutine[Any, Any, T]) -> T:
        future: Future[T] = asyncio.run_coroutine_threadsafe(coroutine, self._loop)
        return future.result(CONTROL_TIMEOUT_SECONDS)

    # -- on the proxy's loop ---------------------------------------------------------------------

    async def _start(self) -> int:
        self._flowing = asyncio.Event()
        self._flowing.set()
        self._server = await asyncio.start_server(self._accept, self.host, 0)
        return int(self._server.sockets[0].getsockname()[1])

    async def _cut(self, mode: CutMode) -> None:
        assert self._flowing is not None
        self.cut_mode = mode
        if mode == "stall":
            self._flowing.clear()
            return
        for downstream, upstream in list(self._pairs):
            _reset(downstream)
            _reset(upstream)
            self.connections_reset += 1
        self._pairs.clear()

    async def _restore(self) -> None:
        assert self._flowing is not None
        self.cut_mode = None
        self._flowing.set()

    async def _close(self) -> None:
        if self._server is not None:
            self._server.close()
        for downstream, upstream in list(self._pairs):
            _reset(downstream)
            _reset(upstream)
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        if self._server is not None:
            await self._server.wait_closed()

    async def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        if self.cut_mode == "reset":
            _reset(writer)  # refused while the link is down
            return
        self.connections_accepted += 1
        try:
            up_reader, up_writer = await asyncio.open_connection(*self.upstream)
        except OSError:
            _reset(writer)  # the upstream itself is down: the client sees what it would see without us
            return
        pair = (writer, up_writer)
        self._pairs.add(pair)
        pumps = [self._spawn(self._pump(reader, up_writer)), self._spawn(self._pump(up_reader, writer))]
        try:
            await asyncio.wait(pumps, return_when=asyncio.FIRST_COMPLETED)
        finally:
            self._pairs.discard(pair)
            for pump in pumps:
                pump.cancel()
            for side in pair:
                side.close()

    def _spawn(self, coroutine: Coroutine[Any, Any, None]) -> asyncio.Task[None]:
        task = asyncio.get_running_loop().create_task(coroutine)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

    async def _pump(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        flowing = self._flowing
        assert flowing is not None
        with contextlib.suppress(OSError, asyncio.IncompleteReadError):
            while True:
                await flowing.wait()  # a stall holds bytes in the kernel's buffers: TCP pushes back
                data = await reader.read(CHUNK_BYTES)
                if not data:
                    return
                await flowing.wait()
                writer.write(data)
                await writer.drain()


def _reset(writer: asyncio.StreamWriter) -> None:
    """Close with an RST, not a FIN: the peer learns at once that the connection is gone."""
    sock = writer.get_extra_info("socket")
    if sock is not None:
        with contextlib.suppress(OSError):
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
    writer.transport.abort()
