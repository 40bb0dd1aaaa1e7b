"""A self-hosted server's 404s as each server sends them (the fake answers in their words, see
SERVER_404S): a path it does not serve (a base URL without /v1) and a model it does not have
pause the requests and say what to change, each its own way."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from deepseek_lsp.model import EndpointConfig, ModelClient, errors
from tests.completing import Completing, warmed_up
from tests.fake_deepseek import DEFAULT_KEY, FakeDeepSeek
from tests.selfhosted_stdio import complete, pop_ups, started
from tests.test_selfhosted_answers import lmstudio_unknown_path

pytestmark = pytest.mark.usefixtures("state_dir")  # usage and caches in the test's own folder

LOCAL_MODEL = "qwen2.5-coder:7b"


@pytest.mark.parametrize(
    ("server", "backend", "said"),
    [
        ("ollama", "openai-suffix", "404 page not found"),  # gin's router
        ("vllm", "fim-template", "Not Found"),  # FastAPI's {"detail": "Not Found"}
    ],
)
async def test_a_base_url_without_v1_pauses_completions_and_names_the_url_to_set(
    fake_deepseek: FakeDeepSeek, monkeypatch: pytest.MonkeyPatch, server: str, backend: str, said: str
) -> None:
    """``http://127.0.0.1:11434`` for Ollama's OpenAI API (it serves it under /v1): every key
    sent a completion that met the same 404, told once as "has no /completions, or not that
    model" with a generic example URL. Now completions pause as for a model the server lacks,
    and the message names the URL to write, this server's own with /v1."""
    monkeypatch.setattr(errors.PathNotFoundError, "recheck_after_s", 0.5)
    fake_deepseek.server, fake_deepseek.models = server, [LOCAL_MODEL]
    f = Completing(fake_deepseek, debounce=0, prefetch=False, cache=False, model=LOCAL_MODEL)
    try:
        f.configure(backend=backend, base_url=fake_deepseek.url)
        doc = f.open("file:///ws/a.py", "def add(a, b):\n    ")
        for _ in range(3):
            assert await f.inline(doc.uri, 1, 4) == []
        assert len(fake_deepseek.requests_to("/completions")) == 1
        status = f.services.status.current
        assert status.kind == "Error"
        assert f"{fake_deepseek.url}/v1" in status.message and said in status.message
        assert "not that model" not in status.message and "paused" in status.message
        assert f.shown == [status.message]
        assert all(DEFAULT_KEY not in m for m in [*f.shown, status.message])

        await asyncio.sleep(0.6)  # a minute later: one request tells whether it still is so
        assert await f.inline(doc.uri, 1, 4) == []
        assert await f.inline(doc.uri, 1, 4) == []
        assert len(fake_deepseek.requests_to("/completions")) == 2

        f.configure(base_url=f"{fake_deepseek.url}/v1")  # as told: the pause ends at once
        fake_deepseek.script("return a + b", path="/v1/completions")
        assert await f.inline(doc.uri, 1, 4) == ["return a + b"]
        assert f.services.status.current.kind == "Normal"
    finally:
        await f.stop()


@pytest.mark.parametrize("suffix", ["", "/v1"])
async def test_the_deepseek_backend_at_another_server_is_told_to_set_the_backend(
    fake_deepseek: FakeDeepSeek, suffix: str
) -> None:
    """Ollama's address set as baseUrl, the backend left at deepseek: completions ask DeepSeek's
    /beta/completions there, a 404, and the pop-up said 'Set baseUrl ... to http://host/beta/v1'
    (with /v1 written: .../v1/beta/v1), a base under which the backend asks /beta again. It
    names the backend to set and the base URL with /v1 alone."""
    fake_deepseek.server, fake_deepseek.models = "ollama", [LOCAL_MODEL]
    f = Completing(fake_deepseek, debounce=0, prefetch=False, cache=False, model=LOCAL_MODEL)
    try:
        f.configure(backend="deepseek", base_url=fake_deepseek.url + suffix)
        doc = f.open("file:///ws/a.py", "def add(a, b):\n    ")
        for _ in range(2):
            assert await f.inline(doc.uri, 1, 4) == []
        assert fake_deepseek.requests_to(f"{suffix}/beta/completions")
        message = f.services.status.current.message
        assert f.services.status.current.kind == "Error" and f.shown == [message]
        assert "/beta/v1" not in message, message
        assert f"baseUrl to {fake_deepseek.url}/v1," in message and "openai-suffix" in message
    finally:
        await f.stop()


@pytest.mark.parametrize("invoked", [False, True], ids=["typing", "explicit-3-choices"])
async def test_a_proxy_s_passing_404_does_not_pause_completions(
    fake_deepseek: FakeDeepSeek, invoked: bool
) -> None:
    """A reverse proxy answering 404 for a moment (a backend being replaced) to a server whose
    model list answered at start: the 404 paused completions for a minute, a pop-up and no
    suggestion though the next request would have been answered. The base URL is right (its
    model list says so): the next key asks again and its suggestion is shown. An explicit
    request's 3 choices meet it at once: one 404, not three in a row."""
    fake_deepseek.models, fake_deepseek.owned_by = [LOCAL_MODEL], "vllm"  # no load sent
    refused = 3 if invoked else 1
    fake_deepseek.fault("status", count=refused, path="/v1/completions", status=404, message="Not Found")
    fake_deepseek.script("return a + b", path="/v1/completions")
    f = Completing(fake_deepseek, debounce=0, prefetch=False, cache=False, model=LOCAL_MODEL)
    try:
        f.configure(backend="openai-suffix", base_url=f"{fake_deepseek.url}/v1")
        assert f.usage._warming is not None and await f.usage._warming
        doc = f.open("file:///ws/a.py", "def add(a, b):\n    ")
        assert await f.inline(doc.uri, 1, 4, invoked=invoked) == []
        assert f.services.status.current.kind == "Warning"
        assert await f.inline(doc.uri, 1, 4) == ["return a + b"]
        assert len(fake_deepseek.requests_to("/v1/completions")) == refused + 1
        assert f.services.status.current.kind == "Normal" and f.shown == []
    finally:
        await f.stop()


async def test_a_passing_404_at_the_warm_up_is_forgotten_once_a_request_is_answered(
    fake_deepseek: FakeDeepSeek,
) -> None:
    """The proxy's 404 of a moment met the warm-up's model list: taken for the base URL's,
    every later passing 404 paused completions though requests there had been answered."""
    fake_deepseek.models, fake_deepseek.owned_by = [LOCAL_MODEL], "vllm"
    fake_deepseek.fault("status", count=1, path="/v1/models", status=404, message="Not Found")
    fake_deepseek.script("return a + b", path="/v1/completions")
    f = Completing(fake_deepseek, debounce=0, prefetch=False, cache=False, model=LOCAL_MODEL)
    try:
        f.configure(backend="openai-suffix", base_url=f"{fake_deepseek.url}/v1")
        assert f.usage._warming is not None and await f.usage._warming
        doc = f.open("file:///ws/a.py", "def add(a, b):\n    ")
        assert await f.inline(doc.uri, 1, 4) == ["return a + b"]
        fake_deepseek.fault("status", count=1, path="/v1/completions", status=404, message="Not Found")
        assert await f.inline(doc.uri, 1, 4) == []
        assert f.services.status.current.kind == "Warning" and f.shown == []
        assert await f.inline(doc.uri, 1, 4) == ["return a + b"]
    finally:
        await f.stop()


async def test_the_same_404_twice_at_a_base_whose_model_list_answers_pauses(
    fake_deepseek: FakeDeepSeek,
) -> None:
    """The other side: a server that lists its models but serves no /completions (a gateway
    with chat only) meets every key with the same 404: the second in a row pauses completions,
    with one pop-up, and the third key sends nothing."""
    fake_deepseek.models, fake_deepseek.owned_by = [LOCAL_MODEL], "vllm"
    fake_deepseek.fault("status", count=None, path="/v1/completions", status=404, message="Not Found")
    f = await warmed_up(fake_deepseek, LOCAL_MODEL, "openai-suffix")
    try:
        doc = f.open("file:///ws/a.py", "def add(a, b):\n    ")
        for _ in range(4):
            assert await f.inline(doc.uri, 1, 4) == []
        assert len(fake_deepseek.requests_to("/v1/completions")) == 2
        status = f.services.status.current
        assert status.kind == "Error" and "paused" in status.message and "/v1/completions" in status.message
        assert f.shown == [status.message]
    finally:
        await f.stop()


async def test_llama_server_s_404_for_a_path_pauses_without_the_v1_advice(
    fake_deepseek: FakeDeepSeek,
) -> None:
    """llamacpp-infill asks /infill at the server's root (a /v1 is dropped): a fimBaseUrl with
    another path meets llama-server's "File Not Found", and /v1 would not mend it."""
    fake_deepseek.server, fake_deepseek.models = "llamacpp", [LOCAL_MODEL]
    f = Completing(fake_deepseek, debounce=0, prefetch=False, cache=False, model=LOCAL_MODEL)
    try:
        f.configure(backend="llamacpp-infill", fim_base_url=f"{fake_deepseek.url}/llama")
        doc = f.open("file:///ws/a.py", "def add(a, b):\n    ")
        for _ in range(3):
            assert await f.inline(doc.uri, 1, 4) == []
        assert len(fake_deepseek.requests_to("/llama/infill")) == 1
        message = f.services.status.current.message
        assert "File Not Found" in message and "/llama/infill" in message
        assert "/v1" not in message and "fimBaseUrl" in message
    finally:
        await f.stop()


@pytest.mark.parametrize(
    ("server", "told", "not_told"),
    [
        ("ollama", f"'ollama pull {LOCAL_MODEL}'", "deepseek-lsp doctor"),
        ("vllm", "one the server lists", "pull"),
    ],
)
async def test_a_model_the_server_lacks_is_told_in_that_server_s_terms(
    fake_deepseek: FakeDeepSeek, server: str, told: str, not_told: str
) -> None:
    """Each server's own 404 for a model it does not have (Ollama's NewError, vLLM's
    NotFoundError): a pull of the very model for Ollama, no pull for vLLM, which serves the
    model it was started with; asked once for 3 keys either way."""
    fake_deepseek.server, fake_deepseek.strict_models = server, True
    fake_deepseek.models = ["qwen2.5-coder:1.5b"]
    f = Completing(fake_deepseek, debounce=0, prefetch=False, cache=False, model=LOCAL_MODEL)
    try:
        f.configure(backend="openai-suffix", base_url=f"{fake_deepseek.url}/v1")
        doc = f.open("file:///ws/a.py", "def add(a, b):\n    ")
        for _ in range(3):
            assert await f.inline(doc.uri, 1, 4) == []
        assert len(fake_deepseek.requests_to("/v1/completions")) == 1
        message = f.services.status.current.message
        assert "does not have that model" in message and told in message and not_told not in message
    finally:
        await f.stop()


@pytest.mark.parametrize(
    ("owned_by", "models", "named"),
    [
        ("library", [LOCAL_MODEL], "Ollama"),  # Ollama's own library
        ("vllm", ["Qwen/Qwen2.5-Coder-7B"], "vLLM"),
        ("sglang", ["Qwen/Qwen2.5-Coder-7B"], "SGLang"),
        ("organization_owner", ["qwen2.5-coder-7b-instruct"], "LM Studio"),
        ("llamacpp", ["qwen2.5-coder-7b.gguf"], "llama.cpp"),
        ("openai", ["gpt-4o"], "The model server"),  # a proxy's upstream: not told apart
    ],
)
async def test_a_local_server_s_problem_names_the_server_its_model_list_shows(
    fake_deepseek: FakeDeepSeek, owned_by: str, models: list[str], named: str
) -> None:
    """Its problems read "The model server at 127.0.0.1": the status and pop-up now name the
    server the user runs, as its model list (the warm-up's) shows it, and its port."""
    fake_deepseek.owned_by, fake_deepseek.models = owned_by, models
    fake_deepseek.fault("status", count=None, path="/v1/completions", status=500, message="boom")
    f = Completing(fake_deepseek, debounce=0, prefetch=False, cache=False, model="absent")
    try:
        f.configure(backend="openai-suffix", base_url=f"{fake_deepseek.url}/v1")
        assert f.usage._warming is not None
        await f.usage._warming  # the model list read
        doc = f.open("file:///ws/a.py", "def add(a, b):\n    ")
        assert await f.inline(doc.uri, 1, 4) == []
        message = f.services.status.current.message
        assert message.startswith(f"{named} at {fake_deepseek.url[7:]} had a server error")
        assert f.shown == [message]
    finally:
        await f.stop()


@pytest.mark.parametrize(
    ("server", "version_answered", "named"),
    [
        ("ollama", True, "Ollama"),
        # A Go proxy's (Traefik's) "404 page not found", Ollama's words, but no Ollama behind it.
        ("ollama", False, "The model server"),
        ("vllm", False, "The model server"),  # FastAPI's "Not Found": vLLM's or SGLang's
    ],
    ids=["ollama", "go-proxy", "vllm"],
)
async def test_a_server_whose_model_list_is_a_404_too_is_named_by_what_else_it_answers(
    fake_deepseek: FakeDeepSeek, server: str, version_answered: bool, named: str
) -> None:
    """A base URL without /v1 on a port not the server's own (Ollama at :11435, behind a
    proxy): its model list is a 404 too, and its problem read "The model server at ...". Its
    404 in Go's words ("404 page not found") is checked with Ollama's GET /api/version (one
    request, none for another 404)."""
    fake_deepseek.server, fake_deepseek.models = server, [LOCAL_MODEL]
    if not version_answered:
        fake_deepseek.fault("status", count=None, path="/api/version", status=404, message="404 page not found")
    f = Completing(fake_deepseek, debounce=0, prefetch=False, cache=False, model=LOCAL_MODEL)
    try:
        f.configure(backend="openai-suffix", base_url=fake_deepseek.url)
        assert f.usage._warming is not None
        await f.usage._warming
        doc = f.open("file:///ws/a.py", "def add(a, b):\n    ")
        assert await f.inline(doc.uri, 1, 4) == []
        message = f.services.status.current.message
        assert message.startswith(f"{named} at {fake_deepseek.url[7:]} has no /completions"), message
        assert len(fake_deepseek.requests_to("/api/version")) == (server == "ollama")
    finally:
        await f.stop()


def test_the_pop_up_for_a_base_url_without_v1_names_the_url_and_not_deepseek(
    fake_deepseek: FakeDeepSeek, tmp_path: Path
) -> None:
    """Over stdio, as an editor shows it: the pop-up for Ollama answering a base URL without
    /v1 read "DeepSeek: The model server at 127.0.0.1 has no /completions, or not that model",
    and each key's completion was refused again. Now one request, and a pop-up naming the
    server and its address and the URL to set, not DeepSeek."""
    fake_deepseek.server, fake_deepseek.models = "ollama", [LOCAL_MODEL]
    server = started(fake_deepseek, tmp_path, fake_deepseek.url)
    try:
        complete(server, 3)
        shown = pop_ups(server)
    finally:
        server.kill()
    assert len(fake_deepseek.requests_to("/completions")) == 1
    assert len(shown) == 1
    # Ollama on a port not its own: named by its /api/version, its model list being a 404 too.
    assert shown[0].startswith(f"Ollama at {fake_deepseek.url[7:]} has no /completions")
    assert f"{fake_deepseek.url}/v1" in shown[0] and DEFAULT_KEY not in shown[0]


async def test_deepseek_s_own_404_pauses_at_the_first_request(fake_deepseek: FakeDeepSeek) -> None:
    """DeepSeek's API is behind no proxy of the user's: its 404 (a fimBaseUrl set to the root,
    without /beta) is the settings' for good. Taken for a proxy's passing one (its model list
    answers), the fix was told only at the second key, after a Warning saying "requests go
    on" and a second request refused alike."""
    f = Completing(fake_deepseek, debounce=0, prefetch=False, cache=False)
    try:
        f.configure(base_url=f"{fake_deepseek.url}/v1")
        assert f.usage._warming is not None and await f.usage._warming
        refused = errors.error_for_status(
            404, url="https://api.deepseek.com/completions", provider_message="Not Found"
        )
        f.completion.health.failed(refused)
        status = f.services.status.current
        assert status.kind == "Error" and "paused" in status.message
        assert "fimBaseUrl, if set, to https://api.deepseek.com/beta" in status.message
        assert f.shown == [status.message]
        doc = f.open("file:///ws/a.py", "def add(a, b):\n    ")
        assert await f.inline(doc.uri, 1, 4) == []
        assert fake_deepseek.requests_to("/completions") == []  # paused: nothing sent
    finally:
        await f.stop()


async def test_requests_in_flight_together_meet_a_passing_404_as_one(
    fake_deepseek: FakeDeepSeek,
) -> None:
    """A proxy's 404 of a moment met by requests sent before any of them was refused (a
    prefetch and the next key's, the menu's and the inline one's): the second was counted as
    the same 404 "again", and completions paused a minute with a pop-up though nothing had
    been asked since the first refusal. The next key is asked and answered."""
    fake_deepseek.models, fake_deepseek.owned_by = [LOCAL_MODEL], "vllm"
    fake_deepseek.fault(
        "status", count=2, path="/v1/completions", status=404, message="Not Found", delay=0.5
    )
    fake_deepseek.script("return a + b", path="/v1/completions")
    f = Completing(fake_deepseek, debounce=0, prefetch=False, cache=False, model=LOCAL_MODEL)
    try:
        f.configure(backend="openai-suffix", base_url=f"{fake_deepseek.url}/v1")
        assert f.usage._warming is not None and await f.usage._warming
        a = f.open("file:///ws/a.py", "def add(a, b):\n    ")
        b = f.open("file:///ws/b.py", "def sub(a, b):\n    ")
        assert await asyncio.gather(f.inline(a.uri, 1, 4), f.inline(b.uri, 1, 4)) == [[], []]
        assert len(fake_deepseek.requests_to("/v1/completions")) == 2
        assert f.services.status.current.kind == "Warning" and f.shown == []
        assert await f.inline(a.uri, 1, 4) == ["return a + b"]
        assert f.services.status.current.kind == "Normal"
    finally:
        await f.stop()


async def test_lm_studio_s_200_with_its_path_error_pauses_at_the_second_key(
    fake_deepseek: FakeDeepSeek,
) -> None:
    """LM Studio at a base URL without /v1 answers /completions with 200 and "Unexpected
    endpoint or method.": a status that says answered, a body that says 404. Taken for an
    answer between two such 404s, it never paused, and every key was refused again."""
    model = "qwen2.5-coder-7b-instruct"
    fake_deepseek.models = [model]
    said = lmstudio_unknown_path("/completions")
    fake_deepseek.fault("raw", count=None, path="/completions", **said)
    f = Completing(fake_deepseek, debounce=0, prefetch=False, cache=False, model=model)
    try:
        f.configure(backend="fim-template", base_url=fake_deepseek.url)
        assert f.usage._warming is not None and await f.usage._warming
        doc = f.open("file:///ws/a.py", "def add(a, b):\n    ")
        for _ in range(4):
            assert await f.inline(doc.uri, 1, 4) == []
        assert len(fake_deepseek.requests_to("/completions")) == 2
        status = f.services.status.current
        assert status.kind == "Error" and f"{fake_deepseek.url}/v1" in status.message
        assert f.shown == [status.message]
    finally:
        await f.stop()


async def test_the_ollama_check_of_a_go_404_stays_within_the_warm_up_s_time_limit(
    fake_deepseek: FakeDeepSeek,
) -> None:
    """The model list's 404 in Go's words is checked with GET /api/version inside the warm-up:
    that check had a time limit of its own, so a Go proxy that sat on it made the warm-up (and
    the model load, which waits for it) last twice its limit."""
    fake_deepseek.server, fake_deepseek.models = "ollama", [LOCAL_MODEL]
    # The list's 404 late (a busy proxy), the version's later still.
    plain = {"Content-Type": "text/plain"}
    go_404 = {"status": 404, "body": "404 page not found", "headers": plain}
    fake_deepseek.fault("raw", count=None, path="/models", delay=1.0, **go_404)
    fake_deepseek.fault("raw", count=None, path="/api/version", delay=10, **go_404)
    client = ModelClient(
        EndpointConfig(base_url=fake_deepseek.url, backend="openai-suffix", api_key=DEFAULT_KEY)
    )
    try:
        loop = asyncio.get_running_loop()
        started_at = loop.time()
        assert await client.warm(timeout=1.5)  # the list answered (a 404)
        assert loop.time() - started_at < 2.2  # 2.5 s before: 1.5 s from the list's answer
        assert fake_deepseek.requests_to("/api/version")
    finally:
        await client.aclose()
