"""Go imports: a package of the module the file belongs to, and the file's own package."""

from __future__ import annotations

import os
import re
from collections.abc import Iterable
from pathlib import Path

from cachetools import LRUCache

from ..symbol_store import racy
from .project_files import _folders_up, _kept_a_moment, _read_small, _read_when_changed

#: Files read from one Go package (a folder): the first by name. The time box decides how many
#: are indexed in time; this keeps a package of a hundred files from filling the list.
MAX_PACKAGE_FILES = 12
_GO_MODULE = re.compile(rb"^\s*module\s+\"?([^\s\"]+)", re.MULTILINE)


def _go_files(folder: Path, skip: Path | None = None, tests: bool = False) -> list[Path]:
    """A package's files, its tests left out unless ``tests``: a test file's package holds
    the other test files too, whose helpers it calls (``newTestStore(t)`` in helpers_test.go)."""
    if not folder.is_dir():
        return []
    files = [p for p in folder.glob("*.go") if (tests or not p.name.endswith("_test.go")) and p != skip]
    # By name, the package's own files first: the code under test, then the test helpers.
    return sorted(files, key=lambda p: (p.name.endswith("_test.go"), p.name))[:MAX_PACKAGE_FILES]


#: By folder, the names of its Go files and the folder's modification time when listed.
_package_names: LRUCache[str, tuple[int, list[str]]] = LRUCache(maxsize=64)


def package_file_names(folder: Path) -> list[str]:
    """The names of the Go files in ``folder``, in order, listed again once files were added
    or removed (the folder's time changed): at each ``c.|`` its struct's package is read for
    the methods declared on it (context/lookup.py), and a folder of 5,000 generated files
    listed anew took ~4 ms of every keystroke's request."""
    try:
        stamp = os.stat(folder).st_mtime_ns
        known = _package_names.get(str(folder))
        if known is not None and known[0] == stamp:
            return known[1]
        names = sorted(e.name for e in os.scandir(folder) if e.name.endswith(".go"))
    except OSError:  # gone, or a folder the server may not read: no other files
        return []
    if not racy(stamp):  # (a file added in the same clock tick would not change it)
        _package_names[str(folder)] = (stamp, names)
    return names


def _resolve_go(source: str, doc_path: Path, roots: Iterable[Path]) -> list[Path]:
    """A package of the module the file belongs to (``example.com/app/internal/store`` with
    ``module example.com/app`` in the nearest go.mod): the folder's files, tests left out.
    The empty source is the file's own package (its folder), with its tests for a test file."""
    if source == "":
        if not doc_path.name.endswith(".go"):
            return []
        return _go_files(doc_path.parent, skip=doc_path, tests=doc_path.name.endswith("_test.go"))
    for folder in _folders_up(doc_path, roots):
        go_mod = folder / "go.mod"
        if go_mod.is_file():
            # The nearest go.mod decides: its own module, then those the build takes from the
            # workspace; another module's package is a dependency.
            for module, base in ((_module_of(go_mod), folder), *_local_modules(go_mod, roots)):
                found = _package_folder(source, module, base)
                if found is not None:
                    return _go_files(found, skip=doc_path)
            return []
    return []


def _module_of(go_mod: Path) -> str:
    found = _GO_MODULE.search(_read_small(go_mod))
    return found.group(1).decode("utf-8", "replace") if found else ""


def _package_folder(source: str, module: str, base: Path) -> Path | None:
    """The folder of package ``source`` in ``module`` (at ``base``), None when not its."""
    if not module or not (source == module or source.startswith(module + "/")):
        return None
    rest = [part for part in source[len(module) :].split("/") if part]
    return None if ".." in rest else base.joinpath(*rest)


#: A ``replace`` by a folder (go.mod, go.work): ``example.com/shared => ../shared``, alone or in
#: a ``replace (...)`` block; one by another module's version is a dependency.
_GO_LOCAL_REPLACE = re.compile(rb"^\s*(?:replace\s+)?([^\s()]+)(?:\s+v\S+)?\s*=>\s*(\.{1,2}/\S*|/\S+)\s*$", re.MULTILINE)
_GO_WORK_USE = re.compile(rb"^\s*use\s+(?:\(([^)]*)\)|(\S+))", re.MULTILINE)


def _local_modules(go_mod: Path, roots: Iterable[Path]) -> list[tuple[str, Path]]:
    roots = list(roots)
    return _kept_a_moment(("go", str(go_mod), *map(str, roots)), lambda: _find_local_modules(go_mod, roots))


def _find_local_modules(go_mod: Path, roots: Iterable[Path]) -> list[tuple[str, Path]]:
    """(module path, folder) of the modules the build of ``go_mod``'s module takes from the
    workspace: those its go.mod replaces by a folder, and those of the nearest go.work above it
    (its ``use`` lines, its replaces). Only the file's own module was read: in a go.work
    monorepo, or with ``replace example.com/shared => ../shared``, an import of the shared
    module's package brought none of its definitions."""
    out = list(_read_when_changed(go_mod, _local_replaces) or [])
    for folder in _folders_up(go_mod, roots):
        work = folder / "go.work"
        if work.is_file():
            out += _read_when_changed(work, _work_modules) or []
            break
    return out


def _work_modules(work: Path) -> list[tuple[str, Path]]:
    """A go.work's modules: its ``use`` lines' and its replaces by a folder."""
    out = _local_replaces(work)
    for block, single in _GO_WORK_USE.findall(_read_small(work)):
        for line in (block or single).decode("utf-8", "replace").splitlines():
            name = line.split("//")[0].strip().strip('"')
            used = Path(os.path.normpath(work.parent / name))
            if name and (used / "go.mod").is_file():
                out.append((_module_of(used / "go.mod"), used))
    return out


def _local_replaces(path: Path) -> list[tuple[str, Path]]:
    return [
        (module.decode("utf-8", "replace"), Path(os.path.normpath(path.parent / target.decode("utf-8", "replace"))))
        for module, target in _GO_LOCAL_REPLACE.findall(_read_small(path))
    ]
