"""The outline of a module imported whole, for the member still to be typed after its dot.

``store.|`` where ``store`` is one of the workspace's modules (Python's ``from app import store``
or ``import app.store as store``, JavaScript's ``import * as store from './store'`` or ``const
store = require('./store')``, Lua's ``local store = require('store')``, a Go package): the member
is not typed yet, so no name of it was looked up, and the prompt had nothing of the module. A
class's receiver (``c.|``) gets its class's outline (``lookup.receivers_members``); a module's
gets this: its public top-level definitions, a line each (the signature, `` …`` for a body), in
the file's order, so the text is the same at each key typed after the dot (prefix cache).
"""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from pathlib import Path

from ..documents import Document
from ..imports import resolve_local_imports_cached
from ..languages import ImportRules
from .index import MAX_OUTLINE_LINE, Definition, FileIndex, cut_line
from .receivers import MemberAt, bound_at_module_level, bound_in_function

#: Lines of an outline (its definitions'); past them a ``…``.
MAX_MODULE_LINES = 16
#: Lines of its shorter form, for a prompt with less room, and of its signature, the last resort.
SHORTER_LINES = 8
SIGNATURE_LINES = 4


def module_written(own: FileIndex | None, member: MemberAt | None, doc: Document) -> str | None:
    """The name before the cursor's dot (``store``, ``app.store``) if the document's imports bind
    it to a module as a whole and no function around the dot binds it again, else None."""
    if own is None or member is None or doc.language is None or doc.tree is None:
        return None
    written = member.written[1]
    lua = doc.language.name == "lua"
    if written not in own.modules and written not in own.default_imports:
        if not lua or (_LUA_REQUIRED.fullmatch(written) is None and not lua_table(own, written)):
            return None
    if lua:
        return None if _lua_rebound(doc.data, member.at, written) else written
    language, tree = doc.language.name, doc.tree
    if bound_in_function(language, tree, doc.data, member):
        return None
    since = _import_end(own, written, member.at)
    return None if bound_at_module_level(language, tree, doc.data, member, since) else written


def _import_end(own: FileIndex, written: str, before: int) -> int:
    """Where the last import before ``before`` that names ``written``'s first word ends."""
    word = re.compile(rf"\b{re.escape(written.split('.')[0])}\b")
    return max((end for start, end, text in own.imports if start < before and word.search(text)), default=0)


#: A top-level Lua function's first line, or its ``end``, at a line's start: the function
#: around a use (Lua's tree is one error while its ``end`` is not typed yet).
_LUA_TOP = re.compile(
    rb"^(?:(?:local[ \t]+)?function\b|[\w.:]+[ \t]*=[ \t]*function\b|end\b)", re.M
)
#: What binds a name in it: a function's parameters, ``local`` names, a loop's variables.
_LUA_BINDERS = re.compile(
    rb"\bfunction\b[^(\n]*\(([^)]*)\)"
    rb"|\blocal[ \t]+(?!function\b)([\w \t,]+)"
    rb"|\bfor[ \t]+([\w \t,]+?)[ \t]*(?:\bin\b|=)"
)
#: The text searched back for the function around a use.
_LUA_SPAN = 32_768


def _lua_rebound(data: bytes, at: int, name: str) -> bool:
    """Whether the top-level Lua function around ``at`` binds ``name`` before it (a parameter,
    a ``local``, a loop's variable): ``store.`` there is not ``require("store")``'s. Read from
    the text: a nested function's count too (its name's outline missed, not another's sent)."""
    start = None
    for m in _LUA_TOP.finditer(data, max(0, at - _LUA_SPAN), at):
        start = m
    if start is None or start.group().startswith(b"end"):
        return False
    word = name.encode()
    for m in _LUA_BINDERS.finditer(data, start.start(), at):
        names = (m.group(1) or m.group(2) or m.group(3) or b"").split(b",")
        if word in (n.strip() for n in names):
            return True
    return False


#: A Lua module required in place (``require("store").``), as ``receivers`` writes it.
_LUA_REQUIRED = re.compile(r'require\("([^"]+)"\)')


def lua_table(own: FileIndex, written: str) -> bool:
    """Whether ``written`` is a table the Lua file defines functions in at its top level
    (``local M = {}``, ``function M.get()``): its own module's, outlined from the file itself."""
    heads = (f"function {written}.", f"function {written}:", f"{written}.")
    return written.isidentifier() and any(
        d.top and d.text.startswith(heads) for ds in own.definitions.values() for d in ds
    )


def module_files(
    own: FileIndex,
    written: str,
    doc_path: Path,
    roots: Sequence[Path],
    language: str | None,
    rules: ImportRules | None,
    deadline: float | None = None,
) -> list[Path]:
    """The workspace's files of the module ``written`` names (a Go package's several), the
    first source that names any: ``from app import store`` is ``app/store.py`` only where that
    is a file (else ``store`` is a name ``app`` defines, and its class's is another outline)."""
    # (A default import is a CommonJS module's ``module.exports = {...}``: see ``commonjs``.)
    default = own.default_imports.get(written)
    sources = own.modules.get(written) or ([default] if default is not None else [])
    if not sources and language == "lua":
        if (required := _LUA_REQUIRED.fullmatch(written)) is not None:
            sources = [required.group(1)]
        elif lua_table(own, written):
            return [doc_path]  # (the file's own table)
    for source in sources:
        paths = resolve_local_imports_cached([source], doc_path, roots, language, rules, deadline)
        # (Go's resolution gives the document's own package's files first: not the module's.)
        paths = [p for p in paths if p != doc_path and (language != "go" or p.parent != doc_path.parent)]
        if paths:
            return paths
    return []


def commonjs(indexes: list[FileIndex]) -> bool:
    """Whether a module imported by default (``import m from './m.js'``) is its files' outline:
    a CommonJS module's object (``module.exports = { get, put }``), not an ES module's (its
    ``export``s) nor a class or function exported as a whole (its members are the class's)."""
    return bool(indexes) and not any(
        idx.default_export or any(d.exported for ds in idx.definitions.values() for d in ds) for idx in indexes
    )


def _public(d: Definition, language: str | None) -> bool:
    """Whether a module's importer may use ``d``: its own top-level definition, not a class's
    member, a Python or JavaScript ``_private`` one, a Lua ``local`` or a Go lower-case name
    (nor, in ``module_outline``, an ES module's helper it does not export)."""
    if not d.top or d.owner is not None or d.name.startswith("_"):
        return False
    # (Lua's ``function M:put()`` is the module table's, called ``store:put()``.)
    if d.kind == "method" and language != "lua":
        return False
    if language == "go":
        return d.name[:1].isupper()
    return not d.text.startswith("local ")


def _line(d: Definition) -> str:
    """``d`` on one line: its signature without decorators (a class's or a struct's header
    alone, not its first members), `` …`` where its body was."""
    header = d.text[: d.header_len] if d.header_len else d.text.split("\n", 1)[0]
    lines = [line for line in header.splitlines() if not line.lstrip().startswith(("@", "#["))]
    if d.kind in ("class", "type"):
        lines = lines[:1]
    # (A struct's header and a function's alike: ``type Square struct …``, ``func Area() int …``.)
    line = " ".join(" ".join(lines).split()).removesuffix("{").rstrip()
    if len(line) > MAX_OUTLINE_LINE:
        return cut_line(line)
    return line + " …" if len(d.text.rstrip()) > len(header.rstrip()) or lines != header.splitlines() else line


def module_outline(
    name: str, indexes: list[FileIndex], language: str | None, table: str | None = None
) -> Definition | None:
    """The outline of the module bound to ``name`` whose files' indexes are ``indexes``, as one
    definition (labelled with its first file's path); None where it defines nothing public.
    With ``table``, a Lua table's of the file itself: its functions only."""
    found: list[Definition] = []
    heads = (f"function {table}.", f"function {table}:", f"{table}.") if table else ("",)
    for idx in indexes:
        defs = {
            id(d): d for ds in idx.definitions.values() for d in ds if _public(d, language) and d.text.startswith(heads)
        }
        if any(d.exported for d in defs.values()):
            # An ES module's: its helpers are no member (a CommonJS file's ``exports.x = x``
            # is read as no export: all its top-level definitions are listed).
            defs = {k: d for k, d in defs.items() if d.exported}
        found += sorted(defs.values(), key=lambda d: d.start_line)
        if len(found) > MAX_MODULE_LINES:
            break
    # Lines made only up to the cut: each of a generated module's 10,000 made took 12 ms a dot.
    lines: list[str] = []
    for d in found:
        if (line := _line(d)) and line not in lines:
            lines.append(line)
            if len(lines) > MAX_MODULE_LINES:
                break
    if not lines:
        return None

    def first(n: int) -> str:
        return "\n".join(lines[:n]) + ("\n…" if len(lines) > n else "")

    shorter = (first(SHORTER_LINES),) if len(lines) > SHORTER_LINES else ()
    return Definition(
        name=name,
        kind="module",
        text=first(MAX_MODULE_LINES),
        start_line=0,
        path=found[0].path,
        header_len=len("\n".join(lines[:SIGNATURE_LINES])),
        shorter=shorter,
        top=True,
        # (Its snippet is stale once any of them changes on disk, not the first alone.)
        read_from=tuple(idx.disk for idx in indexes[1:] if idx.disk is not None) + _package_folder(indexes, language),
    )


def _package_folder(indexes: list[FileIndex], language: str | None) -> tuple[tuple[str, tuple[int, int]], ...]:
    """A Go package's folder as read (its stamp changes as a file is added, removed or renamed
    there): a file added to the package on disk was missing from its outline up to 30 s."""
    folder = Path(indexes[0].disk[0]).parent if language == "go" and indexes and indexes[0].disk else None
    try:
        st = os.stat(folder) if folder is not None else None
    except OSError:
        return ()
    return ((str(folder), (st.st_mtime_ns, st.st_size)),) if st is not None else ()
