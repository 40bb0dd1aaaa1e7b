"""The bracket scanner's state where a prompt's window starts, in a document without a grammar:
read from the file's start, not taken to be code. A window starting inside a SQL seed script's
multi-line string (a post's Markdown), Perl's POD or a CoffeeScript ``###`` comment read the
text as code and the code below as text (its strings inverted: a chat answer's fence kept,
the brackets there uncounted).

Each document keeps the states at a line start every ``STEP`` bytes; an edit leaves those
before it as they were, so a keystroke's scan starts at most ``STEP`` bytes above the window.
"""

from __future__ import annotations

import bisect
import copy
import weakref
from dataclasses import dataclass, field

from ..documents import Document
from .postprocess._scanner import _BracketScanner
from .postprocess._syntax import _SYNTAX, _Syntax, _syntax_for, syntax_name

#: Bytes between two states kept (~450 lines of SQL; ~1 ms of scanning).
STEP = 16_384
#: Bytes read at most for one window: a large file is read over several requests (each reads
#: on from the last state kept), the window code until then. A megabyte of JSON (78,000 lines,
#: a bracket or a quote every few characters) took ~150 ms in one; 512 KB of it take ~75 ms,
#: of SQL ~20 ms (a shared machine's figures).
MAX_READ = 512 * 1024
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

    def at(self, doc: Document, language: str | None, offset: int) -> _BracketScanner | None:
        """The scanner's state at byte ``offset`` of ``doc`` (a character's start), read from the
        file's start; None where that is more than ``MAX_READ`` bytes away from a state kept
        (the next call reads on from where this one stopped), or where the language's comments
        and strings are not known (read as code from the window's start)."""
        name = syntax_name(language)
        if name not in _SYNTAX and name not in C_LIKE:
            return None
        kept = self._valid(doc, _syntax_for(language))
        data = doc.data
        index = bisect.bisect_right(kept.offsets, offset) - 1
        pos, scanner = kept.offsets[index], copy.copy(kept.states[index])
        budget = MAX_READ
        while pos < offset:
            end = data.find(b"\n", pos + STEP) + 1
            if not end or end > offset:
                # Far into a long line (a dump's INSERT of 400 kB), the window moves with the
                # cursor and no state is kept inside the line: each key read it from its start
                # again (~460 ms). Code there, as before states were kept.
                line_start = max(pos, data.rfind(b"\n", pos, offset) + 1)
                if offset - pos > budget or offset - line_start > STEP:
                    return None
                _read(scanner, data[pos:offset])
                break
            if end - pos > budget:
                return None
            budget -= end - pos
            _read(scanner, data[pos:end])
            pos = end
            if index == len(kept.offsets) - 1:
                kept.offsets.append(pos)
                kept.states.append(copy.copy(scanner))
                index += 1
        return scanner

    def _valid(self, doc: Document, syntax: _Syntax) -> _Kept:
        """The states kept for ``doc`` that its edits since left as they were."""
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


def _read(scanner: _BracketScanner, data: bytes) -> None:
    for _ in scanner.feed(data.decode("utf-8", "replace")):
        pass
