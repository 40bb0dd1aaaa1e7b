"""Prompts fitted by the token estimate while DeepSeek's tokenizer loads, counted by the tokenizer.

Before the tokenizer has loaded, a completion's prompt is fitted by ``EstimateCounter`` to the
budget less ``LOADING_MARGIN``; a text the estimate counts short still goes over the budget.
This builds the FIM prompt (no snippets) at a seeded line of the second half of real files (the
recall projects' sources in ``--workdir`` of bench_context_recall.py; the running Python's
encodings tables and the files ``--extra`` globs name, e.g. minified bundles or base64 fixtures: data) with the estimate as
it is (``tokens.LOADING_ESTIMATE``), without its base64 blobs (``BLOB_TOKENS_PER_CHAR = 0.3``) and by characters alone (nor the pieces' floor,
``PIECES_SHARE = 0``), and prints for each the prompts over the 2,048-token budget, their sum
of real tokens and the prompts that differ, and what share of the prompt the tokenizer fits
once loaded they carry.

    python tests/bench/bench_loading_estimate.py [--workdir /tmp/deepseek-lsp-recall] [--files 264] [--seed 5] [--margin 1.2]
        [--extra '/usr/lib/python3/dist-packages/pip/_vendor/chardet/*.py' --extra 'node_modules/**/*.min.js']
        [--extra 'LIB/test/test_gettext.py' --after '[A-Za-z0-9+/]{60}']  # below the file's last base64 line
"""

from __future__ import annotations

import argparse
import glob
import itertools
import random
import re
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


def real_tokens(
    path: Path, counter: tokens.TokenCounter, after: re.Pattern[str] | None = None, margin: float = LOADING_MARGIN, exact: bool = False
) -> int | None:
    """The real count of the prompt the estimate fits at a seeded line of ``path`` (below the
    last line ``after`` matches, where it matches one: the data before the cursor); ``exact``:
    of the one the tokenizer fits to the whole budget, as once it has loaded."""
    text = path.read_text(errors="replace")
    lines = text.split("\n")
    if len(lines) < 50:
        return None
    doc = DocumentStore(REGISTRY).open(path.as_uri(), text, LANGUAGES[path.suffix], 1)
    line = random.Random(str(path)).randrange(len(lines) // 2, len(lines))
    if after is not None and (hits := [i for i, t in enumerate(lines) if after.search(t)]):
        line = hits[-1] + 1
    offset = len("\n".join(lines[:line]).encode()) + 1
    count = counter.count if exact else tokens.LOADING_ESTIMATE.count
    fim = build_fim_prompt(doc, offset, budget=BUDGET if exact else int(BUDGET / margin), suffix_share=0.1, count=count, path=path.name)
    return counter.count(fim.prompt) + counter.count(fim.suffix)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--workdir", default="/tmp/deepseek-lsp-recall", help="bench_context_recall.py's workdir")
    parser.add_argument("--files", type=int, default=264)
    parser.add_argument("--seed", type=int, default=5)
    parser.add_argument("--extra", action="append", default=[], help="a glob of more files (data)")
    parser.add_argument("--after", help="a regex: the cursor of an --extra file below its last line matching it")
    parser.add_argument("--margin", type=float, default=LOADING_MARGIN, help="the budget over this while the tokenizer loads")
    args = parser.parse_args()
    rng = random.Random(args.seed)
    code = sorted(p for p in (Path(args.workdir) / "ws").rglob("*") if p.suffix in LANGUAGES and p.is_file())
    data = rng.sample(sorted((Path(sysconfig.get_paths()["stdlib"]) / "encodings").glob("*.py")), 60)
    data += [Path(p) for pattern in args.extra for p in sorted(glob.glob(pattern, recursive=True)) if Path(p).suffix in LANGUAGES]
    files = rng.sample(code, min(args.files, len(code))) + data
    extra, after = set(data[60:]), re.compile(args.after) if args.after else None
    counter = tokens.TokenCounter()
    runs: dict[str, dict[Path, int]] = {}
    pieces, blobs = tokens.PIECES_SHARE, tokens.BLOB_TOKENS_PER_CHAR
    # (A blob counted at 0.3 tokens a character is counted as by characters.)
    for name, share, blob in (("by characters", 0.0, 0.3), ("no blobs", pieces, 0.3), ("as it is", pieces, blobs)):
        tokens.PIECES_SHARE, tokens.BLOB_TOKENS_PER_CHAR = share, blob
        runs[name] = {f: n for f in files if (n := real_tokens(f, counter, after if f in extra else None, args.margin)) is not None}
    loaded = {f: real_tokens(f, counter, after if f in extra else None, exact=True) for f in runs["as it is"]}
    # The files whose prompt fills the budget once the tokenizer has loaded: how much of it the
    # prompt before the load carries.
    shares = sorted(runs["as it is"][f] / n for f, n in loaded.items() if n is not None and n >= 0.9 * BUDGET)
    print(f"before the load / after, {len(shares)} prompts filling the budget: median {statistics.median(shares):.3f}, "
          f"least {shares[0]:.3f}, p10 {shares[len(shares) // 10]:.3f}")
    for name, sizes in runs.items():
        over = [n - BUDGET for n in sizes.values() if n > BUDGET]
        print(f"{name}: {len(sizes)} prompts, over the budget {len(over)} (+{max(over, default=0)} at worst), "
              f"real tokens median {statistics.median(sizes.values())}, sum {sum(sizes.values())}")
    names = list(runs)
    for before_name, after_name in itertools.pairwise(names):
        before, after = runs[before_name], runs[after_name]
        changed = [f for f in before if before[f] != after[f]]
        print(f"{before_name} -> {after_name}: {len(changed)} prompts differ ({sum(f in data for f in changed)} of them data):")
        for f in changed:
            print(f"  {f}: {before[f]} -> {after[f]}")


if __name__ == "__main__":
    main()
