"""httpcore's sockets on the event loop (``model/aio_network``): what the pool relies on.

Real sockets on 127.0.0.1: reads, the end of a connection, timeouts, flow control on a large
body, refused connections, TLS with ALPN (how HTTP/2 is chosen), and the pool's test for a
keep-alive connection the server has closed meanwhile.
"""

from __future__ import annotations

import asyncio
import ssl
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

import httpcore
import httpx
import pytest

from deepseek_lsp.model import EndpointConfig, ModelClient, aio_network
from deepseek_lsp.model.aio_network import AsyncioBackend

Handler = Callable[[asyncio.StreamReader, asyncio.StreamWriter], Awaitable[None]]


async def _serve(handler: Handler, ssl_context: ssl.SSLContext | None = None) -> tuple[asyncio.Server, int]:
    server = await asyncio.start_server(handler, "127.0.0.1", 0, ssl=ssl_context)
    return server, server.sockets[0].getsockname()[1]


async def test_reads_what_arrives_then_the_end() -> None:
    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writer.write(b"hello ")
        await writer.drain()
        await asyncio.sleep(0.05)
        writer.write(b"world")
        writer.close()

    server, port = await _serve(handler)
    async with server:
        stream = await AsyncioBackend().connect_tcp("127.0.0.1", port)
        got = b""
        while chunk := await stream.read(4):
            assert len(chunk) <= 4
            got += chunk
        assert got == b"hello world"
        assert await stream.read(4) == b""  # the end stays the end
        await stream.aclose()


async def test_a_read_past_its_timeout_raises_read_timeout() -> None:
    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.read()  # says nothing until the client goes

    server, port = await _serve(handler)
    async with server:
        stream = await AsyncioBackend().connect_tcp("127.0.0.1", port)
        started = time.monotonic()
        with pytest.raises(httpcore.ReadTimeout):
            # Bounded, for a failure instead of a hang should the timeout be lost.
            await asyncio.wait_for(stream.read(100, timeout=0.1), 30)
        assert time.monotonic() - started >= 0.09  # not before its time
        await stream.aclose()


async def test_a_read_cancelled_as_bytes_arrive_stays_cancelled() -> None:
    """Ctrl+C during ``deepseek-lsp review`` landed in the turn of the loop in which the answer's
    headers arrived: the read returned them, the cancellation was lost (Python 3.11's
    ``wait_for``), and the command waited for the whole answer before it stopped."""

    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.read()

    server, port = await _serve(handler)
    async with server:
        stream = await AsyncioBackend().connect_tcp("127.0.0.1", port)
        read = asyncio.ensure_future(stream.read(100, timeout=5))
        await asyncio.sleep(0.01)  # waiting for bytes
        # The bytes and the cancellation in one turn, as a signal handler and the socket can be.
        stream._protocol.data_received(b"HTTP/1.1 200 OK\r\n")  # type: ignore[attr-defined]
        read.cancel()
        with pytest.raises(asyncio.CancelledError):
            await read
        await stream.aclose()


async def test_a_large_body_reaches_a_slow_reader_whole() -> None:
    body = bytes(range(256)) * (8 * 4096)  # 8 MiB: more than the socket buffers hold
    received = bytearray()
    done = asyncio.Event()

    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        while len(received) < len(body):
            await asyncio.sleep(0.001)  # slower than the writer: its buffer fills up
            chunk = await reader.read(256 * 1024)
            if not chunk:
                break
            received.extend(chunk)
        done.set()
        writer.close()

    server, port = await _serve(handler)
    async with server:
        stream = await AsyncioBackend().connect_tcp("127.0.0.1", port)
        await stream.write(body, timeout=30)
        await asyncio.wait_for(done.wait(), 30)
        assert bytes(received) == body
        await stream.aclose()


async def test_a_refused_connection_is_a_connect_error() -> None:
    server, port = await _serve(lambda r, w: asyncio.sleep(0))
    server.close()
    await server.wait_closed()
    with pytest.raises(httpcore.ConnectError):
        await AsyncioBackend().connect_tcp("127.0.0.1", port, timeout=5)


async def test_connects_cancelled_as_they_complete_leave_no_socket_open() -> None:
    """A completion cancelled by the next keystroke may be opening a connection: a cancel in the
    loop turn where the connect completed left the socket open, out of the pool and never closed
    (in a long session's soak, one more established connection every ~1,500 keystrokes; here
    ~50 of 400). Cancelled after 0 to 7 turns of the loop, each connect lands in that turn now
    and then; every one the server accepted must be closed by the client."""
    closed_by_client: list[asyncio.Event] = []

    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        closed = asyncio.Event()
        closed_by_client.append(closed)
        await reader.read()  # until the client closes its end
        closed.set()
        writer.close()

    server, port = await _serve(handler)
    async with server:
        backend = AsyncioBackend()
        for attempt in range(400):
            connect = asyncio.ensure_future(backend.connect_tcp("127.0.0.1", port, timeout=5))
            for _ in range(attempt % 8):
                await asyncio.sleep(0)
            connect.cancel()
            try:
                await (await connect).aclose()  # connected before the cancel: closed as usual
            except asyncio.CancelledError:
                pass
        await asyncio.sleep(0.2)  # the last accepts
        accepted = len(closed_by_client)
        assert accepted > 100, "the connects must get as far as the server for the test to tell"
        waits = [asyncio.ensure_future(c.wait()) for c in closed_by_client]
        await asyncio.wait(waits, timeout=5)
        for wait in waits:
            wait.cancel()
        left_open = sum(not c.is_set() for c in closed_by_client)
        assert left_open == 0, f"{left_open} of {accepted} connections left open"


async def test_a_keep_alive_connection_the_server_closed_is_not_reused() -> None:
    """The pool asks ``is_readable`` of an idle connection before reusing it: the server's
    close must show, or the next request goes out on a dead socket and fails."""
    connections = 0

    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        nonlocal connections
        connections += 1
        await reader.readuntil(b"\r\n\r\n")
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")  # keep-alive, then...
        await writer.drain()
        writer.close()  # ...the server drops the idle connection, as servers do after a while

    server, port = await _serve(handler)
    async with server, httpcore.AsyncConnectionPool(network_backend=AsyncioBackend()) as pool:
        for _ in range(3):
            response = await pool.request("GET", f"http://127.0.0.1:{port}/")
            assert response.status == 200 and response.content == b"ok"
            await asyncio.sleep(0.05)  # the close arrives while the connection is idle
        assert connections == 3


async def test_tls_negotiates_http2_by_alpn(tmp_path: Path) -> None:
    from tests.test_security_transport import _self_signed

    cert, key = _self_signed(tmp_path)
    server_ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server_ctx.load_cert_chain(cert, key)
    server_ctx.set_alpn_protocols(["h2", "http/1.1"])

    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        data = await reader.read(100)
        writer.write(data.upper())
        await writer.drain()
        writer.close()

    server, port = await _serve(handler, server_ctx)
    async with server:
        client_ctx = ssl.create_default_context(cafile=str(cert))
        client_ctx.set_alpn_protocols(["h2", "http/1.1"])
        plain = await AsyncioBackend().connect_tcp("127.0.0.1", port)
        stream = await plain.start_tls(client_ctx, server_hostname="127.0.0.1", timeout=10)
        assert stream.get_extra_info("ssl_object").selected_alpn_protocol() == "h2"
        await stream.write(b"over tls")
        assert await stream.read(100) == b"OVER TLS"
        await stream.aclose()

        untrusting = ssl.create_default_context()  # the self-signed certificate is refused
        plain = await AsyncioBackend().connect_tcp("127.0.0.1", port)
        with pytest.raises(httpcore.ConnectError, match="certificate verify failed"):
            await plain.start_tls(untrusting, server_hostname="127.0.0.1", timeout=10)


def test_the_model_client_pool_uses_it() -> None:
    # If httpx changes its layout, install() gives up quietly and anyio's slower backend stays:
    # this says so when the httpx we depend on changes.
    client = ModelClient(EndpointConfig(base_url="http://127.0.0.1:9", api_key="k", allow_http=True))
    assert isinstance(client.http._transport._pool._network_backend, AsyncioBackend)
    assert not aio_network.install(httpx.AsyncClient(transport=httpx.MockTransport(lambda r: httpx.Response(200))))
