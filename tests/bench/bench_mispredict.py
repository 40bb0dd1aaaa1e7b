"""Typing replay where the model is often wrong: what the debounce costs when nothing the backend
answers is typed through.

``bench_replay.py``'s oracle answers the text the user then types, so a request in flight is
joined by the next keys and almost none is cancelled. Here the oracle answers text the user does
not type (``oracle.py --mispredict``) for a share of the states, drawn from a hash of the seed and
the text around the cursor (the same states in every run and column). The user types the sites at
a steady cadence (60, 100 and 200 ms a key by default, jittered by a quarter, with
``bench_replay``'s pauses at line ends and starts) and accepts what agrees, as there.

For each cadence and column: backend requests per 100 keystrokes pressed, how many the server
hung up on, the prompt tokens they carried (DeepSeek bills a cancelled stream's prompt once it
started processing it), the tokens they generated until answered or hung up on, and how soon a
suggestion the user accepted came (keystroke-to-suggestion, p50), with the characters accepted.
The completion tokens of the streams hung up on are told apart: what a stream kept after the
editor's cancel, for the next request to join, costs at most.
``--no-cancel`` adds a column whose client sends no ``$/cancelRequest`` (Helix, Emacs, Kate);
``--ask-after-ms 50`` one whose client asks 50 ms after the key and its cancel (VS Code's debounce).

    python tests/bench/bench_mispredict.py [--mispredict 1.0] [--sites 8] [--cadence 100] ...
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import tempfile
from functools import partial
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tests.bench.bench_replay import PER_TOKEN_S, TTFT_S, key_delays, print_table, run_peer  # noqa: E402
from tests.bench.corpus import Site, replay_sites  # noqa: E402
from tests.bench.peers import DEEPSEEK, Peer  # noqa: E402

CADENCES_MS = (60, 100, 200)


async def run_cadence(
    peers: tuple[Peer, ...], cadence_ms: int, sites: list[Site], seed: int, mispredict: float, work: Path
) -> dict[str, Any]:
    delays = partial(key_delays, cadence_s=cadence_ms / 1000)
    outs = await asyncio.gather(
        *(
            run_peer(
                p, sites, seed, work / f"{cadence_ms}ms", ttft=TTFT_S, per_token=PER_TOKEN_S,
                oracle_args=("--mispredict", str(mispredict)), delays=delays,
            )
            for p in peers
        ),
        return_exceptions=True,
    )
    columns: dict[str, Any] = {}
    for peer, out in zip(peers, outs, strict=True):
        columns[peer.name] = {"error": repr(out)} if isinstance(out, BaseException) else out
    return columns


def summary(col: dict[str, Any]) -> dict[str, Any]:
    keys = col["keystrokes"]
    return {
        "requests_per_100_keystrokes": 100 * col["backend_requests"] / keys if keys else None,
        "backend_requests": col["backend_requests"],
        "cancelled": col["backend_cancelled"],
        "prompt_tokens": col["prompt_tokens"],
        "completion_tokens": col["completion_tokens"],
        "completion_tokens_hung_up": col["completion_tokens_hung_up"],
        "prompt_tokens_per_100_keystrokes": 100 * col["prompt_tokens"] / keys if keys else None,
        "accepted_share": col["accepted_share"],
        "accepted_suggestion_p50_ms": col["agreeing_latency_ms"]["p50"],
        "accepted_suggestions": col["agreeing_latency_ms"]["n"],
        "keystrokes": keys,
    }


def rows(results: dict[str, Any]) -> list[tuple[str, list[str]]]:
    out = []
    for cadence, columns in results["cadences"].items():
        for name, col in columns.items():
            if "error" in col:
                out.append((f"{cadence} ms/key, {name}", ["error", col["error"][:60], "", "", "", ""]))
                continue
            s = summary(col)
            p50 = s["accepted_suggestion_p50_ms"]
            out.append((f"{cadence} ms/key, {name}", [
                f"{s['requests_per_100_keystrokes']:.1f} ({s['backend_requests']}/{s['keystrokes']})",
                str(s["cancelled"]),
                f"{s['prompt_tokens']:,}",
                f"{s['completion_tokens']:,} ({s['completion_tokens_hung_up']:,})",
                f"{100 * s['accepted_share']:.1f} %",
                "-" if p50 is None else f"{p50:.0f} (n={s['accepted_suggestions']})",
            ]))
    return out


HEADER = ["requests / 100 keys", "cancelled", "prompt tokens", "completion tokens (hung up)", "accepted", "accepted sugg. p50 ms"]


async def run_all(
    peers: tuple[Peer, ...], cadences: list[int], seed: int, count: int, mispredict: float
) -> dict[str, Any]:
    sites = replay_sites(seed, count)
    results: dict[str, Any] = {
        "seed": seed, "sites": count, "mispredict": mispredict,
        "backend_latency": {"ttft_s": TTFT_S, "per_token_s": PER_TOKEN_S},
        "load_average_before": list(os.getloadavg()), "cadences": {},
    }
    with tempfile.TemporaryDirectory(prefix="bench-mispredict-") as tmp:
        for cadence in cadences:
            results["cadences"][cadence] = await run_cadence(peers, cadence, sites, seed, mispredict, Path(tmp))
    results["load_average_after"] = list(os.getloadavg())
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sites", type=int, default=8)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--mispredict", type=float, default=1.0,
                        help="share of states the model gets wrong, 0-1 (1: it never predicts the text)")
    parser.add_argument("--cadence", type=int, action="append", default=[],
                        help=f"ms between keys; repeat for several (default {', '.join(map(str, CADENCES_MS))})")
    parser.add_argument("--setting", action="append", default=[], metavar="NAME=JSON",
                        help="add a deepseek-lsp column with this completion setting, e.g. debounceMinMs=100")
    parser.add_argument("--no-cancel", action="store_true",
                        help="add a deepseek-lsp column whose client sends no $/cancelRequest (Helix, Emacs, Kate)")
    parser.add_argument("--ask-after-ms", type=int, default=0,
                        help="add a deepseek-lsp column whose client asks this long after the key and its "
                             "cancel (VS Code: 50, its own debounce)")
    parser.add_argument("--out", help="write the results as JSON here")
    args = parser.parse_args()
    if not 0.0 <= args.mispredict <= 1.0:
        parser.error("--mispredict takes a share between 0 and 1")
    peers = [DEEPSEEK]
    for item in args.setting:
        name, _, value = item.partition("=")
        try:
            parsed = json.loads(value)
        except json.JSONDecodeError:
            parser.error(f"--setting {item!r}: the value is not JSON")
        peers.append(Peer(f"deepseek-lsp {name}={value}", "deepseek", {"completion": {name: parsed}}))
    if args.no_cancel:
        peers.append(Peer("deepseek-lsp, no cancel", "deepseek", cancels=False))
    if args.ask_after_ms:
        peers.append(Peer(f"deepseek-lsp, asks {args.ask_after_ms} ms after", "deepseek",
                          ask_after_ms=args.ask_after_ms))
    results = asyncio.run(run_all(tuple(peers), args.cadence or list(CADENCES_MS), args.seed, args.sites,
                                  args.mispredict))
    print(f"mispredicted share {args.mispredict}, {args.sites} sites, seed {args.seed}, "
          f"load {results['load_average_before'][0]:.1f} -> {results['load_average_after'][0]:.1f}")
    print_table(HEADER, rows(results))
    if args.out:
        Path(args.out).write_text(json.dumps(results, indent=2, default=str))


if __name__ == "__main__":
    main()
