"""Opt-in checks against the real DeepSeek API: ``DEEPSEEK_API_KEY=... pytest -m live``.

Skipped without a key. Costs a fraction of a cent: one short FIM and one short chat request.
Models can be overridden with DEEPSEEK_FIM_MODEL / DEEPSEEK_CHAT_MODEL.
"""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

import pytest

from deepseek_lsp.model import ChatRequest, EndpointConfig, FimRequest, Ledger, ModelClient

KEY = os.environ.get("DEEPSEEK_API_KEY")

pytestmark = [
    pytest.mark.live,
    pytest.mark.skipif(not KEY, reason="set DEEPSEEK_API_KEY to run live DeepSeek tests"),
]


@pytest.fixture
async def client(tmp_path: Path):
    ledger = Ledger(tmp_path / "usage.sqlite3")
    base = os.environ.get("DEEPSEEK_BASE_URL", "https://api.deepseek.com")
    async with ModelClient(EndpointConfig(base_url=base, api_key=KEY), ledger) as c:
        await c.warm()
        yield c
    ledger.close()


async def test_live_fim(client: ModelClient) -> None:
    req = FimRequest(
        prompt="def fibonacci(n):\n    ",
        suffix="\n\nprint(fibonacci(10))\n",
        max_tokens=48,
        stop=["\n\n"],
        model=os.environ.get("DEEPSEEK_FIM_MODEL", "deepseek-v4-flash"),
    )
    loop = asyncio.get_running_loop()
    deltas = []
    async with client.stream_fim(req, loop.time() + 30) as stream:
        async for delta in stream:
            deltas.append(delta)
    result = stream.result
    assert result.text.strip() and "".join(deltas) == result.text
    assert result.finish_reason in ("stop", "length")
    assert result.usage is not None and result.usage.prompt_tokens > 0
    assert (
        result.usage.cache_hit_tokens + result.usage.cache_miss_tokens == result.usage.prompt_tokens
    )
    assert client.ledger.recent[-1].cost > 0


async def test_live_chat_json(client: ModelClient) -> None:
    req = ChatRequest(
        messages=[
            {"role": "system", "content": 'Answer in json like {"answer": 0}.'},
            {"role": "user", "content": "What is 2 + 3?"},
        ],
        model=os.environ.get("DEEPSEEK_CHAT_MODEL", "deepseek-v4-flash"),
        max_tokens=50,
        json_mode=True,
    )
    loop = asyncio.get_running_loop()
    result = await client.chat_with_retry(req, loop.time() + 60, max_retries=1)
    assert "5" in result.text
    assert result.usage is not None and result.usage.completion_tokens > 0
