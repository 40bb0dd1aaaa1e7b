"""Where a Python import may start: the package's parent, the project's and the workspace's
folders with their ``src`` and the folders their pyproject.toml names."""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

from .project_files import _dig, _folders_up, _kept_a_moment, _read_when_changed, _toml


def _python_source_roots(doc_path: Path, roots: Iterable[Path]) -> list[Path]:
    roots = list(roots)
    key = ("python", str(doc_path.parent), *map(str, roots))
    return _kept_a_moment(key, lambda: _find_python_source_roots(doc_path, roots))


def _find_python_source_roots(doc_path: Path, roots: Iterable[Path]) -> list[Path]:
    """Where ``import pkg.mod`` may start: the folder above the package the importing file is
    in (its own folder when it is in none), the nearest project folder above it and the
    workspace folders, each with its ``src`` (the src layout PyPA recommends) and the folders
    its pyproject.toml gives setuptools (``where``, ``package-dir``). Only the
    workspace folders were tried: in a src-layout project no import of its own package was
    followed."""
    out: list[Path] = []
    top = doc_path.parent
    while (top / "__init__.py").is_file() and top.parent != top:
        top = top.parent
    # Outside a package, the file's own folder: a script's, first on ``sys.path`` (and a test
    # folder's without ``__init__.py``, as pytest imports it). Not tried, a monorepo service's
    # ``import config`` found nothing, or the workspace folder's ``config.py``.
    out.append(top)
    # The nearest project of a monorepo's (``packages/billing/pyproject.toml``, installed
    # editable): its own src or pyproject folders. Only the workspace folder's were tried, and
    # a package's tests importing it named nothing.
    for folder in _folders_up(doc_path, roots):
        if (folder / "pyproject.toml").is_file() or (folder / "setup.py").is_file():
            out += [folder, *_pyproject_dirs(folder)]
            if (folder / "src").is_dir():
                out.append(folder / "src")
            break
    for root in roots:
        out.append(root)
        out.extend(_pyproject_dirs(root))
        if (root / "src").is_dir():
            out.append(root / "src")
    # The other members of the uv workspace the file is in (``packages/api`` importing
    # ``core`` of ``packages/core/src``, installed editable): not tried, such an import named
    # nothing.
    for folder in _folders_up(doc_path, roots):
        members = _read_when_changed(folder / "pyproject.toml", _uv_workspace_members)
        if members:
            out += members
            break
    return list(dict.fromkeys(out))


#: Members of a uv workspace read at most (``members`` are globs: ``packages/*``).
MAX_WORKSPACE_MEMBERS = 64


def _uv_workspace_members(pyproject: Path) -> list[Path]:
    """The source folders of the members of the uv workspace ``pyproject`` declares
    (``[tool.uv.workspace] members``, less ``exclude``): each member's folder, its src/ and
    those its own pyproject.toml names; none when it declares no workspace."""
    root = pyproject.parent
    workspace = _dig(_toml(pyproject), "tool", "uv", "workspace")
    if not isinstance(workspace, dict):
        return []

    def matched(key: str) -> list[Path]:
        globs = workspace.get(key)
        globs = [g for g in globs if isinstance(g, str) and g and not os.path.isabs(g)] if isinstance(globs, list) else []
        return [Path(os.path.normpath(p)) for g in globs for p in sorted(root.glob(g))]

    excluded = set(matched("exclude"))
    out: list[Path] = []
    for member in list(dict.fromkeys(matched("members")))[:MAX_WORKSPACE_MEMBERS]:
        if member in excluded or not member.is_relative_to(root) or not (member / "pyproject.toml").is_file():
            continue
        out += [member, *_pyproject_dirs(member)]
        if (member / "src").is_dir():
            out.append(member / "src")
    return out


def _pyproject_dirs(root: Path) -> list[Path]:
    return _read_when_changed(root / "pyproject.toml", _source_dirs_in_pyproject) or []


def _source_dirs_in_pyproject(pyproject: Path) -> list[Path]:
    root = pyproject.parent
    data = _toml(pyproject)
    found: list[str] = []
    where = _dig(data, "tool", "setuptools", "packages", "find", "where")
    found += [w for w in where if isinstance(w, str)] if isinstance(where, list) else []
    package_dir = _dig(data, "tool", "setuptools", "package-dir", "")
    found += [package_dir] if isinstance(package_dir, str) else []
    # Hatch names the packages' own folders (``server/deepseek_lsp``): their parent is the root.
    hatch = _dig(data, "tool", "hatch", "build", "targets", "wheel", "packages")
    found += [os.path.dirname(p.rstrip("/")) or "." for p in hatch if isinstance(p, str)] if isinstance(hatch, list) else []
    # Poetry: ``packages = [{include = "shop", from = "src"}]``.
    poetry = _dig(data, "tool", "poetry", "packages")
    found += [e["from"] for e in poetry if isinstance(e, dict) and isinstance(e.get("from"), str)] if isinstance(poetry, list) else []
    dirs = [Path(os.path.normpath(root / d)) for d in dict.fromkeys(found)]
    return [d for d in dirs if d.is_relative_to(root) and d.is_dir()]
