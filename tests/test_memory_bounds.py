"""What keeps memory bounded with many files open: one-off parses (indexing another file for
context, showing cached review findings at open) do not take the places of the trees of the
files being edited; freed memory is handed back to the system."""

from __future__ import annotations

import asyncio
import gc
import io
import os
import weakref

from lsprotocol import types

from deepseek_lsp.config import build_settings
from deepseek_lsp.context import Indexer
from deepseek_lsp.context.receivers import receiver_at
from deepseek_lsp.documents import DocumentStore
from deepseek_lsp.heap import Collector, Trimmer, trim
from deepseek_lsp.languages import LanguageRegistry
from deepseek_lsp.model.types import StreamResult
from deepseek_lsp.review.cache import ReviewCache
from deepseek_lsp.review.engine import ReviewEngine
from deepseek_lsp.review.reviewing import review_targets
from deepseek_lsp.review.targets import Target

REGISTRY = LanguageRegistry.load()
CODE = "import os\n\n\ndef area(r):\n    return 3.14 * r * r\n\n\nclass Shape:\n    def size(self):\n        return 1\n"


def test_indexing_another_file_does_not_evict_the_edited_files_tree() -> None:
    store = DocumentStore(REGISTRY, max_trees=1)
    edited = store.open("file:///ws/edited.py", CODE, "python", 1)
    assert edited.tree is not None
    other = store.open("file:///ws/other.py", CODE, "python", 1)
    index = Indexer(REGISTRY).for_document(other)
    assert index is not None and "area" in index.definitions
    assert not other.has_tree, "parsed only to be indexed: let go"
    assert edited.has_tree, "the edited file keeps its tree"


def test_a_fresh_index_is_returned_without_parsing_again() -> None:
    store = DocumentStore(REGISTRY)
    doc = store.open("file:///ws/a.py", CODE, "python", 1)
    indexer = Indexer(REGISTRY)
    first = indexer.for_document(doc)
    assert not doc.has_tree
    assert indexer.for_document(doc) is first
    assert not doc.has_tree, "a cached index needs no tree"


def test_the_store_forgets_trees_dropped_by_their_users() -> None:
    store = DocumentStore(REGISTRY, max_trees=2)
    a, b, c = (store.open(f"file:///ws/{n}.py", CODE, "python", 1) for n in "abc")
    assert a.tree is not None and b.tree is not None
    b.drop_tree()  # a one-off user let it go
    assert c.tree is not None
    assert a.has_tree, "the dropped tree's place was free: nothing else was evicted"


def test_showing_cached_findings_at_open_parses_only_when_there_are_reviews(tmp_path) -> None:
    settings, _ = build_settings(env={})
    cache = ReviewCache(tmp_path / "reviews.sqlite")
    engine = ReviewEngine(cache)
    store = DocumentStore(REGISTRY)
    doc = store.open("file:///ws/a.py", CODE, "python", 1)
    findings, complete = engine.cached_findings(doc, settings)
    assert findings == [] and not complete
    assert not doc.has_tree, "no review cached anywhere: the file is not even parsed"
    cache.put("some-unit", [], "deepseek-v4-pro")
    edited = store.open("file:///ws/edited.py", CODE, "python", 1)
    store.max_trees = 1
    assert edited.tree is not None
    with doc.transient_tree():  # as the review feature looks them up at open
        engine.cached_findings(doc, settings)
        assert doc.has_tree  # parsed now: there are reviews to look up unit by unit
    assert not doc.has_tree and edited.has_tree


def test_freed_memory_is_trimmed_once_after_a_burst() -> None:
    assert trim() is True  # glibc on this machine

    async def burst() -> int:
        trimmer = Trimmer(delay=0.05)
        for _ in range(10):
            trimmer.freed()
        await asyncio.sleep(0.2)
        return trimmer.trims

    assert asyncio.run(burst()) == 1


class _Node:
    def __init__(self) -> None:
        self.other: _Node | None = None


def test_cycles_are_collected_after_an_answer_once_due() -> None:
    """The collector runs when an answer went out, and only once the allocations made it due;
    the generation collected follows CPython's rule (each after so many of the one below)."""
    saved, enabled = gc.get_threshold(), gc.isenabled()
    gc.disable()  # only the collector collects here
    gc.collect()
    try:
        collector = Collector((1000, 2, 2))

        async def answer() -> None:
            collector.answered()
            collector.answered()  # twice before the loop runs: one collection
            await asyncio.sleep(0)

        keep = [[] for _ in range(100)]
        asyncio.run(answer())
        assert collector.collections == [0, 0, 0]  # 100 allocations: not due

        a, b = _Node(), _Node()
        a.other, b.other = b, a
        dead = weakref.ref(a)
        del a, b
        keep += [[] for _ in range(2000)]
        asyncio.run(answer())
        assert collector.collections == [1, 0, 0]
        assert dead() is None  # the cycle is gone
        assert gc.get_count()[0] < 1000
        for _ in range(6):
            keep += [[] for _ in range(2000)]
            asyncio.run(answer())
        assert collector.collections == [4, 2, 1]
        collector.install()
        assert gc.get_threshold() == (10_000, 2, 2)  # automatic: a backstop at 10x
    finally:
        gc.set_threshold(*saved)
        if enabled:
            gc.enable()


def test_the_terminal_review_keeps_no_syntax_tree_of_the_files_it_reviewed(tmp_path, monkeypatch) -> None:
    """``deepseek-lsp review .`` kept every file's tree (some twenty times its text) until the
    report was written: a gigabyte for a large project, where ``--jobs`` files at a time need one."""

    class Reviewer:
        async def chat_with_retry(self, req: object, deadline: float, max_retries: int = 2, **_: object) -> StreamResult:
            return StreamResult(text='{"findings": []}', finish_reason="stop")

    monkeypatch.setenv("DEEPSEEK_LSP_STATE_DIR", str(tmp_path / "state"))
    files = []
    for i in range(3):
        path = tmp_path / f"m{i}.py"
        path.write_text(CODE + f"\n\ndef f{i}():\n    return {i}\n")
        files.append(path)
    settings, _ = build_settings(env={"DEEPSEEK_API_KEY": "k"})
    cache = ReviewCache(tmp_path / "reviews.sqlite")
    results, fatal = asyncio.run(
        review_targets(
            [Target(p) for p in files], settings, REGISTRY, jobs=1, use_cache=True, root=tmp_path,
            client=Reviewer(), engine=ReviewEngine(cache), stream=io.StringIO(),
        )
    )
    cache.close()
    assert fatal is None and [r.units for r in results] == [4, 4, 4]
    assert not any(r.doc.has_tree for r in results)


def _rss_mb() -> int:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") // 1_000_000


def test_a_closed_files_tree_is_not_kept_by_the_receivers_of_a_class_not_closed_yet() -> None:
    """``this.conn.`` in a 1 MB Java class whose ``}`` is not typed yet: the error's children
    kept for the request's next receivers held the file's tree (64 MB) after it was closed,
    until a request in another class not closed yet."""
    member = "  Conn conn%d;\n  void m%d(Client k) { k.conn.send(1); this.conn.send(2); }\n"
    text = "class Client {\n  Conn conn;\n" + "".join(member % (i, i) for i in range(15_000))
    text += "  void run() {\n    this.conn."
    store, indexer = DocumentStore(REGISTRY), Indexer(REGISTRY)
    gc.collect()
    trim()
    before = _rss_mb()
    doc = store.open("file:///ws/Client.java", text, "java", 1)
    assert doc.tree is not None
    assert receiver_at("java", doc.tree, doc.data, len(doc.data)) == "Conn"
    # As the server closes a file (server.did_close, CompletionFeature.document_closed).
    store.close(doc.uri)
    indexer.forget(doc.uri)
    del doc
    gc.collect()
    trim()
    assert _rss_mb() - before < 20


def test_an_index_rebuilt_is_let_go_with_the_names_looked_up_over_it() -> None:
    """The names a prefix look-up reads, kept by the list of indexes they were read over, held
    those indexes themselves: each rebuild of the file being typed in (every 2 s of typing)
    and each list the context's files grew through kept its index and its sets of names
    alive, up to 64 lists (bench_memory: 10 indexes, 0.8 MB, and 0.8 MB of sets after its
    replay)."""
    from deepseek_lsp.context.lookup import _over_indexes, sorted_definitions

    _over_indexes.clear()
    store, indexer = DocumentStore(REGISTRY), Indexer(REGISTRY)
    doc = store.open("file:///ws/typed.py", CODE, "python", 1)
    other = store.open("file:///ws/other.py", CODE.replace("area", "volume"), "python", 1)
    first = indexer.for_document(doc)
    assert first is not None
    assert "area" in sorted_definitions([first, indexer.for_document(other)])
    gone = weakref.ref(first)
    store.change(doc.uri, 2, [types.TextDocumentContentChangeWholeDocument(text=CODE + "def perimeter(r):\n    return r\n")])
    rebuilt = indexer.for_document(doc, force=True)
    assert rebuilt is not None and rebuilt is not first
    del first
    gc.collect()
    assert gone() is None, "the old index is let go once rebuilt"
    assert "perimeter" in sorted_definitions([rebuilt, indexer.for_document(other)])
    assert len([k for k in _over_indexes if k[0] == "sorted"]) == 1, "the names over the old index went with it"


def test_the_definitions_of_an_index_share_their_kinds_string() -> None:
    """Each definition's kind (``function``, ``method``) was a string of its own, cut from its
    query capture's name: 10,400 of them after bench_memory's replay, 0.58 MB."""
    store, indexer = DocumentStore(REGISTRY), Indexer(REGISTRY)
    text = "".join(f"def f{i}(x):\n    return x\n\n\nclass C{i}:\n    def m(self):\n        return 1\n\n\n" for i in range(20))
    index = indexer.for_document(store.open("file:///ws/many.py", text, "python", 1))
    assert index is not None
    kinds: dict[str, set[int]] = {}
    for definitions in index.definitions.values():
        for d in definitions:
            kinds.setdefault(d.kind, set()).add(id(d.kind))
    assert {"function", "class"} <= kinds.keys()
    assert all(len(ids) == 1 for ids in kinds.values()), {k: len(v) for k, v in kinds.items()}
