"""Shared pytest fixtures."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.fake_deepseek import FakeDeepSeek


@pytest.fixture
def fake_deepseek() -> Iterator[FakeDeepSeek]:
    """A fresh fake DeepSeek server on 127.0.0.1 (``.url``, ``.requests``, ``.script(...)``,
    ``.fault(...)``, ``.set_latency(...)``), stopped after the test."""
    with FakeDeepSeek() as fake:
        yield fake
