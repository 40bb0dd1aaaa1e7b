"""The API key goes only to the server it is meant for: with reviews at DeepSeek and completions
on a server of one's own (``fimBaseUrl``: a teammate's vLLM, a local Ollama), the DeepSeek key
was sent to that server as ``Authorization: Bearer``. A completion server that wants a key of its
own gets ``fimApiKey`` (``DEEPSEEK_FIM_API_KEY``)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from deepseek_lsp.config import Settings
from tests.fake_deepseek import DEFAULT_KEY, FakeDeepSeek
from tests.harness import server_env
from tests.raw_lsp import RawServer
from tests.test_lifecycle_in_flight import open_doc

LOCAL_MODEL = "qwen2.5-coder:7b"
URI = "file:///ws/a.py"
FIM_KEY = "sk-local-vllm-5f2a9c"
PROXY_VARS = ("ALL_PROXY", "HTTPS_PROXY", "HTTP_PROXY", "NO_PROXY", "all_proxy", "https_proxy", "http_proxy", "no_proxy")


@pytest.fixture
def local_server() -> Iterator[FakeDeepSeek]:
    """The completion server of one's own, taking any key or none (Ollama's way)."""
    with FakeDeepSeek(api_key=None) as fake:
        fake.server = "ollama"
        fake.models = [LOCAL_MODEL]
        yield fake


def split_env(deepseek: FakeDeepSeek, local: FakeDeepSeek, tmp_path: Path, **extra: str) -> dict[str, str]:
    """Reviews at api.deepseek.com (the fake ``deepseek``, reached as the environment's proxy),
    completions at ``local``'s server (loopback: reached directly)."""
    env = {k: v for k, v in server_env("http://api.deepseek.com", api_key=DEFAULT_KEY).items() if k not in PROXY_VARS}
    env.update(
        HTTP_PROXY=deepseek.url,
        DEEPSEEK_ALLOW_HTTP="true",
        DEEPSEEK_FIM_BASE_URL=f"{local.url}/v1",
        DEEPSEEK_COMPLETION_MODEL=LOCAL_MODEL,
        DEEPSEEK_LSP_STATE_DIR=str(tmp_path),
        **extra,
    )
    return env


def completed_once(env: dict[str, str], *, pop_up: bool = True) -> RawServer:
    """A server process that answered one completion at a body line (and showed its pop-up,
    with ``pop_up``), stopped: its messages and stderr are there to read. Forked from the
    zygote (a new interpreter's start was most of each test): the keys, URLs and proxy are
    read from the environment the child is given, after the imports."""
    server = RawServer(env, forked=True)
    try:
        server.initialize()
        open_doc(server, URI, "def add(a, b):\n    ")
        at = {"textDocument": {"uri": URI}, "position": {"line": 1, "character": 4}}
        server.call("textDocument/completion", at, timeout=20)
        if pop_up:
            server.wait_for("window/showMessage", timeout=20)
            server.call("deepseek/debugState")  # after whatever the completion popped up
    finally:
        server.kill()
    return server


@pytest.mark.parametrize("fim_key", [None, FIM_KEY])
def test_the_deepseek_key_never_reaches_the_completion_server_on_another_host(
    fake_deepseek: FakeDeepSeek, local_server: FakeDeepSeek, tmp_path: Path, fim_key: str | None
) -> None:
    """Reviews at api.deepseek.com (the fake, reached as the environment's proxy), completions
    at a server on another host: its completion requests carried the DeepSeek key. Now they
    carry none, or the completion server's own key when fimApiKey is set."""
    env = split_env(fake_deepseek, local_server, tmp_path, DEEPSEEK_BACKEND="openai-suffix")
    if fim_key:
        env["DEEPSEEK_FIM_API_KEY"] = fim_key
        local_server.api_key = fim_key  # only its own key is taken now
    local_server.script("return a + b", path="/v1/completions")
    server = completed_once(env, pop_up=False)
    completions = local_server.requests_to("/v1/completions")
    assert completions, "no completion request reached the completion server"
    for request in local_server.requests:
        assert request.authorized
        assert ("authorization" in request.headers) == bool(fim_key), request.path
    assert DEFAULT_KEY.encode() not in server.stderr


def test_a_completion_server_wanting_its_own_key_says_to_set_fim_api_key(
    fake_deepseek: FakeDeepSeek, local_server: FakeDeepSeek, tmp_path: Path
) -> None:
    """Its 401, now that the DeepSeek key no longer goes there, named the DeepSeek key as
    rejected (a key that was right, and was never sent): it names fimApiKey."""
    local_server.api_key = FIM_KEY  # a vLLM started with --api-key
    server = completed_once(split_env(fake_deepseek, local_server, tmp_path, DEEPSEEK_BACKEND="openai-suffix"))
    shown = [m["params"]["message"] for m in server.messages if m.get("method") == "window/showMessage"]
    assert any("fimApiKey" in message and "401" in message for message in shown), shown
    assert not any("rejected the API key" in message for message in shown), shown
    assert all(DEFAULT_KEY not in message and FIM_KEY not in message for message in shown)


KEY, OTHER = "sk-deepseek-0123456789", "sk-own-server-42"


@pytest.mark.parametrize(
    ("settings", "url", "expected"),
    [
        # Both at DeepSeek (the default FIM base, or fimBaseUrl on DeepSeek too).
        ({}, "https://api.deepseek.com/beta/completions", KEY),
        ({"fim_base_url": "https://api.deepseek.com/beta"}, "https://api.deepseek.com/beta/completions", KEY),
        # Reviews at DeepSeek, completions elsewhere: the DeepSeek key stays at DeepSeek.
        ({"fim_base_url": "http://10.0.0.5:8000/v1"}, "http://10.0.0.5:8000/v1/completions", None),
        ({"fim_base_url": "http://10.0.0.5:8000/v1"}, "https://api.deepseek.com/chat/completions", KEY),
        ({"fim_base_url": "http://10.0.0.5:8000/v1", "fim_api_key": OTHER}, "http://10.0.0.5:8000/v1/completions", OTHER),
        ({"fim_base_url": "http://10.0.0.5:8000/v1", "fim_api_key": OTHER}, "https://api.deepseek.com/chat/completions", KEY),
        # The other way round: completions at DeepSeek, reviews on a server of one's own.
        ({"base_url": "http://localhost:11434/v1", "fim_base_url": "https://api.deepseek.com/beta"}, "http://localhost:11434/v1/chat/completions", None),
        ({"base_url": "http://localhost:11434/v1", "fim_base_url": "https://api.deepseek.com/beta"}, "https://api.deepseek.com/beta/completions", KEY),
        # llama-server for both with baseUrl left at DeepSeek's: no DeepSeek key to it.
        ({"backend": "llamacpp-infill", "fim_base_url": "http://10.0.0.5:8080"}, "http://10.0.0.5:8080/v1/chat/completions", None),
        # Self-hosted both, the same host (ports apart): the key is that host's, kept.
        ({"base_url": "https://llm.corp:8443/v1", "fim_base_url": "https://llm.corp:8444/v1"}, "https://llm.corp:8444/v1/completions", KEY),
        ({"base_url": "http://localhost:8000/v1", "fim_base_url": "http://127.0.0.1:8001/v1"}, "http://127.0.0.1:8001/v1/completions", KEY),
        ({"base_url": "https://LLM.corp./v1", "fim_base_url": "https://llm.corp/v1"}, "https://llm.corp/v1/completions", KEY),
        # Self-hosted both, other hosts: the key is baseUrl's server's.
        ({"base_url": "https://gateway.corp/v1", "fim_base_url": "https://gpu.lab/v1"}, "https://gpu.lab/v1/completions", None),
        ({"base_url": "https://gateway.corp/v1", "fim_base_url": "https://gpu.lab/v1"}, "https://gateway.corp/v1/chat/completions", KEY),
        # A proxy in front of DeepSeek as baseUrl (its FIM under it): the key is the proxy's.
        ({"base_url": "https://proxy.corp/deepseek"}, "https://proxy.corp/deepseek/beta/completions", KEY),
        # A host that merely ends in deepseek.com is not DeepSeek's.
        ({"fim_base_url": "https://notdeepseek.com/v1"}, "https://notdeepseek.com/v1/completions", None),
    ],
)
def test_each_request_carries_the_key_of_its_own_server(settings: dict[str, str], url: str, expected: str | None) -> None:
    from dataclasses import replace

    from deepseek_lsp.model.auth import key_for

    chosen = replace(Settings(api_key=KEY), **settings)
    assert key_for(url, chosen.base_url, chosen.fim_base_url, chosen.api_key, chosen.fim_api_key) == expected


@pytest.mark.parametrize(("fim_key", "wrong"), [(None, False), (FIM_KEY, False), ("sk-wrong-local-777", True)])
def test_doctor_says_which_key_goes_where_without_showing_it(
    fake_deepseek: FakeDeepSeek,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    fim_key: str | None,
    wrong: bool,
) -> None:
    """Doctor checked the completion server with the DeepSeek key too; it now sends each server
    its own key, says which, and tells a server that wants a key when none goes there."""
    from tests.test_cli import doctor

    with FakeDeepSeek(api_key=FIM_KEY) as local:  # a vLLM started with --api-key
        local.server, local.models = "vllm", [LOCAL_MODEL]
        env = split_env(fake_deepseek, local, tmp_path, DEEPSEEK_BACKEND="fim-template", DEEPSEEK_FIM_TEMPLATE="qwen2.5-coder")
        if fim_key:
            env["DEEPSEEK_FIM_API_KEY"] = fim_key
        for name in PROXY_VARS:
            monkeypatch.delenv(name, raising=False)
        monkeypatch.setenv("HTTP_PROXY", fake_deepseek.url)
        _, out, _ = doctor(monkeypatch, capsys, env)
        sent = [r for r in local.requests if "authorization" in r.headers]
    assert DEFAULT_KEY not in out and FIM_KEY not in out
    keys = next(line for line in out.splitlines() if line.startswith("keys: "))
    assert "apiKey to api.deepseek.com:80" in keys
    port = local.url.rsplit(":", 1)[1]
    if wrong:
        assert fim_key and fim_key not in out
        assert f"fimApiKey to 127.0.0.1:{port}" in keys and "rejected the API key (401): check fimApiKey" in out
    elif fim_key:
        assert f"fimApiKey to 127.0.0.1:{port}" in keys
        assert sent and all(r.authorized for r in sent)
    else:
        assert f"no key to 127.0.0.1:{port}" in keys and "fimApiKey" in keys
        assert sent == []
        assert "asks for a key (401), and none is sent there" in out


def test_fim_api_key_is_read_from_the_environment_checked_and_never_shown() -> None:
    from deepseek_lsp.config import build_settings

    settings, problems = build_settings(env={"DEEPSEEK_FIM_API_KEY": f" {OTHER}\r\n"})
    assert settings.fim_api_key == OTHER and problems == []  # a CRLF .env file's line break dropped
    assert OTHER not in repr(settings) and OTHER not in str(settings.masked())

    bad = "sk-own server-42"
    settings, problems = build_settings({"fimApiKey": bad}, env={"DEEPSEEK_FIM_API_KEY": OTHER})
    assert settings.fim_api_key == OTHER  # the one below kept
    assert len(problems) == 1 and "fimApiKey" in problems[0] and bad not in problems[0]

    _, problems = build_settings(env={"DEEPSEEK_FIM_API_KEY": bad})
    assert problems and problems[0].startswith("DEEPSEEK_FIM_API_KEY: ") and bad not in problems[0]
    _, problems = build_settings({"fimApiKey": 42})
    assert problems and "42" not in problems[0] and "(hidden)" in problems[0]


def test_a_completion_server_rejecting_its_own_key_names_it_and_never_shows_it(
    fake_deepseek: FakeDeepSeek, local_server: FakeDeepSeek, tmp_path: Path
) -> None:
    """fimApiKey rejected, by a server echoing it back: the pop-up named the DeepSeek key, and
    only that key was scrubbed from what the server said."""
    local_server.api_key = FIM_KEY
    local_server.fault("status", count=None, path="/v1/completions", status=401, message=f"invalid key {FIM_KEY}")
    env = split_env(fake_deepseek, local_server, tmp_path, DEEPSEEK_BACKEND="openai-suffix", DEEPSEEK_FIM_API_KEY=FIM_KEY)
    server = completed_once(env)
    said = [str(m.get("params")) for m in server.messages if m.get("method")]
    shown = [m["params"]["message"] for m in server.messages if m.get("method") == "window/showMessage"]
    assert any("fimApiKey" in message and "rejected the completion server's key" in message for message in shown), shown
    assert not any(FIM_KEY in text or DEFAULT_KEY in text for text in said)
    assert FIM_KEY.encode() not in server.stderr


async def test_an_error_echoing_the_completion_servers_key_says_it_scrubbed(local_server: FakeDeepSeek) -> None:
    """Only ``apiKey`` was scrubbed from what a server or a transport error said; a server
    echoing fimApiKey back put it in the error the status and the pop-up show."""
    import asyncio

    from deepseek_lsp.model import EndpointConfig, ModelClient, errors
    from deepseek_lsp.model.types import ChatRequest

    local_server.api_key = FIM_KEY
    local_server.fault("status", count=None, path="/v1/chat/completions", status=401, message=f"invalid key {FIM_KEY}")
    url = f"{local_server.url}/v1"
    client = ModelClient(EndpointConfig(base_url=url, fim_base_url=url, backend="openai-suffix", fim_api_key=FIM_KEY))
    try:
        with pytest.raises(errors.AuthenticationError) as came:
            question = ChatRequest(messages=[{"role": "user", "content": "hi"}], model=LOCAL_MODEL)
            await client.chat(question, asyncio.get_running_loop().time() + 5)
    finally:
        await client.aclose()
    assert local_server.requests_to("/v1/chat/completions")[0].authorized  # its own key went
    error = came.value
    assert "fimApiKey" in error.user_message
    assert all(FIM_KEY not in text for text in (error.user_message, str(error), error.provider_message or ""))


def test_doctor_names_no_deepseek_key_where_llama_server_takes_every_request(
    local_server: FakeDeepSeek,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """llama-server for both (``llamacpp-infill``, only ``fimBaseUrl`` set): nothing goes to
    DeepSeek, yet doctor's keys line said ``apiKey to api.deepseek.com:443``, as if the key were
    sent there."""
    from tests.test_cli import doctor

    local_server.server = "llamacpp"
    env = {k: v for k, v in server_env(None, api_key=DEFAULT_KEY).items() if k not in PROXY_VARS}
    env.update(DEEPSEEK_BACKEND="llamacpp-infill", DEEPSEEK_FIM_BASE_URL=local_server.url, DEEPSEEK_LSP_STATE_DIR=str(tmp_path))
    env.pop("DEEPSEEK_BASE_URL", None)
    _, out, _ = doctor(monkeypatch, capsys, env)
    keys = next(line for line in out.splitlines() if line.startswith("keys: "))
    port = local_server.url.rsplit(":", 1)[1]
    assert "deepseek.com" not in keys, keys
    assert f"no key to 127.0.0.1:{port}" in keys and "fimApiKey" in keys, keys
