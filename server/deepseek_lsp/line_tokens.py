"""Token counts of every line of the documents being edited, kept across edits.

A prompt window is a few hundred whole lines; counting the ones the server has not seen costs
~25 µs a line with the real tokenizer, 5–10 ms for a window opened somewhere new in a large
file. Counts are kept per document in an array that edits splice (a keystroke invalidates one
line), and the documents the user works in are counted ahead, in small slices while the user
pauses, so a request at any position finds its window already counted.
"""

from __future__ import annotations

import asyncio
import time
from array import array
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field

from .context.snippets import SEND_MAX_BYTES
from .documents import Document, shared_ends
from .privacy import has_trigger
from .prompts import WINDOW_STEP, TokenCount, count_line

UNKNOWN = -1
#: Lines counted per slice of background work: ~1 ms, so a request waits at most that long.
SLICE_LINES = WINDOW_STEP
#: Closed documents whose counts are kept for when they are opened again, and how large one
#: may be (its text is kept to tell which lines are the same).
CLOSED_KEPT = 2
CLOSED_MAX_BYTES = 2_000_000
#: The open documents' counts are kept up to this many bytes of arrays (~4 bytes a line: over a
#: million lines, 20 tabs of 60,000), the least recently used let go past it. By count, four
#: were kept: a user back in the fifth tab had its lines counted anew (~25 us a line, 65 ms for
#: a 2,600-line module, its first requests' windows ~5-10 ms each meanwhile).
KEPT_MAX_BYTES = 5_000_000


@dataclass
class _Counts:
    doc: Document
    count: TokenCount
    edit_count: int
    lines: array[int] = field(default_factory=lambda: array("i"))
    #: Sums of ``WINDOW_STEP``-line blocks, once all their lines are counted: a window is
    #: ~500 lines, walked a block at a time instead of a line at a time.
    blocks: array[int] = field(default_factory=lambda: array("i"))
    #: Per block: 1 when it holds no word that may introduce a secret (``privacy.has_trigger``),
    #: 0 when it does, -1 unknown: redaction skips the clean blocks of a prompt window.
    clean: array[int] = field(default_factory=lambda: array("b"))


def _size(state: _Counts) -> int:
    return sum(a.itemsize * len(a) for a in (state.lines, state.blocks, state.clean))


@dataclass
class _Closed:
    """A closed document's counts, by the text they count (no lone "\r" in it)."""

    data: bytes
    count: TokenCount
    lines: array[int]


def _kept_lines(closed: _Closed, data: bytes) -> array[int]:
    """``data``'s line counts where its lines are the closed text's: the lines before the first
    byte that differs and those after the last, the rest unknown. (Neither text has a lone
    "\r": their lines are what "\n" ends.)"""
    old, old_lines = closed.data, closed.lines
    head, tail = shared_ends(old, data)
    lines = array("i", [UNKNOWN]) * (data.count(b"\n") + 1)
    # The lines whose "\n" is before the first difference.
    before = min(old.count(b"\n", 0, head), len(old_lines))
    lines[:before] = old_lines[:before]
    # The lines starting after a "\n" of the shared tail, or at its start after a "\n" in
    # both texts: the last ``after`` of each.
    after = old.count(b"\n", len(old) - tail)
    if tail and old[len(old) - tail - 1 : len(old) - tail] == b"\n" == data[len(data) - tail - 1 : len(data) - tail]:
        after += 1
    old_total = old.count(b"\n") + 1
    for i in range(1, after + 1):
        if old_total - i < len(old_lines):
            lines[len(lines) - i] = old_lines[old_total - i]
    return lines


def _direct(count: TokenCount, line: bytes) -> int:
    return count(line.decode("utf-8", "replace")) if line else 0


def _tokens(state: _Counts, line: int, measure: Callable[[TokenCount, bytes], int]) -> int:
    lines = state.lines
    if line < len(lines):
        known = lines[line]
        if known >= 0:
            return known
    doc = state.doc
    start, end = doc.line_start(line), doc.line_start(line + 1)
    # A line no prompt has room for counts as its length in bytes, a bound no count exceeds (a
    # byte-level BPE token is a byte at least): the tokenizer took 0.76 s for a minified
    # file's 330 kB line, on the event loop, after each pause.
    value = end - start if end - start > SEND_MAX_BYTES else measure(state.count, doc.data[start:end])
    if line >= len(lines):
        lines.extend(array("i", [UNKNOWN]) * (line + 1 - len(lines)))
    lines[line] = value
    return value


class LineCounter:
    """The token counts of one document's lines: ``counter(line)``, ``counter.block(b)``."""

    __slots__ = ("_state",)

    def __init__(self, state: _Counts) -> None:
        self._state = state

    def __call__(self, line: int) -> int:
        return _tokens(self._state, line, count_line)

    def clean(self, b: int) -> bool:
        """Whether lines ``[b * WINDOW_STEP, (b + 1) * WINDOW_STEP)`` are all in the document
        and hold nothing :func:`privacy.has_trigger` finds (looked at once, kept until an edit
        touches the block)."""
        state = self._state
        flags = state.clean
        if b < len(flags) and flags[b] >= 0:
            return flags[b] == 1
        doc = state.doc
        if (b + 1) * WINDOW_STEP > doc.line_count:
            return False
        text = doc.data[doc.line_start(b * WINDOW_STEP) : doc.line_start((b + 1) * WINDOW_STEP)]
        value = not has_trigger(text.decode("utf-8", "replace"))
        if b >= len(flags):
            flags.extend(array("b", [UNKNOWN]) * (b + 1 - len(flags)))
        flags[b] = 1 if value else 0
        return value

    def known_clean(self, b: int) -> bool:
        """Whether block ``b`` is known (looked at since its last edit) to hold no trigger; it
        is not looked at here."""
        flags = self._state.clean
        return b < len(flags) and flags[b] == 1

    def block(self, b: int) -> int | None:
        """Tokens of lines ``[b * WINDOW_STEP, (b + 1) * WINDOW_STEP)``, or None while some of
        them are not counted yet (or the document ends inside the block)."""
        blocks = self._state.blocks
        if b < len(blocks) and blocks[b] >= 0:
            return blocks[b]
        part = self._state.lines[b * WINDOW_STEP : (b + 1) * WINDOW_STEP]
        if len(part) < WINDOW_STEP or min(part) < 0:
            return None
        if b >= len(blocks):
            blocks.extend(array("i", [UNKNOWN]) * (b + 1 - len(blocks)))
        blocks[b] = total = sum(part)
        return total


class LineTokens:
    """Per-line token counts of the most recently used documents, up to ``max_bytes`` of them
    (the one in use always kept whole)."""

    def __init__(self, max_bytes: int = KEPT_MAX_BYTES) -> None:
        self.max_bytes = max_bytes
        self._docs: OrderedDict[str, _Counts] = OrderedDict()
        #: Closed documents' counts: opened again (a tab closed and reopened, Neovim's ``:bd``
        #: then ``:e``, a language mode changed), the lines left as they were are not counted
        #: anew (a 2,600-line file was ~65 ms of the tokenizer after each open).
        self._closed: OrderedDict[str, _Closed] = OrderedDict()

    def _state(self, doc: Document, count: TokenCount) -> _Counts:
        state = self._docs.get(doc.uri)
        if state is not None and (state.doc is not doc or state.count != count):
            state = None  # reopened, or counted with another tokenizer
        if state is not None:
            edits = doc.edits_since(state.edit_count)
            if edits is not None and all(e.start_line >= 0 for e in edits):
                lines = state.lines
                for e in edits:
                    first_block = e.start_line // WINDOW_STEP
                    for blocks in (state.blocks, state.clean):
                        if e.old_breaks != e.new_breaks:
                            del blocks[first_block:]  # the lines after the edit moved
                        else:
                            last_block = (e.start_line + e.old_breaks) // WINDOW_STEP
                            for b in range(first_block, min(last_block + 1, len(blocks))):
                                blocks[b] = UNKNOWN
                    if e.start_line >= len(lines):
                        continue
                    stop = e.start_line + e.old_breaks + 1
                    if stop > len(lines):
                        del lines[e.start_line :]
                    else:
                        lines[e.start_line : stop] = array("i", [UNKNOWN]) * (e.new_breaks + 1)
                state.edit_count = doc.edit_count
            else:
                state = None
        joined = state is None
        if state is None:
            state = _Counts(doc, count, doc.edit_count)
            closed = self._closed.pop(doc.uri, None)
            if closed is not None and closed.count == count and not doc.has_lone_cr:
                state.lines = _kept_lines(closed, doc.data)
        self._docs[doc.uri] = state
        self._docs.move_to_end(doc.uri)
        if joined:
            self._trim()
        return state

    def size_bytes(self) -> int:
        """The bytes of the counts kept for open documents."""
        return sum(map(_size, self._docs.values()))

    def _trim(self) -> None:
        # Looked at as a document joins or is counted whole, not at every request: the arrays
        # grow in between only by the lines of the documents kept.
        total = self.size_bytes()
        while total > self.max_bytes and len(self._docs) > 1:
            total -= _size(self._docs.popitem(last=False)[1])

    def counter(self, doc: Document, count: TokenCount) -> LineCounter:
        """``tokens(line)``: the token count of a whole line of ``doc`` (line break included),
        from the array when known, else counted now and remembered."""
        return LineCounter(self._state(doc, count))

    def known(self, doc: Document, count: TokenCount | None = None) -> int:
        """How many lines of ``doc`` have a count (by ``count``, if given): what tests look at."""
        state = self._docs.get(doc.uri)
        if state is None or state.doc is not doc or state.edit_count != doc.edit_count:
            return 0
        if count is not None and state.count != count:
            return 0
        return sum(1 for v in state.lines if v >= 0)

    def forget(self, uri: str) -> None:
        """The document is closed: its counts are kept by its text while they are up to date."""
        state = self._docs.get(uri)
        if state is not None and state.edit_count != state.doc.edit_count:
            state = self._state(state.doc, state.count)  # the edits since its last request
        self._docs.pop(uri, None)
        self._closed.pop(uri, None)
        doc = state.doc if state is not None else None
        if (
            state is None
            or doc is None
            or doc.has_lone_cr
            or len(doc.data) > CLOSED_MAX_BYTES
            or max(state.lines, default=UNKNOWN) < 0
        ):
            return
        self._closed[uri] = _Closed(doc.data, state.count, state.lines)
        while len(self._closed) > CLOSED_KEPT:
            self._closed.popitem(last=False)

    async def fill(self, doc: Document, count: TokenCount, busy_until: Callable[[], float]) -> None:
        """Count every line of ``doc`` not yet counted, a slice at a time on the event loop,
        only while ``busy_until()`` (a monotonic time) has passed. Stops when the document is
        closed or replaced."""
        line = 0
        self._state(doc, count)
        while True:
            await until_idle(busy_until)
            state = self._docs.get(doc.uri)
            if state is None or state.doc is not doc or state.count != count:
                return  # closed, reopened, pushed out by documents used since, or recounted
            state = self._state(doc, count)
            total = doc.line_count
            if line >= total:
                self._trim()
                return
            stop = min(total, line + SLICE_LINES)
            for n in range(line, stop):
                # Counted directly: the whole file would only churn the shared per-text cache.
                _tokens(state, n, _direct)
            # A slice is a block (SLICE_LINES == WINDOW_STEP): its redaction flag, while at it.
            LineCounter(state).clean(line // WINDOW_STEP)
            line = stop
            await asyncio.sleep(0)


async def until_idle(busy_until: Callable[[], float]) -> None:
    """Return once the monotonic time ``busy_until()`` has passed (it may move while waiting)."""
    for _ in range(1000):  # bounded: a user typing for minutes on end still gets the work done
        wait = busy_until() - time.monotonic()
        if wait <= 0:
            return
        await asyncio.sleep(wait)
