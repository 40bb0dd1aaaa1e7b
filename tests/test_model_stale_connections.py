"""Pooled connections that died while idle, as a laptop, an office proxy or a server's idle
timeout leave them: the user must not pay for it with an error in the status bar.

HTTP/1.1 against the fake DeepSeek server; HTTP/2 (api.deepseek.com) in tests/test_model_http2.py.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from deepseek_lsp.model import (
    ChatRequest,
    ConnectError,
    EndpointConfig,
    FimRequest,
    Ledger,
    ModelClient,
)
from tests.fake_deepseek import DEFAULT_KEY, FakeDeepSeek

FIM = "/beta/completions"


def deadline_in(seconds: float) -> float:
    return asyncio.get_running_loop().time() + seconds


@pytest.fixture
def ledger(tmp_path: Path) -> AsyncIterator[Ledger]:
    led = Ledger(tmp_path / "usage.sqlite3")
    yield led
    led.close()


@pytest.fixture
async def client(fake_deepseek: FakeDeepSeek, ledger: Ledger) -> AsyncIterator[ModelClient]:
    c = ModelClient(EndpointConfig(base_url=fake_deepseek.url, api_key=DEFAULT_KEY), ledger)
    yield c
    await c.aclose()


def fim() -> FimRequest:
    return FimRequest(prompt="def add(a, b):\n    ", suffix="\n")


async def test_a_keep_alive_connection_closed_as_the_request_arrives_is_retried_once(
    client: ModelClient, fake_deepseek: FakeDeepSeek, ledger: Ledger
) -> None:
    # The server's idle timeout closes the pooled connection just as the next completion goes
    # out on it ("Server disconnected without sending a response"): the request goes again on
    # a new connection, at once, instead of a lost suggestion and a warning in the status bar.
    sent = []
    await client.fim(fim(), deadline_in(5))
    fake_deepseek.fault("drop", path=FIM)
    async with client.stream_fim(fim(), deadline_in(5), on_sent=lambda: sent.append(1)) as stream:
        text = "".join([d async for d in stream])
    assert text == "return a + b"
    first, dropped, answered = fake_deepseek.requests
    assert dropped.faults == ["drop"] and not answered.faults
    assert dropped.peer == first.peer and answered.peer != first.peer
    assert sent == [1]  # the caller hears of its request once
    # One request as far as the ledger goes: the dropped one was never taken.
    assert [r.outcome for r in ledger.recent] == ["ok", "ok"]


async def test_a_review_dropped_the_same_way_is_not_a_failed_attempt(
    client: ModelClient, fake_deepseek: FakeDeepSeek
) -> None:
    await client.fim(fim(), deadline_in(5))
    fake_deepseek.fault("drop")
    req = ChatRequest(messages=[{"role": "user", "content": "hi"}], max_tokens=50)
    result = await client.chat(req, deadline_in(5))
    assert result.text == "Looks good to me."


async def test_a_server_that_drops_every_request_is_still_an_error(
    client: ModelClient, fake_deepseek: FakeDeepSeek
) -> None:
    # One retry, not a loop: a proxy that hangs up on every request is the user's to know.
    await client.fim(fim(), deadline_in(5))
    fake_deepseek.fault("drop", count=None, path=FIM)
    with pytest.raises(ConnectError):
        await client.fim(fim(), deadline_in(5))
    assert len(fake_deepseek.requests_to(FIM)) == 1 + 2


async def test_a_new_connection_hung_up_on_is_not_sent_again_at_once(
    client: ModelClient, fake_deepseek: FakeDeepSeek
) -> None:
    # Only a pooled connection may have died unseen while idle: a server hanging up on a
    # connection made for the request is going down (or what stands before it is), and a
    # second request at once doubled the connects to it (a save's 4 requests made 8); the
    # caller's retries, with their back-off, decide what comes next.
    fake_deepseek.fault("drop", count=None, path=FIM)
    with pytest.raises(ConnectError, match="connection lost"):
        await client.fim(fim(), deadline_in(5))
    assert len(fake_deepseek.requests_to(FIM)) == 1


async def test_a_pooled_connection_dropped_while_another_request_opens_one_is_sent_again(
    client: ModelClient, fake_deepseek: FakeDeepSeek
) -> None:
    # HTTP/1.1 (a self-hosted server) gives each request a connection of its own: one sent on
    # the pooled connection is on a connection that may have died while idle even while
    # another request of the same moment opens a new one (only HTTP/2 would share that).
    await client.fim(fim(), deadline_in(5))
    fake_deepseek.fault("drop", path=FIM, prompt_end="# pooled\n")
    pooled = FimRequest(prompt="def add(a, b):\n    # pooled\n", suffix="\n")
    results = await asyncio.gather(client.fim(pooled, deadline_in(5)), client.fim(fim(), deadline_in(5)))
    assert [r.text for r in results] == ["return a + b", "return a + b"]
    first, *rest = fake_deepseek.requests_to(FIM)
    dropped = [r for r in rest if r.faults == ["drop"]]
    assert len(dropped) == 1 and dropped[0].peer == first.peer
    assert len(rest) == 3  # the two requests and the dropped one's second sending
