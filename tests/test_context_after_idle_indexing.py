"""What the completion feature's prompt carries of the definitions a completion needs, over
consecutive requests (the feature in-process, no model)."""

from __future__ import annotations

import asyncio
from pathlib import Path

from lsprotocol.types import Position, Range, TextDocumentContentChangePartial

from deepseek_lsp.completion.request import Request
from tests.test_completion_units import _feature_for_prompts


async def test_definitions_left_out_for_lack_of_time_are_in_the_next_prompt_once_indexed(tmp_path: Path) -> None:
    """The first request in a file overran its time box reading a large imported module, which
    was indexed while the user paused; but the prompt's snippets are kept while the cursor stays
    in the window, so for the next 30 s of typing in that function no prompt showed the
    imported function's definition."""
    body = "".join(f"def handler_{k}(request):\n    return request.get('k{k}')\n\n" for k in range(3000))
    (tmp_path / "handlers.py").write_text("def build_report(orders, *, currency: str, rounding: int = 2):\n    return orders\n\n" + body)
    feature = _feature_for_prompts([tmp_path.as_uri()])
    text = "from handlers import build_report\n\n\ndef main(orders):\n    report = build_report("
    doc = feature.services.documents.open((tmp_path / "main.py").as_uri(), text, "python", 1)
    feature.indexer.for_document(doc)  # (the document itself is indexed: only the import is late)
    feature.indexer.bytes_per_s = 1e5  # as if handlers.py took seconds to index
    first = feature.prompts.prompt(Request(doc, len(text), False)).prompt
    assert "def build_report(" not in first
    assert [p.name for p in feature.indexer.deferred] == ["handlers.py"]
    feature.idle.last_change = 0.0  # the user pauses
    await feature.idle.indexing
    feature.indexer.bytes_per_s = 2e6
    later = feature.prompts.prompt(Request(doc, len(text), False)).prompt
    assert "# def build_report(orders, *, currency: str, rounding: int = 2):" in later


async def test_a_crawl_of_another_languages_files_keeps_the_prompts_snippets(
    tmp_path: Path,
) -> None:
    """The snippets chosen after the workspace was crawled are kept while the cursor stays near,
    so the prompt's head stays byte-identical (DeepSeek's prefix cache). A JavaScript file
    opened beside a Python one has its own family crawled, which finds no Python name: that
    crawl chose the Python file's snippets anew (the ones now near the cursor), the whole
    prompt a cache miss for nothing."""
    (tmp_path / "lib").mkdir()
    lib = tmp_path / "lib"
    (lib / "a.py").write_text("class A:\n    def alpha(self, x):\n        return x + 1\n")
    (lib / "b.py").write_text("class B:\n    def beta(self, y):\n        return y * 2\n")
    (tmp_path / "web").mkdir()
    (tmp_path / "web" / "app.js").write_text("function route(app) {\n  return app;\n}\n")
    feature = _feature_for_prompts([tmp_path.as_uri()], time_box_ms=5000)
    feature.services.configured.set()
    feature.idle.last_change = 0.0  # the user pauses: the crawls run
    text = "def run(conn):\n    conn.alpha(1)\n    "
    doc = feature.services.documents.open((tmp_path / "main.py").as_uri(), text, "python", 1)
    feature.crawler.request(tmp_path / "main.py", "python")
    await asyncio.wait_for(feature.crawler._tasks["crawl"], 30)
    first = feature.prompts.prompt(Request(doc, len(doc.data), False)).prompt
    assert "def alpha(self, x):" in first
    typed = "conn.beta(2)\n    "
    end = Position(2, 4)
    doc = feature.services.documents.change(
        doc.uri, 2, [TextDocumentContentChangePartial(range=Range(end, end), text=typed)]
    )
    feature.crawler.request(tmp_path / "web" / "app.js", "javascript")
    await asyncio.wait_for(feature.crawler._tasks["crawl"], 30)
    assert feature.symbols.stats()["files"] == 3  # both crawls done
    later = feature.prompts.prompt(Request(doc, len(doc.data), False)).prompt
    head = first.index("def run(conn):")
    assert later[:head] == first[:head]
