"""The shared model client's connection across pauses in the user's work (no server: the usage
and completion features on their own, against the fake DeepSeek server).

A connection left idle does not last (servers close them; the pool drops its own after
``keepalive_expiry``), and opening one again (TCP, TLS) would land in the first completion's wait
after the pause. The first keystroke after a pause opens it instead, while the user types; but
only where a completion could be asked for.
"""

from __future__ import annotations

import asyncio
import dataclasses
import math
from typing import Any

import pytest

from deepseek_lsp.config import Settings, build_settings
from deepseek_lsp.documents import DocumentStore
from deepseek_lsp.features import Services
from deepseek_lsp.languages import LanguageRegistry
from deepseek_lsp.model import FimRequest, InsufficientBalanceError, ModelClient, Usage
from deepseek_lsp.status import Status, StatusReporter
from deepseek_lsp.usage_feature import UsageFeature, endpoint_config, make_ledger
from tests.completing import Completing
from tests.fake_deepseek import DEFAULT_KEY, FakeDeepSeek
from tests.harness import inline_params

FIM = "/beta/completions"
KEEPALIVE_S = 0.4  # the pool's idle expiry here; a pause is a third of it (ModelClient.stale_after)
REGISTRY = LanguageRegistry.load()


class Features(Completing):
    async def __aenter__(self) -> Features:
        # A pool that lets an idle connection go after KEEPALIVE_S, as it does after 90 s.
        models = self.services.models
        await models.client.aclose()
        config = dataclasses.replace(models.client.config, keepalive_expiry=KEEPALIVE_S)
        models.client = ModelClient(config, models.ledger)
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    @property
    def client(self) -> ModelClient:
        return self.services.models.client

    def type(self, doc: Any) -> None:
        self.completion.document_changed(doc)

    async def settled(self) -> None:
        if self.usage._warming is not None:
            await self.usage._warming

    async def suggest(self, doc: Any) -> list[str]:
        """The suggestions an inline completion request at the end of the first line gets."""
        line = doc.text.split("\n", 1)[0]
        result = await self.completion.inline_completion(inline_params(doc.uri, 0, len(line)))
        return [item.insert_text for item in result.items]

    async def complete(self) -> None:
        loop = asyncio.get_running_loop()
        await self.client.fim(FimRequest(prompt="def add(a, b):\n    ", suffix="\n", max_tokens=16), loop.time() + 5)


pytestmark = pytest.mark.usefixtures("state_dir")  # usage and caches in the test's own folder


async def test_the_first_keystroke_after_a_pause_reopens_the_connection_for_the_completion(
    fake_deepseek: FakeDeepSeek,
) -> None:
    async with Features(fake_deepseek) as f:
        await f.complete()
        before = fake_deepseek.requests[-1].peer
        doc = f.open("file:///ws/a.py")

        f.type(doc)  # typing on right after a completion: nothing is sent
        await f.settled()
        assert len(fake_deepseek.requests) == 1

        await asyncio.sleep(KEEPALIVE_S + 0.1)  # a pause: the pool has let the connection go
        for _ in range(5):  # the first keystrokes after it: one warm-up, no tokens
            f.type(doc)
        await f.settled()
        warm = fake_deepseek.requests[1:]
        assert [r.path for r in warm] == ["/models"]
        assert warm[0].peer != before  # a new connection, opened by the keystroke

        await f.complete()
        assert fake_deepseek.requests[-1].path == "/beta/completions"
        assert fake_deepseek.requests[-1].peer == warm[0].peer  # the completion found it open


async def test_opening_a_file_after_a_pause_reopens_it_too(fake_deepseek: FakeDeepSeek) -> None:
    async with Features(fake_deepseek) as f:
        await f.complete()
        f.open("file:///ws/b.py")
        await f.settled()
        assert [r.path for r in fake_deepseek.requests] == ["/beta/completions"]
        f.client.last_active -= KEEPALIVE_S  # as after a pause
        f.open("file:///ws/c.py")
        await f.settled()
        assert [r.path for r in fake_deepseek.requests] == ["/beta/completions", "/models"]


async def test_nothing_is_sent_where_no_completion_would_be(fake_deepseek: FakeDeepSeek) -> None:
    async with Features(fake_deepseek) as f:
        await f.complete()
        secret = f.open("file:///ws/.env", "TOKEN=1\n")  # excluded: never sent
        f.client.last_active -= KEEPALIVE_S
        f.type(secret)
        f.open("file:///ws/.env.local", "TOKEN=2\n")
        await f.settled()
        assert [r.path for r in fake_deepseek.requests] == ["/beta/completions"]
    async with Features(fake_deepseek, enable=False) as f:  # completions turned off
        doc = f.open("file:///ws/d.py")
        f.client.last_active -= KEEPALIVE_S
        f.type(doc)
        await f.settled()
        assert [r.path for r in fake_deepseek.requests] == ["/beta/completions"]


async def test_a_bad_price_setting_is_told_even_when_the_endpoint_stays(fake_deepseek: FakeDeepSeek) -> None:
    """Price problems were only told when the endpoint changed as well."""
    told: list[str] = []
    settings = Settings(base_url=fake_deepseek.url, api_key=DEFAULT_KEY)
    status = StatusReporter(lambda s: None, lambda m, level=2: told.append(m))
    services = Services(DocumentStore(REGISTRY), REGISTRY, status, settings)
    usage = UsageFeature(services)
    try:
        bad = dataclasses.replace(settings, prices={"models": {"my-model": {"offPeak": "cheap"}}})
        usage.settings_changed(settings, bad)
        assert any("prices.models.my-model" in m for m in told), told
    finally:
        await usage.stop()


async def test_a_self_hosted_server_costs_nothing_and_the_budget_leaves_it_alone(
    fake_deepseek: FakeDeepSeek, tmp_path: Any
) -> None:
    """llama.cpp on localhost with the default model name was billed at DeepSeek's prices, and
    a daily budget then refused local completions."""
    settings, problems = build_settings(
        {
            "backend": "llamacpp-infill",
            "baseUrl": fake_deepseek.url,
            "apiKey": DEFAULT_KEY,
            "dailyBudgetUsd": 0.0005,
        },
        env={},
    )
    assert not problems
    ledger = make_ledger(settings, path=str(tmp_path / "usage.sqlite3"))
    async with ModelClient(endpoint_config(settings), ledger) as client:
        loop = asyncio.get_running_loop()
        for i in range(3):
            request = FimRequest(prompt="x" * 8000 + str(i), max_tokens=20, model=settings.completion.model)
            await client.fim(request, loop.time() + 5)  # none refused by the budget
    assert ledger.summary()["today"]["total"]["cost_usd"] == 0
    ledger.close()
    assert [r.path for r in fake_deepseek.requests] == ["/infill"] * 3


async def test_a_budget_spent_at_deepseek_does_not_refuse_a_free_local_model(
    fake_deepseek: FakeDeepSeek, tmp_path: Any
) -> None:
    """The day's budget spent at DeepSeek (in another window sharing the ledger, by the review
    CLI, or here before the settings were pointed at a local server to go on working): every
    completion of the local llama.cpp, which costs nothing and is recorded at $0, was refused
    with "Daily DeepSeek budget reached ... paused until 00:00 UTC"."""
    path = str(tmp_path / "usage.sqlite3")
    with make_ledger(build_settings({}, env={})[0], path=path) as deepseek:
        deepseek.record(feature="review", model="deepseek-v4-pro", usage=Usage(0, 100_000, 0, 0))
        assert deepseek.today_cost() > 0.1
    settings, problems = build_settings(
        {"backend": "llamacpp-infill", "baseUrl": fake_deepseek.url, "apiKey": DEFAULT_KEY, "dailyBudgetUsd": 0.1},
        env={},
    )
    assert not problems
    ledger = make_ledger(settings, path=path)
    try:
        async with ModelClient(endpoint_config(settings), ledger) as client:
            loop = asyncio.get_running_loop()
            request = FimRequest(prompt="x = ", max_tokens=20, model=settings.completion.model)
            await client.fim(request, loop.time() + 5)  # not refused: it costs nothing
    finally:
        ledger.close()
    assert [r.path for r in fake_deepseek.requests] == ["/infill"]


@pytest.mark.parametrize(
    ("layer", "priced"),
    [
        ({}, True),
        ({"backend": "chat", "baseUrl": "https://api.deepseek.com"}, True),  # DeepSeek all the same
        ({"backend": "openai-suffix", "baseUrl": "http://localhost:11434/v1"}, False),
        ({"backend": "chat", "baseUrl": "https://deepseek.com.example.org"}, False),
        (  # the user's own prices count
            {
                "backend": "fim-template",
                "baseUrl": "http://gpu-box:8000/v1",
                "prices": {"models": {"deepseek-v4-flash": [0, 1, 2]}},
            },
            True,
        ),
        (  # also written per model straight under ``prices`` (accepted and ignored before)
            {"backend": "fim-template", "baseUrl": "http://gpu-box:8000/v1", "prices": {"deepseek-v4-flash": [0, 1, 2]}},
            True,
        ),
        # llama.cpp reached through fimBaseUrl only: reviews go there too (baseUrl left at DeepSeek's)
        ({"backend": "llamacpp-infill", "fimBaseUrl": "http://127.0.0.1:8080"}, False),
    ],
)
def test_deepseek_prices_apply_to_deepseek_only(
    layer: dict[str, Any], priced: bool, tmp_path: Any
) -> None:
    settings, _ = build_settings(layer, env={})
    with make_ledger(settings, path=str(tmp_path / "usage.sqlite3")) as ledger:
        rec = ledger.record(feature="completion", model="deepseek-v4-flash", usage=Usage(0, 10, 0, 1000))
    assert (rec.cost > 0) is priced


async def test_completions_come_back_by_themselves_after_a_top_up(
    fake_deepseek: FakeDeepSeek, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An empty balance (402) turned completions off until the editor was restarted: topping up
    happens on DeepSeek's site, which the editor never hears of. One request tries again after
    a pause (402s are not billed), and suggestions resume."""
    monkeypatch.setattr(InsufficientBalanceError, "recheck_after_s", 0.5)
    statuses: list[Status] = []
    f = Features(fake_deepseek, debounce=0, prefetch=False, cache=False)
    f.services.status = StatusReporter(statuses.append, lambda m, level=2: None)
    async with f:
        fake_deepseek.fault("status", count=2, path=FIM, status=402)
        fake_deepseek.responder(lambda body: "value_ok", path=FIM)
        doc = f.open("file:///ws/a.py", "x = \n")
        shown = [await f.suggest(doc) for _ in range(3)]
        assert shown == [[], [], []]
        assert len(fake_deepseek.requests_to(FIM)) == 1  # paused after the first 402
        assert statuses[-1].kind == "Error" and "402" in statuses[-1].message
        assert "top up" in statuses[-1].message and "reload" not in statuses[-1].message

        await asyncio.sleep(0.6)
        assert await f.suggest(doc) == []  # one try: still no balance, paused again
        assert await f.suggest(doc) == []
        assert len(fake_deepseek.requests_to(FIM)) == 2
        assert statuses[-1].kind == "Error"

        await asyncio.sleep(0.6)  # topped up meanwhile (the fault is spent)
        assert await f.suggest(doc) == ["value_ok"]
        assert statuses[-1].kind == "Normal"
        assert await f.suggest(doc) == ["value_ok"]


async def test_a_rejected_key_waits_for_new_settings(
    fake_deepseek: FakeDeepSeek, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Unlike an empty balance, a rejected key is not tried again by itself: the same key
    would only be refused again (and logged again) every minute."""
    monkeypatch.setattr(InsufficientBalanceError, "recheck_after_s", 0.2)
    f = Features(fake_deepseek, debounce=0, prefetch=False, cache=False)
    async with f:
        fake_deepseek.fault("status", count=1, path=FIM, status=401)
        fake_deepseek.responder(lambda body: "value_ok", path=FIM)
        doc = f.open("file:///ws/a.py", "x = \n")
        assert await f.suggest(doc) == []
        await asyncio.sleep(0.4)
        assert await f.suggest(doc) == []
        assert len(fake_deepseek.requests_to(FIM)) == 1


async def test_completions_wait_out_a_rate_limit_for_as_long_as_the_server_asks(fake_deepseek: FakeDeepSeek) -> None:
    """A 429 with Retry-After: the status said "server asks to wait 30s", yet each keystroke
    sent another request, each refused again, keeping the limit on."""
    told: list[str] = []
    f = Features(fake_deepseek, debounce=0, prefetch=False, cache=False)
    f.services.status = StatusReporter(lambda s: None, lambda m, level=2: told.append(m))
    async with f:
        fake_deepseek.fault("status", count=10, path=FIM, status=429, retry_after=30)
        doc = f.open("file:///ws/a.py", "x = \n")
        assert [await f.suggest(doc) for _ in range(3)] == [[], [], []]
        assert any("wait 30s" in m for m in told), told
        assert len(fake_deepseek.requests_to(FIM)) == 1


async def test_a_model_given_a_price_is_no_longer_reported_as_without_one() -> None:
    """The usage view says "Models without a price (counted as $0): ..." to tell the user what
    to price. Once they priced it in the settings, it kept saying so until a restart, though
    its requests were now counted at that price."""
    settings, _ = build_settings({"backend": "openai-suffix", "baseUrl": "http://localhost:11434/v1"}, env={})
    status = StatusReporter(lambda s: None, lambda m, level=2: None)
    services = Services(DocumentStore(REGISTRY), REGISTRY, status, settings)
    usage = UsageFeature(services)
    try:
        ledger = services.models.ledger
        ledger.record(feature="completion", model="qwen2.5-coder", usage=Usage(1000, 10, 0, 1000))
        assert usage.summary()["unpriced_models"] == ["qwen2.5-coder"]
        priced = dataclasses.replace(settings, prices={"qwen2.5-coder": [0, 1, 2]})
        usage.settings_changed(settings, priced)
        rec = ledger.record(feature="completion", model="qwen2.5-coder", usage=Usage(1000, 10, 0, 1000))
        assert rec.priced and rec.cost > 0
        assert usage.summary()["unpriced_models"] == []
    finally:
        await usage.stop()


LOCAL_MODEL = "qwen2.5-coder:7b"


async def test_a_local_model_slower_to_load_than_a_completion_s_deadline_still_completes(
    fake_deepseek: FakeDeepSeek,
) -> None:
    """Ollama loads a model at the first request naming it, and gives the load up when that
    request hangs up. A completion's request hung up at its deadline (5 s) or at the next key:
    with a model that takes longer to load, the first completion after start (and after every
    pause in which Ollama unloaded it) failed, and so did every one after it, each starting the
    load anew."""
    fake_deepseek.load_s = 1.5
    fake_deepseek.models, fake_deepseek.owned_by = [LOCAL_MODEL], "library"  # Ollama's model list
    fake_deepseek.script("return a + b", path="/v1/completions")
    f = Completing(fake_deepseek, debounce=0, prefetch=False, cache=False, timeout_s=0.3, model=LOCAL_MODEL)
    try:
        f.configure(backend="openai-suffix", base_url=f"{fake_deepseek.url}/v1")  # Ollama on this machine
        doc = f.open("file:///ws/a.py", "def add(a, b):\n    ")
        assert await f.inline(doc.uri, 1, 4, invoked=True) == ["return a + b"]
        assert fake_deepseek.loaded == {LOCAL_MODEL}
        told = [s.message for s in f.statuses if s.feature == "completion"]
        assert f"loading {LOCAL_MODEL} on the model server" in told
        # The load's own answer may come a moment after the completion's (CI saw "loading" here):
        # once it has, the status says nothing more ("answering slowly" neither).
        assert f.usage._loading is not None and await f.usage._loading
        assert f.services.status.current.message == ""
        recorded = f.services.models.ledger.recent
        assert recorded and all(r.feature == "completion" for r in recorded)  # the load is no completion
    finally:
        await f.stop()


async def test_no_load_request_goes_to_a_proxy_on_this_machine_for_a_paid_model(fake_deepseek: FakeDeepSeek) -> None:
    """A proxy on this machine (LiteLLM) may forward to a paid model: nothing is sent of our own."""
    f = Completing(fake_deepseek, model="deepseek-v4-flash")
    try:
        f.configure(backend="openai-suffix", base_url=f"{fake_deepseek.url}/v1", prices={"models": {"deepseek-v4-flash": [0.003, 0.15, 0.6]}})
        await f.usage._warming
        assert [r.path for r in fake_deepseek.requests] == ["/v1/models"]
    finally:
        await f.stop()


@pytest.mark.parametrize(
    ("owned_by", "headers"),
    [("openai", {}), ("library", {"x-litellm-version": "1.74.0"})],
    ids=["litellm-model-list", "litellm-headers"],
)
async def test_no_load_request_goes_to_a_litellm_proxy_for_a_model_without_a_price(
    fake_deepseek: FakeDeepSeek, owned_by: str, headers: dict[str, str]
) -> None:
    """A LiteLLM proxy on this machine in front of a paid FIM model nobody priced: it got a
    one-token request of ours at start and after each pause (billed), until that model had
    reported a cost once. Its model list says it is no Ollama, LM Studio or llama.cpp."""
    fake_deepseek.models, fake_deepseek.owned_by = [LOCAL_MODEL], owned_by
    fake_deepseek.models_headers = headers
    f = Completing(fake_deepseek, debounce=0, prefetch=False, cache=False, model=LOCAL_MODEL)
    try:
        f.configure(backend="openai-suffix", base_url=f"{fake_deepseek.url}/v1")
        await f.usage._warming
        if f.usage._loading is not None:
            await f.usage._loading
        f.usage._rewarm()  # after a pause
        await f.usage._warming
        if f.usage._loading is not None:
            await f.usage._loading
        assert [r.path for r in fake_deepseek.requests] == ["/v1/models", "/v1/models"]
        assert f.services.models.client.load_until == -math.inf  # completions do not wait for a load
    finally:
        await f.stop()


async def test_a_local_model_server_for_completions_only_is_asked_to_load_the_model(fake_deepseek: FakeDeepSeek) -> None:
    """Completions on Ollama (``fimBaseUrl``), reviews at another server (``baseUrl``): the
    warm-up lists the models of the reviews' server, which says nothing of the completions'.
    Ollama's own list is asked for, and the load goes to it."""
    with FakeDeepSeek() as ollama:
        ollama.models, ollama.owned_by = [LOCAL_MODEL], "library"
        f = Completing(fake_deepseek, debounce=0, prefetch=False, cache=False, model=LOCAL_MODEL)
        try:
            f.configure(backend="openai-suffix", base_url=f"{fake_deepseek.url}/v1", fim_base_url=f"{ollama.url}/v1")
            await f.usage._warming
            assert f.usage._loading is not None and await f.usage._loading
            assert [r.path for r in ollama.requests] == ["/v1/models", "/v1/completions"]
            assert ollama.requests[1].json["max_tokens"] == 1
        finally:
            await f.stop()


async def test_a_completion_model_server_not_answering_yet_is_asked_again_at_the_next_load(
    fake_deepseek: FakeDeepSeek,
) -> None:
    """Ollama behind ``fimBaseUrl`` started after the editor: its model list did not answer at
    the first load, and that was no reason never to load a model on it."""
    with FakeDeepSeek() as ollama:
        ollama.models, ollama.owned_by = [LOCAL_MODEL, "qwen2.5-coder:1.5b"], "library"
        ollama.fault("drop", path="/v1/models")
        f = Completing(fake_deepseek, debounce=0, prefetch=False, cache=False, model=LOCAL_MODEL)
        try:
            f.configure(backend="openai-suffix", base_url=f"{fake_deepseek.url}/v1", fim_base_url=f"{ollama.url}/v1")
            await f.usage._warming
            assert f.usage._loading is not None and not await f.usage._loading
            f.configure(model="qwen2.5-coder:1.5b")  # the next load
            assert f.usage._loading is not None and await f.usage._loading
            assert [r.json["model"] for r in ollama.requests_to("/v1/completions")] == ["qwen2.5-coder:1.5b"]
        finally:
            await f.stop()
