"""Where the replay's prompt tokens miss DeepSeek's prefix cache, request by request, and why.

Runs ``bench_replay``'s deepseek-lsp column alone (about a minute; no tabby-agent, no naive
column, no review) with its requests dumped, or reads a dump (``--from``: a
``deepseek-lsp.requests.json`` that ``bench_replay.py --dump`` wrote), and sorts each request's
missed tokens (the fake's usage: 4 characters a token, 64-token units) by why:

- ``first, new file``: the first request at a site in a file no request showed before;
- ``first, file seen``: the first at a site in a file an earlier site was in (what its prompt
  shares with that file's earlier prompts is printed);
- ``snippets changed``: a later request at a site whose extra context (above the file's own
  ``Path:`` line) differs from the one before;
- ``head or window moved``: its own part differs more than the cursor's line back;
- ``typed at the cursor``: what was typed since the last request, the suffix after it (cached
  only behind an identical prompt) and the last partial 64-token unit.

Then the share an ideal layout would reach on the same requests: every request but the first
in a new file served whole up to its suffix.

    python tests/bench/bench_provider_cache.py [--seed 1] [--sites 24] [--from DUMP] [--verbose]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import re
import sys
import tempfile
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tests.bench.bench_replay import run_replay  # noqa: E402
from tests.bench.oracle import FIM_PATH  # noqa: E402
from tests.bench.peers import DEEPSEEK  # noqa: E402
from tests.fake_deepseek import CACHE_UNIT_TOKENS, _common_prefix_len, approx_tokens  # noqa: E402

#: A file's label line in a prompt: the snippets' and, last, the file being written's.
_LABEL = re.compile(r"^\S{1,3} Path: (.*)$", re.M)
REASONS = ("first, new file", "first, file seen", "snippets changed", "head or window moved", "typed at the cursor")


def own_label(prompt: str) -> tuple[int, str]:
    """(offset, path) of the prompt's own file label: the last one."""
    found = list(_LABEL.finditer(prompt))
    return (found[-1].start(), found[-1].group(1)) if found else (0, "?")


def classify(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Each FIM request in arrival order, its hit and missed tokens and the miss's reason."""
    reqs = sorted((r for r in records if r["path"] == FIM_PATH), key=lambda r: r["received_at"])
    rows: list[dict[str, Any]] = []
    by_file: dict[str, list[str]] = {}
    last_site: str | None = None
    last_key = ""
    for rec in reqs:
        prompt, suffix = rec["json"]["prompt"], rec["json"].get("suffix") or ""
        usage = rec.get("usage") or {}
        total, hit = usage.get("prompt_tokens", 0), usage.get("prompt_cache_hit_tokens", 0)
        label_at, path = own_label(prompt)
        key = prompt + "\x00" + suffix
        site = suffix[:200]  # the text after the cursor tells the sites apart (as bench_replay)
        row = {"path": path, "prompt_tokens": total, "hit": hit, "miss": total - hit,
               "suffix_tokens": approx_tokens(suffix)}
        if site != last_site:
            earlier = by_file.get(path, [])
            row["reason"] = "first, file seen" if earlier else "first, new file"
            row["shared_with_file"] = max((_common_prefix_len(key, k) for k in earlier), default=0) // 4
        else:
            at = _common_prefix_len(key, last_key)
            last_prompt = last_key.split("\x00", 1)[0]
            cursor_line = len(last_prompt) - last_prompt.rfind("\n")
            if at < max(label_at, own_label(last_prompt)[0]):
                row["reason"] = "snippets changed"
            elif at < len(last_prompt) - cursor_line:
                row["reason"] = "head or window moved"
            else:
                row["reason"] = "typed at the cursor"
            row["diverged_at"] = at // 4
        rows.append(row)
        by_file.setdefault(path, []).append(key)
        last_site, last_key = site, key
    return rows


def summary(rows: list[dict[str, Any]]) -> dict[str, Any]:
    total = sum(r["prompt_tokens"] for r in rows)
    hit = sum(r["hit"] for r in rows)
    by: dict[str, Counter[str]] = {reason: Counter() for reason in REASONS}
    for r in rows:
        by[r["reason"]].update(requests=1, hit=r["hit"], miss=r["miss"], suffix=r["suffix_tokens"])
    # Every request but a new file's first served up to its suffix, in whole units.
    ideal = sum(
        (r["prompt_tokens"] - r["suffix_tokens"]) // CACHE_UNIT_TOKENS * CACHE_UNIT_TOKENS
        for r in rows if r["reason"] != "first, new file"
    )
    return {
        "requests": len(rows),
        "prompt_tokens": total,
        "hit": hit,
        "share": hit / total if total else None,
        "by_reason": {k: dict(v) for k, v in by.items()},
        "ideal_share": ideal / total if total else None,
    }


def report(rows: list[dict[str, Any]], verbose: bool) -> dict[str, Any]:
    if verbose:
        for i, r in enumerate(rows):
            extra = f"shares {r['shared_with_file']} with the file's earlier" if "shared_with_file" in r else (
                f"diverged at {r['diverged_at']}")
            print(f"{i:3d} {r['path'][:28]:<28} {r['reason']:<20} prompt {r['prompt_tokens']:5d} "
                  f"hit {r['hit']:5d} miss {r['miss']:5d} suffix {r['suffix_tokens']:4d}  {extra}")
        print()
    s = summary(rows)
    total = s["prompt_tokens"] or 1
    print(f"{s['requests']} requests, {s['prompt_tokens']} prompt tokens, {s['hit']} hit: {100 * s['hit'] / total:.1f} %")
    print("| why missed | requests | hit | missed | missed, % of all prompt tokens | their suffixes |")
    print("|---|---|---|---|---|---|")
    for reason, c in s["by_reason"].items():
        print(f"| {reason} | {c.get('requests', 0)} | {c.get('hit', 0)} | {c.get('miss', 0)} | "
              f"{100 * c.get('miss', 0) / total:.1f} % | {c.get('suffix', 0)} |")
    print(f"ideal layout (all but a new file's first request served up to the suffix): {100 * s['ideal_share']:.1f} %")
    return s


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--sites", type=int, default=24)
    parser.add_argument("--from", dest="dump", help="a deepseek-lsp.requests.json to read instead of a run")
    parser.add_argument("--verbose", action="store_true", help="one line per request")
    parser.add_argument("--out", help="write the rows and the summary as JSON here")
    args = parser.parse_args()
    if args.dump:
        records = json.loads(Path(args.dump).read_text())
    else:
        with tempfile.TemporaryDirectory() as tmp:
            asyncio.run(run_replay(args.seed, args.sites, peers=(DEEPSEEK,), review=False, dump=Path(tmp)))
            records = json.loads((Path(tmp) / "deepseek-lsp.requests.json").read_text())
    rows = classify(records)
    s = report(rows, args.verbose)
    if args.out:
        Path(args.out).write_text(json.dumps({"rows": rows, "summary": s}, indent=1))


if __name__ == "__main__":
    main()
