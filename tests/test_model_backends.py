"""Each backend profile against the fake speaking its dialect; request shapes asserted on the
recorded requests."""

from __future__ import annotations

import asyncio

import pytest

from deepseek_lsp.model import ChatRequest, ConfigError, EndpointConfig, FimRequest, ModelClient
from deepseek_lsp.model.backends import FIM_TEMPLATES, get_backend, render_fim_template
from tests.fake_deepseek import DEFAULT_KEY, FakeDeepSeek

PREFIX = "def add(a, b):\n    "
SUFFIX = "\n\nprint(add(1, 2))\n"


def deadline_in(seconds: float) -> float:
    return asyncio.get_running_loop().time() + seconds


def fim_req(**kw: object) -> FimRequest:
    base: dict = {
        "prompt": PREFIX,
        "suffix": SUFFIX,
        "max_tokens": 32,
        "stop": ["\n\n"],
        "temperature": 0.1,
    }
    base.update(kw)
    return FimRequest(**base)


async def run_fim(fake: FakeDeepSeek, config: EndpointConfig, req: FimRequest | None = None):
    async with ModelClient(config) as client:
        result = await client.fim(req or fim_req(), deadline_in(5))
    return result, fake.requests[-1]


async def run_chat(fake: FakeDeepSeek, config: EndpointConfig, req: ChatRequest):
    async with ModelClient(config) as client:
        result = await client.chat(req, deadline_in(5))
    return result, fake.requests[-1]


def review(**kw: object) -> ChatRequest:
    return ChatRequest(messages=[{"role": "user", "content": "Reply in json: {}"}], **kw)  # type: ignore[arg-type]


# -- deepseek ---------------------------------------------------------------------------------------


async def test_deepseek_fim_shape(fake_deepseek: FakeDeepSeek) -> None:
    fake_deepseek.script("return a + b")
    config = EndpointConfig(base_url=fake_deepseek.url, api_key=DEFAULT_KEY)
    result, req = await run_fim(
        fake_deepseek, config, fim_req(max_tokens=10_000, model="deepseek-v4-flash")
    )
    assert result.text == "return a + b"
    assert req.path == "/beta/completions"
    assert req.json == {
        "model": "deepseek-v4-flash",
        "prompt": PREFIX,
        "suffix": SUFFIX,
        "max_tokens": 4096,  # FIM output is capped at 4K
        "temperature": 0.1,
        "stream": True,
        "stream_options": {"include_usage": True},
        "stop": ["\n\n"],
    }
    assert "thinking" not in req.json  # FIM is non-thinking only


async def test_deepseek_chat_shapes(fake_deepseek: FakeDeepSeek) -> None:
    config = EndpointConfig(base_url=fake_deepseek.url, api_key=DEFAULT_KEY)
    _, req = await run_chat(fake_deepseek, config, review(json_mode=True, max_tokens=500))
    assert req.path == "/chat/completions"
    assert req.json["thinking"] == {"type": "disabled"}
    assert req.json["response_format"] == {"type": "json_object"}
    assert req.json["stream"] is True and req.json["stream_options"] == {"include_usage": True}
    assert req.json["max_tokens"] == 500 and req.json["model"] == "deepseek-v4-pro"

    _, req = await run_chat(
        fake_deepseek, config, review(stream=False, thinking=True, reasoning_effort="high")
    )
    assert req.json["stream"] is False and "stream_options" not in req.json  # else a 400
    assert req.json["thinking"] == {"type": "enabled"}
    assert req.json["reasoning_effort"] == "high"
    assert "response_format" not in req.json


def test_deepseek_stop_list_is_bounded() -> None:
    config = EndpointConfig()
    call = get_backend("deepseek").fim(
        config, fim_req(stop=[str(i) for i in range(30)] + ["0", ""])
    )
    assert call.body["stop"] == [str(i) for i in range(16)]
    assert "stop" not in get_backend("deepseek").fim(config, fim_req(stop=[])).body


# -- openai-suffix ----------------------------------------------------------------------------------


async def test_openai_suffix(fake_deepseek: FakeDeepSeek) -> None:
    config = EndpointConfig(
        base_url=f"{fake_deepseek.url}/v1", api_key=DEFAULT_KEY, backend="openai-suffix"
    )
    result, req = await run_fim(fake_deepseek, config, fim_req(model="qwen2.5-coder:7b"))
    assert result.text
    assert req.path == "/v1/completions"
    assert req.json["prompt"] == PREFIX and req.json["suffix"] == SUFFIX
    assert req.json["model"] == "qwen2.5-coder:7b"
    assert "thinking" not in req.json

    _, req = await run_chat(fake_deepseek, config, review(model="qwen2.5-coder:7b"))
    assert req.path == "/v1/chat/completions"
    assert "thinking" not in req.json


# -- fim-template -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("template", "expected"),
    [
        ("deepseek-coder", f"<｜fim▁begin｜>{PREFIX}<｜fim▁hole｜>{SUFFIX}<｜fim▁end｜>"),
        ("qwen2.5-coder", f"<|fim_prefix|>{PREFIX}<|fim_suffix|>{SUFFIX}<|fim_middle|>"),
        ("starcoder2", f"<fim_prefix>{PREFIX}<fim_suffix>{SUFFIX}<fim_middle>"),
        ("codellama", f"<PRE> {PREFIX} <SUF>{SUFFIX} <MID>"),
    ],
)
async def test_fim_template(fake_deepseek: FakeDeepSeek, template: str, expected: str) -> None:
    config = EndpointConfig(
        base_url=f"{fake_deepseek.url}/v1",
        backend="fim-template",
        fim_template=template,
        api_key=DEFAULT_KEY,
    )
    result, req = await run_fim(fake_deepseek, config)
    assert result.text
    assert req.path == "/v1/completions"
    assert req.json["prompt"] == expected
    assert "suffix" not in req.json  # vLLM's /v1/completions has no suffix
    assert req.json["stop"][0] == "\n\n"
    assert set(FIM_TEMPLATES[template].stop) <= set(req.json["stop"])


@pytest.mark.parametrize(
    ("template", "marker"),
    [
        ("qwen2.5-coder", "<|fim_prefix|>"),
        ("qwen2.5-coder", "<|repo_name|>"),
        ("qwen2.5-coder", "<|im_end|>"),
        ("deepseek-coder", "<｜fim▁begin｜>"),
        ("deepseek-coder", "<|EOT|>"),
        ("starcoder2", "<fim_prefix>"),
        ("starcoder2", "<repo_name>"),
        ("codellama", "<PRE>"),
        ("<A>{prefix}<B>{suffix}<C>", "<A>"),
    ],
)
async def test_a_template_marker_the_model_writes_again_ends_the_suggestion(
    fake_deepseek: FakeDeepSeek, template: str, marker: str
) -> None:
    """Qwen2.5-Coder's and DeepSeek-Coder's FIM and repository markers are no special tokens:
    a model that starts a new FIM turn or file after its answer had the marker and the code after
    it (another file's, or the prefix again) shown in the suggestion."""
    fake_deepseek.script(f"return a + b{marker}import os\n")
    config = EndpointConfig(
        base_url=f"{fake_deepseek.url}/v1",
        backend="fim-template",
        fim_template=template,
        api_key=DEFAULT_KEY,
    )
    result, _ = await run_fim(fake_deepseek, config)
    assert result.text == "return a + b"


def test_custom_template_and_braces_in_code() -> None:
    template = "<A>{prefix}<B>{suffix}<C>"
    assert (
        render_fim_template(template, "x = '{suffix}'", "{prefix}")
        == "<A>x = '{suffix}'<B>{prefix}<C>"
    )
    config = EndpointConfig(
        base_url="http://localhost:8000/v1", backend="fim-template", fim_template=template
    )
    call = get_backend("fim-template").fim(config, fim_req(prompt="f({", suffix="})"))
    assert call.body["prompt"] == "<A>f({<B>})<C>"


def test_fim_template_is_required() -> None:
    with pytest.raises(ConfigError, match="fim_template"):
        EndpointConfig(base_url="http://localhost:8000/v1", backend="fim-template")
    with pytest.raises(ConfigError):
        EndpointConfig(
            base_url="http://localhost:8000/v1", backend="fim-template", fim_template="nope"
        )
    EndpointConfig(base_url="http://localhost:8000/v1", backend="fim-template", fim_template="Qwen")


# -- llama.cpp --------------------------------------------------------------------------------------


@pytest.mark.parametrize("suffix_path", ["", "/v1"])
async def test_llamacpp_infill(fake_deepseek: FakeDeepSeek, suffix_path: str) -> None:
    fake_deepseek.script("return a + b")
    config = EndpointConfig(
        base_url=f"{fake_deepseek.url}{suffix_path}", backend="llamacpp-infill", api_key=DEFAULT_KEY
    )
    req = fim_req(extra=[("util.py", "def sub(a, b):\n    return a - b\n")], max_tokens=20)
    result, rec = await run_fim(fake_deepseek, config, req)
    assert rec.path == "/infill"
    assert rec.json == {
        "input_prefix": PREFIX,
        "input_suffix": SUFFIX,
        "input_extra": [{"filename": "util.py", "text": "def sub(a, b):\n    return a - b\n"}],
        "n_predict": 20,
        "temperature": 0.1,
        "stream": True,
        "cache_prompt": True,
        "stop": ["\n\n"],
    }
    assert result.text == "return a + b"
    assert result.finish_reason == "stop"
    assert result.usage is not None
    assert result.usage.prompt_tokens == rec.usage["prompt_tokens"]  # type: ignore[index]


async def test_llamacpp_usage_from_timings_and_limit(fake_deepseek: FakeDeepSeek) -> None:
    config = EndpointConfig(
        base_url=fake_deepseek.url, backend="llamacpp-infill", api_key=DEFAULT_KEY
    )
    long_prefix = "x" * 2000
    fake_deepseek.script("y" * 100, "y" * 100)
    async with ModelClient(config) as client:
        await client.fim(fim_req(prompt=long_prefix, max_tokens=5), deadline_in(5))
        result = await client.fim(fim_req(prompt=long_prefix, max_tokens=5), deadline_in(5))
    assert result.finish_reason == "length"  # llama.cpp stop_type "limit"
    assert result.usage is not None and result.usage.cache_hit_tokens >= 448
    assert (
        result.usage.cache_hit_tokens + result.usage.cache_miss_tokens == result.usage.prompt_tokens
    )


async def test_llamacpp_chat_path(fake_deepseek: FakeDeepSeek) -> None:
    config = EndpointConfig(
        base_url=fake_deepseek.url, backend="llamacpp-infill", api_key=DEFAULT_KEY
    )
    _, rec = await run_chat(fake_deepseek, config, review())
    assert rec.path == "/v1/chat/completions"


async def test_llamacpp_with_separate_fim_and_chat_servers(fake_deepseek: FakeDeepSeek) -> None:
    """One model per llama-server: completions to fimBaseUrl's, reviews to baseUrl's (they
    went to the FIM server)."""
    with FakeDeepSeek() as fim_server:
        config = EndpointConfig(
            base_url=fake_deepseek.url,
            fim_base_url=fim_server.url,
            backend="llamacpp-infill",
            api_key=DEFAULT_KEY,
        )
        async with ModelClient(config) as client:
            await client.chat(review(), deadline_in(5))
            await client.fim(fim_req(), deadline_in(5))
        assert [r.path for r in fake_deepseek.requests] == ["/v1/chat/completions"]
        assert [r.path for r in fim_server.requests] == ["/infill"]
        # Only fimBaseUrl set (baseUrl left at DeepSeek's): reviews stay on the user's server.
        only_fim = EndpointConfig(fim_base_url=fim_server.url, backend="llamacpp-infill", api_key=DEFAULT_KEY)
        assert only_fim.is_deepseek
        assert get_backend("llamacpp-infill").chat(only_fim, review()).url == f"{fim_server.url}/v1/chat/completions"


# -- chat-only --------------------------------------------------------------------------------------


async def test_chat_backend_plain_instruction(fake_deepseek: FakeDeepSeek) -> None:
    fake_deepseek.script("```python\nreturn a + b\n```")
    config = EndpointConfig(base_url=fake_deepseek.url, backend="chat", api_key=DEFAULT_KEY)
    result, rec = await run_fim(fake_deepseek, config)
    assert result.from_chat
    assert result.text == "```python\nreturn a + b\n```"  # fences are post-processing's job
    assert rec.path == "/chat/completions"
    messages = rec.json["messages"]
    assert [m["role"] for m in messages] == ["system", "user"]
    assert f"{PREFIX}<CURSOR>{SUFFIX}" in messages[1]["content"]
    assert "thinking" not in rec.json  # not a DeepSeek host
    assert rec.json["stream"] is True


async def test_chat_backend_prefix_completion(fake_deepseek: FakeDeepSeek) -> None:
    config = EndpointConfig(
        base_url=fake_deepseek.url, backend="chat", chat_prefix=True, api_key=DEFAULT_KEY
    )
    result, rec = await run_fim(fake_deepseek, config)
    assert result.from_chat and result.text
    assert rec.path == "/beta/chat/completions"
    last = rec.json["messages"][-1]
    assert last == {"role": "assistant", "content": PREFIX, "prefix": True}
    assert SUFFIX in rec.json["messages"][1]["content"]


def test_chat_backend_on_deepseek_uses_prefix_and_disables_thinking() -> None:
    config = EndpointConfig(backend="chat")
    assert config.use_chat_prefix and config.fim_base == "https://api.deepseek.com/beta"
    call = get_backend("chat").fim(config, fim_req())
    assert call.url == "https://api.deepseek.com/beta/chat/completions"
    assert call.body["thinking"] == {"type": "disabled"}
    assert call.from_chat
