"""The bracket scanner's state where a prompt's window starts, in a document without a grammar:
read from the file's start, not taken to be code. A window starting inside a SQL seed script's
multi-line string (a post's Markdown), Perl's POD or a CoffeeScript ``###`` comment read the
text as code and the code below as text (its strings inverted: a chat answer's fence kept,
the brackets there uncounted).

Each document keeps the states at a line start every ``STEP`` bytes; an edit leaves those
before it as they were, so a keystroke's scan starts at most ``STEP`` bytes above the window.
Those after it move with the text and hold again once a read from above meets one of them
unchanged (a key that opens no string nor comment: the next one).
A request reads ``REQUEST_READ`` bytes at most; the rest is read while the user pauses
(``read_later``), the window code until then.

In any file, ``LineStates`` reads the brackets open where a window starts far into a long line
(a minified bundle's) from the line's start, and on from there at the next keys.
"""

from __future__ import annotations

import asyncio
import bisect
import copy
import time
import weakref
from collections.abc import Callable
from dataclasses import dataclass, field

from ..documents import Document
from ..line_tokens import until_idle
from .postprocess._brackets import _push_pop
from .postprocess._scanner import _BracketScanner
from .postprocess._syntax import _SYNTAX, _Syntax, _syntax_for, syntax_name

#: Bytes between two states kept (~110 lines of SQL): what a key's request reads from the
#: state before its window, 0.3 ms of CPU at the median, 0.6 ms p99 for SQL (16 KB: 1.2 and
#: 2.5 ms; a shared machine's figures).
STEP = 4096
#: A window starting further into its line is code: no state is kept inside a line.
LONG_LINE = 16_384
#: Bytes a request reads at most to keep states on the way to its window (~2-3 ms of SQL or
#: JSON on a shared machine; 64 KB took 8-17 ms), then from the last one to the window (``STEP``
#: and ``LONG_LINE`` at most): not a large file from its start, which took 20 requests of 70-76
#: ms of CPU each for 10 MB of SQL (512 KB each).
REQUEST_READ = 16 * 1024
#: Bytes of one line read at most (in one piece, while the user pauses: no state is kept inside
#: a line): ~75 ms for JSON, ~20 ms for SQL. The windows below a longer line stay code, read
#: from their start: a mysqldump's extended INSERTs (up to 1 MB a line) end their strings
#: on their line (newlines written \n).
MAX_READ = 512 * 1024
#: Reading while the user pauses gives way after this much time (a line may take longer).
IDLE_SLICE_S = 0.002
#: Languages without a grammar or syntax of their own whose comments and strings are C's, read
#: from the file's start too. Others read with C's rules by default (HTML, XML, INI, a `.cfg`)
#: are not: a stray ``/*`` in their text (``src/*.js``) hid every bracket below it in the file,
#: where read from the window's start it hid the window's rest at most.
C_LIKE = frozenset(
    "css scss less jsonc dart groovy objective-c objective-cpp proto cuda-cpp glsl hlsl".split()
)

#: Prose is not read from the file's start: it has no comments nor strings over lines, but a
#: backtick (`` ` `` in "press ` to open the console", a fence's three) opens one to the scanner
#: that the next closes, and a stray one made every line below it a string: 38,476 line starts
#: outside fences of 149 of the system's 1,216 Markdown files.
PROSE = frozenset({"markdown", "plaintext"})


@dataclass
class _Kept:
    syntax: _Syntax
    #: The document's edit count the states were read at.
    edits: int
    offsets: list[int] = field(default_factory=lambda: [0])
    states: list[_BracketScanner] = field(default_factory=list)
    #: How many of the states are a read of the text as it is; those after were read before
    #: an edit above them, their offsets moved with the text since, and hold if a read from
    #: above meets one unchanged: the text after it is as read, to the next edit after it.
    read: int = 1
    #: Per state moved by edits, the edit count of the last edit above it before it was
    #: moved: a run of states of one count had no edit between them since they were read.
    since: list[int] = field(default_factory=lambda: [0])


class ScanStates:
    """Per document, the scanner's states at line starts read from the file's start."""

    def __init__(self) -> None:
        self._kept: weakref.WeakKeyDictionary[Document, _Kept] = weakref.WeakKeyDictionary()
        #: Where a request found no state near enough, by document: read on to there while the
        #: user pauses (the language it was asked in, the window's start).
        self.behind: weakref.WeakKeyDictionary[Document, tuple[str | None, int]] = (
            weakref.WeakKeyDictionary()
        )

    def at(self, doc: Document, language: str | None, offset: int) -> _BracketScanner | None:
        """The scanner's state at byte ``offset`` of ``doc`` (a character's start), read from the
        file's start; None where the states kept end more than ``REQUEST_READ`` bytes above it
        (``behind`` then tells ``read_later`` to read on to it), or where the language's comments
        and strings are not known (read as code from the window's start)."""
        kept = self._kept_for(doc, language)
        if kept is None:
            return None
        data = doc.data
        budget = REQUEST_READ
        while (end := _next_piece(kept, data, offset)) and end - kept.offsets[kept.read - 1] <= budget:
            budget -= end - kept.offsets[kept.read - 1]
            _read_piece(kept, data, end)
        index = bisect.bisect_right(kept.offsets, offset, 0, kept.read) - 1
        pos = kept.offsets[index]
        # Far into a long line (a dump's INSERT of 400 kB), the window moves with the cursor and
        # no state is kept inside the line: each key read it from its start again (~460 ms).
        # Code there, as before states were kept.
        line_start = max(pos, data.rfind(b"\n", pos, offset) + 1)
        if offset - line_start > LONG_LINE:
            return None
        if end:
            self.behind.pop(doc, None)  # the newest last
            self.behind[doc] = (language, offset)
            return None
        scanner = copy.copy(kept.states[index])
        _read(scanner, data[pos:offset])
        return scanner

    async def read_later(
        self,
        busy_until: Callable[[], float],
        is_open: Callable[[Document], bool],
        slices: list[float] | None = None,
    ) -> None:
        """Read on, while the user pauses, to where requests found no state (``behind``), the
        newest first, giving way every ``IDLE_SLICE_S``; ``slices`` gets each slice's ms."""
        while self.behind:
            await until_idle(busy_until)
            began = time.perf_counter()
            while self.behind and time.perf_counter() - began < IDLE_SLICE_S:
                doc, (language, offset) = list(self.behind.items())[-1]
                kept = self._kept_for(doc, language) if is_open(doc) else None
                end = _next_piece(kept, doc.data, offset) if kept is not None else 0
                if not end or end - kept.offsets[kept.read - 1] > MAX_READ:
                    del self.behind[doc]  # read (or a line too long: code below it)
                else:
                    _read_piece(kept, doc.data, end)
            if slices is not None:
                slices.append((time.perf_counter() - began) * 1000)
            await asyncio.sleep(0)

    def _kept_for(self, doc: Document, language: str | None) -> _Kept | None:
        """The states kept for ``doc`` that its edits since left as they were; None where the
        language's comments and strings are not known."""
        name = syntax_name(language)
        if (name not in _SYNTAX and name not in C_LIKE) or name in PROSE:
            return None
        syntax = _syntax_for(language)
        kept = self._kept.get(doc)
        edits = doc.edits_since(kept.edits) if kept is not None else None
        if kept is None or edits is None or kept.syntax != syntax:
            kept = _Kept(syntax, doc.edit_count, states=[_BracketScanner(syntax)])
            self._kept[doc] = kept
            return kept
        for count, edit in enumerate(edits, kept.edits + 1):
            # A state at an edit's start read none of it; one inside the text it replaced is
            # gone; those after moved with the text.
            offsets = kept.offsets
            first = bisect.bisect_right(offsets, edit.start_byte)
            if first > kept.read:
                # Below states moved by an earlier edit and not read since: one of those met
                # unchanged tells the text after it is as read, which this edit's is not.
                del offsets[first:], kept.states[first:], kept.since[first:]
                continue
            after = bisect.bisect_left(offsets, edit.old_end_byte, first)
            moved = edit.new_end_byte - edit.old_end_byte
            offsets[first:] = [offset + moved for offset in offsets[after:]]
            del kept.states[first:after], kept.since[first:after]
            # The states read are a run now: one met unchanged tells those up to the edit hold.
            read = first + max(0, kept.read - after)
            kept.since[first:read] = [count] * (read - first)
            kept.read = first
        kept.edits = doc.edit_count
        return kept


def _next_piece(kept: _Kept, data: bytes, offset: int) -> int:
    """Where the piece to read after the last state read ends: the first line start ``STEP``
    bytes on, or the next state's place before it, moved there by an edit (a line start still);
    0 when the state at ``offset`` is read from the last state read, that piece holding it (or
    ending past the text)."""
    pos = kept.offsets[kept.read - 1]
    # A window cut off by an edit since its request: read to the text's end, not past it (a
    # state kept at len + 1 read again at each turn, forever).
    offset = min(offset, len(data))
    if pos >= offset:
        return 0
    end = data.find(b"\n", pos + STEP) + 1 or len(data) + 1
    while kept.read < len(kept.offsets):
        moved = kept.offsets[kept.read]
        if pos < moved and data[moved - 1 : moved] == b"\n":
            end = min(end, moved)
            break
        del kept.offsets[kept.read], kept.states[kept.read], kept.since[kept.read]  # no line start now
    return end if end <= offset else 0


def _read_piece(kept: _Kept, data: bytes, end: int) -> None:
    """Read the piece ending at ``end``: where a state moved by an edit is there unchanged, the
    states after it hold too."""
    read = kept.read
    scanner = copy.copy(kept.states[read - 1])
    _read(scanner, data[kept.offsets[read - 1] : end])
    if read < len(kept.offsets) and kept.offsets[read] == end:
        if vars(scanner) == vars(kept.states[read]):
            since = kept.since
            read += 1
            while read < len(since) and since[read] == since[read - 1]:
                read += 1
            kept.read = read
            return
        kept.states[read] = scanner
    else:
        kept.offsets.insert(read, end)
        kept.states.insert(read, scanner)
        kept.since.insert(read, 0)
    kept.read = read + 1


def _read(scanner: _BracketScanner, data: bytes) -> None:
    for _ in scanner.feed(data.decode("utf-8", "replace")):
        pass


#: Languages without a grammar whose long lines are data read as C's (minified JSON): their
#: brackets are read from the line's start, with those of ``_SYNTAX`` and ``C_LIKE``.
LINE_DATA = frozenset({"json"})


def _line_is_code(doc: Document, language: str | None) -> bool:
    """Whether a long line of ``doc`` is read from its start for the brackets open far into it:
    code (a grammar's, or comments and strings known here), not prose nor text whose syntax is
    unknown. A stray backtick of prose, a `//` of an HTML page's text 15 kB before the window
    made all of it a string or a comment (the model's closers of nothing went through), where
    read from the window's start, as a short line is, they are no part of it."""
    name = syntax_name(language)
    if name in PROSE:
        return False
    return doc.language is not None or name in _SYNTAX or name in C_LIKE or name in LINE_DATA


#: Bytes of a line read at most for the brackets open far into it: ~15 ms of minified
#: JavaScript at 130-160 ms a MB (a longer line gets no suggestion, health.LONG_LINE_BYTES).
LINE_READ = 128 * 1024


@dataclass
class _LineRead:
    syntax: _Syntax
    start: int  # the line's start
    text: bytes  # the line's part read, from its start
    scanner: _BracketScanner
    #: The brackets open at the end of ``text`` (outermost first; where each opened unused).
    stack: list[tuple[str, int]]


class LineStates:
    """Per document, the scanner's state and the brackets open where a window starts far into
    a long line (a minified bundle's), read from the line's start.

    A window cut inside the line was read as code from its cut: the model's closers of what
    the line opened before it (an IIFE's `}(window);` at the end of a 21 kB line) were cut as
    stray. What was read is kept: a later window of the same line reads on from it while the
    text read is unchanged (keys typed at the line's end), not from the line's start again."""

    def __init__(self) -> None:
        self._kept: weakref.WeakKeyDictionary[Document, _LineRead] = weakref.WeakKeyDictionary()

    def at(
        self, doc: Document, language: str | None, data: bytes, offset: int
    ) -> tuple[_BracketScanner, tuple[str, ...]] | None:
        """(the scanner's state, the brackets open, outermost first) at byte ``offset`` of
        ``data`` (``doc``'s text, or a request's copy of it), read from its line's start; None
        where that is more than ``LINE_READ`` bytes before it, and in prose or text of unknown
        syntax (``_line_is_code``)."""
        start = data.rfind(b"\n", 0, offset) + 1
        if offset - start > LINE_READ or not _line_is_code(doc, language):
            return None
        syntax = _syntax_for(language)
        kept = self._kept.get(doc)
        if (
            kept is None
            or kept.syntax != syntax
            or kept.start != start
            or start + len(kept.text) > offset
            or not data.startswith(kept.text, start)
        ):
            kept = _LineRead(syntax, start, b"", _BracketScanner(syntax), [])
        scanner, stack = copy.copy(kept.scanner), list(kept.stack)
        for _, bracket in scanner.feed(data[start + len(kept.text) : offset].decode("utf-8", "replace")):
            _push_pop(stack, bracket, -1)
        self._kept[doc] = _LineRead(syntax, start, data[start:offset], scanner, stack)
        return copy.copy(scanner), tuple(bracket for bracket, _ in stack)
