"""Inputs real files have that made the server's own work per keystroke grow with the file or a
line instead of staying at a few milliseconds (found by an audit; each test failed before its
fix). The time bounds are at least ten times what the fixed code takes on a loaded machine, and
bound the test thread's CPU time where the work runs in it (tests/cpu_time.py)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from lsprotocol import types

from deepseek_lsp.completion.postprocess._scanner import _BracketScanner
from deepseek_lsp.completion.postprocess._syntax import _syntax_for
from deepseek_lsp.completion.request import Request
from deepseek_lsp.completion.scan_states import LineStates
from deepseek_lsp.context import indexer as context
from deepseek_lsp.documents import DocumentStore
from deepseek_lsp.languages import LanguageRegistry
from deepseek_lsp.model.tokens import default_counter
from deepseek_lsp.privacy import REDACTED, redact
from deepseek_lsp.prompts import build_fim_prompt
from tests.completing import Completing
from tests.cpu_time import ThreadCpu
from tests.fake_deepseek import FakeDeepSeek
from tests.test_completion_units import _feature_for_prompts

REGISTRY = LanguageRegistry.load()


@pytest.fixture(autouse=True)
def state_dir(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("DEEPSEEK_LSP_STATE_DIR", str(tmp_path))


def test_typing_at_the_end_of_a_long_non_ascii_line_costs_no_walk_over_its_characters() -> None:
    """A minified bundle's one line with a single ``é`` in it: a column was turned into a byte
    offset (and back) by a Python loop over every character before it, ~0.25 s each time, twice
    for each key typed there (the change's range) and again for the request (3.8 s for five
    keys on this 1 MB line, against ~60 ms now)."""
    line = "var s='é';" + "var a=function(){return 1};" * 40_000
    for encoding in ("utf-16", "utf-32"):
        store = DocumentStore(REGISTRY, encoding)  # type: ignore[arg-type]
        doc = store.open("file:///w/bundle.min.js", line + "\n", "javascript", 1)
        col = len(line)
        with ThreadCpu() as cpu:
            for i in range(5):
                pos = types.Position(0, col + i)
                change = types.TextDocumentContentChangePartial(range=types.Range(pos, pos), text="x")
                store.change(doc.uri, i + 2, [change])
                offset = doc.offset_at(types.Position(0, col + i + 1))
                assert doc.position_at(offset).character == col + i + 1
        assert doc.line_text(0) == line + "xxxxx"
        assert cpu.seconds < 1.5, f"{encoding}: five keys took {cpu.seconds:.2f} s of CPU"


def test_typing_in_a_one_line_20_mb_file_does_not_scan_the_line_byte_by_byte() -> None:
    """A minified JSON file, a source map: the line's end was looked for with a regex that
    reads every byte in Python's regex engine (~8 ms a megabyte), three times for each key,
    3.3 s for these five keys, 0.1 s now (too large to be sent, it is still edited)."""
    line = '{"id":1,"v":"x"},' * 1_200_000
    store = DocumentStore(REGISTRY, "utf-16")
    doc = store.open("file:///w/data.min.json", "[" + line + "]", "json", 1)
    with ThreadCpu() as cpu:
        for i, col in enumerate((len(line), len(line) // 2, 3, len(line) + 1, 1)):
            pos = types.Position(0, col)
            change = types.TextDocumentContentChangePartial(range=types.Range(pos, pos), text=" ")
            store.change(doc.uri, i + 2, [change])
            assert doc.line_end(0) == len(doc) and doc.line_count == 1
    assert cpu.seconds < 1.5, f"five keys took {cpu.seconds:.2f} s of CPU"


def test_a_key_typed_in_a_minified_line_has_only_the_part_near_the_cursor_counted() -> None:
    """The cursor line's part before (and after) the cursor was counted whole on each keystroke
    to learn it was over the budget: at the end of a 200 kB minified bundle's line, 110 ms of
    DeepSeek's tokenizer twice a request (~290 ms a key in all, ~30 ms now), for a prompt that
    keeps ~6 kB of the line. Measured here by the longest text handed to the tokenizer."""
    line = "var s=function(a,b){return a.map(function(x){return x+b})};" * 3_400
    doc = DocumentStore(REGISTRY).open("file:///w/bundle.min.js", line + "\n", "javascript", 1)
    counted: list[int] = []
    real = default_counter().count

    def count(text: str) -> int:
        counted.append(len(text))
        return real(text)

    for offset, budget in ((len(line), 2048), (len(line) // 2, 2048), (7, 1024)):
        counted.clear()
        fim = build_fim_prompt(doc, offset, budget=budget, suffix_share=0.1, count=count)
        assert max(counted) <= 8 * budget + 4, (offset, max(counted))
        assert line[:offset].endswith(fim.prompt[-100:]) and (line + "\n")[offset:].startswith(fim.suffix[:100])
        # Never over the budget, and most of it where the line before the cursor is long.
        assert real(fim.prompt) + real(fim.suffix) <= budget
        assert offset < 100 or real(fim.prompt) + real(fim.suffix) > 0.7 * budget
    # Text sparser than that (a run of blanks) is counted whole, and still cut to the budget.
    sparse = DocumentStore(REGISTRY).open("file:///w/blank.js", "x" + " " * 100_000 + "y\n", "javascript", 1)
    fim = build_fim_prompt(sparse, 100_001, budget=256, suffix_share=0.1, count=real)
    assert fim.prompt.strip(" ") == "" and 128 < real(fim.prompt) + real(fim.suffix) <= 256


def test_keys_typed_at_the_end_of_a_minified_line_keep_the_prompt_start() -> None:
    """Typing at the end of a minified bundle's 21 kB line: each key cut the line anew, 15 kB
    of it counted to learn it was over the budget and the cut counted again, and the cut's
    start moved with each key, so the next prompt shared nothing but its path line with the
    last one (DeepSeek's prefix cache missed the whole line's part, ~90 % of the prompt). The
    start is kept while the part from it fits, as it is for a window of whole lines."""
    line = "var s=function(a,b){return a.map(function(x){return x+b})};" * 360
    doc = DocumentStore(REGISTRY).open("file:///w/bundle.min.js", line + "\n", "javascript", 1)
    real = default_counter().count
    counted: list[int] = []

    def count(text: str) -> int:
        counted.append(len(text))
        return real(text)

    offset, shared, prompts = len(line), [], 0
    last = build_fim_prompt(doc, offset, budget=2048, suffix_share=0.1, count=count)
    counted.clear()
    for ch in "e.prototype.square=function(){var t=a();":
        pos = types.Position(0, offset)
        doc.apply_change(types.TextDocumentContentChangePartial(range=types.Range(pos, pos), text=ch))
        offset += 1
        fim = build_fim_prompt(doc, offset, budget=2048, suffix_share=0.1, count=count, kept_start=last.window_start)
        assert real(fim.prompt) + real(fim.suffix) <= 2048
        assert real(fim.prompt) + real(fim.suffix) > 0.7 * 2048
        shared.append(fim.prompt.startswith(last.prompt))
        last, prompts = fim, prompts + 1
    assert sum(shared) >= prompts - 2, shared  # the start moves once the part outgrows the budget
    assert sum(counted) / prompts < 10_000, sum(counted) / prompts  # bytes tokenized a key: 24,099 before


def test_keys_typed_at_the_end_of_a_minified_line_read_its_brackets_once(monkeypatch) -> None:
    """The brackets a minified bundle's 21 kB line opened before a window cut far into it are
    read from the line's start (their closers at its end are no stray ones), once: the keys
    typed at its end after that read only what they added, not the line's ~13 kB again each
    (a suggestion typed through reads its line's brackets 8 kB before the cursor, moving)."""
    line = "!function(e){" + "var s=function(a,b){return a.map(function(x){return x+b})};" * 360
    doc = DocumentStore(REGISTRY).open("file:///w/bundle.min.js", line + "\n", "javascript", 1)
    fed: list[int] = []
    feed = _BracketScanner.feed

    def counted(self: _BracketScanner, text: str) -> Iterator[tuple[int, str]]:
        fed.append(len(text))
        return feed(self, text)

    monkeypatch.setattr(_BracketScanner, "feed", counted)
    states, offset = LineStates(), len(line)
    for ch in "e.square=function(t){return t*t":
        pos = types.Position(0, offset)
        doc.apply_change(types.TextDocumentContentChangePartial(range=types.Range(pos, pos), text=ch))
        offset += 1
        scanner, opened = states.at(doc, "javascript", doc.data, offset - 8192)
        assert opened[:1] == ("{",) and scanner.mode == ""  # the IIFE's, outside strings
    assert sum(fed) < len(line), sum(fed)  # 32 keys, 13 kB each, read from the line's start


def test_columns_are_counted_the_same_way_on_long_lines_with_surrogates() -> None:
    """What the fast column count must keep: a character past U+FFFF is two UTF-16 units (a
    column inside it snaps to its start), a lone surrogate one."""
    text = "a😀b\ud800c" * 3 + "\n"
    for encoding, columns in (("utf-16", [0, 1, 2, 3, 4, 5, 6, 18]), ("utf-32", [0, 1, 2, 3, 4, 5, 15])):
        doc = DocumentStore(REGISTRY, encoding).open("file:///w/s.py", text, "python", 1)  # type: ignore[arg-type]
        for col in columns:
            offset = doc.offset_at(types.Position(0, col))
            # The walk it replaces, character by character.
            units = taken = 0
            for ch in text[:-1]:
                width = 2 if encoding == "utf-16" and ord(ch) > 0xFFFF else 1
                if units + width > col:
                    break
                units += width
                taken += 1
            assert offset == len(text[:taken].encode("utf-8", "surrogatepass")), (encoding, col)
            assert doc.position_at(offset).character == units, (encoding, col)


def test_redacting_a_window_with_many_blank_lines_under_a_url_takes_no_quadratic_time() -> None:
    """A URL (a trigger word for the secret patterns) with a run of blank lines below it in the
    prompt window: the ``.npmrc`` ``_auth`` pattern's ``^\\s*`` ran from every line start over
    all the blank lines after it, 90 ms a keystroke for 1,700 of them (3 s for these 8,000)."""
    text = "# docs: https://example.com/api\n" + "\n" * 8_000 + "def f():\n    return 1\n"
    with ThreadCpu() as cpu:
        assert redact(text) == text
        assert redact(text, keep_lines=True) == text
    assert cpu.seconds < 0.5, f"{cpu.seconds:.2f} s of CPU"
    # The pattern still finds the secret it is for, indented or after blank lines.
    npmrc = "registry=https://r.example.com/\n\n\n  //r.example.com/:_auth=dXNlcjpwYXNzd29yZA==\n"
    assert redact(npmrc) == f"registry=https://r.example.com/\n\n\n  //r.example.com/:_auth={REDACTED}\n"


async def test_an_index_gone_stale_while_typing_in_a_large_file_is_rebuilt_in_a_pause_not_a_request(
    tmp_path, monkeypatch
) -> None:
    """A stale index whose rebuild does not fit the request's time box is reused, but once it
    was INDEX_MAX_STALE_S old the request rebuilt it anyway, on the event loop: every 30 s of
    typing in a large file one keystroke took the whole index (0.6 s for 850 kB of Python,
    2.2 s for a minified bundle) on top of its time box."""
    feature = _feature_for_prompts([tmp_path.as_uri()])
    text = "import os\n" + "".join(f"def handler_{k}(request):\n    return request\n\n" for k in range(2500))
    store = feature.services.documents
    doc = store.open((tmp_path / "big.py").as_uri(), text, "python", 1)
    feature.document_opened(doc)
    assert feature.indexer.for_document(doc) is not None  # built while the user paused
    feature.indexer.bytes_per_s = 1e5  # as if the file took a second to index
    built: list[str] = []
    index_tree = context.index_tree
    monkeypatch.setattr(context, "index_tree", lambda *a: built.append(a[3]) or index_tree(*a))
    # The user has typed on since: a new import at the top, and the index is old by now.
    top = types.Position(0, 0)
    store.change(doc.uri, 2, [types.TextDocumentContentChangePartial(range=types.Range(top, top), text="import sys\n")])
    feature.document_changed(doc)
    feature.indexer._docs[doc.uri].built_at -= context.INDEX_MAX_STALE_S + 1
    fim = feature.prompts.prompt(Request(doc, len(doc) // 2, False))
    assert built == []  # the request kept to its time box
    assert "import os" in fim.prompt  # with the imports the stale index has
    feature.idle.last_change = 0.0  # the user pauses
    await feature.idle.indexing
    assert len(built) == 1
    assert "import sys" in feature.prompts.prompt(Request(doc, len(doc) // 2 + 1, False)).prompt


async def test_a_menu_item_on_a_line_with_a_long_hex_string_is_answered_in_milliseconds(
    fake_deepseek: FakeDeepSeek,
) -> None:
    """The word a menu item replaces was found with ``re.search(r"[\\w$]*$", line)``, which
    tried every start in the line and ran each to the end of its word: after a 16,000-digit hex
    string (contract bytecode, test vectors) each key typed took 1.8 s in nvim-cmp, Helix, Zed
    (24,000 digits here: ~4 s a key, 3 ms now)."""
    c = Completing(fake_deepseek, debounce=0, prefetch=False, cache=False)
    try:
        uri = "file:///w/deploy.js"
        line = 'const BYTECODE = "0x' + "6080604052348015600f57600080fd" * 800 + '"; '
        c.services.documents.open(uri, "function f() {}\n" + line, "javascript", 1)
        c.completion.document_opened(c.services.documents.get(uri))
        # The language's queries are compiled at its first request (~0.2 s, more on a loaded
        # machine): a request elsewhere first, so that only the long line's cost is timed.
        # Asked for by the user, a menu takes three choices at once: each answer scripted thrice.
        fake_deepseek.script(*["return 1;"] * 3)
        await c.menu(uri, 0, len("function f() {"), types.CompletionTriggerKind.Invoked)
        c.insert(uri, 1, len(line), "dep")
        fake_deepseek.script(*["loy(BYTECODE);"] * 3)
        # The server's work runs on this thread's event loop; the fake answers from its own.
        with ThreadCpu() as cpu:
            labels = await c.menu(uri, 1, len(line) + 3, types.CompletionTriggerKind.Invoked)
        assert cpu.seconds < 0.5, f"{cpu.seconds:.2f} s of CPU"
        assert labels[0] == "deploy(BYTECODE);"  # the word typed, then the suggestion
    finally:
        await c.stop()


MINIFIED = "var s=function(a,b){return a.map(function(x){return x+b})};"


async def test_a_key_in_a_line_over_100_kb_asks_nothing_and_says_why(fake_deepseek: FakeDeepSeek) -> None:
    """A minified bundle's or a data file's one line of 330 kB: each key typed there built a
    prompt (the line counted, redacted, scanned), ~80 ms of the server on an idle machine and
    0.66 s on a loaded one, for a suggestion nobody wants there. Now such a line asks nothing
    and the status says why; the file's other lines are completed as before."""
    c = Completing(fake_deepseek, debounce=0, prefetch=False, cache=False)
    try:
        uri = "file:///w/bundle.min.js"
        line = (MINIFIED * (330_000 // len(MINIFIED) + 1))[:330_000]
        c.open(uri, "function f() {\n" + line + "\n", "javascript")
        c.insert(uri, 1, len(line), "v")
        fake_deepseek.script("ar t;", path="/beta/completions")
        assert await c.inline(uri, 1, len(line) + 1) == []
        assert fake_deepseek.requests_to("/beta/completions") == []
        status = c.statuses[-1]
        assert status.kind == "Inactive" and status.uri == uri
        assert "330 kB" in status.message and "100 kB" in status.message
        # A line of the same file of ordinary length: asked, and the status is back to Normal.
        assert await c.inline(uri, 0, len("function f() {")) == ["ar t;"]
        assert c.statuses[-1].kind == "Normal"
    finally:
        await c.stop()


def test_a_line_too_long_for_any_prompt_is_never_handed_to_the_tokenizer_whole() -> None:
    """The lines of the document being typed in are counted while the user pauses: a minified
    file's 330 kB line went to DeepSeek's tokenizer whole, 0.76 s on the event loop after every
    pause (a key typed then waited for it). Past ``COUNT_MAX_BYTES`` a line counts as its length
    in bytes, which no count exceeds: it is never sent whole, and the lines around it are."""
    import asyncio

    from deepseek_lsp.line_tokens import LineTokens

    line = MINIFIED * (330_000 // len(MINIFIED))
    text = "import x from 'x';\n" + line + "\nconst a = 1;\nconst b = 2;\n"
    doc = DocumentStore(REGISTRY).open("file:///w/bundle.js", text, "javascript", 1)
    counted: list[int] = []
    real = default_counter().count

    def count(text: str) -> int:
        counted.append(len(text))
        return real(text)

    tokens = LineTokens()
    asyncio.run(tokens.fill(doc, count, lambda: 0.0))
    assert tokens.known(doc, count) == doc.line_count
    assert max(counted) <= 100_000
    counter = tokens.counter(doc, count)
    assert counter(1) >= real(line)  # a bound, never under the real count
    assert counter(2) == real("const a = 1;\n")
    # A prompt at the end of the file: its window stops below the long line.
    fim = build_fim_prompt(doc, len(text) - 1, budget=2048, suffix_share=0.1, count=count, line_tokens=counter)
    assert fim.window_start >= text.index("const a") and fim.prompt.endswith("const b = 2;")


def test_redaction_looks_at_a_few_hundred_characters_around_the_cursor_in_a_long_line() -> None:
    """Where the prompt's window and the text above it (or the suffix) meet, redaction looks
    for a secret named on one side and written on the other, in the last and first four lines
    of each: in a one-line file that was the whole window and the 4 kB above it, every pattern
    over it twice a key (66 ms a key at the end of a 330 kB line). Now a few hundred characters
    of each side in a long line; a value found there is still redacted whole, however long."""
    from deepseek_lsp.privacy import redaction

    seen: list[int] = []
    real = redaction._replaced_across

    def replaced_across(joined: str, cut: int, patterns: object = None, **options: bool) -> object:
        seen.append(len(joined))
        return real(joined, cut, patterns, **options)  # type: ignore[arg-type]

    pad = MINIFIED * 100
    secret = "Zq8" * 700  # a value longer than the part looked at
    before = pad + 'var config={password:"'
    window = secret + '"};' + pad
    original = redaction._replaced_across
    redaction._replaced_across = replaced_across  # type: ignore[assignment]
    try:
        out = redact(window, before=before)
        assert max(seen) < 2_000 + 2 * len(secret)
        seen.clear()
        # The cursor inside a long line: the part around it, not the window and the suffix.
        redaction.split_at_secret(pad + "ab", "cd" + pad)
        assert max(seen, default=0) < 2_000
    finally:
        redaction._replaced_across = original  # type: ignore[assignment]
    assert secret[:3] not in out and out.startswith(REDACTED) and out.endswith(pad)


async def test_an_edit_in_a_long_line_is_not_counted_as_a_recent_edit_of_the_next_prompt(
    fake_deepseek: FakeDeepSeek,
) -> None:
    """Keys typed in a minified file's 330 kB line made it a recent edit of that size: the next
    completion in another file counted it with DeepSeek's tokenizer (0.76 s) to learn it did
    not fit its prompt. Now such a region is left out before it is counted."""
    c = Completing(fake_deepseek, debounce=0, prefetch=False, cache=False)
    try:
        bundle, app = "file:///w/bundle.min.js", "file:///w/app.js"
        line = (MINIFIED * (330_000 // len(MINIFIED) + 1))[:330_000]
        c.open(bundle, line + "\n", "javascript")
        c.open(app, "function area(w, h) {\n  return \n}\n", "javascript")
        c.insert(bundle, 0, len(line), ";")
        counter = c.services.models.counter
        counted: list[int] = []
        real = counter.count

        def count(text: str) -> int:
            counted.append(len(text))
            return real(text)

        counter.count = count
        fake_deepseek.script("w * h;", path="/beta/completions")
        assert await c.inline(app, 1, len("  return ")) == ["w * h;"]
        assert counted and max(counted) < 100_000
    finally:
        await c.stop()


def test_the_bracket_scanner_reads_a_long_line_in_linear_time() -> None:
    """A dump's INSERT of 1 MB on one line, read for a SQL window's state (scan_states.py):
    each quote and bracket looked back to the line's start for blanks before it, ~2 s of CPU
    on the event loop for the line. Its brackets and strings are read as before."""
    row = "(1,'Alice (admin)','it''s (x)',NULL)"
    line = "INSERT INTO users VALUES " + ",".join([row] * 28_000) + ";\n"
    scanner = _BracketScanner(_syntax_for("sql"))
    with ThreadCpu() as cpu:
        brackets = "".join(b for _, b in scanner.feed(line))
    assert brackets == "()" * 28_000 and scanner.mode == ""
    assert cpu.seconds < 0.6, f"{cpu.seconds:.2f} s of CPU"
    # C's `#` (a preprocessor line) counts at a line's start only, after blanks.
    scanner = _BracketScanner(_syntax_for(None))
    brackets = "".join(b for _, b in scanner.feed(line + "  # (\n(x) # (\n"))
    assert brackets == "()" * 28_000 + "()("


def _scan_cpu(language: str, text: str) -> float:
    """The least CPU time of three reads of ``text`` by ``language``'s scanner (the first may
    compile the shell's case patterns)."""
    best = float("inf")
    for _ in range(3):
        scanner = _BracketScanner(_syntax_for(language))
        with ThreadCpu() as cpu:
            for _ in scanner.feed(text):
                pass
        best = min(best, cpu.seconds)
    return best


@pytest.mark.parametrize(
    "line",
    [
        # Groups glued with no `)` ending the pattern: each group's `(` read the rest of the
        # line again to learn it ends none (1,000 groups 190 ms, 2,000: 790 ms).
        lambda n: "  " + "@(a)" * n + " y",
        # Closers with no bracket open: each looked back to the line's start for a pattern
        # (16 kB: 1.68 s).
        lambda n: ")" * (4 * n),
        # A case's arms on one line: each `)` looked back to the line's start for its arm's
        # (these two passed before, 2,000 arms 12-30 ms: kept as controls).
        lambda n: " ".join(f"@(a{i})) y ;;" for i in range(n)),
        lambda n: " ".join(f"a{i}) y ;;" for i in range(n)),
    ],
    ids=["groups-no-close", "closers", "extglob-arms-one-line", "arms-one-line"],
)
def test_a_shell_case_line_of_many_patterns_is_read_in_linear_time(line) -> None:
    """A `case` line of extglob groups or arms, n and 4n of them: the work grows with the line
    (4x), not with its square (16x); 16 kB of groups took 1.65 s of CPU."""
    small, large = (f"case $x in\n{line(n)}\nesac\n" for n in (500, 2000))
    ratio = _scan_cpu("shellscript", large) / max(_scan_cpu("shellscript", small), 0.001)
    assert ratio < 8, f"4x the patterns: {ratio:.1f}x the CPU"


@pytest.mark.parametrize(
    ("language", "opener"),
    [
        ("shellscript", '"${'),
        ("shellscript", '"$('),
        ("dart", '"${'),
        ("csharp", '$"{'),
        ("elixir", '"#{'),
        ("coffeescript", '"#{'),
        ("javascript", "`${"),
    ],
)
def test_strings_nested_in_interpolations_thousands_deep_are_read_in_linear_time(language: str, opener: str) -> None:
    """`"${"${"${...` unclosed, n and 4n deep: each hole opened copied those around it, and
    each bracket in it too (64 kB: ~1 s of CPU, 16 kB: 60 ms); 4x the text, 4x the work."""
    ratio = _scan_cpu(language, opener * 16_000) / max(_scan_cpu(language, opener * 4_000), 0.001)
    assert ratio < 8, f"4x the openers: {ratio:.1f}x the CPU"


def test_ruby_literals_nested_in_their_holes_thousands_deep_are_read_in_linear_time() -> None:
    """`%Q{#{%Q{#{...` on one line: each hole was read by a scanner of its own, nested as deep
    as the holes, and each literal in a hole left open read twice (14 deep: 0.16 s, doubling
    with each more; 2,000 deep: RecursionError)."""
    small, large = ("x = " + "%Q{#{" * n for n in (2_000, 8_000))
    ratio = _scan_cpu("ruby", large) / max(_scan_cpu("ruby", small), 0.001)
    assert ratio < 8, f"4x the literals: {ratio:.1f}x the CPU"
    brackets = "".join(b for _, b in _BracketScanner(_syntax_for("ruby")).feed('x = %Q{a #{h["}"]} b}\nf('))
    assert brackets == "("


@pytest.mark.parametrize(("language", "unit"), [("perl", "$] "), ("perl", "$) "), ("ruby", "a / "), ("ruby", "/")])
def test_a_long_line_of_perl_punctuation_variables_or_ruby_slashes_is_read_in_linear_time(language: str, unit: str) -> None:
    """Each Perl `$]` or `$)` looked back to its line's start for a sub's prototype, each Ruby
    `/` copied the line before it to tell a division from a regexp (16 kB: 1.27 s, 0.14 s)."""
    ratio = _scan_cpu(language, unit * (64_000 // len(unit))) / max(_scan_cpu(language, unit * (16_000 // len(unit))), 0.001)
    assert ratio < 8, f"4x the line: {ratio:.1f}x the CPU"


@pytest.mark.parametrize(("language", "unit"), [("swift", "#"), ("csharp", "$"), ("swift", '#"'), ("csharp", '$@"')])
def test_a_long_run_of_a_raw_string_s_opener_signs_is_read_in_linear_time(language: str, unit: str) -> None:
    """Swift's `#` and C#'s `$` lead a raw or verbatim string (`##"`, `$$@"`): at each sign of
    a run, its opener was tried over the rest of the run (16 kB of Swift's `#`: 1.36 s of CPU,
    64 kB: 20 s; C#'s `$`: 0.16 s, 2.4 s). 4x the line, 4x the work; the strings read as before."""
    ratio = _scan_cpu(language, unit * (64_000 // len(unit))) / max(_scan_cpu(language, unit * (16_000 // len(unit))), 0.001)
    assert ratio < 8, f"4x the line: {ratio:.1f}x the CPU"
    if len(unit) > 1:
        brackets = "".join(b for _, b in _BracketScanner(_syntax_for(language)).feed(f'x = f({unit}(a)"{unit[0]}, b)\n'))
        assert brackets == "()", brackets


@pytest.mark.parametrize("unit", ["(", "(*", "if ("])
def test_a_long_javascript_line_of_open_brackets_is_read_in_linear_time(unit: str) -> None:
    """Each `(` of a line pushed a bit on one integer (whether it opens a control header), and
    each push copied the integer: 64 kB of `(` took 0.10 s of CPU, 256 kB 1.2 s (12x for 4x).
    4x the line, 4x the work; a header's `)` still read as one."""
    ratio = _scan_cpu("javascript", unit * (256_000 // len(unit))) / max(_scan_cpu("javascript", unit * (64_000 // len(unit))), 0.001)
    assert ratio < 8, f"4x the line: {ratio:.1f}x the CPU"
    scanner = _BracketScanner(_syntax_for("javascript"))
    for _ in scanner.feed("(" * 200 + "if (a) "):
        pass
    assert scanner.closed_header


class _ReadBack(str):
    """A text that counts the characters its ``rfind`` calls read."""

    read = 0

    def rfind(self, sub: str, start: int | None = 0, end: int | None = None) -> int:  # type: ignore[override]
        start, end = start or 0, len(self) if end is None else end
        found = str.rfind(self, sub, start, end)
        _ReadBack.read += end - max(found, start)
        return found


@pytest.mark.parametrize(
    ("language", "unit"), [("ruby", "?"), ("ruby", "a / "), ("ruby", "x % "), ("perl", "$] "), ("javascript", "a / ")]
)
def test_a_long_line_s_tokens_look_back_a_bounded_way_for_their_line_s_start(language: str, unit: str) -> None:
    """Each Ruby `?`, `/` or `%`, Perl `$]` and JavaScript `/` looked back to its line's start
    (memrchr: fast, yet 64 kB of `?` read 2 GB, 256 kB 33 GB, 0.8 s of CPU; of JavaScript's
    `a / ` 512 M): each reads a bounded way back now, so the line's reading grows with it. Its
    brackets are read as before."""
    _ReadBack.read = 0
    text = unit * (64_000 // len(unit))
    for _ in _BracketScanner(_syntax_for(language)).feed(_ReadBack(text)):
        pass
    assert _ReadBack.read < 5_000 * len(text), f"{_ReadBack.read:,} characters read back"
    brackets = "".join(b for _, b in _BracketScanner(_syntax_for(language)).feed(_ReadBack("x = a ? (b) : c\n" + unit * 16 + "(")))
    assert brackets == "()(", brackets


def test_a_javascript_slash_after_blanks_reads_the_code_before_them_on_its_line() -> None:
    """A `/` after 16 blanks was taken for the first on its line: the line above was read back
    to its start at each (64 kB above, 3,000 such `/`: 282 M characters, 1.3 G for 4x) and
    an aligned division read as a regexp's start (`(b)` in it taken for text)."""
    _ReadBack.read = 0
    text = "x" * 64_000 + "\n" + ("a" + " " * 17 + "/ ") * 3_000
    for _ in _BracketScanner(_syntax_for("javascript")).feed(_ReadBack(text)):
        pass
    assert _ReadBack.read < 5_000 * len(text), f"{_ReadBack.read:,} characters read back"
    line = "x = a" + " " * 20 + "/ (b) / c("
    brackets = "".join(b for _, b in _BracketScanner(_syntax_for("javascript")).feed(line))
    assert brackets == "()(", brackets
