"""A file's record: what reviewing its exact text found out before any answer was looked up.

Parsing a file with tree-sitter to cut it into units and key them costs some 40 ms a file; a
second ``deepseek-lsp review`` over unchanged files paid that for every file only to find every
answer in the cache. The record, keyed on the file's bytes, name and the settings that shape
its units and keys, holds each unit's cache key and lines, and the imported files those keys
depend on (their signatures are part of the keys): while none of those changed, the keys are
the ones a parse would compute, so the answers are looked up without parsing.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .. import __version__
from ..config import Settings
from ..documents import Document
from ..imports import readable_import, resolve_local_imports_cached, sibling_type_files_of_each
from ..privacy import file_path
from .units import Unit, line_at_index

#: Bumped when what a record holds, or how units are cut, changes without a new release.
RECORD_VERSION = "4"


@dataclass(frozen=True)
class RecordedUnit:
    """What placing a unit's cached findings needs of it (see ``engine._from_cache``)."""

    name: str
    lines: tuple[tuple[int, int], ...]
    #: The document lines of its non-blank lines, in order (``Unit.line_at_index``'s answers).
    rows: tuple[int, ...]
    key: str
    legacy: str | None
    kind: str

    def contains_line(self, line: int) -> bool:
        return any(lo <= line <= hi for lo, hi in self.lines)

    def line_at_index(self, index: int) -> int:
        return line_at_index(self.rows, index, self.lines[-1][1])


def record_key(doc: Document, answer: Sequence[str], roots: Sequence[Path], exclude: Sequence[str]) -> str:
    """Everything a parse's units and keys depend on but the imported files (checked apart):
    the text, where it is in its project (imports resolve from there), the settings in every
    key, and the exclusions that decide which imported files are read. Where the project is
    on disk is not in it: a CI runner checks the repository out in a new folder for each job,
    and every file missed its record there (the imported files, which the roots decide, are
    checked by ``dependencies_unchanged``)."""
    digest = hashlib.sha256()
    language = doc.language.name if doc.language else ""
    path = file_path(doc.uri)
    where = in_project(path, _roots(roots, path)) if path is not None else doc.uri
    for part in (RECORD_VERSION, __version__, *answer, language, where, "", *exclude):
        digest.update(part.encode("utf-8", "surrogateescape") + b"\0")
    digest.update(doc.data)
    return digest.hexdigest()


def in_project(path: Path, roots: Sequence[Path]) -> str:
    """``path`` as a record names it: relative to the innermost of ``roots`` holding it (by the
    name given or the one it resolves to, as imported files are read), after that root's place
    in ``roots``; the whole path for a file outside them all."""
    best: tuple[int, int, Path] | None = None
    for i, root in enumerate(roots):
        for spelt in dict.fromkeys((root, Path(os.path.realpath(root)))):
            if path.is_relative_to(spelt) and (best is None or len(spelt.parts) > len(best[2].parts)):
                best = (i, len(spelt.parts), spelt)
    if best is None:
        return str(path)
    return f"{best[0]}:{path.relative_to(best[2]).as_posix()}"


def _roots(roots: Sequence[Path], path: Path | None) -> list[Path]:
    """The roots imports are resolved from (the file's folder when there are none)."""
    return list(roots) or ([path.parent] if path is not None else [])


def file_digest(path: Path) -> str | None:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return None


def dependencies(
    sources: Sequence[str],
    wanted: Sequence[Sequence[str]],
    targets: Sequence[tuple[Path, Path | None]],
    roots: Sequence[Path],
) -> dict[str, Any]:
    """The imported files a parse read for its keys: the import sources and names that found
    them (to find them again without a parse), and each file, by its place in the project
    (``in_project``), with its content."""
    return {
        "sources": list(sources),
        # Each unit's types: the files beside the document are found for each unit apart.
        "types": [list(names) for names in wanted],
        "files": [
            [in_project(t, roots), in_project(r, roots) if r else None, file_digest(r) if r else None]
            for t, r in targets
        ],
    }


def dependencies_unchanged(doc: Document, deps: dict[str, Any], roots: Sequence[Path], settings: Settings) -> bool:
    """Whether the imports resolve to the same files, with the same contents, as when recorded:
    a new module that an import now finds, or an imported signature edited, changes keys."""
    doc_path = file_path(doc.uri)
    language = doc.language
    if doc_path is None or language is None:
        return False
    roots = _roots(roots, doc_path)
    try:
        imported = resolve_local_imports_cached(deps["sources"], doc_path, roots, language.name, language.spec.imports)
        found = dict.fromkeys([*imported, *sibling_type_files_of_each(doc_path, deps["types"], language.name)])
        files = deps["files"]
        if [in_project(t, roots) for t in found] != [f[0] for f in files]:
            return False
        for target, (_, real, digest) in zip(found, files, strict=True):
            now = readable_import(target, roots, settings.exclude)
            if (in_project(now, roots) if now else None) != real or (now is not None and file_digest(now) != digest):
                return False
    except (OSError, ValueError, KeyError, TypeError):
        return False
    return True


def to_json(units: Sequence[tuple[Unit, str, str | None]], deps: dict[str, Any] | None) -> dict[str, Any]:
    return {
        "units": [
            [u.name, [list(r) for r in u.lines], _runs(u.non_blank_rows()), key, legacy, u.kind] for u, key, legacy in units
        ],
        "deps": deps,
    }


def _runs(rows: Sequence[int]) -> list[list[int]]:
    """``rows`` as ``[first, last]`` runs of consecutive lines: a line number each made a
    3,000-line file's record some 15 kB, most blank lines being far apart."""
    runs: list[list[int]] = []
    for row in rows:
        if runs and runs[-1][1] == row - 1:
            runs[-1][1] = row
        else:
            runs.append([row, row])
    return runs


def recorded_units(record: dict[str, Any]) -> list[RecordedUnit] | None:
    """The record's units, or None when it is not one this version wrote."""
    try:
        units = [
            RecordedUnit(
                str(name),
                tuple((int(lo), int(hi)) for lo, hi in lines),
                tuple(row for lo, hi in runs for row in range(int(lo), int(hi) + 1)),
                str(key),
                legacy,
                str(kind),
            )
            for name, lines, runs, key, legacy, kind in record["units"]
        ]
    except (KeyError, TypeError, ValueError):
        return None
    if any(not u.lines or not isinstance(u.legacy, (str, type(None))) for u in units):
        return None
    return units
