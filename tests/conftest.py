"""Shared pytest fixtures."""

from __future__ import annotations

import os
import sys
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from deepseek_lsp.model import EndpointConfig, ModelClient
from deepseek_lsp.review.cache import ReviewCache
from deepseek_lsp.review.engine import ReviewEngine
from tests.completing import Completing
from tests.fake_deepseek import DEFAULT_KEY, FakeDeepSeek
from tests.harness import refused_url


def pytest_configure(config: pytest.Config) -> None:
    keep_rewritten_modules(config)


def keep_rewritten_modules(config: pytest.Config) -> None:
    """Keep the test modules as pytest rewrote their asserts, and the modules imported after
    them (here and in the processes the tests start) compiled, in pytest's cache folder when
    ``PYTHONDONTWRITEBYTECODE`` forbids ``__pycache__`` (this project's containers set it):
    pytest rewrote all 250 test modules at every run, 6.5 s of the 9.5 s of CPU its collection
    took. Out of the source folders, as the variable asks; without pytest's cache
    (``-p no:cacheprovider``) as before."""
    cache = getattr(config, "cache", None)
    if not sys.dont_write_bytecode or sys.pycache_prefix or cache is None:
        return
    sys.pycache_prefix = str(cache.mkdir("pyc"))
    sys.dont_write_bytecode = False
    # And in the interpreters the tests start (servers, the zygote, the command line): each
    # compiled the server's modules again, ~0.25 s of CPU a start.
    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
    os.environ["PYTHONPYCACHEPREFIX"] = sys.pycache_prefix


@pytest.fixture
def fake_deepseek() -> Iterator[FakeDeepSeek]:
    """A fresh fake DeepSeek server on 127.0.0.1 (``.url``, ``.requests``, ``.script(...)``,
    ``.fault(...)``, ``.set_latency(...)``), stopped after the test."""
    with FakeDeepSeek() as fake:
        yield fake


@pytest.fixture
def refused() -> Iterator[str]:
    """An http URL on 127.0.0.1 that refuses connections for the whole test (``refused_url``)."""
    with refused_url() as url:
        yield url


@pytest.fixture(autouse=True)
def own_state_folder(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """Usage, the review cache and the stores in a folder of the test's own, for every test
    (the servers the tests start inherit it). In the user's folder they were shared between
    runs and tests: a review answered from an earlier run's cache never met the fault its
    test had set up, and the day's spend grew with every run against the budgets tests set."""
    monkeypatch.setenv("DEEPSEEK_LSP_STATE_DIR", str(tmp_path_factory.mktemp("state")))


@pytest.fixture
def state_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Usage, caches and stores in the test's ``tmp_path`` (``pytestmark`` of a module whose
    tests read them there)."""
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


@pytest.fixture
async def client(fake_deepseek: FakeDeepSeek) -> AsyncIterator[ModelClient]:
    """A model client of ``fake_deepseek`` (the review tests'; a test module may have its own)."""
    async with ModelClient(EndpointConfig(base_url=fake_deepseek.url, api_key=DEFAULT_KEY)) as c:
        yield c


@pytest.fixture
def engine(tmp_path: Path) -> ReviewEngine:
    """A review engine with its cache in the test's folder."""
    return ReviewEngine(ReviewCache(tmp_path / "review-cache.sqlite"))
