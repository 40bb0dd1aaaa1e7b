"""Which names a site needs from other project files, from the file's own imports (independent of
the server: Python ``ast``, JS/TS regexes, Node/TS-style path lookup).

Kinds: ``imported`` (a bare name imported from a project file), ``module_attr`` (``mod.name`` on
an imported project module), ``member`` (``.name`` where ``name`` is a method/class attribute of
1-3 project files and not a builtin type's member: a heuristic, may be a false positive).
"""

from __future__ import annotations

import ast
import os
import re
from functools import lru_cache
from pathlib import Path
from typing import Any

from tests.bench.recall.corpus import IDENT, JS_GENERIC, JS_KEYWORDS, PY_BUILTIN_MEMBERS, Def

Binding = tuple[str, str, str]  # (kind, file, original name)


# ---------------------------------------------------------------- python
def py_module_file(root: Path, dotted: str) -> Path | None:
    parts = dotted.split(".") if dotted else []
    base = root.joinpath(*parts)
    for cand in (base.with_suffix(".py") if parts else None, base / "__init__.py"):
        if cand is not None and cand.is_file():
            return cand
    return None


def py_absolute(root: Path, file: Path, level: int, module: str | None) -> str:
    if level == 0:
        return module or ""
    pkg = file.parent.relative_to(root).parts
    pkg = pkg[: len(pkg) - (level - 1)] if level > 1 else pkg
    return ".".join([*pkg, *(module.split(".") if module else [])])


@lru_cache(maxsize=4096)
def py_bindings(root_s: str, file_s: str) -> dict[str, Binding]:
    """name bound -> ("module", file, "") for a module, ("package", file, dotted) for ``import a.b``,
    ("name", file of the module imported from, original name)."""
    root, file = Path(root_s), Path(file_s)
    try:
        tree = ast.parse(file.read_text(encoding="utf-8", errors="replace"))
    except SyntaxError:
        return {}
    out: dict[str, Binding] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for a in node.names:
                f = py_module_file(root, a.name)
                if a.asname:
                    if f:
                        out[a.asname] = ("module", str(f), "")
                else:
                    top = a.name.split(".")[0]
                    f0 = py_module_file(root, top)
                    if f0:
                        out.setdefault(top, ("package", str(f0), a.name))
        elif isinstance(node, ast.ImportFrom):
            mod = py_absolute(root, file, node.level, node.module)
            mfile = py_module_file(root, mod)
            for a in node.names:
                if a.name == "*":
                    if mfile:
                        for d in _py_top_names(str(mfile)):
                            out.setdefault(d, ("name", str(mfile), d))
                    continue
                bound = a.asname or a.name
                sub = py_module_file(root, f"{mod}.{a.name}" if mod else a.name)
                if sub is not None:
                    out[bound] = ("module", str(sub), "")
                elif mfile is not None:
                    out[bound] = ("name", str(mfile), a.name)
    return out


@lru_cache(maxsize=4096)
def _py_top_names(file_s: str) -> tuple[str, ...]:
    try:
        tree = ast.parse(Path(file_s).read_text(encoding="utf-8", errors="replace"))
    except SyntaxError:
        return ()
    names: list[str] = []
    for n in tree.body:
        if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.append(n.name)
        elif isinstance(n, ast.Assign):
            names += [t.id for t in n.targets if isinstance(t, ast.Name)]
    return tuple(names)


# ---------------------------------------------------------------- js / ts
_JS_IMPORT = re.compile(r"\bimport\s+(type\s+)?([^;]*?)\s*\bfrom\s*['\"]([^'\"]+)['\"]", re.S)
_JS_REQUIRE = re.compile(r"\b(?:const|let|var)\s+(\{[^}]*\}|[A-Za-z_$][\w$]*)\s*=\s*require\(\s*['\"]([^'\"]+)['\"]\s*\)")
_JS_EXT = (".ts", ".tsx", ".d.ts", ".js", ".jsx", ".mjs", ".cjs")


def js_resolve(file: Path, source: str) -> Path | None:
    if not source.startswith("."):
        return None
    base = Path(os.path.normpath(file.parent / source))
    cands = [base, *(base.with_name(base.name + e) for e in _JS_EXT)]
    if base.suffix == ".js":
        cands += [base.with_suffix(".ts"), base.with_suffix(".tsx")]
    cands += [base / f"index{e}" for e in (".ts", ".tsx", ".js")]
    for c in cands:
        if c.is_file() and not c.name.endswith(".d.ts"):
            return c
    for c in cands:
        if c.is_file():
            return c
    return None


@lru_cache(maxsize=4096)
def js_bindings(file_s: str) -> dict[str, Binding]:
    file = Path(file_s)
    text = file.read_text(encoding="utf-8", errors="replace")
    out: dict[str, Binding] = {}
    for m in _JS_IMPORT.finditer(text):
        clause, src = m.group(2), m.group(3)
        target = js_resolve(file, src)
        if target is None:
            continue
        t = str(target)
        ns = re.search(r"\*\s+as\s+([A-Za-z_$][\w$]*)", clause)
        if ns:
            out[ns.group(1)] = ("module", t, "")
        braces = re.search(r"\{([^}]*)\}", clause, re.S)
        if braces:
            for spec in braces.group(1).split(","):
                spec = re.sub(r"^\s*type\s+", "", spec.strip())
                if not spec:
                    continue
                parts = re.split(r"\s+as\s+", spec)
                orig, bound = parts[0].strip(), parts[-1].strip()
                if IDENT.fullmatch(bound):
                    out[bound] = ("name", t, orig)
        default = re.match(r"\s*([A-Za-z_$][\w$]*)\s*(,|$)", clause)
        if default and not clause.strip().startswith("{"):
            out[default.group(1)] = ("name", t, default.group(1))
    for m in _JS_REQUIRE.finditer(text):
        lhs, src = m.group(1), m.group(2)
        target = js_resolve(file, src)
        if target is None:
            continue
        if lhs.startswith("{"):
            for spec in lhs.strip("{} ").split(","):
                if not spec.strip():
                    continue
                k, _, v = spec.partition(":")
                out[(v or k).strip()] = ("name", str(target), k.strip())
        else:
            out[lhs] = ("module", str(target), "")
    return out


# ---------------------------------------------------------------- needed names
@lru_cache(maxsize=64)
def file_text(path: str) -> str:
    return Path(path).read_text(encoding="utf-8", errors="replace")


def strip_strings(text: str, python: bool) -> str:
    text = re.sub(r"(\"(?:[^\"\\]|\\.)*\"?|'(?:[^'\\]|\\.)*'?|`(?:[^`\\]|\\.)*`?)", '""', text)
    return re.sub(r"#.*$", "", text) if python else re.sub(r"//.*$", "", text)


def own_attribute(text: str, name: str) -> bool:
    """Whether the file assigns ``name`` on ``self``/``this`` or declares it as a member of its
    own class (a TypeScript parameter property): then ``self.name`` is most likely the file's own
    attribute, which this finder's member heuristic counts as another file's member when that
    file's class has one of the name (asyncio's runners.py ``self._loop``, futures.py's ``_loop``)."""
    n = re.escape(name)
    return bool(
        re.search(rf"\b(?:self|this)\.{n}\s*(?::[^=\n]*)?=(?!=)", text)
        or re.search(rf"\b(?:public|private|protected)\s+(?:readonly\s+)?{n}\s*[?:=,)]", text)
    )


def needed(ws: Path, site: dict[str, Any], table: dict[str, list[Def]]) -> list[dict[str, Any]]:
    """The names of the cursor line (before the cursor and the removed rest) that the completion
    needs a definition from another project file for."""
    root = ws / site["project"]
    file = root / site["file"]
    python = site["language"] == "python"
    binds = py_bindings(str(root), str(file)) if python else js_bindings(str(file))

    def rel_of(p: str | None) -> str | None:
        return str(Path(p).relative_to(root)) if p else None

    out: dict[str, dict[str, Any]] = {}
    pre = strip_strings(site["typed_before"], python)
    rest = strip_strings(site["removed"], python)
    # A name cut inside (``ret|ry_fetch``, make_sites' ``partial``) is one name of the typed text.
    head = len(pre) - len(re.search(r"[\w$]*$", pre).group()) if re.match(r"[\w$]", rest) else len(pre)
    for where in ("before", "typed"):
        if where == "typed":
            # the typed text continues the cursor line: an attribute access spans the two
            text_full, off = pre + rest, head
        else:
            text_full, off = pre[:head], 0
        for m in IDENT.finditer(text_full, off):
            n = m.group()
            if n in out or len(n) < 2 or (n in JS_KEYWORDS and not python):
                continue
            prev = text_full[: m.start()].rstrip()
            dotted = prev.endswith(".") and not prev.endswith("..")
            owner = re.search(r"([A-Za-z_$][\w$]*)\s*\.$", prev) if dotted else None
            entry: dict[str, Any] | None = None
            if not dotted and n in binds and binds[n][0] == "name":
                _, src, orig = binds[n]
                if any(d.kind == "top" for d in table.get(orig, [])):
                    entry = {"kind": "imported", "target": orig, "source": rel_of(src)}
            elif dotted and owner and owner.group(1) in binds and binds[owner.group(1)][0] in ("module", "package"):
                if any(d.kind == "top" for d in table.get(n, [])):
                    entry = {"kind": "module_attr", "target": n, "source": rel_of(binds[owner.group(1)][1]),
                             "via": owner.group(1)}
            elif dotted and not n.startswith("__"):
                defs = [d for d in table.get(n, []) if d.kind == "member"]
                generic = n in (PY_BUILTIN_MEMBERS if python else JS_GENERIC)
                if defs and not generic and len({d.file for d in defs}) <= 3 and len(n) >= 3:
                    entry = {"kind": "member", "target": n, "source": None,
                             "owner": owner.group(1) if owner else None}
            if entry is None:
                continue
            defs = table.get(entry["target"], [])
            if any(d.file == site["file"] for d in defs):
                continue  # defined in this file too
            kind = "member" if entry["kind"] == "member" else "top"
            entry.update(name=n, where=where, files=sorted({d.file for d in defs if d.kind == kind}))
            if kind == "member":
                entry["own_attribute"] = own_attribute(file_text(str(file)), n)
            out[n] = entry
    return list(out.values())


def def_pattern(name: str, python: bool) -> re.Pattern[str]:
    """A definition of ``name`` in a snippet's text."""
    n = re.escape(name)
    if python:
        return re.compile(rf"^\s*(?:async\s+def|def|class)\s+{n}\b|^\s*{n}\s*(?::[^=\n]*)?=(?!=)", re.M)
    mods = r"(?:(?:export|default|declare|public|private|protected|static|async|override|readonly|abstract|get|set)\s+)*"
    return re.compile(
        rf"\b(?:function\s*\*?\s*{n}\b|class\s+{n}\b|(?:const|let|var)\s+{n}\b|interface\s+{n}\b|type\s+{n}\b|enum\s+{n}\b|namespace\s+{n}\b)"
        rf"|^\s*{mods}\*?{n}\s*\??\s*[<(:=]|^\s*(?:module\.)?exports\.{n}\s*=", re.M)
