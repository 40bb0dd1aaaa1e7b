"""The model client against what real OpenAI-compatible deployments send or need, each case
through the fake server over real HTTP: a proxy the environment names, a baseUrl copied from
DeepSeek's FIM documentation, a base URL that redirects."""

from __future__ import annotations

import asyncio
import contextlib
import json
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

from deepseek_lsp.model import (
    ConfigError,
    EndpointConfig,
    FimRequest,
    MalformedResponse,
    ModelClient,
    ModelError,
)
from deepseek_lsp.model.errors import error_for_status
from tests.fake_deepseek import DEFAULT_KEY, FakeDeepSeek
from tests.harness import eventually, inline_params, lsp_session, open_doc, server_env
from tests.keystroke_bursts import BURST_ANSWER, cancelled_keystroke_bursts, first_line

PROXY_VARS = ("ALL_PROXY", "HTTPS_PROXY", "HTTP_PROXY", "all_proxy", "https_proxy", "http_proxy")


def deadline_in(seconds: float) -> float:
    return asyncio.get_running_loop().time() + seconds


def fim(**kw: object) -> FimRequest:
    return FimRequest(prompt="def add(a, b):\n    return ", suffix="\n", max_tokens=16, **kw)  # type: ignore[arg-type]


# -- a proxy from the environment that httpx cannot use ---------------------------------------------


@pytest.mark.parametrize(
    "proxy",
    [
        "socks5://user:hunter2@127.0.0.1:7890",  # Clash's ALL_PROXY, without the socksio package
        "socks4://user:hunter2@127.0.0.1:7890",  # a scheme httpx does not know
    ],
)
async def test_an_unusable_proxy_in_the_environment_is_told_not_a_dead_server(tmp_path: Path, proxy: str) -> None:
    """``ALL_PROXY=socks5://...`` (Clash, v2rayN: common among DeepSeek users) without httpx's
    optional socksio package: httpx raised ImportError while the model client was built, in the
    server's startup, and the language server died before answering ``initialize``: the editor
    only said the server crashed. Now it starts, and its status tells what to do."""
    with FakeDeepSeek() as fake:
        env = server_env(fake.url, api_key=DEFAULT_KEY, state_dir=str(tmp_path))
        for var in PROXY_VARS:
            env.pop(var, None)
        env["ALL_PROXY"] = proxy
        async with lsp_session(env, settings={"completion": {"debounce": 0}}) as client:
            uri = "file:///ws/a.py"
            open_doc(client, uri, "def add(a, b):\n    return \n")
            assert await eventually(lambda: client.statuses and client.statuses[-1]["kind"] == "Error")
            message = client.statuses[-1]["message"]
            assert "proxy" in message.lower() and "ALL_PROXY" in message
            assert "hunter2" not in message
            result = await client.text_document_inline_completion_async(inline_params(uri, 1, 11))
            assert result is None or not result.items
        assert fake.requests_to("/beta/completions") == []


def test_an_unusable_proxy_is_a_config_error_for_the_review_cli(monkeypatch: pytest.MonkeyPatch) -> None:
    """The terminal review catches ConfigError to print a message and exit; ImportError was a
    traceback."""
    for var in PROXY_VARS:
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("ALL_PROXY", "socks5://127.0.0.1:7890")
    with pytest.raises(ConfigError) as info:
        ModelClient(EndpointConfig(api_key=DEFAULT_KEY))
    assert "socksio" in info.value.user_message


# -- baseUrl copied from DeepSeek's FIM guide -------------------------------------------------------


async def test_a_base_url_ending_in_beta_completes_at_beta_completions(tmp_path: Path) -> None:
    """DeepSeek's FIM and chat-prefix guides configure OpenAI clients with
    ``base_url="https://api.deepseek.com/beta"``; copied into baseUrl, reviews worked (DeepSeek
    serves chat there too) but every completion went to ``/beta/beta/completions``, a 404 shown
    as "rejected the request ... this is a deepseek-lsp bug"."""
    from deepseek_lsp.config import build_settings
    from deepseek_lsp.model.client import ChatRequest

    with FakeDeepSeek() as fake:
        fake.script("a + b", path="/beta/completions")
        for base in (f"{fake.url}/beta", f"{fake.url}/beta/"):
            client = ModelClient(EndpointConfig(base_url=base, api_key=DEFAULT_KEY))
            try:
                if base.endswith("/"):
                    fake.script("a + b", path="/beta/completions")
                result = await client.fim(fim(model="deepseek-flash"), deadline_in(5))
                assert result.text == "a + b"
                review = await client.chat(
                    ChatRequest(messages=[{"role": "user", "content": "review"}]), deadline_in(5)
                )
                assert review.text
            finally:
                await client.aclose()
        assert [r.path for r in fake.requests if r.method == "POST"] == [
            "/beta/completions", "/beta/chat/completions"
        ] * 2
    for base in ("https://api.deepseek.com/beta", "https://api.deepseek.com/beta/"):
        settings, _ = build_settings({"baseUrl": base}, env={})
        assert settings.effective_fim_base_url == "https://api.deepseek.com/beta"  # what doctor shows
        assert EndpointConfig(base_url=base).fim_base == "https://api.deepseek.com/beta"


# -- a base URL that redirects --------------------------------------------------------------------

MOVED = (
    "<html>\r\n<head><title>301 Moved Permanently</title></head>\r\n<body>\r\n"
    "<center><h1>301 Moved Permanently</h1></center>\r\n<hr><center>nginx</center>\r\n"
    "</body>\r\n</html>\r\n"
)


@pytest.mark.parametrize("status", [301, 302, 307, 308])
async def test_a_redirect_is_told_as_a_wrong_base_url_not_retried_as_a_broken_stream(status: int) -> None:
    """Redirects are not followed (rightly: a POST would turn into a GET, and the key must not
    go along), but a 3xx was read as the answer's stream: its page had no ``data:`` line, and
    the user read "sent an unusable answer (the stream ended before the answer was complete);
    it will be retried", and every review was sent twice. ``doctor`` already says what a
    redirect means: the base URL is a web page or an old address."""
    with FakeDeepSeek() as fake:
        raw = {
            "status": status,
            "headers": {
                "Location": "https://www.example.com/login?next=%2Fbeta%2Fcompletions",
                "Content-Type": "text/html",
                "Content-Length": str(len(MOVED)),
            },
            "body": MOVED,
        }
        fake.fault("raw", count=None, **raw)
        client = ModelClient(EndpointConfig(base_url=fake.url, api_key=DEFAULT_KEY))
        try:
            with pytest.raises(ModelError) as completion:
                await client.fim(fim(), deadline_in(5))
            from deepseek_lsp.model.client import ChatRequest

            with pytest.raises(ModelError) as review:
                await client.chat_with_retry(
                    ChatRequest(messages=[{"role": "user", "content": "review"}]),
                    deadline_in(5),
                    base_delay=0.01,
                )
        finally:
            await client.aclose()
        for info in (completion, review):
            message = info.value.user_message
            assert f"redirect ({status})" in message and "https://www.example.com/login" in message
            assert "base URL" in message and "next=" not in message
            assert "unusable answer" not in message and "retried" not in message
            assert not info.value.retryable
        assert len(fake.requests_to("/chat/completions")) == 1


# -- behind a proxy from the environment ----------------------------------------------------------


async def test_cancelled_completions_behind_a_proxy_give_their_connections_back(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Behind ``HTTP_PROXY``/``HTTPS_PROXY`` (a company proxy) httpx sends every request
    through a transport it mounts for the proxy, whose pool ``pool_reclaim`` never looked at: the
    connections httpcore orphans when a completion is cancelled while connecting (the user typed
    on, encode/httpcore#1093) piled up there, and after 16 of them every completion failed with
    "no free connection in the pool" until the editor was restarted. The same bursts of
    keystrokes as tests/test_reliability_leaks.py, through the fake acting as the proxy."""
    for var in (*PROXY_VARS, "NO_PROXY", "no_proxy"):
        monkeypatch.delenv(var, raising=False)
    with FakeDeepSeek() as fake:
        fake.responder(lambda body: BURST_ANSWER, path="/beta/completions")
        fake.set_latency(per_token=0.0005)
        monkeypatch.setenv("HTTP_PROXY", fake.url)
        # A name only the proxy resolves (loopback itself is never proxied).
        origin = f"http://api.example.invalid:{fake.port}"
        client = ModelClient(EndpointConfig(base_url=origin, api_key=DEFAULT_KEY, allow_http=True))
        try:
            await cancelled_keystroke_bursts(client, rounds=400, seed=2)
            assert (await first_line(client)).startswith("x = 1")
        finally:
            await client.aclose()
        assert fake.requests and all(r.proxied for r in fake.requests)


# -- 402 from a gateway ------------------------------------------------------------------------------


async def test_a_gateway_out_of_credits_is_not_sent_to_deepseek_to_top_up() -> None:
    """OpenRouter and other gateways that serve DeepSeek's models answer 402 when *their*
    account has no credits; the user was told to "top up at https://platform.deepseek.com",
    where a top-up changes nothing, and the gateway's own words were dropped."""
    with FakeDeepSeek() as fake:
        fake.fault("status", status=402, message="Insufficient credits. Add more using https://openrouter.ai/settings/credits")
        client = ModelClient(EndpointConfig(base_url=fake.url, api_key=DEFAULT_KEY, backend="chat"))
        try:
            with pytest.raises(ModelError) as info:
                await client.fim(fim(model="deepseek/deepseek-chat"), deadline_in(5))
        finally:
            await client.aclose()
    message = info.value.user_message
    assert "(402)" in message and "platform.deepseek.com" not in message
    assert "openrouter.ai/settings/credits" in message
    deepseek = error_for_status(402, url="https://api.deepseek.com/beta/completions", provider_message="Insufficient Balance")
    assert "https://platform.deepseek.com" in deepseek.user_message


async def test_a_server_on_this_machine_is_reached_directly_whatever_the_proxy(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """``HTTP_PROXY`` set for the company network (or a desktop proxy's system setting) and a
    model server on the laptop itself (Ollama, llama.cpp): httpx sent every request for
    ``http://127.0.0.1:...`` to the proxy, which cannot reach the user's machine (here it is
    not even there), unless ``NO_PROXY`` named the exact host; ``127.0.0.0/8``, as such lists
    are usually written, does not count for httpx. Go's clients (the ``ollama`` CLI) and
    curl's CIDR rule never proxy loopback: completions failed only in the editor."""
    with socket_closed_port() as dead_proxy:
        for var in (*PROXY_VARS, "NO_PROXY", "no_proxy"):
            monkeypatch.delenv(var, raising=False)
        monkeypatch.setenv("HTTP_PROXY", f"http://127.0.0.1:{dead_proxy}")
        monkeypatch.setenv("NO_PROXY", "127.0.0.0/8,::1")
        with FakeDeepSeek(api_key=None) as fake:
            fake.script("a + b")
            client = ModelClient(EndpointConfig(base_url=f"{fake.url}/v1", backend="openai-suffix"))
            try:
                result = await client.fim(fim(model="qwen2.5-coder:7b"), deadline_in(5))
            finally:
                await client.aclose()
            assert result.text == "a + b"
            assert [r.proxied for r in fake.requests] == [False]


def socket_closed_port() -> contextlib.AbstractContextManager[int]:
    """A local port nothing listens on (bound, never listening: connections are refused)."""

    @contextlib.contextmanager
    def closed() -> Iterator[int]:
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            yield sock.getsockname()[1]

    return closed()


# -- an answer the server gave up on half-way ----------------------------------------------------


def completion_chunk(text: str, finish: str | None = None) -> str:
    chunk = {
        "id": "cmpl-7",
        "object": "text_completion",
        "model": "qwen2.5-coder",
        "choices": [{"index": 0, "text": text, "logprobs": None, "finish_reason": finish}],
    }
    return f"data: {json.dumps(chunk)}\n\n"


@pytest.mark.parametrize("reason", ["abort", "error"])
async def test_an_answer_the_server_aborted_half_way_is_not_shown_as_a_whole_one(reason: str) -> None:
    """vLLM ends a request its engine dropped (while shutting down, say) with
    ``finish_reason: "abort"`` after the text so far, and SGLang does for an abort without an
    error status; the client took that for a finished answer: a suggestion cut mid-word
    (``self.tot``) was shown, and Tab inserted it. Like DeepSeek's
    ``insufficient_system_resource``, it is an unusable answer."""
    body = completion_chunk("total = self.tot") + completion_chunk("", reason) + "data: [DONE]\n\n"
    with FakeDeepSeek(api_key=None) as fake:
        fake.fault("raw", body=body)
        client = ModelClient(EndpointConfig(base_url=f"{fake.url}/v1", backend="openai-suffix"))
        try:
            with pytest.raises(MalformedResponse) as info:
                await client.fim(fim(model="qwen2.5-coder"), deadline_in(5))
        finally:
            await client.aclose()
    assert info.value.kind == reason and info.value.partial.text == "total = self.tot"
    assert "unusable answer" in info.value.user_message
