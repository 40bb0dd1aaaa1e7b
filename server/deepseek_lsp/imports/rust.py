"""Rust modules as rustc finds their files: ``crate::``, ``self::``, ``super::``, ``mod x;`` and
use trees."""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from .project_files import _folders_up, _kept_a_moment, _read_when_changed, _toml


def _rust_module_file(base: Path, parts: Sequence[str], down_to: int = 1) -> list[Path]:
    """``base/a/b.rs`` or ``base/a/b/mod.rs`` for the module path ``a::b``: the first that is
    a file, trying shorter paths (``a::b::Item`` names an item of ``a::b``) down to
    ``down_to`` parts; none is the file of the module whose folder is ``base`` itself
    (``crate::Error`` is in lib.rs, ``super::Header`` in the parent's mod.rs)."""
    for n in range(len(parts), down_to - 1, -1):
        if not all(re.fullmatch(r"[A-Za-z_]\w*", p) for p in parts[:n]):
            continue
        if n == 0:
            own = (base / "mod.rs", base.parent / (base.name + ".rs"), base / "lib.rs", base / "main.rs")
            return [c for c in own if c.is_file()][:1]
        target = base.joinpath(*parts[:n])
        for cand in (target.with_name(target.name + ".rs"), target / "mod.rs"):
            if cand.is_file():
                return [cand]
    return []


#: Folders whose files are crate roots of their own (a test, a bench, an example, a binary).
_RUST_CRATE_FOLDERS = ("tests", "benches", "examples", "bin")  # bin: src/bin


def _is_rust_target_folder(folder: Path) -> bool:
    """tests/, benches/, examples/ or src/bin/ of a package: each file there is a crate root."""
    package = folder.parent.parent if folder.name == "bin" and folder.parent.name == "src" else folder.parent
    return folder.name in _RUST_CRATE_FOLDERS and (package / "Cargo.toml").is_file()


def _rust_crate_folder(doc_path: Path, roots: Iterable[Path]) -> tuple[Path, bool] | None:
    """The folder of the crate root the file belongs to: src/ of the nearest Cargo.toml, or
    tests/, benches/, examples/, src/bin/ for a file in them (each file there is a crate), or
    a folder of theirs with a main.rs (a target of several files, ``src/bin/admin/main.rs``,
    whose modules are beside its main.rs); and whether each file of that folder is a crate."""
    for folder in _folders_up(doc_path, roots):
        if (folder / "Cargo.toml").is_file():
            return folder / "src", False
        if _is_rust_target_folder(folder):
            return folder, True
        # Cargo's layout for a binary, example, test or bench of several files: read as
        # ``src/bin``'s files, ``mod cli;`` in src/bin/admin/main.rs was src/bin/admin/main/cli.rs.
        main = folder / "main.rs"
        if (main == doc_path or main.is_file()) and _is_rust_target_folder(folder.parent):
            return folder, False
    return None


#: Paths read from one use tree (``use crate::{a, b::{c, d}}``).
MAX_USE_TREE_PATHS = 32


def _rust_use_paths(tree: str) -> list[str]:
    """The paths a use tree names, its ``as`` renames and ``*`` left out:
    ``crate::{config::{load, Settings}, store as db, self}`` is ``crate::config::load``,
    ``crate::config::Settings``, ``crate::store`` and ``crate``."""
    out: list[str] = []
    pending = [("", tree)]
    while pending and len(out) < MAX_USE_TREE_PATHS:
        prefix, item = pending.pop(0)
        head, brace, rest = item.partition("{")
        path = [p.strip() for p in head.split(" as ")[0].split("::")]
        path = [p for p in path if p and p != "*"]
        lead = "::" if not prefix and item.strip().startswith("::") else ""
        if path == ["self"] and prefix:
            path = []  # ``{self, ...}``: the module the list is in
        base = "::".join(p for p in (prefix, lead + "::".join(path)) if p)
        if not brace:
            if base:
                out.append(base)
            continue
        # The list's items, split at the commas outside nested braces.
        depth, start, inner = 0, 0, rest[: rest.rfind("}")] if "}" in rest else rest
        for i, char in enumerate(inner + ","):
            depth += {"{": 1, "}": -1}.get(char, 0)
            if char == "," and depth == 0:
                if inner[start:i].strip():
                    pending.append((base, inner[start:i]))
                start = i + 1
    return list(dict.fromkeys(out))


def _resolve_rust(source: str, doc_path: Path, roots: Iterable[Path]) -> list[Path]:
    """A module of the crate, as rustc finds its file: ``crate::a::b`` under the crate root's
    folder (src/ of the nearest Cargo.toml; a test, bench, example or binary is a crate of its
    own), ``self::``/``super::`` and a bare ``mod x;`` or ``use x::Y`` from the file's own
    module folder (``foo.rs``'s children are in ``foo/``; ``mod.rs`` and a crate root own
    their folder). Another crate of the workspace is read from its library's root (see
    ``_rust_library``). A use tree (``crate::{config, store::Backend}``) is each of its paths."""
    if "{" in source:
        found: dict[Path, None] = {}
        for path in _rust_use_paths(source):
            found.update(dict.fromkeys(_resolve_rust(path, doc_path, roots)))
        return list(found)
    parts = [p for p in source.split("::") if p]
    if not parts:
        return []
    if source.startswith("::"):  # a crate's name, never a module of this one
        return _rust_extern_crate(parts, doc_path, roots)
    crate, one_file_crates = _rust_crate_folder(doc_path, roots) or (None, False)
    owns_folder = doc_path.name == "mod.rs" or (
        crate is not None and doc_path.parent == crate and (doc_path.name in ("lib.rs", "main.rs") or one_file_crates)
    )
    here = doc_path.parent if owns_folder else doc_path.parent / doc_path.stem
    if parts[0] == "crate":
        return [] if crate is None else _rust_module_file(crate, parts[1:], down_to=0)
    if parts[0] == "self":
        return _rust_module_file(here, parts[1:])
    if parts[0] == "super":
        # The parent module's children live where this file is (``foo.rs`` beside ``x.rs``),
        # or one up for a folder's ``mod.rs``.
        base = doc_path.parent.parent if owns_folder else doc_path.parent
        parts = parts[1:]
        while parts and parts[0] == "super":
            base, parts = base.parent, parts[1:]
        return _rust_module_file(base, parts, down_to=0)
    if len(parts) > 1 and not _declares_module(doc_path, parts[0]):
        # ``use log::info`` names a module of this one only where this file declares ``mod
        # log;`` (whose own import finds its file); else a crate. main.rs's ``use log::info``
        # read the library's src/log.rs, an unrelated file, into the prompt.
        return _rust_extern_crate(parts, doc_path, roots)
    return _rust_module_file(here, parts) or _rust_extern_crate(parts, doc_path, roots)


#: ``mod name;``, ``pub(crate) mod name;``, ``#[cfg(test)] mod tests;`` on a line of their own.
_MOD_DECLARATION = re.compile(
    r"^[ \t]*(?:#\[[^\]\n]*\][ \t]*)*(?:pub(?:\([^)\n]*\))?[ \t]+)?mod[ \t]+(r#)?([A-Za-z_]\w*)[ \t]*;", re.M
)


def _declared_modules(path: Path) -> frozenset[str]:
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return frozenset()
    return frozenset(m.group(2) for m in _MOD_DECLARATION.finditer(text))


def _declares_module(doc_path: Path, name: str) -> bool:
    """Whether the file declares ``mod name;`` as saved; a file not saved yet is taken to (its
    imports were followed so before it was first saved)."""
    declared = _read_when_changed(doc_path, _declared_modules)
    return declared is None or name in declared


def _rust_extern_crate(parts: Sequence[str], doc_path: Path, roots: Iterable[Path]) -> list[Path]:
    """``mycrate::a::b`` in another crate of the workspace: ``a/b.rs`` beside its library's
    root, or the root itself for an item it defines (``mycrate::run``)."""
    lib = _rust_library(doc_path, roots, parts[0])
    if lib is None or lib == doc_path:
        return []
    return _rust_module_file(lib.parent, parts[1:]) or [lib]


def _table(data: object, key: str) -> dict[str, Any]:
    value = data.get(key) if isinstance(data, dict) else None
    return value if isinstance(value, dict) else {}


def _library_of(manifest: Path) -> tuple[str, Path] | None:
    """A package's library: its crate name as code spells it (``my-app`` is ``my_app``) and
    its root file (``src/lib.rs`` or ``[lib] path``); None for a package without one."""
    data = _read_when_changed(manifest, _toml)
    lib = _table(data, "lib")
    name = lib.get("name") or _table(data, "package").get("name")
    path = lib.get("path") if isinstance(lib.get("path"), str) else "src/lib.rs"
    root = Path(os.path.normpath(manifest.parent / path))
    return (name.replace("-", "_"), root) if isinstance(name, str) and root.is_file() else None


def _rust_library(doc_path: Path, roots: Iterable[Path], name: str) -> Path | None:
    roots = list(roots)
    key = ("rust", str(doc_path.parent), name, *map(str, roots))
    return _kept_a_moment(key, lambda: _find_rust_library(doc_path, roots, name))


def _find_rust_library(doc_path: Path, roots: Iterable[Path], name: str) -> Path | None:
    """The root file of the library ``name`` names in the file's package, by the nearest
    Cargo.toml: the package's own library (a binary's ``use my_app::run``, an integration
    test's ``use my_app::Config``), or a dependency by a path (``shared = { path = "../shared"
    }``, or ``{ workspace = true }`` with that path in the workspace's Cargo.toml). Only the
    crate's own modules were read: those imports, in every integration test of a package,
    brought no definition. A dependency from a registry is none."""
    for folder in _folders_up(doc_path, roots):
        manifest = folder / "Cargo.toml"
        if not manifest.is_file():
            continue
        own = _library_of(manifest)
        if own is not None and own[0] == name:
            return own[1]
        data = _read_when_changed(manifest, _toml)
        for table in ("dependencies", "dev-dependencies", "build-dependencies"):
            for key, spec in _table(data, table).items():
                if key.replace("-", "_") != name or not isinstance(spec, dict):
                    continue  # (a renamed one, ``package = ...``, is named in code by its key)
                at = spec.get("path")
                base = folder if isinstance(at, str) else None
                if spec.get("workspace") is True:
                    base, at = _workspace_dependency(manifest, roots, key)
                if base is not None and isinstance(at, str):
                    found = _library_of(Path(os.path.normpath(base / at)) / "Cargo.toml")
                    return found[1] if found is not None else None
        return None  # the nearest Cargo.toml decides
    return None


def _workspace_dependency(manifest: Path, roots: Iterable[Path], key: str) -> tuple[Path | None, object]:
    """The folder of the workspace's Cargo.toml above ``manifest`` and the path it gives the
    dependency ``key`` in ``[workspace.dependencies]``."""
    for folder in _folders_up(manifest, roots):
        data = _read_when_changed(folder / "Cargo.toml", _toml)
        if "workspace" in (data or {}):
            spec = _table(_table(data, "workspace"), "dependencies").get(key)
            return folder, spec.get("path") if isinstance(spec, dict) else None
    return None, None
