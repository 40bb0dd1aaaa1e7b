"""Completions against the fake answering as self-hosted servers do (tests/fake_deepseek.py,
``FakeDeepSeek.server``): vLLM's /v1/completions refuses FIM's ``suffix`` with a 400 ("suffix is
not currently supported") and its usage has no cache fields (``prompt_tokens_details: null``);
llama-server's OpenAI endpoints tell the cached part of a prompt in ``timings.cache_n`` alone."""

from __future__ import annotations

import asyncio

import pytest

from tests.completing import warmed_up
from tests.fake_deepseek import FakeDeepSeek
from tests.selfhosted_stdio import LOCAL_MODEL

pytestmark = pytest.mark.usefixtures("state_dir")
COMPLETIONS = "/v1/completions"


def as_vllm(fake: FakeDeepSeek) -> None:
    fake.server, fake.owned_by, fake.models = "vllm", "vllm", [LOCAL_MODEL]


async def test_the_suffix_backend_at_vllm_is_told_once_to_use_a_template(fake_deepseek: FakeDeepSeek) -> None:
    """'openai-suffix' set for vLLM: every key met its 400 under a Warning (5 keys, 5
    requests); one request, an Error naming vLLM and the backend to set, one pop-up."""
    as_vllm(fake_deepseek)
    f = await warmed_up(fake_deepseek, LOCAL_MODEL, "openai-suffix")
    try:
        doc = f.open("file:///ws/a.py", "def add(a, b):\n    ")
        for _ in range(5):
            assert await f.inline(doc.uri, 1, 4) == []
        assert len(fake_deepseek.requests_to(COMPLETIONS)) == 1
        current = f.services.status.current
        assert current.kind == "Error" and current.message.startswith("vLLM at 127.0.0.1:"), current
        assert "suffix is not currently supported" in current.message and "fim-template" in current.message
        assert "Check the model name" not in current.message  # the name was right
        assert f.shown == [current.message]

        fake_deepseek.script("return a + b", path=COMPLETIONS)
        f.configure(backend="fim-template", fim_template="qwen2.5-coder")
        assert await f.inline(doc.uri, 1, 4) == ["return a + b"]
        assert f.services.status.current.kind == "Normal"
    finally:
        await f.stop()


async def test_vllm_s_usage_is_its_whole_prompt_uncached_and_free(fake_deepseek: FakeDeepSeek) -> None:
    as_vllm(fake_deepseek)
    fake_deepseek.script("return a + b", path=COMPLETIONS)
    f = await warmed_up(fake_deepseek, LOCAL_MODEL, "fim-template", fim_template="qwen2.5-coder")
    try:
        doc = f.open("file:///ws/a.py", "def add(a, b):\n    ")
        assert await f.inline(doc.uri, 1, 4) == ["return a + b"]
        for _ in range(200):
            if f.services.models.ledger.recent:
                break
            await asyncio.sleep(0.01)
        (record,) = f.services.models.ledger.recent
        (sent,) = fake_deepseek.requests_to(COMPLETIONS)
        assert "suffix" not in sent.json and sent.json["stream_options"] == {"include_usage": True}
        assert record.prompt_tokens == sent.usage["prompt_tokens"] > 0 and not record.estimated
        assert (record.cache_hit_tokens, record.cache_miss_tokens) == (0, record.prompt_tokens)
        assert record.cost == 0 and not record.cost_unknown
    finally:
        await f.stop()


async def test_llama_server_s_cached_prompt_is_read_from_its_timings(fake_deepseek: FakeDeepSeek) -> None:
    """llama-server's /v1/completions (the fim-template backend at it) and /v1/chat/completions
    (a review with llamacpp-infill) report the KV cache's part of the prompt only in the last
    chunk's ``timings.cache_n``: every prompt was recorded as cache misses, the second of two
    alike too."""
    fake_deepseek.server, fake_deepseek.owned_by, fake_deepseek.models = "llamacpp", "llamacpp", [LOCAL_MODEL]
    fake_deepseek.responder(lambda body: "return a + b", path=COMPLETIONS)
    f = await warmed_up(fake_deepseek, LOCAL_MODEL, "fim-template", fim_template="qwen2.5-coder")
    try:
        doc = f.open("file:///ws/a.py", "".join(f"def f{i}(a, b):\n    return a * {i}\n\n" for i in range(30)) + "def add(a, b):\n    ")
        for _ in range(2):
            assert await f.inline(doc.uri, 91, 4) == ["return a + b"]
        # (the fim-template's markers checked once too: a "probe" in the ledger)
        def completions() -> list:
            return [r for r in f.services.models.ledger.recent if r.feature == "completion"]

        for _ in range(200):
            if len(completions()) == 2:
                break
            await asyncio.sleep(0.01)
        first, second = completions()
        told = [r for r in fake_deepseek.requests_to(COMPLETIONS) if r.json.get("max_tokens") != 1][-1].usage["prompt_cache_hit_tokens"]
        assert first.cache_hit_tokens == 0 and second.cache_hit_tokens == told > 0
        assert second.cache_miss_tokens == second.prompt_tokens - told
    finally:
        await f.stop()
