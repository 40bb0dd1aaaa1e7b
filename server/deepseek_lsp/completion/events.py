"""What the editor tells of the suggestions it was sent (shown, accepted in part or whole) and the
session's counts of it: each item counted once, however many times the editor tells."""

from __future__ import annotations

from collections import Counter, deque
from dataclasses import dataclass, field
from typing import Any

from lsprotocol import types

from ..documents import utf16_len

#: The command an item runs once accepted, with its id and document (``SentItems.add``).
ACCEPT_COMMAND = "deepseek.completionAccepted"

#: Items remembered for their events; the oldest half goes when there are more.
MAX_ITEMS = 256


@dataclass
class Stats:
    requests: int = 0
    shown: int = 0
    accepted: int = 0
    #: Of ``accepted``, completion-menu items: no editor reports those shown, so they are left
    #: out of the acceptance rate (with them it went over 100 %).
    menu_accepted: int = 0
    partially_accepted: int = 0
    backend_requests: int = 0
    backend_cancelled: int = 0
    prefetches: int = 0
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
            "acceptanceRate": round((self.accepted - self.menu_accepted) / self.shown, 3) if self.shown else None,
            "backendRequests": self.backend_requests,
            "backendCancelled": self.backend_cancelled,
            "prefetches": self.prefetches,
            "empty": self.empty,
            "cacheHits": dict(hits),
            "latencyMs": {"p50": pct(0.5), "p95": pct(0.95), "p99": pct(0.99)},
        }


def field_of(obj: Any, key: str, default: Any = None) -> Any:
    """A field of a custom method's params: a dict, or the object pygls makes of one."""
    if isinstance(obj, dict):
        return obj.get(key, default)
    return getattr(obj, key, default)


@dataclass
class SentItem:
    uri: str
    #: Where the cursor is once the whole item is in: the end of its insert.
    end: int
    #: Its insertText's length in UTF-16 code units, what ``acceptedLength`` counts.
    length: int
    from_menu: bool
    shown: bool = False
    accepted: bool = False


class SentItems:
    """The items sent to the editor, by the id their accept command carries."""

    def __init__(self, stats: Stats) -> None:
        self.stats = stats
        self._items: dict[str, SentItem] = {}
        self._next_id = 0

    def add(self, uri: str, start: int, insert: str, *, from_menu: bool) -> str:
        """An id for the item's accept command. What is kept tells where the cursor lands after
        the accept: the end of the whole insert from ``start`` (the replaced closers and the
        selected menu entry included, which the "just accepted" check used to miss)."""
        self._next_id += 1
        item_id = str(self._next_id)
        self._items[item_id] = SentItem(uri, start + len(insert.encode("utf-8")), utf16_len(insert), from_menu)
        if len(self._items) > MAX_ITEMS:
            for key in list(self._items)[: MAX_ITEMS // 2]:
                del self._items[key]
        return item_id

    def _of(self, params: Any) -> SentItem | None:
        """The item a didShow/didPartiallyAccept notification is about (its command's id)."""
        arguments = field_of(field_of(field_of(params, "item"), "command"), "arguments")
        if not isinstance(arguments, (list, tuple)) or not arguments:
            return None
        return self._items.get(str(field_of(arguments[0], "id", "")))

    def shown(self, params: Any) -> None:
        item = self._of(params)
        if item is not None:
            if item.shown:
                return  # drawn again (the cursor came back, the window scrolled): one suggestion
            item.shown = True
        self.stats.shown += 1

    def partially_accepted(self, params: Any) -> SentItem | None:
        """The item if this part takes it to its end: taken piece by piece, it is accepted
        (Neovim 0.12 and VS Code run no command for it)."""
        self.stats.partially_accepted += 1
        item = self._of(params)
        length = field_of(params, "acceptedLength")
        if item is None or isinstance(length, bool) or not isinstance(length, int) or length < item.length:
            return None
        return self._accept(item)

    def accepted(self, arg: Any) -> SentItem | None:
        """The item the accept command names, if this is its first accept."""
        item = self._items.get(str(field_of(arg, "id", "")))
        if item is None:
            self.stats.accepted += 1  # an item from long ago: it was accepted all the same
            return None
        return self._accept(item)

    def _accept(self, item: SentItem) -> SentItem | None:
        if item.accepted:
            # Its parts already took it whole (Neovim 0.11 runs the command after them), or the
            # command ran twice: counted twice, the acceptance rate went over 100 %.
            return None
        item.accepted = True
        self.stats.accepted += 1
        if item.from_menu:
            self.stats.menu_accepted += 1
        return item


def accept_command(item_id: str, uri: str) -> types.Command:
    """What a suggestion sent runs once the user accepts it: the editor's word of the accept."""
    return types.Command(title="DeepSeek: accepted", command=ACCEPT_COMMAND, arguments=[{"id": item_id, "uri": uri}])
