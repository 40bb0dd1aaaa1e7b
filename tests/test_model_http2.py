"""Cancellation over HTTP/2, as with api.deepseek.com: an abandoned stream must be reset
(RST_STREAM) at once, and the connection must stay usable after many cancels.

A small h2c (prior knowledge) server built on the ``h2`` state machine streams an endless-ish
FIM answer and records the resets it receives.
"""

from __future__ import annotations

import asyncio
import json
import select
import socket
import threading
import time
from collections.abc import AsyncIterator, Iterator

import h2.config
import h2.connection
import h2.events
import h2.exceptions
import httpx
import pytest

from deepseek_lsp.model import EndpointConfig, FimRequest, ModelClient

#: How soon after the cancel the server hears of it (~1 ms idle). Nothing else is written on the
#: connection in these tests, so a reset left for a later write never comes at all: the bound
#: is a loaded machine's margin (at 50 ms, its thread switches could pass it).
CLOSE_LIMIT_S = 0.5


def _chunk(text: str, finish: str | None = None, usage: dict | None = None) -> bytes:
    body: dict = {"choices": [{"index": 0, "text": text, "finish_reason": finish}]}
    if usage:
        body["usage"] = usage
    return b"data: " + json.dumps(body).encode() + b"\n\n"


class H2Server:
    def __init__(self, chunks: int = 200, chunk_delay: float = 0.01) -> None:
        self.chunks = chunks
        self.chunk_delay = chunk_delay
        self.ttft = 0.0
        self.resets: dict[int, float] = {}  # stream id -> time.monotonic() of RST_STREAM
        self.requests: dict[int, float] = {}
        self.completed: set[int] = set()
        self.connections = 0
        # After each answer, once the client has read it: "goaway" sends GOAWAY (the server
        # shuts the connection down gracefully, as nginx does after keepalive_requests), and
        # "goaway-close" closes the socket after it (an idle timeout).
        self.when_idle: str | None = None
        # Connections numbered up to this one go silent: what they receive vanishes (a laptop
        # woken in another network, a NAT that forgot them); new ones are answered.
        self.silent_upto = 0
        self.lock = threading.Lock()
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}"
        self._stop = threading.Event()
        threading.Thread(target=self._accept, daemon=True).start()

    def close(self) -> None:
        self._stop.set()
        self.sock.close()

    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            with self.lock:
                self.connections += 1
                number = self.connections
            threading.Thread(target=self._serve, args=(conn, number), daemon=True).start()

    def _serve(self, conn: socket.socket, number: int = 0) -> None:
        conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        h2c = h2.connection.H2Connection(h2.config.H2Configuration(client_side=False))
        h2c.initiate_connection()
        conn.sendall(h2c.data_to_send())
        streams: dict[int, dict] = {}  # id -> {"next": due time, "sent": chunks, "headers": bool}
        try:
            while not self._stop.is_set():
                now = time.monotonic()
                due = [s["next"] for s in streams.values() if s["next"] is not None]
                timeout = max(0.0, min(due) - now) if due else 0.2
                readable, _, _ = select.select([conn], [], [], timeout)
                if readable:
                    data = conn.recv(65536)
                    if not data:
                        return
                    if number <= self.silent_upto:
                        continue
                    try:
                        events = h2c.receive_data(data)
                    except h2.exceptions.ProtocolError:
                        continue  # new streams after our GOAWAY: refused by not answering
                    for event in events:
                        self._event(h2c, streams, event)
                now = time.monotonic()
                for sid, s in list(streams.items()):
                    if s["next"] is None or s["next"] > now:
                        continue
                    if not s["headers"]:
                        h2c.send_headers(
                            sid, [(":status", "200"), ("content-type", "text/event-stream")]
                        )
                        s["headers"] = True
                    elif s["sent"] < self.chunks:
                        h2c.send_data(sid, _chunk("x = 1\n"))
                        s["sent"] += 1
                    else:
                        usage = {"prompt_tokens": 10, "completion_tokens": s["sent"]}
                        h2c.send_data(
                            sid, _chunk("", "stop", usage) + b"data: [DONE]\n\n", end_stream=True
                        )
                        del streams[sid]
                        with self.lock:
                            self.completed.add(sid)
                        if self.when_idle:
                            conn.sendall(h2c.data_to_send())
                            time.sleep(0.05)  # the client has read its answer: idle now
                            h2c.close_connection(last_stream_id=h2c.highest_inbound_stream_id)
                            conn.sendall(h2c.data_to_send())
                            if self.when_idle == "goaway-close":
                                return
                        continue
                    s["next"] = now + self.chunk_delay
                out = h2c.data_to_send()
                if out:
                    conn.sendall(out)
        except OSError:
            return
        finally:
            conn.close()

    def _event(
        self, h2c: h2.connection.H2Connection, streams: dict[int, dict], event: object
    ) -> None:
        if isinstance(event, h2.events.RequestReceived):
            streams[event.stream_id] = {"next": None, "sent": 0, "headers": False}
            with self.lock:
                self.requests[event.stream_id] = time.monotonic()
        elif isinstance(event, h2.events.DataReceived):
            h2c.acknowledge_received_data(event.flow_controlled_length, event.stream_id)
        elif isinstance(event, h2.events.StreamEnded) and event.stream_id in streams:
            streams[event.stream_id]["next"] = time.monotonic() + self.ttft
        elif isinstance(event, h2.events.StreamReset):
            streams.pop(event.stream_id, None)
            with self.lock:
                self.resets.setdefault(event.stream_id, time.monotonic())

    async def wait_reset(self, stream_id: int, timeout: float = 1.0) -> float | None:
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            with self.lock:
                if stream_id in self.resets:
                    return self.resets[stream_id]
            await asyncio.sleep(0.001)
        return None


@pytest.fixture
def h2server() -> Iterator[H2Server]:
    server = H2Server()
    yield server
    server.close()


@pytest.fixture
async def client(h2server: H2Server) -> AsyncIterator[ModelClient]:
    # Prior-knowledge HTTP/2 over plain TCP: the same code path as h2 over TLS.
    transport = httpx.AsyncHTTPTransport(http1=False, http2=True)
    c = ModelClient(EndpointConfig(base_url=h2server.url, api_key="k"), transport=transport)
    yield c
    await c.aclose()


def req() -> FimRequest:
    return FimRequest(prompt="def f():\n    ", max_tokens=4000)


def deadline_in(seconds: float) -> float:
    return asyncio.get_running_loop().time() + seconds


async def test_full_answer_over_http2(client: ModelClient, h2server: H2Server) -> None:
    h2server.chunks = 5
    result = await client.fim(req(), deadline_in(5))
    assert result.text == "x = 1\n" * 5
    assert result.usage is not None and result.usage.prompt_tokens == 10
    assert not h2server.resets


async def test_cancel_resets_the_stream_at_once(client: ModelClient, h2server: H2Server) -> None:
    first = asyncio.Event()

    async def consume() -> None:
        async with client.stream_fim(req(), deadline_in(10)) as stream:
            async for _ in stream:
                first.set()

    task = asyncio.create_task(consume())
    await asyncio.wait_for(first.wait(), 5)
    cancelled_at = time.monotonic()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    (sid,) = h2server.requests
    reset_at = await h2server.wait_reset(sid)
    assert reset_at is not None, "the server never heard of the cancel"
    assert reset_at - cancelled_at < CLOSE_LIMIT_S


async def test_early_break_resets_the_stream(client: ModelClient, h2server: H2Server) -> None:
    async with client.stream_fim(req(), deadline_in(10)) as stream:
        async for _ in stream:
            break
    broke_at = time.monotonic()
    (sid,) = h2server.requests
    reset_at = await h2server.wait_reset(sid)
    assert reset_at is not None and reset_at - broke_at < CLOSE_LIMIT_S


async def test_cancel_before_headers_resets_too(client: ModelClient, h2server: H2Server) -> None:
    h2server.ttft = 5.0
    task = asyncio.create_task(client.fim(req(), deadline_in(10)))
    for _ in range(1000):
        if h2server.requests:
            break
        await asyncio.sleep(0.002)
    await asyncio.sleep(0.02)
    cancelled_at = time.monotonic()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    (sid,) = h2server.requests
    reset_at = await h2server.wait_reset(sid)
    assert reset_at is not None and reset_at - cancelled_at < CLOSE_LIMIT_S


async def test_deadline_resets_the_stream(client: ModelClient, h2server: H2Server) -> None:
    from deepseek_lsp.model import DeadlineExceeded

    h2server.chunk_delay = 0.05
    with pytest.raises(DeadlineExceeded):
        await client.fim(req(), deadline_in(0.2))
    (sid,) = h2server.requests
    assert await h2server.wait_reset(sid) is not None


async def test_connection_survives_many_cancels(client: ModelClient, h2server: H2Server) -> None:
    # Without resets the server streams every abandoned answer to its end, and with a server
    # that is still generating, h2 counts each abandoned stream as open until request 101 fails
    # with "Max outbound streams is 100, 100 open".
    h2server.chunk_delay = 0.002
    h2server.chunks = 10**9  # no stream may finish by itself: each must be reset
    for _ in range(130):
        async with client.stream_fim(req(), deadline_in(5)) as stream:
            async for _ in stream:
                break
    h2server.chunks = 3
    result = await client.fim(req(), deadline_in(5))
    assert result.text == "x = 1\n" * 3
    assert h2server.connections == 1
    for _ in range(100):
        if len(h2server.resets) >= 130:
            break
        await asyncio.sleep(0.01)
    assert len(h2server.resets) == 130


async def test_goaway_on_an_idle_connection_sends_the_next_request_on_a_new_one(
    client: ModelClient, h2server: H2Server
) -> None:
    # A server going away gracefully (nginx after keepalive_requests, a deploy) says so with
    # GOAWAY; read only when the next request went out on the connection, it makes httpcore send
    # that request again on a new connection, which needs its body a second time.
    h2server.chunks = 1
    h2server.when_idle = "goaway"
    for _ in range(3):
        result = await client.fim(req(), deadline_in(5))
        assert result.text == "x = 1\n"
        await asyncio.sleep(0.2)
    assert h2server.connections == 3


async def test_a_review_after_goaway_is_answered(client: ModelClient, h2server: H2Server) -> None:
    from deepseek_lsp.model import ChatRequest

    h2server.chunks = 1
    h2server.when_idle = "goaway"
    await client.fim(req(), deadline_in(5))
    await asyncio.sleep(0.2)
    chat = ChatRequest(messages=[{"role": "user", "content": "hi"}], max_tokens=50)
    # The fake answers every path in the FIM dialect: a chat answer without content.
    result = await client.chat_with_retry(chat, deadline_in(5))
    assert result.finish_reason == "stop"


async def test_an_idle_connection_the_server_closed_is_not_an_error(
    client: ModelClient, h2server: H2Server
) -> None:
    # Its idle timeout: GOAWAY, then the socket closes. The next completion must not fail on it
    # (HTTP/1.1 connections are checked before reuse; HTTP/2 ones are not).
    h2server.chunks = 1
    h2server.when_idle = "goaway-close"
    for _ in range(3):
        result = await client.fim(req(), deadline_in(5))
        assert result.text == "x = 1\n"
        await asyncio.sleep(0.2)
    assert h2server.connections == 3


async def test_a_connection_gone_silent_is_given_up_after_one_deadline(
    client: ModelClient, h2server: H2Server
) -> None:
    # The laptop wakes in another network: the pooled connection is dead, and nothing says so
    # until TCP gives up (~15 minutes). One completion runs out of time on it; the next ones
    # must not (over HTTP/1.1 a request given up closes its connection; over HTTP/2 it stays).
    from deepseek_lsp.model import DeadlineExceeded

    h2server.chunks = 1
    await client.fim(req(), deadline_in(5))
    h2server.silent_upto = h2server.connections
    with pytest.raises(DeadlineExceeded):
        await client.fim(req(), deadline_in(0.5))
    result = await client.fim(req(), deadline_in(2))
    assert result.text == "x = 1\n"
    assert h2server.connections == 2


async def test_after_the_laptop_slept_the_first_completion_does_not_wait_on_a_dead_connection(
    client: ModelClient, h2server: H2Server, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The laptop slept for an hour and woke in another network: its pooled connection is dead,
    # and nothing says so. The event loop's clock (CLOCK_MONOTONIC, mach_absolute_time) stood
    # still meanwhile: the client thought it had been idle for a second, kept the connection,
    # and the first completion ran out of time on it (another one for each stream it held).
    from deepseek_lsp.model import Ledger
    from deepseek_lsp.usage_feature import Models

    h2server.chunks = 1
    await client.fim(req(), deadline_in(5))
    h2server.silent_upto = h2server.connections
    woke = time.time() + 3600  # the wall clock went on
    monkeypatch.setattr(time, "time", lambda: woke)
    ledger = Ledger(None)
    try:
        assert Models(client, ledger).idle(), "an hour's sleep is idle time"
    finally:
        ledger.close()
    result = await client.fim(req(), deadline_in(2))
    assert result.text == "x = 1\n"
    assert h2server.connections == 2
