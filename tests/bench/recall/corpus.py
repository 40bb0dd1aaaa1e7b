"""Projects of the recall benchmark: fetching them, their files, an independent definition finder
(Python ``ast``; JS/TS regexes) and the seeded choice of sites.

A workspace is ``<workdir>/ws/<project>/`` (the workspace root given to the server); downloads are
kept in ``<workdir>/dl/``. Stdlib packages are copied from the running Python under
``ws/<name>/<name>/`` so that absolute imports resolve; wheels are unzipped (without their
``.dist-info``); npm tarballs contribute only the folders listed in ``NPM_PARTS``.
"""

from __future__ import annotations

import ast
import random
import re
import shutil
import subprocess
import sys
import sysconfig
import tarfile
import zipfile
from dataclasses import asdict, dataclass
from pathlib import Path

# name -> (language id, suffixes), in the order of the report
PROJECTS: dict[str, tuple[str, tuple[str, ...]]] = {
    "email": ("python", (".py",)), "asyncio": ("python", (".py",)), "xml": ("python", (".py",)),
    "http": ("python", (".py",)), "httpx": ("python", (".py",)), "httpcore": ("python", (".py",)),
    "rich": ("python", (".py",)), "click": ("python", (".py",)), "pygls": ("python", (".py",)),
    "attrs": ("python", (".py",)),
    "zod": ("typescript", (".ts",)), "rxjs": ("typescript", (".ts",)), "mobx": ("typescript", (".ts",)),
    "immer": ("typescript", (".ts",)), "yaml": ("javascript", (".js",)), "commander": ("javascript", (".js",)),
}
STDLIB = ("email", "asyncio", "xml", "http")
# PyPI project -> pinned version (``pip download --no-deps``)
WHEELS = {"httpx": "0.28.1", "httpcore": "1.0.9", "rich": "15.0.0", "click": "8.5.1",
          "pygls": "2.1.1", "attrs": "26.1.0"}
# npm package -> pinned version (``npm pack``)
NPM = {"zod": "4.6.7", "rxjs": "7.8.2", "mobx": "7.1.3", "immer": "11.2.13", "yaml": "2.9.1",
       "commander": "14.0.3"}
# npm package -> the paths inside ``package/`` copied into the workspace
NPM_PARTS = {"zod": ("src",), "rxjs": ("src",), "mobx": ("src",), "immer": ("src",),
             "yaml": ("dist",), "commander": ("index.js", "lib")}
_DONE = ".fetched"


# ---------------------------------------------------------------- fetching
def fetch(ws: Path, dl: Path, name: str) -> str | None:
    """Make ``ws/<name>`` (once); ``None`` when ready, else why the project is skipped."""
    dest = ws / name
    if (dest / _DONE).is_file():
        return None
    if dest.exists():
        shutil.rmtree(dest)
    dl.mkdir(parents=True, exist_ok=True)
    try:
        if name in STDLIB:
            src = Path(sysconfig.get_paths()["stdlib"]) / name
            if not src.is_dir():
                return f"{src} not found"
            shutil.copytree(src, dest / name, ignore=shutil.ignore_patterns("__pycache__"))
        elif name in WHEELS:
            version = WHEELS[name]
            wheels = _wheels(dl, name, version)
            if not wheels:
                cmd = [sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:",
                       "--disable-pip-version-check", "-q", "-d", str(dl), f"{name}=={version}"]
                problem = _run(cmd)
                wheels = _wheels(dl, name, version)
                if not wheels:
                    return f"pip download {name}=={version} failed: {problem or 'no wheel'}"
            with zipfile.ZipFile(wheels[0]) as z:
                for member in z.namelist():
                    top = member.split("/", 1)[0]
                    if top.endswith((".dist-info", ".data")) or ".." in member.split("/"):
                        continue
                    z.extract(member, dest)
        elif name in NPM:
            version = NPM[name]
            tgz = dl / f"{name}-{version}.tgz"
            if not tgz.is_file():
                if shutil.which("npm") is None:
                    return "npm not found"
                problem = _run(["npm", "pack", f"{name}@{version}", "--silent", "--pack-destination", str(dl)])
                if not tgz.is_file():
                    return f"npm pack {name}@{version} failed: {problem or 'no tarball'}"
            prefixes = tuple(f"package/{p}" for p in NPM_PARTS[name])
            with tarfile.open(tgz) as t:
                for m in t.getmembers():
                    if not m.isfile() or ".." in m.name.split("/"):
                        continue
                    if not any(m.name == p or m.name.startswith(p + "/") for p in prefixes):
                        continue
                    target = dest / m.name.removeprefix("package/")
                    target.parent.mkdir(parents=True, exist_ok=True)
                    extracted = t.extractfile(m)
                    if extracted is not None:
                        target.write_bytes(extracted.read())
        else:
            return "unknown project"
    except (OSError, zipfile.BadZipFile, tarfile.TarError) as e:
        shutil.rmtree(dest, ignore_errors=True)
        return f"{type(e).__name__}: {e}"
    (dest / _DONE).write_text("")
    return None


def _wheels(dl: Path, name: str, version: str) -> list[Path]:
    return sorted(dl.glob(f"{name.replace('-', '_')}-{version}-*.whl"))


def _run(cmd: list[str]) -> str:
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=300, check=False)
    except (OSError, subprocess.TimeoutExpired) as e:
        return str(e)
    lines = (proc.stderr or proc.stdout).strip().splitlines()
    return lines[-1] if proc.returncode and lines else ""


# ---------------------------------------------------------------- files
def is_test(p: Path) -> bool:
    s = str(p)
    return "/tests/" in s or "/test/" in s or ".test." in s or ".spec." in s or "__tests__" in s


def project_files(ws: Path, name: str) -> list[Path]:
    _, suffixes = PROJECTS[name]
    return [p for p in sorted((ws / name).rglob("*"))
            if p.is_file() and p.name.endswith(suffixes) and not p.name.endswith(".d.ts") and not is_test(p)]


# ---------------------------------------------------------------- definitions (independent)
@dataclass(frozen=True)
class Def:
    name: str
    file: str  # path relative to the workspace root
    kind: str  # "top" (function/class/constant at module level) or "member" (method/class attribute)
    line: int


def py_defs(path: Path, rel: str) -> list[Def]:
    try:
        tree = ast.parse(path.read_text(encoding="utf-8", errors="replace"))
    except SyntaxError:
        return []
    out: list[Def] = []

    def module_level(body: list[ast.stmt]) -> None:
        for node in body:
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                out.append(Def(node.name, rel, "top", node.lineno))
            elif isinstance(node, ast.ClassDef):
                out.append(Def(node.name, rel, "top", node.lineno))
                for m in node.body:
                    if isinstance(m, (ast.FunctionDef, ast.AsyncFunctionDef)):
                        out.append(Def(m.name, rel, "member", m.lineno))
                    elif isinstance(m, ast.Assign):
                        out.extend([Def(t.id, rel, "member", m.lineno) for t in m.targets if isinstance(t, ast.Name)])
                    elif isinstance(m, ast.AnnAssign) and isinstance(m.target, ast.Name):
                        out.append(Def(m.target.id, rel, "member", m.lineno))
            elif isinstance(node, ast.Assign):
                out.extend([Def(t.id, rel, "top", node.lineno) for t in node.targets if isinstance(t, ast.Name)])
            elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
                out.append(Def(node.target.id, rel, "top", node.lineno))
            elif isinstance(node, (ast.If, ast.Try)):
                module_level(node.body)
                module_level(node.orelse)
                for h in getattr(node, "handlers", []):
                    module_level(h.body)

    module_level(tree.body)
    return out


JS_KEYWORDS = set("""if for while switch catch return function typeof new delete void await yield
super this constructor else do try finally throw case default break continue import export from
with in of instanceof let const var class extends static get set async""".split())
_JS_TOP = [
    re.compile(r"^(?:export\s+)?(?:default\s+)?(?:declare\s+)?(?:async\s+)?function\s*\*?\s*([A-Za-z_$][\w$]*)"),
    re.compile(r"^(?:export\s+)?(?:default\s+)?(?:declare\s+)?(?:abstract\s+)?class\s+([A-Za-z_$][\w$]*)"),
    re.compile(r"^(?:export\s+)?(?:declare\s+)?(?:const|let|var)\s+([A-Za-z_$][\w$]*)"),
    re.compile(r"^(?:export\s+)?(?:declare\s+)?(?:interface|type|enum|namespace)\s+([A-Za-z_$][\w$]*)"),
    re.compile(r"^(?:module\.)?exports\.([A-Za-z_$][\w$]*)\s*="),
]
_JS_METHOD = re.compile(
    r"^\s+(?:(?:public|private|protected|static|async|override|readonly|abstract|get|set|declare)\s+)*\*?"
    r"([A-Za-z_$][\w$]*)\s*(?:<[^>]*>)?\s*\([^;]*\)\s*(?::[^;{=]*)?\{?\s*$"
)


def js_defs(path: Path, rel: str) -> list[Def]:
    out: list[Def] = []
    for i, line in enumerate(path.read_text(encoding="utf-8", errors="replace").splitlines(), 1):
        for rx in _JS_TOP:
            m = rx.match(line)
            if m:
                out.append(Def(m.group(1), rel, "top", i))
                break
        else:
            m = _JS_METHOD.match(line)
            if m and m.group(1) not in JS_KEYWORDS and len(line) - len(line.lstrip()) <= 4:
                out.append(Def(m.group(1), rel, "member", i))
    return out


def project_defs(ws: Path, name: str) -> dict[str, list[Def]]:
    root = ws / name
    table: dict[str, list[Def]] = {}
    for p in project_files(ws, name):
        rel = str(p.relative_to(root))
        for d in (py_defs(p, rel) if p.suffix == ".py" else js_defs(p, rel)):
            table.setdefault(d.name, []).append(d)
    return table


PY_BUILTIN_MEMBERS: set[str] = set()
for _t in (str, bytes, list, dict, set, tuple, int, float, object, bytearray, frozenset, type, BaseException):
    PY_BUILTIN_MEMBERS.update(dir(_t))
JS_GENERIC = set("""push pop shift unshift slice splice map filter reduce forEach some every find findIndex
indexOf includes join concat keys values entries has get set delete add clear size length toString valueOf
apply call bind then catch finally next return throw constructor prototype hasOwnProperty split replace trim
startsWith endsWith match test exec charAt charCodeAt substring substr toLowerCase toUpperCase sort reverse
fill from of assign create freeze defineProperty getPrototypeOf isArray parse stringify error warn log
resolve reject all race subscribe name message stack""".split())


# ---------------------------------------------------------------- sites
@dataclass
class Site:
    project: str
    file: str  # relative to the workspace root
    language: str
    line: int  # 0-based
    col: int  # 0-based (characters; ASCII lines only)
    cut: str  # "start" / "after_ident" / "token"
    removed: str  # the rest of the line, removed
    typed_before: str  # the cursor line before the cursor


IDENT = re.compile(r"[A-Za-z_$][\w$]*")


def py_body_lines(src: str) -> list[int]:
    """1-based lines of one-line statements inside function bodies."""
    try:
        tree = ast.parse(src)
    except SyntaxError:
        return []
    lines: set[int] = set()
    skip = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Pass)
    for fn in ast.walk(tree):
        if isinstance(fn, (ast.FunctionDef, ast.AsyncFunctionDef)):
            for node in ast.walk(fn):
                if (isinstance(node, ast.stmt) and node is not fn and not isinstance(node, skip)
                        and node.lineno == getattr(node, "end_lineno", node.lineno)
                        and not (isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant))):
                    lines.add(node.lineno)
    return sorted(lines)


def js_body_lines(src: str) -> list[int]:
    """1-based indented code lines (not comments, not closing brackets, not member heads)."""
    out = []
    in_block_comment = False
    for i, line in enumerate(src.splitlines(), 1):
        s = line.strip()
        if "/*" in s and "*/" not in s:
            in_block_comment = True
        if in_block_comment:
            if "*/" in s:
                in_block_comment = False
            continue
        indent = len(line) - len(line.lstrip())
        if indent < 4 or not s or s.startswith(("//", "*", "/*", "case ", "default:")) or re.fullmatch(r"[\s)\]};,]*", s):
            continue
        if not re.search(r"[A-Za-z_$]", s) or not line.isascii():
            continue
        if re.match(r"(?:public|private|protected|static|async|get|set|constructor)\b", s):
            continue
        out.append(i)
    return out


def make_sites(
    ws: Path, name: str, count: int, seed: int, enriched: bool = False, partial: int = 0
) -> list[Site]:
    """Seeded sites; ``enriched``: only lines that use a name defined in another project file
    (by ``needs.needed``), so that a run yields more needed names per site. ``partial``: the
    cursor that many characters into the first name the rest of the line needs from another
    file (``retry_fetch`` cut as ``ret|``), as a user typing it is, where it is longer; the same
    seeded lines and cuts otherwise."""
    from tests.bench.recall.needs import needed

    lang, _ = PROJECTS[name]
    root = ws / name
    rng = random.Random(f"{seed}:{name}")
    files = project_files(ws, name)
    pool: list[tuple[Path, int]] = []
    for p in files:
        src = p.read_text(encoding="utf-8", errors="replace")
        if len(src) > 300_000:
            continue
        body = py_body_lines(src) if p.suffix == ".py" else js_body_lines(src)
        text_lines = src.splitlines()
        for ln in body:
            line = text_lines[ln - 1]
            if line.isascii() and IDENT.search(line.strip()) and len(line.strip()) >= 8:
                pool.append((p, ln))
    rng.shuffle(pool)
    sites: list[Site] = []
    per_file: dict[Path, int] = {}
    table = project_defs(ws, name) if enriched or partial else None
    cap = max(3, -(-2 * count // max(1, len(files)))) if enriched else 3
    for p, ln in pool:
        if len(sites) >= count:
            break
        if per_file.get(p, 0) >= cap:  # spread over files
            continue
        line = p.read_text(encoding="utf-8", errors="replace").splitlines()[ln - 1]
        indent = len(line) - len(line.lstrip())
        cut = rng.choice(["start", "after_ident", "token"])
        if cut == "start":
            col = indent
        else:
            idents = list(IDENT.finditer(line, indent))
            if cut == "after_ident" or len(idents) < 2:
                cut = "after_ident"
                col = idents[0].end()
            else:
                col = rng.choice(idents[1:]).start()
        removed = line[col:]
        if not IDENT.search(removed):
            continue
        site = Site(name, str(p.relative_to(root)), lang, ln - 1, col, cut, removed, line[:col])
        needs = needed(ws, asdict(site), table) if table is not None else []
        if enriched and not needs:
            continue
        typed = [n["name"] for n in needs if n["where"] == "typed" and len(n["name"]) > partial]
        at = re.search(rf"(?<![\w$]){re.escape(typed[0])}(?![\w$])", line[col:]) if partial and typed else None
        if at is not None:
            col += at.start() + partial
            site = Site(name, site.file, lang, ln - 1, col, cut, line[col:], line[:col])
        per_file[p] = per_file.get(p, 0) + 1
        sites.append(site)
    return sites


def site_text(ws: Path, site: dict) -> str:
    """The site's file with the rest of the cursor line removed."""
    lines = (ws / site["project"] / site["file"]).read_text(encoding="utf-8", errors="replace").split("\n")
    lines[site["line"]] = lines[site["line"]][: site["col"]]
    return "\n".join(lines)
