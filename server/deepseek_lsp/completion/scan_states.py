"""The bracket scanner's state where a prompt's window starts, in a document without a grammar:
read from the file's start, not taken to be code. A window starting inside a SQL seed script's
multi-line string (a post's Markdown), Perl's POD or a CoffeeScript ``###`` comment read the
text as code and the code below as text (its strings inverted: a chat answer's fence kept,
the brackets there uncounted).

Each document keeps the states at a line start every ``STEP`` bytes; an edit leaves those
before it as they were, so a keystroke's scan starts at most ``STEP`` bytes above the window.
A request reads ``REQUEST_READ`` bytes at most; the rest is read while the user pauses
(``read_later``), the window code until then.
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
from .postprocess._scanner import _BracketScanner
from .postprocess._syntax import _SYNTAX, _Syntax, _syntax_for, syntax_name

#: Bytes between two states kept (~450 lines of SQL; ~2 ms of scanning).
STEP = 16_384
#: Bytes a request reads at most (~4-7 ms of SQL or JSON on a shared machine; 64 KB took
#: 8-17 ms): enough to reach a window from the state kept before it, not to read a large file
#: from its start, which took 20 requests of 80-250 ms each for 10 MB of SQL (512 KB each).
REQUEST_READ = 32 * 1024
#: Bytes of one line read at most (in one piece, while the user pauses: no state is kept inside
#: a line): ~75 ms for JSON, ~20 ms for SQL. The windows below a longer line stay code.
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


@dataclass
class _Kept:
    syntax: _Syntax
    #: The document's edit count the states were read at.
    edits: int
    offsets: list[int] = field(default_factory=lambda: [0])
    states: list[_BracketScanner] = field(default_factory=list)


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
        file's start; None where that is more than ``REQUEST_READ`` bytes away from a state kept
        (``behind`` then tells ``read_later`` to read on to it), or where the language's comments
        and strings are not known (read as code from the window's start)."""
        kept = self._kept_for(doc, language)
        if kept is None:
            return None
        data = doc.data
        budget = REQUEST_READ
        while (end := _next_piece(kept, data, offset)) and end - kept.offsets[-1] <= budget:
            budget -= end - kept.offsets[-1]
            _read_piece(kept, data, end)
        index = bisect.bisect_right(kept.offsets, offset) - 1
        pos = kept.offsets[index]
        # Far into a long line (a dump's INSERT of 400 kB), the window moves with the cursor and
        # no state is kept inside the line: each key read it from its start again (~460 ms).
        # Code there, as before states were kept.
        line_start = max(pos, data.rfind(b"\n", pos, offset) + 1)
        if offset - line_start > STEP:
            return None
        if end or offset - pos > budget:
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
                if not end or end - kept.offsets[-1] > MAX_READ:
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
        if name not in _SYNTAX and name not in C_LIKE:
            return None
        syntax = _syntax_for(language)
        kept = self._kept.get(doc)
        edits = doc.edits_since(kept.edits) if kept is not None else None
        if kept is None or edits is None or kept.syntax != syntax:
            kept = _Kept(syntax, doc.edit_count, states=[_BracketScanner(syntax)])
            self._kept[doc] = kept
            return kept
        if edits:
            # A state at an edit's start read none of it; the text after it moved.
            first = min(edit.start_byte for edit in edits)
            keep = bisect.bisect_right(kept.offsets, first)
            del kept.offsets[keep:], kept.states[keep:]
            kept.edits = doc.edit_count
        return kept


def _next_piece(kept: _Kept, data: bytes, offset: int) -> int:
    """Where the piece to read after the last state kept ends (the first line start ``STEP``
    bytes on, the next state's place); 0 when the state at ``offset`` is read from the last
    state kept, that piece holding it (or ending past the text)."""
    pos = kept.offsets[-1]
    end = data.find(b"\n", pos + STEP) + 1
    return end if pos < offset and 0 < end <= offset else 0


def _read_piece(kept: _Kept, data: bytes, end: int) -> None:
    scanner = copy.copy(kept.states[-1])
    _read(scanner, data[kept.offsets[-1] : end])
    kept.offsets.append(end)
    kept.states.append(scanner)


def _read(scanner: _BracketScanner, data: bytes) -> None:
    for _ in scanner.feed(data.decode("utf-8", "replace")):
        pass
