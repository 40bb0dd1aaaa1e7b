"""What LM Studio, OpenRouter and other self-hosted servers or gateways answer, byte for byte
through the fake server on 127.0.0.1 (its ``raw`` fault), and what the user is told of it."""

from __future__ import annotations

import asyncio
import json
from dataclasses import replace
from pathlib import Path

import pytest

from deepseek_lsp.config import CompletionSettings, Settings
from deepseek_lsp.model import (
    BudgetExceeded,
    EndpointConfig,
    FimRequest,
    Ledger,
    ModelClient,
    ModelError,
    StreamResult,
    Usage,
)
from deepseek_lsp.model.client import ChatRequest
from deepseek_lsp.model.types import header_cost
from deepseek_lsp.usage_feature import endpoint_config, make_ledger
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


# -- OpenRouter tells what each request cost -------------------------------------------------------

ROUTED = "deepseek/deepseek-chat-v3.1"  # a gateway's model name: provider/model
ROUTER_KEY = "sk-or-v1-0123456789abcdef"


def gateway(fake: FakeDeepSeek, tmp_path: Path, budget: float = 0.0) -> tuple[Settings, Ledger]:
    settings = Settings(base_url=f"{fake.url}/v1", backend="chat", api_key=ROUTER_KEY, daily_budget_usd=budget)
    return settings, make_ledger(settings, str(tmp_path / "usage.sqlite3"))


async def test_a_gateway_that_reports_its_cost_is_billed_what_it_says(tmp_path: Path) -> None:
    """OpenRouter puts what a request cost in ``usage.cost``: a gateway is no DeepSeek host, so
    its models had no price and every review and completion was recorded at $0, listed under
    "models without a price", however much the account was charged."""
    with FakeDeepSeek(api_key=ROUTER_KEY, models=(ROUTED,)) as fake:
        fake.cost_per_token = 2e-6
        settings, ledger = gateway(fake, tmp_path)
        client = ModelClient(endpoint_config(settings), ledger)
        try:
            await client.chat(routed_review(), deadline_in(5))
            await client.fim(FimRequest(prompt="def add(a, b):\n    return ", suffix="\n", model=ROUTED), deadline_in(5))
        finally:
            await client.aclose()
        billed = sum(r.usage["cost"] for r in fake.requests if r.usage)
        summary = ledger.summary()
        ledger.close()
    assert billed > 0
    assert summary["today"]["total"]["cost_usd"] == pytest.approx(billed)
    assert summary["unpriced_models"] == []


async def test_the_daily_budget_holds_for_a_gateway_that_reports_its_cost(tmp_path: Path) -> None:
    """``dailyBudgetUsd`` never refused a request to a model without a price (a self-hosted
    one, free): a gateway's went on past the budget, billed all the same."""
    with FakeDeepSeek(api_key=ROUTER_KEY, models=(ROUTED,)) as fake:
        fake.cost_per_token = 1e-3  # one review costs more than the budget
        settings, ledger = gateway(fake, tmp_path, budget=0.01)
        client = ModelClient(endpoint_config(settings), ledger)
        try:
            await client.chat(routed_review(), deadline_in(5))
            with pytest.raises(BudgetExceeded):
                await client.chat(routed_review(), deadline_in(5))
        finally:
            await client.aclose()
            ledger.close()
        assert len(fake.requests_to("/v1/chat/completions")) == 1


async def test_the_daily_budget_still_holds_a_billing_gateway_model_after_a_restart(tmp_path: Path) -> None:
    """Which models a gateway billed was known in memory only: after the editor restarted, a
    model without a price counted as free again and its requests went out past a budget spent
    that same day, until one of them had reported its cost."""
    with FakeDeepSeek(api_key=ROUTER_KEY, models=(ROUTED,)) as fake:
        fake.cost_per_token = 1e-3  # one review costs more than the budget
        settings, ledger = gateway(fake, tmp_path, budget=0.01)
        client = ModelClient(endpoint_config(settings), ledger)
        try:
            await client.chat(routed_review(), deadline_in(5))
        finally:
            await client.aclose()
            ledger.close()
        _, ledger = gateway(fake, tmp_path, budget=0.01)  # the editor started again
        client = ModelClient(endpoint_config(settings), ledger)
        try:
            with pytest.raises(BudgetExceeded):
                await client.chat(routed_review(), deadline_in(5))
        finally:
            await client.aclose()
            ledger.close()
        assert len(fake.requests_to("/v1/chat/completions")) == 1


ANSWER = "total = price * quantity\n" * 32  # ~200 tokens at the fake's 4 characters a token


def batch() -> ChatRequest:
    return replace(routed_review(), max_tokens=200)


async def test_a_gateway_model_s_requests_sent_together_are_held_to_the_budget_at_what_it_was_billed(
    tmp_path: Path,
) -> None:
    """A model without a price here was reserved at $0: a review's batches sent together each
    passed the budget check before any was billed, and the day ended at twice the budget
    (9 batches at ~$0.0029 each against $0.01). Held at the dearest it was billed a token, also
    after a restart (the rate is kept in the usage file), the day's spend stays within one
    request's worth of the budget."""
    with FakeDeepSeek(api_key=ROUTER_KEY, models=(ROUTED,)) as fake:
        fake.cost_per_token = 1e-5
        fake.responder(lambda body: ANSWER, path="/v1/chat/completions")
        settings, ledger = gateway(fake, tmp_path, budget=0.01)
        client = ModelClient(endpoint_config(settings), ledger)
        try:
            first = await client.chat(batch(), deadline_in(5))  # its cost is reported
        finally:
            await client.aclose()
            ledger.close()
        _, ledger = gateway(fake, tmp_path, budget=0.01)  # the editor started again
        client = ModelClient(endpoint_config(settings), ledger)
        try:
            results = await asyncio.gather(
                *(client.chat(batch(), deadline_in(5)) for _ in range(8)), return_exceptions=True
            )
            spent = ledger.today_cost()
        finally:
            await client.aclose()
            ledger.close()
    assert first.usage is not None and first.usage.cost_usd
    one = first.usage.cost_usd
    refused = [r for r in results if isinstance(r, BudgetExceeded)]
    assert refused and all(isinstance(r, (StreamResult, BudgetExceeded)) for r in results), results
    assert spent < 0.01 + one


async def test_a_gateway_request_cancelled_before_its_cost_came_is_counted_at_what_the_model_was_billed(
    tmp_path: Path,
) -> None:
    """A request to a model without a price here, cancelled before its usage came (a review
    stopped, a completion overtaken by the next key), was recorded at $0 though the gateway
    billed its prompt and what it had generated."""
    with FakeDeepSeek(api_key=ROUTER_KEY, models=(ROUTED,)) as fake:
        fake.cost_per_token = 1e-5
        fake.responder(lambda body: ANSWER, path="/v1/chat/completions")
        settings, ledger = gateway(fake, tmp_path)
        client = ModelClient(endpoint_config(settings), ledger)
        try:
            await client.chat(batch(), deadline_in(5))  # its cost is reported
            fake.set_latency(per_token=0.02)
            async with client.stream_chat(batch(), deadline_in(5)) as stream:
                async for _ in stream:
                    break
        finally:
            await client.aclose()
        rate = ledger.billing.learned_rate(ROUTED)
        ledger.close()
    billed, cancelled = ledger.recent
    assert cancelled.outcome == "cancelled" and cancelled.estimated
    tokens = cancelled.prompt_tokens + cancelled.completion_tokens
    assert cancelled.cost > 0 and cancelled.cost == pytest.approx(tokens * 1e-5)
    assert billed.cost > cancelled.cost  # the whole answer, against the first piece of it
    assert rate is not None and rate.mean == pytest.approx(1e-5)


async def test_a_litellm_proxy_that_tells_its_cost_in_a_header_is_billed_what_it_says(tmp_path: Path) -> None:
    """LiteLLM's proxy tells what a whole answer cost in its ``x-litellm-response-cost`` header,
    not in the usage: such a request was recorded at $0 and its model listed as without a
    price, however much the proxy charged the key."""
    with FakeDeepSeek(api_key=ROUTER_KEY, models=(ROUTED,)) as fake:
        fake.cost_per_token = 2e-6
        fake.cost_header = True
        settings, ledger = gateway(fake, tmp_path)
        client = ModelClient(endpoint_config(settings), ledger)
        try:
            result = await client.chat(replace(routed_review(), stream=False), deadline_in(5))
        finally:
            await client.aclose()
        billed = sum(r.usage["cost"] for r in fake.requests if r.usage)
        summary = ledger.summary()
        ledger.close()
    assert billed > 0
    assert result.usage is not None and result.usage.cost_usd == pytest.approx(billed)
    assert summary["today"]["total"]["cost_usd"] == pytest.approx(billed)
    assert summary["unpriced_models"] == []


@pytest.mark.parametrize("value", ["nan", "inf", "-0.5", "0.001 USD", "", "None"])
def test_a_cost_header_that_is_no_figure_bills_nothing(value: str) -> None:
    assert header_cost(value) is None


def routed_review() -> ChatRequest:
    return ChatRequest(messages=[{"role": "user", "content": "review " * 50}], model=ROUTED)


# -- completions on this machine, reviews at DeepSeek ------------------------------------------------


def mixed(fake: FakeDeepSeek, backend: str, budget: float) -> Settings:
    return Settings(
        backend=backend,  # type: ignore[arg-type]
        base_url="https://api.deepseek.com",  # reviews: never sent in these tests
        api_key="sk-0123456789abcdef0123",
        fim_base_url=f"{fake.url}/v1",
        daily_budget_usd=budget,
        completion=CompletionSettings(model="qwen2.5-coder:7b"),
    )


async def test_a_local_completion_model_is_not_held_to_the_budget_deepseek_reviews_spent() -> None:
    """Ollama for completions (``fimBaseUrl``), DeepSeek for reviews: DeepSeek's price table
    holds a model it has no price for to the budget (it may be a new DeepSeek model), so once
    the day's reviews reached ``dailyBudgetUsd`` every completion, which costs nothing, was
    refused with "Daily DeepSeek budget ... reached"."""
    with FakeDeepSeek(api_key=None, models=("qwen2.5-coder:7b",)) as fake:
        settings = mixed(fake, "openai-suffix", budget=0.5)
        ledger = make_ledger(settings, ":memory:")
        # The day's reviews: 1M prompt tokens at DeepSeek, over the budget.
        ledger.record(feature="review", model="deepseek-v4-pro", usage=Usage(1_000_000, 0, 0, 1_000_000))
        assert ledger.today_cost() > 0.5
        client = ModelClient(endpoint_config(settings), ledger)
        try:
            result = await client.fim(FimRequest(prompt="def add(a, b):\n    ", model="qwen2.5-coder:7b"), deadline_in(5))
            with pytest.raises(BudgetExceeded):  # DeepSeek's own model is still held to it
                ledger.budget.check("deepseek-v4-pro")
        finally:
            await client.aclose()
        summary = ledger.summary()
        ledger.close()
    assert result.text
    assert summary["today"]["models"]["qwen2.5-coder:7b"]["cost_usd"] == 0
    assert "qwen2.5-coder:7b" not in summary["unpriced_models"]


async def test_chat_completions_on_a_local_server_are_plain_chat_not_deepseeks_prefix_completion() -> None:
    """``chat`` with reviews at DeepSeek (``baseUrl``) and a small local chat model for
    completions (``fimBaseUrl``): the completions were asked in DeepSeek's own form (the code as
    an assistant message with ``prefix: true``, ``thinking``), which only DeepSeek's beta base
    takes: the local server refused it, or took the code for a finished answer."""
    with FakeDeepSeek(api_key=None, models=("qwen2.5-coder:7b",)) as fake:
        fake.script("return a + b")
        settings = mixed(fake, "chat", budget=0.0)
        client = ModelClient(endpoint_config(settings))
        try:
            result = await client.fim(FimRequest(prompt="def add(a, b):\n    ", model="qwen2.5-coder:7b"), deadline_in(5))
        finally:
            await client.aclose()
        (sent,) = fake.requests
    assert result.text == "return a + b"
    assert sent.path == "/v1/chat/completions"
    assert "thinking" not in sent.json
    assert not any(m.get("prefix") for m in sent.json["messages"])
    assert "<CURSOR>" in sent.json["messages"][-1]["content"]


async def test_ollama_refusing_a_suffix_points_at_the_model_not_at_fim_template() -> None:
    """Ollama refuses ``suffix`` for a model whose template has no FIM part: the user was sent to
    backend 'fim-template', which on Ollama wraps the FIM tokens in a chat turn (its template
    applies to every prompt), and got worse suggestions instead of an error."""
    said = "registry.ollama.ai/library/qwen3:latest does not support insert"
    with FakeDeepSeek(api_key=None, models=("qwen3:latest",)) as fake:
        fake.fault("status", path="/v1/completions", status=400, message=said)
        client = ModelClient(EndpointConfig(base_url=f"{fake.url}/v1", backend="openai-suffix"))
        try:
            with pytest.raises(ModelError) as info:
                await client.fim(FimRequest(prompt="def add(a, b):\n    ", suffix="\n", model="qwen3:latest"), deadline_in(5))
        finally:
            await client.aclose()
    message = info.value.user_message
    assert said in message and "completion.model" in message and "qwen2.5-coder" in message
    assert "fim-template" not in message


# -- vLLM, SGLang, Ollama and OpenRouter stream thinking as ``reasoning`` ----------------------------


def thinking_chunk(thought: str) -> str:
    chunk = {"object": "chat.completion.chunk", "choices": [{"index": 0, "delta": {"reasoning": thought}, "finish_reason": None}]}
    return f"data: {json.dumps(chunk)}\n\n"


async def test_thinking_streamed_as_reasoning_is_counted_when_no_usage_comes(tmp_path: Path) -> None:
    """A review whose stream is cut while the model thinks (a server restarted, a proxy's
    timeout) is billed for what was generated, estimated since no usage came: the thinking
    of vLLM, SGLang, Ollama and OpenRouter (``delta.reasoning``) was not counted, and the
    ledger recorded 0 output tokens for minutes of generation."""
    thought = "The function reads the rows, then compares each with None using ==. " * 40
    body = "".join(thinking_chunk(thought[i : i + 64]) for i in range(0, len(thought), 64))
    with FakeDeepSeek(api_key=None) as fake:
        fake.fault("raw", body=body)  # and the connection closes: no content, no usage
        ledger = Ledger(tmp_path / "usage.sqlite3")
        client = ModelClient(EndpointConfig(base_url=f"{fake.url}/v1", backend="chat"), ledger)
        try:
            with pytest.raises(ModelError):
                await client.chat(review(), deadline_in(5))
        finally:
            await client.aclose()
    (rec,) = ledger.recent
    ledger.close()
    assert rec.estimated and rec.outcome == "error"
    assert rec.completion_tokens >= len(thought) // 8


# -- what Ollama reports of its prompt cache -------------------------------------------------------


async def test_ollama_s_cached_prompt_tokens_are_counted_as_cache_hits_of_the_whole_prompt(tmp_path: Path) -> None:
    """Ollama (0.33.3 on) reports the whole prompt in ``prompt_tokens`` and the part its KV
    cache held in ``prompt_tokens_details.cached_tokens``: the usage view shows both."""
    model = "qwen2.5-coder:7b"
    with FakeDeepSeek(api_key=None, usage_shape="ollama", models=(model,)) as fake:
        settings = Settings(backend="openai-suffix", base_url=f"{fake.url}/v1", completion=CompletionSettings(model=model))
        ledger = make_ledger(settings, str(tmp_path / "usage.sqlite3"))
        client = ModelClient(endpoint_config(settings), ledger)
        prefix = "def add(a, b):\n    return a + b\n\n" * 40
        try:
            for tail in ("def sub(a, b):\n    ", "def mul(a, b):\n    "):
                await client.fim(FimRequest(prompt=prefix + tail, suffix="\n", model=model), deadline_in(5))
        finally:
            await client.aclose()
        sent = [r.usage for r in fake.requests if r.usage]
        totals = ledger.summary()["today"]["total"]
        ledger.close()
    assert totals["prompt_tokens"] == sum(u["prompt_tokens"] for u in sent)
    assert totals["cache_hit_tokens"] == sum(u["prompt_tokens_details"]["cached_tokens"] for u in sent) > 0
    assert totals["cache_miss_tokens"] == totals["prompt_tokens"] - totals["cache_hit_tokens"]
