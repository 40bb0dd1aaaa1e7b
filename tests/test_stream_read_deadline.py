"""An answer's reads under its deadline (model/stream.py ``_ReadDeadline``): one timer for all
of them, not one per read, and still a hard deadline. (A cancel from elsewhere stays a
cancel: test_model_client's test_cancel_closes_the_connection_at_once.)"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import pytest

from deepseek_lsp.model import DeadlineExceeded, EndpointConfig, ModelClient
from tests.fake_deepseek import DEFAULT_KEY, FakeDeepSeek
from tests.test_model_client import deadline_in, fim

ANSWER = "total = sum(item.price * item.count for item in basket.items)  # all of it\n"


@pytest.fixture
async def client(fake_deepseek: FakeDeepSeek) -> AsyncIterator[ModelClient]:
    c = ModelClient(EndpointConfig(base_url=fake_deepseek.url, api_key=DEFAULT_KEY))
    yield c
    await c.aclose()


async def test_an_answer_s_reads_share_one_timer(client: ModelClient, fake_deepseek: FakeDeepSeek) -> None:
    """A timer was scheduled and cancelled around each read (~4 us each, ~24 reads a
    completion): 20 chunks made 20+ timers, now one."""
    fake_deepseek.script(ANSWER)
    loop = asyncio.get_running_loop()
    timers = 0
    call_at = loop.call_at

    def counted(when: float, callback: Any, *args: Any, **kw: Any) -> asyncio.TimerHandle:
        nonlocal timers
        timers += 1
        return call_at(when, callback, *args, **kw)

    deltas = []
    async with client.stream_fim(fim(max_tokens=64, stop=["\n\n"]), deadline_in(5)) as stream:
        loop.call_at = counted  # type: ignore[method-assign]
        try:
            async for delta in stream:
                deltas.append(delta)
        finally:
            del loop.call_at  # the class's own again
    assert "".join(deltas) == ANSWER.rstrip("\n") or "".join(deltas) == ANSWER
    assert len(deltas) >= 15, len(deltas)  # fed in 4-character chunks
    assert timers <= 2, timers


async def test_a_deadline_mid_answer_still_ends_it(client: ModelClient, fake_deepseek: FakeDeepSeek) -> None:
    """The timer armed at the first read ends a read the server is slow to answer."""
    fake_deepseek.script(ANSWER)
    fake_deepseek.set_latency(per_token=0.2)
    deltas = []
    end = deadline_in(0.6)
    with pytest.raises(DeadlineExceeded):
        async with client.stream_fim(fim(max_tokens=64), end) as stream:
            async for delta in stream:
                deltas.append(delta)
    late = asyncio.get_running_loop().time() - end
    assert deltas and "".join(deltas) != ANSWER
    assert late < 0.5, late

