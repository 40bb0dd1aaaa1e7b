"""More self-hosted wire shapes (LiteLLM proxy, Ollama, a server's own printed address) and the
``doctor`` check for self-hosted setups: each case once broke what a self-hosting user saw."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import pytest

from deepseek_lsp.config import Settings
from deepseek_lsp.doctor import check_endpoint
from deepseek_lsp.model import EndpointConfig, FimRequest, Ledger, ModelError, RequestError
from deepseek_lsp.model.model_server import loads_models
from tests.test_model_selfhosted import deadline_in, mock_client, review, sse

# -- LiteLLM's proxy gives the status of a streamed error as a string ------------------------------

#: litellm.proxy ``ProxyException.to_dict()``: ``code`` is ``str(status)``, ``type``/``param``
#: often null. Streamed after the 200 when the provider behind it refuses (BerriAI/litellm#6629).
LITELLM_ERROR = {
    "message": "litellm.ContextWindowExceededError: prompt is too long: 209303 tokens > 200000 maximum",
    "type": None,
    "param": None,
    "code": "400",
}


async def test_a_litellm_streamed_400_is_a_rejected_request_not_a_server_error() -> None:
    """The proxy streams ``data: {"error": {..., "code": "400"}}``: the review read it as a
    server error (500), asked three more times with the same oversized prompt, and told the user
    "had a server error (500) ...; it will be retried later" for a request no retry can mend."""
    body = f"data: {json.dumps({'error': LITELLM_ERROR})}\n\ndata: [DONE]\n\n"
    # A key of its own: the helper's one-letter key would be scrubbed out of every word.
    client, seen = mock_client(lambda _: sse(body), backend="chat", api_key="sk-1234-litellm")
    try:
        with pytest.raises(ModelError) as info:
            await client.chat_with_retry(review(), deadline_in(5), base_delay=0.01)
    finally:
        await client.aclose()
    assert isinstance(info.value, RequestError) and info.value.status == 400
    assert "prompt is too long" in info.value.user_message
    assert "server error" not in info.value.user_message
    assert len(seen) == 1


# -- Ollama puts a zero usage on every chunk when usage is asked for --------------------------------


def ollama_chunk(text: str) -> str:
    # middleware/openai.go CompleteWriter: with stream_options.include_usage every chunk carries
    # ``usage: {}`` zeros (``c.Usage = &openai.Usage{}``); the real counts come in the last one.
    chunk = {
        "id": "cmpl-42",
        "object": "text_completion",
        "created": 1,
        "model": "qwen2.5-coder:7b",
        "system_fingerprint": "fp_ollama",
        "choices": [{"text": text, "index": 0, "finish_reason": None}],
        "usage": {"prompt_tokens": 0, "completion_tokens": 0, "total_tokens": 0},
    }
    return f"data: {json.dumps(chunk)}\n\n"


async def test_an_ollama_completion_stopped_early_is_counted_not_recorded_as_zero_tokens(
    tmp_path: Path,
) -> None:
    """A completion the editor stops reading (the user typed on) is estimated in the ledger, as
    for every server whose usage report never came; behind Ollama it was recorded as 0 prompt
    and 0 output tokens, a placeholder taken for the bill: the usage view undercounted every
    cancelled completion."""
    body = ollama_chunk("return a") + ollama_chunk(" + b\n") + ollama_chunk("    # done")
    client, _ = mock_client(lambda _: sse(body), backend="openai-suffix")
    ledger = Ledger(tmp_path / "usage.sqlite3")
    client.ledger = ledger
    req = FimRequest(prompt="def add(a, b):\n    " * 20, suffix="\n", max_tokens=64, model="qwen2.5-coder:7b")
    try:
        async with client.stream_fim(req, deadline_in(5)) as stream:
            async for _ in stream:
                break  # the rest of the line is not wanted
    finally:
        await client.aclose()
    (rec,) = ledger.recent
    ledger.close()
    assert rec.outcome == "cancelled"
    assert rec.prompt_tokens > 0 and rec.estimated


# -- llama.cpp builds from before stop_type ---------------------------------------------------------


def old_llamacpp_infill(stopped: str, text: str) -> str:
    # llama-server before stop_type (late 2024): booleans stopped_eos/stopped_limit/stopped_word.
    final = {
        "content": "",
        "stop": True,
        "stopped_eos": stopped == "eos",
        "stopped_limit": stopped == "limit",
        "stopped_word": False,
        "stopping_word": "",
        "tokens_evaluated": 12,
        "tokens_predicted": 16,
        "truncated": False,
    }
    chunk = {"content": text, "stop": False}
    return f"data: {json.dumps(chunk)}\n\ndata: {json.dumps(final)}\n\n"


@pytest.mark.parametrize(("stopped", "reason"), [("limit", "length"), ("eos", "stop")])
async def test_an_older_llamacpp_answer_cut_at_n_predict_is_told_as_cut(
    stopped: str, reason: str
) -> None:
    """An /infill answer that ran into n_predict ended "stop" on llama-server builds without
    ``stop_type``: a block completion cut mid-line was shown with its half line
    (``without_cut_line`` only drops it for "length")."""
    text = "total = 0\n    for x in items:\n        total += x.pri"
    body = old_llamacpp_infill(stopped, text)
    client, _ = mock_client(lambda _: sse(body), backend="llamacpp-infill")
    req = FimRequest(prompt="def f(items):\n    ", suffix="\n", max_tokens=16)
    try:
        result = await client.fim(req, deadline_in(5))
    finally:
        await client.aclose()
    assert result.text == text
    assert result.finish_reason == reason


# -- the address a server prints for itself ---------------------------------------------------------


@pytest.mark.parametrize("base", ["http://0.0.0.0:4000", "http://0.0.0.0:8000/v1", "http://[::]:8080"])
def test_the_address_a_local_server_prints_is_not_refused_as_remote_plain_http(base: str) -> None:
    """LiteLLM's quick start and vLLM's log say ``http://0.0.0.0:4000`` / ``:8000``: the
    unspecified address, which a client connecting to it reaches on this machine. The endpoint
    was refused with "the API key and your code would travel unencrypted" and nothing completed."""
    config = EndpointConfig(base_url=base, backend="chat")
    assert config.base == base.rstrip("/")


def test_a_remote_plain_http_endpoint_is_still_refused() -> None:
    with pytest.raises(ModelError, match="allowHttp"):
        EndpointConfig(base_url="http://gpu-box.example:8000/v1", backend="chat")


# -- doctor for self-hosted setups ------------------------------------------------------------------


def patch_get(monkeypatch: Any, get: Any) -> None:
    """Doctor's GETs (``httpx.Client.get``) answered by ``get(url, headers)``."""
    monkeypatch.setattr(httpx.Client, "get", lambda self, url, headers=None, **kw: get(url, headers, **kw))


class Recorded:
    """A GET as doctor makes it, answering a model list; what was asked is kept."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, dict[str, str]]] = []

    def __call__(self, url: str, headers: dict[str, str] | None = None, **_: Any) -> httpx.Response:
        self.calls.append((url, dict(headers or {})))
        return httpx.Response(
            200, json={"object": "list", "data": [{"id": "qwen2.5-coder:7b"}]}, request=httpx.Request("GET", url)
        )


def test_doctor_does_not_send_the_key_over_plain_http_the_server_refuses(monkeypatch: Any) -> None:
    """The language server refuses ``http://`` to a remote host without ``allowHttp`` (the key
    would travel in clear text): doctor sent the key there anyway and said "all good", while
    every completion failed with "Refusing plain http://"."""
    get = Recorded()
    patch_get(monkeypatch, get)
    settings = Settings(
        base_url="http://gpu-box.example:8000/v1", backend="chat", api_key="sk-team-0123456789abcdef"
    )
    ok, message = check_endpoint(settings, timeout=2)
    assert not ok
    assert "allowHttp" in message
    assert all("Authorization" not in headers for _, headers in get.calls)


def test_doctor_checks_the_llamacpp_server_when_only_fim_base_url_is_set(monkeypatch: Any) -> None:
    """``llamacpp-infill`` with only ``fimBaseUrl`` set (``baseUrl`` left at DeepSeek's) sends
    completions and reviews to that llama-server (backends.LlamaCppBackend.chat) and nothing to
    DeepSeek; doctor asked api.deepseek.com instead and reported a rejected or missing key."""
    get = Recorded()
    patch_get(monkeypatch, get)
    settings = Settings(backend="llamacpp-infill", fim_base_url="http://127.0.0.1:8012")
    ok, message = check_endpoint(settings, timeout=2)
    assert [url for url, _ in get.calls] == ["http://127.0.0.1:8012/v1/models"]
    assert ok, message
    assert "deepseek.com" not in message



def test_doctor_checks_the_completion_server_too_when_it_is_another(monkeypatch: Any) -> None:
    """``fimBaseUrl`` on another server than ``baseUrl`` (one llama-server or vLLM per model):
    doctor asked the review server only and said "all good" while the completion server was
    down and no suggestion could come."""
    up = Recorded()

    def get(url: str, headers: dict[str, str] | None = None, **kw: Any) -> httpx.Response:
        if ":8001" in url:
            raise httpx.ConnectError("All connection attempts failed")
        return up(url, headers, **kw)

    patch_get(monkeypatch, get)
    for backend in ("fim-template", "chat"):
        settings = Settings(
            backend=backend,  # type: ignore[arg-type]
            fim_template="qwen2.5-coder",
            base_url="http://127.0.0.1:8000/v1",
            fim_base_url="http://127.0.0.1:8001/v1",
        )
        ok, message = check_endpoint(settings, timeout=2)
        assert not ok and "cannot reach http://127.0.0.1:8001/v1" in message, (backend, message)

# -- the chat backend with a completion server of its own -------------------------------------------


def test_chat_backend_completions_go_to_fim_base_url() -> None:
    """Two chat servers, a big model for reviews (``baseUrl``) and a small fast one for
    completions (``fimBaseUrl``): completions went to the review server all the same, asking it
    for a model it does not serve (404 at every keystroke) or spending the big model on them."""
    from deepseek_lsp.model.backends import get_backend
    from deepseek_lsp.model.types import ChatRequest

    config = EndpointConfig(
        base_url="http://127.0.0.1:8000/v1", fim_base_url="http://127.0.0.1:8001/v1/", backend="chat"
    )
    backend = get_backend("chat")
    req = FimRequest(prompt="def add(a, b):\n    ", suffix="\n", model="qwen2.5-coder-1.5b-instruct")
    assert backend.fim(config, req).url == "http://127.0.0.1:8001/v1/chat/completions"
    review_call = backend.chat(config, ChatRequest(messages=[{"role": "user", "content": "hi"}]))
    assert review_call.url == "http://127.0.0.1:8000/v1/chat/completions"  # reviews stay put


# -- a base URL with the line end of a CRLF .env file, or pasted with spaces -------------------------


@pytest.mark.parametrize(
    "raw",
    ["http://127.0.0.1:11434/v1\r", "http://127.0.0.1:11434/v1\r\n", "http://127.0.0.1:11434/v1 ", " http://127.0.0.1:11434/v1"],
)
async def test_a_base_url_with_a_crlf_line_end_or_spaces_still_reaches_the_server(raw: str) -> None:
    """``DEEPSEEK_BASE_URL`` from a CRLF .env file (``docker --env-file``) keeps its ``\\r``:
    every completion failed inside httpx (InvalidURL, only logged: no suggestion, no message); a
    trailing space sent them to ``/v1%20/completions`` (404), and a leading one made the URL
    invalid, so DeepSeek's was used instead of the team's server. The key is already stripped."""
    from deepseek_lsp.config import build_settings
    from deepseek_lsp.model import ModelClient
    from deepseek_lsp.usage_feature import endpoint_config

    settings, problems = build_settings(
        {"fimBaseUrl": raw}, env={"DEEPSEEK_BASE_URL": raw, "DEEPSEEK_BACKEND": "openai-suffix"}
    )
    assert problems == []
    assert settings.base_url == settings.fim_base_url == "http://127.0.0.1:11434/v1"
    seen: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(str(request.url))
        chunk = {"choices": [{"index": 0, "text": "return a + b", "finish_reason": "stop"}]}
        return sse(f"data: {json.dumps(chunk)}\n\ndata: [DONE]\n\n")

    client = ModelClient(endpoint_config(settings), transport=httpx.MockTransport(handler))
    try:
        result = await client.fim(FimRequest(prompt="def add(a, b):\n    "), deadline_in(5))
    finally:
        await client.aclose()
    assert result.text == "return a + b"
    assert seen == ["http://127.0.0.1:11434/v1/completions"]


# -- who answers the model list: a server that loads models, or a proxy ----------------------------


def _listed(owned_by: str, *ids: str) -> dict[str, Any]:
    return {"object": "list", "data": [{"id": i, "object": "model", "created": 1, "owned_by": owned_by} for i in ids]}


@pytest.mark.parametrize(
    ("headers", "body", "loads"),
    [
        ({}, _listed("library", "qwen2.5-coder:7b"), True),  # Ollama
        ({}, {"object": "list", "data": [{"id": "hf.co/bartowski/Qwen2.5-Coder-7B-GGUF:Q4_K_M", "owned_by": "bartowski"}]}, True),
        ({}, _listed("organization_owner", "qwen2.5-coder-7b-instruct"), True),  # LM Studio
        ({}, _listed("llamacpp", "qwen2.5-coder-7b-q8_0.gguf"), True),  # llama.cpp's server
        ({}, _listed("openai", "openai/gpt-4o-mini", "codestral"), False),  # LiteLLM
        ({"x-litellm-version": "1.74.0"}, _listed("library", "qwen2.5-coder:7b"), False),
        ({}, _listed("vllm", "Qwen/Qwen2.5-Coder-7B"), False),  # loads at its own start
        ({}, {"object": "list", "data": []}, False),
        ({}, {"error": "Unexpected endpoint or method. (GET /models)"}, False),  # LM Studio, no /v1
    ],
    ids=["ollama", "ollama-hf", "lm-studio", "llama.cpp", "litellm", "litellm-headers", "vllm", "empty", "error"],
)
def test_a_server_loading_models_itself_is_told_from_a_proxy_by_its_model_list(
    headers: dict[str, str], body: Any, loads: bool
) -> None:
    assert loads_models(httpx.Headers(headers), body) is loads
