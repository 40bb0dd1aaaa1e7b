"""Open documents: text as UTF-8 bytes, a lazy line index, and a tree-sitter tree kept incrementally.

pygls keeps its own copy of every document and re-splits the whole text on each change; we keep
ours instead (the server turns pygls' copy off), because incremental parsing needs byte offsets
and an O(edit) update, and features need positions in whichever encoding the client negotiated.
"""

from __future__ import annotations

import bisect
import logging
import re
from array import array
from collections import OrderedDict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from itertools import accumulate, islice
from typing import Literal

import tree_sitter as ts
from lsprotocol import types

from .languages import Language, LanguageRegistry
from .privacy import file_path

log = logging.getLogger(__name__)
#: How many closed documents are remembered, for a change arriving after its close.
CLOSED_KEPT = 64

Encoding = Literal["utf-8", "utf-16", "utf-32"]
_LONE_CR = re.compile(rb"\r(?!\n)")
_SURROGATE = re.compile("[\ud800-\udfff]")
#: Bytes split into lines at once when the index must grow by more than a few lines.
_BULK = 1 << 16
_PLUS_ONE = (1).__add__


def _line_break(data: bytes, start: int) -> tuple[int, int] | None:
    """(start, end) of the first line break (``\r\n``, ``\r`` or ``\n``) at or after ``start``.

    Found with ``bytes.find`` (memchr), bounded by the line: the regex ``\r\n|\r|\n`` has no
    literal to skip ahead with and read ~8 ms a megabyte, byte by byte, several times for each
    key typed on a long line (130 ms a key in a 5.7 MB one-line JSON file).
    """
    nl = data.find(b"\n", start)
    cr = data.find(b"\r", start, len(data) if nl < 0 else nl)
    if cr >= 0:
        return (cr, cr + 2) if cr + 1 == nl else (cr, cr + 1)
    return None if nl < 0 else (nl, nl + 1)


def _halves(ch: str) -> tuple[str, str]:
    """The UTF-16 surrogate pair of a character past U+FFFF."""
    value = ord(ch) - 0x10000
    return chr(0xD800 + (value >> 10)), chr(0xDC00 + (value & 0x3FF))


def utf8_source(data: bytes) -> bytes:
    """A file read from disk as UTF-8, as the editor would show it: a UTF-16 file with its byte
    order mark (Visual Studio's ``resource.h``, PowerShell 5's ``Out-File``) decoded, which
    parsed as UTF-8 was NUL-separated noise and gave no definitions at all. Anything else is
    left as it is (like the editor, undecodable bytes read as replacement characters)."""
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        try:
            return data.decode("utf-16").encode("utf-8", "surrogatepass")
        except UnicodeDecodeError:
            return data
    return data


def normalize_encoding(value: object) -> Encoding:
    text = str(getattr(value, "value", value) or "utf-16").lower()
    if text in ("utf-8", "utf-32"):
        return text  # type: ignore[return-value]
    return "utf-16"


def utf16_len(text: str) -> int:
    """``text``'s length in UTF-16 code units. Counted by the codec, in C: a lone surrogate is
    one unit, a character past U+FFFF two. A Python loop over the characters took 0.15 s on a
    minified line of 800,000."""
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


def _units(text: str, encoding: Encoding) -> int:
    if encoding == "utf-32" or text.isascii():
        return len(text)
    if encoding == "utf-16":
        return utf16_len(text)
    return len(text.encode("utf-8", "surrogatepass"))


def _chars_within(text: str, units: int, encoding: Encoding) -> int:
    """How many characters of ``text`` fit in ``units`` UTF-16 or UTF-32 code units (a
    character the column splits is left out).

    Found by the codec, in C: walking the characters in Python cost ~0.25 s for a column at
    the end of an 800,000-character minified line with one non-ASCII character, twice for each
    keystroke typed there (the change's range) and again for each request.
    """
    units = max(units, 0)
    if encoding == "utf-32":
        return min(units, len(text))
    # Every character is at least one unit: the first ``units`` characters hold the column.
    head = text[:units].encode("utf-16-le", "surrogatepass")[: 2 * units].decode("utf-16-le", "surrogatepass")
    n = len(head)
    if text.startswith(head):
        return n
    if "\ud800" <= head[-1] <= "\udbff" and ord(text[n - 1]) > 0xFFFF and text.startswith(head[:-1]):
        return n - 1  # the column splits a surrogate pair: the character's start
    # Lone surrogates in the text that the round trip joined into one character: walk them.
    for count, ch in enumerate(text):
        units -= 2 if ord(ch) > 0xFFFF else 1
        if units < 0:
            return count
    return len(text)


#: The longest text replaced by an edit that :meth:`Document.replaced` keeps.
_REPLACED_KEPT = 65536


@dataclass(frozen=True)
class Edit:
    """One applied change, in bytes of the document before and after it."""

    start_byte: int
    old_end_byte: int
    new_end_byte: int
    #: The line of ``start_byte`` and the line breaks removed and inserted, for per-line data
    #: kept across edits; ``start_line`` is -1 when line breaks are ambiguous (a lone "\r" may
    #: merge with a neighbouring "\n").
    start_line: int = -1
    old_breaks: int = 0
    new_breaks: int = 0


def shared_ends(old: bytes, new: bytes) -> tuple[int, int]:
    """Lengths of the longest common prefix of ``old`` and ``new`` and of the longest common
    suffix of what follows it, neither ending inside a character nor between ``\r`` and ``\n``.

    Compared a block at a time (slices compare in C), then byte by byte within the block.
    """
    limit, block = min(len(old), len(new)), 4096
    head = 0
    while head + block <= limit and old[head : head + block] == new[head : head + block]:
        head += block
    while head < limit and old[head] == new[head]:
        head += 1
    # Not inside a UTF-8 sequence (continuation bytes are 0b10xxxxxx), nor after a "\r".
    while head and ((head < len(new) and new[head] & 0xC0 == 0x80) or new[head - 1] == 0x0D):
        head -= 1
    limit -= head
    tail, n_old, n_new = 0, len(old), len(new)
    while tail + block <= limit and old[n_old - tail - block : n_old - tail] == new[n_new - tail - block : n_new - tail]:
        tail += block
    while tail < limit and old[n_old - tail - 1] == new[n_new - tail - 1]:
        tail += 1
    # Nor inside a character, nor at a "\n" (whose "\r" may be in the edit).
    while tail and (old[n_old - tail] & 0xC0 == 0x80 or old[n_old - tail] == 0x0A):
        tail -= 1
    return head, tail


def net_edits(old: bytes, new: bytes) -> tuple[Edit, Edit]:
    """What differs between ``old`` and ``new`` as one edit (empty where they are the same),
    its line fields unknown: placed as late and as early as the text allows. Where text
    repeats the change has several places (of two same lines, the first deleted reads as much
    as the second deleted); only what both leave untouched, at the same place, surely is."""
    head, tail = shared_ends(old, new)
    late = Edit(head, len(old) - tail, len(new) - tail)
    if late.start_byte == late.old_end_byte == late.new_end_byte:
        return late, late
    old_end, new_end = late.old_end_byte, late.new_end_byte
    # A byte earlier is the same change while the last byte it replaces equals the last it
    # writes (that byte joins the shared end): as far back as what ends at both ends is alike,
    # compared a block at a time (a byte at a time, 110 ms over 1 MB of repeated lines).
    back, block = 0, 4096
    while back + block <= head and (
        old[old_end - back - block : old_end - back] == new[new_end - back - block : new_end - back]
    ):
        back += block
    while back < head and old[old_end - back - 1] == new[new_end - back - 1]:
        back += 1
    return late, Edit(head - back, old_end - back, new_end - back)


class Document:
    def __init__(
        self,
        uri: str,
        text: str,
        *,
        language_id: str | None = None,
        version: int | None = None,
        language: Language | None = None,
        encoding: Encoding = "utf-16",
    ) -> None:
        self.uri = uri
        self.language_id = language_id
        self.version = version
        self.language = language
        self.encoding = encoding
        self._data = text.encode("utf-8", "surrogatepass")
        # Not kept: the bytes are what features read, and a second copy of every open file
        # was ~18 MB of the memory benchmark (tests/bench/bench_memory.py); decoded on demand.
        self._text: str | None = None
        # An array, not a list: 8 bytes a line instead of ~36 (a list slot and an int object);
        # 17 MB for the 500,000 lines of the memory benchmark's open files.
        self._starts: array[int] = array("q", [0])
        self._indexed_to_end = False
        self._parser: ts.Parser | None = language.shared_parser if language else None
        # Parsed on first use: most open documents (other tabs) never need a tree, and a tree
        # costs about as much memory as ten copies of its text.
        self._tree: ts.Tree | None = None
        self._stale = False
        #: Called with this document whenever its tree is used (the store keeps few trees).
        self.on_tree_use: Callable[[Document], None] | None = None
        # Without a lone "\r", LSP lines and tree-sitter rows coincide and points are cheap.
        self._lone_cr = _LONE_CR.search(self._data) is not None
        #: The latest edits, most recent last (bounded); ``edit_count`` counts all of them.
        self.recent_edits: list[Edit] = []
        self.edit_count = 0
        self._replaced: bytes | None = None

    # -- tree ---------------------------------------------------------------------------------

    @property
    def tree(self) -> ts.Tree | None:
        """The syntax tree, reparsed incrementally on first use after edits.

        Each change only records its edit in the old tree (microseconds); the reparse, which
        costs about a millisecond on a 10,000-line file, runs once for a burst of keystrokes and
        only when a feature asks (many keystrokes are answered from cache without a tree).
        """
        if self._parser is None:
            return None
        if self._tree is None:
            self._tree = self._parser.parse(self._data)
        elif self._stale:
            self._tree = self._parser.parse(self._data, self._tree)
        self._stale = False
        if self.on_tree_use is not None:
            self.on_tree_use(self)
        return self._tree

    @property
    def has_tree(self) -> bool:
        return self._tree is not None

    def drop_tree(self) -> None:
        """Free the tree; the next use parses the text from scratch."""
        self._tree = None
        self._stale = False

    @contextmanager
    def transient_tree(self) -> Iterator[None]:
        """For one-off readers (indexing a file for context, looking up its cached review): a
        tree parsed inside is let go at the end and never takes the place of the trees the
        store keeps for the files being edited. A tree the document already holds stays."""
        if self._tree is not None or self._parser is None:
            yield
            return
        hook, self.on_tree_use = self.on_tree_use, None
        try:
            yield
        finally:
            self.on_tree_use = hook
            self.drop_tree()

    def parse_now(self) -> None:
        self.tree  # noqa: B018 - the property parses

    # -- text ---------------------------------------------------------------------------------

    @property
    def data(self) -> bytes:
        return self._data

    @property
    def text(self) -> str:
        if self._text is None:
            self._text = self._data.decode("utf-8", "replace")
        return self._text

    def __len__(self) -> int:
        return len(self._data)

    # -- line index ---------------------------------------------------------------------------

    def _index_to(self, line: int, offset: int = -1) -> None:
        """Extend the line-start index until it holds ``line`` and the line after byte
        ``offset`` (lazily: typing keeps it short)."""
        starts = self._starts
        data = self._data
        while not self._indexed_to_end and (len(starts) <= line or starts[-1] <= offset):
            pos = starts[-1]
            if line - len(starts) >= 8 or offset - pos > 512:
                # Far ahead: split in C. A Python step per line (~1 us) after every key, from
                # the key's line to the file's end, was most of the keystroke once a review's
                # findings were shown (their positions reach the end of the file).
                end = min(len(data), max(offset + 1, pos) + _BULK)
                chunk = data[pos:end]
                # "\r" alone or in "\r\n", or a line longer than the chunk: the careful way below
                # (a chunk of one line's middle added nothing, and the loop never moved on).
                if b"\r" not in chunk and (b"\n" in chunk or end == len(data)):
                    lengths = map(_PLUS_ONE, map(len, chunk.split(b"\n")[:-1]))
                    starts.extend(islice(accumulate(lengths, initial=pos), 1, None))
                    self._indexed_to_end = end == len(data)
                    continue
            found = _line_break(data, pos)
            if found is None:
                self._indexed_to_end = True
                break
            starts.append(found[1])

    @property
    def has_lone_cr(self) -> bool:
        """Whether a "\r" alone is in the text: a line break to LSP, none to tree-sitter."""
        return self._lone_cr

    @property
    def line_count(self) -> int:
        self._index_to(1 << 62)
        return len(self._starts)

    def has_line(self, line: int) -> bool:
        """Whether the text has ``line`` (the one after a final line break too, as LSP counts)."""
        self._index_to(line)
        return 0 <= line < len(self._starts)

    def line_start(self, line: int) -> int:
        """Byte offset of the start of ``line``; lines past the end clamp to the end of the text."""
        self._index_to(line)
        if line < len(self._starts):
            return self._starts[line]
        return len(self._data)

    def line_end(self, line: int, *, with_eol: bool = False) -> int:
        start = self.line_start(line)
        found = _line_break(self._data, start)
        if found is None:
            return len(self._data)
        return found[1] if with_eol else found[0]

    def line_bytes(self, line: int) -> bytes:
        return self._data[self.line_start(line) : self.line_end(line)]

    def lines_bytes(self, first: int, last: int) -> list[bytes]:
        """:meth:`line_bytes` of lines ``first`` to ``last`` (not included), split at once: a
        call a line was half of an indentation look's 0.4 ms (250 lines). Fewer past the text's
        end, where every line would be empty."""
        start, end = self.line_start(max(0, first)), self.line_start(last)
        chunk = self._data[start:end]
        if b"\r" in chunk:  # "\r\n", or "\r" alone (a line break to LSP): line by line
            return [self.line_bytes(line) for line in range(max(0, first), last)]
        lines = chunk.split(b"\n")
        if chunk.endswith(b"\n") or not chunk:
            lines.pop()
        return lines

    def line_text(self, line: int) -> str:
        return self.line_bytes(line).decode("utf-8", "replace")

    def line_at(self, offset: int) -> int:
        """The line holding byte ``offset``."""
        offset = max(0, min(offset, len(self._data)))
        if not self._indexed_to_end and self._starts[-1] <= offset:  # inline: a hot path
            self._index_to(-1, offset)
        return bisect.bisect_right(self._starts, offset) - 1

    # -- positions ----------------------------------------------------------------------------

    def offset_at(self, position: types.Position) -> int:
        """Byte offset of an LSP position, clamped to the line and the document as LSP requires."""
        line = max(position.line, 0)
        self._index_to(line)
        if line >= len(self._starts):
            return len(self._data)
        start = self._starts[line]
        raw = self._data[start : self.line_end(line)]
        col = max(position.character, 0)
        if raw.isascii() or self.encoding == "utf-8":
            if self.encoding != "utf-8" or col >= len(raw):
                return start + min(col, len(raw))
            # A UTF-8 column inside a multi-byte character snaps back to its start.
            while col > 0 and (raw[col] & 0xC0) == 0x80:
                col -= 1
            return start + col
        # surrogatepass, as the text was encoded: "replace" made a lone surrogate (1 UTF-16 unit,
        # 3 bytes here) three U+FFFD of 3 bytes each, and every later column landed 6 bytes on.
        text = raw.decode("utf-8", "surrogatepass")
        head = text[: _chars_within(text, col, self.encoding)]
        return start + len(head.encode("utf-8", "surrogatepass"))

    def position_at(self, offset: int) -> types.Position:
        line = self.line_at(offset)
        start = self._starts[line] if line < len(self._starts) else len(self._data)
        offset = min(offset, self.line_end(line))
        if self.encoding != "utf-8":
            while start < offset < len(self._data) and (self._data[offset] & 0xC0) == 0x80:
                offset -= 1  # inside a character: its start (and the head decodes whole)
        head = self._data[start:offset]
        if self.encoding == "utf-8":
            return types.Position(line=line, character=len(head))
        return types.Position(line=line, character=_units(head.decode("utf-8", "surrogatepass"), self.encoding))

    def range_of(self, start: int, end: int) -> types.Range:
        return types.Range(start=self.position_at(start), end=self.position_at(end))

    def _point(self, offset: int) -> tuple[int, int]:
        """tree-sitter's point: rows count ``\\n`` only, columns are bytes."""
        if not self._lone_cr:
            line = self.line_at(offset)
            return (line, offset - self._starts[line])
        row = self._data.count(b"\n", 0, offset)
        col = offset - (self._data.rfind(b"\n", 0, offset) + 1)
        return (row, col)

    # -- changes ------------------------------------------------------------------------------

    def apply_change(self, change: types.TextDocumentContentChangeEvent) -> Edit:
        rng = getattr(change, "range", None)
        new_bytes = change.text.encode("utf-8", "surrogatepass")
        if rng is None:
            start, end = 0, len(self._data)
        else:
            start = self.offset_at(rng.start)
            end = self.offset_at(rng.end)
            if end < start:  # a reversed range still names the same span
                start, end = end, start
                rng = types.Range(start=rng.end, end=rng.start)
            if self.encoding == "utf-16":
                start, end, new_bytes = self._whole_pairs(rng, start, end, change.text)
        if start == 0 and end == len(self._data):
            # The whole text, though we sync incrementally: Emacs after a revert (lsp-mode as
            # a range over all of it, eglot and Sublime LSP without one). Taken as it came, it
            # rewrote every line, and every review finding went with it until the next save.
            # Only what differs is the edit.
            head, tail = shared_ends(self._data, new_bytes)
            if head or tail:
                return self._replace(head, end - tail, new_bytes[head : len(new_bytes) - tail])
            return self._replace(0, end, new_bytes, full=True)
        return self._replace(start, end, new_bytes)

    def narrowed(self, text: str) -> types.TextDocumentContentChangePartial:
        """The whole text replaced by ``text``, as the change of only what differs."""
        new = text.encode("utf-8", "surrogatepass")
        head, tail = shared_ends(self._data, new)
        return types.TextDocumentContentChangePartial(
            range=types.Range(
                start=self.position_at(head), end=self.position_at(len(self._data) - tail)
            ),
            text=new[head : len(new) - tail].decode("utf-8", "surrogatepass"),
        )

    def _splits_pair(self, offset: int, position: types.Position) -> bool:
        """Whether the UTF-16 ``position`` (which ``offset_at`` snapped to ``offset``, the
        start of its character) falls between the two halves of a character past U+FFFF."""
        return (
            offset < len(self._data)
            and self._data[offset] >= 0xF0
            and self.position_at(offset).character + 1 == position.character
        )

    def _whole_pairs(self, rng: types.Range, start: int, end: int, text: str) -> tuple[int, int, bytes]:
        """The change widened to whole characters when its UTF-16 range splits a surrogate
        pair, or its text completes one half left alone in the document.

        Clients that diff UTF-16 strings send such changes (an emoji changed to its neighbour
        differs in the low surrogate only; a pair deleted or typed one unit at a time). Snapped
        to the character's start, the kept half was lost and the halves were stored as two lone
        surrogates: the text diverged from the editor's by a column for the rest of the line and
        reached the model as U+FFFD.
        """
        if self._splits_pair(start, rng.start):
            text = _halves(self._data[start : start + 4].decode("utf-8"))[0] + text  # the kept high half
        if self._splits_pair(end, rng.end):
            text += _halves(self._data[end : end + 4].decode("utf-8"))[1]  # the kept low half
            end += 4
        # A lone half just before or after the change (surrogatepass: 0xED then 0xA0-0xBF) joins
        # a half at the change's edge.
        if start >= 3 and self._data[start - 3] == 0xED and 0xA0 <= self._data[start - 2] <= 0xAF:
            start -= 3
            text = self._data[start : start + 3].decode("utf-8", "surrogatepass") + text
        if self._data[end : end + 1] == b"\xed" and b"\xb0" <= self._data[end + 1 : end + 2] <= b"\xbf":
            text += self._data[end : end + 3].decode("utf-8", "surrogatepass")
            end += 3
        if _SURROGATE.search(text):
            text = text.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "surrogatepass")
        return start, end, text.encode("utf-8", "surrogatepass")

    def _replace(self, start: int, end: int, new: bytes, *, full: bool = False) -> Edit:
        old_data = self._data
        tree = self._tree if not full else None
        if tree is not None:
            start_point = self._point(start)
            old_end_point = self._point(end)
        # Line starts after the edit shift; those before the edit's line stay valid. Step back one
        # more line because a lone "\r" before the edit may merge with an inserted "\n".
        start_line = self.line_at(start)
        del self._starts[max(1, start_line) :]
        self._indexed_to_end = False
        self._data = old_data[:start] + new + old_data[end:]
        new_end = start + len(new)
        # Lines of an edit made while a lone "\r" is (or was, until this edit) in the text are
        # unknown: LSP counts it as a line break, the line counts of Edit only "\n".
        lines_unknown = self._lone_cr
        if self._lone_cr:
            if b"\r" in old_data[max(0, start - 1) : end + 1]:
                # The lone "\r" may be gone: look again. Once set, the flag stayed for good (a
                # stray "\r" typed and deleted), and every later keystroke dropped all per-line
                # token counts of the file.
                self._lone_cr = _LONE_CR.search(self._data) is not None
        elif b"\r" in new or b"\r" in old_data[max(0, start - 1) : end + 1]:
            # Only near the edit can a lone "\r" have appeared (a CRLF file gets "\r" with every
            # line break typed); marking any "\r" as lone turned off, in CRLF files, what relies
            # on LSP lines and tree-sitter rows being the same (cheap points, per-line data).
            # Two bytes past the edit: the lookahead must see the "\n" after a "\r".
            self._lone_cr = _LONE_CR.search(self._data, max(0, start - 1), new_end + 2) is not None
        if tree is not None:
            tree.edit(
                start_byte=start,
                old_end_byte=end,
                new_end_byte=new_end,
                start_point=start_point,
                old_end_point=old_end_point,
                new_end_point=self._point(new_end),
            )
        else:
            self._tree = None
        self._stale = self._tree is not None
        self._text = None
        edit = Edit(
            start,
            end,
            new_end,
            -1 if lines_unknown or self._lone_cr else start_line,
            old_data.count(b"\n", start, end),
            new.count(b"\n"),
        )
        self.recent_edits.append(edit)
        self.edit_count += 1
        # What the latest edit replaced, when short (an undo of it puts it back: see
        # review.tracked.Undoable); kept for one edit only.
        self._replaced = old_data[start:end] if end - start <= _REPLACED_KEPT else None
        if len(self.recent_edits) > 256:
            del self.recent_edits[:-128]
        return edit

    def with_replaced(self, start: int, end: int, new: bytes) -> Document:
        """A copy of this document with bytes ``start..end`` replaced by ``new`` (what an
        accept would make of it), this one's text left as is: its tree is copied and edited,
        so the copy's is reparsed from it (a whole parse of a large file is tens of ms)."""
        copy = Document(self.uri, "", language=self.language, encoding=self.encoding)
        copy._data, copy._lone_cr = self._data, self._lone_cr
        # The lines found so far too: read anew from the file's start, a CRLF file's went line
        # by line (36.8 ms a copy in a 10,000-line C# file; bench_accept_copy.py).
        copy._starts, copy._indexed_to_end = array("q", self._starts), self._indexed_to_end
        # This document's own tree, parsed (or brought up to date) and kept first: a tree the
        # store had freed (the user worked in other files meanwhile) was parsed whole for each
        # copy and again at the document's next read, and pending edits reparsed in each copy.
        if (tree := self.tree) is not None:
            copy._tree = tree.copy()
        copy._replace(start, end, new)
        return copy

    def replaced(self) -> bytes | None:
        """The text the latest edit replaced, unless it was long (or there was none)."""
        return self._replaced

    def edits_since(self, count: int) -> list[Edit] | None:
        """Edits applied after the first ``count``; None when too old to replay."""
        missing = self.edit_count - count
        if missing < 0 or missing > len(self.recent_edits):
            return None
        return self.recent_edits[len(self.recent_edits) - missing :]


class DocumentStore:
    """Every open document by URI; documents in languages without a grammar are plain text."""

    def __init__(self, registry: LanguageRegistry, encoding: Encoding = "utf-16", max_trees: int = 3) -> None:
        self.registry = registry
        self.encoding: Encoding = encoding
        self._docs: dict[str, Document] = {}
        # Documents holding a tree, least recently used first: trees of the files the user is
        # not working in are freed (a 5,000-line file's tree is ~7 MB). Three: the file being
        # edited and the ones the user switches between; other files' definitions are kept in
        # the completion index, without their trees.
        self._trees: OrderedDict[str, Document] = OrderedDict()
        self.max_trees = max_trees
        #: Called when a document or a tree is let go (the server trims the heap after).
        self.on_free: Callable[[], None] | None = None
        #: The URI of each open file by its path: editors spell a path's URI their own way
        #: (Neovim leaves ``(``, ``+``, ``@`` as they are, Python's ``as_uri`` encodes them),
        #: and a file found on disk is the open document of that path whatever its URI.
        self._uris_by_path: dict[str, str] = {}
        #: The documents closed lately: VS Code's "Don't Save" on closing a changed file sends
        #: its didClose, then a didChange giving back the saved text (no warning for that).
        self._closed: OrderedDict[str, None] = OrderedDict()

    def _tree_used(self, doc: Document) -> None:
        self._trees[doc.uri] = doc
        self._trees.move_to_end(doc.uri)
        for uri in [uri for uri, held in self._trees.items() if not held.has_tree]:
            del self._trees[uri]  # dropped by its user since (a one-off parse)
        while len(self._trees) > self.max_trees:
            _, old = self._trees.popitem(last=False)
            old.drop_tree()
            self._freed()

    def _freed(self) -> None:
        if self.on_free is not None:
            self.on_free()

    def __contains__(self, uri: str) -> bool:
        return uri in self._docs

    def __iter__(self) -> Iterator[Document]:
        return iter(list(self._docs.values()))

    def __len__(self) -> int:
        return len(self._docs)

    def get(self, uri: str) -> Document | None:
        return self._docs.get(uri)

    def by_path(self, path: str) -> Document | None:
        """The open document of the file at ``path`` (absolute), if any."""
        uri = self._uris_by_path.get(path)
        return self._docs.get(uri) if uri is not None else None

    def open(self, uri: str, text: str, language_id: str | None, version: int | None) -> Document:
        lang = self.registry.for_document(language_id, uri)
        doc = Document(
            uri, text, language_id=language_id, version=version, language=lang, encoding=self.encoding
        )
        doc.on_tree_use = self._tree_used
        self._trees.pop(uri, None)
        self._closed.pop(uri, None)
        self._docs[uri] = doc
        if (path := file_path(uri)) is not None:
            self._uris_by_path[str(path)] = uri
        return doc

    def change(
        self,
        uri: str,
        version: int | None,
        changes: list[types.TextDocumentContentChangeEvent],
    ) -> Document | None:
        doc = self._docs.get(uri)
        if doc is None:
            if uri in self._closed:
                log.debug("change for a document closed (reverted as it closed): %s", uri)
            else:
                log.warning("change for a document that is not open: %s", uri)
            return None
        for change in changes:
            doc.apply_change(change)
        doc.version = version
        return doc

    def close(self, uri: str) -> Document | None:
        self._trees.pop(uri, None)
        doc = self._docs.pop(uri, None)
        self._closed[uri] = None
        self._closed.move_to_end(uri)
        while len(self._closed) > CLOSED_KEPT:
            self._closed.popitem(last=False)
        if (path := file_path(uri)) is not None and self._uris_by_path.get(str(path)) == uri:
            del self._uris_by_path[str(path)]
        if doc is not None:
            self._freed()
        return doc
