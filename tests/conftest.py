"""Shared pytest fixtures."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import pytest

from tests.completing import Completing
from tests.fake_deepseek import FakeDeepSeek


@pytest.fixture
def fake_deepseek() -> Iterator[FakeDeepSeek]:
    """A fresh fake DeepSeek server on 127.0.0.1 (``.url``, ``.requests``, ``.script(...)``,
    ``.fault(...)``, ``.set_latency(...)``), stopped after the test."""
    with FakeDeepSeek() as fake:
        yield fake


@pytest.fixture
def state_dir(tmp_path, monkeypatch) -> None:
    """Usage, caches and stores in the test's own folder (``pytestmark`` of a module)."""
    monkeypatch.setenv("DEEPSEEK_LSP_STATE_DIR", str(tmp_path))


@pytest.fixture
async def completing(fake_deepseek: FakeDeepSeek) -> AsyncIterator[Completing]:
    """The completion feature without a server, against ``fake_deepseek``, with no debounce
    nor prefetch."""
    c = Completing(fake_deepseek, debounce=0, prefetch=False)
    try:
        yield c
    finally:
        await c.stop()
