"""Where the definitions of the names near the cursor are: the document, the files it imports, the workspace."""

from __future__ import annotations

import re
import time
import weakref
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from functools import partial
from itertools import islice
from pathlib import Path
from typing import TYPE_CHECKING, cast

from cachetools import LRUCache

from ..documents import Document
from ..imports import resolve_local_imports_cached
from ..imports.go import package_file_names
from ..languages import Language, LanguageRegistry
from ..privacy import file_path
from ..reexports import ReExportFollower
from ..workspace_symbols import family
from .base_imports import MAX_BASE_FILES, base_sources
from .index import SIGNATURE_MEMBERS, _is_dunder
from .indexer import MAX_FILE_BYTES
from .prefix import Prefix, prefix_candidates, sorted_names, with_prefix
from .receivers import (
    class_of_member,
    field_in_text,
    member_receivers,
    reads_receivers,
)
from .type_names import NAME_BYTES, written_type

if TYPE_CHECKING:
    from .index import Definition, FileIndex
    from .indexer import Indexer
    from .snippets import ContextRequest




#: Definitions sent per name, one in view in the document counting: five classes' ``parse``
#: and ``close`` took the eight places, and the function called two lines up had none.
MAX_PER_NAME = 2


#: Names looked up in the workspace's symbols (each reads up to two files): after those the
#: document's imports define, so they seldom get a place beyond the first few.
MAX_WORKSPACE_NAMES = 4


#: Imported names used in the window beyond ``names_near``'s span that are looked for (a text
#: search each, ~1 µs a kilobyte).
MAX_FAR_IMPORTED = 32


#: Languages whose files use each other's definitions (beyond ``workspace_symbols.family``).
_USES_DEFINITIONS_OF = {"kotlin": "java", "scala": "java"}


def _same_family(doc: Document, other: Document) -> bool:
    """Whether ``other``'s definitions may be what ``doc`` calls: a Lua file's ``connect``
    is no Python method's (the workspace's symbols keep to the family likewise)."""
    if doc.language is None or other.language is None:
        return True

    return _context_family(doc.language.name) == _context_family(other.language.name)


def _context_family(name: str) -> str:
    return family(_USES_DEFINITIONS_OF.get(name, name))


def read_languages(registry: LanguageRegistry, language: Language) -> list[Language]:
    """The other languages whose files a document of ``language`` takes definitions from: a
    TypeScript file's imported ``.js``, ``.mjs`` and ``.tsx``, a C file's ``.hpp``, a Java
    file's ``.kt``."""
    own = _context_family(language.name)
    return [lang for lang in registry if lang is not language and _context_family(lang.name) == own]


def _looked_up(names: Iterable[str], aliases: dict[str, str]) -> list[str]:
    """The names worth a lookup, in order, each followed by the name it aliases (``fp`` of
    ``import { formatPrice as fp }`` is defined as formatPrice)."""
    kept = [n for n in names if len(n) > 1 and not _is_dunder(n)]
    if not aliases:
        return kept
    return list(dict.fromkeys(w for n in kept for w in (n, aliases.get(n)) if w))


#: Work done over a list of indexes, kept until one of them is rebuilt: by the ids of the
#: indexes, weak references to them (an id may be reused once an index is let go) and the
#: result. Not the indexes themselves: they kept every rebuilt index of the file typed in, and
#: the sets of names read over it, alive until 64 lists later (bench_memory's replay: 10
#: indexes let go, 0.8 MB, and 0.8 MB of sets).
_over_indexes: LRUCache[tuple[str, tuple[int, ...]], tuple[list[weakref.ref[FileIndex]], object]] = LRUCache(maxsize=64)


def _cached_over(what: str, indexes: list[FileIndex], work: Callable[[], object]) -> object:
    key = (what, tuple(map(id, indexes)))
    hit = _over_indexes.get(key)
    if hit is None or any(ref() is not b for ref, b in zip(hit[0], indexes, strict=True)):
        # A miss: what was read over an index let go since can never be asked again.
        for gone in [k for k, (refs, _) in _over_indexes.items() if any(ref() is None for ref in refs)]:
            del _over_indexes[gone]
        hit = _over_indexes[key] = ([weakref.ref(i) for i in indexes], work())
    return hit[1]


def _imported_names(own: FileIndex, imported: list[FileIndex]) -> list[str]:
    """The names the document's import statements bind (all their words) that the files it
    imports define, in order."""

    def work() -> list[str]:
        return [w for w in own.import_words if any(w in idx.definitions for idx in imported)]

    return cast("list[str]", _cached_over("imported", [own, *imported], work))


#: A member's name after its object's and the dot.
_MEMBER = re.compile(NAME_BYTES)


def _module_members(
    own: FileIndex, data: bytes, window: tuple[int, int], imported: list[FileIndex], local: set[str]
) -> list[str]:
    """The members the document reaches in ``window`` through a name its import statements
    bind (``identity.isScalar`` of yaml's ``var identity = require('../nodes/identity.js')``,
    ``utils.quote`` of ``from email import utils``, a static ``Option.parse``) that the
    imported files define, in order: the import statement holds the module's name alone, so
    ``isScalar`` was no imported name, and its definition came only for a use within
    names_near's span. A text search per name the imports of local modules bind (32 at most; yaml's
    Document.js, 17 words and an 8 kB window: 0.09 ms of CPU, one regular expression of them
    all 0.17 ms). Only through an import of a source in ``local`` (one the document's imports'
    resolution found a file of the workspace's for): ``json.dumps`` and ``path.join`` are not a
    local module's ``dumps`` or ``join``."""
    defined = _defined_in(imported)
    found: list[tuple[int, str]] = []
    # The names the imports of local modules bind: ``import``, ``from``, the paths' words and
    # the standard library's modules took most of the 32.
    words = [w for w in own.import_words if any(s in local for s in own.word_sources.get(w, ()))]
    for word in words[:MAX_FAR_IMPORTED]:
        dotted = word.encode() + b"."
        at = window[0]
        while (at := data.find(dotted, at, window[1])) >= 0:
            member = _MEMBER.match(data, at + len(dotted))
            # Not a member's member (``node.identity.x``) nor the end of a longer name.
            whole = _is_word_at(data, at, len(word)) and data[at - 1 : at] not in (b".", b"$")
            name = member.group().decode("utf-8", "replace") if member else ""
            if whole and name in defined:
                found.append((at, name))
            at += len(dotted)
    return list(dict.fromkeys(m for _at, m in sorted(found)))


def _defined_in(indexes: list[FileIndex]) -> set[str]:
    """Every name the indexes define: one look per name near the cursor, not one per file."""
    return cast("set[str]", _cached_over("defined", indexes, lambda: {n for idx in indexes for n in idx.definitions}))


def _is_word_at(data: bytes, at: int, size: int) -> bool:
    before = data[at - 1 : at] if at > 0 else b""
    after = data[at + size : at + size + 1]
    return not (before.isalnum() or before == b"_" or after.isalnum() or after == b"_")


def _distance_of_use(
    data: bytes, word: bytes, offset: int, lo: int, hi: int, imports: list[tuple[int, int, str]]
) -> int | None:
    """Bytes from ``offset`` to the nearest use of ``word`` in ``[lo, hi)`` outside the import
    statements (each imported name is in its own), or None."""

    def is_use(at: int) -> bool:
        return _is_word_at(data, at, len(word)) and not any(s <= at < e for s, e, _t in imports)

    best: int | None = None
    end = offset
    while (at := data.rfind(word, lo, end)) >= 0:
        if is_use(at):
            best = offset - at
            break
        end = at + len(word) - 1
    start = offset
    while (at := data.find(word, start, hi)) >= 0 and (best is None or at - offset < best):
        if is_use(at):
            best = at - offset
            break
        start = at + 1
    return best


def _farther_imported(
    own: FileIndex,
    data: bytes,
    offset: int,
    window: tuple[int, int],
    near: set[str],
    imported: list[FileIndex],
    local: set[str],
) -> list[str]:
    """Names the document imports from the files of ``imported`` and uses in ``window`` beyond
    ``names_near``'s span, nearest first: a function imported and called 24 lines up is in the
    prompt's window, its definition was not (61 misses on 16 projects). Widening names_near's
    span instead costs its tree query time in proportion (0.2 ms a 2 kB span)."""
    named = dict.fromkeys([*_imported_names(own, imported), *_module_members(own, data, window, imported, local)])
    words = [w for w in named if w not in near][:MAX_FAR_IMPORTED]
    found: list[tuple[int, str]] = []
    for word in words:
        dist = _distance_of_use(data, word.encode(), offset, window[0], window[1], own.imports)
        if dist is not None:
            found.append((dist, word))
    return [w for _d, w in sorted(found)]


def _unused_imports(own: FileIndex, data: bytes, imported: list[FileIndex]) -> list[str]:
    """Names the document imports from the files of ``imported`` and uses nowhere but in its
    import statements, in order: imported for the code being written (``is_socket_readable``,
    imported at the top, called in the line being typed). Looked at once per index of the
    document (its text a few keystrokes old at most)."""

    def work() -> list[str]:
        if len(data) > MAX_FILE_BYTES:
            return []  # a text search per name over the whole file (~0.3 ms a name at 400 kB)
        statements = "\n".join(t for _s, _e, t in own.imports).encode()
        bound = {original: name for name, original in own.aliases.items()}
        unused = []
        for word in _imported_names(own, imported)[:MAX_FAR_IMPORTED]:
            # Counted as text (``fields`` in ``fields_dict`` is a use): only names surely unused.
            used_as = bound.get(word, word).encode()
            if data.count(used_as) <= statements.count(used_as):
                unused.append(word)
        return unused

    return cast("list[str]", _cached_over("unused imports", [own, *imported], work))


def _used_as_member(data: bytes, name: str, lo: int, hi: int) -> bool:
    """Whether ``name`` follows a ``.`` (``->``, ``::``) somewhere in ``[lo, hi)``."""
    word = name.encode()
    for lead in (b".", b">", b":"):
        start = lo
        while (at := data.find(lead + word, start, hi)) >= 0:
            if _is_word_at(data, at + 1, len(word)):
                return True
            start = at + 1
    return False


#: ``self.speed = speed``, ``this.count = 0``: an attribute of the document's own class.
#: ``self.x =``, ``this.x =``, ``@x =``.
#: (A name's bytes from 0x80 are a letter beyond ASCII's: ``self.größe =``.)
_OWN_ATTRIBUTE = re.compile(rb"(?:\b(?:self|this)\.|@)(" + NAME_BYTES + rb")\s*(?::[^=\n]*)?=(?!=)")


#: A member declared with an access modifier and no parameter list where a class's parameters
#: declare members: TypeScript's constructor parameter properties (``constructor(public name_ =
#: "")``), Kotlin's and Scala's (``class Store(private val cache: Cache)``), which no definition
#: captures. Not in other languages: a C++ base clause (``: public Base,``) reads the same.
_OWN_DECLARED = re.compile(
    rb"\b(?:public|private|protected)\s+(?:(?:readonly|override|static|lateinit|val|var)\s+)*("
    + NAME_BYTES
    + rb")\s*[?!]?\s*(?::(?!:)|[=,)])"
)


_DECLARES_MEMBERS = frozenset({"typescript", "tsx", "kotlin", "scala"})


def _attributes_in(data: bytes, language: str) -> set[str]:
    found = {m.decode("utf-8", "replace") for m in _OWN_ATTRIBUTE.findall(data)}
    if language in _DECLARES_MEMBERS:
        found.update(m.decode("utf-8", "replace") for m in _OWN_DECLARED.findall(data))
    return found


def _own_attributes(own: FileIndex, data: bytes, language: str) -> set[str]:
    """The attributes the document assigns on ``self``/``this`` or declares as members: its
    classes' own, however many other files define the name (``self.speed`` in rich's Spinner
    brought Progress's)."""
    return cast(
        "set[str]",
        _cached_over("attributes", [own], lambda: _attributes_in(data, language)),
    )


def found_in_workspace(
    indexer: Indexer,
    req: ContextRequest,
    own: FileIndex,
    indexes: list[FileIndex],
    names: list[str],
    window: tuple[int, int],
    doc_path: Path,
    roots: list[Path],
    *,
    prefixed: bool = False,
) -> tuple[dict[str, list[FileIndex]], set[str]]:
    """By name, nearest first, the indexes of the workspace files that define the names used as
    members (``self.protocol.notify``) or imported (through a path not followed) that nothing
    the document imports or has open defines, when one or two files define them; and which of
    them the document imports (no guess: mobx's files import everything from a barrel of 50
    ``export *``, more than are followed). ``prefixed``: ``names`` are what the word at the
    cursor may become (``prefixed_names``), each looked up and placed as an imported one."""
    symbols, doc = req.symbols, req.doc
    if symbols is None or not symbols.indexed or doc.language is None:
        return {}, set()
    known = _defined_in(indexes)
    attributes = _own_attributes(own, doc.data, doc.language.name)
    imported = own.import_words
    found: dict[str, list[FileIndex]] = {}
    guesses = 0  # members found, not imported names
    for name in names:
        if time.monotonic() > req.deadline:
            break
        if name in known or name in attributes:
            continue
        placed = prefixed or name in imported
        if not placed and (guesses >= MAX_WORKSPACE_NAMES or not _used_as_member(doc.data, name, *window)):
            continue
        for idx in _workspace_indexes(indexer, req, name, doc_path, roots):
            found.setdefault(name, []).append(idx)
        guesses += name in found and not placed
    return found, {name for name in found if prefixed or name in imported}


def sorted_definitions(indexes: list[FileIndex], *, members: bool = False) -> list[str]:
    """The names ``indexes`` define, sorted for a look-up by prefix (once per set of indexes);
    ``members``: those a class's body defines (what a word after a dot may become)."""
    if members:

        def owned() -> list[str]:
            defined = (item for idx in indexes for item in idx.definitions.items())
            return sorted_names(name for name, ds in defined if any(d.owner for d in ds))

        return cast("list[str]", _cached_over("sorted members", indexes, owned))
    return cast("list[str]", _cached_over("sorted", indexes, lambda: sorted_names(_defined_in(indexes))))


def prefix_looked_up(
    doc: Document, typed: Prefix | None, own: FileIndex | None, written: str | None, *, members_sent: bool
) -> Prefix | None:
    """The word half typed at the cursor (``typed``, ``prefix_at``'s) whose candidates
    :func:`prefixed_names` looks up, or None: none where ``prefix_at`` wants none, nor at a dot
    whose members are sent (``members_sent``: a receiver's class, a module's outline), nor at
    the dot of a module ``own`` imports whole (``written``, module_outline.module_written's:
    a library's ``json.du|``, whose members are no workspace names; an ES module's default
    import keeps the look-up). Asked by gather_snippets and by the check of whether the
    snippets kept lack a new word's candidates (completion.prompting): written out twice,
    the two had drifted apart twice."""
    if typed is None or doc.language is None or members_sent:
        return None
    if own is not None and written is not None and written in own.modules:
        return None
    return typed


def prefixed_names(
    req: ContextRequest, own: FileIndex | None, others: list[FileIndex], names: list[str], typed: Prefix | None
) -> list[str]:
    """What the word the cursor ends may become (``context.prefix``): names this document,
    the files read for it (``others``: imported, open) or the workspace define that start with
    it, not among ``names`` (those near the cursor, looked up whole), nor a definition of the
    cursor's own line (``def retr|`` read a few keys ago as ``retry``); none where
    :func:`prefix_looked_up` gives no ``typed``."""
    doc = req.doc
    if doc.language is None or typed is None:
        return []
    word, members = typed
    lists = [sorted_definitions(others, members=members)]
    typed_here: set[str] = set()
    if own is not None:
        lists.insert(0, sorted_definitions([own], members=members))
        line = doc.line_at(req.offset)
        typed_here = {n for n in with_prefix(lists[0], word) if any(d.start_line == line for d in own.definitions[n])}
    # (The symbol table's names are of any kind: after a dot, those its files define as a
    # class's member are kept once read, ``members_defined``.)
    unwanted = {*names, *typed_here}
    return prefix_candidates(word, lists, req.symbols, doc.language.name, unwanted=unwanted)


def members_defined(found: dict[str, list[FileIndex]]) -> dict[str, list[FileIndex]]:
    """Of ``found`` (name -> the indexes defining it), the names and indexes a class's body
    defines them in: what a word after a dot may become."""
    owned = {n: [i for i in idxs if _owned_in(i, n)] for n, idxs in found.items()}
    return {n: idxs for n, idxs in owned.items() if idxs}


def workspace_member(indexer: Indexer, req: ContextRequest, name: str) -> bool:
    """Whether a workspace file the symbol table says defines ``name`` (not the document,
    whose own index answers) defines it in a class's body, as found_in_workspace and
    members_defined read it for a word after a dot. A file not read in the time box (left to
    the idle read) says no for now: the snippets chosen anew could not read it either, and it
    is asked again at the next key (``self.se|`` chose them anew for nothing)."""
    doc_path, language = file_path(req.doc.uri), req.doc.language
    if doc_path is None or req.symbols is None or language is None:
        return False
    roots = req.workspace_roots or [doc_path.parent]
    for path in req.symbols.files_defining(name, language.name):
        if path == doc_path or req.readable(path, roots) is None:
            continue  # (a file the request may not read brings nothing)
        idx = _file_index(indexer, req, path, doc_path, roots, [])
        if idx is not None and _owned_in(idx, name):
            return True
    return False


def _owned_in(index: FileIndex, name: str) -> bool:
    return any(d.owner for d in index.definitions.get(name, ()))


def _workspace_indexes(indexer: Indexer, req: ContextRequest, name: str, doc_path: Path, roots: list[Path]) -> list[FileIndex]:
    """The indexes of the workspace files that define ``name`` (one or two, see
    ``WorkspaceSymbols.files_defining``) and that the request may read, but the document's and
    the other documents' (looked in already)."""
    doc = req.doc
    if req.symbols is None or doc.language is None:
        return []
    found = []
    for path in req.symbols.files_defining(name, doc.language.name):
        # Among the other documents, it was looked in already (the name is not in it).
        idx = _file_index(indexer, req, path, doc_path, roots, [doc, *req.other_docs])
        if idx is not None and name in idx.definitions:
            found.append(idx)
    return found


def _file_index(
    indexer: Indexer,
    req: ContextRequest,
    path: Path,
    doc_path: Path,
    roots: list[Path],
    looked_in: list[Document],
) -> FileIndex | None:
    """The index of the workspace file at ``path`` if the request may read it and it is not
    the document's nor one of ``looked_in``'s."""
    real = req.readable(path, roots) if path != doc_path else None
    if real is None:
        return None
    # A file open in the editor is its buffer, never the copy on disk (older, it had the name
    # the user just renamed away).
    open_doc = req.open_document(real, path)
    if open_doc is not None and any(open_doc is d for d in looked_in):
        return None
    if open_doc is not None:
        return indexer.for_document(open_doc, deadline=req.deadline, other=True)
    return indexer.for_file(real, deadline=req.deadline, language=req.doc.language)


@dataclass
class _Candidates:
    """A name's definitions worth sending, best first, and whether one is in view already."""

    name: str
    definitions: list[tuple[Definition, FileIndex]]
    in_view: bool


def _candidates(
    name: str, ordered: list[FileIndex], own: FileIndex | None, in_view: Callable[[Definition], bool]
) -> _Candidates | None:
    return _candidates_among(name, [(d, idx) for idx in ordered for d in idx.definitions.get(name, ())], own, in_view)


def _candidates_among(
    name: str, pairs: list[tuple[Definition, FileIndex]], own: FileIndex | None, in_view: Callable[[Definition], bool]
) -> _Candidates | None:
    """``_candidates`` of the given definitions (each with its file's index), in order; a
    definition of ``own`` (the document's) for which ``in_view`` is true is seen by the model
    without a snippet."""
    found: list[tuple[Definition, FileIndex]] = []
    texts: list[str] = []
    seen = False
    last: FileIndex | None = None
    for d, idx in pairs:  # the document's own first: whether one is in view is known after it
        if idx is not last and len(found) >= MAX_PER_NAME:
            break  # ``close`` has thirty definitions in asyncio's files
        last = idx
        if idx is own and in_view(d):
            seen = True
        elif d.text not in texts:
            texts.append(d.text)
            found.append((d, idx))
    wanted = MAX_PER_NAME - seen
    return _Candidates(name, found[:wanted], seen) if found and wanted > 0 else None


#: Receivers' classes read from the workspace per request (each a read of up to two files'
#: indexes, most often cached; one no file defines, looked for in the symbols alone, is not).
MAX_RECEIVER_CLASSES = 4
#: The method signatures a Go struct's definition takes at ``c.|`` (``_with_go_methods``).
MAX_GO_METHODS = 16
#: The other files of a Go struct's package read for the methods declared on it (in the order
#: of their names), at most.
MAX_GO_PACKAGE_FILES = 24


#: Bases followed up from a receiver's class to the one that defines the member: four, as deep
#: as the standard library's own chains go (email.mime's MIMEImage -> MIMENonMultipart ->
#: MIMEBase -> Message, asyncio's _UnixSelectorEventLoop -> BaseSelectorEventLoop ->
#: BaseEventLoop -> AbstractEventLoop); the classes read from the workspace stay
#: ``MAX_RECEIVER_CLASSES`` a request.
MAX_BASE_DEPTH = 4


def receivers_members(
    indexer: Indexer,
    req: ContextRequest,
    own: FileIndex,
    indexes: list[FileIndex],
    names: list[str],
    window: tuple[int, int],
    doc_path: Path,
    roots: list[Path],
) -> tuple[dict[str, list[tuple[Definition, FileIndex]]], list[tuple[Definition, FileIndex]]]:
    """By member name, the definitions of it in its receiver's class (or a base of it), where
    the document says the class (``context.receivers``): ``conn.send(`` after ``conn =
    Connection()`` is ``Connection.send``, however many files define a ``send``; and the
    definition of the class of the receiver the cursor is after (``conn.``), whose member is
    still to be typed. The class is looked for in ``indexes`` (the document's, the files it
    imports, the other open documents), then in the workspace's symbols."""
    doc = req.doc
    if doc.language is None or not reads_receivers(doc.language.name) or (tree := doc.tree) is None:
        return {}, []
    if time.monotonic() > req.deadline:
        # The box spent on the names' files: the receivers' classes go unread, and the context
        # is not the whole one (not kept as if it were).
        req.cut_short = True
        return {}, []
    imported = own.import_words
    found = _Classes(indexer, req, own, indexes, doc_path, roots)
    elsewhere = partial(found.field, doc.language)
    classes = member_receivers(
        doc.language.name, tree, doc.data, req.offset, window, names, imported, elsewhere
    )
    members = {member: defs for member, cls in classes.items() if (defs := found.members(cls, member))}
    at_cursor = class_of_member(doc.language.name, tree, doc.data, req.member, imported, elsewhere)
    return members, found.classes(at_cursor) if at_cursor is not None else []


def bases_at_cursor(
    indexer: Indexer,
    req: ContextRequest,
    own: FileIndex,
    indexes: list[FileIndex],
    at_cursor: list[tuple[Definition, FileIndex]],
    doc_path: Path,
    roots: list[Path],
) -> list[list[tuple[Definition, FileIndex]]]:
    """The classes the class of the receiver the cursor is after (``at_cursor``: ``self.|``,
    ``conn.|``) inherits from, in Python's method resolution order, ``MAX_BASE_DEPTH`` up, each
    its definitions: the member to be typed is as likely inherited (an event loop's
    ``self.call_soon``, three bases up), and only the class came (``self.``'s own, in view) or
    its direct base (a name near the cursor). From the files the document imports or has open,
    then those the workspace's symbol table names (``MAX_RECEIVER_CLASSES`` read a request,
    each index kept by the indexer while its file is unchanged)."""
    if not at_cursor or time.monotonic() > req.deadline:
        return []
    found = _Classes(indexer, req, own, indexes, doc_path, roots)
    cls = at_cursor[0][0].name
    found.where[cls] = list({id(idx): idx for _d, idx in at_cursor}.values())
    return [defs for base in dict.fromkeys(found._linearization(cls, 0)[1:]) if (defs := found.classes(base))]


class _Classes:
    """Where a request's receivers' classes are defined, each looked for once."""

    def __init__(
        self,
        indexer: Indexer,
        req: ContextRequest,
        own: FileIndex,
        indexes: list[FileIndex],
        doc_path: Path,
        roots: list[Path],
    ) -> None:
        self.indexer, self.req, self.own, self.indexes = indexer, req, own, indexes
        self.doc_path, self.roots = doc_path, roots
        self.where: dict[str, list[FileIndex]] = {}
        self.reads = 0
        self.go = req.doc.language is not None and req.doc.language.name == "go"
        #: By a Go file's path, the other files of its package.
        self.packages: dict[Path, list[FileIndex]] = {}
        #: By id of the index of a document open in the editor, its file's path.
        self.open_paths: dict[int, Path | None] = {}

    def defining(self, cls: str) -> list[FileIndex]:
        """The indexes defining the class ``cls`` (a name, or a shadowed base's key: see
        :meth:`_shadowed`, always known)."""
        if cls not in self.where:
            found = [idx for idx in self.indexes if _defines_class(idx, cls)]
            if not found and self.reads < MAX_RECEIVER_CLASSES and time.monotonic() <= self.req.deadline:
                read = _workspace_indexes(self.indexer, self.req, cls, self.doc_path, self.roots)
                # A class no workspace file defines (the JDK's System, Locale) costs a look in
                # the table, no read: counted, four such owners near the cursor
                # (System.out.println) left the receivers' own classes unlooked for.
                self.reads += 1 if read else 0
                found = [idx for idx in read if _defines_class(idx, cls)]
            self.where[cls] = found
        return self.where[cls]

    def field(self, language: Language, cls: str, name: str) -> str | None:
        """The class of the field ``name`` of ``cls`` as a file declaring ``cls`` says it
        (``k.conn`` where ``k``'s class is another file's): the field's own definition (Java's,
        C#'s, TypeScript's fields, Python's class-level annotations), else the class's first
        lines (a Go or Rust struct's fields, a short Python class's ``self.conn = Conn()``);
        each a few lines parsed (~0.05 ms)."""
        parser = language.shared_parser
        for idx in self.defining(cls):
            own = idx.definitions.get(name, ())
            texts = [(d.text, True) for d in own if d.owner == cls and d.kind != "method"]
            texts += [(d.text, False) for d in idx.definitions[cls] if d.kind == "class"]
            for text, member in texts:
                said = field_in_text(language.name, parser, text, cls, name, member=member)
                if said is not None:
                    return said
        return None

    def classes(self, cls: str) -> list[tuple[Definition, FileIndex]]:
        name = _class_name(cls)
        found = [(d, idx) for idx in self.defining(cls) for d in idx.definitions[name] if d.kind == "class"]
        if self.go:
            found = [(_with_go_methods(d, self._declaring_all(idx, cls), cls), idx) for d, idx in found]
        return found

    def _declaring_all(self, idx: FileIndex, cls: str) -> list[FileIndex]:
        """``idx`` and the indexes of its Go package's files that may declare methods on
        ``cls``: the first ones read, then those past them the symbol table names."""
        package = self.package(idx)
        return [idx, *package, *self._methods_past(idx, package, cls)]

    def _methods_past(self, idx: FileIndex, package: list[FileIndex], cls: str) -> list[FileIndex]:
        """The indexes of the files of ``idx``'s package past the ``MAX_GO_PACKAGE_FILES`` read
        (``package``) that the symbol table says declare methods on ``cls``: a package's 25th
        file on had none of its methods sent at ``c.|``."""
        where = self._path_of(idx)
        if where is None or self.req.symbols is None:
            return []
        read = {where, *(p for other in package if (p := self._path_of(other)) is not None)}
        paths = [p for p in self._declaring_methods(where.parent, cls) if p not in read]
        return self._read(paths[:MAX_GO_PACKAGE_FILES])

    def _declaring_methods(self, folder: Path, cls: str) -> list[Path]:
        """The files of ``folder`` the symbol table says declare methods on ``cls`` (not its
        tests', unless the document is one: a test's methods are its own)."""
        if self.req.symbols is None:
            return []
        testing = self.doc_path.name.endswith("_test.go")
        found = self.req.symbols.files_with_methods_of(cls, folder, "go")
        return [p for p in found if testing or not p.name.endswith("_test.go")]

    def _read(self, paths: list[Path]) -> list[FileIndex]:
        """The indexes of ``paths`` (the document's buffer for its own), within the time box."""
        read: list[FileIndex] = []
        for path in paths:
            if time.monotonic() > self.req.deadline:
                break
            other = _file_index(self.indexer, self.req, path, self.doc_path, self.roots, [self.req.doc])
            read += [other] if other is not None else []
        return read

    def package(self, idx: FileIndex) -> list[FileIndex]:
        """The indexes of the other files of the Go package of ``idx`` (a file on disk or the
        document), where methods are declared on its types too: not its tests' (unless it is
        one), ``MAX_GO_PACKAGE_FILES`` at most, within the time box."""
        where = self._path_of(idx)
        if where is None:
            return []
        if where in self.packages:
            return self.packages[where]
        found = [self.own] if idx is not self.own and where.parent == self.doc_path.parent else []
        own_name = where.name
        testing = own_name.endswith("_test.go")
        names = package_file_names(where.parent)
        # (The document, in the package or not, is ``own``: ``_file_index`` skips it.) The
        # first ones only are sifted: all 5,000 of a folder of generated code took ~1 ms.
        others = (n for n in names if n != own_name and (testing or not n.endswith("_test.go")))
        found += self._read([where.parent / name for name in islice(others, MAX_GO_PACKAGE_FILES)])
        self.packages[where] = found
        return found

    def _path_of(self, idx: FileIndex) -> Path | None:
        """The path of the file ``idx`` indexes: the document's, one read from disk, or one open
        in the editor (its buffer's index names no file: with the struct's file open in a tab,
        ``c.|`` had that file's methods only, not its package's)."""
        if idx is self.own:
            return self.doc_path
        if idx.disk is not None:
            return Path(idx.disk[0])
        if id(idx) not in self.open_paths:  # (looked for once: every open document is asked)
            docs = self.req.open_uris if self.req.open_uris is not None else self.req.other_docs
            uri = next((d.uri for d in docs if self.indexer.built(d) is idx), None)
            self.open_paths[id(idx)] = file_path(uri) if uri is not None else None
        return self.open_paths[id(idx)]

    def members(self, cls: str, member: str) -> list[tuple[Definition, FileIndex]]:
        """``cls``'s definitions of ``member``, or the first base's that has one in Python's
        method resolution order (C3, ``MAX_BASE_DEPTH`` up): ``class Both(Left, Right)``
        whose ``Left`` and ``Right`` derive from ``Base`` has ``Right``'s before ``Base``'s
        (depth first, ``Base``'s came through ``Left``)."""
        found = self._own(cls, member)
        if found:
            return found  # (its bases are not looked for)
        for owner in dict.fromkeys(self._linearization(cls, 0)[1:]):  # (a cycle repeats one)
            if found := self._own(owner, member):
                return found
        return []

    def assigning(self, cls: str, member: str) -> list[tuple[Definition, FileIndex]]:
        """The constructor of the first of ``cls``'s bases (in ``members``' order) that assigns
        the attribute ``member`` (``self._extra = extra`` in ``BaseTransport.__init__``): an
        attribute is no definition of its own."""
        assigned = re.compile(rf"\b(?:self|this)\.{re.escape(member)}\s*(?::[^=\n]*)?=(?!=)")
        for owner in dict.fromkeys(self._linearization(cls, 0)[1:]):
            for ctor in ("__init__", "constructor"):
                if found := [(d, idx) for d, idx in self._own(owner, ctor) if assigned.search(d.text)]:
                    return found[:1]
        return []

    def _own(self, cls: str, member: str) -> list[tuple[Definition, FileIndex]]:
        defining = self.defining(cls)
        found = _owned(defining, _class_name(cls), member)
        if found or not self.go:
            return found
        # A Go method declared in another file of its type's package.
        package = [p for idx in defining for p in self.package(idx)]
        package = [p for p in package if all(p is not d for d in defining)]
        found = _owned(package, cls, member)
        return found or _owned(self._declaring(defining, cls, member), cls, member)

    def _declaring(self, defining: list[FileIndex], cls: str, member: str) -> list[FileIndex]:
        """The indexes of the files of ``defining``'s packages (their folders) that the symbol
        table says declare methods on ``cls`` and define ``member``: one past the
        ``MAX_GO_PACKAGE_FILES`` read, without reading the others, however many files of the
        workspace define a ``member`` (``Send``, ``Close``: those of more than two were not
        found)."""
        folders = {where.parent for idx in defining if (where := self._path_of(idx)) is not None}
        symbols = self.req.symbols
        if symbols is None or not folders:
            return []
        paths = [p for f in sorted(folders) for p in self._declaring_methods(f, cls)]
        return self._read([p for p in paths if symbols.may_define(p, member)][:MAX_GO_PACKAGE_FILES])

    def _linearization(self, cls: str, depth: int) -> list[str]:
        if depth >= MAX_BASE_DEPTH:
            return [cls]
        named = dict.fromkeys(self._base(idx, b, cls) for d, idx in self.classes(cls) for b in _bases(d.text))
        bases = [b for b in list(named)[:3] if b != cls]
        return [cls, *_c3_merge([*(self._linearization(b, depth + 1) for b in bases), bases])]

    def _base(self, idx: FileIndex, written: str, heir: str) -> str:
        """The class ``written`` names (a base in the header of ``idx``'s class ``heir``), where
        it is first met found through the imports of ``idx``'s file (``base_imports``): by its
        name alone, another file's class of that name could be taken, or none where more than
        two files define one."""
        name, sources = base_sources(idx, written)
        if self.go:
            return name
        if name == _class_name(heir):
            return self._shadowed(idx, name, sources)
        if name in self.where:
            return name
        if _defines_class(idx, name):
            self.where[name] = [idx]
            return name
        if found := self._imported(idx, name, sources):
            self.where[name] = found
        elif sources:
            real, found = self._passed_on(idx, name, sources)
            if found:
                self.where.setdefault(real, found)
                return real
        return name

    def _passed_on(self, idx: FileIndex, name: str, sources: list[str]) -> tuple[str, list[FileIndex]]:
        """The class ``name`` (by the name its file defines it) and the files defining it where
        the files ``sources`` name pass it on renamed (``net/__init__.py``'s ``from .dtls import
        Dtls as D``, ``export { Dtls as D } from './dtls'``, for ``class Quic(net.D)``): the
        barrel defines no ``D``, and no other file does. ``MAX_REEXPORT_HOPS`` deep, within the
        time box, ``MAX_BASE_FILES`` read past the barrels."""
        where, language = self._path_of(idx), self.req.doc.language
        if where is None or language is None or time.monotonic() > self.req.deadline:
            return name, []
        paths = resolve_local_imports_cached(sources, where, self.roots, language.name, language.spec.imports, self.req.deadline)
        pending = [p for p in paths if p != where][:MAX_BASE_FILES]
        if not any(name in other.reexports.renamed for other in self._read(pending) if other.reexports is not None):
            # Passed on as it is named, the files the snippets read for the name have it: a
            # follow here took the place of other names' definitions (configparser's).
            return name, []
        follower = ReExportFollower(
            self.indexer, where, [name], self.roots, self.req.exclude, self.req.deadline, len(pending) + MAX_BASE_FILES
        )
        for path in pending:  # grows: the files a barrel passes the name on from
            for other in self._read([path]):
                real = follower.aliases.get(name, name)
                if _defines_class(other, real):
                    return real, [other]
                follower.extend(pending, path, other)
        return name, []

    def _imported(self, idx: FileIndex, name: str, sources: list[str]) -> list[FileIndex]:
        """The indexes of the files ``sources`` (imports of ``idx``'s file) name that define
        the class ``name``, ``idx``'s own left out."""
        where, language = self._path_of(idx), self.req.doc.language
        if not sources or where is None or language is None or time.monotonic() > self.req.deadline:
            return []
        paths = resolve_local_imports_cached(sources, where, self.roots, language.name, language.spec.imports, self.req.deadline)
        read = self._read([p for p in paths if p != where][:MAX_BASE_FILES])
        return [other for other in read if _defines_class(other, name)]

    def _shadowed(self, idx: FileIndex, name: str, sources: list[str]) -> str:
        """The key of the class ``name`` that ``idx``'s class of that same name derives from
        (``class Connection(base.Connection)``, ``class Thread(threading.Thread)``, ``class
        Conn extends c.Conn``): another file's, through ``idx``'s imports, else (no import
        binds it) the open documents' or the symbol table's. Keyed by name, it was the heir
        itself, dropped as its own base: nothing it inherits came."""
        found = self._imported(idx, name, sources)
        if not found and not sources:
            found = [other for other in self.indexes if other is not idx and _defines_class(other, name)]
        if not found and not sources and time.monotonic() <= self.req.deadline:
            read = _workspace_indexes(self.indexer, self.req, name, self.doc_path, self.roots)
            found = [other for other in read if other is not idx and _defines_class(other, name)]
        key = name + _SHADOWED + ",".join(str(id(other)) for other in found)
        self.where.setdefault(key, found)
        return key


#: In a shadowed base's key (see _Classes._shadowed), between its name and its files.
_SHADOWED = "\0"


def _class_name(key: str) -> str:
    """The class a key of ``_Classes.where`` stands for: a name, or a shadowed base's."""
    return key.partition(_SHADOWED)[0]


def _owned(indexes: list[FileIndex], cls: str, member: str) -> list[tuple[Definition, FileIndex]]:
    """The definitions of ``member`` in the class ``cls`` that ``indexes`` hold."""
    return [(d, idx) for idx in indexes for d in idx.definitions.get(member, ()) if d.owner == cls]


def _with_go_methods(struct: Definition, indexes: list[FileIndex], cls: str) -> Definition:
    """A Go struct's definition followed by the signatures of the methods its package's files
    (``indexes``, its own first) declare on it: outside the struct, they were not in what
    ``c.|`` sent of ``c``'s class."""
    found: dict[str, None] = {}
    for idx in indexes:  # (those past the first ``MAX_GO_METHODS`` are not read)
        methods = (d for ds in idx.definitions.values() for d in ds if d.owner == cls)
        in_order = sorted((d for d in methods if d.kind == "method"), key=lambda d: d.start_line)
        found.update(dict.fromkeys(d.text.split("\n", 1)[0].rstrip(" {") for d in in_order))
        if len(found) >= MAX_GO_METHODS:
            break
    heads = list(found)
    # Its signature, the last resort, its header alone: one short enough for any room
    # (``SIGNATURE_MEMBERS`` fields are in its longer forms already).
    struct = replace(struct, header_len=len(struct.text.split("{", 1)[0]))
    if not heads:
        return struct
    fields = struct.text.rstrip()
    kept = range(min(len(heads), MAX_GO_METHODS), 0, -1)
    text, *shorter = (fields + "\n\n" + "\n".join(heads[:n]) for n in kept)
    # Too long for the prompt's room: the struct with fewer methods, then with its fields
    # alone (as before they came), then its header and its first methods' (as a class's
    # outline has its first members); its signature, the bare header, last.
    outline = struct.signature + "\n" + "\n".join(heads[:SIGNATURE_MEMBERS])
    outline += "\n…" if len(heads) > SIGNATURE_MEMBERS else ""
    # Counted by halves, the forms must be longest first: an outline longer than a few fields
    # (long methods' signatures) was tried before them and, too long, hid them. Wherever it
    # fits, they do.
    last = (fields, outline) if len(outline) < len(fields) else (fields,)
    return replace(struct, text=text, shorter=(*shorter, *last))


def _c3_merge(seqs: list[list[str]]) -> list[str]:
    """C3's merge of the bases' linearizations and the bases' list: the first head no list has
    in its tail, each in turn; where none is (an order Python would refuse), the rest depth
    first."""
    seqs = [s for s in seqs if s]
    out: list[str] = []
    while seqs:
        head = next((s[0] for s in seqs if not any(s[0] in t[1:] for t in seqs)), None)
        if head is None:
            return out + [c for c in dict.fromkeys(c for s in seqs for c in s) if c not in out]
        out.append(head)
        seqs = [t for s in seqs if (t := s[1:] if s[0] == head else s)]
    return out


def names_bases(idx: FileIndex, cls: str) -> bool:
    """Whether a class ``cls`` that ``idx`` defines names a base in its header."""
    return any(d.kind == "class" and _bases(d.text) for d in idx.definitions.get(cls, ()))


def _defines_class(idx: FileIndex, name: str) -> bool:
    return any(d.kind == "class" for d in idx.definitions.get(name, ()))


#: A class's bases in its header: Python's ``class A(Base, metaclass=M):``, TypeScript's and
#: JavaScript's ``class A<T> extends Base<T> implements I, J {``.
_PY_BASES = re.compile(r"^\s*class\s+\w+\s*(?:\[[^\]]*\])?\s*\(([^)]*)\)", re.M)
_JS_BASES = re.compile(r"\bclass\s+[\w$]+[^{\n]*?\b(?:extends|implements)\s+([^{\n]+)")
#: C#'s ``class TlsConn : Conn, IDisposable`` (``where T : IEntity`` after them is no base), a
#: positional record's ``record TlsConn(string Host) : Conn(Host);`` (the base's arguments).
_CS_BASES = re.compile(
    r"^[^\n]*?\b(?:class|struct|record|interface)[ \t]+\w+(?:<[^>\n]*>)?(?:[ \t]*\([^)\n]*\))?"
    r"[ \t]*:(?!:)[ \t]*([^{\n]+?)(?:[ \t]+where\b.*)?[ \t]*;?[ \t]*(?:\{|$)",
    re.M,
)
_ARGUMENTS = re.compile(r"\([^()]*\)")
#: (``pass``: a Python class's one-line body, ``class E(Exception): pass``, read as C#'s base.)
_NO_BASES = frozenset({"object", "Generic", "Protocol", "ABC", "Exception", "Enum", "pass"})


#: A Go struct's embedded types (``type TlsConn struct {`` then ``*Conn``, ``net.Dialer`` on
#: lines of their own): their methods are the struct's.
_GO_STRUCT = re.compile(r"^type[ \t]+\w+(?:\[[^\]\n]*\])?[ \t]+struct[ \t]*\{", re.M)
_GO_EMBEDDED = re.compile(r"^[ \t]+\*?(?:\w+\.)?(\w+)(?:\[[^\]\n]*\])?[ \t]*(?://.*)?$", re.M)


def _bases(text: str) -> list[str]:
    if _GO_STRUCT.match(text):
        return [b for b in _GO_EMBEDDED.findall(text, text.index("{")) if b not in _NO_BASES]
    for header in (_PY_BASES, _JS_BASES, _CS_BASES):
        # (Python's ``class A(B):`` is C#'s primary constructor ``class A(B b) : Base(b.X)``
        # too: the next form is read where one names no base.)
        m = header.search(text)
        if m is None:
            continue
        listed = m.group(1)
        for _ in range(3) if header is _CS_BASES else ():
            listed = _ARGUMENTS.sub("", listed)  # (``Conn(Make(host))``: the inner ones first)
        if found := _named(listed):
            return found
    return []


def _named(listed: str) -> list[str]:
    found = []
    for part in re.split(r",|\bimplements\b|\bextends\b", listed):
        if "=" in part or part.lstrip()[:1] in ("'", '"'):
            continue  # ``metaclass=ABCMeta``; a one-line docstring, ``class E(Exception): "E"``
        name = written_type(part)
        if name is not None and name.rsplit(".", 1)[-1] not in _NO_BASES:
            found.append(name)
    return found


def _tiers(
    indexes: list[FileIndex], own: FileIndex | None, from_docs: dict[int, tuple[str, int]], imported: list[Path]
) -> dict[int, int]:
    """By index id: 0 the document's own, 1 a file it imports (open or not), 2 another open
    document. A name's definition in the file it came from is the one meant; the same name in
    a document merely open is another class's method, or another module's function."""
    # As paths, not strings: on Windows an imported file is ``c:\proj\mod.py`` and its
    # document's URI ``c:/proj/mod.py`` (and a drive or name in another case is the same file).
    imported_paths = set(imported)
    tiers: dict[int, int] = {}
    for idx in indexes:
        if idx is own:
            tiers[id(idx)] = 0
        elif id(idx) in from_docs:
            tiers[id(idx)] = 1 if file_path(from_docs[id(idx)][0]) in imported_paths else 2
        else:
            tiers[id(idx)] = 1
    return tiers


def _within(part: str, text: str) -> bool:
    """Whether ``text`` shows ``part``: a line of it whole when ``part`` is one line (a class's
    outline holds ``DEFAULT_TIMEOUT = 50``, which is not the module's ``TIMEOUT = 5``), its
    ``;`` aside (a TypeScript field's definition is its line without it, and was sent
    again below its class), or a statement of a one-line Python class body (``class Holder:
    conn = Conn()`` shows ``conn = Conn()``, sent again above it); a Go method whose signature
    the struct's snippet lists (``_with_go_methods``: its first line was sent twice)."""
    if "\n" in part:
        if part.startswith("func (") and text.startswith("type "):
            head = part.split("\n", 1)[0].rstrip(" {")
            return f"\n{head}\n" in f"{text}\n"
        return part in text
    part = part.strip().removesuffix(";")
    return part in text and any(
        (line := raw.strip().removesuffix(";")) == part or part in _one_line_body(line)
        for raw in text.splitlines()
    )


#: A one-line Python class's header, its body after it on the line.
_ONE_LINE_CLASS = re.compile(r"class\s[^:]*:(?=\s*\S)")


def _one_line_body(line: str) -> list[str]:
    """The statements of a one-line Python class body (``class Holder: n = 3; conn = Conn()``),
    none for another line."""
    m = _ONE_LINE_CLASS.match(line)
    return [] if m is None else [s.strip() for s in line[m.end() :].split(";")]
