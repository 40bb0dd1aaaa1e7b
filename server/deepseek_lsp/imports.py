"""Which workspace files an import names, and whether they may be read.

Context (completion prompts) and reviews send the definitions of names a file imports from
the workspace: each language's imports are looked up the way its own tools do (Python's
packages, Node's and TypeScript's lookup, ``[imports]`` rules in language.toml for Ruby and
Lua, a C include path, a JVM source root, a Go module, a Rust crate, PHP's PSR-4 autoload).
Nothing is guessed beyond that: a name that is no file there names nothing.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

from cachetools import TTLCache

from .languages import ImportRules
from .privacy import is_excluded

#: Languages whose local imports are paths, looked up the way Node and TypeScript do.
_JS_LANGUAGES = frozenset({"javascript", "typescript", "tsx"})
_JS_EXTENSIONS = (".ts", ".tsx", ".d.ts", ".js", ".jsx", ".mjs", ".mts", ".cjs", ".cts")
#: TypeScript imports a file by the name of the JavaScript it compiles to: ``./x.js`` is x.ts.
_TS_FOR_JS = {".js": (".ts", ".tsx"), ".jsx": (".tsx",), ".mjs": (".mts",), ".cjs": (".cts",)}


#: A source that is no literal path: Ruby's ``"#{__dir__}/x"``, PHP's ``"$base/x.php"``.
_NOT_A_PATH = re.compile(r"#\{|\$|[\x00-\x1f]")


def resolve_local_import(
    source: str,
    doc_path: Path,
    roots: Iterable[Path],
    language: str | None = None,
    rules: ImportRules | None = None,
) -> list[Path]:
    """Files a relative/local import names: ``.mod``/``pkg.mod`` (Python), ``./x`` (JS/TS,
    shell, PHP), and by the language's ``rules`` (language.toml ``[imports]``: Ruby, Lua).

    Only the lookups that make sense in ``language`` are tried (all of them when None): a
    JavaScript ``import config from 'config'`` is a package, and read the workspace's
    config.py. The paths are as the import spells them (``..`` folded), not through
    symlinks: what may be read is decided on both names (``readable_import``)."""
    out: list[Path] = []
    if _NOT_A_PATH.search(source):
        return out
    resolver = _BUILT_IN.get(language or "")
    if resolver is not None:
        return resolver(source, doc_path, roots)
    if rules is not None:
        return _resolve_by_rules(source, doc_path, roots, rules)
    if (source.startswith((".", "/")) and "/" in source) or (language in _JS_LANGUAGES and source in (".", "..")):
        return [] if language == "python" else _resolve_path(source, doc_path, language)
    if language in (None, "python") and re.fullmatch(r"\.*[A-Za-z_][\w.]*|\.+", source):
        dots = len(source) - len(source.lstrip("."))
        parts = [p for p in source.lstrip(".").split(".") if p]
        up = doc_path.parent.joinpath(*[".."] * max(dots - 1, 0))
        bases = [Path(os.path.normpath(up))] if dots else list(roots)
        for base in bases:
            target = base.joinpath(*parts) if parts else base
            for cand in (target.with_suffix(".py") if parts else None, target / "__init__.py"):
                if cand is not None and cand.is_file():
                    out.append(cand)
                    break
            if out:
                break
    return out


def _resolve_path(source: str, doc_path: Path, language: str | None) -> list[Path]:
    """A path from the importing file's folder, as spelled, or as Node and TypeScript look it
    up for JavaScript (``./x`` is x.ts, x.js, x/index.js…)."""
    out: list[Path] = []
    js = language is None or language in _JS_LANGUAGES
    base = Path(os.path.normpath(doc_path.parent / source))
    # ``..`` and ``./lib/`` name a folder: Node loads its index.
    folder = source in (".", "..") or source.endswith("/")
    for cand in (
        *(() if folder else (base,)),
        *(base.with_name(base.name + ext) for ext in _JS_EXTENSIONS if js and not folder),
        *(base.with_suffix(ext) for ext in _TS_FOR_JS.get(base.suffix, ()) if js and not folder),
        *(base / f"index{ext}" for ext in (".ts", ".tsx", ".js", ".jsx") if js),
    ):
        if cand.is_file():
            out.append(cand)
            break
    return out


def _resolve_by_rules(source: str, doc_path: Path, roots: Iterable[Path], rules: ImportRules) -> list[Path]:
    """The file ``source`` names by a language's ``[imports]`` rules (``ImportRules``).

    Nothing is guessed beyond them: a name that is no file there (a gem, a LuaRock, a path
    built at run time) names nothing, rather than the first workspace file that looks like it."""
    if not source:
        return []
    if source.startswith(("./", "../")):
        bases, name = [doc_path.parent], source
    elif source.startswith((".", "/")) or not rules.paths:
        return []  # an absolute path, or a relative one the language does not have
    else:
        name = source.replace(rules.separator, "/") if rules.separator else source
        bases = []
        for folder in rules.paths:
            if folder.startswith("{dir}"):
                bases.append(Path(str(doc_path.parent) + folder.removeprefix("{dir}")))
            else:
                bases += [Path(str(root) + folder.removeprefix("{root}")) for root in roots]
    for base in bases:
        # Folded, so that ``lib/../../x`` is not taken for a file under the workspace root.
        target = os.path.normpath(base / name)
        as_spelled = not rules.suffixes or target.endswith(rules.suffixes)
        for cand in (*((target,) if as_spelled else ()), *(target + suffix for suffix in rules.suffixes)):
            path = Path(cand)
            if path.is_file():
                return [path]
    return []


#: ``readable_import``'s answers for a few seconds, like ``_resolved``: resolving symlinks and
#: matching the exclusion globs twice per import, on every request, made prompts 45 % slower.
_UNKNOWN = Path("\0unknown")  # no real path holds a NUL
_readable: TTLCache[tuple[str, tuple[str, ...], tuple[str, ...]], Path | None] = TTLCache(maxsize=1024, ttl=5.0)


def readable_import(path: Path, roots: Sequence[Path], exclude: Sequence[str]) -> Path | None:
    """The file to read for an import resolved to ``path``; None when it may not be read: it
    is excluded by its own name or by the name of the file it links to (``secrets.py`` ->
    ``deploy/prod_settings.py`` was sent), it is outside every workspace root (another
    project next to this one: ``../other_repo/billing.js``), or it cannot be resolved."""
    key = (str(path), tuple(str(r) for r in roots), tuple(exclude))
    found = _readable.get(key, _UNKNOWN)  # one lookup: an entry may expire between two
    if found is _UNKNOWN:
        found = _readable[key] = _readable_now(path, roots, exclude)
    return found


def _readable_now(path: Path, roots: Sequence[Path], exclude: Sequence[str]) -> Path | None:
    try:
        real = path.resolve()
    except (OSError, RuntimeError):  # a symlink loop, a folder the server may not enter
        return None
    if is_excluded(str(path), exclude) or is_excluded(str(real), exclude):
        return None
    if not any(path.is_relative_to(root) for root in roots):
        return None
    return real


#: Import resolution stats a handful of paths per import; the answers for a file's imports are
#: kept a few seconds, under one key of strings: a lookup per import, keyed by ``Path`` objects
#: (hashed anew for each request's new ``Path``), took 0.13 ms of every request on its own.
_ResolvedKey = tuple[str, tuple[str, ...], tuple[str, ...], str | None, ImportRules | None]
_resolved: TTLCache[_ResolvedKey, list[Path]] = TTLCache(maxsize=256, ttl=5.0)


def _resolve_or_none(
    source: str, doc_path: Path, roots: Sequence[Path], language: str | None, rules: ImportRules | None
) -> list[Path]:
    try:
        return resolve_local_import(source, doc_path, roots, language, rules)
    except (OSError, RuntimeError):
        # A folder the server may not read or a symlink loop on the way: no file, like a
        # missing one (it raised out of the request, and every completion in the file failed).
        return []


def resolve_local_imports_cached(
    sources: Sequence[str],
    doc_path: Path,
    roots: Sequence[Path],
    language: str | None = None,
    rules: ImportRules | None = None,
) -> list[Path]:
    """The files ``sources`` name, for those that name local files, in their order (a Go
    package is a folder of files); first, for Go, the other files of the document's own
    package, whose names it uses with no import."""
    key = (str(doc_path), tuple(sources), tuple(str(r) for r in roots), language, rules)
    hit = _resolved.get(key)
    if hit is None:
        found: dict[Path, None] = {}
        for source in (*_IMPLICIT_SOURCES.get(language or "", ()), *sources):
            found.update(dict.fromkeys(_resolve_or_none(source, doc_path, roots, language, rules)))
        found.pop(doc_path, None)
        hit = _resolved[key] = list(found)
    return hit


def _folders_up(doc_path: Path, roots: Iterable[Path]) -> list[Path]:
    """The importing file's folder and its parents up to the workspace root holding it (the
    folder alone outside every root): where a project file (go.mod, Cargo.toml,
    composer.json) or a source root may be."""
    folder = doc_path.parent
    root = next((r for r in roots if folder.is_relative_to(r)), None)
    out = [folder]
    while root is not None and folder != root and folder.parent != folder:
        folder = folder.parent
        out.append(folder)
    return out


#: Files read from one Go package (a folder): the first by name. The time box decides how many
#: are indexed in time; this keeps a package of a hundred files from filling the list.
MAX_PACKAGE_FILES = 8
_GO_MODULE = re.compile(rb"^\s*module\s+\"?([^\s\"]+)", re.MULTILINE)


def _read_small(path: Path, limit: int = 65536) -> bytes:
    with path.open("rb") as f:
        return f.read(limit)


def _go_files(folder: Path, skip: Path | None = None) -> list[Path]:
    if not folder.is_dir():
        return []
    files = sorted(p for p in folder.glob("*.go") if not p.name.endswith("_test.go") and p != skip)
    return files[:MAX_PACKAGE_FILES]


def _resolve_go(source: str, doc_path: Path, roots: Iterable[Path]) -> list[Path]:
    """A package of the module the file belongs to (``example.com/app/internal/store`` with
    ``module example.com/app`` in the nearest go.mod): the folder's files, tests left out.
    The empty source is the file's own package (its folder)."""
    if source == "":
        return _go_files(doc_path.parent, skip=doc_path) if doc_path.name.endswith(".go") else []
    for folder in _folders_up(doc_path, roots):
        go_mod = folder / "go.mod"
        if go_mod.is_file():
            found = _GO_MODULE.search(_read_small(go_mod))
            module = found.group(1).decode("utf-8", "replace") if found else ""
            if module and source.startswith(module + "/"):
                rest = source[len(module) + 1 :].split("/")
                if ".." not in rest:
                    return _go_files(folder.joinpath(*rest))
            return []  # the nearest go.mod decides: another module's package is a dependency
    return []


def _rust_module_file(base: Path, parts: Sequence[str]) -> list[Path]:
    """``base/a/b.rs`` or ``base/a/b/mod.rs`` for the module path ``a::b``: the first that is
    a file, trying shorter paths (``a::b::Item`` names an item of ``a::b``) down to one part."""
    for n in range(len(parts), 0, -1):
        if not all(re.fullmatch(r"[A-Za-z_]\w*", p) for p in parts[:n]):
            continue
        target = base.joinpath(*parts[:n])
        for cand in (target.with_name(target.name + ".rs"), target / "mod.rs"):
            if cand.is_file():
                return [cand]
    return []


def _resolve_rust(source: str, doc_path: Path, roots: Iterable[Path]) -> list[Path]:
    """A module of the crate, as rustc finds its file: ``crate::a::b`` under the crate's src/
    (the folder of the nearest Cargo.toml), ``self::``/``super::`` and a bare ``mod x;`` or
    ``use x::Y`` from the file's own module folder (``foo.rs``'s children are in ``foo/``;
    ``mod.rs``, ``lib.rs`` and ``main.rs`` own their folder)."""
    parts = [p for p in source.split("::") if p]
    if not parts:
        return []
    owns_folder = doc_path.name in ("mod.rs", "lib.rs", "main.rs")
    here = doc_path.parent if owns_folder else doc_path.parent / doc_path.stem
    if parts[0] == "crate":
        for folder in _folders_up(doc_path, roots):
            if (folder / "Cargo.toml").is_file():
                return _rust_module_file(folder / "src", parts[1:])
        return []
    if parts[0] == "self":
        return _rust_module_file(here, parts[1:])
    if parts[0] == "super":
        # The parent module's children live where this file is (``foo.rs`` beside ``x.rs``),
        # or one up for a folder's ``mod.rs``.
        base = doc_path.parent.parent if owns_folder else doc_path.parent
        parts = parts[1:]
        while parts and parts[0] == "super":
            base, parts = base.parent, parts[1:]
        return _rust_module_file(base, parts)
    return _rust_module_file(here, parts)


#: A JVM name: ``com.acme.store.Backend``.
_JVM_NAME = re.compile(r"[A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)*")


def _jvm_resolver(suffixes: tuple[str, ...]) -> Resolver:
    def resolve(source: str, doc_path: Path, roots: Iterable[Path]) -> list[Path]:
        """The class an import names, in the source root the importing file is in: the folder
        whose package path leads to the file (``src/main/java`` of
        ``src/main/java/com/acme/web/Api.java``), found among the file's parents. A static
        import or a nested class (``a.b.Outer.Inner``) is its outer class's file."""
        if not _JVM_NAME.fullmatch(source):
            return []
        parts = source.split(".")
        for folder in _folders_up(doc_path, roots):
            if not (folder / parts[0]).is_dir():
                continue
            for n in range(len(parts), 1, -1):
                if not parts[n - 1][:1].isupper():
                    continue  # a package or a member: not a class's file
                target = folder.joinpath(*parts[:n])
                for suffix in suffixes:
                    cand = target.with_name(target.name + suffix)
                    if cand.is_file():
                        return [cand]
        return []

    return resolve


def _psr4_prefixes(composer: Path) -> list[tuple[str, list[str]]]:
    """composer.json's ``autoload`` and ``autoload-dev`` PSR-4 prefixes, longest first."""
    try:
        data = json.loads(_read_small(composer, 1 << 20))
    except ValueError:
        return []
    out: list[tuple[str, list[str]]] = []
    for section in ("autoload", "autoload-dev"):
        table = data.get(section) if isinstance(data, dict) else None
        psr4 = table.get("psr-4") if isinstance(table, dict) else None
        if isinstance(psr4, dict):
            for prefix, dirs in psr4.items():
                folders = [dirs] if isinstance(dirs, str) else dirs if isinstance(dirs, list) else []
                out.append((str(prefix), [str(d) for d in folders if isinstance(d, str)]))
    return sorted(out, key=lambda item: -len(item[0]))


def _resolve_php(source: str, doc_path: Path, roots: Iterable[Path]) -> list[Path]:
    """``./lib/db.php`` (an include) as a path; a class name (``use App\\Models\\User;``)
    by the PSR-4 autoload prefixes of the nearest composer.json (``"App\\\\": "app/"``)."""
    if source.startswith((".", "/")) and "/" in source:
        return _resolve_path(source, doc_path, "php")
    if not re.fullmatch(r"\\?[A-Za-z_][\w\\]*", source):
        return []
    name = source.lstrip("\\")
    for folder in _folders_up(doc_path, roots):
        composer = folder / "composer.json"
        if composer.is_file():
            for prefix, dirs in _psr4_prefixes(composer):
                if name.startswith(prefix):
                    rest = name[len(prefix) :].split("\\")
                    for d in dirs:
                        cand = Path(os.path.normpath(folder / d)).joinpath(*rest)
                        cand = cand.with_name(cand.name + ".php")
                        if cand.is_file() and cand.is_relative_to(folder):
                            return [cand]
            return []
    return []


Resolver = Callable[[str, Path, Iterable[Path]], list[Path]]

#: Languages whose imports name files by rules of their own tools, not by ``[imports]``.
_BUILT_IN: dict[str, Resolver] = {
    "go": _resolve_go,
    "rust": _resolve_rust,
    "java": _jvm_resolver((".java",)),
    "kotlin": _jvm_resolver((".kt", ".java")),
    "php": _resolve_php,
}
#: Sources every file of a language imports without saying so: Go's own package.
_IMPLICIT_SOURCES: dict[str, tuple[str, ...]] = {"go": ("",)}

#: Languages whose files use the types of their own package or module with no import, each
#: type in a file named after it (Java's rule, the convention of the others).
_TYPE_FILES: dict[str, tuple[str, ...]] = {
    "java": (".java",),
    "kotlin": (".kt", ".java"),
    "scala": (".scala",),
    "swift": (".swift",),
    "csharp": (".cs",),
}
_siblings: TTLCache[tuple[str, tuple[str, ...], str], list[Path]] = TTLCache(maxsize=256, ttl=5.0)


def sibling_type_files(doc_path: Path, names: Iterable[str], language: str | None) -> list[Path]:
    """The files beside the document named after the types among ``names`` (``OrderRepository``
    used in ``OrderService.java`` is ``OrderRepository.java`` of the same package)."""
    suffixes = _TYPE_FILES.get(language or "")
    if not suffixes:
        return []
    types = tuple(n for n in names if n[:1].isupper())
    key = (str(doc_path), types, language or "")
    hit = _siblings.get(key)
    if hit is None:
        hit = []
        for name in types:
            for suffix in suffixes:
                cand = doc_path.parent / (name + suffix)
                if cand != doc_path and cand.is_file():
                    hit.append(cand)
                    break
            if len(hit) >= MAX_PACKAGE_FILES:
                break
        _siblings[key] = hit
    return hit
