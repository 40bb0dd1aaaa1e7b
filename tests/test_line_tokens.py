"""Per-line token counts kept across edits: after any sequence of edits every line's count is
the count of that line's current text, whether it was counted before the edits, in between, or
by the background fill."""

from __future__ import annotations

import asyncio

from hypothesis import given, settings
from hypothesis import strategies as st
from lsprotocol import types

from deepseek_lsp.documents import Document
from deepseek_lsp.line_tokens import LineTokens
from deepseek_lsp.prompts import WINDOW_STEP, build_fim_prompt, count_line, whole_lines


def weighted(text: str) -> int:
    """A stand-in tokenizer that notices any change in a line's text."""
    return sum(ord(ch) % 7 + 1 for ch in text)


def line_text(doc: Document, line: int) -> str:
    return doc.data[doc.line_start(line) : doc.line_start(line + 1)].decode()


def change(doc: Document, start: int, end: int, new: str) -> None:
    doc.apply_change(
        types.TextDocumentContentChangePartial(
            range=types.Range(start=doc.position_at(start), end=doc.position_at(end)), text=new
        )
    )


_texts = st.lists(st.sampled_from(["a", "bc", " ", "\n", "\r\n", "\r", "é", "🙂", "x = 1\n", "\n\n"]), max_size=12).map(
    "".join
)


@settings(max_examples=200, deadline=None)
@given(
    _texts,
    st.lists(st.tuples(st.floats(0, 1), st.floats(0, 1), _texts, st.booleans()), max_size=12),
)
def test_counts_follow_edits(initial: str, edits: list[tuple[float, float, str, bool]]) -> None:
    doc = Document("file:///t.py", initial)
    lines = LineTokens()
    tokens = lines.counter(doc, weighted)
    for line in range(doc.line_count):
        tokens(line)
    for a, b, new, look in edits:
        size = len(doc.data)
        start, end = sorted((int(a * size), int(b * size)))
        # Keep offsets on character boundaries (positions are per character).
        text = doc.text
        start = len(text.encode()[:start].decode(errors="ignore").encode())
        end = len(text.encode()[:end].decode(errors="ignore").encode())
        change(doc, start, end, new)
        if look:  # count some lines between edits too
            tokens = lines.counter(doc, weighted)
            tokens(doc.line_count // 2)
    tokens = lines.counter(doc, weighted)
    for line in range(doc.line_count):
        assert tokens(line) == weighted(line_text(doc, line)), line


_BASE = "".join(f"value_{i} = compute({i}, other)\n" if i % 5 else "\n" for i in range(200))


@settings(max_examples=100, deadline=None)
@given(st.lists(st.tuples(st.floats(0, 1), st.floats(0, 0.05), _texts), max_size=10))
def test_block_sums_follow_edits(edits: list[tuple[float, float, str]]) -> None:
    """A block's sum, once known, is always the sum of its lines' current counts."""
    doc = Document("file:///t.py", _BASE)
    lines = LineTokens()
    asyncio.run(lines.fill(doc, weighted, lambda: 0.0))

    def check() -> None:
        tokens = lines.counter(doc, weighted)
        for b in range(doc.line_count // WINDOW_STEP + 1):
            total = tokens.block(b)
            first, stop = b * WINDOW_STEP, (b + 1) * WINDOW_STEP
            if stop <= doc.line_count and all(tokens(n) >= 0 for n in range(first, stop)):
                assert tokens.block(b) == sum(weighted(line_text(doc, n)) for n in range(first, stop))
            if total is not None:
                assert total == sum(weighted(line_text(doc, n)) for n in range(first, stop)), b

    check()
    for a, span, new in edits:
        size = len(doc.data)
        start = int(a * size)
        end = min(size, start + int(span * size))
        change(doc, start, end, new)
        check()


def test_windows_walked_by_blocks_are_the_windows_walked_by_lines() -> None:
    text = "".join(f"    item_{i} = transform(item_{i - 1}, {i})  # step {i}\n" for i in range(3000))
    doc = Document("file:///big.py", text)
    lines = LineTokens()
    asyncio.run(lines.fill(doc, weighted, lambda: 0.0))
    for line in range(0, 3000, 37):
        for budget in (300, 1000, 4096, 20_000):
            offset = doc.line_end(line)
            by_blocks = build_fim_prompt(
                doc, offset, budget=budget, suffix_share=0.1, count=weighted,
                line_tokens=lines.counter(doc, weighted),
            )
            by_lines = build_fim_prompt(
                doc, offset, budget=budget, suffix_share=0.1, count=weighted, line_tokens=whole_lines(doc, weighted)
            )
            assert by_blocks == by_lines, (line, budget)


def test_background_fill_counts_every_line_and_stops_when_the_document_goes() -> None:
    text = "".join(f"value_{i} = compute({i}, other)\n" for i in range(500))
    doc = Document("file:///big.py", text)
    lines = LineTokens()

    asyncio.run(lines.fill(doc, weighted, lambda: 0.0))
    assert lines.known(doc) == doc.line_count
    calls: list[str] = []

    def spy(text: str) -> int:
        calls.append(text)
        return weighted(text)

    tokens = lines.counter(doc, spy)
    assert calls == []  # another counter: nothing known for it yet
    tokens(3)
    assert len(calls) == 1

    replaced = Document("file:///big.py", text)
    lines.counter(replaced, weighted)
    asyncio.run(lines.fill(doc, weighted, lambda: 0.0))  # the old document: nothing to do
    assert lines.known(replaced) == 0


def test_an_edit_invalidates_only_the_lines_it_touches() -> None:
    doc = Document("file:///t.py", "".join(f"line {i}\n" for i in range(100)))
    lines = LineTokens()
    asyncio.run(lines.fill(doc, weighted, lambda: 0.0))
    change(doc, doc.line_start(50), doc.line_start(50), "new line\nanother\n")
    assert lines.known(doc) == 0  # stale until synced
    lines.counter(doc, weighted)
    # Only the line the text went into, now three lines, is unknown; the 100 others kept counts.
    assert doc.line_count == 103
    assert lines.known(doc) == 100


def test_count_line_cache_is_shared_by_every_bound_method_of_one_counter() -> None:
    class Counter:
        calls = 0

        def count(self, text: str) -> int:
            Counter.calls += 1
            return len(text)

    counter = Counter()
    line = b"shared cache key for bound methods\n"
    assert count_line(counter.count, line) == count_line(counter.count, line)
    assert Counter.calls == 1


async def test_a_file_opened_before_the_tokenizer_loaded_is_recounted_as_soon_as_it_has() -> None:
    """At start-up the editor opens files while the tokenizer is still loading: their lines are
    counted with the estimate. The exact recount must not wait for the first completion request
    (it would then run, ~0.5 s for a large file, in slices between the user's first requests)."""
    from types import SimpleNamespace

    from deepseek_lsp.completion.feature import CompletionFeature
    from deepseek_lsp.config import Settings
    from deepseek_lsp.documents import DocumentStore
    from deepseek_lsp.features import Services
    from deepseek_lsp.languages import LanguageRegistry
    from deepseek_lsp.model.tokens import EstimateCounter
    from deepseek_lsp.status import StatusReporter

    registry = LanguageRegistry.load()
    store = DocumentStore(registry)
    services = Services(store, registry, StatusReporter(lambda s: None, lambda m, level=2: None), Settings())
    estimate, exact = EstimateCounter(), EstimateCounter(0.5)  # two counters that disagree
    services.models = SimpleNamespace(counter=estimate, idle=lambda: False)
    feature = CompletionFeature(services)
    text = "".join(f"value_{i} = compute({i}, other)\n" for i in range(400))
    doc = store.open("file:///w/big.py", text, "python", 1)
    feature.document_opened(doc)

    async def counted_by(count: object) -> None:
        for _ in range(500):
            if feature.line_tokens.known(doc, count) == doc.line_count:  # type: ignore[arg-type]
                return
            await asyncio.sleep(0.01)
        raise AssertionError(f"{feature.line_tokens.known(doc, count)} of {doc.line_count} lines counted")  # type: ignore[arg-type]

    await counted_by(estimate.count)
    services.models.counter = exact
    feature.tokenizer_loaded()
    await counted_by(exact.count)
    assert feature.line_tokens.counter(doc, exact.count)(7) == exact.count(line_text(doc, 7))


@settings(max_examples=300, deadline=None)
@given(_texts, _texts, st.floats(0, 1), st.floats(0, 1), _texts, st.booleans())
def test_counts_of_a_document_opened_again_are_its_lines(
    initial: str, tail: str, a: float, b: float, new: str, edited_open: bool
) -> None:
    """Closed and opened again with another text (lines added, removed, changed anywhere, a
    lone "\\r" in either), each line's count is its own text's."""
    lines = LineTokens()
    first = Document("file:///t.py", initial + tail)
    if edited_open:
        change(first, 0, 0, "x\n")
    tokens = lines.counter(first, weighted)
    for line in range(first.line_count):
        tokens(line)
    lines.forget(first.uri)
    text = first.data
    start, end = sorted((int(a * len(text)), int(b * len(text))))
    start = len(text[:start].decode(errors="ignore").encode())
    end = len(text[:end].decode(errors="ignore").encode())
    again = Document(first.uri, (text[:start] + new.encode() + text[end:]).decode())
    tokens = lines.counter(again, weighted)
    for line in range(again.line_count):
        assert tokens(line) == weighted(line_text(again, line)), line


def test_a_document_opened_again_counts_only_the_lines_that_differ() -> None:
    """A tab closed and reopened, Neovim's ``:bd`` then ``:e``: the whole file was counted
    anew (~25 us a line with the real tokenizer, 65 ms for argparse.py), its lines unchanged."""
    counted: list[str] = []

    def counting(text: str) -> int:
        counted.append(text)
        return weighted(text)

    text = "".join(f"line {i}\n" for i in range(100))
    lines = LineTokens()
    doc = Document("file:///t.py", text)
    asyncio.run(lines.fill(doc, counting, lambda: 0.0))
    lines.forget(doc.uri)
    again = Document(doc.uri, text.replace("line 50\n", "line 50 changed\nand one more\n"))
    lines.counter(again, counting)
    assert lines.known(again) == 100  # all but the two lines written over line 50
    counted.clear()
    asyncio.run(lines.fill(again, counting, lambda: 0.0))
    assert counted == ["line 50 changed\n", "and one more\n"]
    other = Document("file:///other.py", text)  # another file's counts are not its
    lines.counter(other, counting)
    assert lines.known(other) == 0


def test_twenty_open_tabs_keep_their_counts_when_the_user_comes_back() -> None:
    """A user works in one tab after another; back in the first, its lines are not counted
    again (four documents were kept: the fifth pushed the first out, ~25 us a line of the
    real tokenizer to count it anew, 65 ms for a 2,600-line module)."""
    text = "".join(f"value_{i} = compute({i}, other)\n" for i in range(2000))
    calls: list[str] = []

    def spy(text: str) -> int:
        calls.append(text)
        return weighted(text)

    lines = LineTokens()
    docs = [Document(f"file:///tab{n}.py", text) for n in range(20)]
    for doc in docs:
        asyncio.run(lines.fill(doc, spy, lambda: 0.0))
    assert len(calls) == 20 * 2000
    calls.clear()
    tokens = lines.counter(docs[0], spy)
    assert [tokens(n) for n in range(0, 2000, 100)] == [weighted(line_text(docs[0], n)) for n in range(0, 2000, 100)]
    assert calls == []
    assert lines.known(docs[0]) == docs[0].line_count


def test_the_counts_kept_are_bounded_by_their_size_not_by_how_many_documents() -> None:
    small = "".join(f"x_{i} = {i}\n" for i in range(100))
    big = "".join(f"x_{i} = {i}\n" for i in range(50_000))
    lines = LineTokens(max_bytes=100_000)
    few = [Document(f"file:///small{n}.py", small) for n in range(50)]
    for doc in few:
        asyncio.run(lines.fill(doc, weighted, lambda: 0.0))
    assert all(lines.known(doc) == doc.line_count for doc in few)  # 50 x ~0.4 kB: all kept
    large = Document("file:///big.py", big)
    asyncio.run(lines.fill(large, weighted, lambda: 0.0))
    # The large one (~200 kB of counts) is the one in use: kept whole, the rest let go.
    assert lines.known(large) == large.line_count
    assert lines.size_bytes() <= 100_000 + 4 * (large.line_count + 1) * 2
    assert sum(1 for doc in few if lines.known(doc)) == 0
