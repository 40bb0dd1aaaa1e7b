"""Suggestions already paid for, found three ways (exact, typing-through, in-flight).

- exact: the same prompt, suffix and request shape were asked before;
- typing-through: the user typed the start of a suggestion we hold, with the text after the
  cursor unchanged: the rest is served with no request;
- in-flight: a pending request whose prefix plus the text streamed so far covers what the user
  has typed since is awaited instead of sending another.

Results are stored even when never shown, since the next keystroke often asks for them.
"""

from __future__ import annotations

import asyncio
import hashlib
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from cachetools import TTLCache

TAIL = 256  # bytes of text before the cursor that must still match
HEAD = 256  # bytes of text after the cursor that must be unchanged
#: Closers an editor may have auto-inserted after the cursor, and how many in a row.
_AUTO_CLOSERS = frozenset(b")]}\"'`"[i : i + 1] for i in range(6))


def typed_through(full: bytes, typed: bytes) -> int | None:
    """How much of the suggestion ``full`` what was ``typed`` since it was shown goes through,
    or None where it went elsewhere. A line's blanks at its end may differ: kept where the
    file's own lines have some (postprocess/trim.py), nobody types them, and an editor trims
    the indent of a blank line left by Enter; the other way, Enter leaves the editor's indent
    on a line the suggestion has empty (VS Code's auto-indent, Vim's autoindent). Read as
    typed elsewhere, the rest of a block was dropped at its first such line and the model
    asked again."""
    if full.startswith(typed):
        return len(typed)
    if b"\n" not in typed:
        return None
    at = 0
    *ended, last = typed.split(b"\n")
    for line in ended:
        text = line.removesuffix(b"\r")  # (a CRLF document's line: its blanks before the \r)
        end = _past_blanks(full, at, text)
        eol = line[len(text) :] + b"\n"
        if end is None or not full.startswith(eol, end):
            return None
        at = end + len(eol)
    if full.startswith(last, at):
        return at + len(last)
    if last.strip(b" \t"):
        # Blanks after a line's text go on with it (`x + 1 `, then `+ 2`): the suggestion's next
        # line after them was shown, and the model not asked what follows.
        return None
    # The cursor's line the editor's indent alone, where the suggestion's is empty: the rest
    # from its end.
    end = _past_blanks(full, at, last)
    return end if end is not None and full[end : end + 1] in (b"\r", b"\n") else None


def _past_blanks(full: bytes, at: int, line: bytes) -> int | None:
    """Past ``line`` in ``full`` from ``at``, and past the blanks after it there, where the
    two differ only by blanks at ``line``'s end; else None."""
    body = line.rstrip(b" \t")
    end = at + len(body)
    if full[at:end] != body:
        return None
    while full[end : end + 1] in (b" ", b"\t"):
        end += 1
    return end


AUTO_CLOSED_MAX = 3


def _as_streamed(typed: bytes, streamed: bytes) -> bytes:
    """``typed`` with the stream's line breaks: in a CRLF document the model's may be LF
    (post-processing makes them the document's), and Enter typed while a block streamed
    matched none of it: the stream was dropped and the same block asked for again."""
    if b"\r\n" in typed and b"\r" not in streamed:
        return typed.replace(b"\r\n", b"\n")
    return typed


def exact_key(prompt: str, suffix: str, shape: tuple[object, ...]) -> str:
    h = hashlib.blake2b(digest_size=16)
    for part in (prompt, "\x00", suffix, "\x00", repr(shape)):
        h.update(part.encode("utf-8", "surrogatepass"))
    return h.hexdigest()


@dataclass
class Anchor:
    """Where a suggestion was asked: the text length before the cursor and the text around it."""

    prefix_len: int
    prefix_tail: bytes
    suffix_head: bytes
    #: Of ``prefix_len``, the bytes not in the document yet when it was made (a prefetch's
    #: anchor is after the suggestion shown, still to be accepted or typed). Not compared:
    #: the same state reached typing through a suggestion is one anchor (one prefetch).
    inserted_len: int = field(default=0, compare=False)
    #: The text before the tail it compares was edited since (CompletionCache.edited): what
    #: was asked here answers text that is gone.
    moved: bool = False
    #: The bytes at the document's end past the head it compares: typing before them leaves
    #: their count as it is, so an edit within that many bytes of the end is among them.
    unseen_after: int = field(default=0, compare=False)

    @classmethod
    def at(cls, data: bytes, offset: int, inserted: bytes = b"") -> Anchor:
        # Only the tail is kept: joining the whole prefix copied the file up to the cursor,
        # now on every keystroke typed through a suggestion.
        tail = (data[max(0, offset - TAIL) : offset] + inserted)[-TAIL:]
        head = data[offset : offset + HEAD]
        unseen = max(0, len(data) - offset - len(head))
        return cls(min(offset, len(data)) + len(inserted), tail, head, len(inserted), unseen_after=unseen)

    @property
    def unseen_end(self) -> int:
        """Where the text before the cursor that is not compared ends: an edit before it goes
        unnoticed. Not past the document's cursor when it was made: the text after it, still
        to come, is typed or accepted on the way to the anchor."""
        return min(self.prefix_len - len(self.prefix_tail), self.prefix_len - self.inserted_len)

    def typed_since(self, data: bytes, offset: int, *, auto_closed: bool = False) -> bytes | None:
        """What was typed at this anchor since, or None when the document moved on otherwise.

        ``auto_closed``: the closers an editor inserted with what was typed (`(` arrives as
        `()`, the cursor before the `)`) may stand between the cursor and the text the anchor
        saw after it. Without them, typing through `compute(a, b)` lost the suggestion at the
        `(` and asked the model again."""
        k = offset - self.prefix_len
        if k < 0 or self.moved:
            return None
        if data[offset : offset + HEAD] != self.suffix_head and not (
            auto_closed and k > 0 and self._closers_before_suffix(data, offset)
        ):
            return None
        tail_start = self.prefix_len - len(self.prefix_tail)
        if data[tail_start : self.prefix_len] != self.prefix_tail:
            return None
        return data[self.prefix_len : offset]

    def _closers_before_suffix(self, data: bytes, offset: int) -> bool:
        """Whether a few auto-inserted closers, then the text the anchor saw, follow ``offset``."""
        return self.suffix_at(data, offset) not in (None, offset)

    def suffix_at(self, data: bytes, offset: int) -> int | None:
        """Where the text the anchor saw after the cursor starts, the cursor at ``offset``: there,
        or past a few closers an editor auto-inserted; None where it is not there."""
        for ahead in range(AUTO_CLOSED_MAX + 1):
            if ahead and data[offset + ahead - 1 : offset + ahead] not in _AUTO_CLOSERS:
                return None
            if data[offset + ahead : offset + ahead + HEAD] == self.suffix_head:
                return offset + ahead
        return None

    def took_insert(self, data: bytes, at: int, text: bytes) -> None:
        """``text`` put in at byte ``at`` of the text after the cursor, by the server's own
        edit (the initializer's `;`): where ``data`` now holds the text the anchor saw with it
        put in, that is the text the anchor sees, the same state for its answer. Its text
        after the cursor starts past the suggestion it carries once that is accepted, at it
        before (the prefetch for after the next suggestion shown)."""
        if self.moved:
            return
        for start in dict.fromkeys((self.prefix_len, self.prefix_len - self.inserted_len)):
            rel = at - start
            if not 0 <= rel <= len(self.suffix_head):
                continue
            head = (self.suffix_head[:rel] + text + self.suffix_head[rel:])[:HEAD]
            if data[start : start + HEAD] == head:
                self.suffix_head = head
                self.unseen_after = max(0, len(data) - start - len(head))
                return

    def unmoved(self, length: int, typed: int = 0) -> None:
        """The text this anchor's request read is as it was, the document now ``length`` bytes
        long, ``typed`` of them typed at its place since: an edit past that text, which
        ``CompletionCache.edited`` took as moving the anchor (it cannot tell how far the request
        read), left the place as it was asked."""
        self.moved = False
        self.unseen_after = max(0, length - (self.prefix_len - self.inserted_len) - typed - len(self.suffix_head))

    def reachable(self, data: bytes, offset: int, streamed: bytes) -> bool:
        """Whether the document, with the cursor at ``offset``, may still come to use an answer
        asked for this anchor: the user is on the way to it (typing through the text that leads
        there), or at it and typing what has streamed so far. Unknown counts as reachable.

        Editors auto-close: a typed ``(`` arrives as ``()`` (the change ends after the ``)``,
        the cursor is before it) and the closer sits after the cursor until typed over. Up to
        a few closers after the cursor are allowed for."""
        if self.moved:
            return False
        for back in range(AUTO_CLOSED_MAX + 1):
            at = offset - back
            if back and (at < 0 or data[at : at + 1] not in _AUTO_CLOSERS):
                break
            for ahead in range(AUTO_CLOSED_MAX + 1):
                if ahead and data[at + ahead - 1 : at + ahead] not in _AUTO_CLOSERS:
                    break
                if self._reachable_at(data, at, ahead, streamed):
                    return True
        return False

    def _reachable_at(self, data: bytes, offset: int, closers: int, streamed: bytes) -> bool:
        after = offset + closers  # the text the anchor saw after the cursor starts here
        if data[after : after + HEAD] != self.suffix_head:
            return False
        tail_start = self.prefix_len - len(self.prefix_tail)
        if offset < tail_start:
            return True  # too far back to compare (a suggestion longer than the tail)
        if offset <= self.prefix_len:
            return data[tail_start:offset] == self.prefix_tail[: offset - tail_start]
        if closers:
            return False
        typed = self.typed_since(data, offset)
        if typed is None:
            return False
        typed = _as_streamed(typed, streamed)
        # (Either ahead of the other, blanks at a line's end aside: see typed_through.)
        return typed_through(streamed, typed) is not None or typed_through(typed, streamed) is not None


@dataclass
class Entry:
    anchor: Anchor
    text: str
    multiline: bool
    #: When it was answered: served after ``cacheTtlS`` no more than an exact repeat is.
    at: float = field(default_factory=time.monotonic)
    #: A prefetch's answer, for the state after accepting the suggestion before it.
    prefetched: bool = False
    #: A block cut at the time limit: served to typing through it, not to asking again where
    #: it was asked (the server may answer it whole then).
    cut: bool = False
    #: The request methods a cut block was given to where it was asked: its request's, its
    #: joiners' (its Pending's own set). Another method's request at that key is given it
    #: once: the menu's beside the inline one's is no asking again.
    served_to: set[str] = field(default_factory=set)


@dataclass
class Pending:
    anchor: Anchor
    multiline: bool
    streamed: list[str] = field(default_factory=list)
    future: asyncio.Future[list[str]] = field(default_factory=lambda: asyncio.get_running_loop().create_future())
    waiters: int = 0
    #: How the answer will be post-processed: set for blocks, whose complete lines can be
    #: shown while the rest still streams.
    post: Any = None
    grew: asyncio.Event = field(default_factory=asyncio.Event)
    #: Some of its lines are on screen while it streams on: the next Tab takes the rest, so
    #: it is not cancelled for having no request waiting on it.
    shown: bool = False
    #: When it was asked: a finished one answers its state only for ``cacheTtlS``.
    at: float = field(default_factory=time.monotonic)
    #: It ended with no answer (an error, a cancel), not with an answer that holds nothing.
    failed: bool = False
    #: Its answer is a block cut at the time limit: it answers its state once (a prefetch's,
    #: to the accept), then that state is asked again, as a foreground request's cut block is.
    cut: bool = False
    #: The request methods it was given to: a cut one answers its state once for each (the
    #: menu's request at the key the inline one took it at is no asking again).
    served_to: set[str] = field(default_factory=set)
    #: Its request's docstring opened (docstring_opener.py): the quote and the line before
    #: the cursor, by which the lines shown while it streams are closed as its answer will be.
    docstring: tuple[str, str] | None = None
    #: Hung up on, and kept for a request waiting out its debounce (Fetcher.cancel_later).
    kept: bool = False
    #: The text its request was asked with, and how far into it the prompt read: to the suffix
    #: window's end, or the text the anchor compares after the cursor where that goes further
    #: (an edit past there leaves the answer the one asked for: Fetcher.request_edited);
    #: None: not known (a new file's is b"").
    asked: bytes | None = None
    read_end: int = 0
    #: What the document has at its place since, typed through what streamed (the closers an
    #: editor put in with it too): between the text before the place and the text after it
    #: that the prompt read (see :meth:`read_unchanged`).
    typed: bytes = b""

    @property
    def text(self) -> str:
        return "".join(self.streamed)

    def add(self, delta: str) -> None:
        self.streamed.append(delta)
        self.grew.set()

    def astray(self, data: bytes, offset: int) -> bool:
        """Whether what streamed so far shows the answer goes elsewhere than what the document
        ``data`` has at ``offset`` since it was asked (not: too little has streamed to tell)."""
        typed = self.anchor.typed_since(data, offset, auto_closed=True)
        if typed is None:
            return True
        streamed = self.text.encode("utf-8", "surrogatepass")
        typed = _as_streamed(typed, streamed)
        return typed_through(streamed, typed) is None and not typed.startswith(streamed)

    def read_unchanged(self, data: bytes, typed: bytes | None = None) -> bool:
        """Whether ``data`` holds the text its request was asked with as far as the prompt read,
        with what was :attr:`typed` through at its place (an edit past it once a key was typed
        through the stream closed it: the text differed from what was asked at that key), or
        ``typed`` there."""
        if self.asked is None:
            return False
        typed = self.typed if typed is None else typed
        # Not slices of each compared: copying a 1 MB file's text twice took 11 ms (load 19), this 20 µs.
        asked = memoryview(self.asked)
        place = self.anchor.prefix_len - self.anchor.inserted_len
        after = place + len(typed)
        if not (data.startswith(asked[:place]) and data.startswith(typed, place)):
            return False
        if len(self.asked) < self.read_end:
            # The document's end was read: text added there is read too.
            return len(data) - after == len(asked) - place and data.startswith(asked[place:], after)
        return data.startswith(asked[place : self.read_end], after)

    def typed_at(self, data: bytes, cursor: int) -> bytes | None:
        """What the document has at its place, the cursor at ``cursor`` (or before the closers
        an editor put in with what was typed there: a typed `(` arrives as `()`, the change
        ends after the `)`), where that goes through what streamed; None where the answer goes
        elsewhere (:meth:`astray`)."""
        place = self.anchor.prefix_len - self.anchor.inserted_len
        for back in range(AUTO_CLOSED_MAX + 1):
            at = cursor - back
            if back and (at < 0 or data[at : at + 1] not in _AUTO_CLOSERS):
                break
            if not self.astray(data, at) and (suffix := self.anchor.suffix_at(data, at)) is not None:
                return data[place:suffix]
        return None

    def before_unchanged(self, data: bytes) -> bool:
        """Whether ``data`` holds the text before the place its request was asked, as asked."""
        start = self.anchor.prefix_len - self.anchor.inserted_len
        return self.asked is not None and data.startswith(memoryview(self.asked)[:start])

    async def complete_lines(self, skip: int) -> str | None:
        """The streamed text from ``skip`` bytes in, up to its last line break, as soon as that
        holds a line with text; None when the whole answer came first."""
        while not self.future.done():
            text = self.text.encode("utf-8", "surrogatepass")[skip:].decode("utf-8", "ignore")
            cut = text.rfind("\n")
            if cut > 0 and text[:cut].strip():
                return text[:cut]
            await self.grown(None)
        return None

    async def grown(self, timeout: float | None) -> None:
        """Until more text has streamed, the answer has ended, or ``timeout`` seconds went by."""
        self.grew.clear()
        grew = asyncio.ensure_future(self.grew.wait())
        try:
            await asyncio.wait((self.future, grew), timeout=timeout, return_when=asyncio.FIRST_COMPLETED)
        finally:
            grew.cancel()


class CompletionCache:
    def __init__(self, size: int = 512, ttl_s: float = 600.0, max_bytes: int = 8_000_000) -> None:
        self.max_bytes = max_bytes
        self.size = size
        self.exact: TTLCache[str, list[str]] = self._answers(size, ttl_s)
        #: When each answer kept was asked (TTLCache tells none): what it is held to type
        #: through from an exact hit lives from then, not anew at each hit.
        self._asked_at: dict[str, float] = {}
        # Typing-through entries per document, newest last; a few suffice (typing is local).
        self._through: dict[str, list[Entry]] = {}
        self.pending: dict[str, Pending] = {}
        #: Speculative requests for the state after accepting the shown suggestion, per document,
        #: kept once answered: a request made right after the accept joins one (or takes its
        #: answer) instead of asking the same again.
        self.prefetching: dict[str, Pending] = {}
        self.hits: Counter[str] = Counter()

    def _answers(self, size: int, ttl_s: float) -> TTLCache[str, list[str]]:
        """The answers kept, weighed in characters, each at least its share of ``max_bytes``:
        ``size`` answers at most and ``max_bytes`` in all, a long block taking the room of
        several short ones. An answer over its share was not kept at all: with ``cacheSize``
        raised to 50,000, no block (160 characters each) was ever cached."""
        share = max(1, self.max_bytes // size) if size else 1

        def weight(choices: list[str]) -> int:
            return max(share, sum(len(c) for c in choices))

        return TTLCache(maxsize=self.max_bytes if size else 0, ttl=ttl_s, getsizeof=weight)

    def clear(self) -> None:
        """Forget every answer: they are another model's, or another endpoint's."""
        self.exact.clear()
        self._through.clear()
        self.pending.clear()
        self.prefetching.clear()

    def resize(self, size: int, ttl_s: float) -> None:
        """New limits for the answers kept, the newest of them still kept (a size or time to
        live changed mid-session emptied the cache: each answer asked for and paid again); what
        is in flight stays joinable (and closable)."""
        kept = list(self.exact.items())[-size:] if size else []
        asked = dict(self._asked_at)
        self.size = size
        self.exact = self._answers(size, ttl_s)
        for key, choices in kept:
            self.put(key, choices, at=asked.get(key))

    def put(self, key: str, choices: list[str], *, at: float | None = None) -> None:
        # ``cacheSize: 0`` keeps nothing (TTLCache(0) raised on every put: no suggestion shown);
        # nor is one answer let take more than an eighth of the room (a runaway answer).
        if self.size and sum(len(c) for c in choices) <= self.max_bytes // 8:
            self.exact[key] = choices
            self._asked_at[key] = time.monotonic() if at is None else at
            if len(self._asked_at) > 2 * self.size:
                self._asked_at = {k: t for k, t in self._asked_at.items() if k in self.exact}

    def asked_at(self, key: str) -> float:
        """When the answer kept for ``key`` was asked (now, if unknown)."""
        return self._asked_at.get(key, time.monotonic())

    def get(self, key: str, *, count: bool = True) -> list[str] | None:
        """The answer kept for ``key``; ``count=False`` when the caller may not use it (then
        it counts the hit itself, see CompletionFeature._suggest)."""
        found = self.exact.get(key)
        if found is not None and count:
            self.hits["exact"] += 1
        return found

    def remember(
        self,
        uri: str,
        anchor: Anchor,
        text: str,
        multiline: bool,
        *,
        prefetched: bool = False,
        cut: bool = False,
        served_to: set[str] | None = None,
        at: float | None = None,
    ) -> None:
        """Hold ``text`` to type through from ``anchor``, answered ``at`` (now if not given)."""
        if not text:
            return
        entries = self._through.setdefault(uri, [])
        served = set() if served_to is None else served_to
        when = time.monotonic() if at is None else at
        # Held once: the same suggestion for the same place again (an explicit request served
        # from the exact cache, at each press) is the newest, not a copy beside it. The copies
        # filled the file's 16, and the suggestions held for other places went.
        entries[:] = [e for e in entries if (e.anchor, e.text) != (anchor, text)]
        entries.append(Entry(anchor, text, multiline, at=when, prefetched=prefetched, cut=cut, served_to=served))
        if len(entries) > 16:
            del entries[:-16]
        if len(self._through) > 256:
            self._through.pop(next(iter(self._through)))

    def expired(self, at: float) -> bool:
        # The same lifetime as an exact repeat's: an answer asked 10 minutes before was served
        # back at its place from here with ``cacheTtlS: 60``, with no request.
        return time.monotonic() - at > self.exact.ttl

    def through(self, uri: str, data: bytes, offset: int, *, method: str) -> tuple[str, bool] | None:
        """The rest of a held suggestion the user is typing through, if any, and whether any
        of it was typed (False: the cursor is back where it was asked), for a request of
        ``method``."""
        for entry in reversed(self._through.get(uri, ())):
            if self.expired(entry.at):
                continue
            typed = entry.anchor.typed_since(data, offset, auto_closed=True)
            if typed is None or (entry.cut and not typed and method in entry.served_to):
                continue
            full = entry.text.encode("utf-8", "surrogatepass")
            through = typed_through(full, typed)
            if through is not None and through < len(full):
                rest = full[through:].decode("utf-8", "ignore")
                if rest.strip():
                    if entry.cut and not typed:
                        entry.served_to.add(method)
                    # A prefetch that finished before the accept answers the state it was
                    # asked for: a prefetch hit (it was counted as typing-through).
                    self.hits["prefetch" if entry.prefetched and not typed else "typing"] += 1
                    return rest, bool(typed)
        return None

    def held_entry(self, uri: str, data: bytes, offset: int, rest: str) -> Entry | None:
        """The suggestion held that goes on with ``rest`` at ``offset`` of ``data`` (the one an
        item sent from there carries), the newest first."""
        wanted = rest.encode("utf-8", "surrogatepass")
        for entry in reversed(self._through.get(uri, ())):
            typed = entry.anchor.typed_since(data, offset, auto_closed=True)
            full = entry.text.encode("utf-8", "surrogatepass")
            if typed is not None and full.endswith(wanted) and typed_through(full, typed) == len(full) - len(wanted):
                return entry
        return None

    def shown(self, uri: str, entry: Entry) -> None:
        """The editor shows ``entry`` (cycled to, a part of it taken): it becomes the newest,
        the one typing through goes on with, not another choice of its request that starts
        as it does."""
        entries = self._through.get(uri, [])
        for index in range(len(entries) - 1, -1, -1):
            # Alike, not the same: held again (an explicit request's first choice is the
            # suggestion asked while typing) it is a new entry.
            if (entries[index].anchor, entries[index].text) == (entry.anchor, entry.text):
                entries.append(entries.pop(index))
                return

    def edited(self, uri: str, start: int, after: int) -> None:
        """An edit at byte ``start`` with ``after`` bytes of the document after its end: the
        suggestions held for a cursor more than ``TAIL`` bytes after it, or more than ``HEAD``
        bytes before it, go, since their anchor compares only that much of the text around the
        cursor. Kept, a function renamed to a name of the same length far above (or a helper
        renamed far below) was still called by its old name in the suggestion served there,
        with no request."""
        entries = self._through.get(uri, [])
        anchors = [e.anchor for e in entries]
        anchors += [p.anchor for p in (self.pending.get(uri), self.prefetching.get(uri)) if p is not None]
        for anchor in anchors:
            # Requests in flight too: joined, or a prefetch's answer kept, they served the same.
            if anchor is not None and (anchor.unseen_end > start or 0 < anchor.unseen_after >= after):
                anchor.moved = True
        entries[:] = [e for e in entries if not e.anchor.moved]

    def took_insert(self, uri: str, data: bytes, at: int, text: bytes) -> None:
        """The server's own insert of ``text`` at ``at`` in ``uri``, now in ``data``: what is
        held for the cursor before it still answers there (Anchor.took_insert)."""
        anchors = [e.anchor for e in self._through.get(uri, ())]
        anchors += [p.anchor for p in (self.pending.get(uri), self.prefetching.get(uri)) if p is not None]
        # A prefetch's answer shares its anchor with its Pending: put in once.
        for anchor in {id(a): a for a in anchors}.values():
            anchor.took_insert(data, at, text)

    def edited_elsewhere(self, uri: str) -> None:
        """An edit in ``uri``: what is held for the other documents goes, their answers still
        streaming aside. Their prompts carry
        it now (the user's latest edit, a definition changed), so the exact path asks again;
        the typing-through entries served the answer from before with no request (a helper just
        written in one file was never suggested back in the other)."""
        for other in [u for u in self._through if u != uri]:
            del self._through[other]
        for registry in (self.pending, self.prefetching):
            for other, pending in registry.items():
                # Not one still streaming: it answers its file's text, which the edit left as
                # it was, and is kept for the way back (where the editor sends no cancel, it
                # streamed on, billed, which no request could join: the model was asked again).
                if other != uri and pending.anchor is not None and pending.future.done():
                    pending.anchor.moved = True

    def drop_held(self, uri: str) -> None:
        """What is held to type through in ``uri`` goes (see CompletionFeature's indentation)."""
        self._through.pop(uri, None)

    def forget(self, uri: str) -> None:
        self._through.pop(uri, None)
        self.pending.pop(uri, None)
        self.prefetching.pop(uri, None)

    def in_flight(
        self, uri: str, data: bytes, offset: int, multiline: bool, *, method: str
    ) -> tuple[Pending, int] | None:
        """A pending request (or prefetch) for this document that will cover the cursor, and how
        far in, for a request of ``method``."""
        for registry in (self.pending, self.prefetching):
            pending = registry.get(uri)
            if pending is None or (pending.future.done() and self.expired(pending.at)):
                continue
            if pending.cut and pending.future.done() and method in pending.served_to:
                continue  # served once to this method: its state is asked again
            found = self._covers(pending, data, offset, multiline)
            if found is not None:
                pending.served_to.add(method)
                return found
        return None

    @staticmethod
    def _covers(pending: Pending | None, data: bytes, offset: int, multiline: bool) -> tuple[Pending, int] | None:
        if pending is None or (multiline and not pending.multiline):
            return None
        typed = pending.anchor.typed_since(data, offset, auto_closed=True)
        if typed is None:
            return None
        if pending.future.done():
            # A finished prefetch still answers the state it was asked for, also when it found
            # nothing worth showing: the request after the accept used to ask it all again.
            return (pending, 0) if not typed else None
        streamed = pending.text.encode("utf-8", "surrogatepass")
        # Only what has streamed so far proves the pending answer agrees with what was typed.
        through = typed_through(streamed, _as_streamed(typed, streamed))
        return None if through is None else (pending, through)
