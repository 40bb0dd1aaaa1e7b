"""The bracket scanner's states kept for a document without a grammar (scan_states.py): at any
line start they are a read of the whole text up to there, before and after edits."""

from __future__ import annotations

import asyncio
import random

import pytest
from lsprotocol import types

from deepseek_lsp.completion import scan_states
from deepseek_lsp.completion.postprocess._scanner import _BracketScanner
from deepseek_lsp.completion.postprocess._syntax import _syntax_for, syntax_name
from deepseek_lsp.completion.scan_states import LineStates, ScanStates
from deepseek_lsp.documents import Document

_SEED = (
    "INSERT INTO posts (body) VALUES ('# Title (\n\nit''s [x\n');\n"
    "SELECT f(a) -- it's (\nFROM t /* ( */ WHERE b IN ('x', 'y');\n"
)


def _whole(text: str, language: str) -> str:
    scanner = _BracketScanner(_syntax_for(language))
    for _ in scanner.feed(text):
        pass
    return scanner.mode


@pytest.fixture
def read(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The sizes of the pieces the scanner reads."""
    sizes: list[int] = []
    real_read = scan_states._read

    def counting(scanner: _BracketScanner, data: bytes) -> None:
        sizes.append(len(data))
        real_read(scanner, data)

    monkeypatch.setattr(scan_states, "_read", counting)
    return sizes


def _insert(doc: Document, line: int, text: str) -> None:
    at = types.Position(line=line, character=0)
    doc.apply_change(types.TextDocumentContentChangePartial(range=types.Range(at, at), text=text))


def test_states_at_line_starts_are_a_read_from_the_file_s_start(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(scan_states, "STEP", 64)  # many states kept in a short text
    text = _SEED * 40
    doc = Document("file:///seed.sql", text, language_id="sql")
    states = ScanStates()
    starts = [0] + [i + 1 for i, c in enumerate(text) if c == "\n"]
    rng = random.Random(40)
    for start in rng.sample(starts, 60):
        state = states.at(doc, "sql", start)
        assert state is not None and state.mode == _whole(text[:start], "sql"), start


def test_an_edit_above_a_window_changes_its_state_and_one_below_keeps_those_above(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A quote typed at the top makes the rest of a SQL file a string; typed below the window
    it changes nothing above."""
    monkeypatch.setattr(scan_states, "STEP", 64)
    doc = Document("file:///seed.sql", "SELECT 1;\n" * 300, language_id="sql")
    states = ScanStates()
    window = doc.line_start(250)
    assert states.at(doc, "sql", window).mode == ""
    _insert(doc, 270, "'")
    assert states.at(doc, "sql", window).mode == ""
    _insert(doc, 3, "'")
    assert states.at(doc, "sql", doc.line_start(250)).mode == "'"
    assert doc.text[: doc.line_start(250)].count("'") == 1


def test_a_read_longer_than_the_limit_is_done_over_several_calls(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A huge dump is not read in one request: the window is code until the reads reach it."""
    monkeypatch.setattr(scan_states, "STEP", 64)
    monkeypatch.setattr(scan_states, "REQUEST_READ", 2000)
    text = "SELECT 'a\n" + "b;\n" * 2000
    doc = Document("file:///dump.sql", text, language_id="sql")
    states = ScanStates()
    end = doc.line_start(1990)
    got = [states.at(doc, "sql", end) for _ in range(4)]
    assert got[0] is None
    assert got[-1] is not None and got[-1].mode == "'"


def test_keys_typed_far_into_a_long_line_do_not_read_the_line_again(read: list[int]) -> None:
    """A mysqldump's INSERT is one line of hundreds of kB: with the window starting far into
    it, each key read the line from its start again (~460 ms a key for 430 kB, on the event
    loop). Such a window is code, as before states were kept; the lines above stay read."""
    row = "(1,'Alice (admin)','it''s (x)',NULL)"
    line = "INSERT INTO users VALUES " + ",".join([row] * 6000) + ";\n"
    doc = Document("file:///dump.sql", "SELECT 'a\nb';\n" + line + line, language_id="sql")
    states = ScanStates()
    cursor = len(doc.data) - 100
    assert states.at(doc, "sql", doc.line_start(3)) is None  # too long a read for a request
    asyncio.run(states.read_later(lambda: 0.0, lambda _: True))
    assert states.at(doc, "sql", doc.line_start(3)).mode == ""  # read once, kept
    read.clear()
    for _ in range(3):
        at = doc.position_at(cursor)
        doc.apply_change(types.TextDocumentContentChangePartial(range=types.Range(at, at), text="x"))
        cursor += 1
        assert states.at(doc, "sql", cursor - 6000) is None
    assert sum(read) < 3 * scan_states.LONG_LINE, read
    # A window starting near the line's start is still read from it.
    near = doc.line_start(3) + 40
    state = states.at(doc, "sql", near)
    assert state is not None and state.mode == _whole(doc.text[:near], "sql") == "'"


def test_windows_below_a_line_longer_than_max_read_stay_code(read: list[int]) -> None:
    """A line over ``MAX_READ`` (a mysqldump's extended INSERT of 1 MB) is never read: in one
    piece it would hold the event loop 20-75 ms, and no state is kept inside a line. The
    windows below it are code, read from their start (a dump's strings end on their line);
    the states above it are kept, and neither a request nor a pause reads the line, again and
    again, at each key."""
    row = "(1,'it''s (x)',NULL)"
    line = "INSERT INTO t VALUES " + ",".join([row] * 30_000) + ";\n"
    assert len(line) > scan_states.MAX_READ
    head = "SELECT 'a\nb';\n" * 400
    doc = Document("file:///dump.sql", head + line + "SELECT f(a);\n" * 50, language_id="sql")
    states = ScanStates()
    below, above = doc.line_start(doc.line_count - 10), doc.line_start(701)
    for _ in range(3):
        assert states.at(doc, "sql", below) is None
        asyncio.run(states.read_later(lambda: 0.0, lambda _: True))
        assert not states.behind
    assert max(read) <= scan_states.STEP + 64 and sum(read) < len(head) + scan_states.STEP, read
    state = states.at(doc, "sql", above)
    assert state is not None and state.mode == _whole(doc.text[:above], "sql") == "'"


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("html", None), ("xml", None), ("ini", ""), ("css", "block"), ("sql", "block"),
        ("markdown", None), ("plaintext", None), ("text", None), ("markdown.pandoc", None),
    ],
)
def test_a_file_read_with_c_s_rules_by_default_is_not_read_from_its_start(
    language: str, expected: str | None
) -> None:
    """An HTML page that mentions ``src/*.js`` in its text: read from the file's start with C's
    rules (what a language of no syntax known gets), every window below the ``/*`` was a
    comment, its brackets uncounted. A language known to be C's in this (CSS) or with its own
    syntax (SQL, whose ``/*`` is a comment; an INI file's, whose ``/*`` is a path's) is read
    from the start still. Nor is prose: a stray backtick in a Markdown page opened a string over
    every line below it."""
    text = "<p>Bundles src/*.js and styles.</p>\n" + "<div>\n</div>\n" * 200
    if syntax_name(language) in ("markdown", "plaintext"):
        # A stray backtick, which opened a string over every line below.
        text = "Press ` to open the console.\n" + "See (the guide).\n" * 200
    doc = Document(f"file:///page.{language}", text, language_id=language)
    state = ScanStates().at(doc, language, doc.line_start(150))
    if expected is None:
        assert state is None  # the window read as code from its start, as before
    else:
        assert state is not None and state.mode == expected


def test_a_request_reads_a_few_kilobytes_and_the_rest_is_read_while_the_user_pauses(
    read: list[int],
) -> None:
    """A 1 MB SQL seed script: the first request at its bottom read 512 KB (80-120 ms on the
    event loop, a key's wait), and again after any key typed at the top. A request reads a few
    kilobytes now, the window code until the rest is read while the user pauses; after a key
    that changes no state below, the states there hold, moved."""
    text = "INSERT INTO t VALUES ('it''s (x', f(b));\n" * 26_000
    doc = Document("file:///seed.sql", text, language_id="sql")
    states = ScanStates()
    window = doc.line_start(doc.line_count - 100)
    for key_at_top in ("", "/*"):
        if key_at_top:
            _insert(doc, 1, key_at_top)  # a comment opened: every line below is in it
            window = doc.line_start(doc.line_count - 100)
        read.clear()
        assert states.at(doc, "sql", window) is None  # code for now
        assert sum(read) <= scan_states.REQUEST_READ, read
        asyncio.run(states.read_later(lambda: 0.0, lambda _: True))
        read.clear()
        state = states.at(doc, "sql", window)
        assert state is not None and state.mode == _whole(doc.text[:window], "sql")
        assert state.mode == ("block" if key_at_top else "")
        assert sum(read) <= scan_states.REQUEST_READ, read
        # A key that opens no string nor comment at the top: the states below hold, moved.
        _insert(doc, 1, "x")
        window = doc.line_start(doc.line_count - 100)
        read.clear()
        state = states.at(doc, "sql", window)
        assert state is not None and state.mode == _whole(doc.text[:window], "sql")
        assert sum(read) <= scan_states.REQUEST_READ, read
    # A document closed meanwhile is not read.
    other = Document("file:///other.sql", text, language_id="sql")
    assert states.at(other, "sql", window) is None
    read.clear()
    asyncio.run(states.read_later(lambda: 0.0, lambda _: False))
    assert not read and not states.behind


@pytest.mark.parametrize(
    "language", ["sql", "perl", "cmake", "coffeescript", "haskell", "lua", "css", "yaml", "nim"]
)
def test_states_moved_by_edits_are_those_of_a_read_from_the_start(
    language: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The states after an edit move with the text and hold once a read from above meets one
    unchanged: after random edits (quotes, comment openers, line breaks, words), the state at
    any line start is the one a read of the text as it stands gives."""
    monkeypatch.setattr(scan_states, "STEP", 48)
    monkeypatch.setattr(scan_states, "REQUEST_READ", 200)
    pieces = ["'", '"', "--", "/*", "*/", "#", "#[[", "]]", "{-", "-}", "=pod\n", "=cut\n",
              "###", "--[[", "(", ")", "\n", "\n\n", "x", "ab ", "  ", "__END__\n", "<<EOF\n",
              "EOF\n", "E'", "\\"]
    rng = random.Random(f"{language}40")
    text = "".join(rng.choice(pieces[-8:-4] + ["x = f(a);\n"] * 6 + pieces) for _ in range(600))
    doc = Document(f"file:///t.{language}", text, language_id=language)
    states = ScanStates()

    def state_at(states: ScanStates, doc: Document, offset: int) -> dict[str, object] | None:
        for _ in range(2):
            state = states.at(doc, language, offset)
            if state is not None or not states.behind:
                break
            asyncio.run(states.read_later(lambda: 0.0, lambda _: True))
        return vars(state) if state is not None else None

    for _ in range(60):
        data = doc.data
        start = rng.randrange(len(data))
        end = min(len(data), start + rng.choice([0, 0, 1, 3, 40]))
        start_at, end_at = doc.position_at(start), doc.position_at(end)
        change = types.TextDocumentContentChangePartial(
            range=types.Range(start_at, end_at), text=rng.choice(pieces)
        )
        doc.apply_change(change)
        fresh = Document(doc.uri, doc.text, language_id=language)
        for line in rng.sample(range(doc.line_count), 4):
            offset = doc.line_start(line)
            assert state_at(states, doc, offset) == state_at(ScanStates(), fresh, offset), line


def test_a_key_s_request_in_a_file_read_reads_a_few_kilobytes(read: list[int]) -> None:
    """Once a file is read, a request reads from the state kept before its window: up to 32 KB
    (16 KB apart, ~1.2 ms of CPU at the median for SQL), for each key; 4 KB apart now."""
    text = "INSERT INTO t VALUES ('it''s (x', f(b));\n" * 26_000
    doc = Document("file:///seed.sql", text, language_id="sql")
    states = ScanStates()
    states.at(doc, "sql", len(doc.data) - 10)
    asyncio.run(states.read_later(lambda: 0.0, lambda _: True))
    rng = random.Random(4)
    for line in rng.sample(range(doc.line_count), 200):
        read.clear()
        assert states.at(doc, "sql", doc.line_start(line)) is not None
        assert sum(read) <= 4096 + 100, (line, read)


def test_a_window_cut_off_by_an_edit_before_the_pause_is_not_read_forever() -> None:
    """A request near the bottom of a large file leaves its window to be read while the user
    pauses; the user then deletes the file's lower half (an undone paste): the window is past
    the text's end. The pause's reading stops at the end, not adding states there forever
    (the event loop busy and the memory growing until the next key)."""
    text = "INSERT INTO t VALUES ('it''s (x', f(b));\n" * 2_000
    doc = Document("file:///seed.sql", text, language_id="sql")
    states = ScanStates()
    assert states.at(doc, "sql", doc.line_start(doc.line_count - 10)) is None
    assert states.behind
    end = doc.position_at(len(doc.data))
    cut = types.Range(types.Position(line=1_000, character=0), end)
    doc.apply_change(types.TextDocumentContentChangePartial(range=cut, text=""))

    async def pause() -> None:
        await asyncio.wait_for(states.read_later(lambda: 0.0, lambda _: True), 2)

    asyncio.run(pause())
    assert not states.behind
    window = doc.line_start(doc.line_count - 10)
    state = states.at(doc, "sql", window)
    assert state is not None and state.mode == _whole(doc.text[:window], "sql")


@pytest.mark.parametrize(
    "text",
    [
        'x=$(case $1 in\n+([0-9])) echo number ;;\n*) echo other ;;\nesac)\necho "$x"\n',
        "(case $1 in\n@(a|b)) echo ab ;;\nesac)\n",
    ],
    ids=["extglob-in-substitution", "extglob-in-subshell"],
)
def test_a_shell_case_s_arm_at_column_0_reads_the_same_from_its_line_s_start(text: str) -> None:
    """States are kept at line starts and read on from there: a `case` arm at column 0 whose
    pattern is an extglob (`+([0-9]))`) read from its line's start took its `)` for a bracket,
    closing the `$(` the `case` is in, and `esac)`'s for the pattern's (the pattern's start
    looked for again from its second character)."""
    scanner = _BracketScanner(_syntax_for("bash"))
    whole = list(scanner.feed(text))
    scanner, by_line, at = _BracketScanner(_syntax_for("bash")), [], 0
    for line in text.splitlines(keepends=True):
        by_line += [(at + pos, bracket) for pos, bracket in scanner.feed(line)]
        at += len(line)
    assert by_line == whole


def test_a_window_far_into_a_long_line_of_code_knows_its_brackets_and_one_of_prose_does_not() -> None:
    """A window cut far into a minified bundle's line knows the brackets the line opened before
    it (its closers at the line's end are no stray ones). Not a paragraph's line of Markdown: a
    backtick before the cut (`` ` `` in "press ` to open") would make the whole window a string,
    its brackets uncounted; it stays read from the cut, as before."""
    code = "!function(e){" + "var s=function(a){return a};" * 800
    doc = Document("file:///b.min.js", code + "\n", language_id="javascript")
    scanner, opened = LineStates().at(doc, "javascript", doc.data, len(code) - 100)
    assert opened == ("{",) and scanner.mode == ""
    prose = "Press ` to open the console (or F12). " * 600
    doc = Document("file:///notes.md", prose + "\n", language_id="markdown")
    assert LineStates().at(doc, "markdown", doc.data, len(prose) - 100) is None
