"""How often a name used in real code, defined in the same file, has its definition in the prompt.

For each language, files of real code on this machine (the running Python's library folder,
node_modules' JavaScript and TypeScript, Debian's Go and Rust library sources (``apt-get install
golang-github-spf13-cobra-dev golang-golang-x-sync-dev librust-regex-syntax-dev
librust-serde-json-dev`` and what they pull in), Temurin 25's ``src.zip``, C and C++ sources and
headers) are taken in a seeded order; in each, up to ``--per-file`` uses of a name the file
defines elsewhere are picked (a leaf of the tree whose text is the name of a definition the
grammar package's own ``queries/tags.scm`` finds: an oracle independent of ours). The cursor
goes just after the use, the rest of its line removed (the name just typed), and the prompt is
built in-process as a request does (``cursor_names``, ``cursor_snippets``, ``build_fim_prompt``
at the default 2,048 tokens). A site is reached when the definition's line (the one holding its
name) is in the prompt, in the window or a snippet.

Each miss is told by the step that lost it: ``query`` (our definitions query does not find the
name in the file), ``parse`` (it does in the whole file, not once the line is cut: an error the
grammar read there hides it), ``names`` (not among the names near the cursor), ``window`` (taken
for seen: inside the window the snippets are chosen against, the prompt's at its narrowest,
not in the prompt's), ``chosen`` (not among the snippets), ``budget`` (a snippet the prompt had
no room for). ``--show K`` prints K of each language's ``query`` misses (the definition's line):
the forms to add to the queries.

    python tests/bench/bench_definitions_reach.py [--sites 200] [--seed 1] [--per-file 2]
        [--languages python,go] [--show 10] [--out reach.json]
"""

from __future__ import annotations

import argparse
import collections
import importlib
import json
import random
import re
import sys
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import tree_sitter as ts

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from deepseek_lsp.completion.prompting import cursor_names, cursor_snippets  # noqa: E402
from deepseek_lsp.config import DEFAULT_EXCLUDE  # noqa: E402
from deepseek_lsp.context import ContextRequest, Indexer, enclosing_scopes  # noqa: E402
from deepseek_lsp.context.index import index_tree  # noqa: E402
from deepseek_lsp.documents import DocumentStore  # noqa: E402
from deepseek_lsp.languages import LanguageRegistry  # noqa: E402
from deepseek_lsp.model.tokens import default_counter  # noqa: E402
from deepseek_lsp.prompts import build_fim_prompt  # noqa: E402

REGISTRY = LanguageRegistry.load()
COUNT = default_counter().count
BUDGET = 2048
MIN_BYTES, MAX_BYTES = 1_000, 150_000
NODE_MODULES = ROOT / "editors" / "vscode" / "test" / "node_modules"

#: Per language: the folders (or a zip) its files come from, their extensions, and the grammar
#: packages whose tags.scm say what a definition is (C++ and TypeScript read their base's too).
CORPORA: dict[str, tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]] = {
    "python": ((sys.base_prefix + f"/lib/python{sys.version_info.major}.{sys.version_info.minor}",), (".py",), ("tree_sitter_python",)),
    "javascript": ((str(NODE_MODULES),), (".js",), ("tree_sitter_javascript",)),
    "typescript": ((str(NODE_MODULES),), (".ts",), ("tree_sitter_javascript", "tree_sitter_typescript")),
    "go": (("/usr/share/gocode/src",), (".go",), ("tree_sitter_go",)),
    "rust": (("/usr/share/cargo/registry",), (".rs",), ("tree_sitter_rust",)),
    "java": (("/usr/lib/jvm/temurin-25-jdk-amd64/lib/src.zip",), (".java",), ("tree_sitter_java",)),
    "c": (("/usr/share/doc", str(NODE_MODULES), "/root/.pyenv/versions"), (".c",), ("tree_sitter_c",)),
    "cpp": ((str(NODE_MODULES), "/usr/include/c++"), (".cc", ".cpp", ".hpp", ".h"), ("tree_sitter_c", "tree_sitter_cpp")),
}  # fmt: skip
#: Leaves that may be a use of a name.
USE_TYPES = frozenset(
    {"identifier", "field_identifier", "type_identifier", "property_identifier", "package_identifier",
     "shorthand_property_identifier", "constant", "name"}
)  # fmt: skip
_WORD = re.compile(rb"^[A-Za-z_]\w{2,}$")


def tags_query(lang: ts.Language, packages: tuple[str, ...]) -> ts.Query:
    """The grammar packages' own tags queries, the patterns this grammar cannot read left out."""
    patterns: list[str] = []
    for package in packages:
        module = importlib.import_module(package)
        text = (Path(module.__file__).parent / "queries" / "tags.scm").read_text()
        # Split at top-level patterns so that one the grammar lacks a node of is dropped alone.
        depth, start = 0, 0
        for i, ch in enumerate(text):
            if ch == ";" and depth == 0:
                continue
            if ch in "([":
                depth += 1
            elif ch in ")]":
                depth -= 1
                if depth == 0:
                    end = i + 1
                    while end < len(text) and text[end] not in "\n":
                        end += 1
                    patterns.append(text[start:end])
                    start = end
    kept = []
    for pattern in patterns:
        body = "\n".join(line for line in pattern.splitlines() if not line.lstrip().startswith(";"))
        if "@definition" not in body:
            continue
        try:
            ts.Query(lang, body)
        except Exception:  # a node type of another grammar
            continue
        kept.append(body)
    return ts.Query(lang, "\n".join(kept))


def files_of(language: str) -> Iterator[tuple[str, bytes]]:
    roots, exts, _ = CORPORA[language]
    found: list[tuple[str, Any]] = []
    for root in roots:
        if root.endswith(".zip"):
            if Path(root).exists():
                with zipfile.ZipFile(root) as z:
                    found += [(f"{root}!{n}", (root, n)) for n in z.namelist() if n.endswith(exts)]
            continue
        found += [(str(p), p) for p in Path(root).rglob("*") if p.suffix in exts and p.is_file()]
    found.sort()
    yield from ((label, ref) for label, ref in found)  # type: ignore[misc]


def read(ref: Any) -> bytes:
    if isinstance(ref, tuple):
        with zipfile.ZipFile(ref[0]) as z:
            return z.read(ref[1])
    return ref.read_bytes()


def line_of(data: bytes, at: int) -> bytes:
    start = data.rfind(b"\n", 0, at) + 1
    end = data.find(b"\n", at)
    return data[start : end if end >= 0 else len(data)]


def sites_in(data: bytes, tree: ts.Tree, query: ts.Query, rng: random.Random, per_file: int) -> list[dict[str, Any]]:
    """Uses of names the file defines (by the tags query): (use's end, name, its definitions' lines)."""
    defs: dict[bytes, list[int]] = collections.defaultdict(list)
    def_names: set[int] = set()
    for _, caps in ts.QueryCursor(query).matches(tree.root_node):
        if any(k.startswith("definition") for k in caps) and caps.get("name"):
            node = caps["name"][0]
            defs[node.text].append(node.start_byte)
            def_names.add(node.start_byte)
    uses: list[tuple[int, bytes]] = []
    stack = [tree.root_node]
    while stack:
        node = stack.pop()
        if node.child_count == 0:
            if node.type in USE_TYPES and node.text in defs and node.start_byte not in def_names and _WORD.match(node.text):
                uses.append((node.end_byte, node.text))
        else:
            stack.extend(node.children)
    uses.sort()
    out = []
    for end, name in rng.sample(uses, min(per_file, len(uses))):
        lines = [line_of(data, at).strip() for at in defs[name]]
        # A definition on the use's own line, or one whose line is too short to tell, tells nothing.
        if line_of(data, end).strip() in lines or all(len(ln) < 8 for ln in lines):
            continue
        out.append({"end": end, "name": name.decode(), "lines": [ln.decode(errors="replace") for ln in lines]})
    return out


def measure(language: str, path: str, data: bytes, site: dict[str, Any]) -> dict[str, Any]:
    end = site["end"]
    line_end = data.find(b"\n", end)
    text = (data[:end] + (data[line_end:] if line_end >= 0 else b"")).decode(errors="replace")
    uri = Path("/", path.replace("!", "/").lstrip("/")).as_uri()
    doc = DocumentStore(REGISTRY).open(uri, text, language, 1)
    offset = end
    lang = doc.language
    assert lang is not None and doc.tree is not None
    scopes = enclosing_scopes(lang, doc.tree, doc.data, offset)
    names = cursor_names(doc, offset, scopes)
    req = ContextRequest(doc, offset, [], [], [Path(uri.removeprefix("file://")).parent], tuple(DEFAULT_EXCLUDE), time.monotonic() + 5)
    index = index_tree(lang, doc.tree, doc.data, path)
    layout = {
        "budget": BUDGET, "suffix_share": 0.1, "count": COUNT, "scopes": scopes, "imports": index.imports,
        "line_comment": lang.spec.line_comment, "path": Path(path).name,
    }  # fmt: skip
    narrowest = build_fim_prompt(doc, offset, narrowest=True, **layout)
    seen = (narrowest.window_start, narrowest.window_end)
    snippets = cursor_snippets(Indexer(REGISTRY), req, names, seen, scopes)
    fim = build_fim_prompt(doc, offset, snippets=snippets, **layout)
    prompt = fim.prompt + fim.suffix
    name = site["name"]
    if any(line in prompt for line in site["lines"]):
        step = "reached"
    elif name not in index.definitions:
        # The line cut at the cursor may leave the grammar an error that hides the definition.
        whole = index_tree(lang, lang.parser().parse(data), data, path)
        step = "query" if name not in whole.definitions else "parse"
    elif name not in names:
        step = "names"
    elif all(seen[0] <= doc.line_start(d.start_line) < seen[1] for d in index.definitions[name]):
        step = "window"
    elif not any(name in s.text for s in snippets):
        step = "chosen"
    else:
        step = "budget"
    # Where its definitions start, in bytes from the cursor (a negative one above it).
    at = [doc.line_start(d.start_line) - offset for d in index.definitions.get(name, ())]
    return {"path": path, "name": name, "lines": site["lines"], "step": step, "at": at}


def run(language: str, sites: int, seed: int, per_file: int) -> list[dict[str, Any]]:
    lang = REGISTRY.get(language)
    assert lang is not None
    query = tags_query(lang.ts_language, CORPORA[language][2])
    files = list(files_of(language))
    random.Random(seed).shuffle(files)
    rng = random.Random(seed)
    out: list[dict[str, Any]] = []
    for path, ref in files:
        if len(out) >= sites:
            break
        data = read(ref)
        if not MIN_BYTES <= len(data) <= MAX_BYTES or b"\0" in data:
            continue
        tree = lang.parser().parse(data)
        for site in sites_in(data, tree, query, rng, per_file):
            if len(out) < sites:
                out.append(measure(language, path, data, site))
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sites", type=int, default=200)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--per-file", type=int, default=2)
    ap.add_argument("--languages", default=",".join(CORPORA))
    ap.add_argument("--show", type=int, default=0)
    ap.add_argument("--out")
    args = ap.parse_args()
    results: dict[str, list[dict[str, Any]]] = {}
    for language in args.languages.split(","):
        rows = run(language, args.sites, args.seed, args.per_file)
        results[language] = rows
        steps = collections.Counter(r["step"] for r in rows)
        missed = len(rows) - steps["reached"]
        detail = ", ".join(f"{k} {v}" for k, v in sorted(steps.items()) if k != "reached")
        print(f"{language:11} sites {len(rows):4}  reached {steps['reached']:4}  missed {missed:4}  ({detail})", flush=True)
        for row in [r for r in rows if r["step"] == "query"][: args.show]:
            print(f"    {row['name']}: {row['lines'][0][:110]}   [{row['path'][-60:]}]")
    if args.out:
        Path(args.out).write_text(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()
