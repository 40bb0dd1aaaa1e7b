"""A request goes out in one write of the socket: httpcore writes its headers and its body
apart (h11 hands them over as two events), two ``send`` calls and two trips through asyncio's
transport per completion request (~11 % of the server's samples at a new position)."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import httpcore
import pytest

from deepseek_lsp.model import aio_network
from deepseek_lsp.model.aio_network import AsyncioBackend


class _CountingTransport:
    """The stream's transport, its writes counted."""

    def __init__(self, transport: asyncio.Transport, writes: list[bytes]) -> None:
        self._transport = transport
        self._writes = writes

    def write(self, data: bytes) -> None:
        self._writes.append(bytes(data))
        self._transport.write(data)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._transport, name)


@pytest.fixture
def writes(monkeypatch: pytest.MonkeyPatch) -> list[bytes]:
    seen: list[bytes] = []
    init = aio_network.AsyncioStream.__init__

    def counting(self: aio_network.AsyncioStream, transport: asyncio.Transport, protocol: Any) -> None:
        init(self, _CountingTransport(transport, seen), protocol)  # type: ignore[arg-type]

    monkeypatch.setattr(aio_network.AsyncioStream, "__init__", counting)
    return seen


async def _echo_server() -> tuple[asyncio.Server, int, list[bytes]]:
    bodies: list[bytes] = []

    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        while True:
            try:
                head = await reader.readuntil(b"\r\n\r\n")
            except asyncio.IncompleteReadError:
                break
            length = int(next(h for h in head.split(b"\r\n") if h.lower().startswith(b"content-length:")).split(b":")[1])
            bodies.append(await reader.readexactly(length))
            writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
            await writer.drain()
        writer.close()

    server = await asyncio.start_server(handler, "127.0.0.1", 0)
    return server, server.sockets[0].getsockname()[1], bodies


async def test_a_request_goes_out_in_one_write(writes: list[bytes]) -> None:
    server, port, bodies = await _echo_server()
    body = json.dumps({"prompt": "def f(x):\n    return " * 200, "max_tokens": 64}).encode()
    async with server, httpcore.AsyncConnectionPool(network_backend=AsyncioBackend()) as pool:
        for _ in range(3):  # a new connection, then a kept-alive one
            writes.clear()
            response = await pool.request("POST", f"http://127.0.0.1:{port}/beta/completions", content=body)
            assert response.status == 200 and response.content == b"ok"
            assert len(writes) == 1 and writes[0].startswith(b"POST /beta/completions ") and writes[0].endswith(body)
    assert bodies == [body] * 3


async def test_a_write_not_followed_by_a_read_still_goes_out(writes: list[bytes]) -> None:
    """What is held for the body is sent within the same turn of the loop: an HTTP/2 frame (a
    stream's reset on cancel) is written and nothing is read after it."""
    received = asyncio.Event()

    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        assert await reader.readexactly(5) == b"hello"
        received.set()
        writer.close()

    server = await asyncio.start_server(handler, "127.0.0.1", 0)
    async with server:
        stream = await AsyncioBackend().connect_tcp("127.0.0.1", server.sockets[0].getsockname()[1])
        await stream.write(b"hel")
        await stream.write(b"lo")
        await asyncio.wait_for(received.wait(), 30)
        assert writes == [b"hello"]
        await stream.aclose()


async def test_a_write_then_close_sends_what_was_held(writes: list[bytes]) -> None:
    got = asyncio.get_running_loop().create_future()

    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        got.set_result(await reader.read())
        writer.close()

    server = await asyncio.start_server(handler, "127.0.0.1", 0)
    async with server:
        stream = await AsyncioBackend().connect_tcp("127.0.0.1", server.sockets[0].getsockname()[1])
        await stream.write(b"bye")
        await stream.aclose()
        assert await asyncio.wait_for(got, 30) == b"bye"
