"""Indexes of open documents and files on disk, kept while fresh and built within a time box."""

from __future__ import annotations

import hashlib
import os
import time
from collections.abc import Iterable
from pathlib import Path
from stat import S_ISREG
from typing import TYPE_CHECKING

from ..documents import Document, utf8_source
from ..languages import INDEX_KINDS, Language, LanguageRegistry
from ..symbol_store import racy
from ..workspace_symbols import is_binary
from . import class_fields
from .index import index_tree
from .paths import display_path, label_path

if TYPE_CHECKING:
    from .index import FileIndex
    from .snippets import Snippet




INDEX_TTL_S = 2.0


#: A stale index whose rebuild would not fit the request's time box is still used; from this
#: age on it is also rebuilt while the user pauses (``Indexer.deferred_docs``).
INDEX_MAX_STALE_S = 30.0


MAX_FILE_BYTES = 400_000


class Indexer:
    """Indexes open documents (refreshed when stale) and workspace files (by mtime)."""

    #: Files (and documents) left to index while the user pauses, at most.
    MAX_DEFERRED = 64

    def __init__(self, registry: LanguageRegistry, *, compile_in_time_box: bool = True) -> None:
        self.registry = registry
        #: Whether a read within a time box may compile its language's queries. Not in a
        #: completion's: they are compiled ahead, and a file of a language not compiled yet
        #: is left to ``deferred``.
        self.compile_in_time_box = compile_in_time_box
        self._docs: dict[str, FileIndex] = {}
        #: By path: the file's stamp (modification time, size) when read, with a digest of its
        #: bytes when that stamp was too recent to tell a rewrite (``symbol_store.racy``).
        self._files: dict[str, tuple[tuple[int, int], bytes | None, FileIndex | None]] = {}
        #: Indexing throughput in bytes per second, measured as we go (2-7 MB/s on this project's
        #: 2-core machines): a 5,000-line file (180 kB) takes 25-90 ms, up to a whole time box.
        self.bytes_per_s = 2e6
        #: Imported files a request's time box had no room for, to index while the user pauses,
        #: with the language of the document that imports them (``for_file``'s ``language``).
        self.deferred: dict[Path, Language | None] = {}
        #: Open documents whose index is older than ``INDEX_MAX_STALE_S`` and too large to
        #: rebuild in a request's time box, by URI, to rebuild while the user pauses.
        self.deferred_docs: dict[str, Document] = {}
        self._roots: tuple[Path, ...] = ()

    @property
    def roots(self) -> tuple[Path, ...]:
        """The workspace folders the definitions' labels are relative to."""
        return self._roots

    @roots.setter
    def roots(self, roots: Iterable[Path]) -> None:
        new = tuple(roots)
        if new != self._roots:
            # The indexes carry their files' labels.
            self._roots = new
            self._docs.clear()
            self._files.clear()

    def for_document(
        self, doc: Document, *, force: bool = False, deadline: float | None = None, other: bool = False
    ) -> FileIndex | None:
        """The document's index, rebuilt when stale. An index a few keystrokes old (within
        ``INDEX_TTL_S``) is the document's own while it is typed in; ``other`` (another
        document, read for the one being typed in) is rebuilt once edited: the user who changes
        a signature there and goes back to call it is no longer typing there, and its old
        signature was sent for up to INDEX_TTL_S. With a ``deadline`` (``time.monotonic()``),
        a rebuild expected to overrun it is skipped: an existing index is used (one older than
        ``INDEX_MAX_STALE_S`` is left in ``deferred_docs``), and a missing one gives None (found
        by tests/bench/bench_memory.py: with 100 large files open, every keystroke's request
        indexed one or two more of them, tens of milliseconds each, on the event loop)."""
        if doc.language is None:
            return None
        cached = self._docs.get(doc.uri)
        now = time.monotonic()
        if cached is not None and not force:
            if cached.edit_count == doc.edit_count or (not other and now - cached.built_at < INDEX_TTL_S):
                return cached
        # Another document's language not compiled yet (opened with this one, its compiling
        # still queued) is not compiled here either: it is indexed while the user pauses.
        uncompiled = other and not self.compile_in_time_box and not doc.language.queries_compiled(INDEX_KINDS)
        if deadline is not None and not force and (now + len(doc.data) / self.bytes_per_s > deadline or uncompiled):
            # Not rebuilt here even when old: every INDEX_MAX_STALE_S of typing in a large file,
            # one keystroke's request rebuilt it on the event loop (0.6 s for 850 kB of Python).
            # Another document's is rebuilt while the user pauses however young it is.
            stale = uncompiled or (cached is not None and (other or now - cached.built_at >= INDEX_MAX_STALE_S))
            if stale and len(self.deferred_docs) < self.MAX_DEFERRED:
                self.deferred_docs[doc.uri] = doc
            return cached
        # The tree is only looked at when rebuilding: asking for it first parsed every other
        # file whose tree the store had let go, to return an index that was still good. And a
        # file parsed only to be indexed (another file, for context) does not keep its tree.
        with doc.transient_tree():
            tree = doc.tree
            if tree is None:
                return None
            index = index_tree(doc.language, tree, doc.data, display_path(doc.uri, self._roots))
        elapsed = time.monotonic() - now
        if elapsed > 0.001:
            self.bytes_per_s = 0.7 * self.bytes_per_s + 0.3 * (len(doc.data) / elapsed)
        index.edit_count = doc.edit_count
        self._docs[doc.uri] = index
        self.deferred_docs.pop(doc.uri, None)
        return index

    def has_index(self, doc: Document) -> bool:
        return doc.uri in self._docs

    def built(self, doc: Document) -> FileIndex | None:
        """The index last built of the open document ``doc``, as it is (nothing rebuilt)."""
        return self._docs.get(doc.uri)

    def forget(self, uri: str) -> None:
        self._docs.pop(uri, None)
        self.deferred_docs.pop(uri, None)
        class_fields.forget_layout()

    def for_file(
        self, path: Path, deadline: float | None = None, language: Language | None = None
    ) -> FileIndex | None:
        """The file's index, rebuilt when the file changed. With a ``deadline``, a rebuild
        expected to overrun it is left to ``deferred`` and gives None (four imported files
        of 400 kB took 230 ms of an 80 ms time box). ``language`` is the importing document's:
        a file with one of its ``imported_extensions`` is read in it (a C++ file's ``.h``)."""
        try:
            stat = path.stat()
        except OSError:
            return None
        if not S_ISREG(stat.st_mode):
            # A named pipe (``mkfifo x.go``) read waits for a writer, the event loop with it,
            # for good; a folder or a device is no source either.
            return None
        own = language is not None and path.suffix.lower() in language.spec.imported_extensions
        # Read in another language, it is another index: a C file including the same header
        # reads it as C.
        key = f"{path}\0{language.name}" if own and language is not None else str(path)
        stamped = (stat.st_mtime_ns, stat.st_size)
        cached = self._files.get(key)
        data: bytes | None = None
        if cached is not None and cached[0] == stamped:
            if cached[1] is None:
                return cached[2]
            # Read within SETTLE_NS of its modification: a rewrite in the same clock tick
            # keeps the stamp, the bytes tell (a read and a hash, no parse).
            try:
                data = path.read_bytes()
            except OSError:
                return None
            if _digest(data) == cached[1]:
                if not racy(stamped[0]):
                    self._files[key] = (stamped, None, cached[2])
                return cached[2]
        if stat.st_size > MAX_FILE_BYTES:
            return None
        lang = language if own else self.registry.for_document(None, path.as_uri())
        if lang is None:
            return None
        now = time.monotonic()
        # Nor are its language's queries compiled in a completion's time box: a TypeScript
        # file's first completion compiled those of the JavaScript (or TSX, C++...) file it
        # imports, up to seconds. The document's opening compiles them ahead; until then,
        # the file waits.
        uncompiled = not self.compile_in_time_box and not lang.queries_compiled(INDEX_KINDS)
        if deadline is not None and (now + stat.st_size / self.bytes_per_s > deadline or uncompiled):
            if len(self.deferred) < self.MAX_DEFERRED:
                self.deferred[path] = language
            return None
        try:
            data = path.read_bytes() if data is None else data
        except OSError:
            return None
        source = utf8_source(data)
        if is_binary(source):  # imported by name, as a ``.ts`` video may be: no definitions
            self._files[key] = (stamped, None, None)
            return None
        index = index_tree(lang, lang.parser().parse(source), source, label_path(str(path), self._roots), mend_errors=True)
        index.disk = (str(path), stamped)
        elapsed = time.monotonic() - now
        if elapsed > 0.001:
            self.bytes_per_s = 0.7 * self.bytes_per_s + 0.3 * (len(data) / elapsed)
        if len(self._files) > 256:
            self._files.pop(next(iter(self._files)))
        self._files[key] = (stamped, _digest(data) if racy(stamped[0]) else None, index)
        return index


def unchanged_on_disk(snippets: Iterable[Snippet]) -> bool:
    """Whether the files on disk the snippets were read from are as they were then: one a
    ``git checkout``, a code generator or a formatter rewrote or deleted since gives its
    definitions as they are now (a ``stat`` per file)."""
    seen: set[str] = set()
    for s in snippets:
        for path, stamp in (s.disk, *s.read_from) if s.disk is not None else s.read_from:
            if path in seen:
                continue
            seen.add(path)
            try:
                st = os.stat(path)
            except OSError:
                return False
            if (st.st_mtime_ns, st.st_size) != stamp:
                return False
    return True


def _digest(data: bytes) -> bytes:
    return hashlib.blake2b(data, digest_size=16).digest()
