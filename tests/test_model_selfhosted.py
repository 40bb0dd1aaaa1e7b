"""Self-hosted and OpenAI-compatible servers as they really answer (llama.cpp, Ollama, vLLM,
reverse proxies), where their wire shapes differ from DeepSeek's: each case once broke what the
user saw. Shapes the fake server cannot produce come from an ``httpx.MockTransport``."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable

import httpx
import pytest

from deepseek_lsp.config import build_settings
from deepseek_lsp.model import (
    ChatRequest,
    EndpointConfig,
    FimRequest,
    MalformedResponse,
    ModelClient,
    ModelError,
    RequestError,
)
from deepseek_lsp.model.backends import get_backend
from deepseek_lsp.model.json_answer import load_json_answer
from deepseek_lsp.review.answer import parse_answer

CONTEXT_ERROR = {
    "code": 400,
    "message": "the request exceeds the available context size, try increasing it",
    "type": "exceed_context_size_error",
    "n_prompt_tokens": 5000,
    "n_ctx": 4096,
}


def deadline_in(seconds: float) -> float:
    return asyncio.get_running_loop().time() + seconds


def fim() -> FimRequest:
    return FimRequest(prompt="def add(a, b):\n    ", suffix="\n", max_tokens=16)


def review() -> ChatRequest:
    return ChatRequest(
        messages=[{"role": "user", "content": "Review; answer in json."}], json_mode=True
    )


def mock_client(
    answer: Callable[[httpx.Request], httpx.Response], **config: object
) -> tuple[ModelClient, list[httpx.Request]]:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return answer(request)

    settings: dict = {"base_url": "http://127.0.0.1:9", "api_key": "k", **config}
    return ModelClient(EndpointConfig(**settings), transport=httpx.MockTransport(handler)), seen


class Body(httpx.AsyncByteStream):
    """A body read as a network's is (``content=bytes`` is read at once, and the client's raw
    iteration would find it consumed)."""

    def __init__(self, data: bytes) -> None:
        self._data = data

    async def __aiter__(self):  # type: ignore[override]
        yield self._data


def answer(status: int, body: str | bytes, content_type: str) -> httpx.Response:
    data = body.encode() if isinstance(body, str) else body
    return httpx.Response(status, headers={"Content-Type": content_type}, stream=Body(data))


def sse(body: str) -> httpx.Response:
    return answer(200, body, "text/event-stream")


# -- llama.cpp sends a streamed error as an SSE `error:` field, not `data:` --------------------------


async def test_llamacpp_streamed_error_reaches_the_user_on_infill() -> None:
    """llama-server streams a failure after its 200 as ``error: {...}`` (server_sent_event(sink,
    "error", ...)) and, on /infill, ends the body. The user saw "sent an unusable answer (the
    stream ended before the answer was complete); it will be retried" at every keystroke, never
    that the prompt does not fit the server's context."""
    client, _ = mock_client(
        lambda _: sse(f"error: {json.dumps(CONTEXT_ERROR)}\n\n"), backend="llamacpp-infill"
    )
    try:
        with pytest.raises(ModelError) as info:
            await client.fim(fim(), deadline_in(5))
    finally:
        await client.aclose()
    assert not isinstance(info.value, MalformedResponse)
    assert "exceeds the available context size" in info.value.user_message
    assert info.value.user_message.startswith("llama.cpp at 127.0.0.1:9")  # not "DeepSeek"


async def test_llamacpp_streamed_error_on_chat_is_not_retried_as_a_blank_answer() -> None:
    """On /v1/chat/completions llama-server follows the ``error:`` event with ``data: [DONE]``:
    the review took it for a blank JSON answer, asked three times, and told the user the answer
    was unusable instead of what the server said."""
    body = f"error: {json.dumps(CONTEXT_ERROR)}\n\ndata: [DONE]\n\n"
    client, seen = mock_client(lambda _: sse(body), backend="llamacpp-infill")
    try:
        with pytest.raises(ModelError) as info:
            await client.chat_with_retry(review(), deadline_in(5), base_delay=0.01)
    finally:
        await client.aclose()
    assert isinstance(info.value, RequestError)  # the request is too big: asking again cannot help
    assert "exceeds the available context size" in info.value.user_message
    assert len(seen) == 1


# -- a chat model's JSON answer after prose or thinking --------------------------------------------

FINDING = {
    "line": 3,
    "severity": "warning",
    "confidence": 0.9,
    "message": "the loop never ends",
    "code": "while True:",
}
ANSWER = json.dumps({"findings": [FINDING], "summary": "one bug"})


@pytest.mark.parametrize(
    "text",
    [
        # Prose quoting code with braces before the object: the first brace was taken for the
        # answer, "{}" read as a complete review with no findings, and cached as such.
        f"The handler `on_event() {{}}` is empty, and the loop never ends. Here is the review:\n{ANSWER}",
        f"Checked `d = {{}}` and the loop.\n```json\n{ANSWER}\n```",
        # A reasoning model served without a reasoning parser (vLLM, llama.cpp) thinks in the
        # content, drafting JSON on the way.
        f'<think>\nThe format is {{"findings": []}}. Line 3 loops forever.\n</think>\n\n{ANSWER}',
    ],
)
def test_the_answer_object_is_found_after_prose_or_thinking(text: str) -> None:
    assert load_json_answer(text) == json.loads(ANSWER)
    parsed = parse_answer(text)
    assert parsed.usable
    assert [f.message for f in parsed.findings] == ["the loop never ends"]


def test_an_answer_cut_short_after_prose_is_salvaged_not_taken_as_empty() -> None:
    """``finish_reason: length`` mid-object: the complete findings are kept and the review is
    not cached as complete (the prose's "{}" was read as the whole, empty, answer)."""
    text = f'Checked `d = {{}}`.\n{{"findings": [{json.dumps(FINDING)}, {{"line": 4, "mess'
    assert load_json_answer(text) is None
    parsed = parse_answer(text)
    assert not parsed.usable
    assert [f.message for f in parsed.findings] == ["the loop never ends"]


# -- baseUrl written the OpenAI way, with /v1 -----------------------------------------------------


@pytest.mark.parametrize("base", ["https://api.deepseek.com/v1", "https://api.deepseek.com/v1/"])
def test_deepseek_base_with_v1_still_finds_the_beta_endpoints(base: str) -> None:
    """DeepSeek documents ``https://api.deepseek.com/v1`` as an alias of its base (what OpenAI
    clients are told to use) and its beta features at ``https://api.deepseek.com/beta``: with
    that baseUrl every completion went to /v1/beta/completions, a path DeepSeek does not serve."""
    config = EndpointConfig(base_url=base)
    call = get_backend("deepseek").fim(config, fim())
    assert call.url == "https://api.deepseek.com/beta/completions"
    chat_call = get_backend("deepseek").chat(config, review())
    assert chat_call.url == "https://api.deepseek.com/v1/chat/completions"  # as written
    prefix = get_backend("chat").fim(EndpointConfig(base_url=base, backend="chat"), fim())
    assert prefix.url == "https://api.deepseek.com/beta/chat/completions"
    settings, _ = build_settings({"baseUrl": base}, env={})
    assert settings.effective_fim_base_url == "https://api.deepseek.com/beta"  # what doctor shows


# -- a whole JSON answer where a stream was asked for -----------------------------------------------

COMPLETION = {
    "id": "cmpl-1",
    "object": "text_completion",
    "choices": [{"index": 0, "text": "return a + b", "finish_reason": "stop"}],
    "usage": {"prompt_tokens": 12, "completion_tokens": 4, "total_tokens": 16},
}


async def test_a_whole_json_answer_to_a_streamed_request_is_read() -> None:
    """A server (or a proxy in front of it) that does not stream answers the whole completion as
    ``application/json``: no ``data:`` line in it, so every completion failed with "the stream
    ended before the answer was complete" though the answer was there."""
    client, _ = mock_client(
        lambda _: answer(200, json.dumps(COMPLETION), "application/json; charset=utf-8"),
        backend="openai-suffix",
    )
    try:
        result = await client.fim(fim(), deadline_in(5))
    finally:
        await client.aclose()
    assert result.text == "return a + b"
    assert result.finish_reason == "stop"
    assert result.usage is not None and result.usage.prompt_tokens == 12


async def test_an_error_object_answered_with_200_to_a_streamed_request_is_told() -> None:
    body = {"error": {"message": "model 'qwen2.5-coder:7b' not found", "type": "api_error"}}
    client, _ = mock_client(
        lambda _: answer(200, json.dumps(body), "application/json"), backend="openai-suffix"
    )
    try:
        with pytest.raises(ModelError) as info:
            await client.fim(fim(), deadline_in(5))
    finally:
        await client.aclose()
    assert not isinstance(info.value, MalformedResponse)
    assert "not found" in info.value.user_message


# -- what an error status says ---------------------------------------------------------------------


async def test_a_server_error_tells_the_user_what_the_server_said() -> None:
    """Ollama answers 500 when the model does not fit in memory: the user read only "had a server
    error (500); it will be retried later" at every keystroke, and nothing said why (the log
    line for a failed completion is that same message)."""
    said = "model requires more system memory (9.9 GiB) than is available (5.3 GiB)"
    body = {"error": {"message": said, "type": "api_error", "param": None, "code": None}}
    client, _ = mock_client(
        lambda _: answer(500, json.dumps(body), "application/json"), backend="openai-suffix"
    )
    try:
        with pytest.raises(ModelError) as info:
            await client.fim(fim(), deadline_in(5))
    finally:
        await client.aclose()
    assert said in info.value.user_message


NGINX_404 = (
    "<html>\r\n<head><title>404 Not Found</title></head>\r\n<body>\r\n"
    "<center><h1>404 Not Found</h1></center>\r\n<hr><center>nginx/1.24.0</center>\r\n"
    "</body>\r\n</html>\r\n"
)


async def test_a_reverse_proxy_html_error_page_is_told_by_its_title() -> None:
    """A reverse proxy in front of the model server answers a wrong path (baseUrl without /v1)
    with its HTML page: the editor's message quoted the markup."""
    client, _ = mock_client(
        lambda _: answer(404, NGINX_404, "text/html"), backend="openai-suffix"
    )
    try:
        with pytest.raises(ModelError) as info:
            await client.fim(fim(), deadline_in(5))
    finally:
        await client.aclose()
    message = info.value.user_message
    assert "404 Not Found" in message
    assert "<" not in message and "nginx/1.24.0" not in message


async def test_a_404_points_at_the_base_url_and_model_not_the_backend() -> None:
    """A baseUrl written without /v1 (``http://localhost:11434``) answers 404: the user was told
    that a server without FIM suffix support needs another backend, and nothing of the base
    URL, which was what was wrong."""
    said = "404 page not found"  # Ollama's router
    message = (await _refused(404, said, "text/plain")).user_message
    assert said in message
    assert "/completions" in message and "baseUrl" in message and "/v1" in message
    assert "suffix support" not in message


@pytest.mark.parametrize(
    "said",
    [
        'model "qwen-coder" not found, try pulling it first',  # Ollama
        "model 'qwen-coder' not found",  # newer Ollama
        "The model `qwen-coder` does not exist.",  # vLLM
    ],
)
@pytest.mark.parametrize(("chat", "setting"), [(False, "completion.model"), (True, "review.model")])
async def test_a_404_for_a_model_the_server_does_not_have_says_so_and_pauses(
    said: str, chat: bool, setting: str
) -> None:
    """The server names the model it lacks: that is what to mend (pull it, or name another in
    the setting that named it), not the base URL nor the backend, and asking again at the next
    key mends nothing. Only requests for it pause: completions went on while reviews named a
    model the server lacks, which "AI features are paused" denied."""
    body = json.dumps({"object": "error", "message": said, "type": "NotFoundError", "code": 404})
    error = await _refused(404, body, "application/json", chat=chat)
    message = error.user_message
    assert said.rstrip(".") in message and "does not have that model" in message
    # A pull is what mends Ollama's (the model named); vLLM serves what it was started with.
    pull = "'ollama pull qwen-coder'" if "pull" in said or "'" in said else None
    assert (pull in message) if pull else ("pull" not in message.lower())
    assert f"set {setting}".lower() in message.lower() and "AI features" not in message
    assert "baseUrl" not in message and "suffix support" not in message and ".." not in message
    assert error.disables_feature and error.recheck_after_s is not None


async def _refused(status: int, body: str, content_type: str, *, chat: bool = False) -> RequestError:
    """The error an ``openai-suffix`` completion (a review: ``chat``) gets from a server
    answering ``body``."""
    client, _ = mock_client(lambda _: answer(status, body, content_type), backend="openai-suffix")
    try:
        with pytest.raises(RequestError) as info:
            await (client.chat(review(), deadline_in(5)) if chat else client.fim(fim(), deadline_in(5)))
    finally:
        await client.aclose()
    return info.value


@pytest.mark.parametrize(
    "said",
    [
        CONTEXT_ERROR["message"],  # llama.cpp
        "This model's maximum context length is 8192 tokens. However, you requested 9000 "
        "tokens (4904 in the messages, 4096 in the completion). Please reduce the length of "
        "the messages or completion.",  # vLLM
        "The input (5000 tokens) is longer than the model's context length (4096 tokens).",
    ],
)
async def test_a_prompt_over_the_context_says_what_to_change(said: str) -> None:
    """A review (4096 output tokens by default) or a completion that does not fit a self-hosted
    model's context (vLLM's --max-model-len, llama.cpp's -c) was told to check the model name and
    the backend setting, which were right: what to change is the context or the token limits."""
    body = json.dumps({"error": {"code": 400, "message": said, "type": "BadRequestError"}})
    client, _ = mock_client(
        lambda _: answer(400, body, "application/json"), backend="chat", api_key="sk-local-1234"
    )
    try:
        with pytest.raises(RequestError) as info:
            await client.chat_with_retry(review(), deadline_in(5), base_delay=0.01)
    finally:
        await client.aclose()
    message = info.value.user_message
    assert said in message
    assert "review.maxOutputTokens" in message and "--max-model-len" in message
    assert "suffix support" not in message



@pytest.mark.parametrize(
    ("said", "told"),
    [
        ("Input validation error: `inputs` tokens + `max_new_tokens` must be <= 8192. Given: "
         "9000 `inputs` tokens and 4096 `max_new_tokens`", "--max-total-tokens"),
        ("Input validation error: `inputs` must have less than 4096 tokens. Given: 5000",
         "--max-input-tokens"),
        ("The input token count (1100000) exceeds the maximum number of tokens allowed "
         "(1048576).", "another model"),
    ],
)
async def test_a_prompt_over_the_context_of_tgi_or_a_hosted_model_names_no_other_server_s_flags(
    said: str, told: str
) -> None:
    """text-generation-inference's limits are its --max-input-tokens and --max-total-tokens,
    and Gemini's context is no server's to start: each was told llama.cpp's -c and vLLM's
    --max-model-len, flags of servers the user does not run."""
    body = json.dumps({"error": {"code": 400, "message": said, "type": "BadRequestError"}})
    client, _ = mock_client(
        lambda _: answer(400, body, "application/json"), backend="chat", api_key="sk-local-1234"
    )
    try:
        with pytest.raises(RequestError) as info:
            await client.chat_with_retry(review(), deadline_in(5), base_delay=0.01)
    finally:
        await client.aclose()
    message = info.value.user_message
    assert said in message and told in message and "review.maxOutputTokens" in message
    assert "--max-model-len" not in message and "llama.cpp" not in message

NO_INFILL = {
    "error": {
        "code": 501,
        "message": "Infill is not supported by this model: prefix token is missing. ",
        "type": "not_supported_error",
    }
}


async def test_a_model_without_fim_tokens_is_told_as_a_setting_to_change_not_retried() -> None:
    """llama-server answers /infill with 501 for a model without FIM tokens (an instruct model):
    the user read "had a server error (501) ...; it will be retried later", and a review sent
    there was asked three times, though only another backend or model can help."""
    client, seen = mock_client(
        lambda _: answer(501, json.dumps(NO_INFILL), "application/json"),
        backend="llamacpp-infill",
    )
    try:
        with pytest.raises(RequestError) as info:
            await client.fim(fim(), deadline_in(5))
        with pytest.raises(RequestError):
            await client.chat_with_retry(review(), deadline_in(5), base_delay=0.01)
    finally:
        await client.aclose()
    message = info.value.user_message
    assert "Infill is not supported by this model" in message
    assert "retried" not in message and "backend setting" in message
    assert len(seen) == 2  # one completion, one review: neither asked again


# -- strict OpenAI-compatible endpoints refuse stream_options ---------------------------------------

STRICT_422 = {
    "detail": [
        {
            "type": "extra_forbidden",
            "loc": ["body", "stream_options"],
            "msg": "Extra inputs are not permitted",
            "input": {"include_usage": True},
        }
    ]
}


def strict_server(request: httpx.Request) -> httpx.Response:
    body = json.loads(request.content)
    if "stream_options" in body:
        return answer(422, json.dumps(STRICT_422), "application/json")
    if "messages" in body:
        content = '{"findings": []}' if "response_format" in body else "return a + b"
        chunk = {"choices": [{"index": 0, "delta": {"content": content}, "finish_reason": "stop"}]}
    else:
        chunk = {"choices": [{"index": 0, "text": "return a + b", "finish_reason": "stop"}]}
    return sse(f"data: {json.dumps(chunk)}\n\ndata: [DONE]\n\n")  # and no usage: none was asked


@pytest.mark.parametrize("backend", ["openai-suffix", "fim-template", "chat"])
async def test_an_endpoint_refusing_stream_options_still_completes_and_reviews(
    backend: str, tmp_path
) -> None:
    """Pydantic-strict OpenAI-compatible servers (FastAPI with ``extra="forbid"``, Azure's
    serverless endpoints, older vLLM) answer 422 to the ``stream_options`` the client adds for
    usage: every completion and every review failed ("rejected the request (422)") while the
    same requests without it work. Usage is then estimated, as for any server that reports none."""
    from deepseek_lsp.model import Ledger

    ledger = Ledger(tmp_path / "usage.sqlite3")
    client, seen = mock_client(strict_server, backend=backend, fim_template="qwen2.5-coder")
    client.ledger = ledger
    try:
        first = await client.fim(fim(), deadline_in(5))
        second = await client.fim(fim(), deadline_in(5))
        reviewed = await client.chat(review(), deadline_in(5))
    finally:
        await client.aclose()
        summary = ledger.summary()
        ledger.close()
    assert first.text == second.text == "return a + b"
    assert reviewed.text == '{"findings": []}'
    # Refused once, then left out: not one refused request per keystroke.
    sent = [json.loads(r.content) for r in seen]
    assert ["stream_options" in b for b in sent] == [True, False, False, False]
    assert summary["today"]["total"]["requests"] == 3
