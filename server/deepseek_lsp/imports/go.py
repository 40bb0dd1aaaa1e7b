"""Go imports: a package of the module the file belongs to, and the file's own package."""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path

from .project_files import _folders_up, _read_small

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
            found = _GO_MODULE.search(_read_small(go_mod))
            module = found.group(1).decode("utf-8", "replace") if found else ""
            if module and (source == module or source.startswith(module + "/")):
                rest = [part for part in source[len(module) :].split("/") if part]
                if ".." not in rest:
                    return _go_files(folder.joinpath(*rest), skip=doc_path)
            return []  # the nearest go.mod decides: another module's package is a dependency
    return []
