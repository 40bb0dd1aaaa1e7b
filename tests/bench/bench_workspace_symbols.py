"""The workspace symbol table's cost: indexing a large workspace, and what it blocks.

Indexes ``--root`` (default: this Python's standard library, ~2,000 files with its tests) as the
server does while the user pauses: planned nearest ``--near`` first, up to ``--max-files``, each
file in steps (``WorkspaceSymbols.index_steps``), the files of ``--near``'s language family only. Prints the files and names indexed, the total
CPU time, the longest slice (how long a keystroke arriving meanwhile waits at most), the memory
the table holds (tracemalloc), and a lookup's time. Then the next session: the table saved to a
store and loaded back into a new table (the files' stamps unchanged), timed the same way.

    python tests/bench/bench_workspace_symbols.py [--root DIR] [--near FILE] [--max-files 2000]
"""

from __future__ import annotations

import argparse
import itertools
import statistics
import sys
import sysconfig
import tempfile
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT / "server") not in sys.path:
    sys.path.insert(0, str(ROOT / "server"))

from deepseek_lsp.config import DEFAULT_EXCLUDE  # noqa: E402
from deepseek_lsp.languages import LanguageRegistry  # noqa: E402
from deepseek_lsp.symbol_store import SymbolStore  # noqa: E402
from deepseek_lsp.workspace_symbols import WorkspaceSymbols  # noqa: E402


def main() -> None:
    stdlib = Path(sysconfig.get_paths()["stdlib"])
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--root", type=Path, default=stdlib)
    parser.add_argument("--near", type=Path, default=stdlib / "asyncio" / "base_events.py")
    parser.add_argument("--max-files", type=int, default=2000)
    args = parser.parse_args()

    registry = LanguageRegistry.load()
    registry.get("python").query("definitions")  # the grammar's import is start-up, not indexing
    symbols = WorkspaceSymbols(registry, max_files=args.max_files)
    started = time.perf_counter()
    language = registry.for_filename(args.near.name)
    planned = symbols.plan([args.root], DEFAULT_EXCLUDE, [args.near], language.name if language else None)
    plan_s = time.perf_counter() - started

    tracemalloc.start()
    slices: list[float] = []
    cpu = time.process_time()
    wall = time.perf_counter()
    for path in planned:
        steps = symbols.index_steps(path)
        while True:
            t = time.perf_counter()
            done = next(steps, None)
            slices.append(time.perf_counter() - t)
            if done is None:
                break
    wall = time.perf_counter() - wall
    cpu = time.process_time() - cpu
    held, _peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()

    python_names = symbols._names.get("python", {})  # by language family
    names = list(python_names)[:: max(1, len(python_names) // 2000)]
    t = time.perf_counter()
    for name in names:
        symbols.files_defining(name, "python")
    lookup_us = (time.perf_counter() - t) / len(names) * 1e6

    stats = symbols.stats()
    print(f"workspace {args.root}: {len(planned)} files planned in {plan_s * 1000:.0f} ms")
    print(f"indexed {stats['files']} files, {stats['names']} names in {wall:.2f} s ({cpu:.2f} s CPU)")
    print(f"slices: {len(slices)}, median {statistics.median(slices) * 1000:.2f} ms, "
          f"p99 {sorted(slices)[int(len(slices) * 0.99)] * 1000:.2f} ms, longest {max(slices) * 1000:.2f} ms")
    print(f"table held in memory: {held / 1e6:.2f} MB")
    print(f"lookup: {lookup_us:.2f} us")
    next_session(symbols, registry, [args.root], language.name if language else "", planned)


def next_session(symbols: WorkspaceSymbols, registry: LanguageRegistry, roots: list[Path], family: str, planned: list[Path]) -> None:
    """Save the table, load it into a new one as the next session does, and time both."""
    with tempfile.TemporaryDirectory() as tmp:
        store = SymbolStore(Path(tmp))
        t = time.perf_counter()
        store.save(roots, family, symbols.records, symbols.digests())
        save_s = time.perf_counter() - t
        size = store.path_for(roots, family).stat().st_size
        t = time.perf_counter()
        stored, _stale = store.load(roots, family, planned, symbols.digests())
        load_s = time.perf_counter() - t
        again = WorkspaceSymbols(registry)
        slices: list[float] = []
        t = time.perf_counter()
        for i, (path, record) in enumerate(stored.items()):
            if i % 256 == 0:
                slices.append(time.perf_counter())
            again.add_stored(path, record)
        slices.append(time.perf_counter())
        add_s = slices[-1] - t
        longest = max(b - a for a, b in itertools.pairwise(slices))
    same = again.stats()["names"] == symbols.stats()["names"]
    print(f"next session: store of {size / 1e6:.2f} MB written in {save_s * 1000:.0f} ms, "
          f"read and checked against the files' stamps in {load_s * 1000:.0f} ms, {len(stored)} files' names "
          f"added in {add_s * 1000:.0f} ms (longest slice {longest * 1000:.1f} ms); same table: {same}")


if __name__ == "__main__":
    main()
