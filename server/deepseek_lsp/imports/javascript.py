"""JavaScript and TypeScript imports as Node and TypeScript look them up: a path (``./x`` is
x.ts, x.js, x/index.js…), a tsconfig.json ``paths`` alias, a package of the workspace itself."""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from .project_files import _folders_up, _read_small, _read_when_changed
from .tsconfig_files import ProjectFiles, strings

#: Languages whose local imports are paths, looked up the way Node and TypeScript do.
_JS_LANGUAGES = frozenset({"javascript", "typescript", "tsx"})
_JS_EXTENSIONS = (".ts", ".tsx", ".d.ts", ".js", ".jsx", ".mjs", ".mts", ".cjs", ".cts")
#: TypeScript imports a file by the name of the JavaScript it compiles to: ``./x.js`` is x.ts.
_TS_FOR_JS = {".js": (".ts", ".tsx", ".d.ts"), ".jsx": (".tsx",), ".mjs": (".mts", ".d.mts"), ".cjs": (".cts", ".d.cts")}


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


def _pattern_match(pattern: str, source: str) -> str | None:
    """What the ``*`` of ``pattern`` (tsconfig's ``paths``, package.json's ``imports``) stands
    for in ``source``, "" when it is the pattern itself; None when it does not match."""
    head, star, tail = pattern.partition("*")
    if not star:
        return "" if source == pattern else None
    if source.startswith(head) and source.endswith(tail) and len(source) >= len(head) + len(tail):
        return source[len(head) : len(source) - len(tail)]
    return None


def _most_specific_first(patterns: Iterable[tuple[str, list[str]]]) -> list[tuple[str, list[str]]]:
    """Exact patterns before any ``*`` one, then the longest prefix first (TypeScript's and
    Node's rule)."""
    return sorted(patterns, key=lambda item: ("*" in item[0], -len(item[0].split("*")[0])))


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


def _in_config_dir(value: str, config: Path) -> str:
    """``value`` with TypeScript 5.5's ``${configDir}`` as the folder of ``config``, the config
    extending the one that says it (a monorepo's shared base: ``"@/*": ["${configDir}/src/*"]``
    is each app's src/); taken as a folder of that name, the aliases named nothing."""
    return value.replace("${configDir}", str(config.parent))


def _config_chain(config: Path) -> Iterator[tuple[Path, dict[str, Any]]]:
    """Each config of ``config``'s ``extends`` chain, with what it holds, the one whose settings
    win first. TypeScript 5's ``extends`` list is applied in its order, each base (with its own
    bases) over the one before it, so the last is read first (only a string was followed, and a
    list's ``paths`` were lost). Only relative ones: a package's config (``@tsconfig/node18``)
    holds no paths or files of ours."""
    todo = [config]  # the configs still to read, the next on top
    for _ in range(MAX_TSCONFIG_EXTENDS + 1):
        if not todo:
            break
        current = todo.pop()
        data = _read_when_changed(current, _jsonc_or_none)
        if not isinstance(data, dict):
            continue
        yield current, data
        extends = data.get("extends")
        bases = [extends] if isinstance(extends, str) else extends if isinstance(extends, list) else []
        for base in bases:
            if isinstance(base, str) and base.startswith("."):
                nxt = Path(os.path.normpath(current.parent / base))
                todo.append(nxt if nxt.suffix == ".json" else nxt.with_name(nxt.name + ".json"))


def _read_ts_aliases(config: Path) -> _Aliases | None:
    base_url: Path | None = None
    paths: dict[str, list[str]] | None = None
    paths_from = config.parent
    for current, data in _config_chain(config):
        options = data.get("compilerOptions")
        options = options if isinstance(options, dict) else {}
        # The nearest config's settings win; each is relative to the file that gives it.
        if base_url is None and isinstance(options.get("baseUrl"), str):
            base_url = Path(os.path.normpath(current.parent / _in_config_dir(options["baseUrl"], config)))
        if paths is None and isinstance(options.get("paths"), dict):
            paths = {
                str(k): [_in_config_dir(t, config) for t in v if isinstance(t, str)]
                for k, v in options["paths"].items()
                if isinstance(v, list)
            }
            paths_from = current.parent
    found: _Aliases | None = None
    if paths is not None or base_url is not None:
        # ``paths`` are relative to baseUrl when there is one, else to the config giving them.
        # An exact pattern before any ``*`` one, then the longest prefix first (TypeScript's rule).
        ordered = _most_specific_first((paths or {}).items())
        found = (base_url if base_url is not None else paths_from, ordered, base_url is not None)
    return found


def _project_files(config: Path) -> ProjectFiles:
    """``files``, ``include`` and ``exclude`` of ``config``, each from the nearest config of its
    chain that gives it, relative to that one's folder (as TypeScript inherits them)."""
    given: dict[str, tuple[Path, tuple[str, ...]]] = {}
    for current, data in _config_chain(config):
        for key in ("files", "include", "exclude"):
            names = strings(data.get(key))
            if key not in given and names is not None:
                given[key] = (current.parent, tuple(_in_config_dir(n, config) for n in names))
    return ProjectFiles(**given)


def _project_aliases(config: Path, doc_path: Path) -> _Aliases | None:
    """The aliases that apply to ``doc_path`` under the nearest ``config``: its own where its
    project holds the file; else, in a solution-style config, one that only lists the projects
    of the folder (Vite's template: ``"files": []`` and ``references`` to tsconfig.app.json,
    which holds the ``paths`` and ``"include": ["src"]``, and tsconfig.node.json), those of the
    referenced project that holds it, as ``tsc --build`` and the editor's TypeScript give the
    file that project (the first referenced config's were taken: tsconfig.node.json's for a
    file of src/), or, where that one has none, its own (shadcn/ui's setup puts them in both).
    Where no project holds it, its own, or the first referenced config's that gives any. Not
    read, ``@/components/button`` in such a project named nothing."""
    own = _ts_aliases(config)
    if own is not None and _project_files(config).holds(doc_path, config.parent):
        return own
    data = _read_when_changed(config, _jsonc_or_none)
    references = data.get("references") if isinstance(data, dict) else None
    fallback = own
    for reference in references if isinstance(references, list) else []:
        path = reference.get("path") if isinstance(reference, dict) else None
        if not isinstance(path, str):
            continue
        target = Path(os.path.normpath(config.parent / path))
        target = target if target.suffix == ".json" else target / "tsconfig.json"
        aliases = _ts_aliases(target)
        if _project_files(target).holds(doc_path, target.parent):
            # Not a sibling project's: those are for other files (tsconfig.node.json's).
            return aliases or own
        fallback = fallback or aliases
    return fallback


def _resolve_aliased(source: str, doc_path: Path, roots: Iterable[Path], language: str | None) -> list[Path]:
    """A bare import through the nearest tsconfig.json's (or jsconfig.json's) ``paths`` and
    ``baseUrl``, as TypeScript resolves it: ``@/components/button`` (Next.js, shadcn/ui),
    ``~/lib/db``, ``@app/core``. A package name no pattern maps is a package: nothing."""
    if not source or source.startswith(("/", ".")):
        return []
    if source.startswith("#") and (found := _resolve_subpath_import(source, doc_path, roots, language)):
        return found
    for folder in _folders_up(doc_path, roots):
        config = next((folder / name for name in _TSCONFIGS if (folder / name).is_file()), None)
        if config is None:
            continue
        aliases = _project_aliases(config, doc_path)
        if aliases is None:
            break
        base, patterns, has_base_url = aliases
        for pattern, targets in patterns:
            matched = _pattern_match(pattern, source)
            if matched is None:
                continue
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



#: The conditions of a package.json target an import may take, matched in the object's own key
#: order as Node and TypeScript match them (``types`` is TypeScript's). ``import`` and
#: ``require`` both: which one applies depends on the importing file's module kind, unknown here.
_CONDITIONS = frozenset({"types", "import", "require", "node", "default"})


def _condition_targets(value: object) -> list[str]:
    """The paths a package.json target gives (``exports`` and ``imports`` alike), Node's pick
    first: itself, each of a list's (Node's fallbacks), or by condition in the object's key
    order, nested too (``{"import": {"types": ..., "default": ...}, "require": {...}}``, as tsup
    and unbuild write them). Every matching condition's, not only the first, so that a target
    not built yet (``dist/``) falls back to the next; a ``null`` one excludes the rest."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [t for item in value for t in _condition_targets(item)]
    out: list[str] = []
    if isinstance(value, dict):
        for key, target in value.items():
            if key not in _CONDITIONS:
                continue
            if target is None:
                break
            out += _condition_targets(target)
    return out


#: A package.json's ``imports`` and ``exports``, each as ``(pattern, targets)`` pairs, exact
#: names before patterns, the longest prefix first; and its entry fields' values.
_PackageMaps = tuple[list[tuple[str, list[str]]], list[tuple[str, list[str]]], list[str]]


def _package_maps(package_json: Path) -> _PackageMaps:
    """One reading of a package.json for both lookups Node makes in it with the same rules:
    ``#lib/db`` through ``imports``, ``@acme/ui`` and ``@acme/ui/button`` through ``exports``
    (a string, a list or a conditions object is the package's ``"."``)."""
    try:
        data = json.loads(_read_small(package_json, 1 << 20))
    except (OSError, ValueError):
        return [], [], []
    if not isinstance(data, dict):
        return [], [], []
    imports, exports = data.get("imports"), data.get("exports")
    if not (isinstance(exports, dict) and any(str(key).startswith(".") for key in exports)):
        exports = {".": exports} if exports is not None else {}
    maps = [
        _most_specific_first((str(key), _condition_targets(value)) for key, value in field.items())
        if isinstance(field, dict)
        else []
        for field in (imports, exports)
    ]
    return maps[0], maps[1], [v for k in _ENTRY_FIELDS if isinstance(v := data.get(k), str)]


def _mapped_targets(patterns: list[tuple[str, list[str]]], name: str) -> list[str] | None:
    """The targets of the first pattern ``name`` matches, its ``*`` filled in; None when none
    does. Only a path in the package (``./``): another package's is not the workspace's."""
    for pattern, targets in patterns:
        matched = _pattern_match(pattern, name)
        if matched is not None:
            return [t.replace("*", matched) for t in targets if t.startswith("./")]
    return None


def _resolve_subpath_import(source: str, doc_path: Path, roots: Iterable[Path], language: str | None) -> list[Path]:
    """``#db`` or ``#lib/db`` through the ``imports`` of the nearest package.json (Node's
    subpath imports, ``{"#lib/*": "./src/lib/*.js"}``, which TypeScript reads too): such an
    import named nothing, and its definitions never reached the prompt."""
    for folder in _folders_up(doc_path, roots):
        package_json = folder / "package.json"
        if not package_json.is_file():
            continue
        imports = (_read_when_changed(package_json, _package_maps) or ([], [], []))[0]
        for target in _mapped_targets(imports, source) or []:
            found = _resolve_path(str(folder / target), doc_path, language)
            if found:
                return found
        return []  # the nearest package.json is the package the import is looked up in
    return []


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
        _, exports, fields = _read_when_changed(real / "package.json", _package_maps) or ([], [], [])
        # What ``exports`` maps the subpath to, as Node reads it; then, for a package without
        # one for it, the subpath itself, or under src/.
        mapped = _mapped_targets(exports, f"./{sub}" if sub else ".") or []
        for entry in [*mapped, *((sub, f"src/{sub}") if sub else fields)]:
            found = _resolve_path(str(real / entry), doc_path, language)
            if found:
                return found
        if sub:
            return []
        return _resolve_path(str(real / "src") + "/", doc_path, language) or _resolve_path(str(real) + "/", doc_path, language)
    return []
