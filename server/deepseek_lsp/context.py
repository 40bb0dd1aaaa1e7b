"""What the model sees around the cursor, found with tree-sitter and the ``grammars/`` queries.

Everything here is a pure function of documents (and files read from disk), so it is tested on
data without a server. Work that does not change on every keystroke (a file's imports and
definitions) is indexed per document and reused while it is fresh; the index may be a few
keystrokes stale, which is fine for context and keeps a request well under a millisecond.
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
import time
from bisect import bisect_left
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import cast

import tree_sitter as ts
from cachetools import LRUCache, TTLCache

from . import privacy
from .documents import Document, DocumentStore, utf8_source
from .imports import (
    readable_import,
    resolution_pending,
    resolve_local_imports_cached,
    sibling_type_files,
)
from .languages import INDEX_KINDS, Language, LanguageRegistry
from .privacy import file_path, is_excluded, uri_to_path
from .reexports import ReExportFollower, ReExports, add_reexport
from .symbol_store import racy
from .workspace_symbols import WorkspaceSymbols, family, is_binary, short_name

log = logging.getLogger(__name__)

_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
INDEX_TTL_S = 2.0
#: A stale index whose rebuild would not fit the request's time box is still used; from this
#: age on it is also rebuilt while the user pauses (``Indexer.deferred_docs``).
INDEX_MAX_STALE_S = 30.0
MAX_DEFINITION_LINES = 12
MAX_DECORATOR_LINES = 3
#: A member's signature in a class's outline is cut to this many characters.
MAX_OUTLINE_LINE = 160
MIN_OUTLINE_MEMBERS = 3
#: Members of an outlined class that its signature shows.
SIGNATURE_MEMBERS = 4
#: Import sources resolved per file, and the files they name that are read (a Go package is
#: up to ``imports.MAX_PACKAGE_FILES`` files; the time box decides how many are indexed).
MAX_IMPORT_SOURCES = 96
MAX_IMPORTED_FILES = 48
MAX_FILE_BYTES = 400_000
#: Names whose definitions are sent, counted among those that have one somewhere: capped before
#: that, the local variables between the cursor and an imported function took every place.
MAX_NAMES = 24
#: Definitions sent per name, one in view in the document counting: five classes' ``parse``
#: and ``close`` took the eight places, and the function called two lines up had none.
MAX_PER_NAME = 2
#: Names looked up in the workspace's symbols (each reads up to two files): after those the
#: document's imports define, so they seldom get a place beyond the first few.
MAX_WORKSPACE_NAMES = 4
#: Definitions sent as their signature alone once ``gather_snippets``' whole ones are taken:
#: a quarter of the needs missed were names cut by the eight places or used farther up in the
#: window (tests/bench/bench_context_recall.py), and a signature is ~20 tokens.
MAX_SIGNATURES = 8
#: Imported names used in the window beyond ``names_near``'s span that are looked for (a text
#: search each, ~1 µs a kilobyte).
MAX_FAR_IMPORTED = 32
#: Regions of other files recently edited that are sent, and the lines each shows around its
#: edit (before it, and from it on).
MAX_RECENT_EDITS = 3
RECENT_EDIT_LINES = (4, 5)


@dataclass(frozen=True)
class Definition:
    name: str
    kind: str  # "function", "class", …: the suffix of the @definition.* capture
    text: str  # the signature and a short body
    start_line: int
    path: str  # where it lives, for the snippet's label
    #: Characters of ``text`` before the body: the decorators and the signature (the first line
    #: for a definition without a body, such as a constant; an outlined class's first members).
    header_len: int = 0

    @property
    def signature(self) -> str:
        """The decorators and the signature, and ``…`` where the body was; a one-line
        definition whole (a tuple struct's fields are its body)."""
        whole = self.text.rstrip()
        header = self.text[: self.header_len].rstrip() if self.header_len else whole
        return whole if header == whole or "\n" not in whole else header + "\n…"


@dataclass
class FileIndex:
    """A file's imports and definitions, by name."""

    imports: list[tuple[int, int, str]] = field(default_factory=list)  # (start, end, statement)
    import_sources: list[str] = field(default_factory=list)
    #: ``pkg.mod`` for Python's ``from pkg import mod``: the name imported may be a module.
    submodule_sources: list[str] = field(default_factory=list)
    aliases: dict[str, str] = field(default_factory=dict)  # name bound -> name imported
    definitions: dict[str, list[Definition]] = field(default_factory=dict)
    #: What it passes on of other files' (a barrel's ``export * from``): see ``reexports``.
    reexports: ReExports | None = None
    #: JavaScript's and TypeScript's: the name bound to what a module exports as a whole
    #: (``import fmt from "./format"``, ``const LRU = require("./lru")``) -> its source.
    default_imports: dict[str, str] = field(default_factory=dict)
    #: The name of the definition the file exports as a whole (``export default function
    #: formatDate``, ``export default HttpClient;``, ``module.exports = LRUCache``).
    default_export: str | None = None
    built_at: float = 0.0
    edit_count: int = -1
    #: A file read from disk (``Indexer.for_file``): its path and its stamp (modification time,
    #: size) when read; None for an open document's.
    disk: tuple[str, tuple[int, int]] | None = None


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

    def sort_key(self) -> tuple[str, int, str]:
        return (self.path, self.line, self.kind)


@dataclass
class Scope:
    kind: str
    header: str
    start: int  # byte offsets of the whole scope
    body_start: int
    end: int
    body_is_empty: bool


def node_text(data: bytes, node: ts.Node) -> str:
    return data[node.start_byte : node.end_byte].decode("utf-8", "replace")


#: A definition the query found: its name, kind, node, body (if captured) and name's start byte.
_Found = tuple[str, str, ts.Node, "ts.Node | None", int]


def _captures_by_match(
    query: ts.Query, node: ts.Node, byte_range: tuple[int, int] | None = None, depth: int | None = None
) -> list[dict[str, list[ts.Node]]]:
    cursor = ts.QueryCursor(query)
    if byte_range is not None:
        cursor.set_byte_range(*byte_range)
    if depth is not None:
        cursor.set_max_start_depth(depth)
    return [m for _, m in cursor.matches(node)]


def _one(match: dict[str, list[ts.Node]], *names: str) -> tuple[str, ts.Node] | None:
    for name, nodes in match.items():
        if nodes and (name in names or any(name.startswith(n + ".") for n in names)):
            return name, nodes[0]
    return None


#: Node types of what stands above a definition and belongs to it: Python's and TypeScript's
#: decorators, Rust's attributes (``#[derive(Debug, Default)]`` says what a type can do; an
#: inner ``#![allow(...)]`` is its module's, another type).
_LEADING_TYPES = frozenset({"decorator", "attribute_item"})
#: Node types around a definition that give it its parameters: C++'s ``template <typename K,
#: typename V>`` (without it, ``LruCache`` was sent as a class of its own, and the model wrote
#: ``LruCache cache(10);``).
_TEMPLATE_TYPES = frozenset({"template_declaration"})


def _decorated_start(node: ts.Node, lang: Language, data: bytes) -> int:
    """Where ``node`` starts counting the decorators just above it (``@property``,
    ``@dataclass(frozen=True)``, Elixir's ``@spec``, Rust's ``#[derive(...)]``) and the template
    around it (C++'s ``template <typename T>``): they tell what a definition is, and the
    grammars put them outside it (Python's ``decorated_definition``, a TypeScript method's
    siblings, Elixir's module attributes)."""
    while node.parent is not None and node.parent.type in _TEMPLATE_TYPES:
        node = node.parent
    start, top = node.start_byte, node.start_point[0]
    lines = 0
    sibling = node.prev_named_sibling
    while sibling is not None and (
        sibling.type in _LEADING_TYPES
        or (sibling.end_point[0] >= top - 1 and lang.leads_definition(data[sibling.start_byte : sibling.end_byte]))
    ):
        # Only short ones, nearest first: 14 ``@click.option(...)`` lines filled a snippet
        # without its ``def``, and a 300-row ``@parametrize`` table became a scope header
        # too long for the prompt's head (which then lost its imports).
        lines += sibling.end_point[0] - sibling.start_point[0] + 1
        if lines > MAX_DECORATOR_LINES:
            break
        start, top = sibling.start_byte, sibling.start_point[0]
        sibling = sibling.prev_named_sibling
    return start


def _original_name(data: bytes, bound: ts.Node) -> str | None:
    """The name an import alias stands for: ``f`` of ``from m import f as g``, of
    ``import { f as g }`` and of ``const { f: g } = require(...)``; None for a plain name."""
    parent = bound.parent
    if parent is None:
        return None
    for alias_field, name_field in (("alias", "name"), ("value", "key")):
        original = parent.child_by_field_name(name_field)
        if parent.child_by_field_name(alias_field) == bound and original is not None:
            text = node_text(data, original)
            return text if _WORD.fullmatch(text) else None
    # A path renamed: Rust's ``use crate::store::MemoryBackend as Backend``, Kotlin's ``import
    # a.b.Inventory as Inv``, PHP's ``use App\Services\Mailer as M``: the path's last name
    # (``Backend`` was looked up as such, and its definition came last, as an unused import's).
    before = bound.prev_sibling
    path = before.prev_named_sibling if before is not None and before.type == "as" else None
    words = _WORD.findall(node_text(data, path)) if path is not None else []
    return words[-1] if words and words[-1] not in ("self", "super", "crate") else None


def _definition_text(
    data: bytes, node: ts.Node, lang: Language, body: ts.Node | None, kind: str, name_start: int
) -> tuple[str, int]:
    """The definition, cut to its first ``MAX_DEFINITION_LINES`` lines: the signature and the
    start of the body, lines whole (splicing the body's text after the signature glued its first
    statement to it, ``) -> dict:step_0 = 0``, without its indentation); and the length of its
    header: up to the body; without one, a function's whole text (an overload, an interface's
    method: all signature) or the definition up to the end of the line of its name (a
    constant, a field)."""
    start = _decorated_start(node, lang, data)
    text = data[start : node.end_byte].decode("utf-8", "replace")
    if body is not None and start <= body.start_byte <= node.end_byte:
        header_len = len(data[start : body.start_byte].decode("utf-8", "replace"))
    elif kind in ("function", "method"):
        header_len = len(text)
    else:
        # To the end of the name's line: the text may start with its decorators or a leading
        # comment (``#: seconds``), or, inside the node, annotations on lines of their own
        # (Java's ``@Id``, C#'s ``[Required]``, Swift's ``@Published``), which alone said
        # nothing: the signature was ``@Id`` and ``…``, without the field's type and name.
        line_end = data.find(b"\n", max(name_start, node.start_byte), node.end_byte)
        header_len = len(data[start : node.end_byte if line_end < 0 else line_end].decode("utf-8", "replace"))
    lines = text.splitlines()
    if len(lines) <= MAX_DEFINITION_LINES:
        return text, header_len
    cut = "\n".join([*lines[:MAX_DEFINITION_LINES], "…"])
    # Measured as the text is cut: joined with "\n" whatever its line ends (``\r\n``).
    return cut, min(len("\n".join(text[:header_len].splitlines())), len(cut))


def index_tree(lang: Language, tree: ts.Tree, data: bytes, path: str) -> FileIndex:
    index = FileIndex(built_at=time.monotonic())
    root = tree.root_node
    q_imports = lang.query("imports")
    if q_imports is not None:
        seen: set[int] = set()
        imported_from: dict[str, list[str]] = {}
        passed_on: list[tuple[str, str]] = []
        for match in _captures_by_match(q_imports, root):
            for local in match.get("import.reexport.local", []):
                exported = match.get("import.reexport.name", [local])[0]
                passed_on.append((node_text(data, local), node_text(data, exported)))
            stmt = match.get("import")
            if stmt and stmt[0].start_byte not in seen:
                seen.add(stmt[0].start_byte)
                index.imports.append((stmt[0].start_byte, stmt[0].end_byte, node_text(data, stmt[0])))
            # C's `<stdio.h>` keeps its brackets: a system header is not looked for beside the file.
            sources = [
                _source_text(src, _one_line(data, src)) for src in match.get("import.source", [])
            ]
            # A path from the importing file's folder (``require_relative "lib/cache"``, PHP's
            # ``__DIR__ . '/lib/db.php'``): spelled ``./`` as the resolution reads it.
            sources += [
                _relative(node_text(data, src).strip("\"'`<> ")) for src in match.get("import.source.relative", [])
            ]
            index.import_sources.extend(sources)
            if "import.reexport" in match and sources:
                bound = [(node_text(data, b), _original_name(data, b)) for b in match.get("import.name", [])]
                index.reexports = add_reexport(index.reexports, lang, path, sources, bound)
            for bound in match.get("import.name", []):
                if "import.reexport" not in match:
                    imported_from.setdefault(node_text(data, bound), []).extend(sources)
                original = _original_name(data, bound)
                if original is not None:
                    index.aliases[node_text(data, bound)] = original
                elif lang.name in _JS_FAMILY and sources and _binds_default(bound):
                    index.default_imports[node_text(data, bound)] = sources[0]
                if lang.name == "python" and stmt and stmt[0].type == "import_from_statement":
                    name = original or node_text(data, bound)
                    index.submodule_sources.extend(s + name if s.strip(".") == "" else f"{s}.{name}" for s in sources)
        # Imported, then passed on by name (``import { a } from "./a"; export { a }``,
        # ``const a = require("./a"); module.exports = { a }``): a barrel too.
        for local, exported in passed_on:
            if imported_from.get(local):
                # ``import Thing from "./button"; export { Thing as Widget }``: the file's default.
                original = "default" if local in index.default_imports else index.aliases.get(local, local)
                bound_as = [(exported, None if original == exported else original)]
                index.reexports = add_reexport(index.reexports, lang, path, imported_from[local], bound_as)
        index.imports.sort()
        # One entry per module, in order: a match per imported name repeated a module that
        # many times, and 16 names from one module took every place among those followed.
        index.import_sources = list(dict.fromkeys(index.import_sources))
    if lang.name in _JS_FAMILY:
        index.default_export = _default_export(root, data)
        # ``import Card from "./Card"; export default Card`` (a component folder's index.ts):
        # it passes on another file's default, as ``export { default } from "./Card"`` does.
        passed = index.default_imports.get(index.default_export or "")
        if passed is not None:
            index.reexports = add_reexport(index.reexports, lang, path, [passed], [("default", None)])
    q_defs = lang.query("definitions")
    if q_defs is not None:
        found_defs: list[_Found] = []
        for match in _captures_by_match(q_defs, root):
            found = _one(match, "definition")
            names = match.get("name")
            if found and names:
                capture, node = found
                body = (match.get("body") or [None])[0]
                name = node_text(data, names[0])
                for key in filter(None, (name, short_name(names[0], name))):
                    found_defs.append((key, capture.split(".", 1)[-1], node, body, names[0].start_byte))
        in_order = sorted(found_defs, key=lambda d: d[2].start_byte)
        starts = [d[2].start_byte for d in in_order]
        for name, kind, node, body, at in found_defs:
            text, header_len = _definition_text(data, node, lang, body, kind, at)
            if kind == "class" and body is not None and text.endswith("\n…"):
                header = text[:header_len].rstrip()
                summary = _docstring_summary(data, body)
                if summary is not None:
                    header += "\n" + summary  # what the class is for, before what it has
                outline = _outline(data, header, len(text), body, in_order, starts, lang)
                if outline is not None:
                    # Its signature: the header and its first members.
                    text = outline
                    header_len = len("\n".join(outline.splitlines()[: len(header.splitlines()) + SIGNATURE_MEMBERS]))
            index.definitions.setdefault(name, []).append(
                Definition(
                    name=name,
                    kind=kind,
                    text=text,
                    start_line=node.start_point[0],
                    path=path,
                    header_len=header_len,
                )
            )
    return index


_JS_FAMILY = frozenset({"javascript", "typescript", "tsx"})
_DEFAULT_EXPORT = re.compile(rb"^[ \t]*(?:export[ \t]+default\b|module\.exports[ \t]*=[^=])", re.M)


def _binds_default(bound: ts.Node) -> bool:
    """Whether an imported name is bound to a module's default export or to the module
    itself: ``import fmt from``, ``import x = require(...)``, ``const LRU = require(...)``."""
    parent = bound.parent
    if parent is None:
        return False
    return parent.type in ("import_clause", "import_require_clause") or (
        parent.type == "variable_declarator" and parent.child_by_field_name("name") == bound
    )


def _default_export(root: ts.Node, data: bytes) -> str | None:
    """The name of what a JavaScript or TypeScript file exports by default: the function or
    class declared ``export default``, the name after ``export default``, or the one assigned to
    ``module.exports`` (the last one, as at run time); None for an anonymous one."""
    found: str | None = None
    for m in _DEFAULT_EXPORT.finditer(data):
        node: ts.Node | None = root.descendant_for_byte_range(m.end() - 1, m.end() - 1)
        while node is not None and node.parent is not None and node.parent != root:
            node = node.parent
        if node is None or node.parent != root or node.type not in ("export_statement", "expression_statement"):
            continue  # (the words in a string or comment)
        if node.type == "expression_statement" and node.named_child_count:
            node = node.named_children[0]  # the assignment to module.exports
            value = node.child_by_field_name("right") if node.type == "assignment_expression" else None
        else:
            value = node.child_by_field_name("declaration") or node.child_by_field_name("value")
        if value is not None and value.type != "identifier":
            value = value.child_by_field_name("name")  # a class or function: its name, if any
        text = node_text(data, value) if value is not None else ""
        found = text if _WORD.fullmatch(text) else None
    return found


def _without_comments(data: bytes, node: ts.Node, start: int, stop: int) -> str:
    """``data[start:stop]`` (within ``node``) without the comments the tree finds in it: a
    parameter's trailing ``# the first`` swallowed the rest of a signature made one line."""
    cuts: list[tuple[int, int]] = []
    stack = [node]
    while stack:
        for child in stack.pop().children:
            if child.start_byte >= stop or child.end_byte <= start:
                continue
            if "comment" in child.type:
                cuts.append((child.start_byte, child.end_byte))
            elif child.child_count:
                stack.append(child)
    pieces, at = [], start
    for a, b in sorted(cuts):
        pieces.append(data[at:a])
        at = max(at, b)
    pieces.append(data[at:stop])
    return b"".join(pieces).decode("utf-8", "replace")


def _outline(
    data: bytes, header: str, max_size: int, body: ts.Node, defs: list[_Found], starts: list[int], lang: Language
) -> str | None:
    """A class too long to send whole as its header and its members' signatures, a line each
    (special methods but the constructor left out), ``max_size`` characters at most: its first
    lines were often a docstring, and the methods a call needs came after the cut. ``defs`` are
    the file's definitions in order (``starts`` their start bytes). None with fewer than
    ``MIN_OUTLINE_MEMBERS`` members found (Go's methods are outside their struct)."""
    lines = header.splitlines()
    size = len(header)
    end = -1
    members = 0
    for name, _kind, node, member_body, name_start in defs[bisect_left(starts, body.start_byte) :]:
        if node.start_byte >= body.end_byte:
            break
        # The class's own: not inside a member listed (a nested class's), nor deeper in its body
        # (a Java enum constant's methods, Ruby's ``class << self``).
        parent = node.parent
        if node.start_byte < end or parent is None or body not in (parent, parent.parent):
            continue
        end = node.end_byte
        if _is_dunder(name) and name not in ("__init__", "__call__"):
            continue
        start = _decorated_start(node, lang, data)  # ``@property``: no call
        stop = member_body.start_byte if member_body is not None and member_body.start_byte > start else node.end_byte
        signature = " ".join(_without_comments(data, node.parent, start, stop).split())
        if len(signature) > MAX_OUTLINE_LINE:
            # Long annotations (``@Operation(summary = …)``) hid the name: from its line.
            start = max(start, data.rfind(b"\n", 0, name_start) + 1)
            signature = " ".join(_without_comments(data, node.parent, start, stop).split())
        if len(signature) > MAX_OUTLINE_LINE:
            signature = signature[:MAX_OUTLINE_LINE] + " …"
        elif member_body is not None:
            signature += " …"
        line = " " * node.start_point[1] + signature
        # No longer than the lines it stands for: rxjs's Observable, twelve lines of overloads,
        # took the whole budget of the extra context, and seven snippets went.
        if len(lines) >= MAX_DEFINITION_LINES or size + len(line) > max_size:
            lines.append("…")
            break
        lines.append(line)
        size += len(line) + 1
        members += 1
    # With a member or two, the class's first lines show them, bodies and all.
    return "\n".join(lines) if members >= MIN_OUTLINE_MEMBERS else None


def _docstring_summary(data: bytes, body: ts.Node) -> str | None:
    """The first line of a Python class's docstring at its indentation, ``…`` for the rest;
    None without one."""
    first = body.named_children[0] if body.named_children else None
    if first is None or first.type != "expression_statement" or first.named_child_count != 1:
        return None
    string = first.named_children[0]
    if string.type != "string":
        return None
    raw = data[string.start_byte : string.end_byte].decode("utf-8", "replace").lstrip("rRbBuUfF")
    quote = raw[:3] if raw[:3] in ('"""', "'''") else raw[:1]
    inner = raw[len(quote) : len(raw) - len(quote) if raw.endswith(quote) and len(raw) > len(quote) else len(raw)]
    lines = [line.strip() for line in inner.strip().splitlines()]
    if not lines or not lines[0]:
        return None
    more = " …" if len(lines) > 1 else ""
    return " " * first.start_point[1] + quote + lines[0][:MAX_OUTLINE_LINE] + more + quote


def _one_line(data: bytes, node: ts.Node) -> str:
    """The node's text, on one line without its comments when it spans lines: a Rust use tree
    (``crate::{\n    config::Settings, // the app's\n    store,\n}``) is one source, and no
    path holds a line break (it read as no path, and nothing it names was followed)."""
    if node.start_point[0] == node.end_point[0]:
        return node_text(data, node)
    return " ".join(_without_comments(data, node, node.start_byte, node.end_byte).split())


def _source_text(node: ts.Node, text: str) -> str:
    stripped = text.strip("\"'`<> ")
    return f"<{stripped}>" if node.type == "system_lib_string" else stripped


def _relative(path: str) -> str:
    return path if path.startswith(("./", "../")) else "./" + path.lstrip("/")


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

    def forget(self, uri: str) -> None:
        self._docs.pop(uri, None)
        self.deferred_docs.pop(uri, None)

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
        index = index_tree(lang, lang.parser().parse(source), source, label_path(str(path), self._roots))
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
        if s.disk is None or s.disk[0] in seen:
            continue
        seen.add(s.disk[0])
        try:
            st = os.stat(s.disk[0])
        except OSError:
            return False
        if (st.st_mtime_ns, st.st_size) != s.disk[1]:
            return False
    return True


def _digest(data: bytes) -> bytes:
    return hashlib.blake2b(data, digest_size=16).digest()


def display_path(uri: str, roots: Iterable[Path] = ()) -> str:
    """The file's label in a prompt: its path from the workspace folder holding it
    (``src/api/index.ts``), as Copilot labels its snippets, and the file name alone outside
    every folder. A project has many ``index.ts``, ``__init__.py`` and ``utils.py``: by name
    alone the model could not tell whose definitions it was shown."""
    return label_path(uri_to_path(uri), roots)


def label_path(path: str, roots: Iterable[Path] = ()) -> str:
    # On Windows a ``Path`` is spelled with backslashes, a URI's path with slashes, and a file
    # read for context is the resolved one (``C:``, the names' case on disk) under a folder
    # VS Code spells ``c:``: the label was the whole path, the user's name in it, not
    # ``src/app.py``. Labels there use slashes, as everywhere (the model reads one spelling).
    windows, any_case = privacy.WINDOWS, privacy.CASE_INSENSITIVE_FS
    if windows:
        path = path.replace("\\", "/")
    best = ""
    for root in roots:
        prefix = (str(root).replace("\\", "/") if windows else str(root)).rstrip("/") + "/"
        head = path[: len(prefix)]
        if (head == prefix or (any_case and head.lower() == prefix.lower())) and len(prefix) > len(best):
            best = prefix
    if best:
        return path[len(best) :]
    return path.rsplit("/", 1)[-1] if "/" in path else path


_OPENERS = {"(": ")", "[": "]", "{": "}"}
_CLOSERS = {")": "(", "]": "[", "}": "{"}


def bracket_scan_start(
    tree: ts.Tree, data: bytes, offset: int, lowest: int, max_back: int = 4096
) -> tuple[int, list[str]] | None:
    """Where a text scan for the brackets open at ``offset`` may start, and the brackets open
    there (outermost first), read off the tree; None when the tree cannot tell for sure.

    The start is the outermost syntax node around the cursor that begins a line at or after
    ``lowest`` and within ``max_back`` bytes: outside any string or comment by construction, so
    the scanner (``completion.postprocess``) reads a few hundred bytes instead of the whole
    prompt window (~1 ms a request on a large file, ``tests/bench/bench_overhead.py``).
    """
    root = tree.root_node
    if root.is_error:
        # The brackets right under the root are not looked at: an ERROR root (a test file's
        # `describe('sum', () => {` whose `});` is not typed yet) holds open ones.
        return None
    lowest = max(lowest, offset - max_back)
    node: ts.Node | None = root.descendant_for_byte_range(offset, offset)
    best: ts.Node | None = None
    while node is not None and node != root and node.start_byte >= lowest:
        start = node.start_byte
        line_start = data.rfind(b"\n", 0, start) + 1
        if node.is_named and not node.is_error and start < offset and not data[line_start:start].strip():
            best = node
        node = node.parent
    if best is None:
        return None
    opens: list[str] = []
    child: ts.Node = best
    parent = best.parent
    while parent is not None and parent != root:
        kind = parent.type
        if parent.is_error or "string" in kind or "comment" in kind or "template" in kind:
            return None
        before: list[str] = []
        sibling = child.prev_sibling
        while sibling is not None:
            if sibling.has_error:
                return None
            if sibling.type in _OPENERS or sibling.type in _CLOSERS:
                before.append(sibling.type)
            sibling = sibling.prev_sibling
        local: list[str] = []
        for bracket in reversed(before):
            if bracket in _OPENERS:
                local.append(bracket)
            elif local and local[-1] == _CLOSERS[bracket]:
                local.pop()
            else:
                return None
        opens[:0] = local
        child, parent = parent, parent.parent
    return best.start_byte, opens


def past_string_or_comment(tree: ts.Tree, start: int, offset: int) -> int:
    """``start``, or the end of the string or comment the tree has around it when that ends
    before ``offset``: where a text scan for brackets may start in code, when
    :func:`bracket_scan_start` cannot tell (a syntax error at the cursor) and the prompt window
    starts inside a docstring, whose text the scanner would read as code and the code after it
    as a string."""
    node: ts.Node | None = tree.root_node.descendant_for_byte_range(start, start)
    end = start
    while node is not None:
        kind = node.type
        if node.start_byte < start < node.end_byte and ("string" in kind or "comment" in kind or "template" in kind):
            end = node.end_byte  # the outermost one: a string may hold an f-string's strings
        node = node.parent
    return end if end <= offset else start


def _is_statement(node: ts.Node) -> bool:
    """Whether a body's child is code the user wrote: not a comment (``is_extra``: the grammars
    name them ``comment``, ``line_comment``, ``block_comment``…), not an ERROR, and not a lone
    string (a docstring, a ``"use strict"``), which says what the body is to do rather than
    doing it: a function with only those is one to complete whole."""
    if not node.is_named or node.is_extra or node.type == "ERROR" or node.type.endswith("comment"):
        return False
    if node.type == "expression_statement" and node.named_child_count == 1:
        return node.named_children[0].type not in ("string", "concatenated_string")
    return True


def _after_comment(body: ts.Node) -> list[ts.Node]:
    """The statements after a body captured as its first node (shell's `then . (_) @body`)
    when that node is a comment: they are the body too. A clause (`else`) is not."""
    if not body.is_extra:
        return []
    out = []
    node = body.next_named_sibling
    while node is not None and not node.type.endswith("_clause"):
        out.append(node)
        node = node.next_named_sibling
    return out


def enclosing_scopes(lang: Language, tree: ts.Tree, data: bytes, offset: int) -> list[Scope]:
    """Scopes that contain ``offset``, outermost first."""
    query = lang.query("scopes")
    if query is None:
        return []
    node: ts.Node | None = tree.root_node.descendant_for_byte_range(offset, offset)
    chain: list[ts.Node] = []
    while node is not None:
        chain.append(node)
        node = node.parent
    scopes: list[Scope] = []
    for candidate in reversed(chain):
        for match in _captures_by_match(query, candidate, depth=0):
            found = _one(match, "scope")
            if not found or found[1].id != candidate.id:
                continue
            body = (match.get("body") or [None])[0]
            body_start = body.start_byte if body is not None else candidate.start_byte
            # The scope still starts at its own line: a window that shows it needs no header.
            start = _decorated_start(candidate, lang, data)
            raw_header = data[start:body_start].rstrip()
            # The header shown is the scope's own tokens before its body: not the comments
            # between them, nor an ERROR. While the line being typed breaks the tree (`if x`
            # before its `:`, an unclosed bracket or string), a class's "body" may be found at
            # that line, all above it in an ERROR, and its header was the whole class (or, where
            # comments came before its first statement, it shrank to `class X:` and grew back
            # when the line mended): the prompt's head changed on those keystrokes, a miss of
            # DeepSeek's prefix cache for the whole prompt.
            header_end = candidate.start_byte
            for child in candidate.children:
                if child.start_byte >= body_start or child.is_error:
                    break
                if "comment" not in child.type:
                    header_end = min(child.end_byte, body_start)
            header = data[start:header_end].rstrip().decode("utf-8", "replace")
            empty = body is None or not any(_is_statement(c) for c in (*body.children, *_after_comment(body)))
            # Judged only with the cursor where the body is written: past the header and not
            # past the body (an `if`'s empty `{}` says nothing of a cursor in its `else`, nor a
            # function's body of a cursor in a default parameter's arrow function).
            # A keyword captured as the body (shell's `then`, Ruby's `end`) is no range.
            if empty and body is not None and body.is_named and not start + len(raw_header) <= offset <= body.end_byte:
                empty = False
            scopes.append(
                Scope(found[0].split(".", 1)[-1], header, candidate.start_byte, body_start, candidate.end_byte, empty)
            )
            break
    return scopes


def names_near(
    lang: Language, tree: ts.Tree, data: bytes, offset: int, span: int = 1500, reach: int | None = None
) -> list[str]:
    """Identifiers used around the cursor, nearest first; with ``reach`` (the start of the
    function the cursor is in), also those from there on, farther than ``span``: the
    parameters' types and what the function set up first are what its later lines use."""
    query = lang.query("identifiers")
    if query is None:
        text = data[max(0, offset - span) : offset + span // 3].decode("utf-8", "replace")
        return list(dict.fromkeys(reversed(_WORD.findall(text))))
    lo, hi = max(0, min(offset - span, offset if reach is None else reach)), min(len(data), offset + span // 3)
    # Bytes, decoded once per distinct name: ~90 names a request, most of them repeats.
    found: dict[bytes, int] = {}
    cursor = ts.QueryCursor(query)
    cursor.set_byte_range(lo, hi)
    for name, nodes in cursor.captures(tree.root_node).items():
        if not name.startswith("reference"):
            continue
        for node in nodes:
            start = node.start_byte
            if lo <= start < hi:
                word = data[start : node.end_byte]
                dist = offset - start if start <= offset else start - offset
                known = found.get(word)
                if known is None or dist < known:
                    found[word] = dist
    return [w.decode("utf-8", "replace") for w in sorted(found, key=found.__getitem__)]


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

    def open_document(self, *paths: Path) -> Document | None:
        """The document open in the editor for the file at one of ``paths``, by its path: not
        by ``Path.as_uri()``, which spells ``(``, ``+``, ``@`` otherwise than Neovim does."""
        if self.open_uris is None:
            return None
        for path in paths:
            if (doc := self.open_uris.by_path(str(path))) is not None:
                return doc
        return None


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


def _is_dunder(name: str) -> bool:
    """``__init__``, ``__call__``…: every class has its own, so looked up by name they brought
    every class's (a site's eight places all went to constructors). A constructor comes with its
    class, which is looked up when its name is the one used (``Foo(``)."""
    return len(name) > 4 and name.startswith("__") and name.endswith("__")


def _looked_up(names: Iterable[str], aliases: dict[str, str]) -> list[str]:
    """The names worth a lookup, in order, each followed by the name it aliases (``fp`` of
    ``import { formatPrice as fp }`` is defined as formatPrice)."""
    kept = [n for n in names if len(n) > 1 and not _is_dunder(n)]
    if not aliases:
        return kept
    return list(dict.fromkeys(w for n in kept for w in (n, aliases.get(n)) if w))


#: Work done over a list of indexes, kept until one of them is rebuilt: by the ids of the
#: indexes, the indexes themselves (an id may be reused once an index is let go) and the result.
_over_indexes: LRUCache[tuple[str, tuple[int, ...]], tuple[list[FileIndex], object]] = LRUCache(maxsize=64)


def _cached_over(what: str, indexes: list[FileIndex], work: Callable[[], object]) -> object:
    key = (what, tuple(map(id, indexes)))
    hit = _over_indexes.get(key)
    if hit is None or any(a is not b for a, b in zip(hit[0], indexes, strict=True)):
        hit = _over_indexes[key] = (list(indexes), work())
    return hit[1]


def _imported_names(own: FileIndex, imported: list[FileIndex]) -> list[str]:
    """The names the document's import statements bind (all their words) that the files it
    imports define, in order."""

    def work() -> list[str]:
        return [w for w in _import_words(own) if any(w in idx.definitions for idx in imported)]

    return cast("list[str]", _cached_over("imported", [own, *imported], work))


def _import_words(own: FileIndex) -> dict[str, None]:
    """Every word of the document's import statements, in order."""
    return cast(
        "dict[str, None]",
        _cached_over("import words", [own], lambda: dict.fromkeys(w for _s, _e, t in own.imports for w in _WORD.findall(t))),
    )


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
    own: FileIndex, data: bytes, offset: int, window: tuple[int, int], near: set[str], imported: list[FileIndex]
) -> list[str]:
    """Names the document imports from the files of ``imported`` and uses in ``window`` beyond
    ``names_near``'s span, nearest first: a function imported and called 24 lines up is in the
    prompt's window, its definition was not (61 misses on 16 projects). Widening names_near's
    span instead costs its tree query time in proportion (0.2 ms a 2 kB span)."""
    words = [w for w in _imported_names(own, imported) if w not in near][:MAX_FAR_IMPORTED]
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
_OWN_ATTRIBUTE = re.compile(rb"(?:\b(?:self|this)\.|@)([A-Za-z_][A-Za-z0-9_]*)\s*(?::[^=\n]*)?=(?!=)")
#: A member declared with an access modifier and no parameter list where a class's parameters
#: declare members: TypeScript's constructor parameter properties (``constructor(public name_ =
#: "")``), Kotlin's and Scala's (``class Store(private val cache: Cache)``), which no definition
#: captures. Not in other languages: a C++ base clause (``: public Base,``) reads the same.
_OWN_DECLARED = re.compile(
    rb"\b(?:public|private|protected)\s+(?:(?:readonly|override|static|lateinit|val|var)\s+)*([A-Za-z_$][\w$]*)\s*[?!]?\s*(?::(?!:)|[=,)])"
)
_DECLARES_MEMBERS = frozenset({"typescript", "tsx", "kotlin", "scala"})


def _attributes_in(data: bytes, language: str) -> set[str]:
    found = {m.decode() for m in _OWN_ATTRIBUTE.findall(data)}
    if language in _DECLARES_MEMBERS:
        found.update(m.decode() for m in _OWN_DECLARED.findall(data))
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
) -> tuple[dict[str, list[FileIndex]], set[str]]:
    """By name, nearest first, the indexes of the workspace files that define the names used as
    members (``self.protocol.notify``) or imported (through a path not followed) that nothing
    the document imports or has open defines, when one or two files define them; and which of
    them the document imports (no guess: mobx's files import everything from a barrel of 50
    ``export *``, more than are followed)."""
    symbols, doc = req.symbols, req.doc
    if symbols is None or not symbols.indexed or doc.language is None:
        return {}, set()
    known = _defined_in(indexes)
    attributes = _own_attributes(own, doc.data, doc.language.name)
    imported = _import_words(own)
    found: dict[str, list[FileIndex]] = {}
    guesses = 0  # members found, not imported names
    for name in names:
        if time.monotonic() > req.deadline:
            break
        if name in known or name in attributes:
            continue
        if name not in imported and (guesses >= MAX_WORKSPACE_NAMES or not _used_as_member(doc.data, name, *window)):
            continue
        for path in symbols.files_defining(name, doc.language.name):
            real = readable_import(path, roots, req.exclude) if path != doc_path else None
            if real is None:
                continue
            # A file open in the editor is its buffer, never the copy on disk (older, it had
            # the name the user just renamed away). Among the other documents, it was looked
            # in already (the name is not in it).
            open_doc = req.open_document(real, path)
            if open_doc is not None and (open_doc is doc or open_doc in req.other_docs):
                continue
            idx = (
                indexer.for_document(open_doc, deadline=req.deadline, other=True)
                if open_doc is not None
                else indexer.for_file(real, deadline=req.deadline, language=doc.language)
            )
            if idx is not None and name in idx.definitions:
                found.setdefault(name, []).append(idx)
        guesses += name in found and name not in imported
    return found, {name for name in found if name in imported}


@dataclass
class _Candidates:
    """A name's definitions worth sending, best first, and whether one is in view already."""

    name: str
    definitions: list[tuple[Definition, FileIndex]]
    in_view: bool


def _candidates(
    name: str, ordered: list[FileIndex], own: FileIndex | None, doc: Document, window: tuple[int, int]
) -> _Candidates | None:
    found: list[tuple[Definition, FileIndex]] = []
    texts: list[str] = []
    in_view = False
    for idx in ordered:  # the document's own first: whether one is in view is known after it
        if len(found) >= MAX_PER_NAME:
            break  # ``close`` has thirty definitions in asyncio's files
        for d in idx.definitions.get(name, ()):
            if idx is own and window[0] <= doc.line_start(d.start_line) < window[1]:
                in_view = True  # inside the cursor window: the model sees it
            elif d.text not in texts:
                texts.append(d.text)
                found.append((d, idx))
    wanted = MAX_PER_NAME - in_view
    return _Candidates(name, found[:wanted], in_view) if found and wanted > 0 else None


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
    outline holds ``DEFAULT_TIMEOUT = 50``, which is not the module's ``TIMEOUT = 5``)."""
    if "\n" in part:
        return part in text
    part = part.strip()
    return part in text and any(line.strip() == part for line in text.splitlines())


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
        if any(
            s.path == snippet.path and (snippet.kind == "signature" or s.kind != "signature") and _within(inner, s.text)
            for s in snippets
        ):
            return
        inside = [
            s
            for s in snippets
            if s.path == snippet.path
            and (snippet.kind != "signature" or s.kind == "signature")
            and _within(s.text.removesuffix("\n…"), snippet.text)
        ]
        if inside:
            signatures -= sum(s.kind == "signature" for s in inside)
            snippets[:] = [s for s in snippets if s not in inside]
            snippet = replace(snippet, rank=min(snippet.rank, *(s.rank for s in inside)))
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
        if other.uri != doc.uri and not is_excluded(other.uri, req.exclude) and _same_family(doc, other):
            idx = indexer.for_document(other, deadline=req.deadline, other=True)
            if idx is not None:
                indexes.append(idx)
                from_docs[id(idx)] = (other.uri, idx.edit_count)
    doc_path = file_path(doc.uri)
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
        pending = list(dict.fromkeys([*imported, *sibling_type_files(doc_path, wanted, language)]))
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
            real = readable_import(path, roots, req.exclude)
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
        renamed = {b: a for b, a in reexports.aliases.items() if b in _import_words(own)}
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
            if bound in wanted and bound not in aliases and bound in _import_words(own):
                exported = next((e for p in targets if p in by_path and (e := by_path[p].default_export)), None)
                if exported is not None and exported != bound:
                    renamed.setdefault(bound, exported)
        if renamed:
            looked_up = _looked_up(names, {**renamed, **aliases})
        found_by_name, imported_found = found_in_workspace(indexer, req, own, indexes, looked_up, window, doc_path, roots)
    else:
        found_by_name, imported_found = {}, set()
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
    )
    def add_definition(d: Definition, idx: FileIndex, rank: int, after_edits: int) -> None:
        source, signature = from_docs.get(id(idx)), d.signature
        disk = idx.disk if source is None else None
        if len(snippets) - signatures < max_snippets:
            short = signature if signature != d.text else None
            add(Snippet(d.path, d.text, "definition", d.start_line, source, rank, short, disk))
        else:
            # After the recent edits: a signature is a name's arguments, an edit what the user
            # is doing.
            add(Snippet(d.path, signature, "signature", d.start_line, source, rank + after_edits, disk=disk))

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
        if other is None or other.uri == doc.uri or is_excluded(uri, req.exclude):
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
        text = other.data[other.line_start(lo) : other.line_end(hi)].decode("utf-8", "replace")
        if text.strip():
            regions.append((uri, lo, hi))
            add(Snippet(display_path(uri, indexer.roots), text, "recent-edit", lo, (other.uri, other.edit_count), max_snippets + 1))
    # A guess: after the recent edits, whole while places are left.
    for rank, (d, idx) in enumerate(unused, start=len(chosen) + after_edits):
        add_definition(d, idx, rank, 0)
    # Deterministic order keeps the prompt's head byte-identical across keystrokes (prefix cache).
    return sorted(snippets, key=Snippet.sort_key)


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
) -> tuple[list[tuple[Definition, FileIndex]], list[tuple[Definition, FileIndex]]]:
    """The definitions to send, best first: every name's best, nearest name first (imported names
    used beyond ``names_near``'s span after the others, then names found only through the
    workspace's symbols, except imported ones, which take their own place), then a name's
    second, likewise; ``places`` of them at most, whole or signatures. Then, apart, those of
    the names imported and not used yet. ``names`` are those to look up (``_looked_up``),
    nearest first."""
    doc = req.doc
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
    import_words = _import_words(own) if own is not None else {}
    for name in names:
        # Only as a member (``this.name_``): ``this.createStore = createStore`` keeps the
        # imported function's definition for ``createStore(``.
        if name in attributes and name not in own_names and name not in import_words and _used_as_member(doc.data, name, *window):
            continue
        if name in own_names or name in elsewhere:
            found = _candidates(name, ordered, own, doc, window)
        elif name in imported_found:
            found = _candidates(name, found_by_name[name], None, doc, window)
        else:
            continue  # most names near the cursor: locals, parameters, builtins
        if found is not None:
            chosen.append(found)
            if len(chosen) >= most:
                break
    from_imports = [idx for idx in ordered if tiers[id(idx)] == 1]
    if own is not None and from_imports and len(chosen) < min(places, most):
        for name in _farther_imported(own, doc.data, req.offset, window, set(names), from_imports):
            found = _candidates(name, ordered, own, doc, window)
            if found is not None and len(chosen) < most:
                chosen.append(found)
    # After every name in use (and their second definitions), one definition each.
    unused: list[_Candidates] = []
    if own is not None and from_imports and len(chosen) < min(places, most):
        taken = {c.name for c in chosen}
        for name in _unused_imports(own, doc.data, from_imports):
            found = _candidates(name, ordered, own, doc, window) if name not in taken else None
            if found is not None and len(chosen) + len(unused) < most:
                unused.append(found)
    for name, files in found_by_name.items():
        if name in imported_found:
            continue
        found = _candidates(name, files, None, doc, window)
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
            found = _candidates(word, [idx], None, doc, window)
            if found is not None:
                taken.add(word)
                chosen.append(found)
    out: list[tuple[Definition, FileIndex]] = []
    for place in range(MAX_PER_NAME):
        for c in chosen:
            at = place - c.in_view
            if 0 <= at < len(c.definitions):
                out.append(c.definitions[at])
    return out, [c.definitions[0] for c in unused]


#: The workspace folders that exist, asked on every request at a new place (a ``stat`` and a
#: ``Path`` per folder, 0.07 ms): kept a few seconds.
_roots: TTLCache[tuple[str, ...], list[Path]] = TTLCache(maxsize=16, ttl=5.0)


def env_workspace_roots(folders: Iterable[str]) -> list[Path]:
    key = tuple(folders)
    roots = _roots.get(key)
    if roots is None:
        roots = []
        for folder in key:
            path = uri_to_path(folder)
            if path and os.path.isdir(path):
                roots.append(Path(path))
        _roots[key] = roots
    return list(roots)


TokenCount = Callable[[str], int]
