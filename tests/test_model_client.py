"""The model client against the fake DeepSeek server: streaming, deadlines, cancellation,
errors, retries."""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from deepseek_lsp.model import (
    AuthenticationError,
    BudgetExceeded,
    ChatRequest,
    ConfigError,
    ConnectError,
    DeadlineExceeded,
    EndpointConfig,
    FimRequest,
    InsufficientBalanceError,
    Ledger,
    MalformedResponse,
    ModelClient,
    ModelError,
    OverloadedError,
    RateLimitError,
    RequestError,
    ServerError,
)
from tests.fake_deepseek import DEFAULT_KEY, FakeDeepSeek

#: How soon after a cancel the fake sees the connection close (a few ms idle). A connection kept
#: for the pool, or closed later, is not closed within the second waited for it at all: the
#: bound is a loaded machine's margin (at 50 ms, its thread switches could pass it).
CANCEL_CLOSE_LIMIT_S = 0.5


def deadline_in(seconds: float) -> float:
    return asyncio.get_running_loop().time() + seconds


class DeadlineWatch:
    """When the event loop itself got to ``deadline``: a request's lateness is counted from
    there. Counted from the deadline, a loaded machine's loop waking late was taken for the
    client's (``test_deadline_waiting_for_first_token`` failed so under load)."""

    def __init__(self, deadline: float) -> None:
        self.deadline = deadline
        self.reached: float | None = None
        asyncio.get_running_loop().call_at(deadline, self._reach)

    def _reach(self) -> None:
        self.reached = asyncio.get_running_loop().time()

    def late_by(self) -> float:
        """How long after the loop got to the deadline it is now (negative: before it)."""
        now = asyncio.get_running_loop().time()
        return now - (self.reached if self.reached is not None else self.deadline)


@pytest.fixture
def ledger(tmp_path: Path) -> Ledger:
    led = Ledger(tmp_path / "usage.sqlite3")
    yield led
    led.close()


@pytest.fixture
async def client(fake_deepseek: FakeDeepSeek, ledger: Ledger) -> AsyncIterator[ModelClient]:
    c = ModelClient(EndpointConfig(base_url=fake_deepseek.url, api_key=DEFAULT_KEY), ledger)
    yield c
    await c.aclose()


def fim(prompt: str = "def add(a, b):\n    ", **kw: object) -> FimRequest:
    return FimRequest(prompt=prompt, suffix="\n\nprint(add(1, 2))\n", **kw)  # type: ignore[arg-type]


def chat(**kw: object) -> ChatRequest:
    messages = [{"role": "user", "content": "Review this diff; answer in json."}]
    return ChatRequest(messages=messages, **kw)  # type: ignore[arg-type]


# -- streaming ------------------------------------------------------------------------------------


async def test_fim_streams_deltas_and_result(
    client: ModelClient, fake_deepseek: FakeDeepSeek
) -> None:
    fake_deepseek.script("return a + b\n")
    deltas = []
    async with client.stream_fim(fim(max_tokens=32, stop=["\n\n"]), deadline_in(5)) as stream:
        async for delta in stream:
            deltas.append(delta)
    result = stream.result
    assert "".join(deltas) == result.text == "return a + b\n"
    assert result.finish_reason == "stop"
    assert result.usage is not None and result.usage.completion_tokens > 0
    assert result.ttft_s is not None and 0 <= result.ttft_s <= result.total_s
    assert not result.from_chat
    (req,) = fake_deepseek.requests
    assert req.path == "/beta/completions"
    assert req.headers["authorization"] == "<redacted>"
    # The fake notes the end a moment after its last byte, which the client may have read first.
    assert await fake_deepseek.wait_closed_async(req)
    assert req.completed and not req.disconnected


@pytest.mark.parametrize("shape", ["separate", "inline"])
async def test_both_usage_shapes(
    client: ModelClient, fake_deepseek: FakeDeepSeek, shape: str
) -> None:
    fake_deepseek.set_usage_shape(shape)
    result = await client.fim(fim(), deadline_in(5))
    assert result.usage is not None
    assert result.usage.prompt_tokens == fake_deepseek.requests[-1].usage["prompt_tokens"]  # type: ignore[index]


async def test_on_sent_comes_once_the_request_is_out_and_before_the_answer(
    client: ModelClient, fake_deepseek: FakeDeepSeek
) -> None:
    """The completion feature prepares its post-processing while the model works: ``on_sent``
    must come after the request has gone (the server can read it whole) and before the first
    delta, exactly once."""
    fake_deepseek.set_latency(ttft=0.3)
    fake_deepseek.script("return a + b\n")
    calls: list[float] = []
    first_delta: list[float] = []
    long_prompt = "x = 1\n" * 5000  # larger than one socket write
    async with client.stream_fim(
        fim(long_prompt, max_tokens=32), deadline_in(5), on_sent=lambda: calls.append(time.monotonic())
    ) as stream:
        async for _ in stream:
            first_delta.append(time.monotonic())
    assert len(calls) == 1 and first_delta
    (req,) = fake_deepseek.requests
    assert req.json["prompt"] == long_prompt  # framed by its Content-Length, not chunked
    assert "transfer-encoding" not in req.headers
    # Called when the request was written: well before the model's 0.3 s to a first token.
    assert calls[0] < first_delta[0] - 0.2
    assert stream.result.text == "return a + b\n"


async def test_a_compressed_stream_is_decoded_though_we_asked_for_none() -> None:
    import gzip
    import json as json_

    import httpx

    events = [{"choices": [{"index": 0, "text": t, "finish_reason": None}]} for t in ("return ", "a + b")]
    body = "".join(f"data: {json_.dumps(e)}\n\n" for e in events) + "data: [DONE]\n\n"
    seen: list[str] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request.headers.get("accept-encoding", ""))
        return httpx.Response(
            200,
            headers={"Content-Type": "text/event-stream", "Content-Encoding": "gzip"},
            content=gzip.compress(body.encode()),
        )

    c = ModelClient(
        EndpointConfig(base_url="http://127.0.0.1:9", api_key="k", allow_http=True),
        transport=httpx.MockTransport(answer),
    )
    try:
        result = await c.fim(fim(), deadline_in(5))
    finally:
        await c.aclose()
    assert seen == ["identity"]
    assert result.text == "return a + b"


async def test_connection_is_reused_after_done(
    client: ModelClient, fake_deepseek: FakeDeepSeek
) -> None:
    await client.fim(fim(), deadline_in(5))
    await client.fim(fim(), deadline_in(5))
    first, second = fake_deepseek.requests
    assert first.peer == second.peer


async def test_iterating_outside_async_with_is_refused(client: ModelClient) -> None:
    with pytest.raises(RuntimeError, match="async with"):
        async for _ in client.stream_fim(fim(), deadline_in(5)):
            pass


# -- deadlines ------------------------------------------------------------------------------------


async def test_deadline_during_keepalive_stall(
    client: ModelClient, fake_deepseek: FakeDeepSeek
) -> None:
    fake_deepseek.fault("stall", seconds=3.0, interval=0.02)
    loop = asyncio.get_running_loop()
    start = loop.time()
    deadline = start + 0.3
    watch = DeadlineWatch(deadline)
    with pytest.raises(DeadlineExceeded) as info:
        async with client.stream_fim(fim(), deadline) as stream:
            async for _ in stream:
                pass
    assert watch.late_by() < 0.1
    assert stream.keepalive_comments >= 2  # keep-alives arrived and did not extend anything
    assert info.value.url and info.value.url.endswith("/beta/completions")
    assert await fake_deepseek.wait_closed_async()
    assert fake_deepseek.requests[-1].disconnected


async def test_deadline_on_blank_line_stall_non_streaming(
    client: ModelClient, fake_deepseek: FakeDeepSeek
) -> None:
    fake_deepseek.fault("stall", seconds=3.0, interval=0.02)
    deadline = deadline_in(0.3)
    watch = DeadlineWatch(deadline)
    with pytest.raises(DeadlineExceeded):
        await client.chat(chat(stream=False), deadline)
    assert watch.late_by() < 0.1


async def test_deadline_waiting_for_first_token(
    client: ModelClient, fake_deepseek: FakeDeepSeek
) -> None:
    fake_deepseek.set_latency(ttft=2.0)
    deadline = deadline_in(0.2)
    watch = DeadlineWatch(deadline)
    with pytest.raises(DeadlineExceeded):
        await client.fim(fim(), deadline)
    assert watch.late_by() < 0.1


async def test_non_streaming_answer_after_blank_lines(
    client: ModelClient, fake_deepseek: FakeDeepSeek
) -> None:
    fake_deepseek.fault("stall", seconds=0.1, interval=0.02)
    fake_deepseek.script('{"findings": [1]}')
    result = await client.chat(chat(stream=False, json_mode=True), deadline_in(5))
    assert result.text == '{"findings": [1]}'
    assert result.usage is not None


# -- cancellation ---------------------------------------------------------------------------------


async def _cancel_after_first_delta(client: ModelClient) -> float:
    got_first = asyncio.Event()

    async def consume() -> None:
        async with client.stream_fim(fim(max_tokens=400), deadline_in(10)) as stream:
            async for _ in stream:
                got_first.set()

    task = asyncio.create_task(consume())
    await asyncio.wait_for(got_first.wait(), 5)
    cancelled_at = asyncio.get_running_loop().time()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    return cancelled_at


async def test_cancel_closes_the_connection_at_once(
    client: ModelClient, fake_deepseek: FakeDeepSeek, ledger: Ledger
) -> None:
    fake_deepseek.set_latency(per_token=0.05)
    fake_deepseek.script("x = 1\n" * 100)
    cancelled_at = await _cancel_after_first_delta(client)
    assert await fake_deepseek.wait_closed_async(timeout=1)
    rec = fake_deepseek.requests[-1]
    assert rec.disconnected and not rec.completed
    assert rec.disconnected_at is not None
    assert rec.disconnected_at - cancelled_at < CANCEL_CLOSE_LIMIT_S
    (recorded,) = ledger.recent
    assert recorded.outcome == "cancelled" and recorded.estimated


async def test_cancel_before_first_token_closes_too(
    client: ModelClient, fake_deepseek: FakeDeepSeek
) -> None:
    fake_deepseek.set_latency(ttft=5.0)
    task = asyncio.create_task(client.fim(fim(), deadline_in(10)))
    for _ in range(500):
        await asyncio.sleep(0.002)
        if fake_deepseek.requests:
            break
    await asyncio.sleep(0.02)
    cancelled_at = asyncio.get_running_loop().time()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert await fake_deepseek.wait_closed_async(timeout=1)
    rec = fake_deepseek.requests[-1]
    assert rec.disconnected and rec.disconnected_at is not None
    assert rec.disconnected_at - cancelled_at < CANCEL_CLOSE_LIMIT_S


async def test_early_break_closes_the_connection(
    client: ModelClient, fake_deepseek: FakeDeepSeek, ledger: Ledger
) -> None:
    fake_deepseek.set_latency(per_token=0.05)
    fake_deepseek.script("first line\n" + "more\n" * 100)
    text = ""
    async with client.stream_fim(fim(max_tokens=400), deadline_in(10)) as stream:
        async for delta in stream:
            text += delta
            if "\n" in text:
                break  # single-line mode: the first line is all we wanted
    broke_at = asyncio.get_running_loop().time()
    assert await fake_deepseek.wait_closed_async(timeout=1)
    rec = fake_deepseek.requests[-1]
    assert rec.disconnected and rec.disconnected_at is not None
    assert rec.disconnected_at - broke_at < CANCEL_CLOSE_LIMIT_S
    assert stream.result.text == text and stream.result.finish_reason is None
    assert ledger.recent[-1].outcome == "cancelled"


# -- errors ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "cls"),
    [
        (400, RequestError),
        (401, AuthenticationError),
        (402, InsufficientBalanceError),
        (422, RequestError),
        (429, RateLimitError),
        (500, ServerError),
        (503, OverloadedError),
    ],
)
async def test_status_errors(
    client: ModelClient, fake_deepseek: FakeDeepSeek, ledger: Ledger, status: int, cls: type
) -> None:
    fake_deepseek.fault("status", status=status, retry_after=7 if status == 429 else None)
    with pytest.raises(cls) as info:
        await client.fim(fim(), deadline_in(5))
    err = info.value
    assert err.status == status
    assert err.provider_message  # DeepSeek's error body was read
    assert err.disables_feature is (status in (401, 402))
    if status == 429:
        assert err.retry_after == 7
    assert DEFAULT_KEY not in str(err) and DEFAULT_KEY not in err.user_message
    assert ledger.recent[-1].outcome == "error" and ledger.recent[-1].prompt_tokens == 0


async def test_wrong_key_is_401_and_disables(fake_deepseek: FakeDeepSeek) -> None:
    config = EndpointConfig(base_url=fake_deepseek.url, api_key="sk-wrong-key-123456")
    async with ModelClient(config) as c:
        with pytest.raises(AuthenticationError) as info:
            await c.chat(chat(), deadline_in(5))
    assert info.value.disables_feature
    assert "sk-wrong" not in str(info.value) and "sk-wrong" not in info.value.user_message
    assert not fake_deepseek.requests[-1].authorized


async def test_completion_is_never_retried(
    client: ModelClient, fake_deepseek: FakeDeepSeek
) -> None:
    fake_deepseek.fault("status", count=5, status=503)
    with pytest.raises(OverloadedError):
        await client.fim(fim(), deadline_in(5))
    fake_deepseek.reset()
    fake_deepseek.fault("status", count=5, status=429, retry_after=0)
    with pytest.raises(RateLimitError):
        await client.fim(fim(), deadline_in(5))
    assert len(fake_deepseek.requests) == 1


async def test_review_retry_honours_retry_after(
    client: ModelClient, fake_deepseek: FakeDeepSeek
) -> None:
    fake_deepseek.fault("status", count=2, status=429, retry_after=0.2)
    start = time.monotonic()
    result = await client.chat_with_retry(chat(), deadline_in(10), max_retries=3, base_delay=0.001)
    elapsed = time.monotonic() - start
    assert result.text
    assert len(fake_deepseek.requests) == 3
    assert elapsed >= 0.4  # two waits of Retry-After, not the 1 ms backoff
    gaps = [
        b.received_at - a.received_at
        for a, b in zip(fake_deepseek.requests, fake_deepseek.requests[1:], strict=False)
    ]
    assert all(g >= 0.2 for g in gaps)


async def test_review_retry_stops_after_max_retries(
    client: ModelClient, fake_deepseek: FakeDeepSeek
) -> None:
    fake_deepseek.fault("status", count=10, status=429, retry_after=0.01)
    with pytest.raises(RateLimitError):
        await client.chat_with_retry(chat(), deadline_in(10), max_retries=2)
    assert len(fake_deepseek.requests) == 1 + 2


async def test_review_retry_backs_off_on_500_and_503(
    client: ModelClient, fake_deepseek: FakeDeepSeek
) -> None:
    fake_deepseek.fault("status", count=1, status=500)
    fake_deepseek.fault("status", count=1, status=503)
    result = await client.chat_with_retry(chat(), deadline_in(10), max_retries=2, base_delay=0.01)
    assert result.text
    assert len(fake_deepseek.requests) == 3


async def test_review_retry_does_not_retry_config_errors(
    client: ModelClient, fake_deepseek: FakeDeepSeek
) -> None:
    fake_deepseek.fault("status", count=5, status=402)
    with pytest.raises(InsufficientBalanceError):
        await client.chat_with_retry(chat(), deadline_in(10), max_retries=3, base_delay=0.01)
    assert len(fake_deepseek.requests) == 1


async def test_review_retry_gives_up_when_retry_after_passes_deadline(
    client: ModelClient, fake_deepseek: FakeDeepSeek
) -> None:
    fake_deepseek.fault("status", count=5, status=429, retry_after=600)
    with pytest.raises(RateLimitError):
        # Given up at once: a client that waited for the Retry-After, or until its deadline,
        # runs into the bound (half the deadline), a busy machine's delays never.
        await asyncio.wait_for(client.chat_with_retry(chat(), deadline_in(60), max_retries=3), 30)
    assert len(fake_deepseek.requests) == 1


async def test_connect_error(refused: str) -> None:
    async with ModelClient(EndpointConfig(base_url=refused, api_key="k")) as c:
        with pytest.raises(ConnectError) as info:
            await c.fim(fim(), deadline_in(5))
    assert info.value.retryable
    assert refused.removeprefix("http://") in (info.value.url or "")


# -- unusable answers -------------------------------------------------------------------------------


async def test_malformed_chunk(
    client: ModelClient, fake_deepseek: FakeDeepSeek, ledger: Ledger
) -> None:
    fake_deepseek.fault("malformed", after_chunks=1)
    with pytest.raises(MalformedResponse) as info:
        await client.fim(fim(), deadline_in(5))
    assert info.value.kind == "bad_json"
    assert ledger.recent[-1].outcome == "error"


async def test_mid_stream_disconnect(
    client: ModelClient, fake_deepseek: FakeDeepSeek, ledger: Ledger
) -> None:
    fake_deepseek.script("a much longer answer than one chunk")
    fake_deepseek.fault("disconnect", after_chunks=2)
    with pytest.raises(MalformedResponse) as info:
        await client.fim(fim(), deadline_in(5))
    assert info.value.kind == "truncated"
    assert info.value.partial.text == "a much l"
    rec = ledger.recent[-1]
    assert rec.outcome == "error" and rec.estimated and rec.completion_tokens > 0


async def test_huge_answer_is_cut(
    client: ModelClient, fake_deepseek: FakeDeepSeek, ledger: Ledger
) -> None:
    fake_deepseek.fault("huge", size=500_000)
    result = await client.fim(fim(max_tokens=16), deadline_in(5))
    assert result.overrun and result.finish_reason == "length"
    assert len(result.text) < 5000
    assert await fake_deepseek.wait_closed_async()
    assert fake_deepseek.requests[-1].disconnected
    assert ledger.recent[-1].estimated


async def test_insufficient_system_resource_is_an_error(
    client: ModelClient, fake_deepseek: FakeDeepSeek, ledger: Ledger
) -> None:
    fake_deepseek.fault("finish", reason="insufficient_system_resource")
    with pytest.raises(MalformedResponse) as info:
        await client.fim(fim(), deadline_in(5))
    assert info.value.kind == "insufficient_system_resource" and info.value.retryable
    rec = ledger.recent[-1]
    assert rec.outcome == "error" and not rec.estimated and rec.prompt_tokens > 0


async def test_length_and_content_filter_are_results(
    client: ModelClient, fake_deepseek: FakeDeepSeek
) -> None:
    fake_deepseek.script("x" * 400)
    result = await client.fim(fim(max_tokens=8), deadline_in(5))
    assert result.finish_reason == "length" and len(result.text) == 32
    fake_deepseek.fault("finish", reason="content_filter")
    result = await client.fim(fim(), deadline_in(5))
    assert result.filtered


async def test_json_mode_blank_and_invalid(
    client: ModelClient, fake_deepseek: FakeDeepSeek
) -> None:
    fake_deepseek.fault("blank")
    with pytest.raises(MalformedResponse) as info:
        await client.chat(chat(json_mode=True), deadline_in(5))
    assert info.value.kind == "blank_json"
    fake_deepseek.fault("invalid_json")
    with pytest.raises(MalformedResponse) as info:
        await client.chat(chat(json_mode=True), deadline_in(5))
    assert info.value.kind == "invalid_json"
    assert info.value.partial.text.startswith("Sure!")


async def test_json_mode_takes_json_in_a_fence_or_after_a_sentence(
    client: ModelClient, fake_deepseek: FakeDeepSeek
) -> None:
    """What a self-hosted chat model writes when its server ignores response_format: the review
    reads it, and the client used to call it invalid (retried, paid twice, never cached)."""
    for answer in ('```json\n{"findings": []}\n```', 'Here is the review:\n{"findings": []}'):
        fake_deepseek.reset()
        fake_deepseek.script(answer)
        result = await client.chat_with_retry(chat(json_mode=True), deadline_in(5), base_delay=0.01)
        assert result.text == answer
        assert len(fake_deepseek.requests_to("/chat/completions")) == 1


async def test_an_endpoint_refusing_response_format_is_asked_for_json_in_the_prompt_only(
    client: ModelClient, fake_deepseek: FakeDeepSeek
) -> None:
    """mlx-vlm, lmdeploy and others answer 400 to response_format json_object: every review
    failed. Asked again without it (the prompt asks for JSON), and not sent from then on."""
    fake_deepseek.fault("status", status=400, message="Unsupported response_format type: 'json_object'")
    fake_deepseek.script('{"findings": []}', '{"findings": []}')
    assert (await client.chat(chat(json_mode=True), deadline_in(5))).text == '{"findings": []}'
    assert (await client.chat(chat(json_mode=True), deadline_in(5))).text == '{"findings": []}'
    sent = [r.json for r in fake_deepseek.requests_to("/chat/completions")]
    assert ["response_format" in body for body in sent] == [True, False, False]
    # Any other 400 is still the user's to see, not retried.
    fake_deepseek.fault("status", status=400, message="Model 'x' does not exist")
    with pytest.raises(RequestError):
        await client.chat(chat(json_mode=True), deadline_in(5))


async def test_json_mode_blank_answer_is_retried_once(
    client: ModelClient, fake_deepseek: FakeDeepSeek
) -> None:
    fake_deepseek.fault("blank", count=1)
    result = await client.chat_with_retry(chat(json_mode=True), deadline_in(5), base_delay=0.01)
    assert result.text == '{"findings": []}'
    fake_deepseek.fault("blank", count=5)
    with pytest.raises(MalformedResponse):
        await client.chat_with_retry(
            chat(json_mode=True), deadline_in(5), max_retries=3, base_delay=0.01
        )
    assert len(fake_deepseek.requests) == 2 + 2


async def test_thinking_reasoning_is_kept_apart(
    client: ModelClient, fake_deepseek: FakeDeepSeek
) -> None:
    fake_deepseek.script({"text": "Answer.", "reasoning": "Let me think."})
    result = await client.chat(chat(thinking=True), deadline_in(5))
    assert result.text == "Answer." and result.reasoning == "Let me think."
    assert fake_deepseek.requests[-1].json["thinking"] == {"type": "enabled"}


async def test_a_thinking_answer_cut_mid_thought_is_billed_for_its_thinking(
    client: ModelClient, fake_deepseek: FakeDeepSeek, ledger: Ledger
) -> None:
    fake_deepseek.script({"text": "ok", "reasoning": "Let me think this through. " * 100})
    fake_deepseek.fault("disconnect", after_chunks=300)
    with pytest.raises(MalformedResponse):
        await client.chat(chat(thinking=True), deadline_in(5))
    rec = ledger.recent[-1]
    assert rec.estimated and rec.completion_tokens > 200  # 300 chunks of thought went out


async def test_a_request_that_never_left_costs_nothing(ledger: Ledger) -> None:
    """A deadline or a cancel in the TLS handshake (or while waiting for a connection): the
    provider never had the request. Both were recorded as charges for the whole prompt; the
    cancel was counted as a request the provider never saw (the ledger then disagreed with the
    provider's count). The deadline is an error the user should see, free."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    held: list[socket.socket] = []

    def accept() -> None:
        while True:
            try:
                held.append(listener.accept()[0])  # and never answer the TLS ClientHello
            except OSError:
                return

    threading.Thread(target=accept, daemon=True).start()
    config = EndpointConfig(base_url=f"https://127.0.0.1:{listener.getsockname()[1]}", api_key="sk-x")
    try:
        async with ModelClient(config, ledger) as c:
            with pytest.raises(DeadlineExceeded):
                await c.fim(fim(prompt="x = 1\n" * 500), deadline_in(0.3))
            task = asyncio.ensure_future(c.fim(fim(prompt="x = 1\n" * 500), deadline_in(5)))
            await asyncio.sleep(0.2)
            task.cancel()
            with pytest.raises(asyncio.CancelledError):
                await task
    finally:
        listener.close()
        for conn in held:
            conn.close()
    [deadline] = ledger.recent
    assert deadline.outcome == "error"
    assert deadline.prompt_tokens == 0 and deadline.cost == 0 and not deadline.estimated
    assert ledger.summary()["session"]["total"]["requests"] == 1


# -- budget, configuration, warm-up ---------------------------------------------------------------


async def test_budget_blocks_before_sending(fake_deepseek: FakeDeepSeek, tmp_path: Path) -> None:
    ledger = Ledger(tmp_path / "u.sqlite3", daily_budget=1e-9)
    async with ModelClient(
        EndpointConfig(base_url=fake_deepseek.url, api_key=DEFAULT_KEY), ledger
    ) as c:
        await c.fim(fim(), deadline_in(5))
        with pytest.raises(BudgetExceeded):
            await c.fim(fim(), deadline_in(5))
    assert len(fake_deepseek.requests) == 1
    ledger.close()


def test_plain_http_to_remote_host_is_refused() -> None:
    with pytest.raises(ConfigError, match="Refusing plain http://"):
        EndpointConfig(base_url="http://example.com", api_key="k")
    with pytest.raises(ConfigError, match=r"\(fimBaseUrl\)"):
        EndpointConfig(fim_base_url="http://example.com/beta")
    EndpointConfig(base_url="http://example.com", allow_http=True)
    EndpointConfig(base_url="http://localhost:11434/v1", backend="openai-suffix")
    EndpointConfig(base_url="http://[::1]:8080", backend="llamacpp-infill")
    with pytest.raises(ConfigError):
        EndpointConfig(base_url="ftp://example.com")
    with pytest.raises(ConfigError, match="unknown backend"):
        EndpointConfig(backend="nope")


def test_a_key_no_header_can_carry_is_refused_and_never_quoted() -> None:
    # Sent as it was, h11 refused the header and its error, with the key in it, became the
    # status bar's "cannot reach" message; a non-ASCII key made httpx raise building the client.
    for key in (f"{DEFAULT_KEY}\n", f"{DEFAULT_KEY} ", f"{DEFAULT_KEY}\u200b", f"sk 1{DEFAULT_KEY}"):
        with pytest.raises(ConfigError, match="HTTP header") as info:
            EndpointConfig(base_url="https://api.deepseek.com", api_key=key)
        assert DEFAULT_KEY not in str(info.value) and DEFAULT_KEY not in info.value.user_message
    EndpointConfig(base_url="https://api.deepseek.com", api_key=DEFAULT_KEY)


async def test_transport_errors_shown_to_the_user_never_quote_the_key(
    fake_deepseek: FakeDeepSeek,
) -> None:
    class Quoting(httpx.AsyncBaseTransport):
        """A transport whose errors quote the request's headers (as h11 and proxies may)."""

        async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
            raise httpx.ConnectError(f"refused {request.headers['authorization']}")

    config = EndpointConfig(base_url=fake_deepseek.url, api_key=DEFAULT_KEY)
    async with ModelClient(config, transport=Quoting()) as c:
        with pytest.raises(ConnectError) as info:
            await c.fim(fim(), deadline_in(5))
        with pytest.raises(ConnectError) as listing:
            await c.models(deadline_in(5))
    for error in (info.value, listing.value):
        assert DEFAULT_KEY not in str(error) and DEFAULT_KEY not in error.user_message
        assert "***" in str(error)


def test_key_never_in_repr() -> None:
    config = EndpointConfig(api_key="sk-supersecret")
    assert "sk-supersecret" not in repr(config)
    assert "***" in repr(config)
    assert "sk-supersecret" not in repr(ModelClient(config))
    # Nor a proxy's user:password in the URLs.
    proxied = EndpointConfig(
        base_url="https://bob:hunter2pass@proxy.example.com/v1",
        fim_base_url="https://bob:hunter2pass@proxy.example.com/fim",
    )
    assert "hunter2pass" not in repr(proxied) and "proxy.example.com/fim" in repr(proxied)


def test_fim_base_defaults() -> None:
    assert EndpointConfig().fim_base == "https://api.deepseek.com/beta"
    assert (
        EndpointConfig(base_url="https://api.deepseek.com/").fim_base
        == "https://api.deepseek.com/beta"
    )
    assert EndpointConfig(fim_base_url="https://x.test/fim/").fim_base == "https://x.test/fim"
    ollama = EndpointConfig(base_url="http://localhost:11434/v1", backend="openai-suffix")
    assert ollama.fim_base == "http://localhost:11434/v1"
    # DeepSeek's host written with a fully qualified name's dot: its FIM is under /beta, not
    # /v1/beta (DeepSeek's 404), as for the name without it.
    dotted = EndpointConfig(base_url="https://api.deepseek.com./v1")
    assert dotted.fim_base == "https://api.deepseek.com./beta" and dotted.is_deepseek


async def test_warm_opens_a_connection_and_never_raises(
    client: ModelClient, fake_deepseek: FakeDeepSeek
) -> None:
    assert await client.warm()
    assert fake_deepseek.requests[-1].path == "/models"
    assert await client.models(deadline_in(5)) == fake_deepseek.models
    async with ModelClient(
        EndpointConfig(base_url="http://127.0.0.1:9", api_key="k", connect_timeout=0.5)
    ) as c:
        assert not await c.warm(timeout=1)


async def test_many_concurrent_streams(client: ModelClient, fake_deepseek: FakeDeepSeek) -> None:
    fake_deepseek.set_latency(per_token=0.001)
    results = await asyncio.gather(*(client.fim(fim(), deadline_in(10)) for _ in range(20)))
    assert all(r.text == "return a + b" for r in results)


def test_model_error_is_the_base() -> None:
    for cls in (RequestError, DeadlineExceeded, BudgetExceeded, ConfigError, MalformedResponse):
        assert issubclass(cls, ModelError)
