"""The load request sent to a self-hosted server on this machine (see ModelClient.load) and the
completions asked while the server is probed for whether it loads models itself."""

from __future__ import annotations

import asyncio
import time
from dataclasses import replace
from pathlib import Path

import pytest

from deepseek_lsp.model import client as client_module
from deepseek_lsp.model.errors import ModelNotFoundError
from tests.completing import Completing
from tests.fake_deepseek import FakeDeepSeek
from tests.selfhosted_stdio import complete, pop_ups, started

pytestmark = pytest.mark.usefixtures("state_dir")  # usage and caches in the test's own folder

LOCAL_MODEL = "qwen2.5-coder:7b"


async def test_a_completion_asked_while_the_model_list_is_slow_keeps_its_own_time_limit(
    fake_deepseek: FakeDeepSeek,
) -> None:
    """vLLM on this machine, still loading its model: ``GET /models`` answers late. A completion
    asked meanwhile waited for a load of 3 minutes that was never going to be sent (vLLM loads
    nothing at a request), the user left with no answer and no word for as long."""
    fake_deepseek.models, fake_deepseek.owned_by = [LOCAL_MODEL], "vllm"
    fake_deepseek.fault("stall", path="/v1/models", seconds=2.5)
    fake_deepseek.set_latency(ttft=3.0)  # the model still busy: the answer would come late too
    fake_deepseek.script("return a + b", path="/v1/completions")
    f = Completing(fake_deepseek, debounce=0, prefetch=False, cache=False, timeout_s=0.3, model=LOCAL_MODEL)
    try:
        f.configure(backend="openai-suffix", base_url=f"{fake_deepseek.url}/v1")
        doc = f.open("file:///ws/a.py", "def add(a, b):\n    ")
        started = time.monotonic()
        assert await f.inline(doc.uri, 1, 4, invoked=True) == []
        assert time.monotonic() - started < 2.0  # its own 0.3 s, not the answer 3 s later
        assert f.usage._loading is not None and not await f.usage._loading  # vLLM: no load sent
        assert [r.path for r in fake_deepseek.requests if r.path != "/v1/completions"] == ["/v1/models"]
    finally:
        await f.stop()


async def test_the_status_says_no_load_while_the_model_list_is_awaited(fake_deepseek: FakeDeepSeek) -> None:
    """The same vLLM at start: "loading MODEL on the model server" was shown after a second of
    waiting for its model list, though no load was to be sent to it."""
    fake_deepseek.models, fake_deepseek.owned_by = [LOCAL_MODEL], "vllm"
    fake_deepseek.fault("stall", path="/v1/models", seconds=1.5)
    f = Completing(fake_deepseek, debounce=0, prefetch=False, cache=False, model=LOCAL_MODEL)
    try:
        f.configure(backend="openai-suffix", base_url=f"{fake_deepseek.url}/v1")
        assert f.usage._loading is not None and not await f.usage._loading
        told = [s.message for s in f.statuses]
        assert not any("loading" in m for m in told), told
    finally:
        await f.stop()


async def test_a_completion_asked_while_ollama_is_probed_still_waits_for_the_load(
    fake_deepseek: FakeDeepSeek,
) -> None:
    """The other side: Ollama's model list answers a moment late, and the completion asked at
    once still waits for the load that follows (a completion cut at its own limit made Ollama
    give the load up)."""
    fake_deepseek.load_s = 1.0
    fake_deepseek.models, fake_deepseek.owned_by = [LOCAL_MODEL], "library"
    fake_deepseek.fault("stall", path="/v1/models", seconds=0.1)
    fake_deepseek.script("return a + b", path="/v1/completions")
    f = Completing(fake_deepseek, debounce=0, prefetch=False, cache=False, timeout_s=0.3, model=LOCAL_MODEL)
    try:
        f.configure(backend="openai-suffix", base_url=f"{fake_deepseek.url}/v1")
        doc = f.open("file:///ws/a.py", "def add(a, b):\n    ")
        assert await f.inline(doc.uri, 1, 4, invoked=True) == ["return a + b"]
        assert fake_deepseek.loaded == {LOCAL_MODEL}
    finally:
        await f.stop()


async def test_the_fim_template_backend_s_load_request_generates_nothing(fake_deepseek: FakeDeepSeek) -> None:
    """The load of a ``fim-template`` model sent the template around an empty prefix and suffix
    (``<|fim_prefix|><|fim_suffix|><|fim_middle|>``), which Ollama runs: a token generated at
    start and after every pause. An empty prompt is what Ollama answers with the load alone."""
    fake_deepseek.models, fake_deepseek.owned_by = [LOCAL_MODEL], "library"
    f = Completing(fake_deepseek, debounce=0, prefetch=False, cache=False, model=LOCAL_MODEL)
    try:
        f.configure(backend="fim-template", fim_template="qwen2.5-coder", base_url=f"{fake_deepseek.url}/v1")
        await f.usage._warming
        assert f.usage._loading is not None and await f.usage._loading
        (load,) = fake_deepseek.requests_to("/v1/completions")
        assert load.json["prompt"] == "" and load.json["max_tokens"] == 1
        assert load.answer == ""  # loaded, nothing generated
    finally:
        await f.stop()


@pytest.mark.parametrize(
    "said",
    ['model "qwen2.5-coder:7b" not found, try pulling it first', "The model `qwen2.5-coder:7b` does not exist."],
    ids=["ollama", "vllm"],
)
async def test_a_model_the_server_does_not_have_pauses_completions_until_pulled_or_changed(
    fake_deepseek: FakeDeepSeek, monkeypatch: pytest.MonkeyPatch, said: str
) -> None:
    """Ollama's 404 for a model not pulled (vLLM's for one it does not serve) was told once and
    asked again at every key, each refused the same. Completions now pause, say what to do, try
    again a while later (an ``ollama pull`` in a terminal is nothing the editor hears of), and
    at once when the model setting changes."""
    monkeypatch.setattr(ModelNotFoundError, "recheck_after_s", 0.5)
    fake_deepseek.fault("status", count=None, path="/v1/completions", status=404, message=said)
    f = Completing(fake_deepseek, debounce=0, prefetch=False, cache=False, model=LOCAL_MODEL)
    try:
        f.configure(backend="openai-suffix", base_url=f"{fake_deepseek.url}/v1")
        doc = f.open("file:///ws/a.py", "def add(a, b):\n    ")
        for _ in range(3):
            assert await f.inline(doc.uri, 1, 4) == []
        assert len(fake_deepseek.requests_to("/v1/completions")) == 1
        status = f.services.status.current
        assert status.kind == "Error" and said.rstrip(".") in status.message
        assert ("ollama pull" in status.message) == ("pulling" in said)  # vLLM's: none to pull

        await asyncio.sleep(0.6)  # pulled meanwhile, or not: one request tells
        assert await f.inline(doc.uri, 1, 4) == []
        assert await f.inline(doc.uri, 1, 4) == []
        assert len(fake_deepseek.requests_to("/v1/completions")) == 2

        f.configure(model="qwen2.5-coder:1.5b")
        assert await f.inline(doc.uri, 1, 4) == []
        assert len(fake_deepseek.requests_to("/v1/completions")) == 3
    finally:
        await f.stop()


async def test_a_load_sent_after_a_slow_model_list_is_told(fake_deepseek: FakeDeepSeek) -> None:
    """Ollama's model list answered late (a busy machine), then the load sent, which takes a
    while: the status said nothing of it for the whole load, its one look (a second in) having
    come while the list was awaited, when no load is told."""
    fake_deepseek.load_s = 3.0  # told ~1.25 s after it is sent: a margin for a loaded host
    fake_deepseek.models, fake_deepseek.owned_by = [LOCAL_MODEL], "library"
    fake_deepseek.fault("stall", path="/v1/models", seconds=1.5)
    f = Completing(fake_deepseek, debounce=0, prefetch=False, cache=False, model=LOCAL_MODEL)
    try:
        f.configure(backend="openai-suffix", base_url=f"{fake_deepseek.url}/v1")
        assert f.usage._loading is not None and await f.usage._loading
        told = [s.message for s in f.statuses]
        assert any(f"loading {LOCAL_MODEL}" in m for m in told), told
        assert f.services.status.current.message == ""  # (and no more once loaded)
    finally:
        await f.stop()


async def test_a_missing_model_s_recheck_sends_one_request_not_the_load_and_the_completion(
    fake_deepseek: FakeDeepSeek, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Ollama without the model: the load at start and the first completion each met its 404
    (Ollama's own words), and so did the load and the completion at the first key after each
    minute's pause (the user back after a while: the load is sent again), two requests to learn
    one thing. The completion now takes the answer of the load under way for its model."""
    monkeypatch.setattr(ModelNotFoundError, "recheck_after_s", 0.5)
    fake_deepseek.server, fake_deepseek.owned_by, fake_deepseek.strict_models = "ollama", "library", True
    fake_deepseek.models = ["qwen2.5-coder:1.5b"]  # not LOCAL_MODEL
    f = Completing(fake_deepseek, debounce=0, prefetch=False, cache=False, model=LOCAL_MODEL)
    try:
        f.configure(backend="openai-suffix", base_url=f"{fake_deepseek.url}/v1")
        client = f.services.models.client
        assert client is not None
        # A pause of a third of this is idle enough for the load to be sent again (Models.idle).
        client.config = replace(client.config, keepalive_expiry=0.3)
        doc = f.open("file:///ws/a.py", "def add(a, b):\n    ")
        for _ in range(3):
            assert await f.inline(doc.uri, 1, 4) == []
        assert len(fake_deepseek.requests_to("/v1/completions")) == 1
        assert "ollama pull" in f.services.status.current.message

        await asyncio.sleep(0.6)  # the pause is over, and the connection idle
        f.insert(doc.uri, 1, 4, "r")
        assert await f.inline(doc.uri, 1, 5) == []
        assert await f.inline(doc.uri, 1, 5) == []
        sent = fake_deepseek.requests_to("/v1/completions")
        assert len(sent) == 2 and sent[-1].json["prompt"] == ""  # the load told it
        assert f.services.status.current.kind == "Error"
    finally:
        await f.stop()


def test_a_key_soon_after_the_load_s_refusal_takes_it_over_stdio(
    fake_deepseek: FakeDeepSeek, tmp_path: Path
) -> None:
    """Ollama without the model, as an editor meets it: the load sent at start met its 404 at
    once, and the first key a second later, the load over, sent its own completion to meet the
    same 404 (the refusal was taken only while the load was under way). It is taken for
    LOAD_REFUSAL_HELD_S after the load's answer: one request, one pop-up."""
    fake_deepseek.server, fake_deepseek.owned_by, fake_deepseek.strict_models = "ollama", "library", True
    fake_deepseek.models = ["qwen2.5-coder:1.5b"]  # not LOCAL_MODEL
    server = started(fake_deepseek, tmp_path, f"{fake_deepseek.url}/v1")
    try:
        deadline = time.monotonic() + 20
        while not fake_deepseek.requests_to("/v1/completions") and time.monotonic() < deadline:
            time.sleep(0.05)
        (load,) = fake_deepseek.requests_to("/v1/completions")
        # The fake records the status once its answer is written: the request is listed before.
        assert fake_deepseek.wait_closed(load, timeout=10)
        assert load.json["prompt"] == "" and load.status == 404
        time.sleep(1.2)  # the first key, a moment after the file opened
        complete(server)
        shown = pop_ups(server)
    finally:
        server.kill()
    assert len(fake_deepseek.requests_to("/v1/completions")) == 1
    assert len(shown) == 1 and f"ollama pull {LOCAL_MODEL}" in shown[0], shown


async def test_a_load_s_refusal_older_than_its_hold_is_not_taken_for_a_later_key(
    fake_deepseek: FakeDeepSeek, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The other side: the model pulled once the hold is over, the next key asks for itself
    and gets its suggestion (the load's old 404 taken then would pause completions a minute)."""
    monkeypatch.setattr(client_module, "LOAD_REFUSAL_HELD_S", 0.3)
    fake_deepseek.server, fake_deepseek.owned_by, fake_deepseek.strict_models = "ollama", "library", True
    fake_deepseek.models = ["qwen2.5-coder:1.5b"]  # not LOCAL_MODEL
    f = Completing(fake_deepseek, debounce=0, prefetch=False, cache=False, model=LOCAL_MODEL)
    try:
        f.configure(backend="openai-suffix", base_url=f"{fake_deepseek.url}/v1")
        assert f.usage._loading is not None and await f.usage._loading
        [load] = fake_deepseek.requests_to("/v1/completions")
        # The fake records the status once its answer is written: the client may read it first.
        assert await fake_deepseek.wait_closed_async(load) and load.status == 404
        await asyncio.sleep(0.4)
        fake_deepseek.models.append(LOCAL_MODEL)  # 'ollama pull' done
        fake_deepseek.script("return a + b", path="/v1/completions")
        doc = f.open("file:///ws/a.py", "def add(a, b):\n    ")
        assert await f.inline(doc.uri, 1, 4) == ["return a + b"]
        assert f.services.status.current.kind == "Normal" and f.shown == []
    finally:
        await f.stop()
