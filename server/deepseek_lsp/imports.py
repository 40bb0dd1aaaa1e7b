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
import time
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any, TypeVar, cast

from cachetools import LRUCache, TTLCache

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    import tomli as tomllib  # type: ignore[no-redef]

from .languages import ImportRules
from .privacy import is_excluded

#: Languages whose local imports are paths, looked up the way Node and TypeScript do.
_JS_LANGUAGES = frozenset({"javascript", "typescript", "tsx"})
_JS_EXTENSIONS = (".ts", ".tsx", ".d.ts", ".js", ".jsx", ".mjs", ".mts", ".cjs", ".cts")
#: TypeScript imports a file by the name of the JavaScript it compiles to: ``./x.js`` is x.ts.
_TS_FOR_JS = {".js": (".ts", ".tsx", ".d.ts"), ".jsx": (".tsx",), ".mjs": (".mts", ".d.mts"), ".cjs": (".cts", ".d.cts")}


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
    roots = own_roots_first(doc_path, roots)
    resolver = _BUILT_IN.get(language or "")
    if resolver is not None:
        return resolver(source, doc_path, roots)
    if rules is not None:
        return _resolve_by_rules(source, doc_path, roots, rules)
    if (source.startswith((".", "/")) and "/" in source) or (language in _JS_LANGUAGES and source in (".", "..")):
        return [] if language == "python" else _resolve_path(source, doc_path, language)
    if language in _JS_LANGUAGES:
        return _resolve_aliased(source, doc_path, roots, language)
    if language in (None, "python") and re.fullmatch(r"\.*[A-Za-z_][\w.]*|\.+", source):
        dots = len(source) - len(source.lstrip("."))
        parts = [p for p in source.lstrip(".").split(".") if p]
        up = doc_path.parent.joinpath(*[".."] * max(dots - 1, 0))
        bases = [Path(os.path.normpath(up))] if dots else _python_source_roots(doc_path, roots)
        for base in bases:
            target = base.joinpath(*parts) if parts else base
            for cand in (target.with_suffix(".py") if parts else None, target / "__init__.py"):
                if cand is not None and cand.is_file():
                    out.append(cand)
                    break
            if out:
                break
    return out


def own_roots_first(doc_path: Path, roots: Iterable[Path]) -> list[Path]:
    """The workspace folders, those holding ``doc_path`` first (the innermost first): in a
    workspace of two services with a ``config.py`` each, ``import config`` in the second's
    file found the first's (the folders were tried in the workspace's order)."""
    return sorted(roots, key=lambda r: (0, -len(r.parts)) if doc_path.is_relative_to(r) else (1, 0))


def _python_source_roots(doc_path: Path, roots: Iterable[Path]) -> list[Path]:
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
    return list(dict.fromkeys(out))


T = TypeVar("T")
#: A project file's parsed content (pyproject.toml, tsconfig.json, compile_commands.json), by
#: its parser, path, modification time and size: import resolution asks on every request at a new
#: place. No time to live: the modification time tells a change, and a compilation database of
#: megabytes is not parsed again every so often in a request's path.
_project_files: LRUCache[tuple[str, str, int, int], Any] = LRUCache(maxsize=128)


def _read_when_changed(path: Path, parse: Callable[[Path], T]) -> T | None:
    """``parse(path)``, parsed again only when the file's modification time changes; None when
    the file is not there."""
    try:
        st = path.stat()
        key = (parse.__name__, str(path), st.st_mtime_ns, st.st_size)
    except OSError:
        return None
    if key not in _project_files:
        _project_files[key] = parse(path)
    return cast(T, _project_files[key])


def _dig(data: object, *keys: str) -> object:
    for key in keys:
        if not isinstance(data, dict):
            return None
        data = data.get(key)
    return data


def _pyproject_dirs(root: Path) -> list[Path]:
    return _read_when_changed(root / "pyproject.toml", _source_dirs_in_pyproject) or []


def _source_dirs_in_pyproject(pyproject: Path) -> list[Path]:
    root = pyproject.parent
    try:
        data = tomllib.loads(_read_small(pyproject, 1 << 20).decode("utf-8", "replace"))
    except (OSError, ValueError):
        data = {}
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


def _resolve_path(source: str, doc_path: Path, language: str | None) -> list[Path]:
    """A path from the importing file's folder, as spelled, or as Node and TypeScript look it
    up for JavaScript (``./x`` is x.ts, x.js, x/index.js…)."""
    out: list[Path] = []
    js = language is None or language in _JS_LANGUAGES
    base = Path(os.path.normpath(doc_path.parent / source))
    # ``..`` and ``./lib/`` name a folder: Node loads its index.
    folder = source in (".", "..") or source.endswith("/")
    # TypeScript reads ``./x.js`` as x.ts (or x.d.ts) before any x.js: the compiled output
    # beside its source is not the file meant.
    ts_first = language in ("typescript", "tsx")
    for_js = tuple(base.with_suffix(ext) for ext in _TS_FOR_JS.get(base.suffix, ()) if js and not folder)
    for cand in (
        *(for_js if ts_first else ()),
        *(() if folder else (base,)),
        *(base.with_name(base.name + ext) for ext in _JS_EXTENSIONS if js and not folder),
        *(() if ts_first else for_js),
        *(base / f"index{ext}" for ext in (".ts", ".tsx", ".js", ".jsx") if js),
    ):
        if cand.is_file():
            out.append(cand)
            break
    return out


#: tsconfig.json / jsconfig.json: JSON with comments and trailing commas. Strings are matched
#: first, so that ``"./src/*"`` is not taken for the start of a comment.
_JSONC_TOKEN = re.compile(r'"(?:\\.|[^"\\])*"|//[^\n]*|/\*.*?\*/|,(?=\s*[}\]])', re.S)
_TSCONFIGS = ("tsconfig.json", "jsconfig.json")
#: ``extends`` followed this many times at most (a package's config extends the monorepo's base).
MAX_TSCONFIG_EXTENDS = 4


def _load_jsonc(path: Path) -> object:
    # utf-8-sig: Visual Studio saves a tsconfig.json with a byte order mark, which TypeScript
    # reads and json refuses ("Unexpected UTF-8 BOM": every ``paths`` alias was lost).
    text = _read_small(path, 1 << 20).decode("utf-8-sig", "replace")
    return json.loads(_JSONC_TOKEN.sub(lambda m: m.group(0) if m.group(0).startswith('"') else "", text))


#: (the folder ``paths`` and ``baseUrl`` are relative to, the ``paths`` patterns, whether a
#: ``baseUrl`` was given).
_Aliases = tuple[Path, list[tuple[str, list[str]]], bool]


def _ts_aliases(config: Path) -> _Aliases | None:
    """``compilerOptions.paths`` and ``baseUrl`` of a tsconfig.json, through its ``extends``
    (relative ones: a package in a monorepo extends the root's tsconfig.base.json, which holds
    the paths); None when it has neither. Each file of the chain is parsed again when it
    changes: cached by the first one's modification time alone, an alias ``nx g lib`` added
    to the monorepo's tsconfig.base.json was not followed until the server restarted."""
    return _read_ts_aliases(config)


def _jsonc_or_none(path: Path) -> object:
    """``_load_jsonc``, None for a file that cannot be read or parsed (kept as such until it
    changes)."""
    try:
        return _load_jsonc(path)
    except (OSError, ValueError):
        return None


def _read_ts_aliases(config: Path) -> _Aliases | None:
    base_url: Path | None = None
    paths: dict[str, list[str]] | None = None
    paths_from = config.parent
    current: Path | None = config
    for _ in range(MAX_TSCONFIG_EXTENDS + 1):
        if current is None:
            break
        data = _read_when_changed(current, _jsonc_or_none)
        if not isinstance(data, dict):
            break
        options = data.get("compilerOptions")
        options = options if isinstance(options, dict) else {}
        # The nearest config's settings win; each is relative to the file that gives it.
        if base_url is None and isinstance(options.get("baseUrl"), str):
            base_url = Path(os.path.normpath(current.parent / options["baseUrl"]))
        if paths is None and isinstance(options.get("paths"), dict):
            paths = {
                str(k): [str(t) for t in v if isinstance(t, str)]
                for k, v in options["paths"].items()
                if isinstance(v, list)
            }
            paths_from = current.parent
        extends = data.get("extends")
        # Only a relative one: a package's config (``@tsconfig/node18``) holds no paths of ours.
        if isinstance(extends, str) and extends.startswith("."):
            nxt = Path(os.path.normpath(current.parent / extends))
            current = nxt if nxt.suffix == ".json" else nxt.with_name(nxt.name + ".json")
        else:
            current = None
    found: _Aliases | None = None
    if paths is not None or base_url is not None:
        # ``paths`` are relative to baseUrl when there is one, else to the config giving them.
        # An exact pattern before any ``*`` one, then the longest prefix first (TypeScript's rule).
        ordered = sorted((paths or {}).items(), key=lambda item: ("*" in item[0], -len(item[0].split("*")[0])))
        found = (base_url if base_url is not None else paths_from, ordered, base_url is not None)
    return found


def _resolve_aliased(source: str, doc_path: Path, roots: Iterable[Path], language: str | None) -> list[Path]:
    """A bare import through the nearest tsconfig.json's (or jsconfig.json's) ``paths`` and
    ``baseUrl``, as TypeScript resolves it: ``@/components/button`` (Next.js, shadcn/ui),
    ``~/lib/db``, ``@app/core``. A package name no pattern maps is a package: nothing."""
    if not source or source.startswith(("/", ".")):
        return []
    for folder in _folders_up(doc_path, roots):
        config = next((folder / name for name in _TSCONFIGS if (folder / name).is_file()), None)
        if config is None:
            continue
        aliases = _ts_aliases(config)
        if aliases is None:
            break
        base, patterns, has_base_url = aliases
        for pattern, targets in patterns:
            head, star, tail = pattern.partition("*")
            if star:
                if not (source.startswith(head) and source.endswith(tail) and len(source) >= len(head) + len(tail)):
                    continue
                matched = source[len(head) : len(source) - len(tail)]
            elif source != pattern:
                continue
            else:
                matched = ""
            for target in targets:
                found = _resolve_path(str(base / target.replace("*", matched)), doc_path, language)
                if found:
                    return found
        if has_base_url:
            found = _resolve_path(str(base / source), doc_path, language)
            if found:
                return found
        break
    return _resolve_workspace_package(source, doc_path, roots, language)


#: package.json fields naming a package's entry, the TypeScript source first.
_ENTRY_FIELDS = ("types", "typings", "source", "module", "main")


def _resolve_workspace_package(source: str, doc_path: Path, roots: Iterable[Path], language: str | None) -> list[Path]:
    """A package of the workspace itself (npm, yarn and pnpm workspaces link it into
    node_modules: ``@acme/ui`` -> packages/ui), read at its entry (package.json's ``exports``,
    ``types``, ``main``…, or src/index) or at the subpath named (``@acme/ui/button``). A package
    installed from the registry is not the workspace's: never read."""
    parts = source.split("/")
    n = 2 if source.startswith("@") else 1
    if len(parts) < n or not all(parts[:n]):
        return []
    name, sub = "/".join(parts[:n]), "/".join(parts[n:])
    roots = list(roots)
    for folder in _folders_up(doc_path, roots):
        link = folder / "node_modules" / name
        if not link.is_symlink():
            continue
        try:
            real = link.resolve()
        except (OSError, RuntimeError):
            return []
        if "node_modules" in real.parts or not any(real.is_relative_to(r) for r in roots):
            return []
        if sub:
            return _resolve_path(str(real / sub), doc_path, language) or _resolve_path(str(real / "src" / sub), doc_path, language)
        for entry in _package_entries(real / "package.json"):
            found = _resolve_path(str(real / entry), doc_path, language)
            if found:
                return found
        return _resolve_path(str(real / "src") + "/", doc_path, language) or _resolve_path(str(real) + "/", doc_path, language)
    return []


def _package_entries(package_json: Path) -> list[str]:
    try:
        data = json.loads(_read_small(package_json, 1 << 20))
    except (OSError, ValueError):
        return []
    if not isinstance(data, dict):
        return []
    out: list[str] = []
    exports = data.get("exports")
    main = exports.get(".", exports) if isinstance(exports, dict) else exports
    if isinstance(main, dict):  # conditions: {"types": ..., "import": ..., "default": ...}
        out += [v for k in ("types", "import", "default", "require") if isinstance(v := main.get(k), str)]
    elif isinstance(main, str):
        out.append(main)
    out += [v for k in _ENTRY_FIELDS if isinstance(v := data.get(k), str)]
    return list(dict.fromkeys(out))


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
    # A symlink in the workspace to a file or folder outside it (``billing.py ->
    # ../other_client/billing.py``): the file read is outside.
    if not any(real.is_relative_to(root) or real.is_relative_to(os.path.realpath(root)) for root in roots):
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


#: Resolutions a request's time box cut short: (what was found, how many sources were looked
#: at), taken up by the next request. On a slow file system (WSL's ``/mnt/c``, a network share:
#: a millisecond a ``stat``) a file's 70 imports took seconds, all in the first request.
_partial: LRUCache[_ResolvedKey, tuple[dict[Path, None], int]] = LRUCache(maxsize=16)
#: The last complete answer for each key, which outlives ``_resolved``'s few seconds: while its
#: new answer is under way, one request's box after another, the prompt keeps the files it had.
_complete: LRUCache[_ResolvedKey, list[Path]] = LRUCache(maxsize=64)


def resolve_local_imports_cached(
    sources: Sequence[str],
    doc_path: Path,
    roots: Sequence[Path],
    language: str | None = None,
    rules: ImportRules | None = None,
    deadline: float | None = None,
) -> list[Path]:
    """The files ``sources`` name, for those that name local files, in their order (a Go
    package is a folder of files); first, for Go, the other files of the document's own
    package, whose names it uses with no import. Past ``deadline`` (``time.monotonic()``), the
    files found so far (or the last complete answer): :func:`resolution_pending` then says so,
    and the next call goes on from there."""
    key = (str(doc_path), tuple(sources), tuple(str(r) for r in roots), language, rules)
    hit = _resolved.get(key)
    if hit is None:
        todo = (*_IMPLICIT_SOURCES.get(language or "", ()), *sources)
        found, done = _partial.pop(key, None) or ({}, 0)
        for i in range(done, len(todo)):
            if deadline is not None and time.monotonic() > deadline:
                _partial[key] = (found, i)
                return _complete.get(key) or [path for path in found if path != doc_path]
            found.update(dict.fromkeys(_resolve_or_none(todo[i], doc_path, roots, language, rules)))
        found.pop(doc_path, None)
        hit = _resolved[key] = _complete[key] = list(found)
    return hit


def resolution_pending(
    sources: Sequence[str], doc_path: Path, roots: Sequence[Path], language: str | None, rules: ImportRules | None
) -> bool:
    """Whether :func:`resolve_local_imports_cached` for these was cut short by its deadline
    with no complete answer of before to give instead: the files it gave may not be all."""
    key = (str(doc_path), tuple(sources), tuple(str(r) for r in roots), language, rules)
    return key in _partial and key not in _complete


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
MAX_PACKAGE_FILES = 12
_GO_MODULE = re.compile(rb"^\s*module\s+\"?([^\s\"]+)", re.MULTILINE)


def _read_small(path: Path, limit: int = 65536) -> bytes:
    with path.open("rb") as f:
        return f.read(limit)


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
    their folder). A leading ``::`` names another crate. A use tree
    (``crate::{config, store::Backend}``) is each of its paths."""
    if "{" in source:
        found: dict[Path, None] = {}
        for path in _rust_use_paths(source):
            found.update(dict.fromkeys(_resolve_rust(path, doc_path, roots)))
        return list(found)
    if source.startswith("::"):
        return []
    parts = [p for p in source.split("::") if p]
    if not parts:
        return []
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
    return _rust_module_file(here, parts)


#: A JVM name: ``com.acme.store.Backend``.
_JVM_NAME = re.compile(r"[A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)*")
_JVM_PACKAGE = re.compile(rb"^\s*package\s+([\w.]+)", re.MULTILINE)


#: The folders under ``src/<set>/`` that hold JVM sources (Maven and Gradle layouts).
_JVM_SOURCE_DIRS = frozenset({"java", "kotlin", "scala"})


def main_source_set(folder: Path) -> Path | None:
    """``src/test/java/com/acme`` -> ``src/main/java/com/acme``, when it exists: a test (or
    an integration-test or Android test source set) uses the classes of its package's main
    sources with no import, and imports the others from the main source root."""
    parts = folder.parts
    for i in range(len(parts) - 2, 0, -1):
        if parts[i - 1] == "src" and parts[i] != "main" and parts[i + 1] in _JVM_SOURCE_DIRS:
            mirror = Path(*parts[:i], "main", *parts[i + 1 :])
            return mirror if mirror.is_dir() else None
    return None


def _jvm_source_roots(doc_path: Path, roots: Iterable[Path], parts: Sequence[str]) -> list[tuple[Path, list[str]]]:
    """Where a JVM name ``parts`` may be a file: (source root, its path under the root).

    The source root holds the importing file: a parent folder with the name's first package
    folder (``src/main/java`` of ``src/main/java/com/acme/web/Api.java`` holds ``com/``),
    or, in Kotlin's layout that leaves out the common root package (``src/main/kotlin/util/``
    for ``org.example.util``), the folder the file's own package path starts in, the left-out
    part taken off the name."""
    out = [(folder, list(parts)) for folder in _folders_up(doc_path, roots) if (folder / parts[0]).is_dir()]
    # A test's imports of main classes: the main source root beside its own.
    out += [(main, list(parts)) for folder, _ in list(out) if (main := main_source_set(folder)) is not None and (main / parts[0]).is_dir()]
    try:
        found = _JVM_PACKAGE.search(_read_small(doc_path, 8192))
    except OSError:
        found = None
    if found:
        package = found.group(1).decode("ascii", "replace").split(".")
        folders = doc_path.parent.parts
        shared = next(
            (k for k in range(len(package), 0, -1) if tuple(package[-k:]) == folders[-k:]),
            0,
        )
        left_out = package[: len(package) - shared]
        # ``shared`` 0: a file of the left-out root package itself, at the top of the root.
        if left_out and list(parts[: len(left_out)]) == left_out and len(parts) > len(left_out):
            root = doc_path.parents[shared]
            out.append((root, list(parts[len(left_out) :])))
    return out


#: A declaration a Kotlin or Java file makes at its top (a class in a file named otherwise, a
#: sealed hierarchy, a top-level function or value).
_JVM_DECLARATION = re.compile(
    rb"^(?:[ \t]*(?:public|internal|private|protected|abstract|open|sealed|data|final|static|inline|"
    rb"value|enum|annotation|const|suspend|operator|infix|expect|actual|external)\s+)*"
    rb"(?:class|interface|object|record|typealias|fun|val|var)\s+(?:<[^>\n]*>\s*)?(?:[\w.?<>, ]+\.)?(\w+)",
    re.MULTILINE,
)
_MAX_PACKAGE_SCAN = 48
_package_names: TTLCache[tuple[str, tuple[str, ...]], dict[str, Path]] = TTLCache(maxsize=128, ttl=30.0)


def _declared_in_package(folder: Path, suffixes: tuple[str, ...]) -> dict[str, Path]:
    """The names a package's files declare at their top, and where (read once in 30 s)."""
    key = (str(folder), suffixes)
    hit = _package_names.get(key)
    if hit is None:
        hit = {}
        files = sorted(p for p in folder.iterdir() if p.name.endswith(suffixes))[:_MAX_PACKAGE_SCAN]
        for path in files:
            try:
                data = _read_small(path, 65536)  # declarations come first
            except OSError:
                continue
            for match in _JVM_DECLARATION.finditer(data):
                hit.setdefault(match.group(1).decode("ascii", "replace"), path)
        _package_names[key] = hit
    return hit


def _jvm_resolver(suffixes: tuple[str, ...]) -> Resolver:
    def resolve(source: str, doc_path: Path, roots: Iterable[Path]) -> list[Path]:
        """The file of the class an import names, in the source root of the importing file:
        the file named after it (a static import or a nested class, ``a.b.Outer.Inner``, is
        its outer class's), else the file of its package that declares it (a Kotlin file
        named otherwise, a top-level function)."""
        if not _JVM_NAME.fullmatch(source):
            return []
        for base, rel in _jvm_source_roots(doc_path, roots, source.split(".")):
            for n in range(len(rel), 0, -1):
                if not rel[n - 1][:1].isupper():
                    continue  # a package or a member: not a class's file
                target = base.joinpath(*rel[:n])
                for suffix in suffixes:
                    cand = target.with_name(target.name + suffix)
                    if cand.is_file():
                        return [cand]
            package = base.joinpath(*rel[:-1])
            if len(rel) > 1 and package.is_dir():
                declared = _declared_in_package(package, suffixes).get(rel[-1])
                if declared is not None:
                    return [declared]
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
    # A monorepo (laravel/framework, symfony/symfony) has a composer.json per package and the
    # one its autoloader uses at the root: a prefix no nearer file maps is looked for above.
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


#: compile_commands.json files larger than this are not read (parsing is in a request's path).
MAX_COMPILE_COMMANDS_BYTES = 8 << 20
_INCLUDE_FLAG = re.compile(r"^-(?:I|isystem|iquote|idirafter)(.*)$")


def _include_dirs(commands: Path) -> list[Path]:
    """The include folders (``-I``, ``-isystem``, ``-iquote``) of a compilation database, as
    clangd reads them, in their first order; read again when the file changes."""
    return _read_when_changed(commands, _include_dirs_in) or []


def _include_dirs_in(commands: Path) -> list[Path]:
    try:
        too_big = commands.stat().st_size > MAX_COMPILE_COMMANDS_BYTES
        entries = [] if too_big else json.loads(_read_small(commands, MAX_COMPILE_COMMANDS_BYTES))
    except (OSError, ValueError):
        return []
    found: dict[Path, None] = {}
    for entry in entries if isinstance(entries, list) else []:
        if not isinstance(entry, dict):
            continue
        args = entry.get("arguments")
        if not isinstance(args, list):
            args = str(entry.get("command", "")).split()
        directory = Path(str(entry.get("directory", commands.parent)))
        pending = False
        for arg in map(str, args):
            if pending:
                found[Path(os.path.normpath(directory / arg))] = None
                pending = False
            elif flag := _INCLUDE_FLAG.match(arg):
                if flag.group(1):
                    found[Path(os.path.normpath(directory / flag.group(1)))] = None
                else:
                    pending = True
    return list(found)


def _resolve_include(source: str, doc_path: Path, roots: Iterable[Path]) -> list[Path]:
    """``#include "x.h"`` as a compiler given the project's include folders finds it: the
    including file's folder (not for ``<x.h>``), the ``-I`` folders of the nearest
    compile_commands.json (in a folder above the file or its build/), then the workspace's
    include/, src/ and root."""
    system = source.startswith("<")
    name = source.strip("<>")
    if not name or name.startswith("/"):
        return []
    folders: list[Path] = [] if system else [doc_path.parent]
    above = _folders_up(doc_path, roots)
    for folder in above:
        commands = next((c for c in (folder / "compile_commands.json", folder / "build" / "compile_commands.json") if c.is_file()), None)
        if commands is not None:
            folders += _include_dirs(commands)
            break
    top = above[-1]  # the workspace root holding the file (its folder outside every root)
    folders += [top / "include", top / "src", top]
    for folder in dict.fromkeys(folders):
        cand = Path(os.path.normpath(folder / name))
        if cand.is_file():
            return [cand]
    return []


Resolver = Callable[[str, Path, Iterable[Path]], list[Path]]

#: Languages whose imports name files by rules of their own tools, not by ``[imports]``.
_BUILT_IN: dict[str, Resolver] = {
    "c": _resolve_include,
    "cpp": _resolve_include,
    "go": _resolve_go,
    "rust": _resolve_rust,
    "java": _jvm_resolver((".java", ".kt")),
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
        folders = [doc_path.parent]
        main = main_source_set(doc_path.parent)
        if main is not None:
            folders.append(main)
        for name in types:
            for suffix in suffixes:
                cand = next((f / (name + suffix) for f in folders if (f / (name + suffix)).is_file()), None)
                if cand is not None and cand != doc_path:
                    hit.append(cand)
                    break
            if len(hit) >= MAX_PACKAGE_FILES:
                break
        _siblings[key] = hit
    return hit
