"""Following a file's re-exports to the files that define the names imported through it.

A barrel defines none of the names it passes on: ``index.ts`` or ``internal.ts`` with
``export * from "./x"`` and ``export { a } from "./y"``, a package's ``__init__.py`` with
``from ._client import Client``. Context read the barrel and found nothing (mobx and immer
import everything from ``internal.ts``): the files it re-exports the wanted names from are read
too, one or two re-exports deep.

The cost is kept off the request: what a file re-exports is read when it is indexed
(``FileIndex.reexports``, from the imports query's ``@import.reexport`` matches); a named
re-export is resolved only when its name is wanted (the resolution is cached); the names an
``export *`` passes on are known only from the targets' indexes, so they are collected once per
barrel into a table, kept while the barrel is unchanged (and 30 s: a name added to a target
shows then).
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from cachetools import TTLCache

from .imports import readable_import, resolve_local_imports_cached
from .languages import ImportRules, Language

if TYPE_CHECKING:
    from .context import FileIndex, Indexer

#: Re-exports followed from an imported file: ``internal.ts`` -> ``index.ts`` of a folder -> the
#: file defining the name; each level more multiplies the files read.
MAX_REEXPORT_HOPS = 2
#: Files read to learn what a barrel's ``export *`` lines pass on: a components or icons folder's
#: index.ts has a hundred of them, and the names of those past the first 48 (the imported
#: files' cap it was) were never found. Read within the request's time box (the rest while the
#: user pauses), and once per barrel (``_tables``).
MAX_BARREL_FILES = 160


@dataclass
class ReExports:
    """What a file passes on, and how its sources are resolved (its own language's way)."""

    language: str
    rules: ImportRules | None
    #: Name exported -> the sources that may define it (Python's ``from . import x``: the
    #: package, then its submodule ``.x``).
    named: dict[str, list[str]] = field(default_factory=dict)
    #: Sources every name of which is passed on (``export * from``, ``from m import *``).
    star: list[str] = field(default_factory=list)
    #: Name exported -> the name its sources define it by (``export { a as b }``).
    renamed: dict[str, str] = field(default_factory=dict)
    #: Names exported that are their source's default export (``export { default as b }``).
    defaults: set[str] = field(default_factory=set)


def add_reexport(
    found: ReExports | None, lang: Language, path: str, sources: list[str], bound: list[tuple[str, str | None]]
) -> ReExports | None:
    """``found`` with one ``@import.reexport`` match added: its ``sources`` and the names it
    ``bound`` (name, original name or None); no name is ``export *``."""
    python = lang.name == "python"
    if python and bound and path.rsplit("/", 1)[-1] != "__init__.py":
        # A module's named imports are for its own use; a package's __init__.py imports to
        # pass on (and `*` anywhere does).
        return found
    if found is None:
        found = ReExports(lang.name, lang.spec.imports)
    if not bound:
        found.star.extend(s for s in sources if s not in found.star)
        return found
    for name, original in bound:
        # Renamed (`export { a as b }`), the definition bears another name, looked up along
        # with the one wanted; `export { default as Button }` is the file's default, most
        # often a Button.
        if original not in (None, name, "default"):
            found.renamed[name] = original
        elif original == "default":
            found.defaults.add(name)
        targets = found.named.setdefault(name, [])
        for source in sources:
            targets.append(source)
            if python:  # `from . import models`: the submodule
                module = found.renamed.get(name, name)
                targets.append(source + module if source.strip(".") == "" else f"{source}.{module}")
    return found


#: Per barrel: name -> (file defining it, re-exports taken), from its ``export *`` sources.
_Table = dict[str, list[tuple[Path, int]]]
_TableKey = tuple[str, float, int, tuple[str, ...], tuple[str, ...]]
_tables: TTLCache[_TableKey, _Table] = TTLCache(maxsize=128, ttl=30.0)


class ReExportFollower:
    """Adds to a request's list of imported files those their re-exports name, for the
    ``wanted`` names, up to ``max_files`` in all; reads what the imports may read."""

    def __init__(
        self,
        indexer: Indexer,
        doc_path: Path,
        wanted: Sequence[str],
        roots: Sequence[Path],
        exclude: Sequence[str],
        deadline: float,
        max_files: int,
    ) -> None:
        self.indexer = indexer
        self.wanted = wanted
        self.roots = roots
        self.exclude = exclude
        self.deadline = deadline
        self.max_files = max_files
        # Re-exports taken to reach a file; the document is read from its buffer (mobx's
        # internal.ts passes on the names of the file being edited).
        self._hops: dict[Path, int] = {doc_path: MAX_REEXPORT_HOPS}
        self._seen: set[Path] | None = None
        #: Wanted name -> the name a barrel renamed it from (look that up too).
        self.aliases: dict[str, str] = {}
        #: Wanted name -> the files whose default export a barrel passes on under it: the
        #: definition bears the name the file declares (``export default function Button``).
        self.defaults: dict[str, list[Path]] = {}
        #: File -> the files whose default export it passes on as its own (a component
        #: folder's index.ts: ``export { default } from "./Button"``).
        self.default_of: dict[Path, list[Path]] = {}

    def extend(self, pending: list[Path], path: Path, index: FileIndex) -> None:
        """Appends to ``pending`` the files ``path`` (indexed as ``index``) re-exports wanted
        names from, not yet in it."""
        if index.reexports is None:
            return
        taken = self._hops.get(path, 0)
        if taken >= MAX_REEXPORT_HOPS:
            return
        if self._seen is None:
            self._seen = {*pending, *self._hops}
        for target, hops in self._targets(path, index, MAX_REEXPORT_HOPS - taken):
            if len(pending) >= self.max_files:
                break
            if target not in self._seen:
                self._seen.add(target)
                self._hops[target] = taken + hops
                pending.append(target)

    def _targets(self, path: Path, index: FileIndex, hops: int) -> list[tuple[Path, int]]:
        found = index.reexports
        assert found is not None
        named = found.named
        table = self._table(path, index, hops) if found.star else {}
        out: dict[Path, int] = {}
        for name in self.wanted:
            if name in named:
                for target in resolve_local_imports_cached(named[name], path, self.roots, found.language, found.rules):
                    out.setdefault(target, 1)
                    if name in found.defaults:
                        self.defaults.setdefault(name, []).append(target)
                    if name == "default":
                        self.default_of.setdefault(path, []).append(target)
                if name in found.renamed:
                    self.aliases.setdefault(name, found.renamed[name])
            for target, taken in table.get(name, ()):
                out.setdefault(target, taken)
        out.pop(path, None)
        return list(out.items())

    def _table(self, path: Path, index: FileIndex, hops: int) -> _Table:
        key = (str(path), index.built_at, hops, tuple(map(str, self.roots)), tuple(self.exclude))
        table = _tables.get(key)
        if table is None:
            build = _TableBuild(self, budget=MAX_BARREL_FILES)
            table = build.star_names(path, index, hops, frozenset())
            # One left out for lack of time is indexed while the user pauses: looked for again.
            if build.complete:
                _tables[key] = table
        return table


class _TableBuild:
    """One barrel's table, built within the request's time box and ``budget`` files."""

    def __init__(self, follower: ReExportFollower, budget: int) -> None:
        self.f = follower
        self.budget = budget
        self.complete = True

    def star_names(self, path: Path, index: FileIndex, hops: int, visiting: frozenset[Path]) -> _Table:
        found = index.reexports
        table: _Table = {}
        if found is None or not found.star:
            return table
        f = self.f
        visiting = visiting | {path}
        for target in resolve_local_imports_cached(found.star, path, f.roots, found.language, found.rules):
            if target in visiting:
                continue  # a cycle of barrels
            if self.budget <= 0:
                break  # the rest is never read
            if time.monotonic() > f.deadline and len(f.indexer.deferred) >= f.indexer.MAX_DEFERRED:
                self.complete = False  # no file more can be left for the pause: the next request's
                break
            idx = self._index(target)
            if idx is None:
                continue
            for name, definitions in idx.definitions.items():
                # What a module passes on is its top level: a method named `get` in forty
                # files would bring them all.
                if definitions[0].kind != "method" or any(d.kind != "method" for d in definitions):
                    table.setdefault(name, []).append((target, 1))
            if hops > 1 and idx.reexports is not None:
                for name, hits in self._passed_on(target, idx, hops - 1, visiting).items():
                    table.setdefault(name, []).extend((p, taken + 1) for p, taken in hits)
        return table

    def _index(self, target: Path) -> FileIndex | None:
        f = self.f
        real = readable_import(target, f.roots, f.exclude)
        if real is None:
            return None
        self.budget -= 1
        # Past the time box, a file not indexed yet is left to ``deferred`` (a stat each), to
        # be indexed while the user pauses and looked for again at the next request.
        idx = f.indexer.for_file(real, deadline=f.deadline)
        if idx is None and (real in f.indexer.deferred or time.monotonic() > f.deadline):
            self.complete = False
        return idx

    def _passed_on(self, path: Path, index: FileIndex, hops: int, visiting: frozenset[Path]) -> _Table:
        """Every name a re-exporting target passes on (a barrel under a barrel)."""
        found = index.reexports
        assert found is not None
        table = self.star_names(path, index, hops, visiting)
        by_sources: dict[tuple[str, ...], list[str]] = {}
        for name, sources in found.named.items():
            by_sources.setdefault(tuple(sources), []).append(name)
        f = self.f
        for sources, names in by_sources.items():
            for target in resolve_local_imports_cached(sources, path, f.roots, found.language, found.rules):
                if target not in visiting:
                    for name in names:
                        table.setdefault(name, []).append((target, 1))
        return table

