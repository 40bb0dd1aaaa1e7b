"""What the user has been working on: the documents used most recently, and the places of the
recent edits, which the prompt shows (``ContextRequest.recent_edits``)."""

from __future__ import annotations

import hashlib
import os
import time
from collections import OrderedDict, deque

from ..context import RECENT_EDIT_LINES
from ..documents import Document, Edit
from ..privacy import file_path


def _lines_within(data: bytes, lo: int, hi: int, most: int) -> bool:
    """Whether ``data[lo:hi]`` has at most ``most`` line breaks; it reads no further than the
    one after them (counted whole, far-apart places in a long file cost a scan of it a key)."""
    at = lo
    for _ in range(most + 1):
        at = data.find(b"\n", at, hi)
        if at < 0:
            return True
        at += 1
    return False


def _digest(data: bytes) -> bytes:
    return hashlib.blake2b(data, digest_size=16).digest()


class EditHistory:
    """The open documents by last use and the session's recent edits, newest first."""

    def __init__(self) -> None:
        self.edits: deque[tuple[str, int]] = deque(maxlen=32)
        #: Changes counted over the session, and each open document's last one's number.
        self.serial = 0
        self.last_edited: dict[str, int] = {}
        #: Each open document's text as opened: its length and digest (``as_opened``).
        self.opened: dict[str, tuple[int, bytes]] = {}
        #: When each open file's text was last known to be the disk's (its opening, its last
        #: save or reload), in ``st_mtime_ns``'s clock: a disk written after it was written
        #: by someone else (see ``_reloaded``).
        self.known_ns: dict[str, int] = {}
        #: Per file, the change last read as a reload (its serial) and the recent edits that
        #: dropped, until the next change or save (see ``document_saved``).
        self._read_as_reload: dict[str, tuple[int, list[tuple[str, int]], tuple[int, bytes] | None]] = {}
        self.recent_docs: OrderedDict[str, None] = OrderedDict()  # most recently used last
        self.opens = 0  # documents opened so far, see prompting's _Context.sources_key

    def touch(self, uri: str) -> None:
        self.recent_docs[uri] = None
        self.recent_docs.move_to_end(uri)

    def document_opened(self, doc: Document) -> None:
        self.touch(doc.uri)
        self.opened[doc.uri] = (len(doc.data), _digest(doc.data))
        self.known_ns[doc.uri] = time.time_ns()
        self.opens += 1

    def document_saved(self, uri: str) -> None:
        if uri in self.known_ns:
            self.known_ns[uri] = time.time_ns()
        # The change read as a reload was the user's: an edit then a save, the change read after
        # the editor had written the file (a server behind by a moment). Its edits are restored.
        serial, edits, opened = self._read_as_reload.pop(uri, (None, [], None))
        if serial is not None and serial == self.last_edited.get(uri):
            self.edits = deque([*edits, *(e for e in self.edits if e[0] != uri)], maxlen=self.edits.maxlen)
            if opened is not None:
                self.opened[uri] = opened  # undone back to it, no edit is one any more

    def document_closed(self, uri: str) -> None:
        self.recent_docs.pop(uri, None)
        # Its edits go with it: closed unsaved, they are gone, and opened again (a reload, a
        # file renamed back) its text is another; its old edits' places showed lines of it
        # as edited when nothing was.
        self._drop(uri)
        self.last_edited.pop(uri, None)
        self.opened.pop(uri, None)
        self.known_ns.pop(uri, None)
        self._read_as_reload.pop(uri, None)

    def record(self, doc: Document, applied: list[Edit], *, typed: bool = False) -> bool:
        """Note the document's newest edit among the recent edits, newest first. Its older
        ones follow the text (an edit above one moves it: the lines it showed were another
        function's), and those its region shows go (each key typed took a place of its own,
        and three keys in one file pushed the edit just made in another out of the prompt).
        ``typed``: the change is a key pressed, never a reload from disk. False: the change
        was read as a reload (nobody's edit)."""
        self.serial += 1
        self.last_edited[doc.uri] = self.serial
        self._read_as_reload.pop(doc.uri, None)
        if self.as_opened(doc):
            # Undone back to the text it was opened with: no edit of it is one any more (its
            # lines were sent as the user's latest work).
            self._drop(doc.uri)
            return True
        edits = self._with_edit(doc, applied)
        opened = self.opened.get(doc.uri)
        if not typed and self._reloaded(doc):
            # Reloaded from disk: the same. Kept aside until the next change: a save coming
            # first says the change was the user's, read after the editor wrote the file.
            self._read_as_reload[doc.uri] = (self.serial, [e for e in edits if e[0] == doc.uri], opened)
            self._drop(doc.uri)
            return False
        self.edits = edits
        return True

    def _drop(self, uri: str) -> None:
        self.edits = deque((e for e in self.edits if e[0] != uri), maxlen=self.edits.maxlen)

    def _with_edit(self, doc: Document, applied: list[Edit]) -> deque[tuple[str, int]]:
        start = applied[-1].start_byte
        before, after = RECENT_EDIT_LINES
        kept: list[tuple[str, int]] = []
        for uri, offset in self.edits:
            if uri == doc.uri:
                for e in applied:
                    if offset >= e.old_end_byte:
                        offset += e.new_end_byte - e.old_end_byte
                    elif offset > e.start_byte:
                        offset = min(offset, e.new_end_byte)  # in the text replaced
                lo, hi = min(offset, start), max(offset, start)
                if _lines_within(doc.data, lo, hi, before if offset <= start else after):
                    continue  # within the new edit's region
            kept.append((uri, offset))
        return deque([(doc.uri, start), *kept], maxlen=self.edits.maxlen)

    def _reloaded(self, doc: Document) -> bool:
        """Whether the change reloaded the file from disk, as VS Code does after a ``git
        checkout`` or a formatter run in a terminal (one change, the disk's new text): the text
        is the disk's, written after the server last knew the file's text to be it. Its lines
        were sent first in every prompt as the user's latest work, though nobody typed them
        (Neovim's reload, a close and an open, never was). Undone back to the text last saved
        is no reload: the disk was written before that save. The new text is then the one the
        file counts as opened with."""
        known, path = self.known_ns.get(doc.uri), file_path(doc.uri)
        if known is None or path is None:
            return False
        try:
            stat = os.stat(path)
            # The size first: most changes (a paste, an undo) cost a stat and no read.
            if stat.st_mtime_ns <= known or stat.st_size not in (len(doc.data), len(doc.data) + 3):
                return False
            with open(path, "rb") as f:
                disk = f.read()
        except OSError:
            return False
        if disk.removeprefix(b"\xef\xbb\xbf") != doc.data:  # (editors drop a UTF-8 BOM)
            return False
        self.known_ns[doc.uri] = stat.st_mtime_ns
        self.opened[doc.uri] = (len(doc.data), _digest(doc.data))
        return True

    def as_opened(self, doc: Document) -> bool:
        """Whether the document's text is the one it was opened with (hashed only when its
        length is: most edits change it)."""
        opened = self.opened.get(doc.uri)
        return opened is not None and opened[0] == len(doc.data) and opened[1] == _digest(doc.data)
