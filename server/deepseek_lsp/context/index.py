"""A file's imports and definitions, read from its tree with the language's queries."""

from __future__ import annotations

import re
import sys
import time
from bisect import bisect_left
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property

import tree_sitter as ts

from ..languages import Language
from ..privacy import redact
from ..reexports import ReExports, add_reexport
from ..workspace_symbols import short_name

_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


MAX_DEFINITION_LINES = 12


MAX_DECORATOR_LINES = 3


#: A member's signature in a class's outline is cut to this many characters.
MAX_OUTLINE_LINE = 160


MIN_OUTLINE_MEMBERS = 3


#: Members of an outlined class that its signature shows.
SIGNATURE_MEMBERS = 4

#: The characters a class's outline may take where its first lines are fewer (a docstring's
#: short lines): httpx's ``Client``, twelve lines of docstring in 283 characters, had no room
#: for its constructor's signature, and the docstring was sent, none of its methods. About
#: twelve lines of 64 characters.
OUTLINE_ROOM = 768
#: Members an outline names at most: those past its lines' room named in its last line.
_NAMED_MEMBERS = 40


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
    #: The class whose body holds it (a method, a class attribute or field), else None: which
    #: ``send`` is ``Connection.send`` when five files define one (``context.receivers``).
    owner: str | None = None
    #: Forms between ``text`` and :attr:`signature`, longest first, for a prompt with no room
    #: for the whole (a Go struct with fewer of its methods' signatures).
    shorter: tuple[str, ...] = ()
    #: Whether its first line is not indented: the module's own (a module's outline lists
    #: those), not a function's nested helper.
    top: bool = False
    #: Whether an ``export`` statement holds it (JavaScript's, TypeScript's): an ES module's
    #: outline lists those alone.
    exported: bool = False
    #: The files on disk it was read from beside its index's (a Go package's outline, whose
    #: files are several): (path, stamp) each, its snippet stale once one changes.
    read_from: tuple[tuple[str, tuple[int, int]], ...] = ()
    #: An outlined class's outline with its private members too (``_helper``, ``#field``), for
    #: a cursor in the class or a subclass or after a typed ``_``; "" where it is ``text``.
    private_text: str = ""

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
    #: By word of the names an import binds, the sources it names, Python's submodules among
    #: them: whether ``word.member`` is a module's of the workspace's (``_module_members``).
    #: An import's own: ``import json, store`` is two.
    word_sources: dict[str, list[str]] = field(default_factory=dict)
    aliases: dict[str, str] = field(default_factory=dict)  # name bound -> name imported
    #: A name bound to a module as a whole, as written before its members' dot (``store`` of
    #: ``import * as store``, ``local store = require("store")``, ``from app import store``;
    #: ``app.store`` of ``import app.store``; Go's package name) -> the sources it may be.
    modules: dict[str, list[str]] = field(default_factory=dict)
    definitions: dict[str, list[Definition]] = field(default_factory=dict)
    #: The types it declares methods on outside their bodies (a Go method's receiver's): the
    #: names it is stored with in the workspace's table (``methods_of``), as a crawl reads them.
    method_owners: set[str] = field(default_factory=set)
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

    @cached_property
    def import_words(self) -> dict[str, None]:
        """Every word of its import statements, in order (read once: an index is not changed
        once built)."""
        return dict.fromkeys(w for _s, _e, t in self.imports for w in _WORD.findall(t))


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


#: A brace of a struct's text, not one a string, a character or a comment holds.
_BRACES = re.compile(
    r""""(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)'|//[^\n]*|/\*.*?\*/|([{}])""", re.S
)
#: The end of a C++ method's signature before its body's ``{`` (a constructor's initializers').
_BODY_AFTER = re.compile(r"(?:\)|\b(?:const|override|final|noexcept|mutable))\s*$")


def _struct_header_len(text: str, header_len: int) -> int:
    """A struct's signature (Go's, Rust's, C's and C++'s field list): its header and first
    ``SIGNATURE_MEMBERS`` fields (a short one whole), not ``type Conn struct`` alone, which
    said nothing of what it holds."""
    lines = text.splitlines()
    keep = len(text[:header_len].splitlines()) + SIGNATURE_MEMBERS
    if len(lines) <= keep + 1:
        return len(text)
    cut = len("\n".join(lines[:keep]))
    # Not into a C++ method's body (a constructor's first statements, then ``…``): up to its
    # signature, the ``{`` left open there and what follows it left out.
    depth, opened = 0, -1
    for m in _BRACES.finditer(text, text.find("{") + 1, cut):
        if m.group(1) == "{":
            depth += 1
            opened = m.start() if depth == 1 else opened
        elif m.group(1) and depth:
            depth -= 1
    if depth and _BODY_AFTER.search(text, 0, opened):
        return len(text[:opened].rstrip())
    return cut


def index_tree(lang: Language, tree: ts.Tree, data: bytes, path: str, *, mend_errors: bool = False) -> FileIndex:
    """``mend_errors``: a JavaScript or TypeScript file's top-level grammar errors are read again
    from each statement starting a line in them (a file read from disk: read once)."""
    index = FileIndex(built_at=time.monotonic())
    root = tree.root_node
    q_imports = lang.query("imports")
    if q_imports is not None:
        seen: set[int] = set()
        imported_from: dict[str, list[str]] = {}
        word_sources: dict[str, dict[str, None]] = {}
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
            # The names it binds; Go's package (``"example.com/m/shapes"``), bound by its source.
            named = match.get("import.name") or [*match.get("import.source", []), *match.get("import.source.relative", [])]
            words = [w for n in named for w in _WORD.findall(node_text(data, n))]
            sources_of_words = [*sources]
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
                    submodules = [s + name if s.strip(".") == "" else f"{s}.{name}" for s in sources]
                    index.submodule_sources.extend(submodules)
                    sources_of_words += submodules
            if stmt and ("import.reexport" not in match or stmt[0].type == "import_from_statement"):
                _add_modules(index.modules, data, stmt[0], match, sources)
            fresh = dict.fromkeys(sources_of_words)
            for word in words:
                # Added to, not copied whole: the words of Go's paths (``github``, ``com``) are
                # in every import, and the copies of their growing lists took 0.35 ms of a request
                # in a file of 60 imports (its index is built again at each keystroke).
                word_sources.setdefault(word, {}).update(fresh)
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
        index.word_sources = {word: list(sources) for word, sources in word_sources.items()}
    if lang.name in _JS_FAMILY:
        index.default_export = _default_export(root, data)
        # ``import Card from "./Card"; export default Card`` (a component folder's index.ts):
        # it passes on another file's default, as ``export { default } from "./Card"`` does.
        passed = index.default_imports.get(index.default_export or "")
        if passed is not None:
            index.reexports = add_reexport(index.reexports, lang, path, [passed], [("default", None)])
    q_defs = lang.query("definitions")
    if q_defs is not None:
        found, said_owners = _definitions(lang, q_defs, root, data, path)
        if mend_errors and lang.name in _JS_FAMILY and (pieces := _error_statements(root, data)):
            parser = lang.parser()
            seen = {(d.name, d.start_line) for d in found}
            for at, chunk in pieces:
                more, said = _definitions(
                    lang, q_defs, parser.parse(chunk).root_node, chunk, path, data.count(b"\n", 0, at)
                )
                found += [d for d in more if (d.name, d.start_line) not in seen]
                said_owners.update(said)
        index.method_owners = set(said_owners.values())
        for definition in found:
            index.definitions.setdefault(definition.name, []).append(definition)
    return index


def _definitions(
    lang: Language, q_defs: ts.Query, root: ts.Node, data: bytes, path: str, line_base: int | None = None
) -> tuple[list[Definition], dict[int, str]]:
    """The definitions the query finds under ``root``, and the classes Go's methods name (by
    node id). With ``line_base`` (a piece of the file, starting on that line), only those the
    grammar read without an error."""
    found_defs: list[_Found] = []
    # A Go method's class is its receiver's type, written outside any body (``@owner``).
    said_owners: dict[int, str] = {}
    for match in _captures_by_match(q_defs, root):
        found = _one(match, "definition")
        names = match.get("name")
        if found and names and not (line_base is not None and found[1].has_error):
            capture, node = found
            if match.get("owner"):
                said_owners[node.id] = node_text(data, match["owner"][0])
            body = (match.get("body") or [None])[0]
            name = node_text(data, names[0])
            # One string for every definition of a kind (a large file's thousands each
            # held their own "function", 0.58 MB of bench_memory's replay).
            kind = sys.intern(capture.split(".", 1)[-1])
            for key in filter(None, (name, short_name(names[0], name))):
                found_defs.append((key, kind, node, body, names[0].start_byte))
    in_order = sorted(found_defs, key=lambda d: d[2].start_byte)
    starts = [d[2].start_byte for d in in_order]
    owners = {**_owners(in_order), **said_owners}
    out: list[Definition] = []
    for name, kind, node, body, at in found_defs:
        text, header_len = _definition_text(data, node, lang, body, kind, at)
        outline_said, private_text = False, ""
        if kind == "class" and body is not None and text.endswith("\n…"):
            header = text[:header_len].rstrip()
            outline = _outline(data, header, _docstring_summary(data, body), len(text), body, in_order, starts, lang)
            if outline is not None:
                # Its signature: the header (with the docstring's line) and its first members.
                text, head_lines, private_text = outline
                header_len = len("\n".join(text.splitlines()[: head_lines + SIGNATURE_MEMBERS]))
                outline_said = True
        if not outline_said and body is not None and body.type == "field_declaration_list":
            header_len = _struct_header_len(text, header_len)
        line_start = node.start_byte - node.start_point[1]  # (the column is in bytes)
        out.append(
            Definition(
                name=name,
                kind=kind,
                text=text,
                start_line=node.start_point[0] + (line_base or 0),
                path=path,
                header_len=header_len,
                owner=owners.get(node.id),
                top=data[line_start : line_start + 1] not in (b" ", b"\t"),
                exported=node.parent is not None and node.parent.type == "export_statement",
                private_text=private_text,
            )
        )
    return out, said_owners


#: A JavaScript or TypeScript statement starting a line: where a top-level error's text is cut
#: to be read again (``_error_statements``).
_STATEMENT_START = re.compile(
    rb"^(?:export|const|let|var|async|function|class|abstract|interface|type|enum|declare|namespace)\b", re.M
)
#: Bytes of a file's errors read again at most (a file on disk, once).
MAX_MENDED_BYTES = 256 * 1024
#: Text the grammar still reads as such inside an error: a line start in it is no statement's
#: (a code generator's template literal, code commented out).
_TEXT_NODES = frozenset({"comment", "string", "string_fragment", "template_string", "template_literal_type", "regex"})


def _in_text(root: ts.Node, at: int) -> bool:
    """Whether the byte at ``at`` is in a comment, a string or a template literal."""
    node = root.descendant_for_byte_range(at, at + 1)
    while node is not None and node.type not in ("ERROR", "program"):
        if node.type in _TEXT_NODES:
            return True
        node = node.parent
    return False


def _error_statements(root: ts.Node, data: bytes) -> list[tuple[int, bytes]]:
    """The text of each statement starting a line in a top-level ERROR, to its next one (where
    it starts, the text). mobx's generic call signatures on lines of their own (``...): A<T>``
    then ``<T>(...``) are a comparison gone wrong to TypeScript's grammar, whose error ran on to
    the file's end over ``observable``'s and ``action``'s definitions."""
    out: list[tuple[int, bytes]] = []
    budget = MAX_MENDED_BYTES
    errors = [(n.start_byte, n.end_byte) for n in root.children if n.type == "ERROR" and n.start_point[0] != n.end_point[0]]
    if root.type == "ERROR":
        # The whole file an error (mobx's api/action.ts): its statements up to the first piece
        # that is none, then that piece's tokens and errors to the end.
        broken = next((n for n in root.children if not n.is_named or n.type == "ERROR" or n.has_error), None)
        errors = [(broken.start_byte, root.end_byte)] if broken is not None else []
    for start, end in errors:
        starts = [m.start() for m in _STATEMENT_START.finditer(data, start, end) if not _in_text(root, m.start())]
        if not starts:
            continue
        for a, b in zip(starts, [*starts[1:], end], strict=True):
            budget -= b - a
            if budget < 0:
                return out
            out.append((a, data[a:b]))
    return out


#: Where a bound name's node sits when it names a module as a whole: JavaScript's ``import *
#: as m`` and ``const m = require(...)``, TypeScript's ``import m = require(...)``, Lua's
#: ``local m = require(...)``, Go's ``import m "path"``, Python's ``import a.b as m``.
_MODULE_BINDERS = frozenset(
    {"namespace_import", "import_require_clause", "variable_declarator", "variable_list", "import_spec"}
)


def _add_modules(
    modules: dict[str, list[str]], data: bytes, stmt: ts.Node, match: dict[str, list[ts.Node]], sources: list[str]
) -> None:
    """Record in ``modules`` the names ``match`` (one import's) binds to a module as a whole,
    as written before a member's dot, with the sources each may be (``module_outline``)."""
    bound = match.get("import.name", [])
    if not bound and stmt.type == "import_declaration":
        # Go's ``import "example.com/m/shapes"`` binds the package's name: its path's last part
        # (``yaml`` of ``gopkg.in/yaml.v3``, ``chi`` of ``github.com/go-chi/chi/v5``).
        for node, source in zip(match.get("import.source", []), sources, strict=False):
            if node.parent is not None and node.parent.child_by_field_name("name") is not None:
                continue  # ``import _ "p"``, ``import . "p"``: no name
            parts = [p for p in source.split("/") if not re.fullmatch(r"v\d+", p)]
            name = re.sub(r"\.v\d+$", "", parts[-1]).removeprefix("go-") if parts else ""
            if _WORD.fullmatch(name):
                modules.setdefault(name, []).append(source)
        return
    for node in bound:
        name, parent = node_text(data, node), node.parent
        if parent is None:
            continue
        if stmt.type == "import_from_statement":
            # ``from app import store``: a module where ``app.store`` is a file.
            original = _original_name(data, node) or name
            modules[name] = [s + original if s.strip(".") == "" else f"{s}.{original}" for s in sources]
        elif stmt.type == "import_statement" and node.type == "dotted_name":
            modules[name] = sources  # ``import app.store``: used as ``app.store.``
            # It imports its packages too: ``import a.b.c`` then ``a.b.`` is the package's.
            parts = name.split(".")
            for n in range(len(parts) - 1, 0, -1):
                modules.setdefault(".".join(parts[:n]), [".".join(parts[:n])])
        elif parent.type in _MODULE_BINDERS or (stmt.type == "import_statement" and parent.type == "aliased_import"):
            if parent.type != "variable_declarator" or parent.child_by_field_name("name") == node:
                modules[name] = sources


def _owners(in_order: list[_Found]) -> dict[int, str]:
    """By node id, the name of the class a definition is directly in (not through a function:
    a helper nested in a method is no member)."""
    owners: dict[int, str] = {}
    around: list[tuple[ts.Node, str, str]] = []  # the definitions open at this point: node, name, kind
    # The outer first where two start together (a class's first member cannot, a wrapper can).
    for name, kind, node, _body, _at in sorted(in_order, key=lambda d: (d[2].start_byte, -d[2].end_byte)):
        while around and around[-1][0].end_byte <= node.start_byte:
            around.pop()
        if around and around[-1][0].id == node.id:
            continue  # the same node under its short name (``short_name``)
        if around and around[-1][2] == "class":
            owners[node.id] = around[-1][1]
        around.append((node, name, kind))
    return owners


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
    data: bytes,
    header: str,
    summary: str | None,
    max_size: int,
    body: ts.Node,
    defs: list[_Found],
    starts: list[int],
    lang: Language,
) -> tuple[str, int, str] | None:
    """A class too long to send whole as its header, its docstring's ``summary`` line (what it
    is for) and its members' signatures, a line each (special methods but the constructor left
    out, and a ``_private`` helper, no importer's: Python's, JavaScript's `#` and `_` ones,
    TypeScript's ``private``), in ``max_size`` characters or ``OUTLINE_ROOM``: its first lines
    were often a docstring, and the methods a call needs came after the cut. The members come
    first: the summary only where it fits with them. ``defs`` are the file's definitions in
    order (``starts`` their start bytes). The text, its head's lines (the header's, the
    summary's) and the outline with its private members too ("" where it has none, or it is
    no outline); None with fewer than ``MIN_OUTLINE_MEMBERS`` members found (Go's methods are
    outside their struct). Where the members do not all fit, the methods (and nested types) go
    first, then the fields that fit: a Java or C# class opening with a dozen fields
    (react-native-webview's ``RNCWebView``) was outlined by its fields alone, and at its
    instance's dot the model saw none of the methods one calls."""
    end = -1
    found: list[_Member] = []
    for name, kind, node, member_body, name_start in defs[bisect_left(starts, body.start_byte) :]:
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
        found.append((name, node, member_body, name_start, _is_private(name, node, lang, data), kind in _FIELD_KINDS))
        if len(found) >= 2 * _NAMED_MEMBERS:
            break
    lines: dict[int, str] = {}

    def line_of(i: int) -> str:
        if i not in lines:
            lines[i] = _member_line(data, lang, *found[i][1:4])
        return lines[i]

    public = _outline_text(header, summary, max_size, [i for i, f in enumerate(found) if not f[4]], found, line_of)
    if public is None:
        return None
    private = ""
    if any(f[4] for f in found[:_NAMED_MEMBERS]):
        every = _outline_text(header, summary, max_size, list(range(len(found))), found, line_of)
        private = every[0] if every is not None else ""
    return public[0], public[1], private


#: A member found for an outline: its name, node, body, name's start, whether private, whether a
#: field (or constant: listed after the methods where not all fit).
_Member = tuple[str, ts.Node, ts.Node | None, int, bool, bool]
#: The kinds of definitions an outline lists after the methods where not all fit.
_FIELD_KINDS = frozenset(("variable", "constant"))


def _is_private(name: str, node: ts.Node, lang: Language, data: bytes) -> bool:
    """Whether a member is its class's own, no importer's: Python's ``_helper``, JavaScript's
    ``#field`` and ``_helper``, TypeScript's ``private`` ones."""
    if lang.name == "python":
        return name.startswith("_") and not _is_dunder(name)
    if lang.name not in ("javascript", "typescript", "tsx"):
        return False
    if name.startswith(("#", "_")):
        return True
    return any(c.type == "accessibility_modifier" and node_text(data, c) == "private" for c in node.children)


def _member_line(data: bytes, lang: Language, node: ts.Node, member_body: ts.Node | None, name_start: int) -> str:
    """A member's line in its class's outline: its signature on one line, ``…`` for its body."""
    start = _decorated_start(node, lang, data)  # ``@property``: no call
    stop = member_body.start_byte if member_body is not None and member_body.start_byte > start else node.end_byte
    parent = node.parent or node
    signature = " ".join(_without_comments(data, parent, start, stop).split())
    if len(signature) > MAX_OUTLINE_LINE:
        # Long annotations (``@Operation(summary = …)``) hid the name: from its line.
        start = max(start, data.rfind(b"\n", 0, name_start) + 1)
        signature = " ".join(_without_comments(data, parent, start, stop).split())
    for level in (1, 2, 3):
        if len(signature) <= MAX_OUTLINE_LINE:
            break
        # Parameters' annotations, then their defaults, then the last parameters left out
        # before the cut, the return type kept: cut, httpx's `Client.request` showed its
        # first five parameters and no return type, and with each line 160 characters its
        # `get` and `post` were past the outline's room.
        signature = _compact_signature(data, node, start, stop, level) or signature
    if len(signature) > MAX_OUTLINE_LINE:
        signature = cut_line(signature)
    elif member_body is not None:
        signature += " …"
    return " " * node.start_point[1] + signature


def _outline_text(
    header: str,
    summary: str | None,
    max_size: int,
    chosen: list[int],
    found: list[_Member],
    line_of: Callable[[int], str],
) -> tuple[str, int] | None:
    """The outline of the members ``chosen`` (indexes in ``found``; ``line_of`` their lines)
    and its head's lines, the summary where the members fit with it, else the members alone."""
    lines = header.splitlines()
    room = max(max_size, OUTLINE_ROOM)
    chosen = chosen[:_NAMED_MEMBERS]
    methods_first = sorted(chosen, key=lambda i: found[i][5])
    for head in ([*lines, summary], lines) if summary is not None else (lines,):
        order = chosen
        members, size = _fitted(head, order, room, line_of)
        if len(members) - len(head) < len(chosen) and methods_first != chosen:
            order = methods_first
            members, size = _fitted(head, order, room, line_of)
        shown = len(members) - len(head)
        if shown < len(order):
            members, shown = _names_of_the_rest(members, size, room, shown, [found[i][0] for i in order])
        if shown >= MIN_OUTLINE_MEMBERS:
            return "\n".join(members), len(head)
    return None  # with a member or two, the class's first lines show them, bodies and all


def _fitted(head: list[str], chosen: list[int], room: int, line_of: Callable[[int], str]) -> tuple[list[str], int]:
    """``head`` and as many of the lines of the members ``chosen`` as fit in
    ``MAX_DEFINITION_LINES`` lines and ``room`` characters, and their size."""
    members, size = list(head), sum(len(line) + 1 for line in head)
    for i in chosen[: MAX_DEFINITION_LINES + 1]:
        line = line_of(i)
        # No longer than the lines it stands for: rxjs's Observable, twelve lines of
        # overloads, took the whole budget of the extra context, and seven snippets went.
        if len(members) >= MAX_DEFINITION_LINES or size + len(line) > room:
            break
        members.append(line)
        size += len(line) + 1
    return members, size


_BLANKS = re.compile(r"\s+")
#: Parameters written ``name=default`` with no annotation (Python's, JavaScript's).
_DEFAULTED = frozenset({"default_parameter", "assignment_pattern"})
#: Parameters whose annotation may go (Python's, TypeScript's): elsewhere (Java's, Go's) a
#: parameter's type is what it is, kept whole.
_ANNOTATED = frozenset({"typed_parameter", "typed_default_parameter", "required_parameter", "optional_parameter"})


def _names_of_the_rest(members: list[str], size: int, room: int, shown: int, names: list[str]) -> tuple[list[str], int]:
    """``members`` (the outline's lines, ``shown`` of them the members of ``names``) ended by
    ``…`` and the names of the members with no line (httpx's `Client`: its lines' room held
    `request` and `stream`, and its `get` and `post` were left out unnamed), a member's line
    given up for them where they do not fit."""
    while True:
        rest = list(dict.fromkeys(names[shown:]))
        line = "… " + ", ".join(rest)
        if len(line) > MAX_OUTLINE_LINE:
            line = line[: line.rfind(", ", 0, MAX_OUTLINE_LINE)] + ", …"
        if size + len(line) <= room:
            return [*members, line], shown
        if shown <= MIN_OUTLINE_MEMBERS:
            return [*members, "…"], shown
        size -= len(members.pop()) + 1
        shown -= 1


def _compact_signature(data: bytes, node: ts.Node, start: int, stop: int, level: int) -> str | None:
    """The signature in ``data[start:stop]`` on one line with its parameters' annotations left
    out (``level`` 1: ``url, *, params=None``) or their defaults too (2: ``params=…``), or
    its parameters' names alone, the last left out as ``…`` past ``MAX_OUTLINE_LINE`` (3),
    its return type kept (what a call gives); a Java or Go parameter kept whole, its type
    its meaning. None where the node has no parameters (a field)."""
    params = node.child_by_field_name("parameters")
    if params is None or not start <= params.start_byte <= params.end_byte <= stop:
        return None
    forms: list[str] = []
    for param in params.named_children:
        if "comment" in param.type:
            continue
        kind = param.type
        if kind in _ANNOTATED:
            name = param.child_by_field_name("pattern") or param.child_by_field_name("name") or param.named_children[0]
            value = param.child_by_field_name("value")
            mark = "?" if kind == "optional_parameter" else ""
        elif kind in _DEFAULTED:
            name = param.child_by_field_name("name") or param.child_by_field_name("left")
            value = param.child_by_field_name("value") or param.child_by_field_name("right")
            mark = ""
        else:
            forms.append(" ".join(node_text(data, param).split()))
            continue
        if name is None:
            return None
        form = node_text(data, name) + mark
        if value is not None and level < 3:
            form += "=…" if level > 1 else "=" + " ".join(node_text(data, value).split())
        forms.append(form)
    head = _BLANKS.sub(" ", _without_comments(data, node.parent or node, start, params.start_byte)).strip()
    tail = _BLANKS.sub(" ", _without_comments(data, node.parent or node, params.end_byte, stop)).rstrip()
    while level > 2 and len(forms) > 1 and len(head) + len(tail) + sum(len(f) + 2 for f in forms) > MAX_OUTLINE_LINE:
        forms[-2:] = ["…"]
    return f"{head}({', '.join(forms)}){tail}"


def cut_line(line: str) -> str:
    """``line`` cut to ``MAX_OUTLINE_LINE`` characters, `` …`` after, its secrets redacted
    before the cut: one cut inside a default's value (``password="hunter2-Se``) left its quote
    unclosed, and redaction, which reads a value whole, sent its first characters."""
    return redact(line)[:MAX_OUTLINE_LINE] + " …"


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


def _is_dunder(name: str) -> bool:
    """``__init__``, ``__call__``…: every class has its own, so looked up by name they brought
    every class's (a site's eight places all went to constructors). A constructor comes with its
    class, which is looked up when its name is the one used (``Foo(``)."""
    return len(name) > 4 and name.startswith("__") and name.endswith("__")
