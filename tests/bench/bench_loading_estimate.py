"""Prompts fitted by the token estimate while DeepSeek's tokenizer loads, counted by the tokenizer.

Before the tokenizer has loaded, a completion's prompt is fitted by ``EstimateCounter`` to the
budget less ``LOADING_MARGIN``; a text the estimate counts short still goes over the budget.
This builds the FIM prompt (no snippets) at a seeded line of the second half of real files (the
recall projects' sources in ``--workdir`` of bench_context_recall.py; the running Python's
encodings tables and the files ``--extra`` globs name, e.g. minified bundles: data) with the estimate as it is and by characters alone
(``PIECES_SHARE = 0``), and prints for each the prompts over the 2,048-token budget, their sum
of real tokens and the prompts that differ.

    python tests/bench/bench_loading_estimate.py [--workdir /tmp/deepseek-lsp-recall] [--files 264] [--seed 5]
        [--extra '/usr/lib/python3/dist-packages/pip/_vendor/chardet/*.py' --extra 'node_modules/**/*.min.js']
"""

from __future__ import annotations

import argparse
import glob
import random
import statistics
import sys
import sysconfig
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from deepseek_lsp.completion.prompting import LOADING_MARGIN  # noqa: E402
from deepseek_lsp.documents import DocumentStore  # noqa: E402
from deepseek_lsp.model import tokens  # noqa: E402
from deepseek_lsp.prompts import build_fim_prompt  # noqa: E402
from tests.bench.recall.analyze import REGISTRY  # noqa: E402

BUDGET = 2048
LANGUAGES = {".py": "python", ".ts": "typescript", ".js": "javascript"}


def real_tokens(path: Path, counter: tokens.TokenCounter) -> int | None:
    """The real count of the prompt the estimate fits at a seeded line of ``path``."""
    text = path.read_text(errors="replace")
    lines = text.split("\n")
    if len(lines) < 50:
        return None
    doc = DocumentStore(REGISTRY).open(path.as_uri(), text, LANGUAGES[path.suffix], 1)
    line = random.Random(str(path)).randrange(len(lines) // 2, len(lines))
    offset = len("\n".join(lines[:line]).encode()) + 1
    fim = build_fim_prompt(
        doc, offset, budget=int(BUDGET / LOADING_MARGIN), suffix_share=0.1, count=tokens.EstimateCounter().count, path=path.name
    )
    return counter.count(fim.prompt) + counter.count(fim.suffix)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--workdir", default="/tmp/deepseek-lsp-recall", help="bench_context_recall.py's workdir")
    parser.add_argument("--files", type=int, default=264)
    parser.add_argument("--seed", type=int, default=5)
    parser.add_argument("--extra", action="append", default=[], help="a glob of more files (data)")
    args = parser.parse_args()
    rng = random.Random(args.seed)
    code = sorted(p for p in (Path(args.workdir) / "ws").rglob("*") if p.suffix in LANGUAGES and p.is_file())
    data = rng.sample(sorted((Path(sysconfig.get_paths()["stdlib"]) / "encodings").glob("*.py")), 60)
    data += [Path(p) for pattern in args.extra for p in sorted(glob.glob(pattern, recursive=True)) if Path(p).suffix in LANGUAGES]
    files = rng.sample(code, min(args.files, len(code))) + data
    counter = tokens.TokenCounter()
    runs: dict[str, dict[Path, int]] = {}
    for name, share in (("by characters", 0.0), ("as it is", tokens.PIECES_SHARE)):
        tokens.PIECES_SHARE = share
        runs[name] = {f: n for f in files if (n := real_tokens(f, counter)) is not None}
    for name, sizes in runs.items():
        over = [n - BUDGET for n in sizes.values() if n > BUDGET]
        print(f"{name}: {len(sizes)} prompts, over the budget {len(over)} (+{max(over, default=0)} at worst), "
              f"real tokens median {statistics.median(sizes.values())}, sum {sum(sizes.values())}")
    before, after = runs.values()
    changed = [f for f in before if before[f] != after[f]]
    print(f"{len(changed)} prompts differ ({sum(f in data for f in changed)} of them data tables):")
    for f in changed:
        print(f"  {f}: {before[f]} -> {after[f]}")


if __name__ == "__main__":
    main()
