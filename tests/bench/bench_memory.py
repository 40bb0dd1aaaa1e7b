"""Start-up time and memory: deepseek-lsp versus tabby-agent.

* Start-up: from spawning the process to the ``initialize`` answer (median of ``--starts`` runs).
* Memory: the server's resident set (``VmRSS``, and its peak ``VmHWM``) after opening ``--files``
  files of ``--lines`` lines of real Python (the standard library cut into pieces) and then
  typing the replay sites (``bench_replay``) in the same process, against the oracle with its
  realistic latency. The replay's own figures are kept too: with 100 files open, context
  gathering has more to look at.

    python tests/bench/bench_memory.py [--files 100] [--lines 5000] [--sites 8] [--out memory.json]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tests.bench.bench_replay import PER_TOKEN_S, TTFT_S, Session, Tally, key_delays, pct  # noqa: E402
from tests.bench.corpus import many_python_files, replay_sites  # noqa: E402
from tests.bench.lsp_client import LspClient, rss_kb  # noqa: E402
from tests.bench.oracle import OracleProcess  # noqa: E402
from tests.bench.peers import DEEPSEEK, TABBY, Peer, start, tabby_problem  # noqa: E402


async def startup_times(peer: Peer, url: str, workdir: Path, runs: int) -> list[float]:
    times = []
    for i in range(runs):
        t0 = time.monotonic()
        client = await start(peer, url, workdir / f"start-{i}", root="/bench/ws")
        times.append((time.monotonic() - t0) * 1000)
        await client.stop()
    return times


async def memory(
    peer: Peer, url: str, workdir: Path, files: list[str], seed: int, sites: int
) -> dict[str, Any]:
    client: LspClient = await start(peer, url, workdir / "memory", root="/bench/ws")
    try:
        await asyncio.sleep(1.0)
        rss_start = client.rss_kb()
        t0 = time.monotonic()
        for i, text in enumerate(files):
            client.notify("textDocument/didOpen", {"textDocument": {
                "uri": f"file:///bench/ws/open/f{i:03d}.py", "languageId": "python", "version": 1,
                "text": text}})
        # Messages are handled in order: once this is answered, every file has been opened.
        method = "textDocument/inlineCompletion" if peer.inline else "textDocument/completion"
        await client.call(method, {"textDocument": {"uri": f"file:///bench/ws/open/f{len(files) - 1:03d}.py"},
                                   "position": {"line": 0, "character": 0},
                                   "context": {"triggerKind": 1}}, timeout=300)
        open_s = time.monotonic() - t0
        await asyncio.sleep(2.0)
        rss_open = client.rss_kb()
        tally = Tally()
        session = Session(client, peer, tally)
        for site in replay_sites(seed, sites):
            await session.type_site(site, key_delays(site, seed))
        await asyncio.sleep(1.0)
        rss_end = client.rss_kb()
        peak = rss_kb(client.pid, "VmHWM")
    finally:
        await client.stop()
    return {
        "files": len(files),
        "file_lines": files[0].count("\n"),
        "bytes_opened": sum(len(t.encode()) for t in files),
        "open_seconds": round(open_s, 2),
        "rss_mb_at_start": round(rss_start / 1024, 1),
        "rss_mb_after_open": round(rss_open / 1024, 1),
        "rss_mb_after_replay": round(rss_end / 1024, 1),
        "peak_rss_mb": round(peak / 1024, 1),
        "replay_sites": sites,
        "replay_accepted_share": tally.chars_accepted / tally.chars_total if tally.chars_total else None,
        "replay_latency_ms_p50": pct(tally.latencies_ms, 0.5),
        "replay_latency_ms_p95": pct(tally.latencies_ms, 0.95),
    }


async def run_memory(
    n_files: int, lines: int, seed: int, sites: int, starts: int
) -> dict[str, Any]:
    files = many_python_files(n_files, lines)
    results: dict[str, Any] = {"columns": {}}
    problem = tabby_problem()
    oracle = await OracleProcess.start(
        "--seed", str(seed), "--sites", str(sites), "--ttft", str(TTFT_S), "--per-token", str(PER_TOKEN_S)
    )
    try:
        with tempfile.TemporaryDirectory(prefix="bench-memory-") as tmp:
            for peer in (DEEPSEEK, TABBY):
                if peer.kind == "tabby" and problem:
                    results["columns"][peer.name] = {"error": problem}
                    continue
                work = Path(tmp) / peer.name
                try:
                    times = await startup_times(peer, oracle.url, work, starts)
                    col = {
                        "startup_ms": {"median": statistics.median(times), "min": min(times),
                                       "max": max(times), "runs": [round(t, 1) for t in times]},
                    }
                    col.update(await memory(peer, oracle.url, work, files, seed, sites))
                    results["columns"][peer.name] = col
                except Exception as exc:
                    logs = sorted(work.rglob("*.stderr.log"))
                    tail = logs[-1].read_text(errors="replace")[-2000:] if logs else ""
                    results["columns"][peer.name] = {"error": repr(exc), "stderr_tail": tail}
    finally:
        await oracle.stop()
    return results


def memory_rows(results: dict[str, Any]) -> list[tuple[str, list[str]]]:
    cols = list(results["columns"].values())

    def cell(c: dict[str, Any], fn: Any) -> str:
        if "error" in c:
            return "error"
        return str(fn(c))

    return [
        ("start-up to initialize answer, ms (median)", [cell(c, lambda c: f"{c['startup_ms']['median']:.0f}") for c in cols]),
        ("RSS after 100 x 5,000-line files + replay, MB", [cell(c, lambda c: f"{c['rss_mb_after_replay']:.0f}") for c in cols]),
        ("peak RSS, MB", [cell(c, lambda c: f"{c['peak_rss_mb']:.0f}") for c in cols]),
    ]


def main() -> None:
    from tests.bench.bench_replay import report_columns

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--files", type=int, default=100)
    parser.add_argument("--lines", type=int, default=5000)
    parser.add_argument("--sites", type=int, default=8, help="replay sites typed after opening")
    parser.add_argument("--starts", type=int, default=5)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out")
    args = parser.parse_args()
    results = asyncio.run(run_memory(args.files, args.lines, args.seed, args.sites, args.starts))
    report_columns(results, memory_rows(results), args.out)


if __name__ == "__main__":
    main()
