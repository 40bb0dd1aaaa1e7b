"""The document store keeps the client's text and a tree equal to a fresh parse, edit after edit."""

from __future__ import annotations

import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lsprotocol import types

from deepseek_lsp.documents import Document, DocumentStore, net_edits
from deepseek_lsp.languages import LanguageRegistry

REGISTRY = LanguageRegistry.load()
PYTHON = REGISTRY.get("python")
_EOL = re.compile(r"\r\n|\r|\n")


class ClientText:
    """What an editor holds: a str, positions counted in the negotiated encoding."""

    def __init__(self, text: str, encoding: str) -> None:
        self.text = text
        self.encoding = encoding

    def lines(self) -> list[tuple[int, int]]:
        """(start, end-without-eol) index pairs of each line."""
        out, start = [], 0
        for m in _EOL.finditer(self.text):
            out.append((start, m.start()))
            start = m.end()
        out.append((start, len(self.text)))
        return out

    def width(self, ch: str) -> int:
        if self.encoding == "utf-8":
            return len(ch.encode("utf-8"))
        if self.encoding == "utf-16":
            return 2 if ord(ch) > 0xFFFF else 1
        return 1

    def position(self, index: int) -> types.Position:
        for line, (start, end) in enumerate(self.lines()):
            if index <= end or line == len(self.lines()) - 1:
                col = sum(self.width(ch) for ch in self.text[start : min(index, end)])
                return types.Position(line=line, character=col)
        raise AssertionError("unreachable")

    def replace(self, start: int, end: int, new: str) -> types.TextDocumentContentChangePartial:
        change = types.TextDocumentContentChangePartial(
            range=types.Range(start=self.position(start), end=self.position(end)), text=new
        )
        self.text = self.text[:start] + new + self.text[end:]
        return change


def boundaries(text: str) -> list[int]:
    """Indexes that are valid cursor positions: not inside a CRLF pair."""
    return [i for i in range(len(text) + 1) if not (0 < i < len(text) and text[i - 1] == "\r" and text[i] == "\n")]


SNIPPETS = [
    "def f(x):\n    return x\n",
    "class A:\r\n    pass\r\n",
    "名前 = '漢字'\n",
    "s = '😀🎉'  # emoji\n",
    "\r\n",
    "\n",
    "x",
    "(",
    ")",
    "    if x:\n        y = 1\n",
    "\r",
    "é",
    "",
]


@st.composite
def edit_sequences(draw: st.DrawFn) -> tuple[str, str, list[tuple[float, float, str]]]:
    encoding = draw(st.sampled_from(["utf-8", "utf-16", "utf-32"]))
    initial = "".join(draw(st.lists(st.sampled_from(SNIPPETS), min_size=0, max_size=8)))
    edits = draw(
        st.lists(
            st.tuples(
                st.floats(0, 1),
                st.floats(0, 1),
                st.one_of(
                    st.sampled_from(SNIPPETS),
                    st.text(alphabet=st.sampled_from(list("ab :\n\r\t()é名😀")), max_size=6),
                ),
            ),
            min_size=1,
            max_size=25,
        )
    )
    return encoding, initial, edits


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(edit_sequences())
def test_random_edits_keep_text_and_tree(case: tuple[str, str, list[tuple[float, float, str]]]) -> None:
    encoding, initial, edits = case
    client = ClientText(initial, encoding)
    doc = Document("file:///t.py", initial, language=PYTHON, encoding=encoding)  # type: ignore[arg-type]
    # The tree is parsed on first use: held from the start, every edit goes through the
    # incremental path (tree.edit, then a reparse on use), as while the user types. Parsed only
    # at the end, the check below compared a fresh parse with a fresh parse.
    assert doc.tree is not None
    for n, (a, b, new) in enumerate(edits):
        valid = boundaries(client.text)
        i, j = sorted((valid[int(a * (len(valid) - 1))], valid[int(b * (len(valid) - 1))]))
        doc.apply_change(client.replace(i, j, new))
        assert doc.text == client.text
        if n % 3 == 2:  # used between bursts of keystrokes: reparsed from the edited tree
            assert doc.tree is not None
        # Every position the client can name maps back to the same place.
        for index in valid[:: max(1, len(valid) // 7)]:
            if index <= len(client.text) and index in boundaries(client.text):
                pos = client.position(index)
                assert doc.offset_at(pos) == len(client.text[:index].encode("utf-8"))
                assert doc.position_at(doc.offset_at(pos)) == pos
    fresh = PYTHON.parser().parse(client.text.encode("utf-8"))
    assert str(doc.tree.root_node) == str(fresh.root_node)


def _past_the_end(client: ClientText, index: int, pos: types.Position, extra: int) -> types.Position:
    """``pos`` named past its line's end (or, at the document's end, past its last line) as
    clients may, when ``index`` is a line's end; LSP clamps such a position back to it."""
    if extra == 0 or all(index != end for _, end in client.lines()):
        return pos
    lines = extra // 4 if index == len(client.text) else 0
    return types.Position(line=pos.line + lines, character=pos.character + extra)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    edit_sequences(),
    st.lists(st.tuples(st.integers(1, 4), st.integers(0, 12), st.booleans()), min_size=1, max_size=25),
)
def test_batches_of_changes_clamped_and_whole_keep_text_and_tree(
    case: tuple[str, str, list[tuple[float, float, str]]], shapes: list[tuple[int, int, bool]]
) -> None:
    """What editors send in one didChange: several changes applied in turn, ends named past a
    line or the document (clamped, as LSP says), and the whole text now and then (Emacs after
    a revert); the tree kept by incremental edits must still be a fresh parse's."""
    encoding, initial, edits = case
    client = ClientText(initial, encoding)
    store = DocumentStore(REGISTRY, encoding=encoding)  # type: ignore[arg-type]
    doc = store.open("file:///b.py", initial, "python", 1)
    assert doc.tree is not None
    pending: list[types.TextDocumentContentChangeEvent] = []
    for n, (a, b, new) in enumerate(edits):
        size, extra, whole = shapes[n % len(shapes)]
        if whole and extra == 0:
            client.text = client.text[: len(client.text) // 2] + new + "\x00\ufeff"
            pending.append(types.TextDocumentContentChangeWholeDocument(text=client.text))
        else:
            valid = boundaries(client.text)
            i, j = sorted((valid[int(a * (len(valid) - 1))], valid[int(b * (len(valid) - 1))]))
            end = _past_the_end(client, j, client.position(j), extra)
            change = client.replace(i, j, new)
            pending.append(types.TextDocumentContentChangePartial(range=types.Range(start=change.range.start, end=end), text=new))
        if len(pending) >= size or n == len(edits) - 1:
            store.change(doc.uri, n + 2, pending)
            pending = []
            assert doc.text == client.text
            if n % 2:
                assert doc.tree is not None
    fresh = PYTHON.parser().parse(client.text.encode("utf-8"))
    assert str(doc.tree.root_node) == str(fresh.root_node)
    assert doc.line_count == len(client.lines())


def test_whole_document_change_reparses_from_scratch() -> None:
    doc = Document("file:///a.py", "x = 1\n", language=PYTHON)
    doc.apply_change(types.TextDocumentContentChangeWholeDocument(text="def f():\n    pass\n"))
    assert doc.tree is not None and doc.tree.root_node.children[0].type == "function_definition"


def test_positions_past_the_end_clamp() -> None:
    doc = Document("file:///a.py", "ab\ncd", encoding="utf-16")
    assert doc.offset_at(types.Position(line=0, character=99)) == 2
    assert doc.offset_at(types.Position(line=9, character=0)) == 5
    assert doc.position_at(999) == types.Position(line=1, character=2)


def test_reversed_range_replaces_the_same_span() -> None:
    doc = Document("file:///a.txt", "hello world")
    doc.apply_change(
        types.TextDocumentContentChangePartial(
            range=types.Range(start=types.Position(0, 11), end=types.Position(0, 6)), text="there"
        )
    )
    assert doc.text == "hello there"


def test_utf16_surrogate_pairs_and_utf8_columns_agree() -> None:
    text = "x = '😀'; y = 1\n"
    for encoding, column in (("utf-16", 8), ("utf-8", 10), ("utf-32", 7)):
        doc = Document("file:///e.py", text, language=PYTHON, encoding=encoding)  # type: ignore[arg-type]
        offset = doc.offset_at(types.Position(line=0, character=column))
        assert doc.data[offset:].startswith(b";"), encoding
        assert doc.position_at(offset).character == column


def test_a_lone_surrogate_is_one_utf16_unit_and_columns_after_it_stay_right() -> None:
    # JSON can carry a lone "\\ud800" (a broken paste, a test string); the columns after it
    # used to land six bytes on, past the end of the line.
    text = "s = '\ud800' + x; y\n"
    for encoding, column in (("utf-16", 11), ("utf-32", 11), ("utf-8", 13)):
        doc = Document("file:///s.py", text, language=PYTHON, encoding=encoding)  # type: ignore[arg-type]
        offset = doc.offset_at(types.Position(line=0, character=column))
        assert doc.data[offset:].startswith(b"; y"), encoding
        assert doc.position_at(offset).character == column
        # An offset inside the surrogate's bytes maps to the character's own column.
        assert doc.position_at(6).character == (5 if encoding != "utf-8" else 6)


def test_documents_without_grammar_are_plain_text_and_odd_uris_work() -> None:
    store = DocumentStore(REGISTRY)
    doc = store.open("untitled:Untitled-1", "some notes\n", "plaintext", 1)
    assert doc.tree is None and doc.language is None
    store.change("untitled:Untitled-1", 2, [types.TextDocumentContentChangeWholeDocument(text="new")])
    assert store.get("untitled:Untitled-1").text == "new"
    odd = store.open("vscode-notebook-cell:/x.ipynb#W0sZmlsZQ%3D%3D", "print(1)\n", "python", 1)
    assert odd.tree is not None and odd.language.name == "python"
    assert store.change("file:///not-open.py", 1, []) is None


def test_language_falls_back_to_extension() -> None:
    store = DocumentStore(REGISTRY)
    assert store.open("file:///src/m.py", "x = 1\n", "unknown-id", 1).language.name == "python"


@pytest.mark.parametrize("eol", ["\n", "\r\n"])
def test_line_index_survives_edits_far_apart(eol: str) -> None:
    lines = [f"line_{i} = {i}" for i in range(500)]
    client = ClientText(eol.join(lines) + eol, "utf-16")
    doc = Document("file:///big.py", client.text, language=PYTHON)
    for target in (400, 3, 250, 499, 0):
        start = client.text.index(f"line_{target} ")
        doc.apply_change(client.replace(start, start, "y = 0" + eol))
        assert doc.text == client.text
        assert doc.line_text(client.text[:start].count(eol)) == "y = 0"
        assert doc.line_count == client.text.count(eol) + 1


def test_only_recently_used_documents_keep_a_tree() -> None:
    store = DocumentStore(REGISTRY, max_trees=2)
    docs = [store.open(f"file:///t{i}.py", f"x{i} = {i}\n", "python", 1) for i in range(3)]
    assert not any(d.has_tree for d in docs)  # nothing parsed at open
    for d in docs:
        assert d.tree is not None
    assert [d.has_tree for d in docs] == [False, True, True]
    # Edits while the tree is freed are not lost: the next use parses the current text.
    docs[0].apply_change(types.TextDocumentContentChangeWholeDocument(text="def f():\n    pass\n"))
    assert docs[0].tree.root_node.children[0].type == "function_definition"
    assert [d.has_tree for d in docs] == [True, False, True]


def test_a_stray_carriage_return_typed_and_deleted_leaves_per_line_data_usable() -> None:
    """Once a lone "\\r" had been in a document, every later edit said "lines unknown" for good,
    and each keystroke dropped every per-line token count of the file."""
    store = DocumentStore(LanguageRegistry.load())
    text = "".join(f"x_{i} = {i}\n" for i in range(200))
    doc = store.open("file:///w/cr.py", text, "python", 1)
    at = types.Position(line=100, character=3)
    store.change(doc.uri, 2, [types.TextDocumentContentChangePartial(range=types.Range(start=at, end=at), text="\r")])
    assert doc.recent_edits[-1].start_line == -1  # a lone "\r": lines do not match LSP's
    gone = types.Position(line=101, character=0)
    store.change(doc.uri, 3, [types.TextDocumentContentChangePartial(range=types.Range(start=at, end=gone), text="")])
    assert doc.data == text.encode()
    assert doc.recent_edits[-1].start_line == -1  # the edit that took it away is still unknown
    typed = types.Position(line=150, character=0)
    store.change(doc.uri, 4, [types.TextDocumentContentChangePartial(range=types.Range(start=typed, end=typed), text="y")])
    assert doc.recent_edits[-1].start_line == 150


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    lines=st.lists(st.sampled_from(["", "x = 1", "é" * 300, "a" * 700, "b" * 4000, "\tpass"]), min_size=1, max_size=400),
    eols=st.lists(st.sampled_from(["\n", "\n", "\n", "\r\n", "\r"]), min_size=1, max_size=8),
    edits=st.lists(
        st.tuples(st.floats(0, 1), st.floats(0, 1), st.sampled_from(["", "y", "\n", "\r", "\r\n", "z\nw\n"])),
        max_size=12,
    ),
    probes=st.lists(st.floats(0, 1), min_size=1, max_size=6),
)
def test_line_index_after_edits_matches_the_text(
    lines: list[str], eols: list[str], edits: list[tuple[float, float, str]], probes: list[float]
) -> None:
    """The line index, grown a line at a time near the cursor or many lines at once (split in
    bulk where no "\\r" is), gives every offset the line the text has, edit after edit."""
    text = "".join(line + eols[i % len(eols)] for i, line in enumerate(lines))
    client = ClientText(text, "utf-8")
    doc = Document("file:///c.py", text, encoding="utf-8")
    for a, b, new in edits:
        data = client.text.encode()
        for p in probes:  # read parts of the index first, as features do between keys
            doc.line_at(int(p * len(data)))
        valid = boundaries(client.text)
        i, j = sorted((valid[int(a * (len(valid) - 1))], valid[int(b * (len(valid) - 1))]))
        doc.apply_change(client.replace(i, j, new))
        assert doc.data == client.text.encode()
    data = doc.data
    starts = [0] + [m.end() for m in re.finditer(rb"\r\n|\r|\n", data)]
    for p in probes:
        offset = int(p * len(data))
        assert doc.line_at(offset) == max(n for n, s in enumerate(starts) if s <= offset)
    assert [doc.line_start(n) for n in range(len(starts))] == starts
    assert doc.line_count == len(starts)


def test_line_index_of_a_long_file_read_far_from_the_last_edit() -> None:
    """Reads far past the edited line grow the index in bulk, past its 64 kB steps."""
    lines = [f"value_{n} = {'é' * (n % 7)}{n}" for n in range(20_000)]
    text = "\n".join(lines) + "\n"
    doc = Document("file:///long.py", text)
    doc.line_at(len(doc.data) - 1)
    doc.apply_change(
        types.TextDocumentContentChangePartial(
            range=types.Range(start=types.Position(line=10, character=0), end=types.Position(line=10, character=0)),
            text="first = 1\nsecond = 2\n",
        )
    )
    text = "\n".join([*lines[:10], "first = 1", "second = 2", *lines[10:]]) + "\n"
    data = text.encode()
    starts = [0] + [m.end() for m in re.finditer(rb"\n", data)]
    # Each read grows the index from the edit's line its own way: to a far line, to the end,
    # to a far offset.
    assert doc.line_start(15_000) == starts[15_000]
    assert doc.line_count == 20_003 == len(starts)
    assert doc.line_at(len(data) - 2) == len(starts) - 2
    assert [doc.line_start(n) for n in range(len(starts))] == starts
    assert doc.position_at(data.index(b"value_19999")) == types.Position(line=20_001, character=0)


def test_line_index_past_a_line_longer_than_its_bulk_step() -> None:
    """A line longer than the 64 kB the index splits at once: the chunk inside it holds no line
    start, and the index moved on only by looking for the line's end (it looped forever)."""
    doc = Document("file:///min.js", "a" * 200_000 + "\nb\n" + "c" * 70_000)
    assert doc.line_at(100_000) == 0  # inside the long line, far from its start
    assert doc.line_at(200_001) == 1
    assert doc.line_at(len(doc.data) - 1) == 2
    assert doc.line_count == 3


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=40).map(lambda b: bytes(b"ab\n"[x % 3] for x in b)), st.data())
def test_a_net_edit_placed_late_or_early_makes_the_new_text(old: bytes, data: st.DataObject) -> None:
    """Both places of the one change from ``old`` to ``new`` give ``new``, the early one as
    far back as repeated text lets it go (a review's findings are kept only where both agree)."""
    new = data.draw(st.binary(max_size=40).map(lambda b: bytes(b"ab\n"[x % 3] for x in b)))
    for edit in net_edits(old, new):
        assert old[: edit.start_byte] + new[edit.start_byte : edit.new_end_byte] + old[edit.old_end_byte :] == new
    late, early = net_edits(old, new)
    assert early.start_byte <= late.start_byte
    if early.start_byte and old != new:
        assert old[early.old_end_byte - 1] != new[early.new_end_byte - 1]  # no further back


def test_one_of_many_same_lines_deleted_is_placed_at_each_end_of_them() -> None:
    """A line of 170,000 same lines deleted reads as the last deleted and as the first."""
    old = b"x = 1\n" * 170_000
    late, early = net_edits(old, old[6:])
    assert (late.start_byte, late.old_end_byte) == (len(old) - 6, len(old))
    assert (early.start_byte, early.old_end_byte, early.new_end_byte) == (0, 6, 0)


def test_a_copy_with_bytes_replaced_leaves_the_document_and_its_tree_as_they_were() -> None:
    """What an accept would make of the document, read from a copy (line_tail's bare header):
    the copy's tree is the new text's, the document's is untouched."""
    doc = Document("file:///a.py", "def f():\n    pass\n", language=PYTHON)
    doc.parse_now()
    copy = doc.with_replaced(0, 3, b"async def")
    assert copy.text == "async def f():\n    pass\n" and doc.text == "def f():\n    pass\n"
    for document in (copy, doc):
        assert document.tree is not None
        assert str(document.tree.root_node) == str(PYTHON.parser().parse(document.data).root_node)
    assert copy.line_count == 3 and copy.position_at(len(copy.data)) == types.Position(2, 0)


class _CountingParser:
    """The grammar's parser, counting whole parses (no old tree) and incremental ones."""

    def __init__(self, parser: object) -> None:
        self.parser, self.whole, self.incremental = parser, 0, 0

    def parse(self, data: bytes, old_tree: object = None) -> object:
        if old_tree is None:
            self.whole += 1
            return self.parser.parse(data)  # type: ignore[attr-defined]
        self.incremental += 1
        return self.parser.parse(data, old_tree)  # type: ignore[attr-defined]


def test_copies_of_a_document_whose_tree_was_freed_parse_it_whole_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """Back in a file after working in three others (the store keeps three trees), a
    suggestion's choices each ending on a header are read from copies of the document as the
    accept leaves it (line_tail): each copy parsed the whole file (43 ms in a large one), and
    the document's next read parsed it whole again. The document's own tree is parsed once,
    kept, and each copy's reparsed from it."""
    counting = _CountingParser(PYTHON.shared_parser)
    monkeypatch.setitem(PYTHON.__dict__, "shared_parser", counting)
    store = DocumentStore(REGISTRY)
    body = "".join(f"def f{i}(a):\n    return a + {i}\n\n" for i in range(200))
    doc = store.open("file:///a.py", body + "def g():\n    \n", "python", 1)
    doc.parse_now()
    for name in "bcd":
        store.open(f"file:///{name}.py", body, "python", 1).parse_now()
    assert not doc.has_tree  # freed for the other files'
    store.change("file:///a.py", 2, [types.TextDocumentContentChangePartial(
        range=types.Range(start=types.Position(601, 4), end=types.Position(601, 4)), text="x",
    )])
    counting.whole = counting.incremental = 0
    cursor = len(doc.data) - 1
    copies = [doc.with_replaced(cursor, cursor, f"\n    def h{i}(self)".encode()) for i in range(3)]
    for i, copy in enumerate(copies):
        assert copy.tree is not None
        assert str(copy.tree.root_node) == str(PYTHON.parser().parse(copy.data).root_node)
        assert copy.data.endswith(f"    x\n    def h{i}(self)\n".encode())
    assert doc.tree is not None and doc.text.endswith("def g():\n    x\n")
    assert str(doc.tree.root_node) == str(PYTHON.parser().parse(doc.data).root_node)
    assert (counting.whole, counting.incremental) == (1, 3)


def test_a_copy_with_bytes_replaced_keeps_the_document_s_line_index(monkeypatch: pytest.MonkeyPatch) -> None:
    """line_tail's copy for each suggestion ending on a header read its lines anew from the
    file's start to the cursor: in a CRLF file line by line (36.8 ms a copy in a 10,000-line
    C# file, 1.5 ms with LF: bench_accept_copy.py). The lines before the edit are the
    document's, already found."""
    import deepseek_lsp.documents as documents

    text = "class A\r\n{\r\n" + "    int x;\r\n" * 2000 + "    void F()\r\n    {\r\n    }\r\n}\r\n"
    doc = Document("file:///a.cs", text)
    offset = len(text) - len("    }\r\n}\r\n")
    assert doc.position_at(offset) == types.Position(2004, 0)
    breaks: list[int] = []
    found = documents._line_break
    monkeypatch.setattr(documents, "_line_break", lambda data, start: breaks.append(start) or found(data, start))
    copy = doc.with_replaced(offset, offset, b"        g();\r\n")
    assert copy.position_at(offset + 14) == types.Position(2005, 0)
    assert copy.line_text(2004) == "        g();" and doc.line_text(2004) == "    }"
    assert len(breaks) < 10


@pytest.mark.parametrize(
    "text",
    ["a\n  b\n\n\tc\n", "a\n  b\n\tc", "a\r\n  b\r\n\r\n\tc\r\n", "a\r  b\rc\n d", "", "\n\n", "only"],
    ids=["lf", "no final break", "crlf", "lone cr", "empty", "blank lines", "one line"],
)
def test_lines_read_at_once_are_the_lines_read_one_by_one(text: str) -> None:
    """An indentation look reads its 250 lines in one split (a call a line was half its time):
    each line as line_bytes reads it, whatever its breaks, and none past the end but empty ones."""
    doc = Document("file:///t.py", text)
    for first, last in [(0, 2), (1, 4), (0, 50), (2, 3), (3, 60), (40, 90)]:
        one_by_one = [doc.line_bytes(line) for line in range(first, last)]
        at_once = doc.lines_bytes(first, last)
        assert at_once == one_by_one[: len(at_once)], (first, last)
        assert not any(one_by_one[len(at_once) :]), (first, last)
