"""What LM Studio, OpenRouter and other self-hosted servers or gateways answer, byte for byte
through the fake server on 127.0.0.1 (its ``raw`` fault), and what the user is told of it."""

from __future__ import annotations

import asyncio
import json

import pytest

from deepseek_lsp.model import EndpointConfig, FimRequest, ModelClient, ModelError
from deepseek_lsp.model.client import ChatRequest
from tests.fake_deepseek import FakeDeepSeek


def deadline_in(seconds: float) -> float:
    return asyncio.get_running_loop().time() + seconds


def fim() -> FimRequest:
    return FimRequest(prompt="def add(a, b):\n    return ", suffix="\n", max_tokens=16, model="qwen2.5-coder-7b-instruct")


def review() -> ChatRequest:
    return ChatRequest(messages=[{"role": "user", "content": "review"}], model="qwen2.5-coder-7b-instruct")


# -- LM Studio answers an unknown path with 200 ----------------------------------------------------


def lmstudio_unknown_path(path: str) -> dict[str, object]:
    # lmstudio-ai/lmstudio-bug-tracker#618: Express's catch-all logs "Unexpected endpoint or
    # method ... Returning 200 anyway" and sends this body.
    body = json.dumps({"error": f"Unexpected endpoint or method. (POST {path})"})
    headers = {"Content-Type": "application/json; charset=utf-8", "Content-Length": str(len(body))}
    return {"status": 200, "headers": headers, "body": body}


@pytest.mark.parametrize("backend", ["chat", "fim-template"])
async def test_lm_studio_without_v1_in_the_base_url_is_told_to_add_it_not_retried(backend: str) -> None:
    """``baseUrl: http://localhost:1234`` (LM Studio serves under /v1): its 200 with an error
    object was taken for a server error, "it will be retried later", and each review was sent
    four times, though only the base URL was wrong."""
    with FakeDeepSeek(api_key=None) as fake:
        client = ModelClient(EndpointConfig(base_url=fake.url, backend=backend, fim_template="qwen2.5-coder"))
        try:
            fake.fault("raw", **lmstudio_unknown_path("/completions"))
            with pytest.raises(ModelError) as completion:
                await client.fim(fim(), deadline_in(5))
            fake.fault("raw", count=None, **lmstudio_unknown_path("/chat/completions"))
            before = len(fake.requests)
            with pytest.raises(ModelError) as reviewed:
                await client.chat_with_retry(review(), deadline_in(5), max_retries=3, base_delay=0.01)
        finally:
            await client.aclose()
        reviews_sent = len(fake.requests) - before
    for info in (completion, reviewed):
        message = info.value.user_message
        assert "Unexpected endpoint or method" in message
        assert "baseUrl" in message and "/v1" in message
        assert "retried" not in message and "server error" not in message
        assert not info.value.retryable
    assert reviews_sent == 1
