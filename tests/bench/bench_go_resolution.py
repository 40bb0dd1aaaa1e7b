"""What a request's Go import resolution costs in file-system calls and time, in a module of
``--packages`` local packages all imported by one file (``resolve_local_imports_cached``: the
whole file's resolution and ``--outlines`` of one package each, as a request at a package's dot
asks): with every folder's time settled, and right after a change in the document's folder
(a save: Neovim writes and deletes its backup file there at each ``:w``), while that time is
too recent to tell by (2 s). Each figure is per request, the average of ``--requests``.

    python tests/bench/bench_go_resolution.py [--packages 40] [--outlines 5] [--requests 20]
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from deepseek_lsp.imports import resolve_local_imports_cached  # noqa: E402


def _module(root: Path, packages: int) -> tuple[Path, list[str]]:
    (root / "go.mod").write_text("module example.com/app\n\ngo 1.21\n")
    sources = [f"example.com/app/pkg/p{i}" for i in range(packages)]
    for i in range(packages):
        folder = root / "pkg" / f"p{i}"
        folder.mkdir(parents=True)
        for j in range(3):
            (folder / f"f{j}.go").write_text(f"package p{i}\n\nfunc F{j}() int {{ return {j} }}\n")
    (root / "cmd").mkdir()
    main = root / "cmd" / "main.go"
    main.write_text("package main\n\nimport (\n" + "".join(f'\t"{s}"\n' for s in sources) + ")\n\nfunc main() {}\n")
    past = time.time() - 60
    for folder in (root, root / "cmd", root / "pkg", *(root / "pkg" / f"p{i}" for i in range(packages))):
        os.utime(folder, (past, past))
    return main, sources


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--packages", type=int, default=40)
    parser.add_argument("--outlines", type=int, default=5)
    parser.add_argument("--requests", type=int, default=20)
    args = parser.parse_args()
    root = Path(tempfile.mkdtemp(prefix="bench_go_resolution"))
    calls: Counter[str] = Counter()
    real = {name: getattr(os, name) for name in ("stat", "scandir", "listdir")}

    def counted(name: str) -> Any:
        def call(*a: Any, **k: Any) -> Any:
            calls[name] += 1
            return real[name](*a, **k)

        return call

    try:
        doc, sources = _module(root, args.packages)

        def request() -> None:
            resolve_local_imports_cached(sources, doc, [root], "go", None)
            for source in sources[: args.outlines]:
                resolve_local_imports_cached([source], doc, [root], "go", None)

        def measure(label: str) -> None:
            calls.clear()
            for name in real:
                setattr(os, name, counted(name))
            try:
                start = time.perf_counter()
                for _ in range(args.requests):
                    request()
                took = (time.perf_counter() - start) / args.requests
            finally:
                for name, call in real.items():
                    setattr(os, name, call)
            each = ", ".join(f"{calls[name] / args.requests:.0f} {name}" for name in real)
            print(f"{label}: {each}, {took * 1e3:.2f} ms a request")

        request()
        measure("settled")
        (doc.parent / "main.go~").write_text("x")
        (doc.parent / "main.go~").unlink()
        measure("document's folder changed under 2 s ago")
    finally:
        shutil.rmtree(root)


if __name__ == "__main__":
    main()
