"""Real code nobody on the team wrote: modules of the installed Python standard library, and
JavaScript files shipped inside the npm packages that ``tests/bench/package-lock.json`` pins
(tabby-agent's dependencies: ``npm ci --prefix tests/bench`` installs them).

Typing-replay *sites* are spans of 1-6 whole lines inside a function body, made of consecutive
statements of one block (so the span starts and ends where a person could start and stop writing),
chosen reproducibly from a seed.
"""

from __future__ import annotations

import importlib
import inspect
import random
import sys
import sysconfig
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import tree_sitter as ts

STDLIB_MODULES = (
    "argparse", "typing", "pathlib", "inspect", "dataclasses", "configparser", "textwrap",
    "difflib", "ast", "logging.handlers", "json.decoder", "csv", "calendar", "tarfile",
    "zipfile", "shutil", "subprocess", "string", "fractions", "statistics",
)

#: Files the typing replay draws its sites from (8 Python modules, 6 JavaScript files).
REPLAY_PY_MODULES = (
    "argparse", "calendar", "configparser", "csv", "difflib", "fractions", "statistics", "textwrap",
)
REPLAY_JS_FILES = (
    "chokidar/index.js",
    "object-inspect/index.js",
    "picomatch/lib/parse.js",
    "pino/lib/tools.js",
    "semver/classes/range.js",
    "sonic-boom/index.js",
)
NODE_MODULES = Path(__file__).resolve().parent / "node_modules"

MAX_SPAN_LINES = 6
MAX_LINE_CHARS = 100
MIN_TYPED_CHARS = 15
MAX_TYPED_CHARS = 200


def module_source(name: str) -> str:
    return inspect.getsource(importlib.import_module(name))


def big_python_file(lines: int = 10_000) -> str:
    """At least ``lines`` lines of real Python, whole modules concatenated, cut at ``lines``."""
    out: list[str] = []
    for name in STDLIB_MODULES:
        out.extend(module_source(name).splitlines())
        if len(out) >= lines:
            break
    return "\n".join(out[:lines]) + "\n"


def many_python_files(count: int = 100, lines: int = 5_000) -> list[str]:
    """``count`` texts of ``lines`` lines each: the standard library's modules (its tests too), in
    path order, concatenated and cut into pieces (a piece may start or end inside a module)."""
    root = Path(sysconfig.get_paths()["stdlib"])
    out: list[str] = []
    buf: list[str] = []
    for path in sorted(root.rglob("*.py")):
        if "site-packages" in path.parts:
            continue
        try:
            buf.extend(path.read_text(encoding="utf-8").splitlines())
        except (UnicodeDecodeError, OSError):
            continue
        while len(buf) >= lines:
            out.append("\n".join(buf[:lines]) + "\n")
            del buf[:lines]
            if len(out) == count:
                return out
    raise RuntimeError(f"the standard library has fewer than {count * lines} lines")


# -- replay sites ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class SourceFile:
    name: str  # "argparse" or "chokidar/index.js"
    path: str  # file name used in the document's URI
    language: str  # LSP language id
    text: str


@dataclass(frozen=True)
class Site:
    file: SourceFile
    first_line: int  # 0-based, inclusive
    last_line: int

    @property
    def lines(self) -> list[str]:
        return self.file.text.split("\n")

    @property
    def before(self) -> str:
        """The text up to the end of the line before the span (the cursor starts there)."""
        return "\n".join(self.lines[: self.first_line])

    @property
    def typed(self) -> str:
        """What the user writes: Enter, then the span's lines."""
        return "\n" + "\n".join(self.lines[self.first_line : self.last_line + 1])

    @property
    def after(self) -> str:
        return "\n" + "\n".join(self.lines[self.last_line + 1 :])

    @property
    def label(self) -> str:
        return f"{self.file.name}:{self.first_line + 1}-{self.last_line + 1}"


def replay_files() -> list[SourceFile]:
    files = []
    for name in REPLAY_PY_MODULES:
        files.append(SourceFile(name, name.replace(".", "/") + ".py", "python", module_source(name)))
    if not NODE_MODULES.is_dir():
        raise RuntimeError(
            f"{NODE_MODULES} is missing: run `npm ci --prefix tests/bench` (the JavaScript corpus "
            "and tabby-agent come from tests/bench/package-lock.json)"
        )
    for rel in REPLAY_JS_FILES:
        text = (NODE_MODULES / rel).read_text(encoding="utf-8")
        files.append(SourceFile(rel, rel.replace("/", "_"), "javascript", text))
    return files


@cache
def _parser(language: str) -> ts.Parser:
    if language == "python":
        import tree_sitter_python as grammar
    else:
        import tree_sitter_javascript as grammar
    return ts.Parser(ts.Language(grammar.language()))


_FUNCTIONS = {
    "python": {"function_definition"},
    "javascript": {
        "function_declaration", "function_expression", "arrow_function", "method_definition",
        "generator_function_declaration", "generator_function", "function",
    },
}
_BLOCKS = {"python": {"block"}, "javascript": {"statement_block"}}


def _blocks_in_functions(root: ts.Node, language: str) -> list[ts.Node]:
    out: list[ts.Node] = []
    stack: list[tuple[ts.Node, bool]] = [(root, False)]
    while stack:
        node, inside = stack.pop()
        inside = inside or node.type in _FUNCTIONS[language]
        if inside and node.type in _BLOCKS[language]:
            out.append(node)
        stack.extend((child, inside) for child in reversed(node.children))
    return sorted(out, key=lambda n: n.start_byte)


def _is_docstring(node: ts.Node) -> bool:
    return node.type == "expression_statement" and bool(node.named_children) and (
        node.named_children[0].type == "string"
    )


def candidate_spans(f: SourceFile) -> list[tuple[int, int]]:
    """Every (first, last) line span of consecutive whole statements of one block in a function,
    1-6 lines long, starting with code (not a comment or a docstring)."""
    data = f.text.encode("utf-8")
    tree = _parser(f.language).parse(data)
    lines = f.text.split("\n")
    spans: set[tuple[int, int]] = set()
    for block in _blocks_in_functions(tree.root_node, f.language):
        stmts = [c for c in block.named_children]
        for i, first in enumerate(stmts):
            if first.type == "comment" or _is_docstring(first):
                continue
            row0 = first.start_point[0]
            if row0 == 0 or lines[row0][: first.start_point[1]].strip():
                continue  # not at the start of its line
            if i and stmts[i - 1].end_point[0] >= row0:
                continue
            for j in range(i, len(stmts)):
                last = stmts[j]
                row1 = last.end_point[0]
                if row1 - row0 + 1 > MAX_SPAN_LINES:
                    break
                if j + 1 < len(stmts) and stmts[j + 1].start_point[0] <= row1:
                    continue  # the next statement starts on this line
                span = lines[row0 : row1 + 1]
                if any(len(s) > MAX_LINE_CHARS or "\t" in s for s in span):
                    break
                typed = sum(len(s.strip()) for s in span)
                if MIN_TYPED_CHARS <= typed <= MAX_TYPED_CHARS:
                    spans.add((row0, row1))
    return sorted(spans)


def replay_sites(seed: int = 1, count: int = 24) -> list[Site]:
    """``count`` sites spread evenly over :func:`replay_files`, drawn with ``seed``."""
    rng = random.Random(seed)
    files = replay_files()
    candidates = {f.name: candidate_spans(f) for f in files}
    sites: list[Site] = []
    taken: dict[str, list[tuple[int, int]]] = {f.name: [] for f in files}
    k = 0
    while len(sites) < count:
        f = files[k % len(files)]
        k += 1
        free = [
            s for s in candidates[f.name]
            if all(s[1] < t[0] - 2 or s[0] > t[1] + 2 for t in taken[f.name])
        ]
        if not free:
            if k > 10 * count:
                raise RuntimeError("not enough candidate sites")
            continue
        first, last = rng.choice(free)
        taken[f.name].append((first, last))
        sites.append(Site(f, first, last))
    return sites


def describe_corpus(sites: list[Site]) -> dict[str, object]:
    import hashlib

    files = {s.file.name: s.file for s in sites}
    return {
        "python": sys.version.split()[0],
        "files": {
            name: {"language": f.language, "lines": f.text.count("\n") + 1,
                   "sha256": hashlib.sha256(f.text.encode()).hexdigest()[:16]}
            for name, f in sorted(files.items())
        },
        "sites": [s.label for s in sites],
        "typed_chars": sum(len(s.typed) for s in sites),
    }


if __name__ == "__main__":
    chosen = replay_sites()
    for s in chosen:
        print(f"--- {s.label} ({s.file.language})")
        print(s.typed[1:])
