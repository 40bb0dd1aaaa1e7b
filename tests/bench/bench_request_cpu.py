"""The server's own CPU time per completion request, at a new position and while typing.

Wall-clock overhead (bench_overhead.py) moves with how busy the host is; the CPU time the server
process spends (``/proc/PID/stat``, all its threads) moves much less. The real server is driven
over stdio against the oracle with a fixed answer, ``completion.debounce: 0``, ``cache: false``,
``prefetch: false`` (so each request is one prompt and one backend request, nothing in the
background), the rest at its defaults:

* jumps: the 10,000-line Python file of bench_overhead, ``--jumps`` requests at seeded line
  ends, one at a time (a prompt at a new position each: the window, its snippets chosen anew);
* typing: the replay's files (``corpus.replay_sites``) written to a workspace and open, each
  site typed key by key with a request per key answered before the next (dump_prompts.py's
  typing: the snippets mostly kept).

Each phase's CPU time divided by its requests; ``--runs`` servers, the median and the spread.

    python tests/bench/bench_request_cpu.py [--runs 3] [--jumps 300] [--sites 24] [--out cpu.json]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import statistics
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tests.bench.corpus import big_python_file, replay_sites  # noqa: E402
from tests.bench.dump_prompts import Typist, write_workspace  # noqa: E402
from tests.bench.lsp_client import LspClient  # noqa: E402
from tests.bench.oracle import OracleProcess  # noqa: E402
from tests.bench.peers import Peer, start  # noqa: E402

SETTINGS = {"completion": {"debounce": 0, "cache": False, "prefetch": False}}
_TICK_S = 1 / os.sysconf("SC_CLK_TCK")


def cpu_s(pid: int) -> float:
    """User and system CPU time of process ``pid`` so far, all its threads."""
    with open(f"/proc/{pid}/stat", encoding="ascii") as fh:
        fields = fh.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) * _TICK_S


async def one_run(jumps: int, sites: int, seed: int, work: Path) -> dict[str, float]:
    big = big_python_file(10_000)
    chosen = replay_sites(seed, sites)
    ws = work / "ws"
    files = write_workspace(chosen, ws)
    oracle = await OracleProcess.start("--answer", "pass")
    client: LspClient | None = None
    try:
        client = await start(Peer("deepseek-lsp", "deepseek", SETTINGS), oracle.url, work / "logs", root=str(ws))
        typist = Typist(client)
        big_uri = (ws / "big.py").as_uri()
        typist.reopen(big_uri, "python", big)
        for f in files.values():
            typist.reopen((ws / f.path).as_uri(), f.language, f.text)
        await asyncio.sleep(1.0)
        lines = big.split("\n")
        ends = [i for i, line in enumerate(lines) if line.strip() and not line.rstrip().endswith(":")]
        spots = random.Random(seed).sample(ends, jumps + 10)
        for i in spots[:10]:  # warm-up: the crawl, the tokenizer, the connection
            await typist.ask(big_uri, "\n".join(lines[: i + 1]))
        await asyncio.sleep(3.0)
        before = cpu_s(client.pid)
        for i in spots[10:]:
            await typist.ask(big_uri, "\n".join(lines[: i + 1]))
        jump_ms = (cpu_s(client.pid) - before) / jumps * 1000
        await asyncio.sleep(1.0)
        asked = 0
        before = cpu_s(client.pid)
        for site in chosen:
            asked += await typist.type_site((ws / site.file.path).as_uri(), site)
        typing_ms = (cpu_s(client.pid) - before) / max(1, asked) * 1000
    finally:
        if client is not None:
            await client.stop()
        await oracle.stop()
    return {"jump_cpu_ms": jump_ms, "typing_cpu_ms": typing_ms, "typing_requests": asked}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--jumps", type=int, default=300)
    parser.add_argument("--sites", type=int, default=24)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out")
    args = parser.parse_args()
    runs: list[dict[str, Any]] = []
    for _ in range(args.runs):
        with tempfile.TemporaryDirectory(prefix="bench-cpu-") as tmp:
            runs.append(asyncio.run(one_run(args.jumps, args.sites, args.seed, Path(tmp))))
        print("  run: " + ", ".join(f"{k} {v:.2f}" for k, v in runs[-1].items()), flush=True)
    summary = {
        key: {"median": statistics.median(r[key] for r in runs), "min": min(r[key] for r in runs),
              "max": max(r[key] for r in runs)}
        for key in ("jump_cpu_ms", "typing_cpu_ms")
    }
    summary["load_1min"] = {"median": os.getloadavg()[0]}
    for key, s in summary.items():
        print(f"{key}: median {s['median']:.2f}" + (f" ({s['min']:.2f}-{s['max']:.2f})" if "min" in s else ""))
    if args.out:
        Path(args.out).write_text(json.dumps({"runs": runs, "summary": summary}, indent=2))


if __name__ == "__main__":
    main()
