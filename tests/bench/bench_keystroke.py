"""Time to apply one keystroke: the incremental didChange (text, line index, ``tree.edit``), and
apart from it the incremental tree-sitter reparse that runs when a feature next needs the tree.

    python tests/bench/bench_keystroke.py [--keys 2000] [--out results.json]
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import time
from pathlib import Path

from lsprotocol import types

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from deepseek_lsp.documents import DocumentStore
from deepseek_lsp.languages import LanguageRegistry
from tests.bench.corpus import big_python_file


def pct(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(p * len(values)))]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--keys", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--out")
    args = parser.parse_args()
    rng = random.Random(args.seed)
    text = big_python_file(10_000)
    store = DocumentStore(LanguageRegistry.load(), "utf-16")
    t0 = time.perf_counter()
    store.open("file:///bench/big.py", text, "python", 1)
    open_ms = (time.perf_counter() - t0) * 1000
    times: list[float] = []
    parses: list[float] = []
    version = 1
    snippet = "result = compute(value, other)"
    lines = text.splitlines()
    # Sites where a user writes code: after an indented statement line, at that indentation.
    sites = [i for i, ln in enumerate(lines) if ln.startswith("        ") and ln.strip() and not ln.rstrip().endswith(("(", ",", "\\"))]
    typed = 0
    added = 0
    while typed < args.keys:
        line = rng.choice(sites)
        line += sum(1 for _ in range(0))  # sites are re-read from the live document below
        doc = store.get("file:///bench/big.py")
        current = doc.line_text(line)
        indent = current[: len(current) - len(current.lstrip())]
        end = types.Position(line=line, character=len(current))
        keys = [("\n" + indent, end)]
        for col, ch in enumerate(snippet):
            keys.append((ch, types.Position(line=line + 1, character=len(indent) + col)))
        for ch, pos in keys:
            version += 1
            change = types.TextDocumentContentChangePartial(range=types.Range(start=pos, end=pos), text=ch)
            t = time.perf_counter()
            store.change("file:///bench/big.py", version, [change])
            times.append((time.perf_counter() - t) * 1000)
            # A feature that needs the tree now pays the incremental reparse, measured apart.
            t = time.perf_counter()
            store.get("file:///bench/big.py").parse_now()
            parses.append((time.perf_counter() - t) * 1000)
            typed += 1
        added += 1
        sites = [s + 1 if s > line else s for s in sites]
    doc = store.get("file:///bench/big.py")
    assert doc is not None and doc.tree is not None
    result = {
        "file_lines": 10_000,
        "file_bytes": len(text.encode()),
        "keystrokes": len(times),
        "open_ms": round(open_ms, 2),
        "keystroke_ms_p50": round(statistics.median(times), 3),
        "keystroke_ms_p99": round(pct(times, 0.99), 3),
        "keystroke_ms_max": round(max(times), 3),
        "reparse_ms_p50": round(statistics.median(parses), 3),
        "reparse_ms_p99": round(pct(parses, 0.99), 3),
    }
    width = max(len(k) for k in result)
    for key, value in result.items():
        print(f"{key:<{width}}  {value}")
    if args.out:
        Path(args.out).write_text(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
