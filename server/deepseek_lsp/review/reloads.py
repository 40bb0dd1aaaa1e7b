"""A file reloaded from disk (a formatter run in a terminal, ``git checkout``): its review under
way kept through Neovim's close and open, and the file reviewed once the reload settles.

A reload is no save: the editor sends the new text (VS Code as a change, Neovim as a close then
an open) and nothing after it, so the functions it changed went unreviewed, their findings gone,
until the user happened to save. Once the file has gone ``RELOAD_SETTLE_S`` without an edit
with the disk's very text, a text it did not have at its opening, last save or last reload, it
is reviewed as a save would review it: the cache answers the functions reviewed before (a
checkout back to a branch costs nothing), the others are sent, once.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import os
from collections.abc import Callable
from typing import Any

from ..documents import Document
from ..privacy import uri_to_path

log = logging.getLogger(__name__)

#: How long a closed file's review goes on for the file to be opened again: Neovim reloads a
#: buffer from disk (``:e``, 'autoread' after a formatter or ``git checkout``) as didClose then
#: didOpen at once, and the close cancelled the review under way, its answer never shown.
REOPEN_GRACE_S = 0.5
#: How long a file goes without an edit before its text is compared with the disk's: a reload
#: is one change (or a close and an open), typing is many.
RELOAD_SETTLE_S = 1.0


def _digest(data: bytes) -> bytes:
    return hashlib.blake2b(data, digest_size=16).digest()


def _disk_has(path: str, data: bytes) -> bool:
    """Whether the file at ``path`` holds ``data`` (a UTF-8 byte order mark aside, which editors
    drop); its size first, so that a pause in typing costs a ``stat`` and no read."""
    try:
        size = os.stat(path).st_size
        if size not in (len(data), len(data) + 3):
            return False
        with open(path, "rb") as f:
            disk = f.read()
    except OSError:
        return False
    return disk.removeprefix(b"\xef\xbb\xbf") == data


class Reloads:
    """Each open file's text as last known on disk, the pauses after its edits, and the reviews
    of files just closed. ``review``: reviews a file as its save does (given its document)."""

    def __init__(self, document: Callable[[str], Document | None], review: Callable[[Document], None]) -> None:
        self._document = document
        self._review = review
        #: The digest of each file's text at its opening, its last save or its last reload.
        self._known: dict[str, bytes] = {}
        self._settling: dict[str, asyncio.TimerHandle] = {}
        self._checking: dict[str, asyncio.Task[None]] = {}
        #: Reviews of files just closed, and the text known then, cancelled unless the file
        #: opens again (REOPEN_GRACE_S).
        self._closing: dict[str, tuple[asyncio.Task[Any] | None, asyncio.TimerHandle, bytes | None]] = {}

    # -- the editor's events -------------------------------------------------------------------

    def opened(self, doc: Document) -> asyncio.Task[Any] | None:
        """The review to go on with where ``doc`` was closed just before (reloaded by Neovim);
        an open with another text than the one closed is a reload, reviewed once it settles."""
        closing = self._closing.pop(doc.uri, None)
        known = _digest(doc.data)
        if closing is None:
            self._known[doc.uri] = known
            return None
        task, timer, was = closing
        timer.cancel()
        self._known[doc.uri] = was if was is not None else known
        if was is not None and was != known:
            self.changed(doc)
        return task if task is not None and not task.done() else None

    def reopening(self, uri: str) -> bool:
        """Whether ``uri`` was closed just before (an open now is Neovim's reload)."""
        return uri in self._closing

    def changed(self, doc: Document) -> None:
        if not doc.uri.startswith("file:"):
            return
        self._cancel(doc.uri)
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            return  # (a test's feature without a server)
        self._settling[doc.uri] = loop.call_later(RELOAD_SETTLE_S, self._settled, doc.uri)

    def saved(self, doc: Document) -> None:
        self._cancel(doc.uri)
        self._known[doc.uri] = _digest(doc.data)

    def closed(self, uri: str, review: asyncio.Task[Any] | None) -> None:
        """``uri`` closed, with the save's ``review`` under way (or None): kept a moment for
        the file to open again."""
        self._cancel(uri)
        self._closed_for_good(uri)
        known = self._known.pop(uri, None)
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            return  # (a test's feature without a server)
        timer = loop.call_later(REOPEN_GRACE_S, self._closed_for_good, uri)
        self._closing[uri] = (review, timer, known)

    def tasks(self) -> list[asyncio.Task[Any]]:
        """The reviews of files just closed, and the reloads' comparisons under way."""
        closing = [task for task, _, _ in self._closing.values() if task is not None]
        return [*closing, *self._checking.values()]

    def halt(self) -> None:
        for uri in list(self._settling):
            self._cancel(uri)
        for task in self.tasks():
            task.cancel()

    # -- inside ----------------------------------------------------------------------------------

    def _cancel(self, uri: str) -> None:
        timer = self._settling.pop(uri, None)
        if timer is not None:
            timer.cancel()
        checking = self._checking.pop(uri, None)
        if checking is not None:
            checking.cancel()

    def _closed_for_good(self, uri: str) -> None:
        closing = self._closing.pop(uri, None)
        if closing is not None:
            closing[1].cancel()
            if closing[0] is not None:
                closing[0].cancel()

    def _settled(self, uri: str) -> None:
        self._settling.pop(uri, None)
        doc = self._document(uri)
        if doc is None:
            return
        data = doc.data
        digest = _digest(data)
        if self._known.get(uri) == digest:
            return  # (undone back to the text saved, or reloaded unchanged)
        task = asyncio.ensure_future(self._compare(doc, data, digest))
        self._checking[uri] = task
        task.add_done_callback(lambda t: self._checking.pop(uri, None) if self._checking.get(uri) is t else None)

    async def _compare(self, doc: Document, data: bytes, digest: bytes) -> None:
        path = uri_to_path(doc.uri)
        # Off the event loop: a large file's bytes are read when its size is the text's.
        if not path or not await asyncio.to_thread(_disk_has, path, data):
            return
        if self._document(doc.uri) is not doc or doc.data != data:
            return  # closed, or edited meanwhile (its next pause compares again)
        self._known[doc.uri] = digest
        log.info("%s was reloaded from disk: reviewed as a save would be", doc.uri)
        self._review(doc)
