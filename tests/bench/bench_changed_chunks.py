"""How long a save of a large file with no grammar takes to find its changed chunks.

    python tests/bench/bench_changed_chunks.py [--lines 30000]

A YAML-like file (660 kB at 30,000 lines) against its text with 22 edits spread over it, with
every line changed, and with its lines sorted: the figures are the time ``changed_lines`` takes
(run off the event loop) and the lines it says changed.
"""

from __future__ import annotations

import argparse
import random
import time

from deepseek_lsp.documents import Document
from deepseek_lsp.review.changed_hunks import changed_lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--lines", type=int, default=30000)
    args = parser.parse_args()
    rng = random.Random(1)
    lines = [f"  key_{i}: value-{rng.randint(0, 10**6)}" if i % 7 else "" for i in range(args.lines)]
    before = "\n".join(lines) + "\n"
    edited = list(lines)
    for i in [1, *rng.sample(range(args.lines), 20), args.lines - 2]:
        edited[i] += " # changed"
    cases = {
        "22 edits spread": edited,
        "every line changed": [line.upper() for line in lines],
        "lines sorted": sorted(lines),
    }
    print(f"{len(before):,} bytes, {args.lines:,} lines")
    for name, after in cases.items():
        doc = Document("file:///bench/big.yaml", "\n".join(after) + "\n")
        started = time.perf_counter()
        changed = changed_lines(before, doc)
        print(f"{name:<20} {1000 * (time.perf_counter() - started):8.1f} ms  {len(changed):>6,} lines changed")


if __name__ == "__main__":
    main()
