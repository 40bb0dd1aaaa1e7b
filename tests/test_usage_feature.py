"""The shared model client's connection across pauses in the user's work (UsageFeature, no server).

A connection left idle does not last (servers close them; the pool drops its own after
``keepalive_expiry``), and opening one again (TCP, TLS) would land in the first completion's wait
after the pause. The first keystroke after a pause opens it instead, while the user types.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest

from deepseek_lsp.config import Settings
from deepseek_lsp.documents import DocumentStore
from deepseek_lsp.features import Services
from deepseek_lsp.languages import LanguageRegistry
from deepseek_lsp.model import EndpointConfig, FimRequest, ModelClient
from deepseek_lsp.status import StatusReporter
from deepseek_lsp.usage_feature import UsageFeature
from tests.fake_deepseek import DEFAULT_KEY, FakeDeepSeek

KEEPALIVE_S = 0.4  # the pool's idle expiry here; a pause is a third of it (ModelClient.stale_after)


@pytest.fixture
async def feature(fake_deepseek: FakeDeepSeek, tmp_path, monkeypatch) -> AsyncIterator[UsageFeature]:
    monkeypatch.setenv("DEEPSEEK_LSP_STATE_DIR", str(tmp_path))
    registry = LanguageRegistry.load()
    settings = Settings(base_url=fake_deepseek.url, api_key=DEFAULT_KEY)
    status = StatusReporter(lambda s: None, lambda m, level=2: None)
    services = Services(DocumentStore(registry), registry, status, settings)
    feature = UsageFeature(services)
    await services.models.client.aclose()
    services.models.client = ModelClient(
        EndpointConfig(base_url=fake_deepseek.url, api_key=DEFAULT_KEY, keepalive_expiry=KEEPALIVE_S),
        services.models.ledger,
    )
    services.configured.set()
    yield feature
    await feature.stop()


async def complete(client: ModelClient) -> None:
    loop = asyncio.get_running_loop()
    await client.fim(FimRequest(prompt="def add(a, b):\n    ", suffix="\n", max_tokens=16), loop.time() + 5)


async def settled(feature: UsageFeature) -> None:
    if feature._warming is not None:
        await feature._warming


async def test_the_first_keystroke_after_a_pause_reopens_the_connection_for_the_completion(
    feature: UsageFeature, fake_deepseek: FakeDeepSeek
) -> None:
    client = feature.services.models.client
    doc = feature.services.documents.open("file:///ws/a.py", "x = 1\n", "python", 1)
    await complete(client)
    before = fake_deepseek.requests[-1].peer

    # Typing on right after a completion: nothing is sent.
    feature.document_changed(doc)
    await settled(feature)
    assert len(fake_deepseek.requests) == 1

    await asyncio.sleep(KEEPALIVE_S + 0.1)  # a pause: the pool has dropped the idle connection
    for _ in range(5):  # the first keystrokes after it: one warm-up, no tokens
        feature.document_changed(doc)
    await settled(feature)
    warm = fake_deepseek.requests[1:]
    assert [r.path for r in warm] == ["/models"]
    assert warm[0].peer != before  # a new connection, opened by the keystroke

    await complete(client)
    assert fake_deepseek.requests[-1].path == "/beta/completions"
    assert fake_deepseek.requests[-1].peer == warm[0].peer  # the completion found it open


async def test_opening_a_file_after_a_pause_reopens_it_too(
    feature: UsageFeature, fake_deepseek: FakeDeepSeek
) -> None:
    client = feature.services.models.client
    await complete(client)
    doc = feature.services.documents.open("file:///ws/b.py", "y = 2\n", "python", 1)
    feature.document_opened(doc)
    await settled(feature)
    assert [r.path for r in fake_deepseek.requests] == ["/beta/completions"]
    client.last_active -= KEEPALIVE_S  # as after a pause
    feature.document_opened(doc)
    await settled(feature)
    assert [r.path for r in fake_deepseek.requests] == ["/beta/completions", "/models"]
