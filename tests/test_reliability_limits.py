"""Limits: large files are never sent, and every cache or in-memory structure is bounded in
entries and in bytes however long the server runs (each bound tested directly, at its size)."""

from __future__ import annotations

import sys
import time
from pathlib import Path

from lsprotocol import types

from deepseek_lsp import prompts
from deepseek_lsp.completion.cache import Anchor, CompletionCache
from deepseek_lsp.completion.debounce import Debouncer
from deepseek_lsp.context import MAX_FILE_BYTES, Indexer
from deepseek_lsp.documents import DocumentStore
from deepseek_lsp.languages import LanguageRegistry
from deepseek_lsp.model.ledger import Ledger
from deepseek_lsp.model.types import Usage
from deepseek_lsp.review.answer import RawFinding
from deepseek_lsp.review.cache import PRUNE_EVERY, ReviewCache
from tests.fake_deepseek import DEFAULT_KEY, FakeDeepSeek
from tests.harness import eventually, inline_params, insert, lsp_session, open_doc, server_env

FIM = "/beta/completions"
CHAT = "/chat/completions"

# -- files above completion.maxFileBytes ------------------------------------------------------------


async def test_a_file_above_max_file_bytes_sends_nothing_and_says_why(tmp_path: Path) -> None:
    limit = 4000
    big = "def f(x):\n    return x\n" * 200  # 4,800 bytes
    small = "x = \n"
    with FakeDeepSeek() as fake:
        fake.responder(lambda body: "value_ok", path=FIM)
        env = server_env(fake.url, api_key=DEFAULT_KEY, state_dir=str(tmp_path))
        settings = {"completion": {"debounce": 0, "prefetch": False, "maxFileBytes": limit}, "review": {"mode": "onSave"}}
        async with lsp_session(env, settings=settings) as client:
            uri = "file:///ws/big.py"
            open_doc(client, uri, big)
            result = await client.text_document_inline_completion_async(inline_params(uri, 3, 0, invoked=True))
            assert not result.items
            inactive = [s for s in client.statuses if s["kind"] == "Inactive"]
            assert inactive and inactive[-1]["uri"] == uri
            assert f"big.py is larger than {limit} bytes; nothing is sent" in inactive[-1]["message"]
            # Nor for review: not on save, not on command.
            client.text_document_did_save(
                types.DidSaveTextDocumentParams(text_document=types.TextDocumentIdentifier(uri=uri))
            )
            answer = await client.workspace_execute_command_async(
                types.ExecuteCommandParams(command="deepseek.reviewFile", arguments=[uri])
            )
            assert answer["ok"] is False and "larger than" in answer["reason"]
            assert fake.requests_to(FIM) == [] and fake.requests_to(CHAT) == []

            # A small file in the same session is served, and its status is Normal again.
            other = "file:///ws/small.py"
            open_doc(client, other, small)
            result = await client.text_document_inline_completion_async(inline_params(other, 0, 4, invoked=True))
            assert result.items and "value_ok" in result.items[0].insert_text
            assert await eventually(lambda: client.statuses[-1]["kind"] == "Normal")

            # Typing a file past the limit turns it off from that keystroke on.
            sent = len(fake.requests_to(FIM))
            insert(client, other, 2, 1, 0, "# " + "y" * limit + "\n")
            result = await client.text_document_inline_completion_async(inline_params(other, 0, 4, invoked=True))
            assert not result.items and len(fake.requests_to(FIM)) == sent
            assert client.statuses[-1]["kind"] == "Inactive" and client.statuses[-1]["uri"] == other


# -- the completion cache -----------------------------------------------------------------------------


def test_completion_cache_is_bounded_in_entries_and_bytes() -> None:
    cache = CompletionCache(size=64, ttl_s=600, max_bytes=64_000)
    for i in range(5000):
        cache.put(f"key{i}", [f"choice {i} " * 10])
    assert len(cache.exact) == 64
    # A long answer takes the room of several short ones; a runaway one is not kept at all.
    cache.put("long", ["x" * 2000])
    assert cache.get("long") is not None and len(cache.exact) < 64
    cache.put("huge", ["x" * 9000])
    assert cache.get("huge") is None
    for i in range(200):
        cache.put(f"block{i}", ["y" * 3000])
    held = sum(len(c) for choices in cache.exact.values() for c in choices)
    assert held <= 64_000 and len(cache.exact) <= 64

    # Typing-through entries: at most 16 per document, 256 documents. Each suggestion another
    # (the same one for the same place replaces the one held: 858e8f1).
    anchor = Anchor.at(b"x" * 1000, 1000)
    for d in range(1000):
        for k in range(40):
            cache.remember(f"file:///ws/f{d}.py", anchor, f"suggestion {k} " * 8, False)
    through = cache._through
    assert len(through) <= 257 and max(len(v) for v in through.values()) == 16
    # Anchors keep at most TAIL + HEAD bytes of the document, not the document.
    big_doc = b"y" * 1_000_000
    a = Anchor.at(big_doc, 500_000)
    assert len(a.prefix_tail) + len(a.suffix_head) <= 512


def test_completion_feature_side_tables_are_bounded() -> None:
    debouncer = Debouncer()
    for i in range(5000):
        debouncer.keystroke(f"file:///ws/{i}.py", now=float(i))
        debouncer.cancelled(f"file:///ws/{i}.py")
    assert len(debouncer._last_key) <= 1025
    assert len(debouncer._unused) <= 1025
    store = DocumentStore(LanguageRegistry.load())
    store.open("file:///ws/a.py", "x = 1\n", "python", 1)
    for v in range(2, 2000):
        pos = types.Position(line=0, character=0)
        store.change("file:///ws/a.py", v, [types.TextDocumentContentChangePartial(range=types.Range(start=pos, end=pos), text="y")])
    assert len(store.get("file:///ws/a.py").recent_edits) <= 256


def test_token_count_cache_is_bounded_in_bytes_even_for_long_lines() -> None:
    # Typing on one 100 kB line (minified code) makes a new line per keystroke.
    prompts._line_tokens.clear()

    def count(text: str) -> int:
        return len(text) // 4

    line = b"v" * 100_000
    for i in range(300):
        assert prompts.count_line(count, line + str(i).encode()) == (100_000 + len(str(i))) // 4
    assert prompts.count_line(count, line + b"7") == 100_001 // 4  # still cached
    key_bytes = sum(len(k[1]) for k in prompts._line_tokens)
    assert key_bytes <= 300 * 16
    assert max(len(k[1]) for k in prompts._line_tokens) <= prompts.LINE_KEY_MAX_BYTES
    prompts._line_tokens.clear()


# -- the review cache ---------------------------------------------------------------------------------


def _finding(i: int, size: int = 100) -> RawFinding:
    return RawFinding("warning", f"x{i} = load()", "m" * size, None, 0.9, 1)


def test_review_cache_is_bounded_in_entries_while_the_process_runs(tmp_path: Path) -> None:
    cache = ReviewCache(tmp_path / "r.sqlite", max_entries=100)
    for i in range(3 * PRUNE_EVERY):
        cache.put(f"k{i}", [_finding(i)], "m")
    # Pruned every PRUNE_EVERY writes, not only when the file is opened again.
    assert len(cache) <= 100 + PRUNE_EVERY
    cache.prune()
    assert len(cache) == 100
    # The most recently used survive.
    assert cache.get(f"k{3 * PRUNE_EVERY - 1}") is not None and cache.get("k0") is None
    cache.close()


def test_review_cache_is_bounded_in_bytes(tmp_path: Path) -> None:
    cache = ReviewCache(tmp_path / "r.sqlite", max_bytes=50_000)
    for i in range(200):
        cache.put(f"k{i}", [_finding(i, size=400)], "m")  # ~500 bytes of JSON each
        time.sleep(0.0005)  # distinct "used" times, so the order is the order of writes
    cache.get("k3")  # used recently: kept
    cache.prune()
    assert cache.size_bytes() <= 50_000
    assert cache.size_bytes() > 40_000  # only what had to go went
    assert cache.get("k3") is not None and cache.get("k199") is not None
    assert cache.get("k4") is None
    cache.close()


# -- the indexer ------------------------------------------------------------------------------------


def test_indexer_is_bounded_in_files_and_skips_large_ones(tmp_path: Path) -> None:
    indexer = Indexer(LanguageRegistry.load())
    for i in range(400):
        path = tmp_path / f"m{i}.py"
        path.write_text(f"def f{i}(x):\n    return x\n")
        assert indexer.for_file(path) is not None
    assert len(indexer._files) <= 257
    large = tmp_path / "large.py"
    large.write_text("x = 1\n" * (MAX_FILE_BYTES // 6 + 10))
    assert indexer.for_file(large) is None
    # Open documents are indexed until closed.
    store = DocumentStore(LanguageRegistry.load())
    for i in range(50):
        doc = store.open(f"file:///ws/d{i}.py", f"def g{i}():\n    pass\n", "python", 1)
        assert indexer.for_document(doc) is not None
    for i in range(50):
        indexer.forget(f"file:///ws/d{i}.py")
    assert indexer._docs == {}
    # Each index keeps definitions cut to a few lines, not whole files.
    body = "".join(f"    x{j} = {j}\n" for j in range(5000))
    path = tmp_path / "long_function.py"
    path.write_text(f"def long():\n{body}")
    index = indexer.for_file(path)
    assert index is not None
    assert sum(len(d.text) for ds in index.definitions.values() for d in ds) < 1000


# -- the ledger -----------------------------------------------------------------------------------


def test_ledger_memory_is_bounded(tmp_path: Path) -> None:
    ledger = Ledger(tmp_path / "usage.sqlite3", keep_recent=1000)
    for i in range(20_000):
        ledger.record(feature="completion", model=f"m{i % 3}", usage=Usage(100, 10, 50, 50), total_s=0.1)
    assert len(ledger.recent) == 1000
    assert set(ledger.session) == {"m0", "m1", "m2"}  # running totals, not a row per request
    summary = ledger.summary()
    assert summary["today"]["total"]["requests"] == 20_000
    # The file holds one row per day, model and feature.
    assert ledger.file.execute("SELECT COUNT(*) FROM daily")[0][0] == 3
    size = sum(sys.getsizeof(r) for r in ledger.recent)
    assert size < 1000 * 400
    ledger.close()
