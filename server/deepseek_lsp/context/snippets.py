"""The extra context of a prompt: definitions, imported names and recent edits, chosen within a budget."""

from __future__ import annotations

import posixpath
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from ..documents import Document, DocumentStore
from ..imports import (
    imported_types,
    local_sources,
    readable_import,
    resolution_pending,
    resolve_local_imports_cached,
    sibling_type_files,
)
from ..privacy import file_path, is_excluded
from ..reexports import ReExportFollower
from ..workspace_symbols import WorkspaceSymbols
from .index import _WORD
from .inherited_uses import used_inherited
from .lookup import (
    MAX_PER_NAME,
    _candidates,
    _candidates_among,
    _defined_in,
    _farther_imported,
    _looked_up,
    _own_attributes,
    _same_family,
    _tiers,
    _unused_imports,
    _used_as_member,
    _within,
    bases_at_cursor,
    found_in_workspace,
    members_defined,
    prefix_looked_up,
    prefixed_names,
    receivers_members,
    sorted_definitions,
)
from .module_outline import commonjs, module_files, module_outline, module_written
from .paths import display_path
from .prefix import Prefix, prefix_at, typed_word
from .receivers import MemberAt, class_around, member_at
from .words import has_word

if TYPE_CHECKING:
    from ..languages import ImportRules
    from .index import Definition, FileIndex
    from .indexer import Indexer
    from .lookup import _Candidates




#: Import sources resolved per file, and the files they name that are read (a Go package is
#: up to ``imports.MAX_PACKAGE_FILES`` files; the time box decides how many are indexed).
MAX_IMPORT_SOURCES = 96


MAX_IMPORTED_FILES = 48


#: Names whose definitions are sent, counted among those that have one somewhere: capped before
#: that, the local variables between the cursor and an imported function took every place.
MAX_NAMES = 24


#: Definitions sent as their signature alone once ``gather_snippets``' whole ones are taken:
#: a quarter of the needs missed were names cut by the eight places or used farther up in the
#: window (tests/bench/bench_context_recall.py), and a signature is ~20 tokens.
MAX_SIGNATURES = 8


#: Regions of other files recently edited that are sent, and the lines each shows around its
#: edit (before it, and from it on).
MAX_RECENT_EDITS = 3


RECENT_EDIT_LINES = (4, 5)
#: The most of a recent edit's lines above it kept for redaction (``Snippet.lead``): their end
#: is what it reads (a name just above the value). A minified line there was kept whole, 311 kB
#: in each key of the redaction cache.
LEAD_MAX_CHARS = 4096
#: A text longer than this has no room in any prompt: not counted, not sent. An edit in a
#: minified file's 330 kB line was a recent edit of that size, counted by the tokenizer for the
#: next completion in another file (0.76 s), then left out for its size.
SEND_MAX_BYTES = 65536


@dataclass(frozen=True)
class Snippet:
    path: str
    text: str
    kind: str  # "definition" or "recent-edit"
    line: int = 0
    #: (uri, edit count) of the open document it was read from: it is stale once that changes.
    source: tuple[str, int] | None = field(default=None, compare=False)
    #: Which snippets the prompt's budget keeps first (lower first): the nearer the name it
    #: defines is to the cursor, the lower. The prompt lays them out by ``sort_key`` whatever
    #: their rank.
    rank: int = field(default=0, compare=False)
    #: What to send instead when the whole text does not fit the budget: a definition's signature.
    short: str | None = field(default=None, compare=False)
    #: (path, stamp) of the file on disk it was read from: it is stale once that changes
    #: (``unchanged_on_disk``), as ``source`` is once its document is edited.
    disk: tuple[str, tuple[int, int]] | None = field(default=None, compare=False)
    #: What to try before ``short``, longest first (see ``Definition.shorter``).
    shorter: tuple[str, ...] = field(default=(), compare=False)
    #: The other files on disk it was read from (``Definition.read_from``), stale alike.
    read_from: tuple[tuple[str, tuple[int, int]], ...] = field(default=(), compare=False)
    #: The lines of its file right above it, never sent: what redaction reads its first lines
    #: as part of (a recent edit starting at a value whose name, ``password = (``, is above it).
    lead: str = field(default="", compare=False)

    def sort_key(self) -> tuple[str, int, str]:
        return (self.path, self.line, self.kind)


@dataclass
class ContextRequest:
    doc: Document
    offset: int  # cursor, bytes
    other_docs: list[Document]
    recent_edits: list[tuple[str, int]]  # (uri, byte offset) in other documents, newest first
    workspace_roots: list[Path]
    exclude: tuple[str, ...]
    deadline: float  # time.monotonic() by which extra context must be done
    open_uris: DocumentStore | None = None  # every document open in the editor
    symbols: WorkspaceSymbols | None = None  # which workspace files define which names
    #: Set by ``gather_snippets`` when the time box cut the imports' resolution short: the
    #: snippets are then not complete, and the next request goes on with it.
    cut_short: bool = False
    #: Set by ``gather_snippets``: the names the other files it read define, sorted
    #: (``context.prefix``): what a word typed later in the window may become.
    known_names: list[str] = field(default_factory=list)
    #: Those of them a class's body defines: what a word after a dot may become.
    known_members: list[str] = field(default_factory=list)
    #: Set by ``gather_snippets``: whether the members at the cursor's dot are sent (its
    #: receiver's class, a module's outline), no name a word there may become looked up.
    members_sent: bool = False
    #: The document's definitions no snippet is to repeat, wherever the window ends (the
    #: function the cursor is in, those near it only as the names they define there:
    #: ``scopes.defined_here``), by name and first line.
    defined_here: frozenset[tuple[str, str]] = frozenset()
    #: Whether the user switched a file (URI or path) off for this request's feature (a folder
    #: or a language where completions are off): it is never read for context, as an excluded
    #: file is not.
    switched_off: Callable[[str], bool] = field(default=lambda _: False)

    @cached_property
    def member(self) -> MemberAt | None:
        """The member being typed at the cursor (``conn.|``: context.receivers.member_at), read
        once; a caller that read it already sets it."""
        lang, tree = self.doc.language, self.doc.tree
        return member_at(lang.name, tree, self.doc.data, self.offset) if lang and tree else None

    @cached_property
    def prefix(self) -> Prefix | None:
        """The word half typed at the cursor to look up by prefix (context.prefix.prefix_at),
        read once; a caller that read it already sets it."""
        return prefix_at(self.doc, self.offset)

    def sendable(self, uri: str) -> bool:
        """Whether another open document may give this request context."""
        return not is_excluded(uri, self.exclude) and not self.switched_off(uri)

    def readable(self, path: Path, roots: Sequence[Path]) -> Path | None:
        """The file to read for ``path`` (see ``readable_import``), unless it (or the file it
        links to) is switched off."""
        real = readable_import(path, roots, self.exclude)
        if real is None or self.switched_off(str(path)) or (real != path and self.switched_off(str(real))):
            return None
        return real

    def open_document(self, *paths: Path) -> Document | None:
        """The document open in the editor for the file at one of ``paths``, by its path: not
        by ``Path.as_uri()``, which spells ``(``, ``+``, ``@`` otherwise than Neovim does."""
        if self.open_uris is None:
            return None
        for path in paths:
            if (doc := self.open_uris.by_path(str(path))) is not None:
                return doc
        return None


def _may_show(outer: Snippet, inner: Snippet) -> bool:
    """Whether ``outer`` may hold ``inner``'s text: the same file's, or a Go struct's with the
    signatures of the methods its package's other files declare (``send.go``'s ``Send`` was sent
    again below ``conn.go``'s struct, which listed it)."""
    if outer.path == inner.path:
        return True
    go_method = outer.text.startswith("type ") and inner.text.startswith("func (")
    return go_method and posixpath.dirname(outer.path) == posixpath.dirname(inner.path)


def _listing_first(struct: Snippet, methods: list[Snippet]) -> Snippet:
    """``struct`` (a Go struct's snippet listing the signatures of ``methods``, a name's
    definitions near the cursor, not sent again) with those signatures first in each shorter
    form that lists methods: cut down by the prompt's room to its first methods, the struct
    left out the one the line above calls, sent in no form at all. Any other snippet as it is."""
    heads = [
        m.text.split("\n", 1)[0].rstrip(" {") for m in methods if m.text.startswith("func (")
    ]
    if not heads or not struct.text.startswith("type "):
        return struct
    rank = min(struct.rank, *(m.rank for m in methods))
    return replace(struct, rank=rank, shorter=tuple(_heads_first(f, heads) for f in struct.shorter))


def _heads_first(form: str, heads: list[str]) -> str:
    """``form`` with its methods' signatures (the lines ``func (...``) led by ``heads``, as
    many lines as it had: the first of ``heads`` it lacked take its last ones' places."""
    lines = form.split("\n")
    listed = [i for i, line in enumerate(lines) if line.startswith("func (")]
    if not listed:
        return form
    methods = [lines[i] for i in listed]
    ordered = list(dict.fromkeys([*heads, *methods]))[: len(methods)]
    for i, line in zip(listed, ordered, strict=True):
        lines[i] = line
    return "\n".join(lines)


def gather_snippets(
    indexer: Indexer,
    req: ContextRequest,
    window: tuple[int, int],
    names: list[str],
    max_snippets: int = 8,
    max_signatures: int = MAX_SIGNATURES,
) -> list[Snippet]:
    """Definitions of names used near the cursor and recent edits elsewhere, within a time box.

    Each snippet's ``rank`` says which the prompt's budget keeps first: the first definition of
    every name, nearest name first, then imported names used farther away, then a second
    definition of a name, then recent edits. The definitions past ``max_snippets`` are sent as
    their signatures (``max_signatures`` of them), ranked last."""
    doc = req.doc
    snippets: list[Snippet] = []
    seen_text: set[str] = set()
    signatures = 0

    def add(snippet: Snippet) -> None:
        nonlocal signatures
        if snippet.text in seen_text:
            return
        if snippet.kind == "signature":
            if signatures >= max_signatures:
                return
        elif len(snippets) - signatures >= max_snippets:
            return
        # A method inside its class's snippet (``reader.parse`` with ``CSVReader``) is sent once,
        # in the class, ranked as the nearer of the two names; a signature inside a definition
        # sent whole, likewise. A signature stands for signatures only: a short definition sent
        # whole, ``a = 1``, may be in a signature's text, ``def g(a = 1):``.
        inner = snippet.text.removesuffix("\n…")
        for i, s in enumerate(snippets):
            if (
                _may_show(s, snippet)
                and (snippet.kind == "signature" or s.kind != "signature")
                and _within(inner, s.text)
            ):
                snippets[i] = _listing_first(s, [snippet])
                return
        inside = [
            s
            for s in snippets
            if _may_show(snippet, s)
            and (snippet.kind != "signature" or s.kind == "signature")
            and _within(s.text.removesuffix("\n…"), snippet.text)
        ]
        if inside:
            signatures -= sum(s.kind == "signature" for s in inside)
            snippets[:] = [s for s in snippets if s not in inside]
            snippet = replace(snippet, rank=min(snippet.rank, *(s.rank for s in inside)))
            snippet = _listing_first(snippet, inside)
        seen_text.add(snippet.text)
        snippets.append(snippet)
        signatures += snippet.kind == "signature"

    own = indexer.for_document(doc, deadline=req.deadline)
    aliases = own.aliases if own is not None else {}
    # The nearest names, for the files named after types (sibling_type_files): a look at the
    # disk each, so not all of them.
    looked_up = _looked_up(names, aliases)
    wanted = looked_up[:MAX_NAMES]
    indexes: list[FileIndex] = []
    from_docs: dict[int, tuple[str, int]] = {}  # by id of the index of an open document
    # The files the document imports, and those a barrel among them passes names on from.
    pending: list[Path] = []
    by_path: dict[Path, FileIndex] = {}  # the imported files' indexes
    if own is not None:
        indexes.append(own)
    for other in req.other_docs:
        if time.monotonic() > req.deadline:
            break
        if other.uri != doc.uri and req.sendable(other.uri) and _same_family(doc, other):
            idx = indexer.for_document(other, deadline=req.deadline, other=True)
            if idx is not None:
                indexes.append(idx)
                from_docs[id(idx)] = (other.uri, idx.edit_count)
    doc_path = file_path(doc.uri)
    insiders: set[str] = set()  # the classes whose private members are the cursor's to use
    if own is not None and doc_path is not None and time.monotonic() <= req.deadline:
        # Without a workspace, the document's folder stands for one.
        roots = req.workspace_roots or [doc_path.parent]
        # ``from pkg import mod`` may name a module: tried after every module named outright.
        # Cut after resolving, not before: a Java file's first sixteen imports are often all
        # android.* and java.*, and its own project's classes came after them.
        sources = list(dict.fromkeys([*own.import_sources, *own.submodule_sources]))[:MAX_IMPORT_SOURCES]
        language = doc.language.name if doc.language else None
        rules = doc.language.spec.imports if doc.language else None
        imported = resolve_local_imports_cached(sources, doc_path, roots, language, rules, req.deadline)
        imported = imported[:MAX_IMPORTED_FILES]
        req.cut_short = resolution_pending(sources, doc_path, roots, language, rules)
        local = local_sources(sources, doc_path, roots, language, rules)
        hidden = imported_types((t for _s, _e, t in own.imports), language, doc.data)
        # Nor the name an alias stands for, unless written too: ``import queue.Mailer as
        # QMailer`` is queue's Mailer, not the package's own Mailer.kt beside the document.
        # Only the wanted names': a search of the whole file each, at every request (a 10,000-line
        # module's aliases cost 15 ms a request).
        hidden |= {a for a in set(aliases.values()) & set(wanted) if not _used_outside_imports(doc.data, own, a)}
        beside = sibling_type_files(doc_path, [n for n in wanted if n not in hidden], language)
        pending = list(dict.fromkeys([*imported, *beside]))
        # A file's default bound to a wanted name may be another's, passed on (``export {
        # default } from "./Button"`` in Button/index.ts): followed as a name.
        follow = [*wanted, "default"] if any(b in wanted for b in own.default_imports) else wanted
        reexports = ReExportFollower(indexer, doc_path, follow, roots, req.exclude, req.deadline, MAX_IMPORTED_FILES)
        for path in pending:  # grows: a barrel's files defining the wanted names are read after it
            if time.monotonic() > req.deadline:
                # Files left unread: not the whole context (kept as if it were, it was reused
                # for its while without the definitions the box had no time for).
                req.cut_short = True
                break
            real = req.readable(path, roots)
            if real is None:
                continue
            # A file open in the editor is its buffer; the copy on disk may be older, and sent
            # with it the model saw two signatures. One of the other documents above is read
            # already; one open longer ago (past the few most recent) was neither read nor
            # sent: a module the user had open lost its definitions to having many tabs.
            open_doc = req.open_document(path, real)
            if open_doc is not None and (open_doc is doc or open_doc in req.other_docs):
                if open_doc is not doc and (idx := indexer.for_document(open_doc, deadline=req.deadline, other=True)) is not None:
                    by_path[path] = idx
                    # A barrel open in a tab (``index.ts``, a package's ``__init__.py``) passes
                    # names on all the same: left unfollowed, its names had no definition.
                    reexports.extend(pending, path, idx)
                continue
            if open_doc is not None:
                idx = indexer.for_document(open_doc, deadline=req.deadline, other=True)
                if idx is not None:
                    from_docs[id(idx)] = (open_doc.uri, idx.edit_count)
            else:
                idx = indexer.for_file(real, deadline=req.deadline, language=doc.language)
            if idx is not None:
                indexes.append(idx)
                by_path[path] = idx
                reexports.extend(pending, path, idx)
        # `export { a as b }` in a barrel: `b` is defined as `a`, when the document imports `b`
        # (a member `reader.b(` is not the barrel's).
        renamed = {b: a for b, a in reexports.aliases.items() if b in own.import_words}
        # `import fmt from "./format"`: `fmt` is defined as the file's default export,
        # `formatDate` (a name bound otherwise brought nothing of it).
        for bound, source in own.default_imports.items():
            if bound in wanted and bound not in aliases:
                for path in resolve_local_imports_cached([source], doc_path, roots, language, rules):
                    exported = by_path[path].default_export if path in by_path else None
                    passed_on = [by_path[p].default_export for p in reexports.default_of.get(path, ()) if p in by_path]
                    exported = next(filter(None, passed_on), None) or exported
                    if exported is not None and exported != bound:
                        renamed.setdefault(bound, exported)
        # ``export { default as PrimaryButton } from "./Button"`` in a barrel: ``PrimaryButton``
        # is defined as Button.tsx's default export, ``function Button``.
        for bound, targets in reexports.defaults.items():
            if bound in wanted and bound not in aliases and bound in own.import_words:
                exported = next((e for p in targets if p in by_path and (e := by_path[p].default_export)), None)
                if exported is not None and exported != bound:
                    renamed.setdefault(bound, exported)
        if renamed:
            looked_up = _looked_up(names, {**renamed, **aliases})
        found_by_name, imported_found = found_in_workspace(indexer, req, own, indexes, looked_up, window, doc_path, roots)
        typed, at_cursor = receivers_members(indexer, req, own, indexes, looked_up[:MAX_NAMES], window, doc_path, roots)
        # ``conn.|``'s class, or the class the cursor is in (``self.|``: the class is in view,
        # what it inherits is not): the classes it inherits from, first at such a dot, else
        # where places are left.
        inheriting, bases_first = at_cursor, bool(at_cursor)
        around = class_around(language, doc.tree, doc.data, req.offset) if language and doc.tree and not at_cursor else None
        if around is not None:
            inheriting = [(d, own) for d in own.definitions.get(around[0], ()) if d.kind == "class"]
            bases_first = around[1]
        bases = bases_at_cursor(indexer, req, own, indexes, inheriting, doc_path, roots)
        if around is not None:
            # In the class or a subclass: its outline's and its bases' ``_helper``s are the
            # code's own to call (``self._``), left out for an importer.
            insiders = {around[0], *(d.name for group in bases for d, _ in group)}
        if around is not None and around[1] and bases:
            # ``self.|``: after its bases, the members of theirs the file uses (their outlines
            # are cut before most of a long class's).
            bases += used_inherited(indexer, req, own, indexes, around[0], doc_path, roots)
        # ``store.|`` of a module imported whole: its outline, as a class's receiver's class.
        written = module_written(own, req.member, req.doc)
        outline = [] if at_cursor else _module_at_cursor(indexer, req, own, by_path, written, doc_path, roots, language, rules)
        at_cursor = at_cursor or outline
        # ``retry_|``: the names it may become, nearest of all (not at a receiver whose class
        # is sent: its members are the class's; nor at a module's dot: its outline, or a
        # library's, ``json.du|``, whose members are no workspace names).
        others = [idx for idx in indexes if idx is not own]
        req.known_names = sorted_definitions(others)
        req.known_members = sorted_definitions(others, members=True)
        # (A default import's dot is a module's where it is a CommonJS module's, outlined.)
        at_module = written is not None and (written in own.modules or bool(outline))
        req.members_sent = bool(at_cursor) or at_module
        half_typed = prefix_looked_up(req.doc, req.prefix, own, written, members_sent=req.members_sent)
        prefixed = prefixed_names(req, own, others, looked_up, half_typed)
        if prefixed:
            more, _ = found_in_workspace(indexer, req, own, indexes, prefixed, window, doc_path, roots, prefixed=True)
            if req.prefix is not None and req.prefix.members_only:  # (the symbol table's: of any kind)
                more = members_defined(more)
                read = [own, *others] if own is not None else others
                prefixed = [n for n in prefixed if n in more or members_defined({n: read})]
            found_by_name.update(more)
            imported_found |= set(more)
            looked_up = [*prefixed, *looked_up]
    else:
        found_by_name, imported_found, typed, at_cursor, bases, bases_first = {}, set(), {}, [], [], False
        local = set()
        # The imports not even looked at, the time box over: not the whole context.
        req.cut_short = own is not None and doc_path is not None
    chosen, unused = _chosen_definitions(
        req,
        own,
        indexes,
        from_docs,
        pending,
        window,
        looked_up,
        max_snippets + max_signatures,
        found_by_name,
        imported_found,
        local,
        typed,
        at_cursor,
        bases,
        bases_first,
    )
    # ``self._|``, ``obj._|``: a private member is what is typed, in any class's outline.
    # (Not ``req.prefix``: a word of one character is looked up by no prefix.)
    typed_private = typed_word(doc.data, req.offset)[0].startswith(("_", "#"))

    def add_definition(d: Definition, idx: FileIndex, rank: int, after_edits: int) -> None:
        source, signature = from_docs.get(id(idx)), d.signature
        disk = idx.disk if source is None else None
        if len(snippets) - signatures < max_snippets:
            text = d.private_text if d.private_text and (typed_private or d.name in insiders) else d.text
            short = signature if signature != text else None
            add(Snippet(d.path, text, "definition", d.start_line, source, rank, short, disk, d.shorter, d.read_from))
        else:
            # After the recent edits: a signature is a name's arguments, an edit what the user
            # is doing.
            add(Snippet(d.path, signature, "signature", d.start_line, source, rank + after_edits, disk=disk, read_from=d.read_from))

    after_edits = max_snippets + 2
    for rank, (d, idx) in enumerate(chosen):
        add_definition(d, idx, rank, after_edits)
    # The newest regions, each once: counted before, the first three entries (three keys typed
    # in one file, or files closed or excluded since) left out the edit just made in another.
    regions: list[tuple[str, int, int]] = []
    for uri, offset in req.recent_edits:
        if len(regions) >= MAX_RECENT_EDITS:
            break
        other = next((o for o in req.other_docs if o.uri == uri), None)
        if other is None or other.uri == doc.uri or not req.sendable(uri):
            continue
        line = other.line_at(offset)
        lo, hi = max(0, line - RECENT_EDIT_LINES[0]), line + RECENT_EDIT_LINES[1]
        # Lines a newer region shows already are not sent twice.
        shown = False
        for u, a, b in regions:
            if u == uri and a <= hi and lo <= b:
                if a <= line <= b:
                    shown = True
                elif b < line:
                    lo = b + 1
                else:
                    hi = a - 1
        if shown or lo > hi:
            continue
        start, end = other.line_start(lo), other.line_end(hi)
        if end - start > SEND_MAX_BYTES:
            continue
        text = other.data[start:end].decode("utf-8", "replace")
        if text.strip():
            regions.append((uri, lo, hi))
            lead_start = max(other.line_start(max(0, lo - RECENT_EDIT_LINES[0])), start - LEAD_MAX_CHARS)
            lead = other.data[lead_start:start].decode("utf-8", "ignore")  # a character cut in two is no text
            add(
                Snippet(
                    display_path(uri, indexer.roots), text, "recent-edit", lo, (other.uri, other.edit_count),
                    max_snippets + 1, lead=lead,
                )
            )
    # A guess: after the recent edits, whole while places are left.
    for rank, (d, idx) in enumerate(unused, start=len(chosen) + after_edits):
        add_definition(d, idx, rank, 0)
    # Deterministic order keeps the prompt's head byte-identical across keystrokes (prefix cache).
    return sorted(snippets, key=Snippet.sort_key)


def _module_at_cursor(
    indexer: Indexer,
    req: ContextRequest,
    own: FileIndex,
    by_path: dict[Path, FileIndex],
    written: str | None,
    doc_path: Path,
    roots: list[Path],
    language: str | None,
    rules: ImportRules | None,
) -> list[tuple[Definition, FileIndex]]:
    """The outline of the module imported whole whose dot the cursor is after (``store.|``,
    ``written``: module_outline.module_written's), from its files read among the document's
    imports (or read here: ``import a.b.c`` reads ``a/b/c.py``, and ``a.b.|`` is
    ``a/b/__init__.py``'s), with its first file's index."""
    if written is None:
        return []
    paths = module_files(own, written, doc_path, roots, language, rules, req.deadline)
    if paths == [doc_path]:  # a Lua table of the document's own (``M.``)
        outline = module_outline(written, [own], language, table=written)
        return [(outline, own)] if outline is not None else []
    indexes = [idx for p in paths if (idx := by_path.get(p) or _module_index(indexer, req, p, roots)) is not None]
    if written in own.default_imports and written not in own.modules and not commonjs(indexes):
        return []  # an ES module's default
    outline = module_outline(written, indexes, language)
    return [(outline, indexes[0])] if outline is not None else []


def _used_outside_imports(data: bytes, own: FileIndex, name: str) -> bool:
    """Whether the document uses ``name`` outside its import statements (a file's few)."""
    word = name.encode()
    at = 0
    for start, end, _text in own.imports:
        if has_word(data, word, at, start):
            return True
        at = max(at, end)
    return has_word(data, word, at)


def _module_index(indexer: Indexer, req: ContextRequest, path: Path, roots: list[Path]) -> FileIndex | None:
    """The index of a module's file the imports did not read: its buffer's if open."""
    real = req.readable(path, roots)
    if real is None:
        return None
    if (open_doc := req.open_document(path, real)) is not None:
        return indexer.for_document(open_doc, deadline=req.deadline, other=True)
    return indexer.for_file(real, deadline=req.deadline, language=req.doc.language)


def _chosen_definitions(
    req: ContextRequest,
    own: FileIndex | None,
    indexes: list[FileIndex],
    from_docs: dict[int, tuple[str, int]],
    imported: list[Path],
    window: tuple[int, int],
    names: list[str],
    places: int,
    found_by_name: dict[str, list[FileIndex]],
    imported_found: set[str],
    local: set[str],
    typed: dict[str, list[tuple[Definition, FileIndex]]],
    at_cursor: list[tuple[Definition, FileIndex]],
    bases: list[list[tuple[Definition, FileIndex]]],
    bases_first: bool,
) -> tuple[list[tuple[Definition, FileIndex]], list[tuple[Definition, FileIndex]]]:
    """The definitions to send, best first: every name's best, nearest name first (imported names
    used beyond ``names_near``'s span after the others, then names found only through the
    workspace's symbols, except imported ones, which take their own place), then a name's
    second, likewise; ``places`` of them at most, whole or signatures. Then, apart, those of
    the names imported and not used yet. ``names`` are those to look up (``_looked_up``),
    nearest first; a member whose receiver's class is known has that class's definitions
    (``typed``, see ``receivers_members``) in place of the first two found by its name, and the
    class of the receiver the cursor is after (``at_cursor``) comes first; the classes it (or
    the class the cursor is in) inherits from (``bases``), nearest first, come after it at such
    a dot or a bare ``self.|`` (``bases_first``), else after the names near the cursor."""
    doc = req.doc

    def in_view(d: Definition) -> bool:
        """Whether the model sees the document's definition ``d`` without a snippet: in the
        window, around the cursor (``req.defined_here``), or an import's binding
        (``const debug = require('./debug')``), which the prompt's head sends with the
        file's other imports above the window."""
        if window[0] <= doc.line_start(d.start_line) < window[1]:
            return True
        first = d.text.partition("\n")[0]
        if (d.name, first) in req.defined_here:
            return True
        return bool(first) and own is not None and any(text.startswith(first) and d.name in text for _s, _e, text in own.imports)

    tiers = _tiers(indexes, own, from_docs, imported)
    ordered = sorted(indexes, key=lambda idx: tiers[id(idx)])
    chosen: list[_Candidates] = []
    # Past a few names more than there are places, a name's definition could only take the
    # place of a duplicate: the rest (most of them locals, with no definition) are not looked at.
    most = min(MAX_NAMES, places + 4)
    # The document's own index is rebuilt as it is edited; the others' names are kept together.
    elsewhere = _defined_in([idx for idx in ordered if idx is not own])
    own_names = own.definitions if own is not None else {}
    # An attribute the document's classes assign or declare themselves is theirs: the imported
    # files' fields of that name were another class's (mobx's ``this.name_`` brought
    # ComputedValue's ``name_: string`` through the barrel).
    attributes = _own_attributes(own, doc.data, doc.language.name) if own is not None and doc.language else set()
    import_words = own.import_words if own is not None else {}
    # ``conn.|``: the member to be typed is one of its class's, the nearest name of all.
    receiver = _candidates_among(at_cursor[0][0].name, at_cursor, own, in_view) if at_cursor else None
    if receiver is not None:
        chosen.append(receiver)
    # ``self.|``: the members it inherits are as likely as its own (which are in view).
    inherited = [c for pairs in bases if (c := _candidates_among(pairs[0][0].name, pairs, own, in_view)) is not None]
    if bases_first:
        chosen += inherited
    taken_classes = {c.name for c in chosen}
    for name in names:
        if name in taken_classes:
            continue
        if name in typed:
            found = _candidates_among(name, typed[name], own, in_view)
            if found is not None:
                chosen.append(found)
                if len(chosen) >= most:
                    break
            continue
        # Only as a member (``this.name_``): ``this.createStore = createStore`` keeps the
        # imported function's definition for ``createStore(``.
        if name in attributes and name not in own_names and name not in import_words and _used_as_member(doc.data, name, *window):
            continue
        if name in own_names or name in elsewhere:
            found = _candidates(name, ordered, own, in_view)
        elif name in imported_found:
            found = _candidates(name, found_by_name[name], None, in_view)
        else:
            continue  # most names near the cursor: locals, parameters, builtins
        if found is not None:
            chosen.append(found)
            if len(chosen) >= most:
                break
    from_imports = [idx for idx in ordered if tiers[id(idx)] == 1]
    if own is not None and from_imports and len(chosen) < min(places, most):
        for name in _farther_imported(own, doc.data, req.offset, window, set(names), from_imports, local):
            found = _candidates(name, ordered, own, in_view)
            if found is not None and len(chosen) < most:
                chosen.append(found)
    # After every name in use (and their second definitions), one definition each.
    unused: list[_Candidates] = []
    if own is not None and from_imports and len(chosen) < min(places, most):
        taken = {c.name for c in chosen}
        for name in _unused_imports(own, doc.data, from_imports):
            found = _candidates(name, ordered, own, in_view) if name not in taken else None
            if found is not None and len(chosen) + len(unused) < most:
                unused.append(found)
    for name, files in found_by_name.items():
        if name in imported_found or name in typed:
            continue
        found = _candidates(name, files, None, in_view)
        if found is not None and len(chosen) < most:
            chosen.append(found)
    # The types a function's signature names, from the file that defines it: `function
    # Button(props: ButtonProps)` and `def create_user(data: UserCreate)` told nothing of the
    # props or fields the call was to pass.
    taken = {c.name for c in chosen}
    for c in list(chosen):
        d, idx = c.definitions[0] if c.definitions else (None, None)
        if d is None or idx is own or d.kind != "function":  # (a method's is most often its class)
            continue
        for word in dict.fromkeys(_WORD.findall(d.text[: d.header_len] if d.header_len else d.text)):
            if len(chosen) >= min(places, most):
                break
            if word in taken or not any(t.kind in ("class", "type") for t in idx.definitions.get(word, ())):
                continue
            found = _candidates(word, [idx], None, in_view)
            if found is not None:
                taken.add(word)
                chosen.append(found)
    if not bases_first:  # (last: ranked after every name's, they take no name's room)
        taken = {c.name for c in chosen}
        chosen += [c for c in inherited if c.name not in taken][: max(0, min(places, most) - len(chosen))]
    out: list[tuple[Definition, FileIndex]] = []
    for place in range(MAX_PER_NAME):
        for c in chosen:
            at = place - c.in_view
            if 0 <= at < len(c.definitions):
                out.append(c.definitions[at])
    return out, [c.definitions[0] for c in unused]
