"""Incremental reparse cost of a keystroke at the end of a block's last line against one mid-block.

Retypes a short statement on a new line below real lines of real files, through the server's
Document (didChange, ``tree.edit``, then the reparse a feature pays when it next reads the tree):
at a block's end (the next code line is dedented) and mid-block (the next code line has the same
indentation). Prints, per language and kind of site, the reparse time a key and the tokens
tree-sitter lexed again a key (counted from its parser log: unlike times, not moved by load).

    python tests/bench/bench_reparse_block_end.py [--sites 40] [--files a.rs b.c ...]

Finding (tree-sitter 0.26.1, tree-sitter-python 0.25.0): in Python a key that changes the token
before a block's end relexes the rest of the file. The edit we describe is exact (tests/
test_documents.py compares the incremental tree with a fresh parse over random edits), and
describing it wider (from the line's start, up to the next token, the next line) does not help.
The cause is in tree-sitter's reuse of the old tree: the changed zero-width ``_newline`` and
``_dedent`` tokens at the line's end are skipped, the next statement (same byte offset) is then
compared before the parser has lexed those tokens, its external-scanner state (the indent stack)
differs and it is thrown away; at every later dedent the old tree's node is again looked at one
zero-width token early, so no node after the edit is reused. See
tests/test_reparse_block_end.py for a minimal reproduction.
"""

from __future__ import annotations

import argparse
import importlib
import inspect
import random
import statistics
import sys
import time
from collections import defaultdict
from pathlib import Path

from lsprotocol import types

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "server"))

from deepseek_lsp.documents import Document  # noqa: E402
from deepseek_lsp.languages import LanguageRegistry  # noqa: E402

PYTHON_MODULES = ("configparser", "argparse", "dataclasses")
#: What a user types on the new line, per language (statements each grammar parses whole).
STATEMENTS = {
    "python": "x = 1",
    "javascript": "x = 1",
    "typescript": "x = 1;",
    "go": "x = 1",
    "rust": "x = 1;",
    "c": "x = 1;",
}
#: Lines after which a new line does not start a statement.
CONTINUED = ("(", "[", "{", ",", "\\", ":", "=", "+", "&&", "||", "/*", "*")
EXTENSIONS = {".py": "python", ".js": "javascript", ".ts": "typescript", ".go": "go", ".rs": "rust", ".c": "c"}


def default_files() -> list[tuple[str, Path]]:
    files = [("python", Path(inspect.getsourcefile(importlib.import_module(m)) or "")) for m in PYTHON_MODULES]
    for language, path in (
        ("javascript", ROOT / "tests/bench/node_modules/readable-stream/lib/internal/streams/readable.js"),
        ("typescript", ROOT / "editors/vscode/src/extension.ts"),
    ):
        if path.is_file():
            files.append((language, path))
    return files


def indentation(line: str) -> int:
    return len(line) - len(line.lstrip())


def sites(lines: list[str]) -> dict[str, list[int]]:
    """Lines ending a statement inside a block, by whether the next code line is dedented."""
    found: dict[str, list[int]] = {"block end": [], "mid block": []}
    for i, line in enumerate(lines):
        code = line.strip()
        if not code or code.startswith(("#", "//", "/*", "*")) or indentation(line) == 0 or code.endswith(CONTINUED):
            continue
        n = i + 1
        while n < len(lines) and not lines[n].strip():
            n += 1
        if n == len(lines):
            continue
        if indentation(lines[n]) < indentation(line):
            found["block end"].append(i)
        elif indentation(lines[n]) == indentation(line) and not lines[n].lstrip().startswith(("}", ")", "]")):
            found["mid block"].append(i)
    return found


class LexCounter:
    """Counts the tokens a parser lexes, from its log, while installed."""

    def __init__(self) -> None:
        self.count = 0

    def __call__(self, _kind: object, message: str) -> None:
        if message.startswith("lexed_lookahead"):
            self.count += 1


def retype(registry: LanguageRegistry, language: str, text: str, line: int) -> list[tuple[float, int]]:
    """(reparse ms, tokens lexed) for each key of a statement typed on a new line below ``line``.

    Timed on one document, counted on a twin: the parser's log slows parsing several times."""
    timed, counted = (Document("file:///bench/f", text, language=registry.get(language), encoding="utf-16") for _ in range(2))
    parser = timed.language.shared_parser if timed.language else None
    assert parser is not None and timed.tree is not None and counted.tree is not None
    current = timed.line_text(line)
    indent = current[: indentation(current)]
    keys = [("\n" + indent, types.Position(line=line, character=len(current)))]
    keys += [(ch, types.Position(line=line + 1, character=len(indent) + col)) for col, ch in enumerate(STATEMENTS[language])]
    out = []
    counter = LexCounter()
    for ch, pos in keys:
        change = types.TextDocumentContentChangePartial(range=types.Range(start=pos, end=pos), text=ch)
        timed.apply_change(change)
        t = time.perf_counter()
        timed.parse_now()
        ms = (time.perf_counter() - t) * 1000
        counted.apply_change(change)
        counter.count = 0
        parser.logger = counter
        try:
            counted.parse_now()
        finally:
            parser.logger = None
        out.append((ms, counter.count))
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sites", type=int, default=40, help="sites of each kind a file")
    parser.add_argument("--seed", type=int, default=3)
    parser.add_argument("--files", nargs="*", default=[], help="more files (.py .js .ts .go .rs .c)")
    args = parser.parse_args()
    registry = LanguageRegistry.load()
    files = default_files() + [(EXTENSIONS[Path(f).suffix], Path(f)) for f in args.files]
    rng = random.Random(args.seed)
    rows: dict[tuple[str, str], list[tuple[float, int]]] = defaultdict(list)
    whole: dict[str, list[tuple[float, int]]] = defaultdict(list)
    for language, path in files:
        text = path.read_text(encoding="utf-8", errors="replace")
        lang = registry.get(language)
        assert lang is not None, language
        t = time.perf_counter()
        lang.shared_parser.parse(text.encode())
        ms = (time.perf_counter() - t) * 1000
        counter = LexCounter()
        lang.shared_parser.logger = counter
        lang.shared_parser.parse(text.encode())
        lang.shared_parser.logger = None
        whole[language].append((ms, counter.count))
        for kind, lines in sites(text.splitlines()).items():
            for line in rng.sample(lines, min(args.sites, len(lines))):
                rows[(language, kind)].extend(retype(registry, language, text, line))
    print(f"{'language':<11} {'sites':<10} {'keys':>5} {'ms/key p50':>10} {'mean':>6} {'lexed/key p50':>13} {'mean':>6} {'>1/2 whole':>10}")
    for (language, kind), keys in sorted(rows.items()):
        ms = [k[0] for k in keys]
        lexed = [k[1] for k in keys]
        half = statistics.mean(w[1] for w in whole[language]) / 2
        print(
            f"{language:<11} {kind:<10} {len(keys):>5} {statistics.median(ms):>10.3f} {statistics.mean(ms):>6.2f}"
            f" {statistics.median(lexed):>13.0f} {statistics.mean(lexed):>6.0f} {sum(x > half for x in lexed):>10}"
        )
    for language, parses in sorted(whole.items()):
        print(f"{language:<11} whole parse: {statistics.mean(p[0] for p in parses):.2f} ms, {statistics.mean(p[1] for p in parses):.0f} tokens (mean of {len(parses)} files)")


if __name__ == "__main__":
    main()
