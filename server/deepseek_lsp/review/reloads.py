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
from dataclasses import dataclass
from typing import Any

from ..documents import Document
from ..privacy import uri_to_path

log = logging.getLogger(__name__)

#: How long a closed file's review goes on for the file to be opened again: Neovim reloads a
#: buffer from disk (``:e``, 'autoread' after a formatter or ``git checkout``) as didClose then
#: didOpen at once, and the close cancelled the review under way, its answer never shown.
REOPEN_GRACE_S = 0.5
#: How long a closed file's review under way waits for a file with its very text to open under
#: another name, a rename the editor tells of as a close and an open alone: Neovim 0.11 without
#: a plugin sends no ``workspace/*RenameFiles``, and ``:!mv % stock.py``, ``:bd``, ``:e
#: stock.py`` come as far apart as they are typed (at REOPEN_GRACE_S the review was cancelled,
#: paid for, and the new name's next save paid again). Of a file merely closed, the review runs
#: on this long at most: a few hundred output tokens, its answer cached if it ends meanwhile.
RENAME_UNTOLD_S = 10.0
#: How long a file the editor told of as renamed (``workspace/didRenameFiles``) keeps its review
#: for its new name to open: VS Code may close the old name seconds after the new one opened.
RENAMED_GRACE_S = 10.0
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


@dataclass
class Closed:
    """A file just closed, kept REOPEN_GRACE_S for it to open again (or under a new name;
    RENAME_UNTOLD_S with its review under way, RENAMED_GRACE_S renamed as the editor told)."""

    #: Its save's review under way, or None.
    review: asyncio.Task[Any] | None
    timer: asyncio.TimerHandle
    #: The digest of its text at its opening, last save or last reload (None: not known).
    known: bytes | None
    #: The digest of the text it was closed with.
    text: bytes
    #: Whether it had shown findings (see ReviewFeature._reloaded).
    shown: bool
    #: When it closed (the loop's time).
    at: float


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
        #: Files just closed, their reviews cancelled unless they open again (see Closed).
        self._closing: dict[str, Closed] = {}
        #: When each file opened in the last RENAME_UNTOLD_S opened (the loop's time): one closed
        #: then with its very text was renamed to it (see ``renamed_to``).
        self._opened_at: dict[str, float] = {}
        #: Each new name the editor told of (see ``expect``), with the old one and when.
        self._expected: dict[str, tuple[str, float]] = {}

    # -- the editor's events -------------------------------------------------------------------

    def opened(self, doc: Document) -> tuple[str, Closed] | None:
        """The file ``doc`` goes on from, closed just before, and what was kept of it: the same
        URI (reloaded by Neovim; an open with another text than the one closed is a reload,
        reviewed once it settles), or another with the very text ``doc`` has (renamed: VS Code
        tells of a rename in its Explorer as a close and an open)."""
        known = _digest(doc.data)
        self._note_open(doc.uri)
        told = self._expected.pop(doc.uri, ("", 0.0))[0]
        if doc.uri in self._closing and doc.uri not in self._renamed_olds():
            uri: str | None = doc.uri
            kept = self._closing[doc.uri]
            if kept.text != known and (self._now() or 0.0) - kept.at > REOPEN_GRACE_S:
                # Opened again seconds later with another text (a checkout in a terminal
                # meanwhile): a new opening, not Neovim's reload; its review was of a text gone.
                self._closed_for_good(doc.uri)
                uri = None
        elif told in self._closing:
            uri = told
        elif doc.uri in self._closing:  # (a new file under the old name of one renamed: its own)
            uri = None
        else:
            uri = self._renamed_from(doc.uri, known)
        closing = self._closing.pop(uri, None) if uri is not None else None
        if closing is None or uri is None:
            self._known[doc.uri] = known
            return None
        closing.timer.cancel()
        was = closing.known
        self._known[doc.uri] = was if was is not None else known
        if was is not None and was != known:
            self.changed(doc)
        return uri, closing

    def renamed_to(self, doc: Document, *, reviewing: bool) -> Document | None:
        """The file opened in the last REOPEN_GRACE_S with the very text of ``doc``, being
        closed: VS Code may open a renamed file's new URI before it closes the old one; in the
        last RENAME_UNTOLD_S where ``doc``'s review is under way or its findings shown
        (``reviewing``: Neovim's ``:e stock.py``, then ``:bd #`` typed)."""
        now = self._now()
        if now is None:
            return None
        within = RENAME_UNTOLD_S if reviewing else REOPEN_GRACE_S
        for uri, at in list(self._opened_at.items()):
            if now - at > RENAME_UNTOLD_S:
                del self._opened_at[uri]
            elif now - at <= within and (
                uri != doc.uri
                and (other := self._document(uri)) is not None
                and other.edit_count == 0  # (opened with the very text: its edits follow it)
                and other.data == doc.data
            ):
                return other
        return None

    def expect(self, old: str, new: str) -> None:
        """The editor told of ``old`` renamed ``new``, not open yet: ``old``'s review waits
        RENAMED_GRACE_S for it, closed or once it closes."""
        self._expected[new] = (old, self._now() or 0.0)
        closing = self._closing.get(old)
        if closing is not None:
            closing.timer.cancel()
            closing.timer = asyncio.get_running_loop().call_later(RENAMED_GRACE_S, self._grace_over, old)

    def take(self, old: str) -> Closed | None:
        """What was kept of ``old``, closed just before, for the file it was renamed to (open
        already), if still kept."""
        closing = self._closing.pop(old, None)
        if closing is not None:
            closing.timer.cancel()
        return closing

    def closing(self) -> list[str]:
        """The files closed just before, kept for them to open again."""
        return list(self._closing)

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

    def closed(self, doc: Document, review: asyncio.Task[Any] | None, *, shown: bool) -> None:
        """``doc`` closed, with the save's ``review`` under way (or None), having ``shown``
        findings or not: kept a moment for the file to open again."""
        uri = doc.uri
        self._cancel(uri)
        self._closed_for_good(uri)
        self._opened_at.pop(uri, None)
        known = self._known.pop(uri, None)
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            return  # (a test's feature without a server)
        grace = (
            RENAMED_GRACE_S if uri in self._renamed_olds() else RENAME_UNTOLD_S if review is not None else REOPEN_GRACE_S
        )
        timer = loop.call_later(grace, self._grace_over, uri)
        self._closing[uri] = Closed(review, timer, known, _digest(doc.data), shown, loop.time())

    def tasks(self) -> list[asyncio.Task[Any]]:
        """The reviews of files just closed, and the reloads' comparisons under way."""
        closing = [c.review for c in self._closing.values() if c.review is not None]
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

    def _grace_over(self, uri: str) -> None:
        for new, (old, _) in list(self._expected.items()):
            if old == uri:
                del self._expected[new]
        self._closed_for_good(uri)

    def _renamed_olds(self) -> set[str]:
        """The old names of the renames told of in the last RENAMED_GRACE_S (one that never
        came, a rename that failed, is forgotten then)."""
        now = self._now() or 0.0
        for new, (_, at) in list(self._expected.items()):
            if now - at > RENAMED_GRACE_S:
                del self._expected[new]
        return {old for old, _ in self._expected.values()}

    def _closed_for_good(self, uri: str) -> None:
        closing = self._closing.pop(uri, None)
        if closing is not None:
            closing.timer.cancel()
            if closing.review is not None:
                closing.review.cancel()

    def _renamed_from(self, uri: str, text: bytes) -> str | None:
        """The file closed just before with ``text`` that ``uri`` is its new name of."""
        return next((old for old, c in reversed(self._closing.items()) if old != uri and c.text == text), None)

    def _note_open(self, uri: str) -> None:
        now = self._now()
        if now is None:
            return
        for other, at in list(self._opened_at.items()):
            if now - at > RENAME_UNTOLD_S:  # (kept for a moment only)
                del self._opened_at[other]
        self._opened_at[uri] = now

    @staticmethod
    def _now() -> float | None:
        try:
            return asyncio.get_running_loop().time()
        except RuntimeError:
            return None  # (a test's feature without a server)

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
