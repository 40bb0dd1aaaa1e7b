"""Languages come from folders under ``grammars/``: settings in ``language.toml``, queries in ``*.scm``.

Adding a language means adding a folder; nothing here names a language.
"""

from __future__ import annotations

import asyncio
import functools
import importlib
import logging
import re
import sys
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path, PurePosixPath
from urllib.parse import unquote, urlparse

import tree_sitter as ts

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on 3.10 only
    import tomli as tomllib

log = logging.getLogger(__name__)

#: The query files a language folder may hold, by the feature that reads them.
QUERY_KINDS = ("scopes", "definitions", "imports", "identifiers")
#: Those that indexing a file read for another document's context needs (``index_tree``).
INDEX_KINDS = ("imports", "definitions")


def grammars_root() -> Path:
    """The installed copy (inside the wheel) wins; a source checkout falls back to ``grammars/``."""
    installed = Path(__file__).resolve().parent / "grammars"
    if installed.is_dir():
        return installed
    return Path(__file__).resolve().parents[2] / "grammars"


class LanguageError(Exception):
    """A language folder that cannot be used (bad settings, missing grammar package)."""


@dataclass(frozen=True)
class LanguageSpec:
    name: str
    language_ids: tuple[str, ...]
    extensions: tuple[str, ...]
    grammar: str  # "module:function" inside the PyPI grammar wheel
    package: str  # the PyPI distribution that provides the grammar
    folder: Path
    line_comment: str | None = None
    filenames: tuple[str, ...] = ()
    #: Languages whose query files this one uses where it has none of its own (TSX → TypeScript).
    inherits: tuple[str, ...] = ()
    #: A regular expression for a line that opens a block where the generic signs (a line ending
    #: with ``:``, ``{``, ``(``...) do not show it: ``if x; then``, Ruby's ``def f(x)``.
    block_opener: str | None = None
    #: A regular expression for a statement directly above a definition that belongs to it where
    #: its node type does not say so (a decorator's or an attribute's does): Elixir's ``@doc``
    #: and ``@spec``, plain module attributes to the grammar.
    leading_attribute: str | None = None
    #: How a non-relative import names a workspace file (``[imports]`` in language.toml).
    imports: ImportRules | None = None
    #: Extensions another language claims whose files, imported by a document of this one, are
    #: read in this one: C++'s ``.h`` headers (C's by their extension: parsed as C, a header's
    #: classes and namespaces were no definitions).
    imported_extensions: tuple[str, ...] = ()

    @classmethod
    def from_folder(cls, folder: Path) -> LanguageSpec:
        path = folder / "language.toml"
        try:
            raw = tomllib.loads(path.read_text(encoding="utf-8"))
        except (OSError, tomllib.TOMLDecodeError) as exc:
            raise LanguageError(f"{path}: {exc}") from exc
        try:
            return cls(
                name=str(raw.get("name", folder.name)),
                language_ids=tuple(raw.get("language_ids", [folder.name])),
                extensions=tuple(e.lower() for e in raw.get("extensions", [])),
                grammar=str(raw["grammar"]),
                package=str(raw.get("package", "")),
                folder=folder,
                line_comment=raw.get("line_comment"),
                filenames=tuple(raw.get("filenames", [])),
                inherits=tuple(raw.get("inherits", [])),
                block_opener=_regex(raw.get("block_opener"), path),
                leading_attribute=_regex(raw.get("leading_attribute"), path, "leading_attribute"),
                imports=ImportRules.from_table(raw.get("imports"), path),
                imported_extensions=tuple(e.lower() for e in raw.get("imported_extensions", [])),
            )
        except KeyError as exc:
            raise LanguageError(f"{path}: missing setting {exc}") from exc


@dataclass(frozen=True)
class ImportRules:
    """Where the file an import names is looked for, for languages whose imports are not
    Python's or JavaScript's (``[imports]`` in language.toml, see grammars/README.md).

    A source captured as ``@import.source.relative`` (Ruby's ``require_relative``, PHP's
    ``include``) is a path from the importing file's folder; any other source is looked for
    under each of ``paths`` in order (``{root}``: each workspace root, ``{dir}``: the importing
    file's folder), with ``separator`` read as ``/`` (Lua's ``mod.sub``). The first existing
    file wins: the path as spelled when it already ends with one of ``suffixes`` (or there are
    none), else the path with each suffix added."""

    paths: tuple[str, ...] = ()
    suffixes: tuple[str, ...] = ()
    separator: str | None = None

    @classmethod
    def from_table(cls, table: object, path: Path) -> ImportRules | None:
        if table is None:
            return None
        if not isinstance(table, dict) or set(table) - {"paths", "suffixes", "separator"}:
            raise LanguageError(f"{path}: [imports] takes paths, suffixes and separator")
        paths = tuple(str(p) for p in table.get("paths", []))
        for folder in paths:
            if not folder.startswith(("{root}", "{dir}")) or ".." in folder.split("/"):
                raise LanguageError(f"{path}: [imports] paths start with {{root}} or {{dir}}: {folder!r}")
        separator = table.get("separator")
        return cls(
            paths=paths,
            suffixes=tuple(str(s) for s in table.get("suffixes", [])),
            separator=str(separator) if separator else None,
        )


def _regex(value: object, path: Path, setting: str = "block_opener") -> str | None:
    if value is None:
        return None
    try:
        re.compile(str(value))
    except re.error as exc:
        raise LanguageError(f"{path}: {setting} is not a regular expression: {exc}") from exc
    return str(value)


@dataclass
class Language:
    spec: LanguageSpec
    _queries: dict[str, ts.Query | None] = field(default_factory=dict, repr=False)
    #: Why a query did not compile, by kind.
    query_problems: dict[str, str] = field(default_factory=dict, repr=False)

    def opens_block(self, line: str) -> bool:
        """Whether ``line`` opens a block by this language's own sign (``block_opener``)."""
        return self._block_opener is not None and self._block_opener.search(line.rstrip()) is not None

    @cached_property
    def _block_opener(self) -> re.Pattern[str] | None:
        return re.compile(self.spec.block_opener) if self.spec.block_opener else None

    def leads_definition(self, text: bytes) -> bool:
        """Whether a statement with this text, directly above a definition, belongs to it
        (``leading_attribute``)."""
        return self._leading_attribute is not None and self._leading_attribute.match(text) is not None

    @cached_property
    def _leading_attribute(self) -> re.Pattern[bytes] | None:
        pattern = self.spec.leading_attribute
        return re.compile(pattern.encode("utf-8")) if pattern else None

    @property
    def name(self) -> str:
        return self.spec.name

    @property
    def ts_language(self) -> ts.Language:
        loaded = self._grammar
        if isinstance(loaded, LanguageError):
            raise LanguageError(str(loaded))
        return loaded

    @cached_property
    def _grammar(self) -> ts.Language | LanguageError:
        """The grammar, or why it does not load: tried once, not again for each file of the
        language read (the crawl's, every request's imported ones)."""
        module_name, _, func = self.spec.grammar.partition(":")
        try:
            module = importlib.import_module(module_name)
            return ts.Language(getattr(module, func or "language")())
        except (ImportError, AttributeError, ValueError) as exc:
            return LanguageError(
                f"grammar for {self.name} is not available; install the "
                f"'{self.spec.package}' package ({exc})"
            )

    def parser(self) -> ts.Parser:
        return ts.Parser(self.ts_language)

    @cached_property
    def shared_parser(self) -> ts.Parser:
        """One parser for every document of this language (the server parses on one thread)."""
        return self.parser()

    def query_source(self, kind: str) -> str | None:
        for folder in (self.spec.folder, *(self.spec.folder.parent / name for name in self.spec.inherits)):
            path = folder / f"{kind}.scm"
            if path.is_file():
                return with_inherited(path, kind)
        return None

    def query(self, kind: str) -> ts.Query | None:
        """The compiled query of that kind, or None when the folder has none or it does not
        compile (then logged once, and reported by ``doctor``)."""
        if kind not in self._queries:
            language = self.ts_language  # a grammar that does not load is the caller's to tell
            try:
                source = self.query_source(kind)
                began = time.perf_counter()
                self._queries[kind] = ts.Query(language, source) if source else None
                if source:
                    # It holds the GIL (and so the event loop) all along: what a first request
                    # in a new language waits for.
                    log.debug("%s's %s query compiled in %.0f ms", self.name, kind, (time.perf_counter() - began) * 1000)
            except (LanguageError, OSError, ValueError) as exc:
                # A grammar wheel newer than its queries (a node type renamed, an unpinned
                # upgrade) raised here in every request: no completion at all in the language.
                # Without the query, the language has what a folder without it has.
                self._queries[kind] = None
                self.query_problems[kind] = str(exc)
                log.warning("%s query of %s: %s", kind, self.name, exc)
        return self._queries[kind]

    def queries_compiled(self, kinds: tuple[str, ...] = QUERY_KINDS) -> bool:
        return all(kind in self._queries for kind in kinds)

    async def compile_queries(
        self, kinds: tuple[str, ...] = QUERY_KINDS, pause: Callable[[], Awaitable[object]] = lambda: asyncio.sleep(0)
    ) -> None:
        """Compile the queries not compiled yet, one at a time, letting the event loop run
        between them (``pause``: awaited before each, a wait for no request under way). Started when a document of the language opens, so that its first
        completion does not compile them (C++'s take 0.5 s, Swift's 0.35 s, 1.5 s before its function
        patterns were made cheap to check: grammars/README.md). Not in a worker
        thread: py-tree-sitter 0.26 holds the GIL while it builds a query, which stalls the
        event loop as much; between two queries requests are answered, and one that needs a
        query not compiled yet compiles it itself (:meth:`query` never compiles one twice)."""
        for kind in kinds:
            if kind in self._queries:
                continue
            await pause()
            try:
                self.query(kind)
            except LanguageError as exc:
                # Its grammar is missing: told when a file of it is read (``for_document``).
                log.debug("%s", exc)
                return


_INHERITS = re.compile(r"^;+\s*inherits:\s*(\S.*?)\s*$")


def with_inherited(path: Path, kind: str, seen: set[Path] | None = None) -> str:
    """A query file's text after the query files of the same kind it names in an
    ``; inherits: javascript`` line of its leading comments (nvim-treesitter's modeline):
    TypeScript's imports are JavaScript's and a few of its own, kept in one place. A file
    reached twice (named twice, through two parents, or in a loop) is read once."""
    seen = set() if seen is None else seen
    seen.add(path.resolve())
    text = path.read_text(encoding="utf-8")
    parents: list[str] = []
    for line in text.splitlines():
        if not line.startswith(";"):
            if line.strip():
                break
            continue
        found = _INHERITS.match(line)
        if found:
            parents += [name.strip() for name in found.group(1).split(",") if name.strip()]
    inherited = []
    for name in parents:
        parent = path.parent.parent / name / f"{kind}.scm"
        if not parent.is_file():
            raise LanguageError(f"{path}: inherits {name}, which has no {kind}.scm")
        if parent.resolve() not in seen:
            inherited.append(with_inherited(parent, kind, seen))
    return "\n".join([*inherited, text])


class LanguageRegistry:
    def __init__(self, languages: list[Language], problems: list[str] | None = None) -> None:
        self._by_name = {lang.name: lang for lang in languages}
        self._by_id: dict[str, Language] = {}
        self._by_ext: dict[str, Language] = {}
        self._by_filename: dict[str, Language] = {}
        for lang in languages:
            for lid in lang.spec.language_ids:
                self._by_id.setdefault(lid, lang)
            for ext in lang.spec.extensions:
                self._by_ext.setdefault(ext, lang)
            for fname in lang.spec.filenames:
                self._by_filename.setdefault(fname, lang)
        self.problems = problems or []
        #: The languages whose grammar did not load, told once each.
        self._told: set[str] = set()

    @classmethod
    def load(cls, root: Path | None = None) -> LanguageRegistry:
        root = root or grammars_root()
        languages, problems = [], []
        for folder in sorted(p for p in root.iterdir() if p.is_dir()) if root.is_dir() else []:
            if not (folder / "language.toml").is_file():
                continue
            try:
                languages.append(Language(LanguageSpec.from_folder(folder)))
            except LanguageError as exc:
                problems.append(str(exc))
        return cls(languages, problems)

    def __iter__(self):
        return iter(self._by_name.values())

    def names(self) -> list[str]:
        return sorted(self._by_name)

    def get(self, name: str) -> Language | None:
        return self._by_name.get(name)

    def for_filename(self, name: str) -> Language | None:
        """By the file's name or extension alone; its grammar is not loaded."""
        return self._by_filename.get(name) or self._by_ext.get(PurePosixPath(name).suffix.lower())

    def for_document(self, language_id: str | None, uri: str) -> Language | None:
        """The language id wins; an unknown id falls back to the file extension."""
        lang = self._by_id.get(language_id or "")
        if lang is None:
            name = uri_basename(uri)
            lang = self._by_filename.get(name)
            if lang is None:
                lang = self._by_ext.get(PurePosixPath(name).suffix.lower())
        if lang is None:
            return None
        try:
            lang.ts_language  # noqa: B018 - import the grammar now so a missing wheel is reported here
        except LanguageError as exc:
            # Once: a workspace's 2,000 headers of a language without its grammar were as many
            # warnings in the editor's log, and an imported one another at every keystroke.
            if lang.name not in self._told:
                self._told.add(lang.name)
                log.warning("%s", exc)
            return None
        return lang


@functools.cache
def grammar_names() -> frozenset[str]:
    """The names of the languages with a folder under ``grammars/``, lower case (their
    grammars not loaded): those whose comments and strings the completion's scanner reads."""
    return frozenset(name.lower() for name in LanguageRegistry.load().names())


def uri_basename(uri: str) -> str:
    parsed = urlparse(uri)
    path = unquote(parsed.path or uri)
    return PurePosixPath(path).name
