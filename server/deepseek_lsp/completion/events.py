"""What the editor tells of the suggestions it was sent (shown, accepted in part or whole) and the
session's counts of it: each suggestion counted once, however many times the editor tells and
however many items carried it (it is sent again each time the editor asks at its place)."""

from __future__ import annotations

import hashlib
from collections import Counter, OrderedDict, deque
from dataclasses import dataclass, field
from typing import Any

from lsprotocol import types

from ..documents import utf16_len
from .cache import Entry
from .closer_semicolon import CloserBelow

#: The command an item runs once accepted, with its id and document (``SentItems.add``).
ACCEPT_COMMAND = "deepseek.completionAccepted"

#: Items remembered for their events; the oldest half goes when there are more.
MAX_ITEMS = 256
#: Suggestions remembered for their counts, the least recently sent going first: one sent
#: again after that many others is counted again.
MAX_SUGGESTIONS = 1024
#: How much of the document an accept would make, before the suggestion's end and after it, tells
#: one suggestion from another (the text typed through it and the place included).
KEY_BEFORE = 4096
KEY_AFTER = 1024
#: How much of an accepted insert's end tells the document still holds it where it ended.
INSERT_TAIL = 64
#: How much of the document either side of where a suggestion goes in tells an accept undone:
#: the document back to that (and to its length) there.
UNDO_AROUND = 64


@dataclass
class Stats:
    requests: int = 0
    #: Suggestions, not items (see ``suggestion_key``): the same one drawn again after Esc, a
    #: cursor move or an undo was one more shown each time (6 shown, 1 accepted: 17 %).
    shown: int = 0
    accepted: int = 0
    #: Of ``accepted``, completion-menu items: no editor reports those shown, so they are left
    #: out of the acceptance rate (with them it went over 100 %).
    menu_accepted: int = 0
    #: Suggestions taken in part (a word, a line) and not, or not yet, to their end: one taken
    #: piece by piece to its end moves to ``accepted``.
    partially_accepted: int = 0
    #: Accepts undone (Ctrl+Z, `u`) before anything else was done there: taken out of
    #: ``accepted`` (they counted as taken, 100 % for a suggestion the user threw away).
    undone: int = 0
    backend_requests: int = 0
    backend_cancelled: int = 0
    prefetches: int = 0
    #: Prefetches stopped before their end: the user went elsewhere (see Fetcher.stop_prefetch).
    prefetches_stopped: int = 0
    empty: int = 0
    latencies_ms: deque[float] = field(default_factory=lambda: deque(maxlen=2000))

    def to_json(self, hits: Counter[str]) -> dict[str, Any]:
        lat = sorted(self.latencies_ms)

        def pct(p: float) -> float | None:
            return round(lat[min(len(lat) - 1, int(p * len(lat)))], 2) if lat else None

        return {
            "requests": self.requests,
            "shown": self.shown,
            "accepted": self.accepted,
            "partiallyAccepted": self.partially_accepted,
            "menuAccepted": self.menu_accepted,
            "undone": self.undone,
            "acceptanceRate": round((self.accepted - self.menu_accepted) / self.shown, 3) if self.shown else None,
            "backendRequests": self.backend_requests,
            "backendCancelled": self.backend_cancelled,
            "prefetches": self.prefetches,
            "prefetchesStopped": self.prefetches_stopped,
            "empty": self.empty,
            "cacheHits": dict(hits),
            "latencyMs": {"p50": pct(0.5), "p95": pct(0.95), "p99": pct(0.99)},
        }


def field_of(obj: Any, key: str, default: Any = None) -> Any:
    """A field of a custom method's params: a dict, or the object pygls makes of one."""
    if isinstance(obj, dict):
        return obj.get(key, default)
    return getattr(obj, key, default)


def suggestion_key(uri: str, data: bytes, start: int, end: int, insert: str, from_menu: bool) -> bytes:
    """What tells a suggestion from another: the document an accept would make around where the
    suggestion ends. The same text at the same place is sent again after Esc, a cursor move or
    an undo; typed through (or taken a word at a time) what is left of it makes the same
    document, so it is still the one suggestion."""
    text = insert.encode("utf-8")
    before = (data[max(0, start - KEY_BEFORE) : start] + text)[-KEY_BEFORE:]
    digest = hashlib.blake2b(digest_size=16)
    for part in (uri.encode("utf-8"), b"menu" if from_menu else b"inline", before, data[end : end + KEY_AFTER]):
        digest.update(len(part).to_bytes(8, "little"))  # no two splits of the same bytes alike
        digest.update(part)
    return digest.digest()


@dataclass(slots=True)
class Outcome:
    """What became of one suggestion, whichever of its items the editor told of."""

    shown: bool = False
    accepted: bool = False
    partly: bool = False
    #: Taken in part before its accept: partly accepted again once that accept is undone.
    partly_before: bool = False


@dataclass
class SentItem:
    uri: str
    #: Where the cursor is once the whole item is in: the end of its insert.
    end: int
    #: Its insertText's length in UTF-16 code units, what ``acceptedLength`` counts.
    length: int
    from_menu: bool
    outcome: Outcome
    accepted: bool = False
    #: The editor's `}` right below the insert, whose `;` an accept may add (closer_semicolon).
    closer: CloserBelow | None = None
    #: The end of its insert (up to ``INSERT_TAIL`` bytes): what the document holds before
    #: ``end`` while the accept is the last thing done there.
    insert_tail: bytes = b""
    #: The suggestion held to type through that this item carries: the one to go on with
    #: once the editor tells it shows this item (CompletionCache.shown).
    held: Entry | None = None
    #: The document where the item goes in as it was before (``UNDO_AROUND`` bytes either side
    #: of the text it replaces), from ``before_at``, and the document's length: what an undo
    #: of the accept brings back (see :meth:`undone_in`).
    before: bytes = b""
    before_at: int = 0
    before_len: int = 0
    #: The same once the item is in (from ``before_at`` too): what a redo brings back.
    after: bytes = b""
    after_len: int = 0
    #: Where its insert starts.
    start: int = 0
    #: Its insert's length in bytes.
    insert_len: int = 0

    def undone_in(self, data: bytes) -> bool:
        """Whether ``data`` is the document as it was before the item went in, where it went,
        or with the first characters of its insert typed: VS Code keeps an item shown while
        they are typed (no request for them) and its accept puts in the rest, which an undo
        takes out, the characters typed staying (an undo of it was never seen)."""
        typed = len(data) - self.before_len
        if not 0 <= typed < self.insert_len:
            return False
        cut = self.start - self.before_at
        head = self.after[cut : cut + typed]
        want = self.before[:cut] + head + self.before[cut:]
        return data[self.before_at : self.before_at + len(want)] == want

    def redone_in(self, data: bytes) -> bool:
        """Whether ``data`` is the document with the item in again (an undo of it redone)."""
        return len(data) == self.after_len and data[self.before_at : self.before_at + len(self.after)] == self.after

    def holds(self, at: int) -> bool:
        """Whether byte ``at`` is on the item's insert (its start to its end once in): where a
        redo puts it back, in one edit or in pieces."""
        return self.start <= at <= self.end


class SentItems:
    """The items sent to the editor, by the id their accept command carries, and the
    suggestions they carry, each counted once."""

    def __init__(self, stats: Stats) -> None:
        self.stats = stats
        self._items: dict[str, SentItem] = {}
        self._outcomes: OrderedDict[bytes, Outcome] = OrderedDict()
        self._next_id = 0

    def add(
        self, uri: str, data: bytes, start: int, end: int, insert: str, *, from_menu: bool,
        closer: CloserBelow | None = None, held: Entry | None = None,
    ) -> str:
        """An id for the item's accept command, ``insert`` replacing ``data[start:end]``. What is
        kept tells where the cursor lands after the accept: the end of the whole insert from
        ``start`` (the replaced closers and the selected menu entry included, which the "just
        accepted" check used to miss)."""
        self._next_id += 1
        item_id = str(self._next_id)
        key = suggestion_key(uri, data, start, end, insert, from_menu)
        outcome = self._outcomes.get(key)
        if outcome is None:
            outcome = self._outcomes[key] = Outcome()
            if len(self._outcomes) > MAX_SUGGESTIONS:
                self._outcomes.popitem(last=False)
        else:
            self._outcomes.move_to_end(key)
        inserted = insert.encode("utf-8")
        before_at = max(0, start - UNDO_AROUND)
        self._items[item_id] = SentItem(
            uri, start + len(inserted), utf16_len(insert), from_menu, outcome, closer=closer,
            insert_tail=inserted[-INSERT_TAIL:], held=held,
            before=data[before_at : end + UNDO_AROUND], before_at=before_at, before_len=len(data),
            after=data[before_at:start] + inserted + data[end : end + UNDO_AROUND],
            after_len=len(data) - (end - start) + len(inserted), start=start, insert_len=len(inserted),
        )
        if len(self._items) > MAX_ITEMS:
            for old in list(self._items)[: MAX_ITEMS // 2]:
                del self._items[old]
        return item_id

    def item_of(self, params: Any) -> SentItem | None:
        """The item a didShow/didPartiallyAccept notification is about (its command's id)."""
        arguments = field_of(field_of(field_of(params, "item"), "command"), "arguments")
        if not isinstance(arguments, (list, tuple)) or not arguments:
            return None
        return self._items.get(str(field_of(arguments[0], "id", "")))

    def shown(self, params: Any) -> SentItem | None:
        """The item shown, if known; counted once a suggestion."""
        item = self.item_of(params)
        if item is not None:
            if item.outcome.shown:
                return item  # drawn again, or sent again at its place: one suggestion
            item.outcome.shown = True
        self.stats.shown += 1
        return item

    def partially_accepted(self, params: Any) -> SentItem | None:
        """The item if this part takes it to its end: taken piece by piece, it is accepted
        (Neovim 0.12 and VS Code run no command for it)."""
        item = self.item_of(params)
        if item is None:
            self.stats.partially_accepted += 1  # nothing to tell it by: each part counts
            return None
        outcome = item.outcome
        if not outcome.partly and not outcome.accepted:
            outcome.partly = True
            self.stats.partially_accepted += 1
        length = field_of(params, "acceptedLength")
        if isinstance(length, bool) or not isinstance(length, int) or length < item.length:
            return None
        return self._accept(item)

    def accepted(self, arg: Any) -> SentItem | None:
        """The item the accept command names, if this is its first accept."""
        item = self._items.get(str(field_of(arg, "id", "")))
        if item is None:
            self.stats.accepted += 1  # an item from long ago: it was accepted all the same
            return None
        return self._accept(item)

    def undone(self, item: SentItem) -> None:
        """The accept of ``item`` undone: no longer counted as accepted (taken again, it is)."""
        if not item.accepted:
            return
        item.accepted = False
        outcome = item.outcome
        if outcome.accepted:
            outcome.accepted = False
            self.stats.accepted -= 1
            self.stats.undone += 1
            if item.from_menu:
                self.stats.menu_accepted -= 1
            if outcome.partly_before:
                # Its pieces taken before (a line, words) are still in the code: undone is the
                # rest only, and the suggestion was counted neither accepted nor partly.
                outcome.partly = True
                self.stats.partially_accepted += 1

    def redone(self, item: SentItem) -> None:
        """The undo of ``item``'s accept redone: counted accepted again, no longer undone."""
        outcome = item.outcome
        if item.accepted or outcome.accepted:
            return
        self._accept(item)
        self.stats.undone -= 1

    def _accept(self, item: SentItem) -> SentItem | None:
        if item.accepted:
            # Its parts already took it whole (Neovim 0.11 runs the command after them), or the
            # command ran twice: counted twice, the acceptance rate went over 100 %.
            return None
        item.accepted = True
        outcome = item.outcome
        if not outcome.accepted:
            # Once per suggestion: taken again after an undo it is still one suggestion accepted.
            outcome.accepted = True
            self.stats.accepted += 1
            if item.from_menu:
                self.stats.menu_accepted += 1
            if outcome.partly:
                outcome.partly = False
                outcome.partly_before = True
                self.stats.partially_accepted -= 1
        return item


def accept_command(item_id: str, uri: str) -> types.Command:
    """What a suggestion sent runs once the user accepts it: the editor's word of the accept."""
    return types.Command(title="DeepSeek: accepted", command=ACCEPT_COMMAND, arguments=[{"id": item_id, "uri": uri}])
