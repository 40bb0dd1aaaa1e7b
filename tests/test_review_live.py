"""Opt-in: a real review by DeepSeek (``DEEPSEEK_API_KEY=... pytest -m live``); a fraction of a cent.

Checks what the fake cannot: that the real model answers our prompt in the JSON shape we ask for,
and that its excerpts are found in the text (models miscount lines, but must quote verbatim).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from deepseek_lsp.config import build_settings
from deepseek_lsp.documents import Document
from deepseek_lsp.languages import LanguageRegistry
from deepseek_lsp.model import EndpointConfig, ModelClient
from deepseek_lsp.review.cache import ReviewCache
from deepseek_lsp.review.engine import ReviewEngine

KEY = os.environ.get("DEEPSEEK_API_KEY")
DATA = Path(__file__).parent / "data" / "review"

pytestmark = [
    pytest.mark.live,
    pytest.mark.skipif(not KEY, reason="set DEEPSEEK_API_KEY to run live DeepSeek tests"),
]


async def test_live_review_places_real_findings(tmp_path: Path) -> None:
    layer = (
        {"review": {"model": os.environ["DEEPSEEK_REVIEW_MODEL"]}}
        if os.environ.get("DEEPSEEK_REVIEW_MODEL")
        else None
    )
    settings, _ = build_settings(layer, env=dict(os.environ))
    text = (DATA / "inventory.py").read_text()
    doc = Document(
        "file:///live/inventory.py", text, language=LanguageRegistry.load().get("python")
    )
    engine = ReviewEngine(ReviewCache(tmp_path / "review-cache.sqlite"))
    async with ModelClient(EndpointConfig(base_url=settings.base_url, api_key=KEY)) as client:
        outcome = await engine.review(client, doc, settings)
    assert not outcome.errors, [e.user_message for e in outcome.errors]
    assert not outcome.problems
    # The SQL injection in find_item is hard to miss.
    assert any("find_item" == f.unit and f.severity == "critical" for f in outcome.findings), (
        outcome.findings
    )
    for f in outcome.findings:
        assert "".join(doc.data[f.start : f.end].decode().split()) == "".join(f.code.split())
    assert outcome.stats.placed >= outcome.stats.unplaced
