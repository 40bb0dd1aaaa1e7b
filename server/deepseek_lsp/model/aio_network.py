"""httpcore's sockets on the asyncio event loop itself, without anyio in between.

httpcore reaches the network through a pluggable backend; under asyncio it picks anyio's, which
wraps every read and write in a cancel scope (``fail_after``), an exception map and, for TLS,
anyio's own memory-BIO TLS layer, and answers ``is_readable`` (asked before each request on a
pooled connection) with a ``getpeername`` call and a ``select``. That is ~0.5-1 ms of CPU per
streamed completion of ~10 chunks (tests/bench/bench_http.py, "ModelClient" against "httpx"):
a tenth of the server's whole overhead per request. This backend is an ``asyncio.Protocol``
that buffers what arrives; a read returns the buffer or waits on one future. TLS is the event
loop's (``loop.start_tls``), whose ``ssl_object`` httpcore asks for the ALPN choice (HTTP/2).

httpx takes no network backend argument, so :func:`install` sets it on the pool of a client's
default transport (a private attribute); if httpx's layout changes it does nothing and anyio's
backend stays, which works the same, only slower.
"""

from __future__ import annotations

import asyncio
import logging
import socket
import ssl
import time
from collections.abc import Awaitable, Iterable
from typing import Any

import httpcore
from httpcore import AsyncNetworkBackend, AsyncNetworkStream

from ..timeouts import within

__all__ = ["RECEIVED_AT", "AsyncioBackend", "install"]

log = logging.getLogger(__name__)

#: ``get_extra_info`` key: the ``time.monotonic()`` of the last bytes received (or of the
#: connection's opening), for telling a dead connection from a slow server (pool_reclaim).
RECEIVED_AT = "deepseek_lsp.received_at"

SocketOption = tuple[int, int, int] | tuple[int, int, bytes | bytearray] | tuple[int, int, None, int]


class _Buffered(asyncio.Protocol):
    """What a connection received and not yet read, its end, and the writer's flow control."""

    def __init__(self) -> None:
        self.buffer = bytearray()
        self.eof = False
        self.error: BaseException | None = None
        self.waiter: asyncio.Future[None] | None = None
        self.paused = False
        self.drained: asyncio.Future[None] | None = None
        self.received_at = time.monotonic()

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        self.received_at = time.monotonic()
        self._wake()

    def eof_received(self) -> bool:
        self.eof = True
        self._wake()
        return False  # let the transport close itself

    def connection_lost(self, exc: Exception | None) -> None:
        self.eof = True
        self.error = exc
        self._wake()
        self.resume_writing()

    def pause_writing(self) -> None:
        self.paused = True

    def resume_writing(self) -> None:
        self.paused = False
        if self.drained is not None and not self.drained.done():
            self.drained.set_result(None)

    def _wake(self) -> None:
        if self.waiter is not None and not self.waiter.done():
            self.waiter.set_result(None)


async def _bounded(future: asyncio.Future[Any], timeout: float | None, error: type[Exception], what: str) -> Any:
    if timeout is None:
        return await future
    try:
        return await within(future, timeout)
    except asyncio.TimeoutError:
        raise error(f"{what} timed out after {timeout:g} s") from None


#: Writes smaller than this are held until the end of the loop's turn (or the next read), so
#: that a request's headers and body leave in one ``send``: httpcore writes them apart (h11 hands
#: them over as two events), two system calls and two trips through the transport a request.
#: A larger one goes at once, with the flow control it needs.
HELD_WRITE_MAX = 64 * 1024


class AsyncioStream(AsyncNetworkStream):
    def __init__(self, transport: asyncio.Transport, protocol: _Buffered) -> None:
        self._transport = transport
        self._protocol = protocol
        self._held: list[bytes] = []
        self._held_size = 0

    def _flush(self) -> None:
        if self._held:
            data = b"".join(self._held) if len(self._held) > 1 else self._held[0]
            self._held.clear()
            self._held_size = 0
            if not self._transport.is_closing():
                self._transport.write(data)

    async def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        self._flush()
        p = self._protocol
        if not p.buffer and not p.eof:
            p.waiter = asyncio.get_running_loop().create_future()
            try:
                await _bounded(p.waiter, timeout, httpcore.ReadTimeout, "reading")
            finally:
                p.waiter = None
        if p.buffer:
            data = bytes(p.buffer[:max_bytes])
            del p.buffer[:max_bytes]
            return data
        if p.error is not None:
            raise httpcore.ReadError(str(p.error) or type(p.error).__name__)
        return b""  # the server closed the connection

    async def write(self, buffer: bytes, timeout: float | None = None) -> None:
        if not buffer:
            return
        if self._transport.is_closing():
            raise httpcore.WriteError(str(self._protocol.error or "the connection is closed"))
        p = self._protocol
        if not p.paused and self._held_size + len(buffer) <= HELD_WRITE_MAX:
            if not self._held:
                # Sent within this turn of the loop whether or not a read follows (an HTTP/2
                # stream's reset is written and nothing read after it).
                asyncio.get_running_loop().call_soon(self._flush)
            self._held.append(buffer)
            self._held_size += len(buffer)
            return
        self._flush()
        self._transport.write(buffer)
        if p.paused:  # the kernel's buffer is full: wait until it drains
            p.drained = asyncio.get_running_loop().create_future()
            try:
                await _bounded(p.drained, timeout, httpcore.WriteTimeout, "writing")
            finally:
                p.drained = None

    async def aclose(self) -> None:
        self._flush()
        self._transport.close()

    async def start_tls(
        self, ssl_context: ssl.SSLContext, server_hostname: str | None = None, timeout: float | None = None
    ) -> AsyncNetworkStream:
        loop = asyncio.get_running_loop()
        self._flush()
        try:
            handshake = loop.start_tls(
                self._transport, self._protocol, ssl_context, server_hostname=server_hostname
            )
            transport = await _bounded(
                asyncio.ensure_future(handshake), timeout, httpcore.ConnectTimeout, "the TLS handshake"
            )
        except OSError as exc:  # ssl.SSLError and ConnectionError are OSErrors
            self._transport.close()
            raise httpcore.ConnectError(str(exc) or type(exc).__name__) from exc
        except BaseException:
            self._transport.close()
            raise
        if transport is None:  # the connection closed during the handshake
            raise httpcore.ConnectError("the server closed the connection during the TLS handshake")
        return AsyncioStream(transport, self._protocol)

    def get_extra_info(self, info: str) -> Any:
        if info == "is_readable":
            # Asked of an idle pooled connection: data or an end means the server hung up (or
            # broke the protocol), and the connection must not be reused.
            return bool(self._protocol.buffer) or self._protocol.eof
        if info == RECEIVED_AT:
            return self._protocol.received_at
        key = {"client_addr": "sockname", "server_addr": "peername"}.get(info, info)
        if key in ("ssl_object", "sockname", "peername", "socket"):
            return self._transport.get_extra_info(key)
        return None


class AsyncioBackend(AsyncNetworkBackend):
    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[SocketOption] | None = None,
    ) -> AsyncNetworkStream:
        local = (local_address, 0) if local_address else None
        loop = asyncio.get_running_loop()
        return await _connected(loop.create_connection(_Buffered, host, port, local_addr=local), timeout, socket_options)

    async def connect_unix_socket(
        self, path: str, timeout: float | None = None, socket_options: Iterable[SocketOption] | None = None
    ) -> AsyncNetworkStream:
        loop = asyncio.get_running_loop()
        return await _connected(loop.create_unix_connection(_Buffered, path), timeout, socket_options)

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(seconds)


async def _connected(
    connecting: Awaitable[tuple[asyncio.Transport, _Buffered]],
    timeout: float | None,
    options: Iterable[SocketOption] | None,
) -> AsyncioStream:
    connect = asyncio.ensure_future(connecting)
    try:
        transport, protocol = await _bounded(connect, timeout, httpcore.ConnectTimeout, "connecting")
    except OSError as exc:
        raise httpcore.ConnectError(str(exc) or type(exc).__name__) from exc
    except BaseException:
        _close_once_connected(connect)
        raise
    sock: socket.socket | None = transport.get_extra_info("socket")
    if sock is not None:
        for option in options or ():
            sock.setsockopt(*option)
    return AsyncioStream(transport, protocol)


def _close_once_connected(connect: asyncio.Future[tuple[asyncio.Transport, _Buffered]]) -> None:
    """Close the connection a cancelled or timed-out connect made after all: a cancel landing in
    the loop turn where the connect completed reaches the waiter alone, and the socket, held by
    the loop's selector, stayed open for good (a long session's cancelled completions left one
    more established connection to the server every ~1,500 keystrokes)."""

    def close(done: asyncio.Future[tuple[asyncio.Transport, _Buffered]]) -> None:
        if not done.cancelled() and done.exception() is None:
            done.result()[0].close()

    connect.add_done_callback(close)


def install(http: Any) -> bool:
    """Use :class:`AsyncioBackend` for the pool of ``http`` (an ``httpx.AsyncClient`` whose
    transport is an ``httpx.AsyncHTTPTransport``); returns whether it is in place."""
    try:
        pool = http._transport._pool
    except AttributeError:
        return False
    if not isinstance(pool, httpcore.AsyncConnectionPool) or not hasattr(pool, "_network_backend"):
        log.debug("httpx's connection pool has another layout; keeping its network backend")
        return False
    pool._network_backend = AsyncioBackend()
    return True
